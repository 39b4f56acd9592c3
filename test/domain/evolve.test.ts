import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Command, decide, type RefInfo } from "../../src/domain/decide.ts";
import type { AnyEntry } from "../../src/domain/entry.ts";
import { ParleyError } from "../../src/domain/errors.ts";
import { type EntryType, PAYLOADS } from "../../src/domain/events.ts";
import { evolve, fold } from "../../src/domain/evolve.ts";
import { type DisputeState, initialState, RECENT_LIMIT } from "../../src/domain/state.ts";
import { status } from "../../src/domain/status.ts";
import {
  amptpAug11Wages,
  command,
  DEMANDS,
  DISPUTE,
  type Fact,
  fact,
  factDraft,
  given,
  la,
  MBA,
  NOW,
  ORG,
  opened,
  pass,
  STRIKE_END,
  STRIKE_START,
  STUDIOS,
  strikeStarted,
  TABLE,
  toEntry,
  WRITERS,
} from "./spec.ts";

const WGA = ORG.wgaWest.id;
const WGA_EAST = ORG.wgaEast.id;
const AMPTP = ORG.amptp.id;
const PRESS = ORG.press.id;

const bargaining = () => given(...TABLE, ...DEMANDS); // seq 0–9; the next fact is seq 10

describe("evolve: bookkeeping", () => {
  it("counts entries, keeps the highest seq and the latest occurrence even when history is back-filled", () => {
    const state = given(
      ...TABLE,
      fact(WGA, "note.recorded", la("2023-09-01T10:00"), { text: "recorded first" }),
      fact(WGA, "note.recorded", la("2023-05-01T10:00"), { text: "back-filled" }),
    ).state;
    expect(state.entries).toBe(7);
    expect(state.lastSeq).toBe(6);
    expect(state.lastOccurredAt).toBe(la("2023-09-01T10:00"));
    expect(state.notes).toBe(2);
  });

  it("returns the same state object it was given (it updates in place)", () => {
    const s = initialState(DISPUTE);
    const e = toEntry(factDraft(opened), 0, WGA);
    expect(evolve(s, e)).toBe(s);
    expect(fold(DISPUTE, [e])).toEqual(s);
  });
});

describe("evolve: the table", () => {
  it("opens the dispute with its agreement in bargaining and two empty sides", () => {
    const state = given(opened).state;
    expect(state.opened).toEqual({
      title: "WGA–AMPTP 2023 MBA negotiation",
      timeZone: "America/Los_Angeles",
      openedBy: WGA,
      openedAt: la("2023-03-20T10:00"),
      agreement: {
        name: MBA,
        expiresAt: la("2023-05-01T23:59"),
        status: "bargaining",
        tentativeAt: null,
        vote: null,
        term: null,
      },
    });
    expect(Object.keys(state.sides)).toEqual([WRITERS, STUDIOS]);
    expect(state.sides[WRITERS]?.orgs).toEqual([]);
  });

  it("seats parties on their sides and records whom the AMPTP bargains for", () => {
    const state = given(...TABLE).state;
    expect(state.sides[WRITERS]?.orgs).toEqual([WGA, WGA_EAST]);
    expect(state.sides[STUDIOS]?.orgs).toEqual([AMPTP]);
    expect(state.orgs[AMPTP]).toMatchObject({ side: STUDIOS, represents: ["disney", "netflix", "wbd"] });
    expect(state.orgs.netflix).toMatchObject({ shortName: "Netflix", side: null, representedBy: [AMPTP] });
    expect(state.orgs[PRESS]).toMatchObject({ kind: "press", side: null });
  });

  it("updates representation both ways", () => {
    const state = given(
      ...TABLE,
      fact(AMPTP, "representation.updated", la("2023-04-01T10:00"), {
        add: [{ id: "paramount", name: "Paramount Global", shortName: "Paramount", kind: "employer" }],
        remove: ["wbd"],
      }),
    ).state;
    expect(state.orgs[AMPTP]?.represents).toEqual(["disney", "netflix", "paramount"]);
    expect(state.orgs.paramount?.representedBy).toEqual([AMPTP]);
    expect(state.orgs.wbd?.representedBy).toEqual([]);
  });

  it("a registered organization that later joins keeps one record, now with a side", () => {
    const state = given(
      opened,
      fact(WGA_EAST, "organization.registered", la("2023-03-20T10:01"), { org: ORG.wgaEast }),
      fact(WGA_EAST, "party.joined", la("2023-03-20T10:06"), { org: ORG.wgaEast, side: WRITERS }),
    ).state;
    expect(state.orgs[WGA_EAST]?.side).toBe(WRITERS);
    expect(state.sides[WRITERS]?.orgs).toEqual([WGA_EAST]);
  });
});

