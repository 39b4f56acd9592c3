import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Parley } from "../../src/app/parley.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { OPERATOR, PUBLIC } from "../../src/app/visibility.ts";
import { STAMP_RECHECK_MS } from "../../src/app/writer.ts";
import type { Command } from "../../src/domain/decide.ts";
import { ParleyError } from "../../src/domain/errors.ts";
import { parseCheckpoint, verifyCheckpoint } from "../../src/ledger/checkpoint.ts";
import { ProofError, verifyConsistency, verifyInclusion } from "../../src/ledger/proof.ts";
import { CHECKPOINT_KEY } from "../../src/store/keystore.ts";
import { AMPTP, PRESS, smallDispute, WGA } from "../support/fixture.ts";
import { tableCounts } from "../support/tamper.ts";

const SLUG = "test-2023";

const statement = (text: string, occurredAt = "2023-09-26T17:00:00Z"): Command => ({
  actor: PRESS,
  type: "statement.made",
  occurredAt,
  visibility: "public",
  payload: { by: "daily-press", channel: "other", text },
});

const passOn = (issue: string, actor = WGA): Command => ({
  actor,
  type: "pass.made",
  occurredAt: "2023-09-26T18:00:00Z",
  visibility: "table",
  payload: { kind: "proposal", issues: [{ issue, language: "Something new." }] },
});

async function errorOf(p: Promise<unknown>): Promise<ParleyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ParleyError) return err;
    throw err;
  }
  throw new Error("expected a ParleyError, but the call succeeded");
}

async function leaves(app: Parley) {
  return app.db
    .selectFrom("ledger_entries")
    .select(["seq", "leaf_hash"])
    .where("dispute_id", "=", (await app.disputeRow(SLUG)).id)
    .orderBy("seq")
    .execute();
}

async function checkpoints(app: Parley) {
  return app.db
    .selectFrom("checkpoints")
    .select(["size", "root", "note"])
    .where("dispute_id", "=", (await app.disputeRow(SLUG)).id)
    .orderBy("size")
    .execute();
}

describe("proofs and checkpoints of a small dispute", () => {
  let app: Parley;

  beforeAll(async () => {
    ({ app } = await smallDispute());
    // More checkpoints than the fixture's two: three single appends and a batch of two.
    for (const text of ["one", "two", "three"]) await app.execute(SLUG, statement(text));
    await app.executeBatch(SLUG, [statement("four"), statement("five")]);
  });

  afterAll(async () => {
    await app.close();
  });

  it("stores one checkpoint per write, the latest covering every entry", async () => {
    const cps = await checkpoints(app);
    const rows = await leaves(app);
    expect(cps.map((c) => c.size)).toEqual([1, 17, 18, 19, 20, 22]);
    expect(rows).toHaveLength(22);
    expect((await app.latestCheckpoint(SLUG))?.size).toBe(rows.length);
  });

  it("proves every entry included in the latest checkpoint's tree, from its stored leaf hash", async () => {
    const cp = (await app.latestCheckpoint(SLUG))!;
    const rows = await leaves(app);
    for (const { seq, leaf_hash } of rows) {
      const p = await app.inclusionProof(SLUG, seq);
      expect(p.size).toBe(cp.size);
      expect(() => verifyInclusion(seq, p.size, leaf_hash, p.proof, cp.root)).not.toThrow();
    }
    // The proof is bound to its leaf: another entry's hash does not verify with it.
    const p = await app.inclusionProof(SLUG, 3);
    expect(() => verifyInclusion(3, p.size, rows[4]!.leaf_hash, p.proof, cp.root)).toThrow(ProofError);
  });

  it("proves every entry included in each older checkpoint that covers it", async () => {
    const rows = await leaves(app);
    for (const cp of await checkpoints(app)) {
      for (const { seq, leaf_hash } of rows.slice(0, cp.size)) {
        const p = await app.inclusionProof(SLUG, seq, cp.size);
        expect(() => verifyInclusion(seq, cp.size, leaf_hash, p.proof, cp.root)).not.toThrow();
      }
    }
  });

  it("proves every pair of stored checkpoints consistent", async () => {
    const cps = await checkpoints(app);
    let pairs = 0;
    for (const [i, a] of cps.entries()) {
      for (const b of cps.slice(i)) {
        const p = await app.consistencyProof(SLUG, a.size, b.size);
        expect(() => verifyConsistency(a.size, b.size, p.proof, a.root, b.root)).not.toThrow();
        pairs += 1;
        if (a.size < b.size) {
          // And the proof is bound to the roots: it does not link the older root to a forged one.
          const forged = Buffer.from(b.root);
          forged[0]! ^= 1;
          expect(() => verifyConsistency(a.size, b.size, p.proof, a.root, forged)).toThrow(ProofError);
        }
      }
    }
    expect(pairs).toBe((cps.length * (cps.length + 1)) / 2);
  });

  it("writes checkpoint notes that parse, name the dispute's origin and count its entries", async () => {
    const cp = (await app.latestCheckpoint(SLUG))!;
    const parsed = parseCheckpoint(cp.note);
    expect(parsed.origin).toBe(`${app.host}/${SLUG}`);
    expect((await app.disputeRow(SLUG)).origin).toBe(`${app.host}/${SLUG}`);
    expect(parsed.size).toBe((await leaves(app)).length);
    expect(parsed.root.equals(Buffer.from(cp.root))).toBe(true);
    const key = await app.db
      .selectFrom("signing_keys")
      .select("public_key")
      .where("org_id", "=", CHECKPOINT_KEY)
      .executeTakeFirstOrThrow();
    const verified = verifyCheckpoint(
      cp.note,
      { name: app.host, publicRaw: Buffer.from(key.public_key) },
      { origin: `${app.host}/${SLUG}` },
    );
    expect(verified.size).toBe(cp.size);
  });
});

