import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Instant, normalInstant } from "../../src/domain/values.ts";

/** The definition normalInstant stands in for: Date.parse rolls impossible dates over, so a real instant reads back unchanged. */
function byDate(s: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(s)) return null;
  const t = Date.parse(s);
  if (!Number.isFinite(t)) return null;
  const iso = new Date(t).toISOString();
  return iso.slice(0, 19) === s.slice(0, 19) ? iso : null;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** Instants in the right shape whose fields run past their ranges: day 31 of April, 24:00, second 60, Feb 29. */
const shapedInstant = fc
  .record({
    year: fc.oneof(fc.integer({ min: 1890, max: 2210 }), fc.constantFrom(1900, 2000, 2100, 2024, 2023)),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.integer({ min: 0, max: 61 }),
    millis: fc.constantFrom("", ".5", ".05", ".123", ".000"),
  })
  .map(
    (f) =>
      `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}T${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${f.millis}Z`,
  );

describe("normalInstant", () => {
  it("agrees with Date.parse on every instant of the right shape, real or not", () => {
    fc.assert(
      fc.property(shapedInstant, (s) => {
        expect(normalInstant(s)).toBe(byDate(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it("agrees with Date.parse on instants with one character changed, added or removed", () => {
    const edit = fc.record({
      at: fc.nat(),
      op: fc.constantFrom("change", "add", "remove"),
      char: fc.constantFrom("0", "9", "-", ":", ".", "T", "Z", "z", " ", "/", "\u0660"),
    });
    fc.assert(
      fc.property(shapedInstant, edit, (s, { at, op, char }) => {
        const i = at % (s.length + 1);
        const edited =
          op === "add"
            ? s.slice(0, i) + char + s.slice(i)
            : s.slice(0, i) + (op === "change" ? char : "") + s.slice(i + 1);
        expect(normalInstant(edited)).toBe(byDate(edited));
      }),
      { numRuns: 20_000 },
    );
  });

  it("agrees with Date.parse on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(normalInstant(s)).toBe(byDate(s));
      }),
    );
  });

  it.each([
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
    ["2000-02-29T23:59:59.9Z", "2000-02-29T23:59:59.900Z"],
    ["2023-05-02T07:01:00.123Z", "2023-05-02T07:01:00.123Z"],
    ["2023-02-29T00:00:00Z", null],
    ["2100-02-29T00:00:00Z", null],
    ["2023-04-31T00:00:00Z", null],
    ["2023-05-02T24:00:00Z", null],
    ["2023-05-02T07:60:00Z", null],
    ["2023-05-02T07:01:60Z", null],
    ["2023-05-02T07:01:00.1234Z", null],
    ["2023-05-02T07:01:00+00:00", null],
  ])("%s -> %s", (input, expected) => {
    expect(normalInstant(input)).toBe(expected);
  });
});

describe("Instant", () => {
  it("normalizes to milliseconds and names what is wrong with the rest", () => {
    expect(Instant.parse("2023-05-02T07:01:00Z")).toBe("2023-05-02T07:01:00.000Z");
    expect(Instant.safeParse("2023-02-30T00:00:00Z").error?.issues[0]?.message).toBe(
      "not a real calendar instant",
    );
    expect(Instant.safeParse("1899-12-31T23:59:59Z").error?.issues[0]?.message).toBe(
      "outside the years 1900–2199",
    );
    expect(Instant.safeParse("2023-05-02").error?.issues[0]?.message).toBe(
      "an ISO-8601 UTC instant ending in Z",
    );
  });
});