describe("evolve: whose move on an issue", () => {
  it("an issue is raised by a side, and nobody owes a move until the first pass", () => {
    const wages = bargaining().state.issues.wages;
    expect(wages).toMatchObject({
      raisedBy: WRITERS,
      status: "open",
      passes: 0,
      awaiting: null,
      since: null,
    });
    expect(wages?.article).toBe("Article 13");
  });

  it("a pass by one side hands the move to the other, since the pass", () => {
    const state = bargaining().and(amptpAug11Wages).state;
    expect(state.issues.wages).toMatchObject({
      awaiting: WRITERS,
      since: la("2023-08-11T15:00"),
      passes: 1,
      lastPass: { [STUDIOS]: { seq: 10, at: la("2023-08-11T15:00") } },
    });
    expect(state.responses).toEqual({});
  });

  it("a counter hands it back and records how long the responding side took", () => {
    const state = bargaining().and(
      amptpAug11Wages,
      pass(WGA, la("2023-08-15T15:00"), [{ issue: "wages", language: "6% / 5% / 5%" }]),
      pass(AMPTP, la("2023-08-18T12:00"), [{ issue: "wages", language: "5% / 4% / 3.5%" }]),
    ).state;
    expect(state.issues.wages).toMatchObject({ awaiting: WRITERS, since: la("2023-08-18T12:00"), passes: 3 });
    expect(state.responses[WRITERS]).toEqual({
      count: 1,
      totalMinutes: 4 * 24 * 60,
      maxMinutes: 4 * 24 * 60,
      recent: [
        { subject: "issue:wages", from: la("2023-08-11T15:00"), to: la("2023-08-15T15:00"), minutes: 5760 },
      ],
    });
    expect(state.responses[STUDIOS]).toMatchObject({ count: 1, totalMinutes: 69 * 60, maxMinutes: 69 * 60 });
  });

  it("a second pass by the same side is no response: the other side still owes, since the later pass", () => {
    const state = bargaining().and(
      amptpAug11Wages,
      pass(AMPTP, la("2023-08-12T10:00"), [{ issue: "wages", language: "Clarified" }]),
    ).state;
    expect(state.issues.wages).toMatchObject({ awaiting: WRITERS, since: la("2023-08-12T10:00"), passes: 2 });
    expect(state.responses).toEqual({});
  });

  it("a package hands every issue in it to the other side", () => {
    const state = bargaining().and(
      pass(WGA, la("2023-08-15T15:00"), [
        { issue: "ai", language: "AI cannot write or rewrite literary material." },
        { issue: "viewership", language: "Total hours streamed." },
      ]),
    ).state;
    expect(state.issues.ai?.awaiting).toBe(STUDIOS);
    expect(state.issues.viewership?.awaiting).toBe(STUDIOS);
    expect(state.issues.staffing?.awaiting).toBeNull();
  });

  it("a TA signed by one side leaves the issue open with the move on the other side", () => {
    const state = bargaining().and(fact(WGA, "ta.signed", la("2023-09-24T19:00"), { issues: ["ai"] })).state;
    expect(state.issues.ai).toMatchObject({
      status: "open",
      awaiting: STUDIOS,
      since: la("2023-09-24T19:00"),
      ta: null,
    });
    expect(state.tas["10"]).toEqual({
      seq: 10,
      issues: ["ai"],
      wholeAgreement: false,
      signedBy: [WRITERS],
      signedAt: la("2023-09-24T19:00"),
      completedAt: null,
    });
  });

  it("the countersignature closes the issue as tentatively agreed and ends the move", () => {
    const state = bargaining().and(
      amptpAug11Wages,
      fact(WGA, "ta.signed", la("2023-09-24T19:00"), { issues: ["ai", "wages"] }),
      fact(AMPTP, "ta.signed", la("2023-09-24T19:30"), { issues: ["ai", "wages"], countersigns: 11 }),
    ).state;
    for (const id of ["ai", "wages"]) {
      expect(state.issues[id]).toMatchObject({
        status: "tentatively-agreed",
        ta: 11,
        awaiting: null,
        since: null,
        closedAt: la("2023-09-24T19:30"),
      });
    }
    expect(state.tas["11"]).toMatchObject({
      signedBy: [WRITERS, STUDIOS],
      completedAt: la("2023-09-24T19:30"),
    });
    expect(Object.keys(state.tas)).toEqual(["11"]);
    expect(state.opened?.agreement.status).toBe("bargaining");
  });

  it("a whole-agreement TA makes the agreement tentative; ratification records the vote and term", () => {
    const issues = ["wages", "staffing", "ai", "viewership", "residuals"];
    const tentative = bargaining().and(
      fact(WGA, "ta.signed", la("2023-09-24T19:00"), { issues, wholeAgreement: true }),
      fact(AMPTP, "ta.signed", la("2023-09-24T19:30"), { issues, wholeAgreement: true, countersigns: 10 }),
    );
    expect(tentative.state.opened?.agreement).toMatchObject({
      status: "tentative",
      tentativeAt: la("2023-09-24T19:30"),
    });
    const ratified = tentative.and(
      fact(WGA, "agreement.voted", la("2023-10-09T18:00"), {
        result: "ratified",
        vote: { yes: 8435, no: 90 },
        votingOpened: "2023-10-02",
        votingClosed: "2023-10-09",
        term: { start: "2023-09-25", end: "2026-05-01" },
      }),
    ).state;
    expect(ratified.opened?.agreement).toEqual({
      name: MBA,
      expiresAt: la("2023-05-01T23:59"),
      status: "ratified",
      tentativeAt: la("2023-09-24T19:30"),
      vote: { yes: 8435, no: 90, closed: "2023-10-09" },
      term: { start: "2023-09-25", end: "2026-05-01" },
    });
  });

  it.each([
    ["issue.withdrawn", WGA, "withdrawn"],
    ["issue.dropped", AMPTP, "dropped"],
  ] as const)("%s ends the move", (type, by, status) => {
    const state = bargaining().and(
      pass(AMPTP, la("2023-05-01T10:00"), [{ issue: "residuals", language: "The DGA pattern." }]),
      fact(by, type, la("2023-08-15T12:00"), { issue: "residuals" }),
    ).state;
    expect(state.issues.residuals).toMatchObject({
      status,
      awaiting: null,
      since: null,
      closedAt: la("2023-08-15T12:00"),
    });
  });

  it("a pass that reaches a closed issue (as a viewer's partial fold may) counts but hands over nothing", () => {
    const state = bargaining().and(
      fact(WGA, "issue.withdrawn", la("2023-08-15T12:00"), { issue: "residuals" }),
      pass(AMPTP, la("2023-08-16T12:00"), [{ issue: "residuals", language: "..." }]),
    ).state;
    expect(state.issues.residuals).toMatchObject({ status: "withdrawn", passes: 1, awaiting: null });
  });
});