describe("a failed write writes nothing", () => {
  let app: Parley;
  let dbPath: string;

  beforeAll(async () => {
    ({ app, dbPath } = await smallDispute());
  });

  afterAll(async () => {
    await app.close();
  });

  it("a pass on an unknown issue fails with ISSUE_UNKNOWN and leaves every table as it was", async () => {
    const before = await tableCounts(dbPath);
    const cp = await app.latestCheckpoint(SLUG);
    const err = await errorOf(app.execute(SLUG, passOn("no-such-issue")));
    expect(err.code).toBe("ISSUE_UNKNOWN");
    expect(await tableCounts(dbPath)).toEqual(before);
    expect(await app.latestCheckpoint(SLUG)).toEqual(cp);
  });

  it("a batch whose third command fails writes none of the three", async () => {
    const before = await tableCounts(dbPath);
    const cp = await app.latestCheckpoint(SLUG);
    const err = await errorOf(
      app.executeBatch(SLUG, [statement("BATCH-FIRST"), statement("BATCH-SECOND"), passOn("no-such-issue")]),
    );
    expect(err.code).toBe("ISSUE_UNKNOWN");
    expect(await tableCounts(dbPath)).toEqual(before);
    expect(await app.latestCheckpoint(SLUG)).toEqual(cp);
    const leaked = await app.db
      .selectFrom("ledger_entries")
      .select("seq")
      .where("body", "like", "%BATCH-%")
      .execute();
    expect(leaked).toEqual([]);
  });

  it("forgets what a failed batch decided: an issue opened in it stays unknown", async () => {
    const before = await tableCounts(dbPath);
    const err = await errorOf(
      app.executeBatch(SLUG, [
        {
          actor: WGA,
          type: "issue.opened",
          occurredAt: "2023-09-26T17:00:00Z",
          visibility: "public",
          payload: { issue: "phantom", title: "Never recorded" },
        },
        passOn("phantom"),
        passOn("no-such-issue"),
      ]),
    );
    expect(err.code).toBe("ISSUE_UNKNOWN");
    expect(await tableCounts(dbPath)).toEqual(before);
    // Had the cached state kept the rolled-back issue, this pass would be accepted.
    expect((await errorOf(app.execute(SLUG, passOn("phantom", AMPTP)))).code).toBe("ISSUE_UNKNOWN");
  });

  // A batch this long is signed on worker threads, and on SQLite its first entries are written
  // while it is still deciding the rest: the failure must take those back too.
  it("a batch of 400 whose 300th command fails writes none of them", async () => {
    const before = await tableCounts(dbPath);
    const cp = await app.latestCheckpoint(SLUG);
    const commands = Array.from({ length: 400 }, (_, i) =>
      i === 299 ? passOn("no-such-issue") : statement(`LONG-BATCH-${i}`),
    );
    const err = await errorOf(app.executeBatch(SLUG, commands));
    expect(err.code).toBe("ISSUE_UNKNOWN");
    expect(err.details).toMatchObject({ entry: 299 });
    expect(await tableCounts(dbPath)).toEqual(before);
    expect(await app.latestCheckpoint(SLUG)).toEqual(cp);
  });

  it("appends after failures get the next seq, a new checkpoint, and the store verifies", async () => {
    const size = (await leaves(app)).length;
    const recorded = await app.execute(SLUG, statement("after the failures"));
    expect(recorded.seq).toBe(size);
    const cp = (await app.latestCheckpoint(SLUG))!;
    expect(cp.size).toBe(size + 1);
    const rows = await leaves(app);
    const p = await app.inclusionProof(SLUG, recorded.seq);
    expect(() =>
      verifyInclusion(recorded.seq, cp.size, rows[recorded.seq]!.leaf_hash, p.proof, cp.root),
    ).not.toThrow();
    const report = await verifyStore(app);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // And a second append still extends the same tree.
    const next = await app.execute(SLUG, passOn("wages", AMPTP));
    expect(next.seq).toBe(size + 1);
    expect((await verifyStore(app)).ok).toBe(true);
  });
});

