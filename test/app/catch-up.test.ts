import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Parley } from "../../src/app/parley.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { OPERATOR, type Viewer } from "../../src/app/visibility.ts";
import type { Command } from "../../src/domain/decide.ts";
import { AMPTP, PRESS, SMALL_DISPUTE_VIEWERS, smallDispute, VISIBILITIES, WGA } from "../support/fixture.ts";

/**
 * Two writers on one store, as two processes are: each keeps its own head of the dispute in
 * memory, and each must take in what the other appended (entries in order, slight and deep
 * back-fills, a publication, a party joining) and still hold what a fresh fold of the store
 * gives, for every viewer, and append after it so that the whole still verifies.
 */
const SLUG = "test-2023";
/** With the negotiators of the party that joins midway. */
const VIEWERS: Viewer[] = [...SMALL_DISPUTE_VIEWERS, { kind: "org", org: "sag-aftra", role: "negotiator" }];

let minute = 0;
/** A statement ten minutes after the one before, `late` minutes earlier than that. */
function statement(actor: typeof WGA, late = 0, visibility: string = VISIBILITIES[minute % 4]!): Command {
  minute += 10;
  return {
    actor,
    type: "statement.made",
    occurredAt: new Date(Date.UTC(2023, 10, 1) + (minute - late) * 60_000).toISOString(),
    visibility,
    payload: { by: actor.org, channel: "other", text: `Statement at minute ${minute}` },
  };
}

/** The writer's cached head of the dispute: the same object while it is caught up in place. */
const headOf = (app: Parley) =>
  (app as unknown as { writer: { live: Map<string, unknown> } }).writer.live.get(SLUG);

describe("a head catching up with another writer's appends", () => {
  let here: Parley;
  let there: Parley;
  let location: string;

  async function expectFreshFold() {
    const cold = await Parley.open(location);
    try {
      for (const viewer of VIEWERS) {
        const hot = JSON.parse(JSON.stringify(await here.view(SLUG, viewer)));
        expect(hot).toEqual(JSON.parse(JSON.stringify(await cold.view(SLUG, viewer))));
      }
    } finally {
      await cold.close();
    }
  }

  beforeAll(async () => {
    const built = await smallDispute();
    here = built.app;
    location = built.dbPath;
    there = await Parley.open(location, { clock: () => new Date("2026-01-01T00:00:00Z") });
    await there.registerOrganization({
      id: "sag-aftra",
      name: "SAG-AFTRA",
      shortName: "SAG-AFTRA",
      kind: "union",
    });
    // Enough transactions for the head's recent history to have dropped its first marks, so
    // that a back-fill can reach deeper than it does.
    for (let b = 0; b < 6; b++) {
      await here.executeBatch(
        SLUG,
        Array.from({ length: 130 }, (_, i) => statement(i % 2 ? WGA : AMPTP)),
      );
    }
    await there.view(SLUG, OPERATOR);
  }, 60_000);

  afterAll(async () => {
    await here.close();
    await there.close();
  });

  it("takes in entries appended in order, in place", async () => {
    const head = headOf(here);
    expect(head).toBeDefined();
    for (let i = 0; i < 5; i++) await there.execute(SLUG, statement(i % 2 ? AMPTP : PRESS));
    await there.executeBatch(SLUG, [statement(WGA), statement(AMPTP, 0, "private"), statement(WGA)]);
    await expectFreshFold();
    expect(headOf(here)).toBe(head);
  });

  it("takes in slight back-fills, a publication and a party joining", async () => {
    const head = headOf(here);
    const secret = await there.execute(SLUG, statement(AMPTP, 0, "private"));
    await there.execute(SLUG, statement(WGA, 25));
    await there.execute(SLUG, {
      actor: AMPTP,
      type: "entry.published",
      occurredAt: statement(AMPTP).occurredAt,
      visibility: "public",
      payload: { entry: secret.seq },
    });
    await there.execute(SLUG, {
      actor: { org: "sag-aftra", user: "negotiator-s" },
      type: "party.joined",
      occurredAt: statement(WGA, 40).occurredAt,
      visibility: "public",
      payload: {
        org: { id: "sag-aftra", name: "SAG-AFTRA", shortName: "SAG-AFTRA", kind: "union" },
        side: "wga",
      },
    });
    await there.execute(SLUG, statement({ org: "sag-aftra", user: "negotiator-s" }, 0, "table"));
    await expectFreshFold();
    expect(headOf(here)).toBe(head);
  });

  it("reads its head afresh after a back-fill deeper than its recent history, and stays true", async () => {
    const head = headOf(here);
    await there.execute(SLUG, statement(PRESS, 90 * 24 * 60, "public"));
    await expectFreshFold();
    expect(headOf(here)).not.toBe(head);
  });

  it("appends after what the other wrote, each checkpoint naming the one before, so the store verifies", async () => {
    await there.execute(SLUG, statement(PRESS));
    const mine = await here.execute(SLUG, statement(WGA));
    const theirs = await there.execute(SLUG, statement(AMPTP));
    expect(theirs.seq).toBe(mine.seq + 1);
    await expectFreshFold();
    const report = await verifyStore({ db: here.db, path: here.path });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
