import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERRORS } from "../../src/domain/errors.ts";
import { ENTRY_TYPES } from "../../src/domain/events.ts";
import {
  amptpAug11Wages,
  command,
  DEMANDS,
  draft,
  fact,
  given,
  ISSUES,
  issueOpened,
  LA,
  la,
  MBA,
  ORG,
  opened,
  pass,
  STRIKE_END,
  STRIKE_START,
  STUDIOS,
  strikeStarted,
  TABLE,
  WRITERS,
  wgaEastJoins,
  wgaWestJoins,
} from "./spec.ts";

const WGA = ORG.wgaWest.id;
const WGA_EAST = ORG.wgaEast.id;
const AMPTP = ORG.amptp.id;
const PRESS = ORG.press.id;

/** Seq numbers of the background facts: TABLE is 0–4, DEMANDS 5–9. */
const SEQ = { opened: 0, wgaWest: 1, wgaEast: 2, amptp: 3, press: 4, wages: 5, staffing: 6, ai: 7 } as const;

/** The table with the WGA's pattern of demands on it. */
const bargaining = () => given(...TABLE, ...DEMANDS);

const openedPayload = {
  title: "WGA–AMPTP 2023 MBA negotiation",
  timeZone: LA,
  agreement: { name: MBA, expiresAt: "2023-05-02T06:59:00.000Z" },
  sides: [
    { id: WRITERS, name: "Writers Guild of America", shortName: "WGA" },
    { id: STUDIOS, name: "Alliance of Motion Picture and Television Producers", shortName: "AMPTP" },
  ],
};

describe("decide: the envelope of every command", () => {
  it("rejects an unknown entry type", () => {
    bargaining()
      .when(command(WGA, "strike.called", la("2023-05-02T00:01"), {}))
      .thenFails("VALIDATION_FAILED", /unknown entry type "strike\.called"/);
  });

  it("normalizes occurredAt to the millisecond form and keeps the chosen visibility", () => {
    bargaining()
      .when(
        command(
          WGA,
          "note.recorded",
          "2023-08-15T22:00:00Z",
          { text: "Caucus: hold on staffing." },
          "private",
        ),
      )
      .then([
        draft("note.recorded", "2023-08-15T22:00:00.000Z", { text: "Caucus: hold on staffing." }, "private"),
      ]);
  });

  it.each([
    ["a date without a time", "2023-08-11"],
    ["an offset instead of Z", "2023-08-11T15:00:00-07:00"],
    ["a day that does not exist", "2023-02-30T12:00:00Z"],
    ["a number", 1691791200000],
  ])("rejects occurredAt as %s", (_label, occurredAt) => {
    bargaining()
      .when(command(WGA, "note.recorded", occurredAt, { text: "x" }))
      .thenFails("VALIDATION_FAILED", /^occurredAt/);
  });

  it("rejects an unknown visibility", () => {
    bargaining()
      .when(command(WGA, "note.recorded", la("2023-08-15T15:00"), { text: "x" }, "secret"))
      .thenFails("VALIDATION_FAILED", /^visibility/);
  });

  it("rejects an occurredAt more than five minutes ahead of the clock, and allows small skew", () => {
    const now = "2023-09-14T19:00:00.000Z";
    const note = (at: string) => command(AMPTP, "note.recorded", at, { text: "Plan a meeting next week." });
    bargaining().when(note("2023-09-14T19:05:01.000Z"), { now }).thenFails("OCCURRED_IN_FUTURE");
    bargaining()
      .when(note("2023-09-14T19:04:00.000Z"), { now })
      .then([draft("note.recorded", "2023-09-14T19:04:00.000Z", { text: "Plan a meeting next week." })]);
  });

  describe("no floating point in signed payloads", () => {
    const wagesPass = (value: unknown) =>
      command(AMPTP, "pass.made", la("2023-08-11T15:00"), {
        kind: "counterproposal",
        issues: [
          {
            issue: "wages",
            language: "3.5% in year three",
            terms: [{ key: "year-3", value, unit: "percent" }],
          },
        ],
      });

    it("rejects a float deep in a pass, naming where it is", () => {
      bargaining()
        .when(wagesPass(3.5))
        .thenFails("FLOAT_IN_PAYLOAD", /at payload\.issues\[0\]\.terms\[0\]\.value$/);
    });

    it("rejects a float in a ratification vote's turnout", () => {
      bargaining()
        .when(
          command(WGA, "agreement.voted", la("2023-10-09T18:00"), {
            result: "ratified",
            vote: { yes: 8435, no: 90, turnout: 78.79 },
            votingClosed: "2023-10-09",
          }),
        )
        .thenFails("FLOAT_IN_PAYLOAD", /payload\.vote\.turnout/);
    });

    it("rejects a fractional worker count as a float, before any other check", () => {
      given()
        .when(
          command(WGA, "stoppage.started", STRIKE_START, {
            stoppage: "wga-strike-2023",
            kind: "strike",
            by: [WGA],
            against: [AMPTP],
            start: STRIKE_START,
            workers: 11499.5,
          }),
        )
        .thenFails("FLOAT_IN_PAYLOAD");
    });

    it("accepts the same figure as a decimal string", () => {
      bargaining()
        .when(wagesPass("3.5"))
        .then([
          draft("pass.made", la("2023-08-11T15:00"), {
            kind: "counterproposal",
            issues: [
              {
                issue: "wages",
                language: "3.5% in year three",
                terms: [{ key: "year-3", value: "3.5", unit: "percent" }],
              },
            ],
          }),
        ]);
    });

    it("rejects an integer number where a decimal string is required, as a schema error", () => {
      bargaining()
        .when(wagesPass(5))
        .thenFails("VALIDATION_FAILED", /payload\.issues\.0\.terms\.0\.value/);
    });
  });

  describe("schemas are strict", () => {
    it("rejects an unknown top-level field", () => {
      bargaining()
        .when(
          command(AMPTP, "pass.made", la("2023-08-11T15:00"), {
            kind: "counterproposal",
            issues: [{ issue: "wages", language: "5% / 4% / 3.5%" }],
            confidential: true,
          }),
        )
        .thenFails("VALIDATION_FAILED", /confidential/);
    });

    it("rejects an unknown field nested in an issue of a pass", () => {
      bargaining()
        .when(
          command(AMPTP, "pass.made", la("2023-08-11T15:00"), {
            kind: "counterproposal",
            issues: [{ issue: "wages", language: "5% / 4% / 3.5%", costPerYear: "97000000" }],
          }),
        )
        .thenFails("VALIDATION_FAILED", /^payload\.issues\.0.*costPerYear/);
    });

    it("rejects a missing payload", () => {
      bargaining()
        .when(command(WGA, "issue.opened", la("2023-03-20T11:00"), undefined))
        .thenFails("VALIDATION_FAILED");
    });
  });
});

describe("decide: dispute.opened", () => {
  it("opens a dispute with two sides", () => {
    given()
      .when(command(WGA, "dispute.opened", la("2023-03-20T10:00"), openedPayload))
      .then([draft("dispute.opened", la("2023-03-20T10:00"), openedPayload)]);
  });

  it("refuses to open it twice", () => {
    given(opened)
      .when(command(AMPTP, "dispute.opened", la("2023-03-21T10:00"), openedPayload))
      .thenFails("DISPUTE_ALREADY_OPENED");
  });

  it("requires exactly two sides", () => {
    const threeSides = {
      ...openedPayload,
      sides: [
        ...openedPayload.sides,
        { id: "directors", name: "Directors Guild of America", shortName: "DGA" },
      ],
    };
    given()
      .when(command(WGA, "dispute.opened", la("2023-03-20T10:00"), threeSides))
      .thenFails("VALIDATION_FAILED");
  });

  it("requires two distinct sides (the same side id twice is one side)", () => {
    const oneSide = {
      ...openedPayload,
      sides: [openedPayload.sides[0], { ...openedPayload.sides[0], name: "WGA again" }],
    };
    given()
      .when(command(WGA, "dispute.opened", la("2023-03-20T10:00"), oneSide))
      .thenFails("VALIDATION_FAILED", /two sides/);
  });

  it("requires an IANA time zone", () => {
    given()
      .when(
        command(WGA, "dispute.opened", la("2023-03-20T10:00"), {
          ...openedPayload,
          timeZone: "Pacific Time",
        }),
      )
      .thenFails("VALIDATION_FAILED", /timeZone/);
  });

  it("nothing but opening is possible before the dispute is opened", () => {
    given()
      .when(command(WGA, "party.joined", la("2023-03-20T10:05"), { org: ORG.wgaWest, side: WRITERS }))
      .thenFails("DISPUTE_NOT_OPENED");
    given()
      .when(command(WGA, "note.recorded", la("2023-03-20T10:05"), { text: "x" }))
      .thenFails("DISPUTE_NOT_OPENED");
  });
});

