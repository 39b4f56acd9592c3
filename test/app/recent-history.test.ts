import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BEGINNING, type Mark, type RecentEntry, RecentHistory } from "../../src/app/recent-history.ts";
import { snapshotTexts } from "../../src/app/snapshot-text.ts";
import { applyResolved, snapshotText } from "../../src/app/views.ts";
import { OPERATOR, PUBLIC, scopeOf, type Viewer } from "../../src/app/visibility.ts";
import type { AnyEntry } from "../../src/domain/entry.ts";
import { type DisputeState, initialState } from "../../src/domain/state.ts";

/**
 * The recent history against the definition it replaces: folding every entry, in occurrence
 * order, for each viewer. Statements keep their order in the state, so any entry folded out
 * of place shows.
 */
const SIDES: Record<string, string> = { union: "u", studios: "e" };
const VIEWERS: { name: string; viewer: Viewer; side: string | null }[] = [
  { name: scopeOf(OPERATOR, null), viewer: OPERATOR, side: null },
  { name: scopeOf(PUBLIC, null), viewer: PUBLIC, side: null },
  ...Object.entries(SIDES).map(([org, side]) => {
    const viewer: Viewer = { kind: "org", org, role: "negotiator" };
    return { name: scopeOf(viewer, side), viewer, side };
  }),
];
const VISIBILITIES = ["public", "members", "table", "private"] as const;

interface Step {
  minute: number;
  org: "union" | "studios";
  visibility: (typeof VISIBILITIES)[number];
  /** Publish an earlier entry (by index among those so far) instead of making a statement. */
  publish: number | null;
}

const steps = fc.array(
  fc.record({
    minute: fc.integer({ min: 0, max: 400 }),
    org: fc.constantFrom("union" as const, "studios" as const),
    visibility: fc.constantFrom(...VISIBILITIES),
    publish: fc.option(fc.nat(), { freq: 6 }),
  }),
  { minLength: 1, maxLength: 120 },
);

function instant(minute: number): string {
  return new Date(Date.UTC(2023, 4, 2) + minute * 60_000).toISOString();
}

function entryOf(step: Step, seq: number, earlier: RecentEntry[]): RecentEntry {
  const base = {
    dispute: "d",
    seq,
    version: 1,
    actor: { org: step.org, user: "x" },
    keyId: "k",
    occurredAt: instant(step.minute),
    recordedAt: instant(1000),
    refs: [],
    nonce: "n",
  };
  const target =
    step.publish === null || earlier.length === 0 ? undefined : earlier[step.publish % earlier.length];
  const entry = (
    target
      ? { ...base, type: "entry.published", visibility: "public", payload: { entry: target.entry.seq } }
      : {
          ...base,
          type: "statement.made",
          visibility: step.visibility,
          payload: { by: step.org, channel: "other", text: `statement ${seq}` },
        }
  ) as AnyEntry;
  return {
    entry,
    authored: { visibility: entry.visibility, org: step.org, side: SIDES[step.org] ?? null },
    published: target ? { authored: target.authored, entry: target.entry } : undefined,
  };
}

function inFoldOrder(all: RecentEntry[]): RecentEntry[] {
  return [...all].sort(
    (a, b) => a.entry.occurredAt.localeCompare(b.entry.occurredAt) || a.entry.seq - b.entry.seq,
  );
}

/** The reference: everything, in fold order, for one viewer. */
function foldAll(all: RecentEntry[], viewer: Viewer, side: string | null, asOf?: string): DisputeState {
  const state = initialState("d");
  for (const r of inFoldOrder(all)) {
    if (asOf !== undefined && r.entry.occurredAt > asOf) break;
    applyResolved(state, viewer, side, r.authored, r.entry, r.published);
  }
  return state;
}

/** What the writer starts from when the store holds no snapshot: the beginning, every entry after it. */
const beginning = (): Mark => ({ at: BEGINNING, states: new Map(), any: snapshotText(initialState("d")) });