describe("a batch signed on worker threads and here", () => {
  let app: Parley;

  beforeAll(async () => {
    ({ app } = await smallDispute());
  });

  afterAll(async () => {
    await app.close();
  });

  it("records 1,000 entries by three authors under one checkpoint, each signed by its author", async () => {
    const size = (await leaves(app)).length;
    const checkpointsBefore = (await checkpoints(app)).length;
    const authors = [WGA, AMPTP, PRESS];
    const commands = Array.from({ length: 1000 }, (_, i) =>
      i % 3 === 2 ? statement(`batch ${i}`) : passOn("wages", authors[i % 3]),
    );
    const recorded = await app.executeBatch(SLUG, commands);
    expect(recorded.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => size + i));
    expect((await checkpoints(app)).length).toBe(checkpointsBefore + 1);
    expect((await app.latestCheckpoint(SLUG))!.size).toBe(size + 1000);
    const rows = await app.db
      .selectFrom("ledger_entries")
      .select(["seq", "org_id"])
      .where("dispute_id", "=", (await app.disputeRow(SLUG)).id)
      .where("seq", ">=", size)
      .orderBy("seq")
      .execute();
    expect(rows.map((r) => r.org_id)).toEqual(commands.map((c) => c.actor.org));
    // verify checks every signature against its author's key, every leaf and node hash.
    const report = await verifyStore(app);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

describe("back-filled history", () => {
  let app: Parley;
  let dbPath: string;
  let now = new Date("2026-01-01T00:00:00Z");
  const LATER = "Said in October";
  const BACKFILLED = "Said in April, recorded last";

  beforeAll(async () => {
    const built = await smallDispute();
    dbPath = built.dbPath;
    await built.app.close();
    app = await Parley.open(dbPath, { clock: () => now });
    now = new Date("2026-01-10T00:00:00Z");
    await app.execute(SLUG, statement(LATER, "2023-10-01T17:00:00Z"));
    now = new Date("2026-02-01T00:00:00Z");
    await app.execute(SLUG, statement(BACKFILLED, "2023-04-01T17:00:00Z"));
  });

  afterAll(async () => {
    await app.close();
  });

  const texts = async (asOf?: string, recordedBy?: string) =>
    (await app.status(SLUG, PUBLIC, asOf, recordedBy)).statements.recent
      .map((s) => s.text)
      .filter((t) => t === LATER || t === BACKFILLED);

  it("is accepted and appended at the end of the ledger", async () => {
    const rows = await app.db
      .selectFrom("ledger_entries")
      .select(["seq", "occurred_at", "recorded_at"])
      .orderBy("seq", "desc")
      .limit(2)
      .execute();
    expect(rows[0]).toMatchObject({ seq: 18, occurred_at: "2023-04-01T17:00:00.000Z" });
    expect(rows[0]!.recorded_at).toBe("2026-02-01T00:00:00.000Z");
    expect(rows[1]).toMatchObject({ seq: 17, occurred_at: "2023-10-01T17:00:00.000Z" });
  });

  it("keeps the store verifiable", async () => {
    const report = await verifyStore(app);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("shows in the timeline as of its occurrence, in occurrence order", async () => {
    expect(await texts("2023-03-31")).toEqual([]);
    expect(await texts("2023-04-02")).toEqual([BACKFILLED]);
    expect(await texts("2023-10-02")).toEqual([BACKFILLED, LATER]);
    expect(await texts()).toEqual([BACKFILLED, LATER]);
  });

  it("is absent from the audit view as recorded before it was appended", async () => {
    expect(await texts("2023-10-02", "2026-01-15T00:00:00Z")).toEqual([LATER]);
    expect(await texts("2023-10-02", "2026-01-05T00:00:00Z")).toEqual([]);
    expect(await texts("2023-10-02", "2026-02-02T00:00:00Z")).toEqual([BACKFILLED, LATER]);
    const before = await app.status(SLUG, OPERATOR, "2023-10-02", "2026-01-15T00:00:00Z");
    const after = await app.status(SLUG, OPERATOR, "2023-10-02", "2026-02-02T00:00:00Z");
    expect(after.statements.count).toBe(before.statements.count + 1);
  });

  it("reads the same from the live cache as from a freshly opened store", async () => {
    const fresh = await Parley.open(dbPath, { clock: () => now });
    try {
      for (const viewer of [PUBLIC, OPERATOR]) {
        expect(await fresh.status(SLUG, viewer)).toEqual(await app.status(SLUG, viewer));
      }
    } finally {
      await fresh.close();
    }
  });
});

describe("two writers on one database file", () => {
  it("each sees the other's appends: sequence numbers, tree and checkpoints stay one chain", async () => {
    const built = await smallDispute();
    const other = await Parley.open(built.dbPath, { clock: () => new Date("2026-01-02T00:00:00Z") });
    try {
      const first = await built.app.execute(SLUG, statement("From the first writer"));
      // The first writer keeps its head cached; the second appends behind its back.
      const second = await other.execute(SLUG, statement("From the second writer"));
      const third = await built.app.execute(SLUG, statement("From the first writer again"));
      expect([second.seq, third.seq]).toEqual([first.seq + 1, first.seq + 2]);
      const report = await verifyStore(built.app);
      expect(report.problems).toEqual([]);
      const texts = (await built.app.status(SLUG, PUBLIC)).statements.recent.map((s) => s.text);
      expect(texts).toEqual(
        expect.arrayContaining([
          "From the first writer",
          "From the second writer",
          "From the first writer again",
        ]),
      );
    } finally {
      await other.close();
      await built.app.close();
    }
  });
});

describe("the status cache", () => {
  it("serves a repeated read from the cache, and forgets it at a commit here at once, in another process soon after", async () => {
    const built = await smallDispute();
    const app = built.app;
    try {
      const first = await app.status(SLUG, PUBLIC, "2023-09-30");
      expect(await app.status(SLUG, PUBLIC, "2023-09-30")).toBe(first);
      await app.execute(SLUG, statement("Said after the first read"));
      const second = await app.status(SLUG, PUBLIC, "2023-09-30");
      expect(second).not.toBe(first);
      expect(second.statements.count).toBe(first.statements.count + 1);
      const other = await Parley.open(built.dbPath);
      await other.execute(SLUG, statement("Said by another process"));
      await other.close();
      // Another process's commit is noticed within STAMP_RECHECK_MS, not necessarily at once.
      await new Promise((resolve) => setTimeout(resolve, 2 * STAMP_RECHECK_MS));
      const third = await app.status(SLUG, PUBLIC, "2023-09-30");
      expect(third.statements.count).toBe(second.statements.count + 1);
    } finally {
      await app.close();
    }
  });
});

describe("group commit", () => {
  it("answers concurrent commands each on its own, sharing commits and checkpoints", async () => {
    const built = await smallDispute();
    const app = built.app;
    try {
      const before = (await app.latestCheckpoint(SLUG))!.size;
      const checkpointsBefore = (await tableCounts(built.dbPath)).checkpoints!;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          // Every fifth is a pass on an issue that does not exist: refused alone.
          app.execute(SLUG, i % 5 === 4 ? passOn("no-such-issue") : statement(`Concurrent ${i}`)),
        ),
      );
      const refused = outcomes.filter((o) => o.status === "rejected");
      expect(refused).toHaveLength(4);
      for (const r of refused)
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "ISSUE_UNKNOWN" });
      const seqs = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value.seq] : []));
      expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => before + i));
      expect((await app.latestCheckpoint(SLUG))!.size).toBe(before + 16);
      const checkpoints = (await tableCounts(built.dbPath)).checkpoints! - checkpointsBefore;
      expect(checkpoints).toBeGreaterThanOrEqual(1);
      expect(checkpoints).toBeLessThan(16);
      expect((await verifyStore(app)).problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("opening a dispute that fails", () => {
  it("leaves no trace: the same slug can be opened afterwards", async () => {
    const built = await smallDispute();
    const app = built.app;
    try {
      const opening = (payload: unknown) =>
        app.openDispute("second-try", WGA, {
          occurredAt: "2024-01-01T00:00:00Z",
          visibility: "public",
          payload,
        });
      await expect(opening({ title: "No sides" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
      const opened = await opening({
        title: "Second try",
        timeZone: "UTC",
        agreement: { name: "X", expiresAt: null },
        sides: [
          { id: "a", name: "A", shortName: "A" },
          { id: "b", name: "B", shortName: "B" },
        ],
      });
      expect(opened.seq).toBe(0);
      expect((await app.status("second-try", PUBLIC)).title).toBe("Second try");
      expect((await verifyStore(app)).problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
