import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { Parley } from "../src/app/parley.ts";
import { formatExportReport, formatStoreReport } from "../src/cli/format.ts";
import { cosignCheckpoint, keysDirOf, tempDb, tempDir } from "./support/fixture.ts";
import { tamper } from "./support/tamper.ts";

const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "parley.js");

function parley(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, PARLEY_SCRYPT_N: "1024", ...env },
    timeout: 120_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("parley CLI", () => {
  const db = tempDb();
  // Files the commands write (exports, a missing database's path): a folder of their own.
  const dir = tempDir();

  beforeAll(() => {
    const r = parley(["demo", "--db", db]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("created wga-2023, sag-aftra-2023");
  });

  it("prints help and exits 0; a wrong command line exits 2", () => {
    const help = parley(["--help"]);
    expect(help.code).toBe(0);
    for (const cmd of [
      "start",
      "serve",
      "org",
      "user",
      "witness",
      "demo",
      "status",
      "export",
      "verify",
      "rebuild",
      "import",
    ])
      expect(help.out).toContain(cmd);
    expect(parley(["frobnicate"]).code).toBe(2);
    expect(parley(["status"]).code).toBe(2);
    expect(parley(["status", "wga-2023", "--bogus"]).code).toBe(2);
    expect(parley(["status", "--help"]).out).toContain("--as-of");
  });

  it("refuses to create the demo twice", () => {
    const r = parley(["demo", "--db", db]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("DISPUTE_EXISTS");
  });

  it("status --json as of 2023-09-14 gives the record's figures", () => {
    const r = parley(["status", "wga-2023", "--as-of", "2023-09-14", "--json", "--db", db]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    const wga = s.stoppages.find((x: { organizations: string[] }) => x.organizations.includes("WGA"));
    const sag = s.stoppages.find((x: { organizations: string[] }) => x.organizations.includes("SAG-AFTRA"));
    expect(wga).toMatchObject({ day: 136, end: null });
    expect(sag).toMatchObject({ day: 63, concurrent: true });
    expect(s.lastMeeting.date).toBe("2023-08-22");
    expect(s.nextMeeting).toBeNull();
    expect(s.issues.length).toBeGreaterThan(0);
    for (const i of s.issues) expect(i).toMatchObject({ status: "open", awaiting: "AMPTP" });
  });

  it("status in text names the day count, and bad input gets a stable code", () => {
    const text = parley(["status", "wga-2023", "--as-of", "2023-09-14", "--db", db]);
    expect(text.code).toBe(0);
    expect(text.out).toContain("day 136");
    const badDate = parley(["status", "wga-2023", "--as-of", "2023-02-30", "--db", db]);
    expect(badDate.code).toBe(1);
    expect(badDate.err).toContain("VALIDATION_FAILED");
    const unknown = parley(["status", "no-such-dispute", "--db", db]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("DISPUTE_UNKNOWN");
    const missing = join(dir, "no-such.db");
    for (const args of [["status", "wga-2023"], ["verify"], ["export", "wga-2023"], ["rebuild"]]) {
      const r = parley([...args, "--db", missing]);
      expect(r.code).toBe(1);
      expect(r.err).toContain("STORE_MISSING");
    }
    expect(existsSync(missing)).toBe(false);
    const viewer = parley(["status", "wga-2023", "--viewer", "nobody", "--db", db]);
    expect(viewer.code).toBe(1);
    expect(viewer.err).toContain("ORG_UNKNOWN");
  });

  it("exports, verifies the export offline, and catches a tampered one", () => {
    const file = join(dir, "public.jsonl");
    const ex = parley(["export", "wga-2023", "--viewer", "public", "--out", file, "--db", db]);
    expect(ex.code).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("CAUCUS-WGA-PRIVATE");
    expect(text).not.toContain("CAUCUS-AMPTP-PRIVATE");
    const ok = parley(["verify", file]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("OK");
    const tampered = join(dir, "tampered.jsonl");
    writeFileSync(tampered, text.replace("neither nothing", "everything"));
    expect(text).toContain("neither nothing");
    const bad = parley(["verify", tampered]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("FAILED");
    const missing = parley(["verify", join(dir, "absent.jsonl")]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("ENOENT");
    // A database no one answers at: said plainly, without a stack.
    const down = parley(["status", "wga-2023", "--db", "postgres://parley@127.0.0.1:1/parley"]);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/^parley: STORE_UNAVAILABLE: the database cannot be used: .*ECONNREFUSED/);
    expect(down.err).not.toContain("    at ");
    expect(parley(["export", "wga-2023", "--viewer", "nobody", "--db", db]).code).toBe(1);
  });

  it("verifies the live store, and names a tampered row", async () => {
    const copy = tempDb();
    const demo = parley(["demo", "--db", copy]);
    expect(demo.code).toBe(0);
    const ok = parley(["verify", "--db", copy]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("OK: the store verifies");
    await tamper(copy, async (db) => {
      const changed = await db.run(
        "update ledger_entries set visibility = 'public' where visibility = 'private' and seq = (select min(seq) from ledger_entries where visibility = 'private')",
      );
      expect(changed).toBeGreaterThan(0);
    });
    const bad = parley(["verify", "--db", copy, "wga-2023"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/PROBLEM wga-2023 #\d+ \[ledger_entries\]: column visibility/);
  });

  it("rebuilds the read models and still verifies", () => {
    const r = parley(["rebuild", "--db", db]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wga-2023: \d+ timeline rows, \d+ snapshots, [1-9]\d* entries in the search index/);
    expect(parley(["verify", "--db", db]).code).toBe(0);
    expect(parley(["rebuild", "nope", "--db", db]).err).toContain("DISPUTE_UNKNOWN");
  });

  it("imports a full export into a store with the same keys, and refuses a partial one", () => {
    const full = join(dir, "all.jsonl");
    expect(parley(["export", "sag-aftra-2023", "--viewer", "all", "--out", full, "--db", db]).code).toBe(0);
    const target = tempDb();
    const keys = { PARLEY_KEYS_DIR: keysDirOf(db) };
    const imported = parley(["import", full, "--db", target], keys);
    expect(imported.err).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/imported sag-aftra-2023: \d+ entries/);
    expect(parley(["verify", "--db", target], keys).code).toBe(0);
    const again = parley(["import", full, "--db", target], keys);
    expect(again.err).toContain("DISPUTE_EXISTS");
    const partial = join(dir, "partial.jsonl");
    expect(parley(["export", "wga-2023", "--out", partial, "--db", db]).code).toBe(0);
    const refused = parley(["import", partial, "--db", tempDb()], keys);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("IMPORT_INCOMPLETE");
  });

  it("verify reports the witnesses of a cosigned export and of the store, in --json and in text", async () => {
    const before = join(dir, "uncosigned.jsonl");
    expect(parley(["export", "wga-2023", "--out", before, "--db", db]).code).toBe(0);
    const app = await Parley.open(db, { mustExist: true });
    const witnesses = ["parley-news", "wga-west"];
    let size = -1;
    const keyIds: string[] = [];
    try {
      for (const org of witnesses) size = (await cosignCheckpoint(app, "wga-2023", org)).size;
      for (const org of witnesses) keyIds.push(app.keys.require(org).keyId);
    } finally {
      await app.close();
    }
    const file = join(dir, "cosigned.jsonl");
    expect(parley(["export", "wga-2023", "--out", file, "--db", db]).code).toBe(0);

    const ok = parley(["verify", file, "--json"]);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.out);
    expect(report.witnesses).toEqual(witnesses.map((org, i) => ({ org, keyId: keyIds[i], ok: true })));
    expect(formatExportReport(file, report)).toContain(
      `witnessed by: parley-news (size ${size}), wga-west (size ${size})`,
    );
    expect(parley(["verify", file]).out).toContain(
      `witnessed by: parley-news (size ${size}), wga-west (size ${size})`,
    );
    const plain = JSON.parse(parley(["verify", before, "--json"]).out);
    expect(formatExportReport(before, plain)).toContain("witnessed by: no one");

    // A flipped byte in wga-west's line: the file fails, and only the press is named a witness.
    const lines = readFileSync(file, "utf8").split("\n");
    const header = JSON.parse(lines[0]!);
    const note = (header.checkpoint as string).split("\n");
    const i = note.findIndex((l) => l.startsWith("\u2014 wga-west "));
    const blob = Buffer.from(note[i]!.slice("\u2014 wga-west ".length), "base64");
    blob[30]! ^= 0x01;
    note[i] = `\u2014 wga-west ${blob.toString("base64")}`;
    header.checkpoint = note.join("\n");
    lines[0] = JSON.stringify(header);
    const tampered = join(dir, "cosigned-tampered.jsonl");
    writeFileSync(tampered, lines.join("\n"));
    const bad = parley(["verify", tampered, "--json"]);
    expect(bad.code).toBe(1);
    const badReport = JSON.parse(bad.out);
    expect(badReport.problems.map((p: { what: string }) => p.what)).toContainEqual(
      expect.stringMatching(/^witness wga-west's cosignature \(key \S+\) does not verify$/),
    );
    const badText = formatExportReport(tampered, badReport);
    expect(badText).toContain(`witnessed by: parley-news (size ${size})\n`);
    expect(badText).toContain("FAILED");

    const store = parley(["verify", "--db", db, "wga-2023", "--json"]);
    expect(store.code).toBe(0);
    const storeReport = JSON.parse(store.out);
    expect(storeReport.disputes[0].witnesses).toEqual(witnesses.map((org) => ({ org, size })));
    expect(formatStoreReport(storeReport)).toContain(
      `wga-2023 witnessed by: parley-news (size ${size}), wga-west (size ${size})`,
    );
  });

  it("start loads the demo into an empty database and prints both dates", () => {
    const r = parley(["start", "--no-serve", "--db", tempDb()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("as of Thu 2023-09-14");
    expect(r.out).toContain("day 136");
  });

  it("org add registers an organization with its key; a taken id or a bad one is refused", () => {
    const fresh = tempDb();
    const add = [
      "org",
      "add",
      "--db",
      fresh,
      "--name",
      "Writers United",
      "--short-name",
      "WU",
      "--kind",
      "union",
    ];
    const ok = parley([...add, "--id", "writers-united"]);
    expect([ok.code, ok.out]).toEqual([0, expect.stringContaining("registered writers-united (WU)")]);
    expect(existsSync(join(keysDirOf(fresh), "writers-united.key"))).toBe(true);
    const again = parley([...add, "--id", "writers-united"]);
    expect([again.code, again.err]).toEqual([1, expect.stringContaining("ORG_EXISTS")]);
    const bad = parley([...add, "--id", "Not An Id"]);
    expect([bad.code, bad.err]).toEqual([1, expect.stringContaining("VALIDATION_FAILED")]);
    expect(parley([...add, "--id", "x", "--kind", "guild"]).code).toBe(2);
  });

  it("user add creates an account that can sign in; bad input is refused with a code", () => {
    const add = [
      "user",
      "add",
      "--db",
      db,
      "--email",
      "Admin@WGA.example",
      "--name",
      "Ada",
      "--org",
      "wga-west",
    ];
    const ok = parley([...add, "--role", "admin"], {}, "a long enough password\n");
    expect(ok.err).toBe("");
    expect(ok.out).toMatch(/created account acct_\S+ \(admin@wga\.example\), admin of wga-west/);
    const again = parley([...add, "--role", "admin"], {}, "a long enough password\n");
    expect([again.code, again.err]).toEqual([1, expect.stringContaining("ACCOUNT_EXISTS")]);
    const short = parley(
      [...add.slice(0, 5), "b@wga.example", "--name", "B", "--org", "wga-west", "--role", "member"],
      {},
      "short\n",
    );
    expect([short.code, short.err]).toEqual([1, expect.stringContaining("VALIDATION_FAILED")]);
    expect(parley([...add, "--role", "emperor"]).code).toBe(2);
  });

  it("user add --operator creates a server operator, who needs no organization; none at all is refused", () => {
    const base = ["user", "add", "--db", db, "--name", "Op"];
    const ok = parley(
      [...base, "--email", "op@parley.example", "--operator"],
      {},
      "a long enough password\n",
    );
    expect(ok.err).toBe("");
    expect(ok.out).toMatch(/created account acct_\S+ \(op@parley\.example\), operator$/m);
    const neither = parley([...base, "--email", "nobody@parley.example"], {}, "a long enough password\n");
    expect([neither.code, neither.err]).toEqual([1, expect.stringContaining("VALIDATION_FAILED")]);
    const half = parley(
      [...base, "--email", "half@parley.example", "--org", "wga-west"],
      {},
      "a long enough password\n",
    );
    expect([half.code, half.err]).toEqual([
      1,
      expect.stringContaining("an organization and a role go together"),
    ]);
  });

  it("serve listens, answers, and shuts down cleanly on SIGTERM; a bad port is a usage error", async () => {
    expect(parley(["serve", "--db", db, "--port", "99999"]).code).toBe(2);
    const child = spawn(process.execPath, [bin, "serve", "--db", db, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on("exit", () => reject(new Error(`serve exited early: ${out}`)));
    });
    const res = await fetch(`${url}/api/v1/disputes/wga-2023?asOf=2023-09-14`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { stoppages: { day: number }[] }).stoppages[0]!.day).toBe(136);
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    expect(parley(["verify", "--db", db]).code).toBe(0);
  });
});
