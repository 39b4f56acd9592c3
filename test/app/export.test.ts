import { createHash, type KeyObject, randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importExport, writeExport } from "../../src/app/export.ts";
import { fileLines, verifyExportFile } from "../../src/app/export-verify.ts";
import { Parley } from "../../src/app/parley.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { OPERATOR, PUBLIC, type Viewer } from "../../src/app/visibility.ts";
import { ParleyError } from "../../src/domain/errors.ts";
import { keyHash, parseCheckpoint, signatureLine, verifyCheckpoint } from "../../src/ledger/checkpoint.ts";
import { generateSigningKey, keyIdOf } from "../../src/ledger/ed25519.ts";
import { verifyExport } from "../../src/ledger/export-file.ts";
import { cosignCheckpoint, MARKERS, smallDispute, tempDb } from "../support/fixture.ts";
import { shareKeys } from "../support/tamper.ts";

const SLUG = "test-2023";
const CLOCK = () => new Date("2026-01-01T00:00:00Z");
const AMPTP_NEGOTIATOR: Viewer = { kind: "org", org: "amptp", role: "negotiator" };
/** The AMPTP's counterproposal: a table entry the AMPTP published later (entry.published at seq 15). */
const PUBLISHED = 10;
/** Entries the public may not see: 6 (WGA pass, table), 7 and 8 (caucus notes), 9 (members), 16 (TA). */
const HIDDEN_FROM_PUBLIC = [6, 7, 8, 9, 16];

let app: Parley;
let dbPath: string;
let dir: string;
const files: Record<"public" | "amptp" | "operator", string> = { public: "", amptp: "", operator: "" };

async function exportTo(file: string, viewer: Viewer) {
  const out = createWriteStream(file);
  const counts = await writeExport(app, SLUG, viewer, out);
  out.end();
  await finished(out);
  return counts;
}

async function errorOf(p: Promise<unknown>): Promise<ParleyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ParleyError) return err;
    throw err;
  }
  throw new Error("expected a ParleyError, but the call succeeded");
}

const readLines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "");

/**
 * Writes the lines as an export file and verifies that file on this thread; checked on worker
 * threads, as `parley verify` checks a large file, it must give the very same report.
 */
async function verifyLines(lines: string[]) {
  const file = join(dir, `mutated-${randomBytes(6).toString("hex")}.jsonl`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  const report = await verifyExport(fileLines(file));
  expect(await verifyExportFile(file, { workers: true })).toEqual(report);
  return report;
}

/** The index (in the file's lines) of the line for leaf `seq`: line 0 is the header. */
const lineOf = (seq: number) => seq + 1;

beforeAll(async () => {
  ({ app, dbPath } = await smallDispute());
  dir = mkdtempSync(join(tmpdir(), "parley-export-"));
  files.public = join(dir, "public.jsonl");
  files.amptp = join(dir, "amptp.jsonl");
  files.operator = join(dir, "operator.jsonl");
  await exportTo(files.public, PUBLIC);
  await exportTo(files.amptp, AMPTP_NEGOTIATOR);
  await exportTo(files.operator, OPERATOR);
});

afterAll(async () => {
  await app.close();
});

describe("writeExport", () => {
  it("waits on a slow reader without piling listeners on its stream", async () => {
    // A stream that takes one line at a time: every write after the first waits for a drain.
    const chunks: string[] = [];
    const out = new Writable({
      highWaterMark: 1,
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        setImmediate(done);
      },
    });
    const counts = await writeExport(app, SLUG, OPERATOR, out);
    expect(counts.full).toBeGreaterThan(10);
    expect(out.listenerCount("error")).toBe(0);
    expect(out.listenerCount("drain")).toBe(0);
    expect(chunks.join("")).toBe(readFileSync(files.operator, "utf8"));
  });

  it.each(["public", "amptp", "operator"] as const)(
    "writes a %s export that verifies on its own",
    async (which) => {
      const report = await verifyExport(fileLines(files[which]));
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.dispute).toBe(SLUG);
      const cp = (await app.latestCheckpoint(SLUG))!;
      expect(report.size).toBe(cp.size);
      expect(report.root).toBe(Buffer.from(cp.root).toString("base64"));
    },
  );

  it("keeps every marker out of the public export, which holds only hashes for what is hidden", async () => {
    const text = readFileSync(files.public, "utf8");
    for (const marker of Object.values(MARKERS)) expect(text).not.toContain(marker);
    const lines = readLines(files.public).map((l) => JSON.parse(l));
    const hashed = lines.filter((l) => "leafHash" in l).map((l) => l.seq);
    expect(hashed).toEqual(HIDDEN_FROM_PUBLIC);
    const report = await verifyExport(fileLines(files.public));
    expect(report.hidden).toBe(HIDDEN_FROM_PUBLIC.length);
    expect(report.full).toBe(report.size - HIDDEN_FROM_PUBLIC.length);
  });

  it("gives the public the published table entry in full, byte for byte as signed", async () => {
    const line = readLines(files.public)
      .map((l) => JSON.parse(l))
      .find((l) => l.seq === PUBLISHED);
    expect(line.entry).toBeDefined();
    expect(line.entry).toMatchObject({
      type: "pass.made",
      visibility: "table",
      actor: { org: "amptp" },
      payload: { issues: [{ issue: "wages", language: "Raise minimums 4%, 3%, 2%." }] },
    });
    const stored = await app.db
      .selectFrom("ledger_entries")
      .select(["body", "signature"])
      .where("seq", "=", PUBLISHED)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(line.entry)).toBe(stored.body);
    expect(line.signature).toBe(Buffer.from(stored.signature).toString("base64"));
  });

  it("gives the AMPTP's negotiators the table and their own caucus notes, not the WGA's private or members entries", () => {
    const text = readFileSync(files.amptp, "utf8");
    expect(text).toContain(MARKERS.table);
    expect(text).toContain(MARKERS.amptpPrivate);
    expect(text).not.toContain(MARKERS.wgaPrivate);
    expect(text).not.toContain(MARKERS.wgaMembers);
  });

  it("gives the operator every entry in full", async () => {
    const text = readFileSync(files.operator, "utf8");
    for (const marker of Object.values(MARKERS)) expect(text).toContain(marker);
    const report = await verifyExport(fileLines(files.operator));
    expect(report.hidden).toBe(0);
  });
});

