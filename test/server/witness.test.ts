import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointWithCosignatures } from "../../src/app/cosignatures.ts";
import type { Parley } from "../../src/app/parley.ts";
import { witness } from "../../src/cli/witness.ts";
import { ParleyError } from "../../src/domain/errors.ts";
import {
  parseCheckpoint,
  signatureLine,
  verifierKey,
  verifyCheckpoint,
  verifySignatureLine,
} from "../../src/ledger/checkpoint.ts";
import { CHECKPOINT_KEY } from "../../src/store/keystore.ts";
import { keysDirOf, PRESS, smallDispute, tempDb, tempDir } from "../support/fixture.ts";
import { PEOPLE, type Person, startServer } from "../support/server.ts";
import { shareKeys } from "../support/tamper.ts";

const SLUG = "test-2023";
const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "parley.js");

type Server = Awaited<ReturnType<typeof startServer>>;
let dbPath: string;
let parley: Parley;
let server: Server;
const tokens: Partial<Record<Person, string>> = {};

beforeAll(async () => {
  ({ app: parley, dbPath } = await smallDispute());
  server = await startServer(parley);
  for (const who of ["wgaNegotiator", "wgaMember", "outsiderAdmin"] as const) {
    tokens[who] = await tokenOf(parley, server, who);
  }
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
});

async function tokenOf(app: Parley, s: Server, who: Person): Promise<string> {
  const account = await app.db
    .selectFrom("accounts")
    .select("id")
    .where("email", "=", PEOPLE[who].email)
    .executeTakeFirstOrThrow();
  return (await s.accounts.createToken(account.id, "witness test")).token;
}

const bearer = (who: Person) => ({ authorization: `Bearer ${tokens[who]}` });

/** A cosignature line by `org`, made with its key from the store's key directory. */
function cosign(app: Parley, org: string, note: string, name = org): string {
  const key = app.keys.require(org);
  return signatureLine(parseCheckpoint(note).body, {
    name,
    privateKey: key.privateKey,
    publicRaw: key.publicRaw,
  });
}

const statement = (text: string) => ({
  actor: PRESS,
  type: "statement.made",
  occurredAt: "2023-09-26T17:00:00Z",
  visibility: "public",
  payload: { by: "daily-press", channel: "other", text },
});

async function checkpointSizes(app: Parley): Promise<number[]> {
  const rows = await app.db.selectFrom("checkpoints").select("size").orderBy("size").execute();
  return rows.map((r) => r.size);
}

function checkpointKeyOf(app: Parley): string {
  return app.keys.require(CHECKPOINT_KEY).publicRaw.toString("base64");
}