describe("decide: parties and organizations", () => {
  it("an organization takes its own seat on a side", () => {
    given(opened)
      .when(
        command(AMPTP, "party.joined", la("2023-03-20T10:10"), {
          org: ORG.amptp,
          side: STUDIOS,
          represents: [ORG.netflix],
        }),
      )
      .then([
        draft("party.joined", la("2023-03-20T10:10"), {
          org: ORG.amptp,
          side: STUDIOS,
          represents: [ORG.netflix],
        }),
      ]);
  });

  it("one organization cannot seat another (ORG_SELF_ONLY)", () => {
    given(opened)
      .when(command(AMPTP, "party.joined", la("2023-03-20T10:10"), { org: ORG.netflix, side: STUDIOS }))
      .thenFails("ORG_SELF_ONLY");
  });

  it("the side must exist (SIDE_UNKNOWN)", () => {
    given(opened)
      .when(command(WGA, "party.joined", la("2023-03-20T10:05"), { org: ORG.wgaWest, side: "directors" }))
      .thenFails("SIDE_UNKNOWN");
  });

  it("an organization sits on one side only (ORG_EXISTS)", () => {
    given(opened, wgaWestJoins)
      .when(command(WGA, "party.joined", la("2023-03-21T10:05"), { org: ORG.wgaWest, side: STUDIOS }))
      .thenFails("ORG_EXISTS", /already sits on a side/);
  });

  it("a registered non-party may later take a seat", () => {
    given(
      opened,
      wgaWestJoins,
      fact(WGA_EAST, "organization.registered", la("2023-03-20T10:06"), { org: ORG.wgaEast }),
    )
      .when(command(WGA_EAST, "party.joined", la("2023-03-20T10:07"), { org: ORG.wgaEast, side: WRITERS }))
      .then((state) => expect(state.orgs[WGA_EAST]?.side).toBe(WRITERS));
  });

  it("the press registers itself", () => {
    given(...TABLE)
      .when(
        command(ORG.wire.id, "organization.registered", la("2023-05-02T09:00"), { org: ORG.wire }, "public"),
      )
      .then([draft("organization.registered", la("2023-05-02T09:00"), { org: ORG.wire }, "public")]);
  });

  it("a party registers an organization that is not at the table", () => {
    given(...TABLE)
      .when(command(WGA, "organization.registered", la("2023-09-15T09:00"), { org: ORG.showrunners }))
      .then((state) =>
        expect(state.orgs.showrunners).toMatchObject({ shortName: "Showrunners", side: null }),
      );
  });

  it("a non-party cannot register others (ORG_NOT_A_PARTY)", () => {
    given(...TABLE)
      .when(command(PRESS, "organization.registered", la("2023-05-02T09:00"), { org: ORG.wire }))
      .thenFails("ORG_NOT_A_PARTY");
  });

  it("an organization is registered once (ORG_EXISTS)", () => {
    given(...TABLE)
      .when(command(PRESS, "organization.registered", la("2023-05-02T09:00"), { org: ORG.press }))
      .thenFails("ORG_EXISTS");
  });

  it("an organization that is not in the record cannot act (ORG_UNKNOWN)", () => {
    given(...TABLE)
      .when(
        command("unregistered-blog", "statement.made", la("2023-08-22T18:00"), {
          by: "unregistered-blog",
          channel: "other",
          text: "Sources say talks stalled.",
        }),
      )
      .thenFails("ORG_UNKNOWN", /unregistered-blog/);
  });

  it("'constructor' is an id like any other: unknown until registered", () => {
    // Guards the own-property fix: a bare record lookup found Object.prototype.constructor.
    given(...TABLE)
      .when(
        command("constructor", "statement.made", la("2023-08-22T18:00"), {
          by: "constructor",
          channel: "other",
          text: "x",
        }),
      )
      .thenFails("ORG_UNKNOWN");
    given(...TABLE)
      .when(
        command("constructor", "party.joined", la("2023-03-21T10:00"), {
          org: { id: "constructor", name: "Constructor Local 1", shortName: "Local 1", kind: "union" },
          side: WRITERS,
        }),
      )
      .then((state) => {
        expect(Object.hasOwn(state.orgs, "constructor")).toBe(true);
        expect(state.sides[WRITERS]?.orgs).toContain("constructor");
      });
  });

  it("a party updates whom it represents", () => {
    bargaining()
      .when(
        command(AMPTP, "representation.updated", la("2023-04-01T10:00"), {
          add: [{ id: "paramount", name: "Paramount Global", shortName: "Paramount", kind: "employer" }],
          remove: [ORG.wbd.id],
        }),
      )
      .then([
        draft("representation.updated", la("2023-04-01T10:00"), {
          add: [{ id: "paramount", name: "Paramount Global", shortName: "Paramount", kind: "employer" }],
          remove: [ORG.wbd.id],
        }),
      ]);
  });

  it("only a party updates representation (ORG_NOT_A_PARTY)", () => {
    bargaining()
      .when(command(PRESS, "representation.updated", la("2023-04-01T10:00"), { add: [ORG.netflix] }))
      .thenFails("ORG_NOT_A_PARTY", /parley-news does not sit at the table/);
  });
});

