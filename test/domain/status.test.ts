import { describe, expect, it } from "vitest";
import { endOfLocalDay } from "../../src/domain/calendar.ts";
import { occurrenceOrder } from "../../src/domain/entry.ts";
import { evolve } from "../../src/domain/evolve.ts";
import { initialState, type StoppageState } from "../../src/domain/state.ts";
import { type ForeignStoppage, type Status, status } from "../../src/domain/status.ts";
import {
  DEMANDS,
  DISPUTE,
  fact,
  type Given,
  given,
  LA,
  la,
  ORG,
  opened,
  pass,
  STRIKE_END,
  STRIKE_START,
  strikeStarted,
  TABLE,
} from "./spec.ts";

const WGA = ORG.wgaWest.id;
const AMPTP = ORG.amptp.id;
const PRESS = ORG.press.id;

/** "As of <date>" in the dispute: the end of that local day in Los Angeles. */
const endOf = (date: string) => endOfLocalDay(date, LA);

/** The status as the application computes it: a fold of the entries that occurred by `asOf`. */
function statusAsOf(g: Given, asOf: string, foreign: ForeignStoppage[] = []): Status {
  const state = initialState(DISPUTE);
  const entries = g.entries.filter((e) => e.occurredAt <= asOf).sort(occurrenceOrder);
  for (const e of entries) evolve(state, e);
  return status(state, asOf, foreign);
}

const minusDays = (instant: string, days: number) =>
  new Date(Date.parse(instant) - days * 86_400_000).toISOString();
/** A meeting scheduled three days ahead. */
const meetingAt = (id: string, kind: "table" | "caucus" | "side", start: string, end: string, by = AMPTP) =>
  fact(by, "meeting.scheduled", minusDays(start, 3), { meeting: id, kind, start, end });

