import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { Parley } from "../../src/app/parley.ts";
import { rebuildProjections } from "../../src/app/rebuild.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { OPERATOR, PUBLIC, type Viewer } from "../../src/app/visibility.ts";
import { canonicalBytes } from "../../src/ledger/jcs.ts";
import { openStore } from "../../src/store/db.ts";
import { cosignCheckpoint, smallDispute } from "../support/fixture.ts";
import { copyStore, problemsAt, type Row, type Sql, tableCounts, tamper } from "../support/tamper.ts";

/**
 * Every kind of direct edit to the store's tables (SQL around Parley, as with the sqlite3 shell
 * or psql) must make `verifyStore` fail and say where. One store is built per file (smallDispute
 * with 1200 filler statements, so snapshots exist) and each case runs on a copy of it, untouched
 * by every other case: on SQLite a byte-for-byte copy of the file, on PostgreSQL a schema of its
 * own with every row copied.
 */
const SLUG = "test-2023";
const CLOCK = () => new Date("2026-01-01T00:00:00Z");
/** Seq 7 is the WGA's private caucus note; seq 17 on are filler statements; 1216 is the last. */
const PRIVATE_NOTE = 7;
const LAST = 1216;
const SIZE = LAST + 1;

type Db = Sql;

let template: string;

/** The two checkpoints of the store: 1 (the dispute opened) and SIZE (the batch appended). */
const FIRST_CHECKPOINT = 1;
/** Witnesses: both cosign the latest checkpoint, the press also the first. */
const WITNESSES = ["daily-press", "wga-west"];

beforeAll(async () => {
  const { app, dbPath } = await smallDispute(undefined, { extra: 1200 });
  // wga-west first, so the store's order of arrival is not the order checked for below.
  for (const org of [...WITNESSES].reverse())
    expect((await cosignCheckpoint(app, SLUG, org)).size).toBe(SIZE);
  await cosignCheckpoint(app, SLUG, "daily-press", FIRST_CHECKPOINT);
  await app.close();
  template = dbPath;
});

/** A fresh copy of the store, with its snapshots checked present, tampered by `edit`. */
async function freshCopy(
  edit?: (db: Db) => Promise<void>,
  opts: { foreignKeys?: boolean } = {},
): Promise<string> {
  const path = await copyStore(template);
  const counts = await tableCounts(path);
  expect(counts.proj_snapshots).toBeGreaterThan(0);
  expect(counts.ledger_entries).toBe(SIZE);
  expect(counts.cosignatures).toBe(3);
  if (edit) await tamper(path, edit, opts);
  return path;
}

async function verifyAt(path: string) {
  const store = await openStore(path);
  try {
    return await verifyStore(store);
  } finally {
    await store.close();
  }
}

const entry = async (db: Db, seq: number) =>
  (await db.get("SELECT * FROM ledger_entries WHERE dispute_id = 1 AND seq = ?", seq)) as Row & {
    body: string;
    signature: Buffer;
    leaf_hash: Buffer;
  };

const flipped = (bytes: Uint8Array, at = 0): Buffer => {
  const b = Buffer.from(bytes);
  b[at]! ^= 0x01;
  return b;
};