describe("decide: bargaining issues", () => {
  it("a party opens an issue", () => {
    given(...TABLE)
      .when(command(WGA, "issue.opened", la("2023-03-20T11:00"), ISSUES.ai))
      .then([draft("issue.opened", la("2023-03-20T11:00"), ISSUES.ai)]);
  });

  it("an issue id is opened once (ISSUE_EXISTS)", () => {
    bargaining()
      .when(command(AMPTP, "issue.opened", la("2023-03-21T11:00"), ISSUES.ai))
      .thenFails("ISSUE_EXISTS");
  });

  it("only a party opens an issue (ORG_NOT_A_PARTY)", () => {
    given(...TABLE)
      .when(
        command(PRESS, "issue.opened", la("2023-03-21T11:00"), {
          issue: "pensions",
          title: "Pension and health",
        }),
      )
      .thenFails("ORG_NOT_A_PARTY");
  });

  it("an issue id is a slug", () => {
    given(...TABLE)
      .when(
        command(WGA, "issue.opened", la("2023-03-21T11:00"), {
          issue: "Minimum Staffing",
          title: "Staffing",
        }),
      )
      .thenFails("VALIDATION_FAILED", /payload\.issue/);
  });

  it("the side that raised an issue withdraws it, whichever of its organizations acts", () => {
    bargaining()
      .when(
        command(WGA_EAST, "issue.withdrawn", la("2023-08-15T12:00"), {
          issue: "residuals",
          reason: "Folded into the bonus.",
        }),
      )
      .then([
        draft("issue.withdrawn", la("2023-08-15T12:00"), {
          issue: "residuals",
          reason: "Folded into the bonus.",
        }),
      ]);
  });

  it("the other side cannot withdraw it (ISSUE_NOT_OWN)", () => {
    bargaining()
      .when(command(AMPTP, "issue.withdrawn", la("2023-05-01T12:00"), { issue: "staffing" }))
      .thenFails("ISSUE_NOT_OWN");
  });

  it("withdrawing an unknown issue fails (ISSUE_UNKNOWN)", () => {
    bargaining()
      .when(command(WGA, "issue.withdrawn", la("2023-05-01T12:00"), { issue: "health-plan" }))
      .thenFails("ISSUE_UNKNOWN");
  });

  it("withdrawing twice fails (ISSUE_CLOSED)", () => {
    bargaining()
      .and(fact(WGA, "issue.withdrawn", la("2023-08-15T12:00"), { issue: "residuals" }))
      .when(command(WGA, "issue.withdrawn", la("2023-08-16T12:00"), { issue: "residuals" }))
      .thenFails("ISSUE_CLOSED", /withdrawn/);
  });

  it("either side may drop an issue off the table", () => {
    bargaining()
      .when(command(AMPTP, "issue.dropped", la("2023-09-22T12:00"), { issue: "residuals" }))
      .then([draft("issue.dropped", la("2023-09-22T12:00"), { issue: "residuals" })]);
  });

  it("dropping an issue already agreed fails (ISSUE_CLOSED)", () => {
    bargaining()
      .and(
        fact(WGA, "ta.signed", la("2023-09-24T19:00"), { issues: ["ai"] }),
        fact(AMPTP, "ta.signed", la("2023-09-24T19:30"), { issues: ["ai"], countersigns: 10 }),
      )
      .when(command(AMPTP, "issue.dropped", la("2023-09-25T12:00"), { issue: "ai" }))
      .thenFails("ISSUE_CLOSED", /tentatively-agreed/);
  });

  it("only a party drops an issue (ORG_NOT_A_PARTY)", () => {
    bargaining()
      .when(command(PRESS, "issue.dropped", la("2023-09-22T12:00"), { issue: "ai" }))
      .thenFails("ORG_NOT_A_PARTY");
  });
});

describe("decide: passes", () => {
  it("records the AMPTP's Aug 11 counterproposal as passed", () => {
    const p = amptpAug11Wages.payload as object;
    bargaining()
      .when(command(AMPTP, "pass.made", la("2023-08-11T15:00"), p))
      .then([
        draft("pass.made", la("2023-08-11T15:00"), {
          kind: "counterproposal",
          issues: [
            {
              issue: "wages",
              language: "Minimums increase 5% in the first year, 4% in the second and 3.5% in the third.",
              terms: [
                { key: "year-1", value: "5", unit: "percent" },
                { key: "year-2", value: "4", unit: "percent" },
                { key: "year-3", value: "3.5", unit: "percent" },
              ],
            },
          ],
        }),
      ]);
  });

  it("a package covers several issues at once", () => {
    bargaining()
      .when(
        command(WGA, "pass.made", la("2023-08-15T15:00"), {
          kind: "counterproposal",
          summary: "WGA counterproposal",
          issues: [
            { issue: "ai", language: "AI cannot write or rewrite literary material." },
            { issue: "viewership", language: "Total hours streamed, domestic and international." },
          ],
        }),
      )
      .then((_state, drafts) => {
        expect(drafts).toHaveLength(1);
        expect(drafts[0]?.payload).toMatchObject({
          issues: [
            { issue: "ai", terms: [] },
            { issue: "viewership", terms: [] },
          ],
        });
      });
  });

  const closers = {
    "tentatively agreed": [
      fact(WGA, "ta.signed", la("2023-09-24T19:00"), { issues: ["staffing"] }),
      fact(AMPTP, "ta.signed", la("2023-09-24T19:30"), { issues: ["staffing"], countersigns: 10 }),
    ],
    withdrawn: [fact(WGA, "issue.withdrawn", la("2023-09-01T12:00"), { issue: "staffing" })],
    dropped: [fact(AMPTP, "issue.dropped", la("2023-09-01T12:00"), { issue: "staffing" })],
  };
  it.each(Object.entries(closers))("a pass on an issue that was %s fails (ISSUE_CLOSED)", (_how, facts) => {
    bargaining()
      .and(...facts)
      .when(
        command(AMPTP, "pass.made", la("2023-09-25T10:00"), {
          kind: "counterproposal",
          issues: [{ issue: "staffing", language: "The showrunner decides staff size." }],
        }),
      )
      .thenFails("ISSUE_CLOSED", /^issue staffing is /);
  });

  it("a package fails whole when one of its issues is closed", () => {
    bargaining()
      .and(fact(WGA, "issue.withdrawn", la("2023-08-15T12:00"), { issue: "residuals" }))
      .when(
        command(WGA, "pass.made", la("2023-08-16T10:00"), {
          kind: "counterproposal",
          issues: [
            { issue: "ai", language: "..." },
            { issue: "residuals", language: "..." },
          ],
        }),
      )
      .thenFails("ISSUE_CLOSED", /residuals/);
  });

  it("a pass on an issue that was never opened fails (ISSUE_UNKNOWN)", () => {
    bargaining()
      .when(
        command(WGA, "pass.made", la("2023-05-01T10:00"), {
          kind: "proposal",
          issues: [{ issue: "health-plan", language: "..." }],
        }),
      )
      .thenFails("ISSUE_UNKNOWN", /health-plan/);
  });

  it("an issue may not appear twice in one pass", () => {
    bargaining()
      .when(
        command(WGA, "pass.made", la("2023-05-01T10:00"), {
          kind: "proposal",
          issues: [
            { issue: "ai", language: "one" },
            { issue: "ai", language: "two" },
          ],
        }),
      )
      .thenFails("VALIDATION_FAILED", /appears twice/);
  });

  it("a pass covers at least one issue", () => {
    bargaining()
      .when(command(WGA, "pass.made", la("2023-05-01T10:00"), { kind: "proposal", issues: [] }))
      .thenFails("VALIDATION_FAILED");
  });

  it("only a party passes (ORG_NOT_A_PARTY)", () => {
    bargaining()
      .when(
        command(PRESS, "pass.made", la("2023-05-01T10:00"), {
          kind: "proposal",
          issues: [{ issue: "ai", language: "..." }],
        }),
      )
      .thenFails("ORG_NOT_A_PARTY");
  });

  it("a pass is still possible while a one-sided TA waits for its countersignature", () => {
    bargaining()
      .and(fact(WGA, "ta.signed", la("2023-09-23T19:00"), { issues: ["ai"] }))
      .when(
        command(AMPTP, "pass.made", la("2023-09-24T10:00"), {
          kind: "counterproposal",
          issues: [{ issue: "ai", language: "..." }],
        }),
      )
      .then((state) => expect(state.issues.ai?.status).toBe("open"));
  });
});