/** The failure a witness run ends with (the CLI prints its code and exits 1). */
async function failure(run: Promise<unknown>): Promise<ParleyError> {
  try {
    await run;
  } catch (err) {
    if (err instanceof ParleyError) return err;
    throw err;
  }
  throw new Error("expected the witness to fail, but it passed");
}

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const address = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("cosignatures over HTTP", () => {
  it("accepts an organization's cosignature, shows it with the checkpoint, and it verifies offline", async () => {
    const latest = (await server.call("GET", `/api/v1/disputes/${SLUG}/checkpoint`)).json;
    const path = `/api/v1/disputes/${SLUG}/checkpoints/${latest.size}`;
    const before = await server.call("GET", path);
    expect(before.status).toBe(200);
    expect(before.json).toEqual({
      size: latest.size,
      root: latest.root,
      note: latest.note,
      cosignatures: [],
    });

    const line = cosign(parley, "wga-west", latest.note);
    const posted = await server.call("POST", `${path}/cosignatures`, {
      body: { org: "wga-west", signature: line },
      headers: bearer("wgaNegotiator"),
    });
    expect(posted.status).toBe(201);
    const keyId = parley.keys.require("wga-west").keyId;
    expect(posted.json).toEqual({ size: latest.size, org: "wga-west", keyId, line });

    const after = (await server.call("GET", path)).json;
    expect(after.cosignatures).toEqual([{ org: "wga-west", keyId, line }]);
    expect((await checkpointWithCosignatures(parley, SLUG)).cosignatures).toEqual(after.cosignatures);

    // Offline: the organization's public key from signing_keys is all a reader needs.
    const row = await parley.db
      .selectFrom("signing_keys")
      .select("public_key")
      .where("key_id", "=", keyId)
      .executeTakeFirstOrThrow();
    const orgKey = { name: "wga-west", publicRaw: Buffer.from(row.public_key) };
    expect(() => verifySignatureLine(parseCheckpoint(after.note).body, line, orgKey)).not.toThrow();
    const cosigned = `${after.note}${line}\n`;
    expect(verifyCheckpoint(cosigned, orgKey).size).toBe(latest.size);

    // Sending it again changes nothing; the line as copied out of a note (with its newline) is the same one.
    const again = await server.call("POST", `${path}/cosignatures`, {
      body: { org: "wga-west", signature: `${line}\n` },
      headers: bearer("wgaNegotiator"),
    });
    expect([again.status, again.json.line]).toEqual([201, line]);
    expect((await server.call("GET", path)).json.cosignatures).toHaveLength(1);
  });

  it("lets an admin of an organization with no part in the dispute witness it", async () => {
    const [first] = await checkpointSizes(parley);
    const note = (await server.call("GET", `/api/v1/disputes/${SLUG}/checkpoints/${first}`)).json.note;
    const r = await server.call("POST", `/api/v1/disputes/${SLUG}/checkpoints/${first}/cosignatures`, {
      body: { org: "other-union", signature: cosign(parley, "other-union", note) },
      headers: bearer("outsiderAdmin"),
    });
    expect([r.status, r.json.org]).toEqual([201, "other-union"]);
  });

  it("refuses a line that does not verify against the organization's key and that checkpoint (400)", async () => {
    const sizes = await checkpointSizes(parley);
    const [older, newer] = [sizes[0]!, sizes[sizes.length - 1]!];
    const noteOf = async (size: number) =>
      (await server.call("GET", `/api/v1/disputes/${SLUG}/checkpoints/${size}`)).json.note as string;
    const newerNote = await noteOf(newer);
    const good = cosign(parley, "wga-west", newerNote);
    const flipped = Buffer.from(good.split(" ")[2]!, "base64");
    flipped[20]! ^= 1;
    const bad: [string, string][] = [
      ["another checkpoint's body", cosign(parley, "wga-west", await noteOf(older))],
      ["another organization's key under this one's name", cosign(parley, "amptp", newerNote, "wga-west")],
      ["a changed signature byte", `\u2014 wga-west ${flipped.toString("base64")}`],
      ["not a signature line", "wga-west signed this"],
    ];
    const url = `/api/v1/disputes/${SLUG}/checkpoints/${newer}/cosignatures`;
    for (const [what, signature] of bad) {
      const r = await server.call("POST", url, {
        body: { org: "wga-west", signature },
        headers: bearer("wgaNegotiator"),
      });
      expect({ what, status: r.status, code: r.json.error.code }).toEqual({
        what,
        status: 400,
        code: "COSIGNATURE_INVALID",
      });
    }
    // The checkpoint of `older` was cosigned by nobody from wga-west: the refused line left no trace.
    const olderView = await checkpointWithCosignatures(parley, SLUG, older);
    expect(olderView.cosignatures.map((c) => c.org)).not.toContain("wga-west");
    const r = await server.call("POST", url, {
      body: { org: "wga-west", signature: good },
      headers: bearer("wgaNegotiator"),
    });
    expect(r.status).toBe(201);
  });

  it("refuses a cosignature for an organization the caller does not speak for (403), and the anonymous (401)", async () => {
    const cp = (await server.call("GET", `/api/v1/disputes/${SLUG}/checkpoint`)).json;
    const url = `/api/v1/disputes/${SLUG}/checkpoints/${cp.size}/cosignatures`;
    const amptpLine = cosign(parley, "amptp", cp.note);
    const notMine = await server.call("POST", url, {
      body: { org: "amptp", signature: amptpLine },
      headers: bearer("wgaNegotiator"),
    });
    expect([notMine.status, notMine.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    const member = await server.call("POST", url, {
      body: { org: "wga-west", signature: cosign(parley, "wga-west", cp.note) },
      headers: bearer("wgaMember"),
    });
    expect([member.status, member.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    const anonymous = await server.call("POST", url, { body: { org: "amptp", signature: amptpLine } });
    expect([anonymous.status, anonymous.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
    const view = await checkpointWithCosignatures(parley, SLUG, cp.size);
    expect(view.cosignatures.map((c) => c.org)).not.toContain("amptp");
  });

  it("answers 404 for a size that has no checkpoint, to reads and cosignatures alike", async () => {
    const sizes = await checkpointSizes(parley);
    const between = sizes[0]! + 1;
    expect(sizes).not.toContain(between);
    for (const size of [between, 1_000_000]) {
      const get = await server.call("GET", `/api/v1/disputes/${SLUG}/checkpoints/${size}`);
      expect([get.status, get.json.error.code]).toEqual([404, "CHECKPOINT_UNKNOWN"]);
      const post = await server.call("POST", `/api/v1/disputes/${SLUG}/checkpoints/${size}/cosignatures`, {
        body: { org: "wga-west", signature: "\u2014 wga-west AAAAAAAA" },
        headers: bearer("wgaNegotiator"),
      });
      expect([post.status, post.json.error.code]).toEqual([404, "CHECKPOINT_UNKNOWN"]);
    }
    const noDispute = await server.call("GET", "/api/v1/disputes/no-such/checkpoints/1");
    expect([noDispute.status, noDispute.json.error.code]).toEqual([404, "DISPUTE_UNKNOWN"]);
  });
});

describe("the witness", () => {
  it("trusts the given key on its first run, then follows consistent growth and updates its state", async () => {
    const state = join(tempDir(), "witness.json");
    const base = { url: server.base, slug: SLUG, state };
    const first = await witness({ ...base, checkpointKey: checkpointKeyOf(parley) });
    const size0 = (await parley.latestCheckpoint(SLUG))!.size;
    expect(first).toMatchObject({ size: size0, previous: null, cosignature: null });
    const saved = JSON.parse(readFileSync(state, "utf8"));
    expect(saved).toMatchObject({ size: size0, checkpointKey: { publicKey: checkpointKeyOf(parley) } });
    expect(saved.note).toBe((await parley.latestCheckpoint(SLUG))!.note);

    await parley.execute(SLUG, statement("grown once"));
    await parley.execute(SLUG, statement("grown twice"));
    const second = await witness(base);
    expect(second).toMatchObject({ size: size0 + 2, previous: size0 });
    expect(JSON.parse(readFileSync(state, "utf8")).size).toBe(size0 + 2);

    const unchanged = await witness(base);
    expect(unchanged).toMatchObject({ size: size0 + 2, previous: size0 + 2 });
  });

  it("accepts the key as a name+hash+key verifier key too, and refuses a key that did not sign", async () => {
    const dir = tempDir();
    const host = parseCheckpoint((await parley.latestCheckpoint(SLUG))!.note).signatures[0]!.name;
    const vkey = verifierKey(host, parley.keys.require(CHECKPOINT_KEY).publicRaw);
    const ok = await witness({
      url: server.base,
      slug: SLUG,
      state: join(dir, "a.json"),
      checkpointKey: vkey,
    });
    expect(ok.previous).toBeNull();
    const wrong = parley.keys.require("wga-west").publicRaw.toString("base64");
    const refused = await failure(
      witness({ url: server.base, slug: SLUG, state: join(dir, "b.json"), checkpointKey: wrong }),
    );
    expect(refused.code).toBe("CHECKPOINT_INVALID");
    expect(existsSync(join(dir, "b.json"))).toBe(false);
  });

  it("cosigns what it checked, and the server shows the cosignature", async () => {
    const state = join(tempDir(), "witness.json");
    await parley.execute(SLUG, statement("to be cosigned"));
    const r = await witness({
      url: server.base,
      slug: SLUG,
      state,
      checkpointKey: checkpointKeyOf(parley),
      cosign: true,
      org: "other-union",
      key: join(keysDirOf(dbPath), "other-union.key"),
      token: tokens.outsiderAdmin!,
    });
    expect(r.cosignature).not.toBeNull();
    const shown = await server.call("GET", `/api/v1/disputes/${SLUG}/checkpoints/${r.size}`);
    expect(shown.json.cosignatures).toContainEqual({
      org: "other-union",
      keyId: parley.keys.require("other-union").keyId,
      line: r.cosignature,
    });
  });

  it("reports a refused cosignature as a failure, having still checked and recorded the checkpoint", async () => {
    const state = join(tempDir(), "witness.json");
    const err = await failure(
      witness({
        url: server.base,
        slug: SLUG,
        state,
        checkpointKey: checkpointKeyOf(parley),
        cosign: true,
        org: "wga-west",
        key: join(keysDirOf(dbPath), "wga-west.key"),
        token: tokens.wgaMember!,
      }),
    );
    expect(err.code).toBe("REMOTE_FAILED");
    expect(err.message).toContain("ROLE_REQUIRED");
    expect(JSON.parse(readFileSync(state, "utf8")).size).toBe((await parley.latestCheckpoint(SLUG))!.size);
  });

  it("refuses a private key file others can read before going anywhere", async () => {
    const dir = tempDir();
    const loose = join(dir, "loose.key");
    copyFileSync(join(keysDirOf(dbPath), "wga-west.key"), loose);
    chmodSync(loose, 0o644);
    const err = await failure(
      witness({
        url: server.base,
        slug: SLUG,
        state: join(dir, "w.json"),
        checkpointKey: checkpointKeyOf(parley),
        cosign: true,
        org: "wga-west",
        key: loose,
        token: tokens.wgaNegotiator!,
      }),
    );
    expect(err.code).toBe("KEY_INSECURE");
    expect(existsSync(join(dir, "w.json"))).toBe(false);
  });

  it("detects a root changed at a size it has seen, and leaves its state as it was", async () => {
    const state = join(tempDir(), "witness.json");
    const base = { url: server.base, slug: SLUG, state };
    await witness({ ...base, checkpointKey: checkpointKeyOf(parley) });
    const saved = JSON.parse(readFileSync(state, "utf8"));
    const root = Buffer.from(saved.root, "base64");
    root[0]! ^= 1;
    const edited = `${JSON.stringify({ ...saved, root: root.toString("base64") })}\n`;
    writeFileSync(state, edited);

    const same = await failure(witness(base));
    expect(same.code).toBe("HISTORY_REWRITTEN");
    expect(same.message).toContain(`size ${saved.size}`);
    expect(same.message).toContain("history was rewritten");

    // After growth, the proof from the remembered (edited) head cannot hold either.
    await parley.execute(SLUG, statement("after the edit"));
    const grown = await failure(witness(base));
    expect(grown.code).toBe("HISTORY_REWRITTEN");
    expect(grown.message).toContain(`size ${saved.size + 1}`);
    expect(grown.message).toContain(`size ${saved.size} seen before`);
    expect(readFileSync(state, "utf8")).toBe(edited);
  });

  describe("pointed at another ledger with the same origin and key but other entries", () => {
    let otherDb: string;
    let other: Parley;
    let otherServer: Server;

    beforeAll(async () => {
      otherDb = tempDb();
      shareKeys(dbPath, otherDb);
      // Same fixture, so the same origin; the entries' nonces differ, and so do the roots.
      other = (await smallDispute(otherDb)).app;
      otherServer = await startServer(other);
    });
    afterAll(async () => {
      await otherServer.app.close();
      await other.close();
    });

    it("signs with the same key and origin, so only the history tells them apart", async () => {
      const a = parseCheckpoint((await parley.latestCheckpoint(SLUG))!.note);
      const b = parseCheckpoint((await other.latestCheckpoint(SLUG))!.note);
      expect(b.origin).toBe(a.origin);
      expect(checkpointKeyOf(other)).toBe(checkpointKeyOf(parley));
      expect(b.root.equals(a.root)).toBe(false);
    });

    it("a longer rewritten log fails the consistency proof", async () => {
      const state = join(tempDir(), "witness.json");
      await witness({ url: server.base, slug: SLUG, state, checkpointKey: checkpointKeyOf(parley) });
      const seen = JSON.parse(readFileSync(state, "utf8"));
      const target = seen.size + 3;
      while ((await other.latestCheckpoint(SLUG))!.size < target) {
        await other.execute(SLUG, statement("the other history"));
      }
      const err = await failure(witness({ url: otherServer.base, slug: SLUG, state }));
      expect(err.code).toBe("HISTORY_REWRITTEN");
      expect(err.message).toContain(
        `the tree of size ${target} does not extend the tree of size ${seen.size}`,
      );
      expect(err.message).toContain("history was rewritten");
      expect(JSON.parse(readFileSync(state, "utf8"))).toEqual(seen);
    });

    it("a shorter log is a rewritten one", async () => {
      const state = join(tempDir(), "witness.json");
      await parley.execute(SLUG, statement("the first log grows"));
      const otherSize = (await other.latestCheckpoint(SLUG))!.size;
      while ((await parley.latestCheckpoint(SLUG))!.size <= otherSize) {
        await parley.execute(SLUG, statement("the first log grows more"));
      }
      const r = await witness({
        url: server.base,
        slug: SLUG,
        state,
        checkpointKey: checkpointKeyOf(parley),
      });
      const err = await failure(witness({ url: otherServer.base, slug: SLUG, state }));
      expect(err.code).toBe("HISTORY_REWRITTEN");
      expect(err.message).toContain(`size ${otherSize}, smaller than size ${r.size} seen before`);
    });

    it("another root at a size seen, or a checkpoint that follows another one of that size, is a rewrite", async () => {
      // Bring both logs to one size, each with a checkpoint there.
      const sizeOf = async (app: Parley) => (await app.latestCheckpoint(SLUG))!.size;
      while ((await sizeOf(parley)) !== (await sizeOf(other))) {
        const behind = (await sizeOf(parley)) < (await sizeOf(other)) ? parley : other;
        await behind.execute(SLUG, statement("catching up"));
      }
      const size = await sizeOf(parley);
      const state = join(tempDir(), "witness.json");
      await witness({ url: server.base, slug: SLUG, state, checkpointKey: checkpointKeyOf(parley) });
      const atSize = await failure(witness({ url: otherServer.base, slug: SLUG, state }));
      expect(atSize.code).toBe("HISTORY_REWRITTEN");
      expect(atSize.message).toContain(`size ${size} now has root`);

      // One more entry: the other log's next checkpoint names its own checkpoint of `size`.
      await other.execute(SLUG, statement("one past"));
      const next = await failure(witness({ url: otherServer.base, slug: SLUG, state }));
      expect(next.code).toBe("HISTORY_REWRITTEN");
      expect(next.message).toContain(
        `the checkpoint of size ${size + 1} follows another checkpoint of size ${size} than the one seen`,
      );
    });

    it("while a fresh witness of the other log alone finds nothing wrong", async () => {
      const state = join(tempDir(), "witness.json");
      const key = checkpointKeyOf(other);
      await witness({ url: otherServer.base, slug: SLUG, state, checkpointKey: key });
      await other.execute(SLUG, statement("more of the other history"));
      const r = await witness({ url: otherServer.base, slug: SLUG, state });
      expect(r.size).toBe(r.previous! + 1);
    });
  });

  it("fails with a clear message when the server cannot be reached", async () => {
    const state = join(tempDir(), "witness.json");
    const port = await closedPort();
    const err = await failure(
      witness({ url: `http://127.0.0.1:${port}`, slug: SLUG, state, checkpointKey: checkpointKeyOf(parley) }),
    );
    expect(err.code).toBe("REMOTE_FAILED");
    expect(err.message).toBe(
      `cannot reach http://127.0.0.1:${port}/api/v1/disputes/${SLUG}/checkpoint: ECONNREFUSED`,
    );
    expect(existsSync(state)).toBe(false);
  });
});

describe("parley witness (the binary)", () => {
  function run(args: string[]) {
    const r = spawnSync(process.execPath, [bin, "witness", ...args], { encoding: "utf8", timeout: 120_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  it("exits 2 on a bad command line", () => {
    const state = join(tempDir(), "witness.json");
    const key = Buffer.alloc(32, 7).toString("base64");
    const base = ["--url", "http://127.0.0.1:9", "--slug", SLUG, "--state", state];
    expect(run(["--slug", SLUG, "--state", state]).code).toBe(2);
    expect(run(["--url", "not a url", "--slug", SLUG, "--state", state, "--checkpoint-key", key]).code).toBe(
      2,
    );
    const firstRun = run(base);
    expect(firstRun.code).toBe(2);
    expect(firstRun.err).toContain("the first run needs --checkpoint-key");
    const cosign = run([...base, "--checkpoint-key", key, "--cosign", "--org", "wga-west"]);
    expect(cosign.code).toBe(2);
    expect(cosign.err).toContain("--cosign needs --key, --token");
    expect(run([...base, "--checkpoint-key", "not-a-key"]).code).toBe(2);
    expect(existsSync(state)).toBe(false);
  });

  it("exits 1 naming the URL when the server cannot be reached", async () => {
    const state = join(tempDir(), "witness.json");
    const port = await closedPort();
    const key = Buffer.alloc(32, 7).toString("base64");
    const r = run([
      "--url",
      `http://127.0.0.1:${port}`,
      "--slug",
      SLUG,
      "--state",
      state,
      "--checkpoint-key",
      key,
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`REMOTE_FAILED: cannot reach http://127.0.0.1:${port}/`);
    expect(r.err).toContain("ECONNREFUSED");
  });
});
