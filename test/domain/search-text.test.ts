import { describe, expect, it } from "vitest";
import { ENTRY_TYPES, type EntryType, PAYLOADS } from "../../src/domain/events.ts";
import { searchText, stripPrivateUse } from "../../src/domain/search-text.ts";

const org = (id: string, name: string, shortName: string) => ({ id, name, shortName, kind: "employer" });
const AT = "2023-05-02T07:00:00Z";

/**
 * A real payload of every type (each is parsed by its schema below) and the texts search must
 * index from it, in order. Human-written values carry a capital or a space, so the test below
 * can tell them from identifiers and enums.
 */
const SAMPLES: { [T in EntryType]: { payload: unknown; texts: string[] } } = {
  "dispute.opened": {
    payload: {
      title: "Writers 2023 Talks",
      timeZone: "America/Los_Angeles",
      agreement: { name: "Minimum Basic Agreement", expiresAt: AT },
      sides: [
        { id: "wga", name: "Writers Guild", shortName: "WGA" },
        { id: "amptp", name: "Producers Alliance", shortName: "AMPTP" },
      ],
    },
    texts: [
      "Writers 2023 Talks",
      "Minimum Basic Agreement",
      "Writers Guild",
      "WGA",
      "Producers Alliance",
      "AMPTP",
    ],
  },
  "party.joined": {
    payload: {
      org: org("amptp", "Producers Alliance", "AMPTP"),
      side: "amptp",
      represents: [org("nf", "Netflix Inc", "Netflix")],
    },
    texts: ["Producers Alliance", "AMPTP", "Netflix Inc", "Netflix"],
  },
  "organization.registered": {
    payload: { org: org("press", "Daily Press", "The Press") },
    texts: ["Daily Press", "The Press"],
  },
  "representation.updated": {
    payload: { add: [org("apple", "Apple Studios", "Apple TV")], remove: ["nf"] },
    texts: ["Apple Studios", "Apple TV"],
  },
  "issue.opened": {
    payload: { issue: "ai", title: "Artificial Intelligence", article: "Article 72" },
    texts: ["Artificial Intelligence", "Article 72"],
  },
  "issue.withdrawn": { payload: { issue: "ai", reason: "Settled Elsewhere" }, texts: ["Settled Elsewhere"] },
  "issue.dropped": { payload: { issue: "ai", reason: "No Longer Relevant" }, texts: ["No Longer Relevant"] },
  "pass.made": {
    payload: {
      kind: "proposal",
      summary: "Opening Package",
      issues: [
        {
          issue: "wages",
          language: "Raise minimums 6%.",
          terms: [{ key: "year-1", value: "6", unit: "%", note: "Compounded Yearly" }],
        },
        {
          issue: "ai",
          language: "AI is not a writer.",
          terms: [{ key: "weeks", value: "10", unit: "Weeks" }],
        },
      ],
    },
    texts: ["Opening Package", "Raise minimums 6%.", "Compounded Yearly", "AI is not a writer.", "Weeks"],
  },
  "ta.signed": {
    payload: { issues: ["ai"], wholeAgreement: false, language: "Agreed Language" },
    texts: ["Agreed Language"],
  },
  "agreement.voted": {
    payload: { result: "ratified", vote: { yes: 10, no: 1 }, votingClosed: "2023-10-09" },
    texts: [],
  },
  "meeting.requested": {
    payload: {
      meeting: "m1",
      kind: "table",
      purpose: "Resume Talks",
      proposedTimes: [{ start: AT, end: AT }],
    },
    texts: ["Resume Talks"],
  },
  "meeting.answered": {
    payload: { meeting: "m1", answer: "countered", note: "Later That Week" },
    texts: ["Later That Week"],
  },
  "meeting.scheduled": {
    payload: {
      meeting: "m1",
      kind: "table",
      start: AT,
      end: AT,
      timeZone: "America/Los_Angeles",
      place: "Sherman Oaks",
      link: "https://example.org/room",
      purpose: "Full Session",
    },
    texts: ["Sherman Oaks", "Full Session"],
  },
  "meeting.held": {
    payload: { meeting: "m1", attendees: [{ name: "Ellen Stutzman", org: "wga" }], summary: "Long Session" },
    texts: ["Ellen Stutzman", "Long Session"],
  },
  "meeting.postponed": { payload: { meeting: "m1", reason: "Illness In Team" }, texts: ["Illness In Team"] },
  "meeting.cancelled": { payload: { meeting: "m1", reason: "Walked Out" }, texts: ["Walked Out"] },
  "note.recorded": { payload: { meeting: "m1", text: "Hold Firm" }, texts: ["Hold Firm"] },
  "stoppage.started": {
    payload: { stoppage: "s", kind: "strike", by: ["wga"], against: ["amptp"], start: AT, workers: 11500 },
    texts: [],
  },
  "stoppage.joined": { payload: { stoppage: "s", org: "sag", at: AT }, texts: [] },
  "stoppage.ended": { payload: { stoppage: "s", end: AT }, texts: [] },
  "statement.made": {
    payload: {
      by: "wga",
      speaker: "Chief Negotiator",
      channel: "interview",
      text: "We Are Ready",
      url: "https://example.org/s",
    },
    texts: ["Chief Negotiator", "We Are Ready"],
  },
  "comment.requested": {
    payload: { request: "r1", to: "amptp", question: "Any Comment?", deadline: AT },
    texts: ["Any Comment?"],
  },
  "comment.answered": {
    payload: { request: "r1", response: "responded", text: "No Comment" },
    texts: ["No Comment"],
  },
  "impact.reported": {
    payload: {
      figure: "loss",
      what: "Lost Wages",
      value: "2100000000",
      unit: "US Dollars",
      asOf: "2023-09-27",
      method: "Economist Estimate",
      source: { name: "Milken Institute", url: "https://example.org/m" },
    },
    texts: ["Lost Wages", "US Dollars", "Economist Estimate", "Milken Institute"],
  },
  "entry.published": { payload: { entry: 3, note: "Now Public" }, texts: ["Now Public"] },
  "entry.corrected": {
    payload: { entry: 3, action: "correct", reason: "Wrong Figure", text: "Corrected Text" },
    texts: ["Wrong Figure", "Corrected Text"],
  },
};