describe("decide: tentative agreements", () => {
  it("one side signs first", () => {
    bargaining()
      .when(command(WGA, "ta.signed", la("2023-09-24T19:00"), { issues: ["ai", "viewership"] }))
      .then([
        draft("ta.signed", la("2023-09-24T19:00"), { issues: ["ai", "viewership"], wholeAgreement: false }),
      ]);
  });

  it("the other side countersigns by referencing it", () => {
    bargaining()
      .and(fact(WGA, "ta.signed", la("2023-09-24T19:00"), { issues: ["ai", "viewership"] }))
      .when(
        command(AMPTP, "ta.signed", la("2023-09-24T19:30"), {
          issues: ["viewership", "ai"],
          countersigns: 10,
        }),
      )
      .then([
        draft("ta.signed", la("2023-09-24T19:30"), {
          issues: ["viewership", "ai"],
          wholeAgreement: false,
          countersigns: 10,
        }),
      ]);
  });

  it("a countersignature by the same side fails, even from its other organization (TA_ALREADY_SIGNED)", () => {
    bargaining()
      .and(fact(WGA, "ta.signed", la("2023-09-24T19:00"), { issues: ["ai"] }))
      .when(command(WGA_EAST, "ta.signed", la("2023-09-24T19:10"), { issues: ["ai"], countersigns: 10 }))
      .thenFails("TA_ALREADY_SIGNED");
  });

  it("a third signature fails (TA_ALREADY_COMPLETE)", () => {
    bargaining()
      .and(
        fact(WGA, "ta.signed", la("2023-09-24T19:00"), { issues: ["ai"] }),
        fact(AMPTP, "ta.signed", la("2023-09-24T19:30"), { issues: ["ai"], countersigns: 10 }),
      )
      .when(command(WGA_EAST, "ta.signed", la("2023-09-24T19:40"), { issues: ["ai"], countersigns: 10 }))
      .thenFails("TA_ALREADY_COMPLETE");
  });

  it("a countersignature must reference a TA (TA_UNKNOWN)", () => {
    bargaining()
      .when(command(AMPTP, "ta.signed", la("2023-09-24T19:30"), { issues: ["ai"], countersigns: SEQ.ai }))
      .thenFails("TA_UNKNOWN", /entry 7/);
  });

  it("a countersignature covers exactly the issues of the TA", () => {
    bargaining()
      .and(fact(WGA, "ta.signed", la("2023-09-24T19:00"), { issues: ["ai", "viewership"] }))
      .when(command(AMPTP, "ta.signed", la("2023-09-24T19:30"), { issues: ["ai"], countersigns: 10 }))
      .thenFails("VALIDATION_FAILED", /exactly the issues/);
  });

  it("a TA on a withdrawn issue fails (ISSUE_CLOSED)", () => {
    bargaining()
      .and(fact(WGA, "issue.withdrawn", la("2023-08-15T12:00"), { issue: "residuals" }))
      .when(command(AMPTP, "ta.signed", la("2023-09-24T19:00"), { issues: ["residuals"] }))
      .thenFails("ISSUE_CLOSED");
  });

  it("a TA on an unknown issue fails (ISSUE_UNKNOWN)", () => {
    bargaining()
      .when(command(AMPTP, "ta.signed", la("2023-09-24T19:00"), { issues: ["health-plan"] }))
      .thenFails("ISSUE_UNKNOWN");
  });

  it("only a party signs (ORG_NOT_A_PARTY)", () => {
    bargaining()
      .when(command(PRESS, "ta.signed", la("2023-09-24T19:00"), { issues: ["ai"] }))
      .thenFails("ORG_NOT_A_PARTY");
  });
});

describe("decide: ratification", () => {
  const vote = {
    result: "ratified",
    vote: { yes: 8435, no: 90 },
    votingOpened: "2023-10-02",
    votingClosed: "2023-10-09",
    term: { start: "2023-09-25", end: "2026-05-01" },
  } as const;
  const wholeTa = [
    fact(WGA, "ta.signed", la("2023-09-24T19:00"), {
      issues: ["wages", "staffing", "ai", "viewership", "residuals"],
      wholeAgreement: true,
    }),
    fact(AMPTP, "ta.signed", la("2023-09-24T19:30"), {
      issues: ["wages", "staffing", "ai", "viewership", "residuals"],
      wholeAgreement: true,
      countersigns: 10,
    }),
  ];

  it("a vote before any TA fails (AGREEMENT_NOT_TENTATIVE)", () => {
    bargaining()
      .when(command(WGA, "agreement.voted", la("2023-10-09T18:00"), vote))
      .thenFails("AGREEMENT_NOT_TENTATIVE");
  });

  it("a TA on some issues is not a tentative agreement on the contract", () => {
    bargaining()
      .and(
        fact(WGA, "ta.signed", la("2023-09-20T19:00"), { issues: ["ai"] }),
        fact(AMPTP, "ta.signed", la("2023-09-20T19:30"), { issues: ["ai"], countersigns: 10 }),
      )
      .when(command(WGA, "agreement.voted", la("2023-10-09T18:00"), vote))
      .thenFails("AGREEMENT_NOT_TENTATIVE");
  });

  it("a whole-agreement TA signed by one side only is not enough", () => {
    bargaining()
      .and(wholeTa[0]!)
      .when(command(WGA, "agreement.voted", la("2023-10-09T18:00"), vote))
      .thenFails("AGREEMENT_NOT_TENTATIVE");
  });

  it("after the whole-agreement TA, the members ratify", () => {
    bargaining()
      .and(...wholeTa)
      .when(command(WGA, "agreement.voted", la("2023-10-09T18:00"), vote, "public"))
      .then([draft("agreement.voted", la("2023-10-09T18:00"), vote, "public")]);
  });

  it("an agreement is voted on once (AGREEMENT_ALREADY_DECIDED)", () => {
    bargaining()
      .and(...wholeTa, fact(WGA, "agreement.voted", la("2023-10-09T18:00"), vote))
      .when(command(WGA, "agreement.voted", la("2023-10-10T18:00"), { ...vote, result: "rejected" }))
      .thenFails("AGREEMENT_ALREADY_DECIDED");
  });

  it("only a party records the vote (ORG_NOT_A_PARTY)", () => {
    bargaining()
      .and(...wholeTa)
      .when(command(PRESS, "agreement.voted", la("2023-10-09T18:00"), vote))
      .thenFails("ORG_NOT_A_PARTY");
  });
});

