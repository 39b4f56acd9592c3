import { describe, expect, it } from "vitest";
import {
  BASE_SCOPE,
  inheritsFrom,
  parseSnapshot,
  sameSnapshot,
  snapshotTexts,
} from "../../src/app/snapshot-text.ts";
import { type DisputeState, initialState } from "../../src/domain/state.ts";

/** An operator's state with some bulk (meetings), as a long ledger's is. */
function operatorState(): DisputeState {
  const s = initialState("d");
  s.entries = 1000;
  s.lastSeq = 999;
  s.notes = 4;
  for (let i = 0; i < 40; i++) {
    s.meetings[`m${i}`] = {
      id: `m${i}`,
      kind: "table",
      status: "held",
      purpose: `session ${i}`,
      requestedBy: "union",
      requestedAt: "2023-05-01T17:00:00.000Z",
      proposedTimes: [],
      with: [],
      start: "2023-05-02T17:00:00.000Z",
      end: "2023-05-02T21:00:00.000Z",
      place: "Sherman Oaks",
      awaiting: null,
      since: null,
      heldAt: "2023-05-02T17:00:00.000Z",
      attendees: 12,
      updatedAt: "2023-05-02T21:00:00.000Z",
    };
  }
  return s;
}

/** A negotiator's state at the same point: the other side's private notes unseen. */
function negotiatorState(): DisputeState {
  const s = operatorState();
  s.entries = 998;
  s.notes = 2;
  return s;
}

describe("snapshotTexts", () => {
  it("writes the base scope whole, exactly as JSON.stringify does", () => {
    const all = operatorState();
    const texts = snapshotTexts(new Map([[BASE_SCOPE, all]]));
    expect(texts.get(BASE_SCOPE)).toBe(JSON.stringify(all));
    expect(inheritsFrom(texts.get(BASE_SCOPE)!)).toBeNull();
  });

  it("writes a mostly equal scope as the fields that differ, which read back as its state", () => {
    const all = operatorState();
    const mine = negotiatorState();
    const texts = snapshotTexts(
      new Map([
        [BASE_SCOPE, all],
        ["negotiator:wga-west:union", mine],
      ]),
    );
    const text = texts.get("negotiator:wga-west:union")!;
    expect(inheritsFrom(text)).toBe(BASE_SCOPE);
    expect(JSON.parse(text)).toEqual({ $inherits: BASE_SCOPE, entries: 998, notes: 2 });
    const read = parseSnapshot(text, texts.get(BASE_SCOPE));
    expect(read).toEqual(mine);
    // Field for field in the state's own order: it prints as the fold did.
    expect(JSON.stringify(read)).toBe(JSON.stringify(mine));
  });

  it("writes a scope whole when its difference would be no smaller than half of it", () => {
    const all = operatorState();
    // The public sees the meetings without their places: the bulk of the state differs.
    const pub = operatorState();
    pub.entries = 900;
    for (const m of Object.values(pub.meetings)) m.place = null;
    const text = snapshotTexts(
      new Map([
        [BASE_SCOPE, all],
        ["public", pub],
      ]),
    ).get("public")!;
    expect(text).toBe(JSON.stringify(pub));
  });

  it("writes every scope whole when the base scope is not among them", () => {
    const mine = negotiatorState();
    const text = snapshotTexts(new Map([["negotiator:wga-west:union", mine]])).get(
      "negotiator:wga-west:union",
    )!;
    expect(text).toBe(JSON.stringify(mine));
  });

  it("writes a state whole when its fields are not the base's (nothing may be inherited by mistake)", () => {
    const all = operatorState();
    const odd = negotiatorState() as unknown as Record<string, unknown>;
    delete odd.published;
    const text = snapshotTexts(
      new Map([
        [BASE_SCOPE, all],
        ["odd", odd as unknown as DisputeState],
      ]),
    ).get("odd")!;
    expect(inheritsFrom(text)).toBeNull();
    expect(JSON.parse(text)).not.toHaveProperty("published");
  });
});

describe("reading stored snapshots", () => {
  const all = operatorState();
  const mine = negotiatorState();
  const texts = snapshotTexts(
    new Map([
      [BASE_SCOPE, all],
      ["n", mine],
    ]),
  );
  const base = texts.get(BASE_SCOPE)!;
  const difference = texts.get("n")!;

  it("refuses to read a difference without its base", () => {
    expect(() => parseSnapshot(difference)).toThrow(/without its base/);
  });

  it("finds a state written whole and the same state written as a difference the same", () => {
    expect(sameSnapshot({ text: JSON.stringify(mine) }, { text: difference, base })).toBe(true);
  });

  it("finds them different when the base they inherit from differs", () => {
    const other = operatorState();
    other.statements.count = 7;
    expect(sameSnapshot({ text: difference, base }, { text: difference, base: JSON.stringify(other) })).toBe(
      false,
    );
  });

  it("finds a difference without its base different from anything, rather than failing", () => {
    expect(sameSnapshot({ text: difference }, { text: JSON.stringify(mine) })).toBe(false);
    expect(sameSnapshot({ text: "not json" }, { text: JSON.stringify(mine) })).toBe(false);
  });
});
