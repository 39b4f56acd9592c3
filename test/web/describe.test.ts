import { describe, expect, it } from "vitest";
import type { AnyEntry } from "../../src/domain/entry.ts";
import { initialState } from "../../src/domain/state.ts";
import { describeEntry } from "../../src/web/describe.ts";

/** The one-line descriptions of the timeline and the dashboard's recent entries. */
function impact(payload: Record<string, unknown>): AnyEntry {
  return {
    type: "impact.reported",
    seq: 7,
    version: 1,
    dispute: "d",
    actor: { org: "press", user: "p" },
    keyId: "k",
    nonce: "n",
    occurredAt: "2024-03-01T20:00:00.000Z",
    recordedAt: "2024-03-01T20:00:00.000Z",
    visibility: "public",
    refs: [],
    payload: {
      figure: "f",
      what: "Direct economic impact",
      unit: "USD",
      asOf: "2024-03-01",
      method: "estimate",
      source: { name: "UCLA Anderson Forecast" },
      ...payload,
    },
  } as AnyEntry;
}

describe("describeEntry: impact figures", () => {
  const say = (payload: Record<string, unknown>) =>
    describeEntry(impact(payload), initialState("d"), "America/Los_Angeles");

  it("writes a figure with thousands separators, as the impact page does", () => {
    expect(say({ value: "1500000000" })).toBe(
      "UCLA Anderson Forecast: Direct economic impact, 1,500,000,000 USD",
    );
  });

  it("writes a range, and a percentage without a space", () => {
    expect(say({ low: "1000", high: "2500.5", unit: "jobs" })).toBe(
      "UCLA Anderson Forecast: Direct economic impact, 1,000–2,500.5 jobs",
    );
    expect(say({ value: "-17", unit: "%" })).toBe("UCLA Anderson Forecast: Direct economic impact, -17%");
  });

  it("names the value alone when a figure carries a range too", () => {
    expect(say({ value: "5000000000", low: "3000000000", high: "6500000000" })).toBe(
      "UCLA Anderson Forecast: Direct economic impact, 5,000,000,000 USD",
    );
  });
});
