import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Parley } from "../../src/app/parley.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import type { Command } from "../../src/domain/decide.ts";
import { AMPTP, SMALL_DISPUTE_VIEWERS, smallDispute, VISIBILITIES, WGA } from "../support/fixture.ts";

/**
 * Entries recorded out of occurrence order, shallow (a request racing another by a minute)
 * and deep (history typed in months later), singly and in batches: the writer's in-memory
 * states must end exactly where a fresh fold of the stored ledger does, for every viewer,
 * now and as of earlier days, and the store (snapshots included) must still verify.
 */
const SLUG = "test-2023";
const VIEWERS = SMALL_DISPUTE_VIEWERS;

function command(i: number, minute: number): Command {
  const actor = i % 3 === 0 ? AMPTP : WGA;
  const occurredAt = new Date(Date.UTC(2023, 10, 1) + minute * 60_000).toISOString();
  if (i % 5 === 4) {
    return {
      actor,
      type: "pass.made",
      occurredAt,
      visibility: "table",
      payload: {
        kind: "counterproposal",
        issues: [{ issue: "wages", language: `Minimums up ${i} percent.` }],
      },
    };
  }
  return {
    actor,
    type: "statement.made",
    occurredAt,
    visibility: VISIBILITIES[i % VISIBILITIES.length]!,
    payload: { by: actor.org, channel: "other", text: `Statement ${i}` },
  };
}

describe("back-filled entries and the writer's in-memory states", () => {
  let app: Parley;
  let dbPath: string;

  beforeAll(async () => {
    const built = await smallDispute();
    app = built.app;
    dbPath = built.dbPath;
    let i = 0;
    let minute = 0;
    /** The next command, ten minutes after the newest so far, recorded `late` minutes earlier than that. */
    const next = (late = 0) => {
      minute += 10;
      return command(i++, minute - late);
    };
    // In order, in batches, so the head takes marks of its states.
    for (let b = 0; b < 4; b++)
      await app.executeBatch(
        SLUG,
        Array.from({ length: 150 }, () => next()),
      );
    // Singles, every third one a quarter or a whole hour behind the newest; one a day behind;
    // four racing each other; one months back (deeper than the marks reach); more after it.
    for (let k = 0; k < 60; k++) await app.execute(SLUG, next(k % 3 === 1 ? (k % 2 === 0 ? 15 : 60) : 0));
    await app.execute(SLUG, next(24 * 60));
    await Promise.all([0, 1, 2, 3].map((k) => app.execute(SLUG, next(k * 25))));
    await app.execute(SLUG, next(90 * 24 * 60));
    for (let k = 0; k < 20; k++) await app.execute(SLUG, next((k % 2) * 30));
    // A batch mixing both kinds.
    await app.executeBatch(
      SLUG,
      Array.from({ length: 6 }, (_, k) => next(k % 2 === 0 ? 0 : 45)),
    );
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  it("holds, for every viewer, the state a fresh fold of the stored ledger gives, now and as of earlier", async () => {
    const cold = await Parley.open(dbPath);
    try {
      for (const viewer of VIEWERS) {
        const hot = JSON.parse(JSON.stringify(await app.view(SLUG, viewer)));
        expect(hot.entries).toBeGreaterThan(100);
        expect(hot).toEqual(JSON.parse(JSON.stringify(await cold.view(SLUG, viewer))));
        for (const asOf of ["2023-11-02T00:00:00Z", "2023-11-04T12:00:00Z", "2023-11-05T06:00:00Z"]) {
          expect(await app.view(SLUG, viewer, { asOf })).toEqual(await cold.view(SLUG, viewer, { asOf }));
        }
      }
    } finally {
      await cold.close();
    }
  });

  it("leaves a store that verifies, snapshots included", async () => {
    const report = await verifyStore({ db: app.db, path: app.path });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