describe("decide: meetings", () => {
  const aug4 = { start: la("2023-08-04T10:00"), end: la("2023-08-04T11:00") };
  const invitation = fact(AMPTP, "meeting.requested", la("2023-08-01T12:00"), {
    meeting: "aug-4",
    kind: "table",
    purpose: "Discuss resuming negotiations.",
    proposedTimes: [aug4],
  });
  const invited = () => bargaining().and(invitation); // invitation is seq 10

  it("the AMPTP invites the WGA to meet", () => {
    bargaining()
      .when(command(AMPTP, "meeting.requested", la("2023-08-01T12:00"), invitation.payload))
      .then([
        draft("meeting.requested", la("2023-08-01T12:00"), {
          meeting: "aug-4",
          kind: "table",
          purpose: "Discuss resuming negotiations.",
          proposedTimes: [aug4],
          with: [],
        }),
      ]);
  });

  it("a meeting id is used once (MEETING_EXISTS)", () => {
    invited()
      .when(
        command(WGA, "meeting.requested", la("2023-08-02T12:00"), {
          meeting: "aug-4",
          kind: "table",
          purpose: "Meet",
        }),
      )
      .thenFails("MEETING_EXISTS");
  });

  it("a proposed time that ends before it starts fails (MEETING_ENDS_BEFORE_START)", () => {
    bargaining()
      .when(
        command(WGA, "meeting.requested", la("2023-09-13T12:00"), {
          meeting: "sep-request",
          kind: "table",
          purpose: "Move negotiations forward.",
          proposedTimes: [{ start: la("2023-09-20T10:00"), end: la("2023-09-20T09:00") }],
        }),
      )
      .thenFails("MEETING_ENDS_BEFORE_START");
  });

  it("only a party requests a table meeting (ORG_NOT_A_PARTY)", () => {
    bargaining()
      .when(
        command(PRESS, "meeting.requested", la("2023-09-13T12:00"), {
          meeting: "m",
          kind: "table",
          purpose: "Interview",
        }),
      )
      .thenFails("ORG_NOT_A_PARTY");
  });

  it("a side meeting names organizations that must be known (ORG_UNKNOWN)", () => {
    bargaining()
      .when(
        command(WGA, "meeting.requested", la("2023-09-12T12:00"), {
          meeting: "showrunners",
          kind: "side",
          purpose: "Strategy",
          with: ["showrunners"],
        }),
      )
      .thenFails("ORG_UNKNOWN", /showrunners/);
  });

  it("the WGA accepts the AMPTP's invitation", () => {
    invited()
      .when(
        command(WGA, "meeting.answered", la("2023-08-02T12:00"), { meeting: "aug-4", answer: "accepted" }),
      )
      .then([
        draft("meeting.answered", la("2023-08-02T12:00"), {
          meeting: "aug-4",
          answer: "accepted",
          proposedTimes: [],
        }),
      ]);
  });

  it("a side cannot answer its own meeting request (MEETING_OWN_REQUEST)", () => {
    invited()
      .when(
        command(AMPTP, "meeting.answered", la("2023-08-02T12:00"), { meeting: "aug-4", answer: "accepted" }),
      )
      .thenFails("MEETING_OWN_REQUEST");
  });

  it("nor can the other organization of the requesting side", () => {
    bargaining()
      .and(
        fact(WGA, "meeting.requested", la("2023-09-13T12:00"), {
          meeting: "sep-request",
          kind: "table",
          purpose: "Move forward.",
        }),
      )
      .when(
        command(WGA_EAST, "meeting.answered", la("2023-09-13T13:00"), {
          meeting: "sep-request",
          answer: "accepted",
        }),
      )
      .thenFails("MEETING_OWN_REQUEST");
  });

  it("a counter goes back to the requester, who may answer it but the counterer may not", () => {
    const countered = invited().and(
      fact(WGA, "meeting.answered", la("2023-08-02T12:00"), {
        meeting: "aug-4",
        answer: "countered",
        proposedTimes: [{ start: la("2023-08-04T14:00"), end: la("2023-08-04T15:00") }],
      }),
    );
    countered
      .when(
        command(WGA, "meeting.answered", la("2023-08-02T13:00"), { meeting: "aug-4", answer: "accepted" }),
      )
      .thenFails("MEETING_OWN_REQUEST");
    countered
      .when(
        command(AMPTP, "meeting.answered", la("2023-08-02T13:00"), { meeting: "aug-4", answer: "accepted" }),
      )
      .then((state) => expect(state.meetings["aug-4"]?.status).toBe("accepted"));
  });

  it.each([
    [
      "accepted",
      [fact(WGA, "meeting.answered", la("2023-08-02T12:00"), { meeting: "aug-4", answer: "accepted" })],
    ],
    [
      "declined",
      [fact(WGA, "meeting.answered", la("2023-08-02T12:00"), { meeting: "aug-4", answer: "declined" })],
    ],
    [
      "scheduled",
      [
        fact(AMPTP, "meeting.scheduled", la("2023-08-02T12:00"), {
          meeting: "aug-4",
          kind: "table",
          ...aug4,
        }),
      ],
    ],
  ])("answering a request already %s fails (MEETING_NOT_AWAITING_ANSWER)", (_status, facts) => {
    invited()
      .and(...facts)
      .when(
        command(WGA, "meeting.answered", la("2023-08-03T12:00"), { meeting: "aug-4", answer: "declined" }),
      )
      .thenFails("MEETING_NOT_AWAITING_ANSWER");
  });

  it("answering an unknown meeting fails (MEETING_UNKNOWN)", () => {
    bargaining()
      .when(
        command(WGA, "meeting.answered", la("2023-08-02T12:00"), { meeting: "aug-4", answer: "accepted" }),
      )
      .thenFails("MEETING_UNKNOWN", /aug-4/);
  });

  it("a counter's proposed times must be in order (MEETING_ENDS_BEFORE_START)", () => {
    invited()
      .when(
        command(WGA, "meeting.answered", la("2023-08-02T12:00"), {
          meeting: "aug-4",
          answer: "countered",
          proposedTimes: [{ start: la("2023-08-04T14:00"), end: la("2023-08-04T14:00") }],
        }),
      )
      .thenFails("MEETING_ENDS_BEFORE_START");
  });

  it("only a party answers (ORG_NOT_A_PARTY)", () => {
    invited()
      .when(
        command(PRESS, "meeting.answered", la("2023-08-02T12:00"), { meeting: "aug-4", answer: "accepted" }),
      )
      .thenFails("ORG_NOT_A_PARTY");
  });

  it("schedules a meeting that was never requested", () => {
    const payload = {
      meeting: "aug-22",
      kind: "table",
      start: la("2023-08-22T10:00"),
      end: la("2023-08-22T12:00"),
      place: "AMPTP headquarters, Sherman Oaks",
      purpose: "CEOs meet the WGA negotiating committee.",
    };
    bargaining()
      .when(command(AMPTP, "meeting.scheduled", la("2023-08-21T12:00"), payload))
      .then([draft("meeting.scheduled", la("2023-08-21T12:00"), { ...payload, kind: "table", with: [] })]);
  });

  it("only a party schedules or cancels a table session (ORG_NOT_A_PARTY)", () => {
    const session = {
      meeting: "sep-20",
      kind: "table" as const,
      start: la("2023-09-20T10:00"),
      end: la("2023-09-20T18:00"),
    };
    bargaining()
      .when(command(PRESS, "meeting.scheduled", la("2023-09-14T12:00"), session))
      .thenFails("ORG_NOT_A_PARTY");
    bargaining()
      .and(fact(AMPTP, "meeting.scheduled", la("2023-09-14T12:00"), session))
      .when(command(PRESS, "meeting.cancelled", la("2023-09-15T12:00"), { meeting: "sep-20" }))
      .thenFails("ORG_NOT_A_PARTY");
  });

  it.each([
    ["ends before it starts", la("2023-09-20T09:00")],
    ["ends as it starts", la("2023-09-20T10:00")],
  ])("a meeting that %s fails (MEETING_ENDS_BEFORE_START)", (_label, end) => {
    bargaining()
      .when(
        command(AMPTP, "meeting.scheduled", la("2023-09-14T12:00"), {
          meeting: "sep-20",
          kind: "table",
          start: la("2023-09-20T10:00"),
          end,
        }),
      )
      .thenFails("MEETING_ENDS_BEFORE_START");
  });

  it.each([
    ["held", fact(AMPTP, "meeting.held", la("2023-08-04T11:00"), { meeting: "aug-4" })],
    ["cancelled", fact(AMPTP, "meeting.cancelled", la("2023-08-03T11:00"), { meeting: "aug-4" })],
    [
      "declined",
      fact(WGA, "meeting.answered", la("2023-08-02T11:00"), { meeting: "aug-4", answer: "declined" }),
    ],
  ])("scheduling a meeting that was %s fails (MEETING_CLOSED)", (status, closing) => {
    invited()
      .and(closing)
      .when(
        command(AMPTP, "meeting.scheduled", la("2023-08-05T12:00"), {
          meeting: "aug-4",
          kind: "table",
          start: la("2023-08-08T10:00"),
          end: la("2023-08-08T11:00"),
        }),
      )
      .thenFails("MEETING_CLOSED", new RegExp(status));
  });

  it("a scheduled side meeting names known organizations (ORG_UNKNOWN)", () => {
    bargaining()
      .when(
        command(WGA, "meeting.scheduled", la("2023-09-14T12:00"), {
          meeting: "showrunners",
          kind: "side",
          start: la("2023-09-15T10:00"),
          end: la("2023-09-15T12:00"),
          with: ["showrunners"],
        }),
      )
      .thenFails("ORG_UNKNOWN");
  });

  it("records the Aug 4 meeting as held", () => {
    const held = {
      meeting: "aug-4",
      attendees: [
        { name: "Ellen Stutzman", org: WGA },
        { name: "Carol Lombardini", org: AMPTP },
      ],
      summary: "Short meeting; no agreement to resume talks.",
    };
    invited()
      .when(command(WGA, "meeting.held", la("2023-08-04T11:00"), held))
      .then([draft("meeting.held", la("2023-08-04T11:00"), held)]);
  });

  it("a meeting is held once (MEETING_CLOSED)", () => {
    invited()
      .and(fact(WGA, "meeting.held", la("2023-08-04T11:00"), { meeting: "aug-4" }))
      .when(command(AMPTP, "meeting.held", la("2023-08-04T12:00"), { meeting: "aug-4" }))
      .thenFails("MEETING_CLOSED", /held/);
  });

  it("a held meeting cannot end before its scheduled start (MEETING_ENDS_BEFORE_START)", () => {
    invited()
      .and(
        fact(AMPTP, "meeting.scheduled", la("2023-08-02T12:00"), {
          meeting: "aug-4",
          kind: "table",
          ...aug4,
        }),
      )
      .when(
        command(WGA, "meeting.held", la("2023-08-04T11:00"), {
          meeting: "aug-4",
          end: la("2023-08-04T09:30"),
        }),
      )
      .thenFails("MEETING_ENDS_BEFORE_START");
  });

  it("holding an unknown meeting fails (MEETING_UNKNOWN)", () => {
    bargaining()
      .when(command(WGA, "meeting.held", la("2023-08-04T11:00"), { meeting: "aug-4" }))
      .thenFails("MEETING_UNKNOWN");
  });

  it("postpones a scheduled meeting to new times", () => {
    const payload = {
      meeting: "aug-4",
      reason: "Travel",
      start: la("2023-08-07T10:00"),
      end: la("2023-08-07T11:00"),
    };
    invited()
      .and(
        fact(AMPTP, "meeting.scheduled", la("2023-08-02T12:00"), {
          meeting: "aug-4",
          kind: "table",
          ...aug4,
        }),
      )
      .when(command(AMPTP, "meeting.postponed", la("2023-08-03T12:00"), payload))
      .then([draft("meeting.postponed", la("2023-08-03T12:00"), payload)]);
  });

  it("a postponement's new times must be in order (MEETING_ENDS_BEFORE_START)", () => {
    invited()
      .when(
        command(AMPTP, "meeting.postponed", la("2023-08-03T12:00"), {
          meeting: "aug-4",
          start: la("2023-08-07T10:00"),
          end: la("2023-08-07T08:00"),
        }),
      )
      .thenFails("MEETING_ENDS_BEFORE_START");
  });

  it("a cancelled meeting cannot be postponed (MEETING_CLOSED)", () => {
    invited()
      .and(fact(AMPTP, "meeting.cancelled", la("2023-08-03T11:00"), { meeting: "aug-4" }))
      .when(command(AMPTP, "meeting.postponed", la("2023-08-03T12:00"), { meeting: "aug-4" }))
      .thenFails("MEETING_CLOSED", /cancelled/);
  });

  it("postponing an unknown meeting fails (MEETING_UNKNOWN)", () => {
    bargaining()
      .when(command(AMPTP, "meeting.postponed", la("2023-08-03T12:00"), { meeting: "aug-4" }))
      .thenFails("MEETING_UNKNOWN");
  });

  it("cancels a requested meeting", () => {
    invited()
      .when(
        command(AMPTP, "meeting.cancelled", la("2023-08-03T12:00"), {
          meeting: "aug-4",
          reason: "Withdrawn",
        }),
      )
      .then([draft("meeting.cancelled", la("2023-08-03T12:00"), { meeting: "aug-4", reason: "Withdrawn" })]);
  });

  it("a held meeting cannot be cancelled (MEETING_CLOSED)", () => {
    invited()
      .and(fact(WGA, "meeting.held", la("2023-08-04T11:00"), { meeting: "aug-4" }))
      .when(command(AMPTP, "meeting.cancelled", la("2023-08-05T12:00"), { meeting: "aug-4" }))
      .thenFails("MEETING_CLOSED");
  });

  it("cancelling an unknown meeting fails (MEETING_UNKNOWN)", () => {
    bargaining()
      .when(command(AMPTP, "meeting.cancelled", la("2023-08-03T12:00"), { meeting: "aug-4" }))
      .thenFails("MEETING_UNKNOWN");
  });
});