describe("evolve: whose move on a meeting request", () => {
  const aug4 = { start: la("2023-08-04T10:00"), end: la("2023-08-04T11:00") };
  const invitation = fact(AMPTP, "meeting.requested", la("2023-08-01T12:00"), {
    meeting: "aug-4",
    kind: "table",
    purpose: "Discuss resuming negotiations.",
    proposedTimes: [aug4],
  });
  const invited = () => bargaining().and(invitation);

  it("requested: the other side owes an answer", () => {
    expect(invited().state.meetings["aug-4"]).toEqual({
      id: "aug-4",
      kind: "table",
      status: "requested",
      purpose: "Discuss resuming negotiations.",
      requestedBy: STUDIOS,
      requestedAt: la("2023-08-01T12:00"),
      proposedTimes: [aug4],
      with: [],
      start: null,
      end: null,
      place: null,
      awaiting: WRITERS,
      since: la("2023-08-01T12:00"),
      heldAt: null,
      attendees: 0,
      updatedAt: la("2023-08-01T12:00"),
    });
  });

  it("a side meeting request puts nobody on the hook", () => {
    const state = bargaining().and(
      fact(WGA, "organization.registered", la("2023-09-12T09:00"), { org: ORG.showrunners }),
      fact(WGA, "meeting.requested", la("2023-09-12T10:00"), {
        meeting: "showrunners",
        kind: "side",
        purpose: "Strategy",
        with: ["showrunners"],
      }),
    ).state;
    expect(state.meetings.showrunners).toMatchObject({ status: "requested", awaiting: null, since: null });
  });

  const later = { start: la("2023-08-04T14:00"), end: la("2023-08-04T15:00") };
  const countered = () =>
    invited().and(
      fact(WGA, "meeting.answered", la("2023-08-02T12:00"), {
        meeting: "aug-4",
        answer: "countered",
        proposedTimes: [later],
      }),
    );

  it("countered: the move goes back to the requester, and the answer's time is recorded", () => {
    const state = countered().state;
    expect(state.meetings["aug-4"]).toMatchObject({
      status: "countered",
      awaiting: STUDIOS,
      since: la("2023-08-02T12:00"),
      proposedTimes: [later],
    });
    expect(state.responses[WRITERS]?.recent).toEqual([
      { subject: "meeting:aug-4", from: la("2023-08-01T12:00"), to: la("2023-08-02T12:00"), minutes: 1440 },
    ]);
  });

  it.each(["accepted", "declined"] as const)("%s: nobody owes anything", (answer) => {
    const state = countered().and(
      fact(AMPTP, "meeting.answered", la("2023-08-02T18:00"), { meeting: "aug-4", answer }),
    ).state;
    expect(state.meetings["aug-4"]).toMatchObject({
      status: answer,
      awaiting: null,
      since: null,
      proposedTimes: [later],
    });
    expect(state.responses[STUDIOS]).toMatchObject({ count: 1, totalMinutes: 360 });
  });

  it("scheduled by the side that owed the answer: nobody owes anything and its response is timed", () => {
    // Sep 13: the WGA asks for a meeting; Sep 14: the AMPTP schedules one for next week.
    const state = bargaining().and(
      fact(WGA, "meeting.requested", la("2023-09-13T09:00"), {
        meeting: "sep-20",
        kind: "table",
        purpose: "Move negotiations forward.",
      }),
      fact(AMPTP, "meeting.scheduled", la("2023-09-14T12:00"), {
        meeting: "sep-20",
        kind: "table",
        start: la("2023-09-20T10:00"),
        end: la("2023-09-20T18:00"),
        link: "https://meet.example.org/sep-20",
      }),
    ).state;
    expect(state.meetings["sep-20"]).toMatchObject({
      status: "scheduled",
      awaiting: null,
      since: null,
      start: la("2023-09-20T10:00"),
      end: la("2023-09-20T18:00"),
      place: "https://meet.example.org/sep-20",
      purpose: "Move negotiations forward.",
      requestedBy: WRITERS,
    });
    expect(state.responses[STUDIOS]?.recent[0]?.minutes).toBe(27 * 60);
  });

  it("scheduled by the requester itself: the request is settled but no response is timed", () => {
    const state = invited().and(
      fact(AMPTP, "meeting.scheduled", la("2023-08-02T12:00"), {
        meeting: "aug-4",
        kind: "table",
        ...aug4,
        place: "Sherman Oaks",
      }),
    ).state;
    expect(state.meetings["aug-4"]).toMatchObject({
      status: "scheduled",
      awaiting: null,
      place: "Sherman Oaks",
    });
    expect(state.responses).toEqual({});
  });

  it("held: the start and attendees are recorded and the request is settled", () => {
    const state = invited().and(
      fact(WGA, "meeting.held", la("2023-08-04T12:00"), {
        meeting: "aug-4",
        start: la("2023-08-04T10:15"),
        attendees: [
          { name: "Ellen Stutzman", org: WGA },
          { name: "Carol Lombardini", org: AMPTP },
        ],
      }),
    ).state;
    expect(state.meetings["aug-4"]).toMatchObject({
      status: "held",
      start: la("2023-08-04T10:15"),
      heldAt: la("2023-08-04T10:15"),
      end: null,
      attendees: 2,
      awaiting: null,
    });
  });

  it("held without times: the scheduled start counts, else when it was recorded", () => {
    const scheduled = invited().and(
      fact(AMPTP, "meeting.scheduled", la("2023-08-02T12:00"), { meeting: "aug-4", kind: "table", ...aug4 }),
      fact(WGA, "meeting.held", la("2023-08-04T12:00"), { meeting: "aug-4" }),
    ).state;
    expect(scheduled.meetings["aug-4"]).toMatchObject({ heldAt: aug4.start, end: aug4.end });
    const unscheduled = invited().and(
      fact(WGA, "meeting.held", la("2023-08-04T12:00"), { meeting: "aug-4" }),
    ).state;
    expect(unscheduled.meetings["aug-4"]?.heldAt).toBe(la("2023-08-04T12:00"));
  });

  it("postponed without a new time, then to a new time", () => {
    const postponed = invited().and(
      fact(AMPTP, "meeting.scheduled", la("2023-08-02T12:00"), { meeting: "aug-4", kind: "table", ...aug4 }),
      fact(AMPTP, "meeting.postponed", la("2023-08-03T12:00"), { meeting: "aug-4", reason: "Travel" }),
    );
    expect(postponed.state.meetings["aug-4"]).toMatchObject({ status: "postponed", start: null, end: null });
    const moved = postponed.and(
      fact(AMPTP, "meeting.postponed", la("2023-08-03T13:00"), {
        meeting: "aug-4",
        start: la("2023-08-07T10:00"),
        end: la("2023-08-07T11:00"),
      }),
    ).state;
    expect(moved.meetings["aug-4"]).toMatchObject({ status: "scheduled", start: la("2023-08-07T10:00") });
  });

  it("postponing a request that was never answered leaves nobody owing an answer they could not give", () => {
    const postponed = invited().and(
      fact(AMPTP, "meeting.postponed", la("2023-08-02T12:00"), {
        meeting: "aug-4",
        start: la("2023-08-08T10:00"),
        end: la("2023-08-08T11:00"),
      }),
    );
    expect(postponed.state.meetings["aug-4"]).toMatchObject({
      status: "scheduled",
      awaiting: null,
      since: null,
    });
    // and indeed no answer can be given any more
    postponed
      .when(
        command(WGA, "meeting.answered", la("2023-08-03T12:00"), { meeting: "aug-4", answer: "accepted" }),
      )
      .thenFails("MEETING_NOT_AWAITING_ANSWER");
  });

  it("cancelled: nobody owes anything", () => {
    const state = invited().and(
      fact(AMPTP, "meeting.cancelled", la("2023-08-03T12:00"), { meeting: "aug-4" }),
    ).state;
    expect(state.meetings["aug-4"]).toMatchObject({ status: "cancelled", awaiting: null, since: null });
  });
});