/** The 2023 record, from the table to the tentative agreement. */
const wga2023 = given(
  ...TABLE, // 0–4
  ...DEMANDS, // 5–9
  strikeStarted, // 10
  // Aug 1: the AMPTP invites the WGA; Aug 4 (day 95): a short meeting
  fact(AMPTP, "meeting.requested", la("2023-08-01T12:00"), {
    meeting: "aug-4",
    kind: "table",
    purpose: "Resume talks?",
  }),
  fact(WGA, "meeting.answered", la("2023-08-02T12:00"), { meeting: "aug-4", answer: "accepted" }),
  fact(AMPTP, "meeting.scheduled", la("2023-08-02T13:00"), {
    meeting: "aug-4",
    kind: "table",
    start: la("2023-08-04T10:00"),
    end: la("2023-08-04T11:00"),
    place: "Sherman Oaks",
  }),
  fact(WGA, "meeting.held", la("2023-08-04T11:00"), { meeting: "aug-4" }),
  // Aug 11 (day 102): the AMPTP's counterproposal; Aug 15: the WGA's
  pass(AMPTP, la("2023-08-11T15:00"), [{ issue: "wages", language: "5% / 4% / 3.5%" }]),
  pass(WGA, la("2023-08-15T15:00"), [
    { issue: "wages", language: "5% / 4% / 3.5%, and a viewership-based residual" },
    { issue: "staffing", language: "Minimum staff by number of episodes." },
  ]),
  // Aug 22 (day 113): the CEOs meet the WGA
  meetingAt("aug-22", "table", la("2023-08-22T10:00"), la("2023-08-22T12:00")),
  fact(WGA, "meeting.held", la("2023-08-22T12:00"), { meeting: "aug-22" }),
  // a table meeting that was scheduled, then called off
  meetingAt("aug-30", "table", la("2023-08-30T10:00"), la("2023-08-30T12:00")),
  fact(AMPTP, "meeting.cancelled", la("2023-08-28T10:00"), { meeting: "aug-30" }),
  // Requests for comment from a (fictional) newsroom
  fact(PRESS, "comment.requested", la("2023-08-22T14:00"), {
    request: "amptp-offer",
    to: AMPTP,
    question: "Why publish the offer now?",
    deadline: la("2023-08-23T17:00"),
  }),
  fact(PRESS, "comment.requested", la("2023-08-24T09:00"), {
    request: "wga-offer",
    to: WGA,
    question: "Is the offer enough?",
    deadline: la("2023-08-25T17:00"),
  }),
  fact(WGA, "comment.answered", la("2023-08-24T16:00"), { request: "wga-offer", response: "responded" }),
  fact(PRESS, "comment.requested", la("2023-09-08T09:00"), {
    request: "amptp-proposals",
    to: AMPTP,
    question: "Still one proposal in 130 days?",
    deadline: la("2023-09-09T17:00"),
  }),
  fact(AMPTP, "comment.answered", la("2023-09-08T12:00"), {
    request: "amptp-proposals",
    response: "declined",
  }),
  // Sep 13: the WGA asks for a meeting; Sep 15: its negotiators meet showrunners (a side meeting)
  fact(WGA, "meeting.requested", la("2023-09-13T09:00"), {
    meeting: "sep-request",
    kind: "table",
    purpose: "Move negotiations forward.",
  }),
  fact(WGA, "organization.registered", la("2023-09-14T09:00"), { org: ORG.showrunners }),
  meetingAt("showrunners", "side", la("2023-09-15T10:00"), la("2023-09-15T12:00"), WGA),
  fact(WGA, "meeting.held", la("2023-09-15T12:00"), { meeting: "showrunners" }),
  // Sep 20–23: talks; a WGA caucus and a side meeting earlier on Sep 20; one table session cancelled
  meetingAt("sep-20", "table", la("2023-09-20T10:00"), la("2023-09-20T18:00")),
  meetingAt("sep-21", "table", la("2023-09-21T10:00"), la("2023-09-21T18:00")),
  meetingAt("wga-caucus", "caucus", la("2023-09-20T08:00"), la("2023-09-20T09:00"), WGA),
  meetingAt("ceo-breakfast", "side", la("2023-09-20T07:00"), la("2023-09-20T08:00")),
  meetingAt("sep-20-early", "table", la("2023-09-20T09:00"), la("2023-09-20T09:30")),
  fact(AMPTP, "meeting.cancelled", la("2023-09-18T10:00"), { meeting: "sep-20-early" }),
  fact(WGA, "meeting.held", la("2023-09-20T18:00"), { meeting: "sep-20" }),
  // Sep 24 (day 146): the tentative agreement on the whole contract
  fact(WGA, "ta.signed", la("2023-09-24T19:00"), {
    issues: ["wages", "staffing", "ai", "viewership", "residuals"],
    wholeAgreement: true,
  }),
);
const TA_SEQ = wga2023.nextSeq - 1;
const countersigned = wga2023.and(
  fact(AMPTP, "ta.signed", la("2023-09-24T19:30"), {
    issues: ["wages", "staffing", "ai", "viewership", "residuals"],
    wholeAgreement: true,
    countersigns: TA_SEQ,
  }),
  fact(WGA, "stoppage.ended", STRIKE_END, { stoppage: "wga-strike-2023", end: STRIKE_END }),
);

describe("status: the strike", () => {
  it.each([
    ["2023-05-02", 1],
    ["2023-08-04", 95],
    ["2023-08-09", 100],
    ["2023-08-11", 102],
    ["2023-08-22", 113],
    ["2023-09-08", 130],
    ["2023-09-14", 136],
    ["2023-09-24", 146],
    ["2023-09-26", 148],
  ])("as of %s it is day %i", (date, day) => {
    const [strike] = statusAsOf(countersigned, endOf(date)).stoppages;
    expect(strike).toMatchObject({ id: "wga-strike-2023", day, end: null, lastDay: null, concurrent: false });
  });

  it("a strike's first day is day 1 from its first minute, and nothing before", () => {
    expect(statusAsOf(countersigned, STRIKE_START).stoppages[0]?.day).toBe(1);
    expect(statusAsOf(countersigned, endOf("2023-05-01")).stoppages).toEqual([]);
  });

  it("after it ends, it stays at 148 days with Sep 26 as its last day", () => {
    const [strike] = statusAsOf(countersigned, endOf("2023-10-09")).stoppages;
    expect(strike).toEqual({
      id: "wga-strike-2023",
      dispute: DISPUTE,
      kind: "strike",
      organizations: ["WGA"],
      against: ["AMPTP"],
      start: STRIKE_START,
      end: STRIKE_END,
      day: 148,
      lastDay: "2023-09-26",
      workdays: 102,
      idleDays: null,
      workers: null,
      concurrent: false,
    });
  });

  it("counts workdays so far while it runs (Memorial Day, Juneteenth, July 4 and Labor Day off)", () => {
    expect(statusAsOf(countersigned, endOf("2023-09-14")).stoppages[0]?.workdays).toBe(94);
  });

  it("a stoppage recorded from before 1971 shows its days without crashing on the holiday tables", () => {
    const s = given(
      opened,
      fact(WGA, "stoppage.started", "1960-01-16T16:00:00Z", {
        stoppage: "strike-1960",
        kind: "strike",
        by: [WGA],
        against: [AMPTP],
        start: "1960-01-16T16:00:00Z",
        workers: 1000,
      }),
      fact(WGA, "stoppage.ended", "1960-06-12T20:00:00Z", {
        stoppage: "strike-1960",
        end: "1960-06-12T20:00:00Z",
      }),
    ).state;
    const [old] = status(s, endOf("2023-09-14")).stoppages;
    expect(old).toMatchObject({ day: 149, lastDay: "1960-06-12", workdays: null, idleDays: null });
  });
});