describe("verifyExport rejects every mutation of an export file", () => {
  const mutate = (which: "public" | "operator", f: (lines: string[]) => string[]) =>
    verifyLines(f(readLines(files[which])));

  const editJson = (line: string, f: (json: Record<string, unknown>) => void) => {
    const json = JSON.parse(line);
    f(json);
    return JSON.stringify(json);
  };

  const cases: [string, "public" | "operator", (lines: string[]) => string[]][] = [
    [
      "a character of an entry's text changed",
      "operator",
      (lines) => {
        const i = lineOf(7);
        expect(lines[i]).toContain("hold firm");
        lines[i] = lines[i]!.replace("hold firm", "hold firn");
        return lines;
      },
    ],
    [
      "a signature changed",
      "operator",
      (lines) => {
        lines[lineOf(3)] = editJson(lines[lineOf(3)]!, (j) => {
          const sig = Buffer.from(j.signature as string, "base64");
          sig[5]! ^= 0x01;
          j.signature = sig.toString("base64");
        });
        return lines;
      },
    ],
    ["a line dropped", "operator", (lines) => lines.filter((_, i) => i !== lineOf(5))],
    [
      "two lines swapped",
      "operator",
      (lines) => {
        [lines[lineOf(3)], lines[lineOf(4)]] = [lines[lineOf(4)]!, lines[lineOf(3)]!];
        return lines;
      },
    ],
    [
      "an entry replaced by a wrong leaf hash",
      "public",
      (lines) => {
        lines[lineOf(2)] = JSON.stringify({ seq: 2, leafHash: randomBytes(32).toString("base64") });
        return lines;
      },
    ],
    [
      "a hidden entry's leaf hash changed",
      "public",
      (lines) => {
        lines[lineOf(7)] = editJson(lines[lineOf(7)]!, (j) => {
          const h = Buffer.from(j.leafHash as string, "base64");
          h[0]! ^= 0x01;
          j.leafHash = h.toString("base64");
        });
        return lines;
      },
    ],
    ["the trailer removed", "operator", (lines) => lines.slice(0, -1)],
    [
      "the last entry removed, the trailer kept",
      "operator",
      (lines) => [...lines.slice(0, -2), lines.at(-1)!],
    ],
    [
      "the checkpoint root changed",
      "operator",
      (lines) => {
        lines[0] = editJson(lines[0]!, (h) => {
          const note = (h.checkpoint as string).split("\n");
          note[2] = createHash("sha256").update("another tree").digest("base64");
          h.checkpoint = note.join("\n");
        });
        return lines;
      },
    ],
    [
      "a signer's public key replaced",
      "operator",
      (lines) => {
        lines[0] = editJson(lines[0]!, (h) => {
          const keys = h.keys as { keyId: string; org: string; publicKey: string }[];
          const other = generateSigningKey().publicRaw;
          keys[0]!.publicKey = other.toString("base64");
        });
        return lines;
      },
    ],
    [
      "a signer's key and key id replaced together",
      "operator",
      (lines) => {
        lines[0] = editJson(lines[0]!, (h) => {
          const keys = h.keys as { keyId: string; org: string; publicKey: string }[];
          const wga = keys.find((k) => k.org === "wga-west")!;
          const other = generateSigningKey().publicRaw;
          const oldId = wga.keyId;
          wga.keyId = keyIdOf(other);
          wga.publicKey = other.toString("base64");
          // Point the WGA's entries at the new key id too, so only the signatures can object.
          for (let i = 1; i < lines.length; i++) lines[i] = lines[i]!.replace(oldId, wga.keyId);
        });
        return lines;
      },
    ],
    [
      "the checkpoint key replaced",
      "operator",
      (lines) => {
        lines[0] = editJson(lines[0]!, (h) => {
          const cpKey = h.checkpointKey as { name: string; publicKey: string };
          cpKey.publicKey = generateSigningKey().publicRaw.toString("base64");
        });
        return lines;
      },
    ],
  ];

  it("accepts the unmutated files, and an entry replaced by its own correct leaf hash", async () => {
    expect((await mutate("operator", (l) => l)).ok).toBe(true);
    const report = await mutate("operator", (lines) => {
      const row = JSON.parse(lines[lineOf(2)]!);
      const body = Buffer.from(JSON.stringify(row.entry), "utf8");
      const sig = Buffer.from(row.signature, "base64");
      const leaf = createHash("sha256")
        .update(Buffer.from([0]))
        .update(body)
        .update(sig)
        .digest();
      lines[lineOf(2)] = JSON.stringify({ seq: 2, leafHash: leaf.toString("base64") });
      return lines;
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.hidden).toBe(1);
  });

  it.each(cases)("fails when %s", async (_name, which, f) => {
    const report = await mutate(which, f);
    expect(report.ok).toBe(false);
    expect(report.problems.length).toBeGreaterThan(0);
  });

  // Each names the line and what is wrong with it, on this thread and on the workers alike.
  const lineCases: [string, (lines: string[]) => string[], { line: number; what: string }][] = [
    [
      "a line is not JSON",
      (lines) => {
        lines[lineOf(4)] = lines[lineOf(4)]!.slice(0, -1);
        return lines;
      },
      { line: lineOf(4) + 1, what: "not JSON" },
    ],
    [
      "a line is neither an entry nor a leaf hash",
      (lines) => {
        lines[lineOf(4)] = JSON.stringify({ seq: 4 });
        return lines;
      },
      { line: lineOf(4) + 1, what: "neither an entry nor a leaf hash" },
    ],
    [
      "a leaf hash is 31 bytes",
      (lines) => {
        lines[lineOf(4)] = JSON.stringify({ seq: 4, leafHash: randomBytes(31).toString("base64") });
        return lines;
      },
      { line: lineOf(4) + 1, what: "leaf hash is not 32 bytes" },
    ],
    [
      "an entry holds a lone surrogate, which has no canonical form",
      (lines) => {
        lines[lineOf(4)] = editJson(lines[lineOf(4)]!, (j) => {
          (j.entry as Record<string, unknown>).payload = "\ud800";
        });
        return lines;
      },
      { line: lineOf(4) + 1, what: "entry cannot be canonicalized" },
    ],
  ];

  it.each(lineCases)("names the line when %s", async (_name, f, expected) => {
    const report = await mutate("operator", f);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining(expected));
  });

  it("names the first line after the trailer and reads no further", async () => {
    const lines = readLines(files.operator);
    const report = await verifyLines([...lines, lines[lineOf(2)]!, "not JSON either"]);
    expect(report.problems).toEqual([{ line: lines.length + 1, what: "content after the trailer" }]);
  });

  it("takes the workers' verdicts in file order across many batches", async () => {
    // Past a few batches of lines, so that answers can come back from the workers out of order.
    const big = await smallDispute(tempDb(), { extra: 700 });
    try {
      const file = join(dir, "big.jsonl");
      const out = createWriteStream(file);
      await writeExport(big.app, SLUG, OPERATOR, out);
      out.end();
      await finished(out);
      const lines = readLines(file);
      expect(lines.length).toBeGreaterThan(700);
      const good = await verifyLines(lines);
      expect(good.problems).toEqual([]);
      expect(good.full).toBe(lines.length - 2);
      // Damage one signature late in the file: the report names that line, and the root (its
      // leaf hash covers the signature) no longer matches the checkpoint.
      const late = lines.length - 40;
      lines[late] = editJson(lines[late]!, (j) => {
        const sig = Buffer.from(j.signature as string, "base64");
        sig[0]! ^= 0x01;
        j.signature = sig.toString("base64");
      });
      const bad = await verifyLines(lines);
      expect(bad.problems).toEqual([
        { line: late + 1, seq: late - 1, what: "signature does not verify" },
        { line: 1, what: "the root recomputed from the file differs from the signed checkpoint" },
      ]);
    } finally {
      await big.app.close();
    }
  });
});

