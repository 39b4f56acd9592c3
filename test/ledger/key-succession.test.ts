import { describe, expect, it } from "vitest";
import { KeySuccession, older } from "../../src/ledger/key-retirement.ts";

const key = (keyId: string, createdAt: string, retiredAt: string | null = null) => ({
  keyId,
  org: "wga-west",
  createdAt,
  retiredAt,
});
const first = key("k1", "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z");
const second = key("k2", "2026-02-01T00:00:00.000Z");
// Made in the same instant, neither retired: a rotation cut short, which cannot be ordered.
const twinA = key("ta", "2026-03-01T00:00:00.000Z");
const twinB = key("tb", "2026-03-01T00:00:00.000Z");

describe("the order of an organization's keys", () => {
  it("puts a key made earlier first, or one retired while its twin was not, and leaves true twins unordered", () => {
    expect([older(first, second), older(second, first)]).toEqual([true, false]);
    const retiredTwin = { ...twinA, retiredAt: "2026-03-01T00:00:01.000Z" };
    expect([older(retiredTwin, twinB), older(twinB, retiredTwin)]).toEqual([true, false]);
    expect([older(twinA, twinB), older(twinB, twinA)]).toEqual([false, false]);
  });

  it("flags an entry signed with a key after one signed with its successor, once per out-of-turn entry", () => {
    const s = new KeySuccession([first, second, twinA, twinB]);
    expect(s.check("wga-west", "k1", 0)).toBeNull();
    expect(s.check("wga-west", "k1", 1)).toBeNull();
    expect(s.check("wga-west", "k2", 2)).toBeNull();
    expect(s.check("wga-west", "k1", 3)).toEqual({ keyId: "k2", seq: 2 });
    expect(s.check("wga-west", "k2", 4)).toBeNull();
    // Twins may interleave; an unknown key is the signature check's to report.
    expect([
      s.check("wga-west", "ta", 5),
      s.check("wga-west", "tb", 6),
      s.check("wga-west", "ta", 7),
    ]).toEqual([null, null, null]);
    expect(s.check("wga-west", "unknown", 8)).toBeNull();
  });
});