/** Values that are not prose: identifiers, enums, instants, dates, decimals, links, time zones, signs. */
const MACHINE = [
  /^[^\p{L}\p{N}]*$/u,
  /^[a-z0-9][a-z0-9-]*$/,
  /^\d{4}-\d{2}-\d{2}(T.*Z)?$/,
  /^-?\d+(\.\d+)?$/,
  /^https?:\/\//,
  /^[A-Z][A-Za-z_]+\/[A-Za-z_]+$/,
];

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

describe("search text", () => {
  it("has a sample for every entry type", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...ENTRY_TYPES].sort());
  });

  for (const type of ENTRY_TYPES) {
    it(`indexes the free text of ${type}, one field a line`, () => {
      const { payload, texts } = SAMPLES[type];
      const parsed = PAYLOADS[type].parse(payload);
      expect(searchText(type, parsed).split("\n").filter(Boolean)).toEqual(texts);
    });
  }

  it("leaves out no prose of any sample: every other string is an identifier, enum, instant or number", () => {
    for (const type of ENTRY_TYPES) {
      const { payload, texts } = SAMPLES[type];
      const missed = strings(PAYLOADS[type].parse(payload)).filter(
        (s) => !texts.includes(s) && !MACHINE.some((re) => re.test(s)),
      );
      expect({ type, missed }).toEqual({ type, missed: [] });
    }
  });

  it("indexes nothing of identifiers, and nothing of an unknown type", () => {
    const text = searchText("pass.made", SAMPLES["pass.made"].payload);
    expect(text).not.toMatch(/\bwages\b|year-1|proposal/);
    expect(searchText("entry.invented", { text: "Hello" })).toBe("");
  });

  it("drops private-use characters (the index's match markers) and fields without a word", () => {
    const text = searchText("note.recorded", { text: "a \uE000fake\uE001 mark \u{F0001}here" });
    expect(text).toBe("a fake mark here");
    expect(stripPrivateUse("\uE000\uF8FF\u{10FFFD}x")).toBe("x");
    expect(searchText("statement.made", { by: "x", channel: "other", speaker: "—", text: "Hi" })).toBe("Hi");
  });
});