describe("evolve: stoppages, statements, requests, impact, publication", () => {
  it("a strike starts, SAG-AFTRA joins it, and it ends", () => {
    const state = bargaining().and(
      strikeStarted,
      fact(ORG.sag.id, "organization.registered", la("2023-06-05T12:00"), { org: ORG.sag }),
      fact(ORG.sag.id, "stoppage.joined", la("2023-07-14T00:01"), {
        stoppage: "wga-strike-2023",
        org: ORG.sag.id,
        at: la("2023-07-14T00:01"),
        workers: 160000,
      }),
      fact(WGA, "stoppage.ended", STRIKE_END, { stoppage: "wga-strike-2023", end: STRIKE_END }),
    ).state;
    expect(state.stoppages["wga-strike-2023"]).toEqual({
      id: "wga-strike-2023",
      kind: "strike",
      by: [WGA, WGA_EAST, ORG.sag.id],
      against: [AMPTP],
      start: STRIKE_START,
      end: STRIKE_END,
      workers: null,
      joined: [{ org: ORG.sag.id, at: la("2023-07-14T00:01"), workers: 160000 }],
    });
  });

  it("keeps the count of statements and only the most recent ones", () => {
    const statements = Array.from({ length: RECENT_LIMIT + 5 }, (_, i) =>
      fact(
        WGA,
        "statement.made",
        new Date(Date.parse(la("2023-05-02T09:00")) + i * 86_400_000).toISOString(),
        {
          by: WGA,
          channel: "social",
          text: `Picket update ${i + 1}`,
        },
      ),
    );
    const state = given(...TABLE, ...statements).state;
    expect(state.statements.count).toBe(RECENT_LIMIT + 5);
    expect(state.statements.recent).toHaveLength(RECENT_LIMIT);
    expect(state.statements.recent[0]?.text).toBe("Picket update 6");
    expect(state.statements.recent.at(-1)?.text).toBe(`Picket update ${RECENT_LIMIT + 5}`);
  });

  it("keeps response times bounded too, with totals over all of them", () => {
    const passes: Fact[] = [];
    for (let i = 0; i < 2 * (RECENT_LIMIT + 5); i++) {
      const at = new Date(Date.parse(la("2023-05-02T09:00")) + i * 3_600_000).toISOString();
      passes.push(pass(i % 2 === 0 ? AMPTP : WGA, at, [{ issue: "wages", language: `round ${i}` }]));
    }
    const writers = bargaining().and(...passes).state.responses[WRITERS];
    expect(writers?.count).toBe(RECENT_LIMIT + 5);
    expect(writers?.totalMinutes).toBe(60 * (RECENT_LIMIT + 5));
    expect(writers?.recent).toHaveLength(RECENT_LIMIT);
  });

  it("a request for comment is answered once: the first answer stands", () => {
    const state = bargaining().and(
      fact(PRESS, "comment.requested", la("2023-08-22T14:00"), {
        request: "press-aug-22",
        to: AMPTP,
        question: "Why publish the offer now?",
        deadline: la("2023-08-23T17:00"),
      }),
      fact(AMPTP, "comment.answered", la("2023-08-22T16:00"), {
        request: "press-aug-22",
        response: "declined",
      }),
      fact(AMPTP, "comment.answered", la("2023-08-22T17:00"), {
        request: "press-aug-22",
        response: "responded",
      }),
    ).state;
    expect(state.requests["press-aug-22"]).toEqual({
      id: "press-aug-22",
      from: PRESS,
      to: AMPTP,
      askedAt: la("2023-08-22T14:00"),
      deadline: la("2023-08-23T17:00"),
      question: "Why publish the offer now?",
      response: { kind: "declined", at: la("2023-08-22T16:00") },
    });
  });

  it("a later report of the same figure replaces the earlier one", () => {
    const report = (value: string, asOf: string, at: string) =>
      fact(PRESS, "impact.reported", at, {
        figure: "milken-california",
        what: "Loss to the California economy",
        value,
        unit: "USD",
        asOf,
        method: "Regional multiplier estimate",
        source: { name: "Milken Institute" },
      });
    const state = bargaining().and(
      report("4000000000", "2023-07-31", la("2023-08-01T12:00")),
      report("5000000000", "2023-09-15", la("2023-09-16T12:00")),
    ).state;
    expect(state.impact["milken-california"]).toMatchObject({
      value: "5000000000",
      asOf: "2023-09-15",
      reportedBy: PRESS,
      seq: 11,
    });
  });

  it("publication and correction are recorded against the entry they reference", () => {
    const state = bargaining().and(
      amptpAug11Wages,
      fact(AMPTP, "entry.corrected", la("2023-08-12T09:00"), {
        entry: 10,
        action: "correct",
        reason: "Typo",
        text: "…",
      }),
      fact(AMPTP, "entry.published", la("2023-08-22T12:20"), { entry: 10 }, "public"),
      fact(AMPTP, "entry.corrected", la("2023-08-23T09:00"), {
        entry: 10,
        action: "retract",
        reason: "Superseded",
      }),
    ).state;
    expect(state.published).toEqual({ "10": { by: 12, at: la("2023-08-22T12:20") } });
    expect(state.corrections).toEqual({ "10": { by: 13, action: "retract", at: la("2023-08-23T09:00") } });
  });

  it("a corrected statement shows its new words and a retracted figure is marked", () => {
    const base = bargaining();
    const first = base.state.lastSeq + 1;
    const state = base.and(
      fact(
        AMPTP,
        "statement.made",
        la("2023-09-13T12:00"),
        {
          by: "amptp",
          channel: "press-release",
          text: "The guild asked to meet.",
        },
        "public",
      ),
      fact(
        AMPTP,
        "impact.reported",
        la("2023-09-13T13:00"),
        {
          figure: "guess",
          what: "Losses",
          value: "1",
          unit: "USD bn",
          asOf: "2023-09-13",
          method: "A guess",
          source: { name: "Nobody" },
        },
        "public",
      ),
      fact(AMPTP, "entry.corrected", la("2023-09-13T14:00"), {
        entry: first,
        action: "correct",
        reason: "Wrong day",
        text: "The guild asked to meet on Wednesday.",
      }),
      fact(AMPTP, "entry.corrected", la("2023-09-13T15:00"), {
        entry: first + 1,
        action: "retract",
        reason: "Unsourced",
      }),
    ).state;
    const statement = state.statements.recent.find((st) => st.seq === first);
    expect(statement?.text).toBe("The guild asked to meet.");
    expect(statement?.correction).toEqual({
      action: "correct",
      seq: first + 2,
      text: "The guild asked to meet on Wednesday.",
    });
    expect(state.impact.guess?.correction).toEqual({ action: "retract", seq: first + 3 });
  });
});

