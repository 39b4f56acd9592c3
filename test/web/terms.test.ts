import { describe, expect, it } from "vitest";
import { formatTerm, termLabel, termsTable } from "../../src/web/terms.ts";

const pass = (seq: number, terms: { key: string; value: string; unit: string; note?: string }[]) => ({
  seq,
  terms,
});

describe("termsTable", () => {
  it("has one row per key in order of first appearance and one column per pass stating figures", () => {
    const a = pass(1, [
      { key: "increase-year-1", value: "6", unit: "%" },
      { key: "increase-year-2", value: "5", unit: "%" },
    ]);
    const none = pass(2, []);
    const b = pass(3, [
      { key: "increase-year-2", value: "3", unit: "%" },
      { key: "compounded", value: "13.02", unit: "%" },
      { key: "increase-year-1", value: "6", unit: "%" },
    ]);
    const t = termsTable([a, none, b]);
    expect(t.keys).toEqual(["increase-year-1", "increase-year-2", "compounded"]);
    expect(t.columns.map((c) => c.seq)).toEqual([1, 3]);
    expect(t.cell(a, "compounded")).toBeUndefined();
    expect(t.cell(b, "compounded")?.value).toBe("13.02");
    // Changed: against the latest earlier pass that stated the key; unchanged and first ones are not.
    expect(t.changed(b, "increase-year-2")).toBe(true);
    expect(t.changed(b, "increase-year-1")).toBe(false);
    expect(t.changed(b, "compounded")).toBe(false);
    expect(t.changed(a, "increase-year-1")).toBe(false);
  });

  it("skips a pass that does not state a key when deciding whether it changed", () => {
    const a = pass(1, [{ key: "k", value: "10", unit: "weeks" }]);
    const b = pass(2, [{ key: "other", value: "1", unit: "x" }]);
    const c = pass(3, [{ key: "k", value: "10", unit: "weeks" }]);
    const d = pass(4, [{ key: "k", value: "10", unit: "consecutive weeks" }]);
    const t = termsTable([a, b, c, d]);
    expect(t.changed(c, "k")).toBe(false);
    expect(t.changed(d, "k")).toBe(true);
  });

  it("keeps the first of a key stated twice in one pass", () => {
    const t = termsTable([
      pass(1, [
        { key: "k", value: "1", unit: "%" },
        { key: "k", value: "2", unit: "%" },
      ]),
    ]);
    expect(t.keys).toEqual(["k"]);
    expect(t.cell(t.columns[0]!, "k")?.value).toBe("1");
  });
});

describe("formatTerm and termLabel", () => {
  it("writes figures with separators, percentages without a space", () => {
    expect(formatTerm("5", "%")).toBe("5%");
    expect(formatTerm("20", "% of domestic subscribers")).toBe("20% of domestic subscribers");
    expect(formatTerm("16415", "USD")).toBe("16,415 USD");
    expect(formatTerm("30000000", "USD")).toBe("30,000,000 USD");
    expect(formatTerm("10", "consecutive weeks")).toBe("10 consecutive weeks");
    expect(formatTerm("3.5", "")).toBe("3.5");
  });

  it("turns a key into a label", () => {
    expect(termLabel("increase-year-1")).toBe("Increase year 1");
    expect(termLabel("room-maximum")).toBe("Room maximum");
  });
});