async function insertRow(db: Db, table: string, row: Row): Promise<void> {
  const cols = Object.keys(row);
  await db.run(
    `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
    ...Object.values(row),
  );
}

/** The entry whose append completed tree node (level, idx): its last leaf. */
const completedAt = (level: number, idx: number) => (idx + 1) * 2 ** level - 1;

interface Case {
  name: string;
  table: string;
  /** The seq a problem must name, where one applies (for cosignatures: the checkpoint's size). */
  seq?: number;
  /** Words one of those problems must say, where the table and seq alone say too little. */
  says?: string;
  /** false: edit without foreign keys, as the sqlite3 shell does (and a superuser in psql can). */
  foreignKeys?: boolean;
  edit: (db: Db) => Promise<void>;
}

const cosignature = async (db: Db, org: string, size: number) =>
  (await db.get("SELECT * FROM cosignatures WHERE dispute_id = 1 AND org_id = ? AND size = ?", org, size)) as
    | (Row & { line: string; key_id: string })
    | undefined;

const cases: Case[] = [
  // ---- ledger_entries ----
  {
    name: "ledger_entries: a word of an entry's body is replaced",
    table: "ledger_entries",
    seq: PRIVATE_NOTE,
    edit: async (db) => {
      const { body } = await entry(db, PRIVATE_NOTE);
      expect(body).toContain("hold firm");
      await db.run(
        "UPDATE ledger_entries SET body = ? WHERE seq = ?",
        body.replace("hold firm", "give in"),
        PRIVATE_NOTE,
      );
    },
  },
  {
    name: "ledger_entries: a private entry's visibility column is set to public",
    table: "ledger_entries",
    seq: PRIVATE_NOTE,
    edit: async (db) => {
      expect((await entry(db, PRIVATE_NOTE)).visibility).toBe("private");
      await db.run("UPDATE ledger_entries SET visibility = 'public' WHERE seq = ?", PRIVATE_NOTE);
    },
  },
  {
    name: "ledger_entries: a signature is altered",
    table: "ledger_entries",
    seq: 300,
    edit: async (db) => {
      const sig = flipped((await entry(db, 300)).signature, 10);
      await db.run("UPDATE ledger_entries SET signature = ? WHERE seq = 300", sig);
    },
  },
  {
    name: "ledger_entries: a leaf hash is altered",
    table: "ledger_entries",
    seq: 301,
    edit: async (db) => {
      const leaf = flipped((await entry(db, 301)).leaf_hash, 31);
      await db.run("UPDATE ledger_entries SET leaf_hash = ? WHERE seq = 301", leaf);
    },
  },
  {
    name: "ledger_entries: an entry row is deleted",
    table: "ledger_entries",
    seq: 500,
    edit: async (db) => {
      expect(await db.run("DELETE FROM ledger_entries WHERE seq = 500")).toBe(1);
    },
  },
  {
    name: "ledger_entries: the bodies of two entries are swapped",
    table: "ledger_entries",
    seq: PRIVATE_NOTE,
    edit: async (db) => {
      const a = await entry(db, PRIVATE_NOTE);
      const b = await entry(db, PRIVATE_NOTE + 1);
      const set = "UPDATE ledger_entries SET body = ? WHERE seq = ?";
      await db.run(set, b.body, PRIVATE_NOTE);
      await db.run(set, a.body, PRIVATE_NOTE + 1);
    },
  },
  {
    name: "ledger_entries: two whole rows are swapped (the entries reordered)",
    table: "ledger_entries",
    seq: 40,
    edit: async (db) => {
      const a = await entry(db, 40);
      const b = await entry(db, 41);
      await db.run("DELETE FROM ledger_entries WHERE seq IN (40, 41)");
      await insertRow(db, "ledger_entries", { ...a, seq: 41 });
      await insertRow(db, "ledger_entries", { ...b, seq: 40 });
    },
  },
  {
    name: "ledger_entries: an extra row is inserted (a copy of the last with seq + 1)",
    table: "ledger_entries",
    seq: SIZE,
    edit: async (db) => insertRow(db, "ledger_entries", { ...(await entry(db, LAST)), seq: SIZE }),
  },
  {
    name: "ledger_entries: an extra row is inserted before the first (seq -1)",
    table: "ledger_entries",
    seq: -1,
    edit: async (db) => insertRow(db, "ledger_entries", { ...(await entry(db, 0)), seq: -1 }),
  },
  // ---- tree_nodes ----
  {
    name: "tree_nodes: a node hash is altered",
    table: "tree_nodes",
    seq: completedAt(3, 5),
    edit: async (db) => {
      const { hash } = (await db.get<{ hash: Buffer }>(
        "SELECT hash FROM tree_nodes WHERE level = 3 AND idx = 5",
      ))!;
      await db.run("UPDATE tree_nodes SET hash = ? WHERE level = 3 AND idx = 5", flipped(hash));
    },
  },
  {
    name: "tree_nodes: a node is deleted",
    table: "tree_nodes",
    seq: completedAt(1, 100),
    edit: async (db) => {
      expect(await db.run("DELETE FROM tree_nodes WHERE level = 1 AND idx = 100")).toBe(1);
    },
  },
  {
    name: "tree_nodes: a node is inserted (the next one at level 1, which no leaf completes)",
    table: "tree_nodes",
    edit: async (db) => {
      const idx = Math.floor(SIZE / 2);
      await insertRow(db, "tree_nodes", {
        dispute_id: 1,
        level: 1,
        idx,
        hash: createHash("sha256").update("forged").digest(),
      });
    },
  },
  // ---- checkpoints ----
  {
    name: "checkpoints: the latest checkpoint's root column is altered",
    table: "checkpoints",
    seq: SIZE,
    edit: async (db) => {
      const { root } = (await db.get<{ root: Buffer }>("SELECT root FROM checkpoints WHERE size = ?", SIZE))!;
      await db.run("UPDATE checkpoints SET root = ? WHERE size = ?", flipped(root), SIZE);
    },
  },
  {
    name: "checkpoints: the note's origin line is altered",
    table: "checkpoints",
    seq: SIZE,
    edit: async (db) => {
      const { note } = (await db.get<{ note: string }>("SELECT note FROM checkpoints WHERE size = ?", SIZE))!;
      expect(note).toContain(`/${SLUG}\n`);
      await db.run(
        "UPDATE checkpoints SET note = ? WHERE size = ?",
        note.replace(`/${SLUG}\n`, "/test-2024\n"),
        SIZE,
      );
    },
  },
  {
    name: "checkpoints: the note's signature is altered",
    table: "checkpoints",
    seq: SIZE,
    edit: async (db) => {
      const { note } = (await db.get<{ note: string }>("SELECT note FROM checkpoints WHERE size = ?", SIZE))!;
      const lines = note.split("\n");
      const i = lines.findIndex((l) => l.startsWith("\u2014 "));
      const [dash, name, blob] = lines[i]!.split(" ") as [string, string, string];
      lines[i] = `${dash} ${name} ${flipped(Buffer.from(blob, "base64"), 20).toString("base64")}`;
      await db.run("UPDATE checkpoints SET note = ? WHERE size = ?", lines.join("\n"), SIZE);
    },
  },
  {
    name: "checkpoints: the latest checkpoint is deleted",
    table: "checkpoints",
    // The newest checkpoint left covers one entry: entries 1.. are uncovered.
    seq: 1,
    // Its cosignatures would hold it in place; the sqlite3 shell does not enforce them.
    foreignKeys: false,
    edit: async (db) => {
      expect(await db.run("DELETE FROM checkpoints WHERE size = ?", SIZE)).toBe(1);
    },
  },
  {
    name: "checkpoints: a checkpoint with a size beyond the ledger is inserted",
    table: "checkpoints",
    seq: 5000,
    edit: async (db) => {
      const cp = (await db.get("SELECT * FROM checkpoints WHERE size = ?", SIZE))!;
      await insertRow(db, "checkpoints", { ...cp, size: 5000 });
    },
  },
  {
    name: "checkpoints: a checkpoint with a size inside the ledger but another tree's note is inserted",
    table: "checkpoints",
    seq: 600,
    edit: async (db) => {
      const cp = (await db.get("SELECT * FROM checkpoints WHERE size = ?", SIZE))!;
      await insertRow(db, "checkpoints", { ...cp, size: 600 });
    },
  },
  // ---- cosignatures ----
  {
    name: "cosignatures: a byte of a witness's signature line is flipped",
    table: "cosignatures",
    seq: SIZE,
    says: `cosignature of checkpoint ${SIZE} by wga-west: the signature does not verify`,
    edit: async (db) => {
      const { line } = (await cosignature(db, "wga-west", SIZE))!;
      const [dash, name, blob] = line.split(" ") as [string, string, string];
      // Past the 4-byte key hash: the line still names wga-west's key, its signature is wrong.
      const forged = `${dash} ${name} ${flipped(Buffer.from(blob, "base64"), 20).toString("base64")}`;
      await db.run("UPDATE cosignatures SET line = ? WHERE org_id = 'wga-west' AND size = ?", forged, SIZE);
    },
  },
  {
    name: "cosignatures: a witness's line is moved to another checkpoint",
    table: "cosignatures",
    seq: FIRST_CHECKPOINT,
    says: "cosignature of checkpoint 1 by wga-west: the signature does not verify",
    edit: async (db) => {
      expect(await cosignature(db, "wga-west", FIRST_CHECKPOINT)).toBeUndefined();
      await db.run(
        "UPDATE cosignatures SET size = ? WHERE org_id = 'wga-west' AND size = ?",
        FIRST_CHECKPOINT,
        SIZE,
      );
    },
  },
  {
    name: "cosignatures: the key id is one no key has",
    table: "cosignatures",
    seq: SIZE,
    says: `cosignature of checkpoint ${SIZE} by daily-press: key ed25519:AAAAAAAAAAAAAAAAAAAAAA is not a registered key`,
    foreignKeys: false,
    edit: async (db) => {
      await db.run(
        "UPDATE cosignatures SET key_id = 'ed25519:AAAAAAAAAAAAAAAAAAAAAA' WHERE org_id = 'daily-press' AND size = ?",
        SIZE,
      );
    },
  },
  {
    name: "cosignatures: the key id is another organization's key",
    table: "cosignatures",
    seq: SIZE,
    says: "is amptp's, not daily-press's",
    edit: async (db) => {
      const { key_id } = (await db.get<{ key_id: string }>(
        "SELECT key_id FROM signing_keys WHERE org_id = 'amptp'",
      ))!;
      await db.run(
        "UPDATE cosignatures SET key_id = ? WHERE org_id = 'daily-press' AND size = ?",
        key_id,
        SIZE,
      );
    },
  },
  {
    name: "cosignatures: a row names a checkpoint that does not exist",
    table: "cosignatures",
    seq: 600,
    says: "there is no checkpoint of size 600",
    foreignKeys: false,
    edit: async (db) => {
      await db.run(
        "UPDATE cosignatures SET size = 600 WHERE org_id = 'daily-press' AND size = ?",
        FIRST_CHECKPOINT,
      );
    },
  },
  // ---- proj_timeline ----
  {
    name: "proj_timeline: a private entry's visibility is set to public",
    table: "proj_timeline",
    seq: PRIVATE_NOTE,
    edit: async (db) => {
      await db.run("UPDATE proj_timeline SET visibility = 'public' WHERE seq = ?", PRIVATE_NOTE);
    },
  },
  {
    name: "proj_timeline: a subject is altered",
    table: "proj_timeline",
    seq: 4,
    edit: async (db) => {
      expect(await db.get("SELECT subject FROM proj_timeline WHERE seq = 4")).toEqual({
        subject: "wages",
      });
      await db.run("UPDATE proj_timeline SET subject = 'ai' WHERE seq = 4");
    },
  },
  {
    name: "proj_timeline: a row in the middle is deleted",
    table: "proj_timeline",
    seq: PRIVATE_NOTE,
    edit: async (db) => {
      expect(await db.run("DELETE FROM proj_timeline WHERE seq = ?", PRIVATE_NOTE)).toBe(1);
    },
  },
  {
    name: "proj_timeline: the last row is deleted",
    table: "proj_timeline",
    seq: LAST,
    edit: async (db) => {
      expect(await db.run("DELETE FROM proj_timeline WHERE seq = ?", LAST)).toBe(1);
    },
  },
  {
    name: "proj_timeline: a row without a ledger entry is inserted after the last",
    table: "proj_timeline",
    seq: SIZE,
    edit: async (db) => {
      const row = (await db.get("SELECT * FROM proj_timeline WHERE seq = ?", LAST))!;
      await insertRow(db, "proj_timeline", { ...row, seq: SIZE });
    },
  },
  {
    name: "proj_timeline: a row without a ledger entry is inserted before the first (seq -1)",
    table: "proj_timeline",
    seq: -1,
    edit: async (db) => {
      const row = (await db.get("SELECT * FROM proj_timeline WHERE seq = 0"))!;
      await insertRow(db, "proj_timeline", { ...row, seq: -1 });
    },
  },
  // ---- proj_snapshots ----
  {
    name: "proj_snapshots: a snapshot's state JSON is altered (still canonical)",
    table: "proj_snapshots",
    seq: 999,
    edit: async (db) => {
      const snap = (await db.get<Row & { state: string; seq: number }>(
        "SELECT * FROM proj_snapshots WHERE scope = 'all'",
      ))!;
      expect(snap.seq).toBe(999);
      const state = JSON.parse(snap.state);
      state.statements.count += 1;
      await db.run(
        "UPDATE proj_snapshots SET state = ? WHERE scope = 'all'",
        canonicalBytes(state).toString("utf8"),
      );
    },
  },
  {
    name: "proj_snapshots: a snapshot stored as a difference from the operator's is altered",
    table: "proj_snapshots",
    seq: 999,
    edit: async (db) => {
      const snap = (await db.get<Row & { scope: string; state: string; seq: number }>(
        `SELECT * FROM proj_snapshots WHERE state LIKE '{"$inherits":%'`,
      ))!;
      expect(snap.seq).toBe(999);
      // A field it inherited is now its own, and says something else.
      const state = JSON.parse(snap.state);
      expect(state.statements).toBeUndefined();
      state.statements = { count: 0, recent: [] };
      await db.run("UPDATE proj_snapshots SET state = ? WHERE scope = ?", JSON.stringify(state), snap.scope);
    },
  },
  {
    name: "proj_snapshots: a snapshot with a bogus scope is inserted",
    table: "proj_snapshots",
    seq: 999,
    edit: async (db) => {
      const snap = (await db.get("SELECT * FROM proj_snapshots WHERE scope = 'all'"))!;
      await insertRow(db, "proj_snapshots", { ...snap, scope: "bogus:scope" });
    },
  },
  {
    name: "proj_snapshots: a snapshot of a real scope at a point no replay snapshots is inserted",
    table: "proj_snapshots",
    seq: 500,
    edit: async (db) => {
      const snap = (await db.get("SELECT * FROM proj_snapshots WHERE scope = 'public'"))!;
      const at = await entry(db, 500);
      await insertRow(db, "proj_snapshots", { ...snap, seq: 500, occurred_at: at.occurred_at });
    },
  },
];

describe("verifyStore on an untouched store", () => {
  it("verifies ok and counts what it checked", async () => {
    const report = await verifyAt(await freshCopy());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.disputes).toHaveLength(1);
    expect(report.disputes[0]).toMatchObject({ slug: SLUG, entries: SIZE, timeline: SIZE });
    expect(report.disputes[0]!.snapshots).toBeGreaterThan(0);
    // Each witness once, at the largest checkpoint it cosigned, in the order of their ids.
    expect(report.disputes[0]).toMatchObject({
      cosignatures: 3,
      witnesses: WITNESSES.map((org) => ({ org, size: SIZE })),
    });
  });
});

describe("verifyStore detects direct edits of the store's tables", () => {
  for (const { name, table, seq, says, foreignKeys, edit } of cases) {
    it(name, async () => {
      const report = await verifyAt(await freshCopy(edit, foreignKeys === undefined ? {} : { foreignKeys }));
      expect(report.ok).toBe(false);
      const here = problemsAt(report, SLUG, table, seq);
      expect(here, JSON.stringify(report.problems.slice(0, 5))).not.toEqual([]);
      if (says) expect(here.map((p) => p.what)).toContainEqual(expect.stringContaining(says));
    });
  }

  it("a witness whose cosignature fails is no longer named as a witness", async () => {
    const report = await verifyAt(
      await freshCopy(async (db) => {
        await db.run(
          "UPDATE cosignatures SET size = ? WHERE org_id = 'wga-west' AND size = ?",
          FIRST_CHECKPOINT,
          SIZE,
        );
      }),
    );
    expect(report.disputes[0]!.witnesses).toEqual([{ org: "daily-press", size: SIZE }]);
  });
});

const VIEWERS: Viewer[] = [
  PUBLIC,
  OPERATOR,
  { kind: "org", org: "amptp", role: "negotiator" },
  { kind: "org", org: "wga-west", role: "member" },
];

async function statuses(path: string): Promise<string[]> {
  const app = await Parley.open(path, { clock: CLOCK });
  try {
    const out: string[] = [];
    for (const v of VIEWERS) out.push(JSON.stringify(await app.status(SLUG, v)));
    return out;
  } finally {
    await app.close();
  }
}

describe("projections are caches of the ledger", () => {
  // Deleting a snapshot is allowed: snapshots are a cache of folds the ledger can always
  // recompute, so a missing one is not tampering and must not change what anyone reads.
  it("deleting a snapshot is allowed: the store still verifies", async () => {
    const path = await freshCopy(async (db) => {
      expect(await db.run("DELETE FROM proj_snapshots WHERE scope = 'public'")).toBe(1);
    });
    const report = await verifyAt(path);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("deleting a snapshot does not change any viewer's status", async () => {
    const path = await freshCopy();
    const before = await statuses(path);
    await tamper(path, async (db) => {
      expect(await db.run("DELETE FROM proj_snapshots WHERE scope = 'public'")).toBe(1);
    });
    expect(await statuses(path)).toEqual(before);
  });

  it("deleting the operator's snapshots, which others inherit from, is allowed too", async () => {
    const path = await freshCopy();
    const before = await statuses(path);
    await tamper(path, async (db) => {
      const inheriting = await db.get<{ n: number }>(
        `SELECT count(*) AS n FROM proj_snapshots WHERE state LIKE '{"$inherits":%'`,
      );
      expect(inheriting!.n).toBeGreaterThan(0);
      expect(await db.run("DELETE FROM proj_snapshots WHERE scope = 'all'")).toBe(1);
    });
    const report = await verifyAt(path);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(await statuses(path)).toEqual(before);
  });

  it("rebuildProjections restores a wiped timeline: verify fails before, is ok after, and status is unchanged", async () => {
    const path = await freshCopy();
    const before = await statuses(path);
    await tamper(path, async (db) => {
      expect(await db.run("DELETE FROM proj_timeline")).toBe(SIZE);
    });
    const broken = await verifyAt(path);
    expect(broken.ok).toBe(false);
    expect(problemsAt(broken, SLUG, "proj_timeline")).not.toEqual([]);

    const store = await openStore(path);
    try {
      const d = await store.db
        .selectFrom("disputes")
        .selectAll()
        .where("slug", "=", SLUG)
        .executeTakeFirstOrThrow();
      const rebuilt = await rebuildProjections(store.db, d.id, SLUG);
      expect(rebuilt.timeline).toBe(SIZE);
    } finally {
      await store.close();
    }
    const report = await verifyAt(path);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(await statuses(path)).toEqual(before);
  });
});