// ---------------------------------------------------------------------------------------------
// Totality
// ---------------------------------------------------------------------------------------------

const objectProps = () => Object.getOwnPropertyNames(Object).sort();

describe("evolve is total", () => {
  const strays: [string, Fact][] = [
    [
      "a party joining before the dispute exists",
      fact(WGA, "party.joined", la("2023-03-19T10:00"), { org: ORG.wgaWest, side: WRITERS }),
    ],
    [
      "a pass by an organization not at the table",
      pass(PRESS, la("2023-05-01T10:00"), [{ issue: "wages", language: "x" }]),
    ],
    [
      "a pass on an issue never opened",
      pass(WGA, la("2023-05-01T10:00"), [{ issue: "health-plan", language: "x" }]),
    ],
    [
      "a withdrawal of an unknown issue",
      fact(WGA, "issue.withdrawn", la("2023-05-01T10:00"), { issue: "health-plan" }),
    ],
    [
      "an answer to an unknown meeting",
      fact(WGA, "meeting.answered", la("2023-08-02T12:00"), { meeting: "aug-4", answer: "accepted" }),
    ],
    ["holding an unknown meeting", fact(WGA, "meeting.held", la("2023-08-04T12:00"), { meeting: "aug-4" })],
    [
      "postponing an unknown meeting",
      fact(WGA, "meeting.postponed", la("2023-08-04T12:00"), { meeting: "aug-4" }),
    ],
    [
      "cancelling an unknown meeting",
      fact(WGA, "meeting.cancelled", la("2023-08-04T12:00"), { meeting: "aug-4" }),
    ],
    [
      "joining an unknown stoppage",
      fact(WGA, "stoppage.joined", la("2023-07-14T00:01"), {
        stoppage: "x",
        org: "sag-aftra",
        at: la("2023-07-14T00:01"),
      }),
    ],
    [
      "ending an unknown stoppage",
      fact(WGA, "stoppage.ended", STRIKE_END, { stoppage: "x", end: STRIKE_END }),
    ],
    [
      "answering an unknown request",
      fact(AMPTP, "comment.answered", la("2023-08-22T16:00"), { request: "x", response: "declined" }),
    ],
    [
      "representation updated by a stranger",
      fact("stranger", "representation.updated", la("2023-04-01T10:00"), { remove: ["netflix"] }),
    ],
    [
      "a vote with no tentative agreement",
      fact(WGA, "agreement.voted", la("2023-10-09T18:00"), {
        result: "rejected",
        vote: { yes: 1, no: 2 },
        votingClosed: "2023-10-09",
      }),
    ],
    [
      "a stoppage ending before it starts",
      fact(WGA, "stoppage.ended", la("2023-04-01T00:01"), {
        stoppage: "wga-strike-2023",
        end: la("2023-04-01T00:01"),
      }),
    ],
  ];

  it.each(strays)("folds %s without throwing", (_label, stray) => {
    const before = structuredClone(bargaining().and(strikeStarted).state);
    const after = bargaining().and(strikeStarted, stray).state;
    expect(after.entries).toBe(before.entries + 1);
    // entries that refer to nothing change nothing else
    expect(after.issues).toEqual(before.issues);
  });

  it("a countersignature whose TA this fold lacks (a viewer may not see it) counts as one signature", () => {
    const state = bargaining().and(
      fact(AMPTP, "ta.signed", la("2023-09-24T19:30"), { issues: ["ai"], countersigns: 999 }),
    ).state;
    expect(state.tas["10"]).toMatchObject({ signedBy: [STUDIOS], completedAt: null });
    expect(state.issues.ai).toMatchObject({ status: "open", awaiting: WRITERS });
  });

  it("also folds the same strays on an empty state", () => {
    const s = initialState(DISPUTE);
    for (const [i, [, f]] of strays.entries()) evolve(s, toEntry(factDraft(f), i, f.org));
    expect(s.entries).toBe(strays.length);
    expect(s.opened).toBeNull();
  });

  it("'constructor' is an ordinary id: no throw, no pollution of Object, and the records are created", () => {
    // Regression for the own-property fix: these threw (party.joined, stoppage.joined,
    // representation.updated) or silently wrote onto the global Object function.
    const props = objectProps();
    const C = "constructor";
    const state = given(
      ...TABLE,
      fact(C, "party.joined", la("2023-03-21T10:00"), {
        org: { id: C, name: "Constructor Local 1", shortName: "Local 1", kind: "union" },
        side: WRITERS,
      }),
      fact(AMPTP, "representation.updated", la("2023-03-21T10:00"), { remove: [C] }),
      fact(C, "issue.opened", la("2023-03-21T11:00"), { issue: C, title: "Constructors' pay" }),
      pass(AMPTP, la("2023-05-01T10:00"), [{ issue: C, language: "x" }]),
      fact(AMPTP, "meeting.answered", la("2023-08-02T12:00"), { meeting: C, answer: "accepted" }),
      fact(C, "meeting.requested", la("2023-08-01T12:00"), { meeting: C, kind: "table", purpose: "Meet" }),
      fact(AMPTP, "meeting.held", la("2023-08-04T12:00"), { meeting: C }),
      fact(C, "stoppage.joined", la("2023-07-14T00:01"), { stoppage: C, org: C, at: la("2023-07-14T00:01") }),
      fact(C, "stoppage.started", STRIKE_START, {
        stoppage: C,
        kind: "strike",
        by: [C],
        against: [AMPTP],
        start: STRIKE_START,
      }),
      fact(C, "stoppage.ended", STRIKE_END, { stoppage: C, end: STRIKE_END }),
      fact(AMPTP, "comment.answered", la("2023-08-22T16:00"), { request: C, response: "declined" }),
      fact(PRESS, "comment.requested", la("2023-08-22T14:00"), {
        request: C,
        to: C,
        question: "?",
        deadline: la("2023-08-23T14:00"),
      }),
    ).state;
    expect(objectProps()).toEqual(props);
    expect(state.orgs[C]).toMatchObject({ side: WRITERS, shortName: "Local 1" });
    expect(state.issues[C]).toMatchObject({ raisedBy: WRITERS, passes: 1, awaiting: WRITERS });
    expect(state.meetings[C]).toMatchObject({ status: "held", requestedBy: WRITERS });
    expect(state.stoppages[C]).toMatchObject({ by: [C], end: STRIKE_END, joined: [] });
    expect(state.requests[C]).toMatchObject({ to: C, response: null });
    expect(status(state, la("2023-09-30T12:00")).stoppages.map((s) => s.organizations)).toEqual([["WGA"]]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const V = {
  orgs: [WGA, WGA_EAST, AMPTP, PRESS, "showrunners", "netflix", "constructor"],
  sides: [WRITERS, STUDIOS, "directors"],
  issues: ["wages", "ai", "staffing", "constructor"],
  meetings: ["aug-4", "constructor"],
  stoppages: ["wga-strike-2023", "constructor"],
  requests: ["press-aug-22", "constructor"],
  companies: [ORG.disney, ORG.netflix, ORG.wbd],
};
const KNOWN: Record<string, (typeof ORG)[keyof typeof ORG]> = Object.fromEntries(
  Object.values(ORG).map((o) => [o.id, o]),
);
const orgObject = (id: string) =>
  (Object.hasOwn(KNOWN, id) ? KNOWN[id] : undefined) ?? {
    id,
    name: `Organization ${id}`,
    shortName: id,
    kind: "other" as const,
  };

const BASE = Date.parse(la("2023-03-20T09:00"));
const HOUR = 3_600_000;
const instant = fc.integer({ min: 0, max: 300 * 24 }).map((h) => new Date(BASE + h * HOUR).toISOString());
/** Stoppages sometimes start long ago (the 1960 writers' strike), before the holiday tables. */
const stoppageStart = fc.oneof(instant, fc.constant("1960-01-16T08:00:00.000Z"));
const date = instant.map((i) => i.slice(0, 10));
const slot = fc.tuple(instant, fc.integer({ min: -3, max: 8 })).map(([start, h]) => ({
  start,
  end: new Date(Date.parse(start) + h * HOUR).toISOString(),
}));
const decimal = fc.oneof(
  fc.constantFrom("3.5", "4", "5", "0", "-1", "13.02", "10", "9"),
  fc.nat().map(String),
);
/** A sequence number; LATEST stands for "the latest TA / own entry", resolved when the command runs. */
const LATEST = -1;
const ref = fc.oneof(
  { weight: 1, arbitrary: fc.nat({ max: 40 }) },
  { weight: 3, arbitrary: fc.constant(LATEST) },
);
const text = fc.constantFrom(
  "Minimums increase 5% / 4% / 3.5%.",
  "AI is not literary material.",
  "Neither nothing, nor nearly enough.",
);
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const some = <T>(xs: readonly T[], max = 3) => fc.subarray([...xs], { maxLength: max });
/** Drops undefined keys, as a JSON body would. */
const compact = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const bodies: { [T in EntryType]: fc.Arbitrary<Record<string, unknown>> } = {
  "dispute.opened": fc.boolean().map((dup) => ({
    title: "WGA–AMPTP 2023",
    timeZone: "America/Los_Angeles",
    agreement: { name: MBA, expiresAt: null },
    sides: [
      { id: WRITERS, name: "Writers Guild of America", shortName: "WGA" },
      { id: dup ? WRITERS : STUDIOS, name: "AMPTP", shortName: "AMPTP" },
    ],
  })),
  "party.joined": fc.record({
    org: pick(V.orgs).map(orgObject),
    side: pick(V.sides),
    represents: some(V.companies),
  }),
  "organization.registered": fc.record({ org: pick(V.orgs).map(orgObject) }),
  "representation.updated": fc.record({ add: some(V.companies), remove: some(V.orgs) }),
  "issue.opened": fc.record({ issue: pick(V.issues), title: fc.constant("An issue") }),
  "issue.withdrawn": fc.record({ issue: pick(V.issues) }),
  "issue.dropped": fc.record({ issue: pick(V.issues) }),
  "pass.made": fc.record({
    kind: pick(["proposal", "counterproposal"] as const),
    issues: fc.uniqueArray(
      fc.record({
        issue: pick(V.issues),
        language: text,
        terms: fc.array(
          fc.record({ key: pick(["year-1", "year-2"]), value: decimal, unit: fc.constant("percent") }),
          { maxLength: 2 },
        ),
      }),
      { minLength: 1, maxLength: 3, selector: (i) => i.issue },
    ),
  }),
  "ta.signed": fc
    .record({
      issues: fc.array(pick(V.issues), { minLength: 1, maxLength: 3 }),
      wholeAgreement: fc.boolean(),
      countersigns: opt(ref),
    })
    .map(compact),
  "agreement.voted": fc.record({
    result: pick(["ratified", "rejected"] as const),
    vote: fc.record({ yes: fc.nat(), no: fc.nat() }),
    votingClosed: date,
  }),
  "meeting.requested": fc.record({
    meeting: pick(V.meetings),
    kind: pick(["table", "side"] as const),
    purpose: text,
    proposedTimes: fc.array(slot, { maxLength: 2 }),
    with: some(V.orgs, 2),
  }),
  "meeting.answered": fc.record({
    meeting: pick(V.meetings),
    answer: pick(["accepted", "declined", "countered"] as const),
    proposedTimes: fc.array(slot, { maxLength: 2 }),
  }),
  "meeting.scheduled": fc
    .record({
      meeting: pick(V.meetings),
      kind: pick(["table", "caucus", "side"] as const),
      slot,
      place: opt(fc.constant("Sherman Oaks")),
    })
    .map(({ slot: s, ...rest }) => compact({ ...rest, ...s })),
  "meeting.held": fc
    .record({
      meeting: pick(V.meetings),
      start: opt(instant),
      end: opt(instant),
      attendees: fc.array(fc.record({ name: fc.constant("Ellen Stutzman"), org: pick(V.orgs) }), {
        maxLength: 2,
      }),
    })
    .map(compact),
  "meeting.postponed": fc
    .record({ meeting: pick(V.meetings), slot: opt(slot) })
    .map(({ meeting, slot: s }) => ({ meeting, ...s })),
  "meeting.cancelled": fc.record({ meeting: pick(V.meetings) }),
  "note.recorded": fc.record({ meeting: opt(pick(V.meetings)), text }).map(compact),
  "stoppage.started": fc
    .record({
      stoppage: pick(V.stoppages),
      kind: pick(["strike", "lockout"] as const),
      by: fc.array(pick(V.orgs), { minLength: 1, maxLength: 2 }),
      against: fc.array(pick(V.orgs), { minLength: 1, maxLength: 2 }),
      start: stoppageStart,
      workers: opt(fc.integer({ min: 1, max: 200_000 })),
    })
    .map(compact),
  "stoppage.joined": fc
    .record({
      stoppage: pick(V.stoppages),
      org: pick(V.orgs),
      at: instant,
      workers: opt(fc.integer({ min: 1, max: 200_000 })),
    })
    .map(compact),
  "stoppage.ended": fc.record({ stoppage: pick(V.stoppages), end: instant }),
  "statement.made": fc.record({
    by: pick(V.orgs),
    channel: pick(["press-release", "social"] as const),
    text,
  }),
  "comment.requested": fc.record({
    request: pick(V.requests),
    to: pick([WGA, AMPTP, ...V.orgs]),
    question: text,
    deadline: instant,
  }),
  "comment.answered": fc.record({
    request: pick(V.requests),
    response: pick(["responded", "declined"] as const),
  }),
  "impact.reported": fc
    .record({ value: opt(decimal), low: opt(decimal), high: opt(decimal), asOf: date })
    .map((r) =>
      compact({
        figure: "milken-california",
        what: "Loss",
        unit: "USD",
        method: "Estimate",
        source: { name: "Milken Institute" },
        ...r,
      }),
    ),
  "entry.published": fc.record({ entry: ref }),
  "entry.corrected": fc
    .record({
      entry: ref,
      action: pick(["correct", "retract"] as const),
      reason: fc.constant("Typo"),
      text: opt(text),
    })
    .map(compact),
};

/** How often each type comes up: moves that need earlier moves come up more. */
const WEIGHTS: Partial<Record<EntryType, number>> = {
  "pass.made": 8,
  "ta.signed": 6,
  "meeting.requested": 4,
  "meeting.answered": 6,
  "meeting.scheduled": 3,
  "meeting.held": 3,
  "meeting.postponed": 3,
  "stoppage.started": 2,
  "stoppage.joined": 3,
  "stoppage.ended": 2,
  "comment.requested": 2,
  "comment.answered": 4,
  "agreement.voted": 2,
};

/** A schema-valid-looking command from the small vocabulary (decide may still reject it). */
const commandArb: fc.Arbitrary<Command> = fc
  .record({
    org: fc.oneof(
      { weight: 5, arbitrary: pick([WGA, WGA_EAST, AMPTP]) },
      { weight: 1, arbitrary: pick(V.orgs) },
    ),
    at: instant,
    visibility: pick(["private", "members", "table", "public"] as const),
    body: fc.oneof(
      ...(Object.entries(bodies) as [EntryType, fc.Arbitrary<Record<string, unknown>>][]).map(
        ([type, arb]) => ({
          weight: WEIGHTS[type] ?? 1,
          arbitrary: arb.map((payload) => ({ type, payload })),
        }),
      ),
    ),
  })
  .map(({ org, at, visibility, body }) => command(org, body.type, at, body.payload, visibility));

/** Replaces LATEST refs: the newest incomplete TA for a countersignature, the actor's newest entry otherwise. */
function resolve(cmd: Command, state: DisputeState, entries: readonly AnyEntry[]): Command {
  const p = cmd.payload as Record<string, unknown>;
  if (cmd.type === "ta.signed" && p.countersigns === LATEST) {
    const open = Object.values(state.tas).filter((t) => t.completedAt === null);
    return {
      ...cmd,
      payload: { ...p, countersigns: open.at(-1)?.seq ?? 999, issues: open.at(-1)?.issues ?? p.issues },
    };
  }
  if ((cmd.type === "entry.published" || cmd.type === "entry.corrected") && p.entry === LATEST) {
    const mine = entries.filter((e) => e.actor.org === cmd.actor.org);
    return { ...cmd, payload: { ...p, entry: mine.at(-1)?.seq ?? 999 } };
  }
  return cmd;
}

/** Whose-move invariants that must hold after every accepted entry. */
function checkInvariants(s: DisputeState): void {
  const sides = Object.keys(s.sides);
  for (const i of Object.values(s.issues)) {
    if (i.status !== "open") expect([i.id, i.awaiting, i.since]).toEqual([i.id, null, null]);
    if (i.awaiting !== null) {
      expect(sides).toContain(i.awaiting);
      expect(i.since).not.toBeNull();
    }
  }
  for (const m of Object.values(s.meetings)) {
    if (m.awaiting !== null) {
      expect(["requested", "countered"]).toContain(m.status);
      expect(sides).toContain(m.awaiting);
    }
  }
  if (s.opened?.agreement.status === "tentative") {
    expect(Object.values(s.tas).some((t) => t.wholeAgreement && t.completedAt !== null)).toBe(true);
  }
  for (const r of Object.values(s.responses))
    expect(r.recent.every((x) => x.minutes <= r.maxMinutes)).toBe(true);
}

describe("properties", () => {
  it("whatever decide accepts folds with evolve, keeps the whose-move invariants, and status can show it", () => {
    const props = objectProps();
    fc.assert(
      fc.property(
        fc.nat({ max: 4 }).map((n) => n > 0),
        fc.array(commandArb, { maxLength: 80, size: "max" }),
        (fromTable, cmds) => {
          const entries: AnyEntry[] = fromTable ? given(...TABLE, ...DEMANDS).entries.slice() : [];
          const state = fold(DISPUTE, entries);
          const refs = new Map<number, RefInfo>(
            entries.map((e) => [
              e.seq,
              { seq: e.seq, type: e.type, org: e.actor.org, visibility: e.visibility, payload: e.payload },
            ]),
          );
          // decide sees the state as of the command's occurrence: feed commands in time order
          const ordered = [...cmds].sort((a, b) => String(a.occurredAt).localeCompare(String(b.occurredAt)));
          let accepted = 0;
          for (const generated of ordered) {
            const cmd = resolve(generated, state, entries);
            const before = JSON.stringify(state);
            let drafts: ReturnType<typeof decide>;
            try {
              drafts = decide(cmd, state, { now: NOW, refs });
            } catch (error) {
              if (!(error instanceof ParleyError)) throw error; // only stable, coded errors
              expect(JSON.stringify(state)).toBe(before); // a rejection changes nothing
              continue;
            }
            expect(JSON.stringify(state)).toBe(before); // decide is pure
            for (const d of drafts) {
              const e = toEntry(d, entries.length, cmd.actor.org);
              entries.push(e);
              refs.set(e.seq, {
                seq: e.seq,
                type: e.type,
                org: e.actor.org,
                visibility: e.visibility,
                payload: e.payload,
              });
              evolve(state, e);
              accepted++;
            }
            checkInvariants(state);
          }
          // the incremental state is the fold of the same entries
          expect(fold(DISPUTE, entries)).toEqual(state);
          if (state.opened) {
            const asOf = new Date(
              (state.lastOccurredAt ? Date.parse(state.lastOccurredAt) : BASE) + 24 * HOUR,
            ).toISOString();
            const view = status(state, asOf);
            expect(view.entries).toBe(entries.length);
          }
          return accepted >= 0;
        },
      ),
      { numRuns: 200 },
    );
    expect(objectProps()).toEqual(props);
  });

  it("evolve never throws, even for schema-valid entries decide would reject, in any order", () => {
    const props = objectProps();
    const entryArb = commandArb
      .map((c) => resolve(c, initialState(DISPUTE), []))
      .filter((c) => PAYLOADS[c.type as EntryType].safeParse(c.payload).success)
      .map((c) => ({
        org: c.actor.org,
        type: c.type as EntryType,
        occurredAt: c.occurredAt as string,
        visibility: "table" as const,
        payload: c.payload,
      }));
    fc.assert(
      fc.property(fc.boolean(), fc.array(entryArb, { maxLength: 80, size: "max" }), (fromTable, facts) => {
        const background = fromTable ? [...TABLE, ...DEMANDS] : [];
        const all = [...background, ...facts];
        const state = initialState(DISPUTE);
        for (const [i, f] of all.entries()) evolve(state, toEntry(factDraft(f), i, f.org));
        expect(state.entries).toBe(all.length);
      }),
      { numRuns: 200 },
    );
    expect(objectProps()).toEqual(props);
  });
});