describe("status: concurrent stoppages in other disputes", () => {
  const sag: StoppageState = {
    id: "sag-aftra-2023",
    kind: "strike",
    by: [ORG.sag.id],
    against: [AMPTP],
    start: la("2023-07-14T00:01"),
    end: "2023-11-09T08:01:00.000Z", // 00:01 PST Nov 9
    workers: 160000,
    joined: [],
  };
  const foreign = (againstIds: string[]): ForeignStoppage => ({
    dispute: "sag-aftra-2023",
    stoppage: sag,
    organizations: ["SAG-AFTRA"],
    against: ["AMPTP"],
    againstIds,
  });

  it("SAG-AFTRA's strike against the AMPTP is concurrent: day 63 on Sep 14, listed after the WGA's", () => {
    const view = statusAsOf(countersigned, endOf("2023-09-14"), [foreign([AMPTP])]);
    expect(view.stoppages.map((s) => [s.dispute, s.day, s.concurrent])).toEqual([
      [DISPUTE, 136, false],
      ["sag-aftra-2023", 63, true],
    ]);
    expect(view.stoppages[1]).toMatchObject({
      organizations: ["SAG-AFTRA"],
      against: ["AMPTP"],
      workdays: 44,
      idleDays: 160000 * 44,
      end: null,
    });
  });

  it("a stoppage against a company the AMPTP represents here is concurrent too", () => {
    const view = statusAsOf(countersigned, endOf("2023-09-14"), [foreign(["netflix"])]);
    expect(view.stoppages.map((s) => s.dispute)).toEqual([DISPUTE, "sag-aftra-2023"]);
  });

  it("a stoppage against the AMPTP (with its member companies as the other dispute knows them) matches", () => {
    // the application adds the represented companies of the other dispute to againstIds
    const onlyCompanies = given(
      opened,
      fact(WGA, "party.joined", la("2023-03-20T10:05"), { org: ORG.wgaWest, side: "writers" }),
      fact("netflix", "party.joined", la("2023-03-20T10:10"), { org: ORG.netflix, side: "studios" }),
    );
    const view = statusAsOf(onlyCompanies, endOf("2023-09-14"), [foreign([AMPTP, "disney", "netflix"])]);
    expect(view.stoppages.map((s) => [s.dispute, s.concurrent])).toEqual([["sag-aftra-2023", true]]);
  });

  it("a stoppage against an unrelated employer is not listed", () => {
    const view = statusAsOf(countersigned, endOf("2023-09-14"), [foreign(["lyft"])]);
    expect(view.stoppages.map((s) => s.dispute)).toEqual([DISPUTE]);
  });

  it("a stoppage that has not begun by the day asked about is not listed", () => {
    const view = statusAsOf(countersigned, endOf("2023-07-13"), [foreign([AMPTP])]);
    expect(view.stoppages.map((s) => s.dispute)).toEqual([DISPUTE]);
    expect(statusAsOf(countersigned, endOf("2023-07-14"), [foreign([AMPTP])]).stoppages[1]?.day).toBe(1);
  });

  it("after SAG-AFTRA's strike ends it shows 118 days with Nov 8 last", () => {
    const view = statusAsOf(countersigned, endOf("2023-12-01"), [foreign([AMPTP])]);
    expect(view.stoppages[1]).toMatchObject({ day: 118, lastDay: "2023-11-08", end: sag.end });
  });
});