describe("decide: notes", () => {
  it("records a private caucus note on a meeting", () => {
    bargaining()
      .and(
        fact(WGA, "meeting.scheduled", la("2023-08-21T12:00"), {
          meeting: "aug-22",
          kind: "table",
          start: la("2023-08-22T10:00"),
          end: la("2023-08-22T12:00"),
        }),
      )
      .when(
        command(
          WGA,
          "note.recorded",
          la("2023-08-22T13:00"),
          { meeting: "aug-22", text: "They published the offer 20 minutes later." },
          "private",
        ),
      )
      .then([
        draft(
          "note.recorded",
          la("2023-08-22T13:00"),
          { meeting: "aug-22", text: "They published the offer 20 minutes later." },
          "private",
        ),
      ]);
  });

  it("a note on an unknown meeting fails (MEETING_UNKNOWN)", () => {
    bargaining()
      .when(
        command(WGA, "note.recorded", la("2023-08-22T13:00"), { meeting: "aug-22", text: "x" }, "private"),
      )
      .thenFails("MEETING_UNKNOWN");
  });
});

describe("decide: work stoppages", () => {
  it("the strike begins at 00:01 on May 2", () => {
    bargaining()
      .when(command(WGA, "stoppage.started", STRIKE_START, strikeStarted.payload, "public"))
      .then([
        draft(
          "stoppage.started",
          STRIKE_START,
          {
            stoppage: "wga-strike-2023",
            kind: "strike",
            by: [WGA, WGA_EAST],
            against: [AMPTP],
            start: STRIKE_START,
          },
          "public",
        ),
      ]);
  });

  it("a stoppage id is used once (STOPPAGE_EXISTS)", () => {
    bargaining()
      .and(strikeStarted)
      .when(command(WGA, "stoppage.started", STRIKE_START, strikeStarted.payload))
      .thenFails("STOPPAGE_EXISTS");
  });

  it("a stoppage is against known organizations (ORG_UNKNOWN)", () => {
    bargaining()
      .when(
        command(WGA, "stoppage.started", STRIKE_START, {
          ...(strikeStarted.payload as object),
          stoppage: "s2",
          against: ["lyft"],
        }),
      )
      .thenFails("ORG_UNKNOWN", /lyft/);
  });

  const sagRegistered = fact(ORG.sag.id, "organization.registered", la("2023-06-05T12:00"), { org: ORG.sag });
  const striking = () => bargaining().and(strikeStarted, sagRegistered);

  it("SAG-AFTRA joins the strike on Jul 14", () => {
    const payload = {
      stoppage: "wga-strike-2023",
      org: ORG.sag.id,
      at: la("2023-07-14T00:01"),
      workers: 160000,
    };
    striking()
      .when(command(ORG.sag.id, "stoppage.joined", la("2023-07-14T00:01"), payload, "public"))
      .then([draft("stoppage.joined", la("2023-07-14T00:01"), payload, "public")]);
  });

  it("a striking organization cannot join again (STOPPAGE_ALREADY_JOINED)", () => {
    striking()
      .when(
        command(WGA_EAST, "stoppage.joined", la("2023-07-14T00:01"), {
          stoppage: "wga-strike-2023",
          org: WGA_EAST,
          at: la("2023-07-14T00:01"),
        }),
      )
      .thenFails("STOPPAGE_ALREADY_JOINED");
  });

  it("nobody joins before the start (STOPPAGE_ENDS_BEFORE_START)", () => {
    striking()
      .when(
        command(ORG.sag.id, "stoppage.joined", la("2023-07-14T00:01"), {
          stoppage: "wga-strike-2023",
          org: ORG.sag.id,
          at: la("2023-04-30T00:01"),
        }),
      )
      .thenFails("STOPPAGE_ENDS_BEFORE_START", /before the start/);
  });

  it("nobody joins after the end (STOPPAGE_ENDED)", () => {
    striking()
      .and(fact(WGA, "stoppage.ended", STRIKE_END, { stoppage: "wga-strike-2023", end: STRIKE_END }))
      .when(
        command(ORG.sag.id, "stoppage.joined", la("2023-09-28T00:01"), {
          stoppage: "wga-strike-2023",
          org: ORG.sag.id,
          at: la("2023-09-28T00:01"),
        }),
      )
      .thenFails("STOPPAGE_ENDED");
  });

  it("joining an unknown stoppage fails (STOPPAGE_UNKNOWN)", () => {
    striking()
      .when(
        command(ORG.sag.id, "stoppage.joined", la("2023-07-14T00:01"), {
          stoppage: "sag-strike",
          org: ORG.sag.id,
          at: la("2023-07-14T00:01"),
        }),
      )
      .thenFails("STOPPAGE_UNKNOWN", /sag-strike/);
  });

  it("an unknown organization cannot join (ORG_UNKNOWN)", () => {
    striking()
      .when(
        command(WGA, "stoppage.joined", la("2023-07-14T00:01"), {
          stoppage: "wga-strike-2023",
          org: "iatse",
          at: la("2023-07-14T00:01"),
        }),
      )
      .thenFails("ORG_UNKNOWN", /iatse/);
  });

  it("the strike ends at 00:01 on Sep 27", () => {
    striking()
      .when(
        command(
          WGA,
          "stoppage.ended",
          STRIKE_END,
          { stoppage: "wga-strike-2023", end: STRIKE_END },
          "public",
        ),
      )
      .then([
        draft("stoppage.ended", STRIKE_END, { stoppage: "wga-strike-2023", end: STRIKE_END }, "public"),
      ]);
  });

  it.each([
    ["before", la("2023-05-01T00:01")],
    ["at", STRIKE_START],
  ])("a stoppage ending %s its start fails (STOPPAGE_ENDS_BEFORE_START)", (_label, end) => {
    striking()
      .when(command(WGA, "stoppage.ended", la("2023-05-02T12:00"), { stoppage: "wga-strike-2023", end }))
      .thenFails("STOPPAGE_ENDS_BEFORE_START", /^A stoppage cannot end before it starts\.$/);
  });

  it("a stoppage ends once (STOPPAGE_ENDED)", () => {
    striking()
      .and(fact(WGA, "stoppage.ended", STRIKE_END, { stoppage: "wga-strike-2023", end: STRIKE_END }))
      .when(
        command(WGA, "stoppage.ended", la("2023-09-28T00:01"), {
          stoppage: "wga-strike-2023",
          end: la("2023-09-28T00:01"),
        }),
      )
      .thenFails("STOPPAGE_ENDED");
  });

  it("ending an unknown stoppage fails (STOPPAGE_UNKNOWN)", () => {
    bargaining()
      .when(command(WGA, "stoppage.ended", STRIKE_END, { stoppage: "wga-strike-2023", end: STRIKE_END }))
      .thenFails("STOPPAGE_UNKNOWN");
  });
});