describe("witnesses' cosignatures in an export", () => {
  /** Both witnesses, in the order the export lists them (by organization id). */
  const WITNESSES = ["daily-press", "wga-west"] as const;
  const cosigned = { operator: "", public: "" };
  let size: number;
  let plainNote: string;
  const lines: Record<string, string> = {};

  const keyOf = async (org: string) =>
    app.db
      .selectFrom("signing_keys")
      .select(["key_id", "public_key"])
      .where("org_id", "=", org)
      .executeTakeFirstOrThrow();

  const editHeader = (f: (h: Record<string, unknown>) => void) => (all: string[]) => {
    const h = JSON.parse(all[0]!);
    f(h);
    all[0] = JSON.stringify(h);
    return all;
  };

  /** A signature line under `name` by `key`, over the body of `note`. */
  const signAs = (name: string, key: { privateKey: KeyObject; publicRaw: Buffer }, note: string) =>
    signatureLine(parseCheckpoint(note).body, { name, privateKey: key.privateKey, publicRaw: key.publicRaw });

  const mutate = (f: (all: string[]) => string[]) => verifyLines(f(readLines(cosigned.operator)));
  const whats = (report: { problems: { what: string }[] }) => report.problems.map((p) => p.what);

  /** The witness line of `org` in the header's note, replaced by what `f` makes of it ("": removed). */
  const editLine = (org: string, f: (line: string) => string) =>
    editHeader((h) => {
      const note = h.checkpoint as string;
      const line = lines[org]!;
      expect(note).toContain(`${line}\n`);
      const edited = f(line);
      expect(edited).not.toBe(line);
      h.checkpoint = note.replace(`${line}\n`, edited === "" ? "" : `${edited}\n`);
    });

  beforeAll(async () => {
    // wga-west first: the export's order must be the organizations', not that of arrival.
    for (const org of [...WITNESSES].reverse()) {
      const c = await cosignCheckpoint(app, SLUG, org);
      lines[org] = c.line;
      size = c.size;
    }
    plainNote = (await app.latestCheckpoint(SLUG))!.note;
    // wga-west's line over the first checkpoint, as if it had cosigned that one too.
    const first = await app.db
      .selectFrom("checkpoints")
      .select(["size", "note"])
      .orderBy("size")
      .executeTakeFirstOrThrow();
    expect(first.size).toBeLessThan(size);
    lines.older = signAs("wga-west", app.keys.require("wga-west"), first.note);
    cosigned.operator = join(dir, "cosigned-operator.jsonl");
    cosigned.public = join(dir, "cosigned-public.jsonl");
    await exportTo(cosigned.operator, OPERATOR);
    await exportTo(cosigned.public, PUBLIC);
  });

  it("carries the log's note with each witness's line after it, in organization order, and the witnesses' keys", async () => {
    const header = JSON.parse(readLines(cosigned.operator)[0]!);
    expect(header.version).toBe(2);
    expect(header.checkpoint).toBe(`${plainNote}${lines["daily-press"]}\n${lines["wga-west"]}\n`);
    const expected = [];
    for (const org of WITNESSES) {
      const k = await keyOf(org);
      expected.push({ keyId: k.key_id, org, publicKey: Buffer.from(k.public_key).toString("base64") });
    }
    expect(header.witnesses).toEqual(expected);
    // `keys` stays the signers of entries: the press signs entries here, and is listed once there.
    expect(header.keys.filter((k: { org: string }) => k.org === "daily-press")).toHaveLength(1);
    // The note verifies under each witness's key alone, as any C2SP verifier would check it.
    for (const w of expected) {
      const verifier = { name: w.org, publicRaw: Buffer.from(w.publicKey, "base64") };
      expect(verifyCheckpoint(header.checkpoint, verifier).size).toBe(size);
    }
  });

  it.each(["operator", "public"] as const)(
    "a %s export verifies and reports both witnesses",
    async (which) => {
      const report = await verifyExport(fileLines(cosigned[which]));
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.size).toBe(size);
      const ids = await Promise.all(WITNESSES.map(async (org) => (await keyOf(org)).key_id));
      expect(report.witnesses).toEqual(WITNESSES.map((org, i) => ({ org, keyId: ids[i], ok: true })));
      expect(report.unverifiedSignatures).toEqual([]);
    },
  );

  it("an export of a checkpoint nobody cosigned states an empty list, and verifies", async () => {
    const header = JSON.parse(readLines(files.operator)[0]!);
    expect(header).toMatchObject({ version: 2, witnesses: [] });
    const report = await verifyExport(fileLines(files.operator));
    expect(report.ok).toBe(true);
    expect(report.witnesses).toEqual([]);
  });

  it("a version-1 export, made before witnesses, still verifies; a version-1 header may not list witnesses", async () => {
    const v1 = editHeader((h) => {
      h.version = 1;
      delete h.witnesses;
    });
    const old = await verifyLines(v1(readLines(files.operator)));
    expect(old.problems).toEqual([]);
    expect(old.ok).toBe(true);
    expect(old.witnesses).toEqual([]);
    const mixed = await verifyLines(editHeader((h) => (h.version = 1))(readLines(cosigned.operator)));
    expect(mixed.ok).toBe(false);
    expect(whats(mixed)[0]).toMatch(/^not a Parley export header/);
    const future = await verifyLines(editHeader((h) => (h.version = 3))(readLines(files.operator)));
    expect(future.ok).toBe(false);
  });

  it("a version-1 header over a cosigned note: the lines are carried but unverified, and the file verifies", async () => {
    const report = await mutate(
      editHeader((h) => {
        h.version = 1;
        delete h.witnesses;
      }),
    );
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.witnesses).toEqual([]);
    expect(report.unverifiedSignatures.map((s) => s.name)).toEqual([...WITNESSES]);
  });

  it("a line from a key the file does not list is reported as unverified, not as a problem", async () => {
    const stranger = generateSigningKey();
    const line = signAs("stranger", stranger, plainNote);
    const report = await mutate(editHeader((h) => (h.checkpoint = `${h.checkpoint as string}${line}\n`)));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.unverifiedSignatures).toEqual([
      { name: "stranger", keyHash: keyHash("stranger", stranger.publicRaw).toString("hex") },
    ]);
    expect(report.witnesses.every((w) => w.ok)).toBe(true);
  });

  const flipSignature = (line: string) => {
    const [dash, name, blob] = line.split(" ") as [string, string, string];
    const bytes = Buffer.from(blob, "base64");
    bytes[20]! ^= 0x01; // past the 4-byte key hash: the line still claims wga-west's key
    return `${dash} ${name} ${bytes.toString("base64")}`;
  };

  const swapKey = (withId: boolean) =>
    editHeader((h) => {
      const w = (h.witnesses as { keyId: string; org: string; publicKey: string }[]).find(
        (k) => k.org === "wga-west",
      )!;
      const other = generateSigningKey().publicRaw;
      w.publicKey = other.toString("base64");
      if (withId) w.keyId = keyIdOf(other);
    });

  const cases: [string, (all: string[]) => string[], RegExp][] = [
    [
      "a byte of a witness's signature flipped",
      editLine("wga-west", flipSignature),
      /^witness wga-west's cosignature \(key ed25519:\S+\) does not verify$/,
    ],
    [
      "a witness's public key swapped, its key id left",
      swapKey(false),
      /^witness wga-west's key ed25519:\S+ does not match its public key$/,
    ],
    [
      "a witness's public key and key id swapped together",
      swapKey(true),
      /^a cosignature names witness wga-west but its key hash [0-9a-f]{8} is not that of the key listed for wga-west$/,
    ],
    [
      "a witness's line replaced by one another organization signed under its name",
      editLine("wga-west", () => signAs("wga-west", app.keys.require("amptp"), plainNote)),
      /^a cosignature names witness wga-west but its key hash/,
    ],
    [
      "a witness's line taken from its cosignature of another checkpoint",
      editLine("wga-west", () => lines.older!),
      /^witness wga-west's cosignature \(key ed25519:\S+\) does not verify$/,
    ],
    [
      "a listed witness's line removed",
      editLine("wga-west", () => ""),
      /^witness wga-west is listed but the checkpoint carries no cosignature from its key ed25519:\S+$/,
    ],
  ];

  it.each(cases)("fails when %s, naming the witness", async (_name, f, what) => {
    const report = await mutate(f);
    expect(report.ok).toBe(false);
    expect(whats(report)).toContainEqual(expect.stringMatching(what));
    // The other witness is untouched by every case, and still verifies.
    expect(report.witnesses.find((w) => w.org === "daily-press")?.ok).toBe(true);
    expect(report.witnesses.find((w) => w.org === "wga-west")?.ok).toBe(false);
  });

  it("imports into a store holding the keys with the log's own note, so the import verifies", async () => {
    const target = tempDb();
    shareKeys(dbPath, target);
    const second = await Parley.open(target, { clock: CLOCK });
    try {
      await importExport(second, cosigned.operator);
      const stored = (await second.latestCheckpoint(SLUG))!;
      expect(stored.note).toBe(plainNote);
      const report = await verifyStore(second);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await second.close();
    }
  });
});