describe("status: meetings", () => {
  it("the last meeting is the latest held table meeting: Aug 22, as of Sep 14", () => {
    expect(statusAsOf(countersigned, endOf("2023-09-14")).lastMeeting).toEqual({
      id: "aug-22",
      kind: "table",
      date: "2023-08-22",
      start: la("2023-08-22T10:00"),
      end: la("2023-08-22T12:00"),
      place: null,
      status: "held",
    });
  });

  it("a held side meeting (the showrunners, Sep 15) does not count as a session", () => {
    expect(statusAsOf(countersigned, endOf("2023-09-16")).lastMeeting?.id).toBe("aug-22");
  });

  it("only meetings held at or before the instant asked about count", () => {
    // The state here holds everything; the date asked about is Aug 10.
    const view = status(countersigned.state, endOf("2023-08-10"));
    expect(view.lastMeeting).toMatchObject({ id: "aug-4", date: "2023-08-04", place: "Sherman Oaks" });
    expect(status(countersigned.state, la("2023-08-04T09:59")).lastMeeting).toBeNull();
    expect(status(countersigned.state, la("2023-08-04T10:00")).lastMeeting?.id).toBe("aug-4");
  });

  it("the next meeting is the earliest scheduled table meeting after the instant", () => {
    // not the side meeting (07:00), the cancelled session (09:00) or the caucus (08:00)
    expect(statusAsOf(countersigned, endOf("2023-09-19")).nextMeeting).toMatchObject({
      id: "sep-20",
      date: "2023-09-20",
      status: "scheduled",
    });
    expect(statusAsOf(countersigned, la("2023-09-20T12:00")).nextMeeting?.id).toBe("sep-21");
  });

  it("no next meeting when none is scheduled ahead, and a past unheld session is neither last nor next", () => {
    const view = statusAsOf(countersigned, endOf("2023-09-14"));
    expect(view.nextMeeting).toBeNull();
    const lapsed = status(countersigned.state, endOf("2023-09-22"));
    expect(lapsed.lastMeeting?.id).toBe("sep-20");
    expect(lapsed.nextMeeting).toBeNull();
  });
});

describe("status: whose move", () => {
  it("shows, per issue, whose move it is, since when, and for how many days", () => {
    const view = statusAsOf(countersigned, endOf("2023-09-14"));
    const byId = Object.fromEntries(view.issues.map((i) => [i.id, i]));
    expect(byId.wages).toEqual({
      id: "wages",
      title: "Minimum basic compensation",
      status: "open",
      awaiting: "AMPTP",
      since: la("2023-08-15T15:00"),
      days: 30,
      passes: 2,
    });
    expect(byId.staffing).toMatchObject({ awaiting: "AMPTP", days: 30, passes: 1 });
    expect(byId.ai).toMatchObject({ awaiting: null, since: null, days: null, passes: 0 });
  });

  it("lists the open moves oldest first, meeting requests included", () => {
    const view = statusAsOf(countersigned, endOf("2023-09-14"));
    expect(view.moves).toEqual([
      {
        subject: "issue",
        id: "staffing",
        title: "Minimum staffing in writers rooms",
        awaiting: "AMPTP",
        since: la("2023-08-15T15:00"),
        days: 30,
      },
      {
        subject: "issue",
        id: "wages",
        title: "Minimum basic compensation",
        awaiting: "AMPTP",
        since: la("2023-08-15T15:00"),
        days: 30,
      },
      {
        subject: "meeting",
        id: "sep-request",
        title: "Move negotiations forward.",
        awaiting: "AMPTP",
        since: la("2023-09-13T09:00"),
        days: 1,
      },
    ]);
  });

  it("a one-sided TA leaves every issue on the other side's desk; the countersignature clears them", () => {
    const signed = statusAsOf(wga2023, endOf("2023-09-24"));
    expect(signed.issues.map((i) => i.awaiting)).toEqual(["AMPTP", "AMPTP", "AMPTP", "AMPTP", "AMPTP"]);
    expect(signed.tentativeAgreements).toEqual([
      {
        seq: TA_SEQ,
        issues: ["wages", "staffing", "ai", "viewership", "residuals"],
        wholeAgreement: true,
        signedBy: ["WGA"],
        complete: false,
        date: "2023-09-24",
      },
    ]);
    expect(signed.agreement.status).toBe("bargaining");
    const agreed = statusAsOf(countersigned, endOf("2023-09-25"));
    expect(agreed.issues.map((i) => [i.status, i.awaiting])).toEqual(
      Array(5).fill(["tentatively-agreed", null]),
    );
    expect(agreed.moves.filter((m) => m.subject === "issue")).toEqual([]);
    // signed at 19:30 in Los Angeles, already Sep 25 in UTC: the date is the dispute's
    expect(agreed.tentativeAgreements[0]).toMatchObject({
      signedBy: ["WGA", "AMPTP"],
      complete: true,
      date: "2023-09-24",
    });
    expect(agreed.agreement).toMatchObject({ status: "tentative", tentativeAt: la("2023-09-24T19:30") });
  });

  it("reports each side's response times in days, as decimal strings", () => {
    const view = statusAsOf(countersigned, endOf("2023-09-14"));
    // the WGA answered the Aug 1 invitation in 1 day and the Aug 11 offer in 4
    expect(view.responseTimes).toEqual([{ side: "WGA", count: 2, averageDays: "2.5", maxDays: "4.0" }]);
  });
});