describe("decide: statements and requests for comment", () => {
  it("the WGA answers the published offer in public", () => {
    const payload = {
      by: WGA,
      channel: "member-update",
      text: "Neither nothing, nor nearly enough.",
    } as const;
    bargaining()
      .when(command(WGA, "statement.made", la("2023-08-24T17:00"), payload, "public"))
      .then([draft("statement.made", la("2023-08-24T17:00"), payload, "public")]);
  });

  it("the press records a statement by a known organization", () => {
    bargaining()
      .when(
        command(PRESS, "statement.made", la("2023-09-14T17:00"), {
          by: AMPTP,
          channel: "press-release",
          text: "We plan to meet next week.",
        }),
      )
      .then((state) =>
        expect(state.statements.recent[0]).toMatchObject({ by: AMPTP, channel: "press-release" }),
      );
  });

  it("a statement by an unknown organization fails (ORG_UNKNOWN)", () => {
    bargaining()
      .when(
        command(PRESS, "statement.made", la("2023-09-14T17:00"), {
          by: "netflix-ceo",
          channel: "interview",
          text: "x",
        }),
      )
      .thenFails("ORG_UNKNOWN");
  });

  const asked = {
    request: "press-aug-22",
    to: AMPTP,
    question: "Why publish the offer 20 minutes after the meeting?",
    deadline: la("2023-08-23T17:00"),
  };

  it("Parley News asks the AMPTP for comment", () => {
    bargaining()
      .when(command(PRESS, "comment.requested", la("2023-08-22T14:00"), asked, "public"))
      .then([draft("comment.requested", la("2023-08-22T14:00"), asked, "public")]);
  });

  it("a request id is used once (REQUEST_EXISTS)", () => {
    bargaining()
      .and(fact(PRESS, "comment.requested", la("2023-08-22T14:00"), asked))
      .when(command(PRESS, "comment.requested", la("2023-08-22T15:00"), asked))
      .thenFails("REQUEST_EXISTS");
  });

  it("a deadline cannot precede the request (DEADLINE_BEFORE_ASKED)", () => {
    bargaining()
      .when(command(PRESS, "comment.requested", la("2023-08-24T14:00"), asked))
      .thenFails("DEADLINE_BEFORE_ASKED");
  });

  it("the organization asked must be known (ORG_UNKNOWN)", () => {
    bargaining()
      .when(command(PRESS, "comment.requested", la("2023-08-22T14:00"), { ...asked, to: "lyft" }))
      .thenFails("ORG_UNKNOWN", /lyft/);
  });

  const requested = () => bargaining().and(fact(PRESS, "comment.requested", la("2023-08-22T14:00"), asked));

  it("the AMPTP declines to comment", () => {
    requested()
      .when(
        command(AMPTP, "comment.answered", la("2023-08-22T16:00"), {
          request: "press-aug-22",
          response: "declined",
        }),
      )
      .then([
        draft("comment.answered", la("2023-08-22T16:00"), { request: "press-aug-22", response: "declined" }),
      ]);
  });

  it("only the organization asked may answer (REQUEST_WRONG_RESPONDENT)", () => {
    requested()
      .when(
        command(WGA, "comment.answered", la("2023-08-22T16:00"), {
          request: "press-aug-22",
          response: "responded",
          text: "x",
        }),
      )
      .thenFails("REQUEST_WRONG_RESPONDENT");
  });

  it("a request is answered once (REQUEST_ALREADY_ANSWERED)", () => {
    requested()
      .and(
        fact(AMPTP, "comment.answered", la("2023-08-22T16:00"), {
          request: "press-aug-22",
          response: "declined",
        }),
      )
      .when(
        command(AMPTP, "comment.answered", la("2023-08-23T16:00"), {
          request: "press-aug-22",
          response: "responded",
          text: "x",
        }),
      )
      .thenFails("REQUEST_ALREADY_ANSWERED");
  });

  it("answering an unknown request fails (REQUEST_UNKNOWN)", () => {
    bargaining()
      .when(
        command(AMPTP, "comment.answered", la("2023-08-22T16:00"), {
          request: "press-aug-22",
          response: "declined",
        }),
      )
      .thenFails("REQUEST_UNKNOWN");
  });
});