describe("the recent history", () => {
  it("rebuilds every viewer's state, now and as of any instant, exactly as a full fold does", () => {
    fc.assert(
      fc.property(
        steps,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        (plan, every, kept) => {
          const history = new RecentHistory(every, kept);
          history.reset(beginning(), []);
          const all: RecentEntry[] = [];
          let restarts = 0;
          for (const [seq, step] of plan.entries()) {
            const recent = entryOf(step, seq, all);
            all.push(recent);
            if (!history.add(recent)) {
              // As the writer does: start again from the store, which holds everything.
              restarts += 1;
              history.reset(beginning(), inFoldOrder(all));
            }
            // The writer marks the states it holds, which are the full folds: when due, and with
            // the snapshots' texts at a snapshot point (here every fifth entry), in order.
            const held = () => new Map(VIEWERS.map((v) => [v.name, foldAll(all, v.viewer, v.side)]));
            const inOrder = inFoldOrder(all).at(-1) === recent;
            if (seq % 5 === 4 && inOrder) history.markWith(() => snapshotTexts(held()));
            else history.markIfDue(held);
            for (const v of VIEWERS) {
              expect(history.state(v.name, v.viewer, v.side)).toEqual(foldAll(all, v.viewer, v.side));
              const asOf = instant(step.minute - 30);
              const then = history.state(v.name, v.viewer, v.side, asOf);
              if (then) expect(then).toEqual(foldAll(all, v.viewer, v.side, asOf));
            }
          }
          expect(restarts).toBeLessThanOrEqual(plan.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("refuses an entry placed before its oldest mark, keeping nothing, so the caller starts again", () => {
    const history = new RecentHistory(1, 2);
    history.reset(beginning(), []);
    const all: RecentEntry[] = [];
    const push = (minute: number) => {
      const r = entryOf({ minute, org: "union", visibility: "public", publish: null }, all.length, all);
      all.push(r);
      return history.add(r);
    };
    const mark = () => history.markIfDue(() => new Map([[VIEWERS[0]!.name, foldAll(all, OPERATOR, null)]]));
    for (const minute of [10, 20, 30]) {
      expect(push(minute)).toBe(true);
      mark();
    }
    // Two marks kept (after minutes 20 and 30): a back-fill to minute 25 is rebuilt from the first.
    expect(history.covers({ occurredAt: instant(25), seq: 99 })).toBe(true);
    expect(push(25)).toBe(true);
    expect(history.state(VIEWERS[0]!.name, OPERATOR, null)).toEqual(foldAll(all, OPERATOR, null));
    expect(history.covers({ occurredAt: instant(15), seq: 99 })).toBe(false);
    expect(push(15)).toBe(false);
    expect(history.state(VIEWERS[0]!.name, OPERATOR, null)).toBeNull();
  });

  it("keeps marks whose scopes inherit from the operator's, and reads them back whole", () => {
    const history = new RecentHistory(1, 2);
    history.reset(beginning(), []);
    const all: RecentEntry[] = [];
    // Public statements around a private note of the union's: the studios' negotiators miss
    // that one entry, so their state is stored as the operator's plus the counts that differ.
    for (const minute of [1, 2, 3]) {
      const r = entryOf({ minute, org: "union", visibility: "public", publish: null }, all.length, all);
      if (minute === 2) {
        r.entry = {
          ...r.entry,
          type: "note.recorded",
          visibility: "private",
          payload: { text: "caucus" },
        } as AnyEntry;
        r.authored = { ...r.authored, visibility: "private" };
      }
      all.push(r);
      expect(history.add(r)).toBe(true);
    }
    const studios = VIEWERS[3]!;
    const texts = snapshotTexts(new Map(VIEWERS.map((v) => [v.name, foldAll(all, v.viewer, v.side)])));
    expect(texts.get(studios.name)).toMatch(/^\{"\$inherits":"all"/);
    history.markWith(() => texts);
    for (const v of VIEWERS)
      expect(history.state(v.name, v.viewer, v.side)).toEqual(foldAll(all, v.viewer, v.side));
  });

  it("has nothing for a scope no mark holds, and everything from the beginning", () => {
    const history = new RecentHistory(1, 2);
    const r = entryOf({ minute: 1, org: "union", visibility: "public", publish: null }, 0, []);
    history.reset({ at: BEGINNING, states: new Map([["all", snapshotText(initialState("d"))]]) }, [r]);
    expect(history.state("public", PUBLIC, null)).toBeNull();
    expect(history.state("all", OPERATOR, null)?.entries).toBe(1);
    history.reset(beginning(), [r]);
    expect(history.state("public", PUBLIC, null)?.entries).toBe(1);
  });
});