describe("status: requests for comment", () => {
  const byId = (view: Status) => Object.fromEntries(view.requestsForComment.map((r) => [r.id, r.status]));

  it("pending until the deadline, no-response once it passes unanswered", () => {
    expect(byId(statusAsOf(countersigned, la("2023-08-23T16:59")))["amptp-offer"]).toBe("pending");
    expect(byId(statusAsOf(countersigned, la("2023-08-23T17:01")))["amptp-offer"]).toBe("no-response");
  });

  it("an answer, a reply or a refusal, is shown as such, whatever the date", () => {
    const view = statusAsOf(countersigned, endOf("2023-09-14"));
    expect(byId(view)).toEqual({
      "amptp-offer": "no-response",
      "wga-offer": "responded",
      "amptp-proposals": "declined",
    });
    expect(view.requestsForComment[0]).toMatchObject({
      from: "Parley News",
      to: "AMPTP",
      deadline: la("2023-08-23T17:00"),
    });
  });
});

describe("status: the dispute at a glance", () => {
  it("names the sides, their organizations and whom they bargain for", () => {
    const view = statusAsOf(countersigned, endOf("2023-09-14"));
    expect(view.sides).toEqual([
      {
        id: "writers",
        name: "Writers Guild of America",
        shortName: "WGA",
        organizations: [
          {
            id: WGA,
            name: "Writers Guild of America West",
            shortName: "WGA West",
            kind: "union",
            represents: [],
          },
          {
            id: "wga-east",
            name: "Writers Guild of America East",
            shortName: "WGA East",
            kind: "union",
            represents: [],
          },
        ],
      },
      {
        id: "studios",
        name: "Alliance of Motion Picture and Television Producers",
        shortName: "AMPTP",
        organizations: [
          {
            id: AMPTP,
            name: "Alliance of Motion Picture and Television Producers",
            shortName: "AMPTP",
            kind: "employer-association",
            represents: ["Disney", "Netflix", "WBD"],
          },
        ],
      },
    ]);
    expect(view).toMatchObject({ dispute: DISPUTE, timeZone: LA, asOfDate: "2023-09-14" });
  });

  it("counts the entries it was computed from", () => {
    const asOf = endOf("2023-08-04");
    const expected = countersigned.entries.filter((e) => e.occurredAt <= asOf).length;
    expect(statusAsOf(countersigned, asOf).entries).toBe(expected);
    expect(expected).toBeLessThan(countersigned.entries.length);
  });

  it("refuses a dispute that has not been opened", () => {
    expect(() => status(initialState(DISPUTE), endOf("2023-09-14"))).toThrow(/not open/);
  });
});