describe("decide: impact figures", () => {
  const milken = {
    figure: "milken-california",
    what: "Loss to the California economy",
    value: "4000000000",
    unit: "USD",
    asOf: "2023-07-31",
    method: "Regional multiplier estimate",
    source: { name: "Milken Institute" },
  };

  it("reports a single figure", () => {
    bargaining()
      .when(command(PRESS, "impact.reported", la("2023-08-01T12:00"), milken, "public"))
      .then([draft("impact.reported", la("2023-08-01T12:00"), milken, "public")]);
  });

  it("reports a range; decimals compare as numbers, not as strings", () => {
    // "9" > "10" as strings; as decimals the range 9..10 is in order
    bargaining()
      .when(
        command(PRESS, "impact.reported", la("2023-08-09T12:00"), {
          ...milken,
          figure: "holmes",
          value: undefined,
          low: "9",
          high: "10",
          unit: "USD bn",
        }),
      )
      .then((state) => expect(state.impact.holmes).toMatchObject({ low: "9", high: "10", value: null }));
  });

  it("a range whose low exceeds its high fails (IMPACT_RANGE_INVERTED)", () => {
    bargaining()
      .when(
        command(PRESS, "impact.reported", la("2023-08-09T12:00"), {
          ...milken,
          value: undefined,
          low: "5000000000",
          high: "3000000000",
        }),
      )
      .thenFails("IMPACT_RANGE_INVERTED");
  });

  it("a figure needs a value or a range", () => {
    bargaining()
      .when(command(PRESS, "impact.reported", la("2023-08-09T12:00"), { ...milken, value: undefined }))
      .thenFails("VALIDATION_FAILED", /a value or both low and high/);
  });

  it("a range needs both ends", () => {
    bargaining()
      .when(command(PRESS, "impact.reported", la("2023-08-09T12:00"), { ...milken, low: "3000000000" }))
      .thenFails("VALIDATION_FAILED", /both low and high/);
  });

  it("an amount written as a float is rejected", () => {
    bargaining()
      .when(command(PRESS, "impact.reported", la("2023-08-09T12:00"), { ...milken, value: 1.4e9 + 0.5 }))
      .thenFails("FLOAT_IN_PAYLOAD", /payload\.value/);
  });
});

describe("decide: publication and correction (refs come through ctx.refs)", () => {
  const withOffer = () => bargaining().and(amptpAug11Wages); // the pass is seq 10, visibility table

  it("the AMPTP publishes its Aug 11 offer; the draft is public whatever was asked", () => {
    withOffer()
      .when(
        command(
          AMPTP,
          "entry.published",
          la("2023-08-22T12:20"),
          { entry: 10, note: "Our Aug 11 offer" },
          "table",
        ),
      )
      .then([
        draft("entry.published", la("2023-08-22T12:20"), { entry: 10, note: "Our Aug 11 offer" }, "public"),
      ]);
  });

  it("the WGA cannot publish the AMPTP's entry (ENTRY_NOT_OWN)", () => {
    withOffer()
      .when(command(WGA, "entry.published", la("2023-08-22T12:20"), { entry: 10 }))
      .thenFails("ENTRY_NOT_OWN");
  });

  it("an entry the application did not resolve is unknown (ENTRY_UNKNOWN)", () => {
    withOffer()
      .when(command(AMPTP, "entry.published", la("2023-08-22T12:20"), { entry: 10 }), { refs: new Map() })
      .thenFails("ENTRY_UNKNOWN", /no entry 10/);
  });

  it("publishing a public entry fails (ENTRY_ALREADY_PUBLIC)", () => {
    withOffer()
      .and(
        fact(
          WGA,
          "statement.made",
          la("2023-08-24T17:00"),
          { by: WGA, channel: "member-update", text: "x" },
          "public",
        ),
      )
      .when(command(WGA, "entry.published", la("2023-08-24T18:00"), { entry: 11 }))
      .thenFails("ENTRY_ALREADY_PUBLIC");
  });

  it("publishing twice fails (ENTRY_ALREADY_PUBLIC)", () => {
    withOffer()
      .and(fact(AMPTP, "entry.published", la("2023-08-22T12:20"), { entry: 10 }, "public"))
      .when(command(AMPTP, "entry.published", la("2023-08-22T12:30"), { entry: 10 }))
      .thenFails("ENTRY_ALREADY_PUBLIC");
  });

  it("the author corrects its entry", () => {
    const payload = {
      entry: 10,
      action: "correct",
      reason: "Typo in year two",
      text: "4% in the second year.",
    } as const;
    withOffer()
      .when(command(AMPTP, "entry.corrected", la("2023-08-12T09:00"), payload))
      .then([draft("entry.corrected", la("2023-08-12T09:00"), payload)]);
  });

  it("a retraction needs no text", () => {
    withOffer()
      .when(
        command(AMPTP, "entry.corrected", la("2023-08-12T09:00"), {
          entry: 10,
          action: "retract",
          reason: "Sent in error",
        }),
      )
      .then((state) =>
        expect(state.corrections["10"]).toEqual({ by: 11, action: "retract", at: la("2023-08-12T09:00") }),
      );
  });

  it("a correction states the corrected text", () => {
    withOffer()
      .when(
        command(AMPTP, "entry.corrected", la("2023-08-12T09:00"), {
          entry: 10,
          action: "correct",
          reason: "Typo",
        }),
      )
      .thenFails("VALIDATION_FAILED", /corrected text/);
  });

  it("another organization's entry cannot be corrected (ENTRY_NOT_OWN)", () => {
    withOffer()
      .when(
        command(WGA, "entry.corrected", la("2023-08-12T09:00"), {
          entry: 10,
          action: "retract",
          reason: "Misleading",
        }),
      )
      .thenFails("ENTRY_NOT_OWN");
  });

  it("a correction cannot be corrected, nor can the opening (ENTRY_NOT_CORRECTABLE)", () => {
    const corrected = withOffer().and(
      fact(AMPTP, "entry.corrected", la("2023-08-12T09:00"), {
        entry: 10,
        action: "retract",
        reason: "Sent in error",
      }),
    );
    corrected
      .when(
        command(AMPTP, "entry.corrected", la("2023-08-12T10:00"), {
          entry: 11,
          action: "retract",
          reason: "Undo",
        }),
      )
      .thenFails("ENTRY_NOT_CORRECTABLE");
    corrected
      .when(
        command(WGA, "entry.corrected", la("2023-08-12T10:00"), {
          entry: SEQ.opened,
          action: "retract",
          reason: "Undo",
        }),
      )
      .thenFails("ENTRY_NOT_CORRECTABLE");
  });

  it("correcting an entry that does not exist fails (ENTRY_UNKNOWN)", () => {
    withOffer()
      .when(
        command(AMPTP, "entry.corrected", la("2023-08-12T09:00"), {
          entry: 999,
          action: "retract",
          reason: "x",
        }),
      )
      .thenFails("ENTRY_UNKNOWN");
  });
});

describe("decide: coverage of this specification", () => {
  const source = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");
  const decideSource = source("../../src/domain/decide.ts");
  const thisSource = source("./decide.test.ts");

  it("every error code decide can raise has at least one failing case here", () => {
    const raised = [
      ...new Set([...decideSource.matchAll(/fail\("([A-Z_]+)"/g)].map((m) => m[1] as string)),
    ].sort();
    expect(raised.length).toBeGreaterThanOrEqual(40);
    for (const code of raised) expect(Object.hasOwn(ERRORS, code), code).toBe(true);
    const missing = raised.filter((code) => !thisSource.includes(`thenFails("${code}"`));
    expect(missing).toEqual([]);
  });

  it("every entry type has a success case here with its exact draft", () => {
    const missing = ENTRY_TYPES.filter((type) => !new RegExp(`draft\\(\\s*"${type}"`).test(thisSource));
    expect(missing).toEqual([]);
  });
});

// Guard: the background facts the tests above rely on by seq number.
describe("decide: background", () => {
  it("the table and demands have the seq numbers the tests use", () => {
    const b = bargaining();
    expect(b.entry(SEQ.wgaWest).type).toBe("party.joined");
    expect(b.entry(SEQ.amptp).actor.org).toBe(AMPTP);
    expect(b.entry(SEQ.staffing).payload).toMatchObject({ issue: "staffing" });
    expect(b.entry(SEQ.ai).payload).toMatchObject({ issue: "ai" });
    expect(b.nextSeq).toBe(10);
    expect(wgaEastJoins.org).toBe(WGA_EAST);
    expect(issueOpened("ai").payload).toEqual(ISSUES.ai);
    expect(pass(AMPTP, la("2023-05-01T10:00"), [{ issue: "ai", language: "x" }]).type).toBe("pass.made");
  });
});