describe("importExport", () => {
  async function disputeRows(path: string) {
    const other = await Parley.open(path, { clock: CLOCK });
    try {
      return await other.db.selectFrom("disputes").select("slug").execute();
    } finally {
      await other.close();
    }
  }

  it("loads an operator export into a store sharing the keys: it verifies, with the same root and status", async () => {
    const target = tempDb();
    shareKeys(dbPath, target);
    const second = await Parley.open(target, { clock: CLOCK });
    try {
      const r = await importExport(second, files.operator);
      expect(r.dispute).toBe(SLUG);
      const report = await verifyStore(second);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      const mine = (await app.latestCheckpoint(SLUG))!;
      const theirs = (await second.latestCheckpoint(SLUG))!;
      expect(r.entries).toBe(mine.size);
      expect(theirs.size).toBe(mine.size);
      expect(Buffer.from(theirs.root).equals(Buffer.from(mine.root))).toBe(true);
      for (const viewer of [PUBLIC, OPERATOR, AMPTP_NEGOTIATOR]) {
        expect(JSON.stringify(await second.status(SLUG, viewer))).toBe(
          JSON.stringify(await app.status(SLUG, viewer)),
        );
      }
      // Importing the same file again is refused.
      expect((await errorOf(importExport(second, files.operator))).code).toBe("DISPUTE_EXISTS");
    } finally {
      await second.close();
    }
  });

  it("refuses to import a dispute into the store it came from: DISPUTE_EXISTS", async () => {
    expect((await errorOf(importExport(app, files.operator))).code).toBe("DISPUTE_EXISTS");
  });

  it("refuses a public export, which holds hashes only for hidden entries: IMPORT_INCOMPLETE", async () => {
    const target = tempDb();
    shareKeys(dbPath, target);
    const second = await Parley.open(target, { clock: CLOCK });
    try {
      expect((await errorOf(importExport(second, files.public))).code).toBe("IMPORT_INCOMPLETE");
    } finally {
      await second.close();
    }
    expect(await disputeRows(target)).toEqual([]);
  });

  it("refuses a store that does not hold the signers' keys: KEY_MISSING, nothing written", async () => {
    const target = tempDb();
    const second = await Parley.open(target, { clock: CLOCK });
    try {
      expect((await errorOf(importExport(second, files.operator))).code).toBe("KEY_MISSING");
    } finally {
      await second.close();
    }
    expect(await disputeRows(target)).toEqual([]);
  });

  it("refuses a tampered file: IMPORT_INVALID, nothing written", async () => {
    const lines = readLines(files.operator);
    lines[lineOf(7)] = lines[lineOf(7)]!.replace("hold firm", "give in!!");
    const tampered = join(dir, "tampered.jsonl");
    writeFileSync(tampered, `${lines.join("\n")}\n`);
    const target = tempDb();
    shareKeys(dbPath, target);
    const second = await Parley.open(target, { clock: CLOCK });
    try {
      expect((await errorOf(importExport(second, tampered))).code).toBe("IMPORT_INVALID");
    } finally {
      await second.close();
    }
    expect(await disputeRows(target)).toEqual([]);
  });
});
