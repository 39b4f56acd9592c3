import type { Visibility } from "../domain/values.ts";
import {
  AMPTP,
  AMPTP_SIDE,
  DGA,
  MEMBER_COMPANIES,
  PARLEY_NEWS,
  SHOWRUNNERS,
  WGA_EAST,
  WGA_SIDE,
  WGA_WEST,
} from "./organizations.ts";
import { type Actor, type DemoDispute, type PayloadInput, Script } from "./script.ts";
import { at } from "./time.ts";

/**
 * The 2023 negotiation between the Writers Guild of America and the AMPTP, and the 148-day
 * strike around it, built from every fact in ../../../shared/facts/wga-2023.md.
 *
 * Conventions:
 * - All text is our own restatement of the public record; the only quotation is the short
 *   phrase the facts file itself quotes.
 * - Dates come from the facts. The facts give a time of day only for the contract's expiry
 *   (23:59) and the strike's start and end (00:01); every other time of day below is
 *   illustrative, chosen only to keep the day and the order of events right.
 * - Passes at the table are recorded with "table" visibility; the public learns of a pass
 *   only when its author publishes it (entry.published), as the AMPTP did on Aug 22 and the
 *   guild on Aug 24. Meetings, statements, votes, the TA and the strike itself were reported
 *   publicly and are recorded as public.
 * - The two caucus notes are plainly illustrative demo content, not part of the record.
 */
export const WGA_2023 = "wga-2023";

// The people named in the facts, as the accounts that record each side's entries.
const stutzman: Actor = { org: "wga-west", user: "ellen.stutzman" }; // chief negotiator
const keyser: Actor = { org: "wga-west", user: "chris.keyser" }; // committee co-chair
const goodman: Actor = { org: "wga-west", user: "david.a.goodman" }; // committee co-chair
const stiehm: Actor = { org: "wga-west", user: "meredith.stiehm" }; // WGA West president
const cullen: Actor = { org: "wga-east", user: "lisa.takeuchi.cullen" }; // WGA East president
const lombardini: Actor = { org: "amptp", user: "carol.lombardini" }; // AMPTP president
// Organizations whose people the facts do not name act through a role account.
const dga: Actor = { org: "dga", user: "communications" };
const showrunners: Actor = { org: "showrunners", user: "organizer" };
const newsroom: Actor = { org: "parley-news", user: "newsroom" }; // the fictional demo outlet

const ISSUES = ["wages", "staffing", "ai", "viewership", "streaming-residuals"] as const;

/** Studio chiefs who came to the table (Aug 22, Sep 20-22), by the company each leads. */
const CHIEFS = [
  { name: "Bob Iger", org: "disney" },
  { name: "Ted Sarandos", org: "netflix" },
  { name: "David Zaslav", org: "wbd" },
  { name: "Donna Langley", org: "nbcuniversal" },
  { name: "Carol Lombardini", org: "amptp" },
];
/** The facts do not list the guild's people at each session; they appear as a group. */
const WGA_NEGOTIATORS = { name: "WGA negotiating committee", org: "wga-west" };
const AMPTP_NEGOTIATORS = { name: "AMPTP negotiators", org: "amptp" };

export function wga2023(): DemoDispute {
  const s = new Script(WGA_2023);

  /** A meeting put on the calendar and then held. When a session was scheduled is not in the
   * facts unless `scheduledAt` says so: the scheduling entry then sits at the session's start. */
  const session = (m: {
    id: string;
    kind?: "table" | "caucus" | "side";
    by: Actor;
    start: string;
    end: string;
    scheduledAt?: string;
    visibility?: Visibility;
    purpose?: string;
    with?: string[];
    attendees?: { name: string; org: string }[];
    summary?: string;
  }) => {
    const visibility = m.visibility ?? "public";
    s.add({
      type: "meeting.scheduled",
      by: m.by,
      at: m.scheduledAt ?? m.start,
      visibility,
      payload: {
        meeting: m.id,
        kind: m.kind ?? "table",
        start: m.start,
        end: m.end,
        with: m.with ?? [],
        ...(m.purpose ? { purpose: m.purpose } : {}),
      },
    });
    s.add({
      type: "meeting.held",
      by: m.by,
      at: m.end,
      visibility,
      payload: {
        meeting: m.id,
        attendees: m.attendees ?? [],
        ...(m.summary ? { summary: m.summary } : {}),
      },
    });
  };

  const statement = (
    by: Actor,
    when: string,
    channel: PayloadInput<"statement.made">["channel"],
    text: string,
  ) =>
    s.add({
      type: "statement.made",
      by,
      at: when,
      visibility: "public",
      payload: { by: by.org, channel, text },
    });

  // ---------------------------------------------------------------------------------------
  // Mar 20: talks begin
  // ---------------------------------------------------------------------------------------
  s.add({
    type: "dispute.opened",
    by: stutzman,
    at: at("2023-03-20 09:00"),
    visibility: "public",
    payload: {
      title: "WGA and AMPTP: 2023 negotiation of the Minimum Basic Agreement",
      timeZone: "America/Los_Angeles",
      agreement: {
        name: "2020 WGA Theatrical and Television Minimum Basic Agreement (MBA)",
        expiresAt: at("2023-05-01 23:59"),
      },
      sides: [WGA_SIDE, AMPTP_SIDE],
    },
  });
  s.add({
    type: "party.joined",
    by: stiehm,
    at: at("2023-03-20 09:00"),
    visibility: "public",
    payload: { org: WGA_WEST, side: "wga" },
  });
  s.add({
    type: "party.joined",
    by: cullen,
    at: at("2023-03-20 09:00"),
    visibility: "public",
    payload: { org: WGA_EAST, side: "wga" },
  });
  s.add({
    type: "party.joined",
    by: lombardini,
    at: at("2023-03-20 09:00"),
    visibility: "public",
    payload: { org: AMPTP, side: "amptp", represents: [...MEMBER_COMPANIES] },
  });
  s.add({
    type: "organization.registered",
    by: newsroom,
    at: at("2023-03-20 09:05"),
    visibility: "public",
    payload: { org: PARLEY_NEWS },
  });
  statement(
    newsroom,
    at("2023-03-20 09:10"),
    "other",
    "Who is at the table. The WGA's two guilds, WGA West and WGA East, bargain together: Ellen Stutzman " +
      "is chief negotiator, Chris Keyser and David A. Goodman co-chair the negotiating committee, and " +
      "the guild presidents are Meredith Stiehm (West) and Lisa Takeuchi Cullen (East). The AMPTP, led " +
      "by its president Carol Lombardini, bargains for the studios. The guild names its members as " +
      "Amazon, Apple, Disney, NBCUniversal, Netflix, Paramount, Sony and Warner Bros. Discovery; the " +
      "alliance also counts broadcast networks, some cable networks and independent producers. " +
      "(Parley Demo Newsroom is a fictional outlet that exists only in this demo.)",
  );
  // The vote on the pattern of demands took place on Mar 7, before this record opens (a dispute
  // cannot hold entries before its opening), so the guild reports it on the first day of talks.
  statement(
    stutzman,
    at("2023-03-20 09:15"),
    "member-update",
    "On March 7 the membership approved the guild's pattern of demands for these talks: 5,553 votes " +
      "in favor and 90 against, or 98.4%.",
  );

  const issueTitles: Record<(typeof ISSUES)[number], string> = {
    wages: "Wages (minimum rates)",
    staffing: "Minimum staffing and duration of employment in writers rooms",
    ai: "Artificial intelligence",
    viewership: "Viewership transparency",
    "streaming-residuals": "Streaming residuals",
  };
  for (const issue of ISSUES) {
    s.add({
      type: "issue.opened",
      by: stutzman,
      at: at("2023-03-20 09:30"),
      visibility: "public",
      payload: { issue, title: issueTitles[issue] },
    });
  }

  // The table session of Mar 20, with the guild's opening package.
  s.add({
    type: "meeting.scheduled",
    by: stutzman,
    at: at("2023-03-20 10:00"),
    visibility: "public",
    payload: {
      meeting: "session-2023-03-20",
      kind: "table",
      start: at("2023-03-20 10:00"),
      end: at("2023-03-20 17:00"),
      purpose: "Opening session of the talks on a successor to the 2020 MBA.",
    },
  });
  s.add({
    type: "pass.made",
    by: stutzman,
    at: at("2023-03-20 10:30"),
    visibility: "table",
    label: "wga-opening",
    payload: {
      kind: "proposal",
      summary: "The guild's opening proposals, restated in our own words.",
      issues: [
        {
          issue: "wages",
          language:
            "**Minimum rates.** Every minimum goes up by 6% in the first year of the new contract, 5% in " +
            "the second and 5% in the third.",
          terms: [
            { key: "increase-year-1", value: "6", unit: "%" },
            { key: "increase-year-2", value: "5", unit: "%" },
            { key: "increase-year-3", value: "5", unit: "%" },
          ],
        },
        {
          issue: "staffing",
          language:
            "**Writers rooms.** A series must employ a minimum number of writers, and each of them for a " +
            "guaranteed minimum period.\n\n_The formula of the opening proposal is not part of the record " +
            "this demo draws on; the guild's version as of May is entered on May 1._",
        },
        {
          issue: "ai",
          language:
            "**Artificial intelligence.**\n\n- AI may not write or rewrite literary material.\n- What AI " +
            "produces may not be used as source material.\n- Work covered by the contract may not be used " +
            "to train AI.",
        },
        {
          issue: "viewership",
          language:
            "**Viewership.** The companies share with the guild how much their streaming programs are " +
            "actually watched.",
        },
        {
          issue: "streaming-residuals",
          language:
            "**Streaming residuals.** A new residual based on viewership, paid in addition to the fixed " +
            "streaming residual that exists today.",
        },
      ],
    },
  });
  s.add({
    type: "meeting.held",
    by: stutzman,
    at: at("2023-03-20 17:00"),
    visibility: "public",
    payload: {
      meeting: "session-2023-03-20",
      attendees: [WGA_NEGOTIATORS, AMPTP_NEGOTIATORS],
      summary: "Talks on a new contract begin.",
    },
  });

  // ---------------------------------------------------------------------------------------
  // Apr 17: strike authorization
  // ---------------------------------------------------------------------------------------
  statement(
    stiehm,
    at("2023-04-17 18:00"),
    "member-update",
    "Members have authorized a strike should the talks fail: 9,020 in favor and 198 against (97.85%), " +
      "with a turnout of 78.79%.",
  );

  // ---------------------------------------------------------------------------------------
  // May 1: the last session; the contract expires at 23:59 and the talks break off
  // ---------------------------------------------------------------------------------------
  s.add({
    type: "meeting.scheduled",
    by: lombardini,
    at: at("2023-05-01 10:00"),
    visibility: "public",
    payload: {
      meeting: "session-2023-05-01",
      kind: "table",
      start: at("2023-05-01 10:00"),
      end: at("2023-05-01 21:00"),
      purpose: "Final day of talks before the contract expires.",
    },
  });
  // The facts date the guild's staffing formula to May: the last day of talks.
  s.add({
    type: "pass.made",
    by: stutzman,
    at: at("2023-05-01 11:00"),
    visibility: "table",
    label: "wga-may-staffing",
    payload: {
      kind: "proposal",
      summary: "The guild's staffing proposal as it stood when the talks broke off.",
      issues: [
        {
          issue: "staffing",
          language:
            "**Writers rooms.** At least one writer per episode for the first six episodes, then one more " +
            "writer for every two further episodes, up to a maximum of 12 writers. Each of them is " +
            "employed for at least 10 consecutive weeks, and up to 52.",
          terms: [
            { key: "writers-per-episode-up-to-6", value: "1", unit: "writers per episode" },
            {
              key: "episodes-per-extra-writer",
              value: "2",
              unit: "episodes",
              note: "one more writer for every two episodes beyond six",
            },
            { key: "room-maximum", value: "12", unit: "writers" },
            { key: "employment-minimum", value: "10", unit: "consecutive weeks" },
            { key: "employment-maximum", value: "52", unit: "weeks" },
          ],
        },
      ],
    },
  });
  s.add({
    type: "pass.made",
    by: lombardini,
    at: at("2023-05-01 15:00"),
    visibility: "table",
    label: "amptp-may",
    payload: {
      kind: "counterproposal",
      summary:
        "The AMPTP's offer as the talks broke off. The AMPTP called it a $97M annual increase; the " +
        "guild valued it at about $86M a year.",
      issues: [
        {
          issue: "wages",
          language: "**Minimum rates.** 4% in the first year, 3% in the second, 2% in the third.",
          terms: [
            { key: "increase-year-1", value: "4", unit: "%" },
            { key: "increase-year-2", value: "3", unit: "%" },
            { key: "increase-year-3", value: "2", unit: "%" },
          ],
        },
        {
          issue: "staffing",
          language:
            "**Writers rooms.** No mandatory staffing minimums and no guaranteed duration of employment.",
        },
        {
          issue: "ai",
          language:
            "**Artificial intelligence.** No rules on AI in the contract; instead the companies and the " +
            "guild meet once a year to discuss advances in technology.",
        },
        {
          issue: "viewership",
          language: "**Viewership.** The companies will not share viewership data.",
        },
      ],
    },
  });
  s.add({
    type: "meeting.held",
    by: lombardini,
    at: at("2023-05-01 21:00"),
    visibility: "public",
    payload: {
      meeting: "session-2023-05-01",
      attendees: [WGA_NEGOTIATORS, AMPTP_NEGOTIATORS],
      summary: "The talks break off without an agreement after about six weeks.",
    },
  });
  statement(
    keyser,
    at("2023-05-01 21:30"),
    "member-update",
    "After about six weeks the talks have ended without a deal. The contract expires at 11:59 p.m. " +
      "tonight, and the strike begins at 12:01 a.m. on May 2.",
  );

  // ---------------------------------------------------------------------------------------
  // May 2, 00:01: the strike begins (day 1). The facts give no number of striking writers.
  // ---------------------------------------------------------------------------------------
  s.add({
    type: "stoppage.started",
    by: stutzman,
    at: at("2023-05-02 00:01"),
    visibility: "public",
    payload: {
      stoppage: "wga-strike-2023",
      kind: "strike",
      by: ["wga-west", "wga-east"],
      against: ["amptp"],
      start: at("2023-05-02 00:01"),
    },
  });
  statement(
    newsroom,
    at("2023-05-02 10:00"),
    "other",
    "Not at the table, but in the strike's path: below-the-line crews (IATSE and Teamsters members) " +
      "and businesses such as prop houses and talent agencies.",
  );

  // ---------------------------------------------------------------------------------------
  // Jun 3: the DGA reaches its own tentative deal
  // ---------------------------------------------------------------------------------------
  s.add({
    type: "organization.registered",
    by: dga,
    at: at("2023-06-03 12:00"),
    visibility: "public",
    payload: { org: DGA },
  });
  statement(
    dga,
    at("2023-06-03 12:05"),
    "press-release",
    "The Directors Guild has reached a tentative agreement of its own with the AMPTP.",
  );

  // ---------------------------------------------------------------------------------------
  // Aug 1-4: the AMPTP invites the guild; a short meeting leads nowhere
  // ---------------------------------------------------------------------------------------
  s.add({
    type: "meeting.requested",
    by: lombardini,
    at: at("2023-08-01 10:00"),
    visibility: "public",
    payload: {
      meeting: "amptp-invitation-2023-08-01",
      kind: "table",
      purpose: "The AMPTP invites the guild to meet.",
    },
  });
  s.add({
    type: "meeting.answered",
    by: stutzman,
    at: at("2023-08-04 09:00"),
    visibility: "public",
    payload: { meeting: "amptp-invitation-2023-08-01", answer: "accepted" },
  });
  session({
    id: "amptp-invitation-2023-08-01",
    by: lombardini,
    scheduledAt: at("2023-08-04 09:05"),
    start: at("2023-08-04 14:00"),
    end: at("2023-08-04 15:00"),
    attendees: [WGA_NEGOTIATORS, AMPTP_NEGOTIATORS],
    summary: "A short meeting on day 95; the sides do not agree to resume negotiations.",
  });

  // ---------------------------------------------------------------------------------------
  // Aug 11 (day 102): the AMPTP's counterproposal, its only one of the strike until the final
  // days; Aug 15: the guild's counter
  // ---------------------------------------------------------------------------------------
  s.add({
    type: "pass.made",
    by: lombardini,
    at: at("2023-08-11 12:00"),
    visibility: "table",
    label: "amptp-2023-08-11",
    payload: {
      kind: "counterproposal",
      summary: "The AMPTP's package of Aug 11 (strike day 102).",
      issues: [
        {
          issue: "wages",
          language:
            "**Minimum rates.** 5% in the first year, 4% in the second, 3.5% in the third: 13.02% " +
            "compounded over the term.",
          terms: [
            { key: "increase-year-1", value: "5", unit: "%" },
            { key: "increase-year-2", value: "4", unit: "%" },
            { key: "increase-year-3", value: "3.5", unit: "%" },
            { key: "compounded-increase", value: "13.02", unit: "%" },
          ],
        },
        {
          issue: "staffing",
          language:
            "**Writers rooms.** The showrunner decides how many writers to hire; most television writers " +
            "get at least 10 weeks of employment.",
          terms: [
            { key: "employment-minimum", value: "10", unit: "weeks", note: "for most television writers" },
          ],
        },
        {
          issue: "ai",
          language: "**Artificial intelligence.** Material produced by AI is not literary material.",
        },
        {
          issue: "viewership",
          language:
            "**Viewership.** Each quarter the companies tell the guild, in confidence, the total hours " +
            "viewed of each streaming title. The figures are not linked to pay.",
        },
        {
          issue: "streaming-residuals",
          language:
            "**Streaming residuals.** No viewership-based residual: the companies hold to the pattern set " +
            "by the Directors Guild agreement.",
        },
      ],
    },
  });
  s.add({
    type: "pass.made",
    by: stutzman,
    at: at("2023-08-15 12:00"),
    visibility: "table",
    label: "wga-2023-08-15",
    payload: {
      kind: "counterproposal",
      summary:
        "The guild's answer to the Aug 11 package, on every open issue. The record this demo draws on " +
        "does not say what the counter changed, so each item restates the guild's standing position.",
      issues: [
        {
          issue: "wages",
          language:
            "**Minimum rates.** The guild answers the 5% / 4% / 3.5% offer. It opened at 6% / 5% / 5%; the " +
            "figures of this counter are not in our record.",
        },
        {
          issue: "staffing",
          language:
            "**Writers rooms.** The guild still seeks mandatory minimum staffing with a guaranteed period " +
            "of employment, rather than leaving room size to the showrunner.",
        },
        {
          issue: "ai",
          language:
            "**Artificial intelligence.** Beyond saying that AI output is not literary material, the " +
            "contract must keep AI from writing or rewriting literary material and from serving as " +
            "source material, and protect writers' work from being used for training.",
        },
        {
          issue: "viewership",
          language:
            "**Viewership.** The guild seeks viewership data it can actually use, beyond confidential " +
            "totals per title.",
        },
        {
          issue: "streaming-residuals",
          language:
            "**Streaming residuals.** The guild still seeks a residual that rewards success, on top of " +
            "the fixed residual.",
        },
      ],
    },
  });

  // Aug 18: a session, and an update to the members
  session({
    id: "session-2023-08-18",
    by: lombardini,
    start: at("2023-08-18 10:00"),
    end: at("2023-08-18 13:00"),
    attendees: [WGA_NEGOTIATORS, AMPTP_NEGOTIATORS],
    summary: "The last session of a week in which the sides exchanged proposals.",
  });
  statement(
    goodman,
    at("2023-08-18 17:00"),
    "member-update",
    "Proposals went back and forth this week, and the talks will continue.",
  );

  // Aug 21: one private caucus per side (illustrative demo content; never public).
  session({
    id: "wga-caucus-2023-08-21",
    kind: "caucus",
    by: stutzman,
    visibility: "private",
    start: at("2023-08-21 10:00"),
    end: at("2023-08-21 12:00"),
    purpose: "CAUCUS-WGA-PRIVATE: illustrative demo caucus of the guild's negotiators.",
  });
  s.add({
    type: "note.recorded",
    by: stutzman,
    at: at("2023-08-21 12:05"),
    visibility: "private",
    payload: {
      meeting: "wga-caucus-2023-08-21",
      text:
        "CAUCUS-WGA-PRIVATE. Illustrative demo note, not part of the public record: the committee " +
        "went over its priorities before meeting the company chiefs.",
    },
  });
  session({
    id: "amptp-caucus-2023-08-21",
    kind: "caucus",
    by: lombardini,
    visibility: "private",
    start: at("2023-08-21 14:00"),
    end: at("2023-08-21 16:00"),
    purpose: "CAUCUS-AMPTP-PRIVATE: illustrative demo caucus of the AMPTP's negotiators.",
  });
  s.add({
    type: "note.recorded",
    by: lombardini,
    at: at("2023-08-21 16:05"),
    visibility: "private",
    payload: {
      meeting: "amptp-caucus-2023-08-21",
      text:
        "CAUCUS-AMPTP-PRIVATE. Illustrative demo note, not part of the public record: the companies " +
        "discussed how to present their offer at the meeting with the guild.",
    },
  });

  // ---------------------------------------------------------------------------------------
  // Aug 22 (day 113): the studio chiefs meet the guild; about 20 minutes after it ends the
  // AMPTP makes its Aug 11 offer public
  // ---------------------------------------------------------------------------------------
  session({
    id: "session-2023-08-22",
    by: lombardini,
    start: at("2023-08-22 15:00"),
    end: at("2023-08-22 17:00"),
    purpose: "Meeting of the studio chiefs and the AMPTP's president with the guild.",
    attendees: [...CHIEFS, WGA_NEGOTIATORS],
    summary: "The chief executives and Carol Lombardini meet the guild's negotiators.",
  });
  s.add({
    type: "entry.published",
    by: lombardini,
    at: at("2023-08-22 17:20"),
    visibility: "public",
    payload: (seq) => ({
      entry: seq("amptp-2023-08-11"),
      note: "The AMPTP releases the package it passed on Aug 11.",
    }),
  });
  statement(
    lombardini,
    at("2023-08-22 17:20"),
    "press-release",
    "The AMPTP has made public the offer it gave the guild on Aug 11: raises of 5%, 4% and 3.5%, a " +
      "10-week minimum of employment for most television writers, AI output treated as not literary " +
      "material, and confidential quarterly viewing totals for streaming titles.",
  );

  // Aug 24: the guild answers in public and publishes its own Aug 15 counter, so the public
  // can see that the next move is the AMPTP's.
  statement(
    stutzman,
    at("2023-08-24 10:00"),
    "press-release",
    'The guild\'s verdict on the published offer: "neither nothing, nor nearly enough". It answered ' +
      "that offer on Aug 15 and is now waiting for the AMPTP's reply.",
  );
  s.add({
    type: "entry.published",
    by: stutzman,
    at: at("2023-08-24 10:05"),
    visibility: "public",
    payload: (seq) => ({
      entry: seq("wga-2023-08-15"),
      note: "The guild makes public its Aug 15 counterproposal: the move is now the AMPTP's.",
    }),
  });

  // Sep 8 (day 130)
  statement(
    keyser,
    at("2023-09-08 12:00"),
    "member-update",
    "Day 130 of the strike, and the AMPTP has put forward a single proposal in all that time.",
  );

  // ---------------------------------------------------------------------------------------
  // Sep 13-14: the guild asks for a meeting, 22 days after the last one ("nearly three weeks");
  // the AMPTP says it will schedule one next week
  // ---------------------------------------------------------------------------------------
  s.add({
    type: "meeting.requested",
    by: stutzman,
    at: at("2023-09-13 10:00"),
    visibility: "public",
    payload: {
      meeting: "wga-request-2023-09-13",
      kind: "table",
      purpose: "The guild asks the AMPTP to meet to move the negotiations forward.",
    },
  });
  statement(
    lombardini,
    at("2023-09-13 15:00"),
    "press-release",
    "The AMPTP says the guild has asked for a meeting to move the negotiations forward.",
  );
  // The fictional demo newsroom asks both sides for comment; only the AMPTP answers in time.
  s.add({
    type: "comment.requested",
    by: newsroom,
    at: at("2023-09-13 16:00"),
    visibility: "public",
    payload: {
      request: "rfc-amptp-2023-09-13",
      to: "amptp",
      question: "The sides last met on Aug 22, 22 days ago. Will the AMPTP meet the guild, and when?",
      deadline: at("2023-09-14 17:00"),
    },
  });
  s.add({
    type: "comment.requested",
    by: newsroom,
    at: at("2023-09-13 16:05"),
    visibility: "public",
    payload: {
      request: "rfc-wga-2023-09-13",
      to: "wga-west",
      question: "What does the guild expect from the meeting it has requested?",
      deadline: at("2023-09-14 17:00"),
    },
  });
  s.add({
    type: "comment.answered",
    by: lombardini,
    at: at("2023-09-14 12:00"),
    visibility: "public",
    payload: {
      request: "rfc-amptp-2023-09-13",
      response: "responded",
      text: "The AMPTP intends to set a meeting with the guild for next week.",
    },
  });
  s.add({
    type: "meeting.answered",
    by: lombardini,
    at: at("2023-09-14 12:05"),
    visibility: "public",
    payload: {
      meeting: "wga-request-2023-09-13",
      answer: "accepted",
      note: "The AMPTP will schedule the meeting for next week.",
    },
  });

  // Sep 15: the guild's negotiators meet showrunners on strategy (a side meeting).
  s.add({
    type: "organization.registered",
    by: showrunners,
    at: at("2023-09-15 09:00"),
    visibility: "public",
    payload: { org: SHOWRUNNERS },
  });
  session({
    id: "showrunners-2023-09-15",
    kind: "side",
    by: stutzman,
    with: ["showrunners"],
    start: at("2023-09-15 11:00"),
    end: at("2023-09-15 13:00"),
    purpose: "Strategy discussion between the guild's negotiators and showrunners.",
    attendees: [
      { name: "Kenya Barris", org: "showrunners" },
      { name: "Noah Hawley", org: "showrunners" },
      WGA_NEGOTIATORS,
    ],
    summary: "Showrunners, among them Kenya Barris and Noah Hawley, discuss strategy with the negotiators.",
  });

  // ---------------------------------------------------------------------------------------
  // Sep 20-23: talks resume, with the chiefs present Sep 20-22. When the date was set is not in
  // the facts: the scheduling entry is placed on Monday Sep 18, the week the AMPTP named.
  // ---------------------------------------------------------------------------------------
  session({
    id: "wga-request-2023-09-13",
    by: lombardini,
    scheduledAt: at("2023-09-18 12:00"),
    start: at("2023-09-20 10:00"),
    end: at("2023-09-20 18:00"),
    attendees: [...CHIEFS, WGA_NEGOTIATORS],
    summary: "Talks resume, with the studio chiefs at the table.",
  });
  for (const day of ["2023-09-21", "2023-09-22"]) {
    session({
      id: `session-${day}`,
      by: lombardini,
      start: at(`${day} 10:00`),
      end: at(`${day} 18:00`),
      attendees: [...CHIEFS, WGA_NEGOTIATORS],
      summary: "Talks continue with the studio chiefs.",
    });
  }
  session({
    id: "session-2023-09-23",
    by: lombardini,
    start: at("2023-09-23 10:00"),
    end: at("2023-09-23 18:00"),
    attendees: [AMPTP_NEGOTIATORS, WGA_NEGOTIATORS],
    summary: "Talks continue.",
  });

  // ---------------------------------------------------------------------------------------
  // Sep 24 (day 146): the tentative agreement. The facts do not say who drafted each final
  // clause; the closing package is entered under the AMPTP, which signs the TA first.
  // ---------------------------------------------------------------------------------------
  s.add({
    type: "pass.made",
    by: lombardini,
    at: at("2023-09-24 17:00"),
    visibility: "table",
    label: "closing-package",
    payload: {
      kind: "counterproposal",
      summary: "The closing package: the terms the sides settled on at the table, Sep 20-24.",
      issues: [
        {
          issue: "wages",
          language: "**Minimum rates.** 5% on Sep 25, 2023, 4% on May 2, 2024 and 3.5% on May 2, 2025.",
          terms: [
            { key: "increase-year-1", value: "5", unit: "%", note: "effective 2023-09-25" },
            { key: "increase-year-2", value: "4", unit: "%", note: "effective 2024-05-02" },
            { key: "increase-year-3", value: "3.5", unit: "%", note: "effective 2025-05-02" },
          ],
        },
        {
          issue: "staffing",
          language:
            "**Writers rooms.** A season's minimum staff: 3 writers for up to 6 episodes, 5 writers for " +
            "7 to 12 episodes, 6 writers for 13 episodes or more. No minimum applies when a single writer " +
            "or writing team writes every episode. Writers in development rooms are employed for at least " +
            "10 consecutive weeks.",
          terms: [
            { key: "minimum-staff-up-to-6-episodes", value: "3", unit: "writers" },
            { key: "minimum-staff-7-to-12-episodes", value: "5", unit: "writers" },
            { key: "minimum-staff-13-plus-episodes", value: "6", unit: "writers" },
            { key: "development-room-minimum", value: "10", unit: "consecutive weeks" },
          ],
        },
        {
          issue: "ai",
          language:
            "**Artificial intelligence.**\n\n- AI cannot write or rewrite literary material, and what it " +
            "produces is not source material.\n- A writer may choose to use AI, with the company's " +
            "consent, but can never be required to.\n- Companies must tell writers when material they are " +
            "given was generated by AI.\n- The guild keeps the right to assert that training AI on " +
            "writers' work is prohibited.",
        },
        {
          issue: "viewership",
          language:
            "**Viewership.** Under confidentiality, the companies give the guild the total hours streamed, " +
            "domestic and international, of their self-produced high-budget streaming programs. The guild " +
            "may share the data with its members only in aggregate.",
        },
        {
          issue: "streaming-residuals",
          language:
            "**Success-based streaming bonus.** For high-budget streaming programs first made available " +
            "on or after Jan 1, 2024.\n\n" +
            "- views = domestic hours streamed / runtime in hours, counted over the first 90 days after " +
            "release, or over the first 90 days of any later exhibition year;\n" +
            "- a program qualifies when its views reach at least 20% of the service's domestic " +
            "subscribers (the subscriber count is reported to be taken as of July 1; not checked against " +
            "the contract text);\n" +
            "- the bonus is 50% of the fixed domestic and foreign residual: reported as $9,031 for a " +
            "half-hour episode, $16,415 for a one-hour episode and $40,500 for a streaming feature " +
            "budgeted over $30M.\n\n" +
            "Worked example: an 8-hour season streamed for 110M domestic hours in its first 90 days has " +
            "13.75M views; with 68M domestic subscribers, 13.75 / 68 = 0.202, at least 0.20, so it " +
            "qualifies and the writer of each one-hour episode receives $16,415.",
          terms: [
            { key: "views-threshold", value: "20", unit: "% of domestic subscribers" },
            { key: "measurement-window", value: "90", unit: "days" },
            { key: "bonus-share", value: "50", unit: "% of fixed residual" },
            { key: "bonus-half-hour-episode", value: "9031", unit: "USD", note: "implied base $18,062" },
            { key: "bonus-one-hour-episode", value: "16415", unit: "USD", note: "implied base $32,830" },
            {
              key: "bonus-streaming-feature",
              value: "40500",
              unit: "USD",
              note: "budget over $30M; implied base $81,000",
            },
            { key: "feature-budget-threshold", value: "30000000", unit: "USD" },
          ],
        },
      ],
    },
  });
  s.add({
    type: "ta.signed",
    by: lombardini,
    at: at("2023-09-24 18:00"),
    visibility: "public",
    label: "ta-amptp",
    payload: {
      issues: [...ISSUES],
      wholeAgreement: true,
      language:
        "Tentative agreement on a successor to the 2020 MBA, summarized:\n\n" +
        "- **Wages:** 5% (Sep 25, 2023), 4% (May 2, 2024), 3.5% (May 2, 2025).\n" +
        "- **Staffing:** at least 3 writers for up to 6 episodes, 5 for 7-12, 6 for 13 or more, unless " +
        "one writer or team writes every episode; development rooms at least 10 consecutive weeks.\n" +
        "- **AI:** cannot write or rewrite literary material and its output is not source material; " +
        "writers may use it with consent but cannot be required to; AI-generated material must be " +
        "disclosed; the guild reserves its position on training.\n" +
        "- **Viewership:** confidential total hours streamed of self-produced high-budget streaming " +
        "programs, shared with members only in aggregate.\n" +
        "- **Streaming bonus:** 50% of the fixed residual for programs whose views in 90 days reach 20% " +
        "of domestic subscribers ($9,031 per half hour, $16,415 per hour, $40,500 per feature over $30M).",
    },
  });
  s.add({
    type: "ta.signed",
    by: stutzman,
    at: at("2023-09-24 18:30"),
    visibility: "public",
    payload: (seq) => ({
      issues: [...ISSUES],
      wholeAgreement: true,
      countersigns: seq("ta-amptp"),
      language: "The guild countersigns. It values the gains of this agreement at about $233M a year.",
    }),
  });
  statement(
    stutzman,
    at("2023-09-24 19:00"),
    "member-update",
    "The guild and the AMPTP have reached a tentative agreement, on day 146 of the strike.",
  );

  // Sep 26: unanimous recommendation; Sep 27, 00:01: the strike ends (148 days, last day Sep 26)
  statement(
    stiehm,
    at("2023-09-26 18:00"),
    "member-update",
    "The negotiating committee, the WGA West board and the WGA East council have each voted " +
      "unanimously to recommend the agreement and to lift the strike at 12:01 a.m. on Sep 27. " +
      "Members will vote on ratification from Oct 2 to Oct 9.",
  );
  statement(
    cullen,
    at("2023-09-26 18:05"),
    "member-update",
    "The WGA East council has voted unanimously to recommend the agreement and to end the strike.",
  );
  s.add({
    type: "stoppage.ended",
    by: stutzman,
    at: at("2023-09-27 00:01"),
    visibility: "public",
    payload: { stoppage: "wga-strike-2023", end: at("2023-09-27 00:01") },
  });

  // ---------------------------------------------------------------------------------------
  // Oct 2-9: ratification
  // ---------------------------------------------------------------------------------------
  statement(stiehm, at("2023-10-02 09:00"), "member-update", "Ratification voting is open until Oct 9.");
  s.add({
    type: "agreement.voted",
    by: stiehm,
    at: at("2023-10-09 18:00"),
    visibility: "public",
    payload: {
      result: "ratified",
      vote: { yes: 8435, no: 90 },
      votingOpened: "2023-10-02",
      votingClosed: "2023-10-09",
      term: { start: "2023-09-25", end: "2026-05-01" },
    },
  });
  statement(
    stiehm,
    at("2023-10-09 18:05"),
    "member-update",
    "The members have ratified the contract: 8,435 votes in favor and 90 against, 99% of the 8,525 " +
      "cast. It runs from Sep 25, 2023 to May 1, 2026.",
  );

  addEstimates(s);
  return s.build();
}

/**
 * Cost estimates by the parties and impact figures by third parties, each entered on the day
 * it describes (its asOf date) because the facts give no publication dates. Third-party
 * estimates are filed by the fictional demo newsroom under their original source. No links:
 * the facts file gives none.
 */
function addEstimates(s: Script): void {
  const figure = (
    by: Actor,
    when: string,
    p: Omit<PayloadInput<"impact.reported">, "asOf"> & { asOf: string },
  ) => s.add({ type: "impact.reported", by, at: when, visibility: "public", payload: p });

  // The parties' cost estimates (dates of publication not in the facts: entered as the talks
  // broke off, and the final valuation on the day the guild recommended the deal).
  figure(stutzman, at("2023-05-02 09:00"), {
    figure: "wga-proposals-annual-value",
    what: "Value of the guild's proposals, per year",
    value: "429000000",
    unit: "USD/year",
    asOf: "2023-05-01",
    method: "The guild's own costing of its proposals.",
    source: { name: "Writers Guild of America" },
  });
  figure(stutzman, at("2023-05-02 09:00"), {
    figure: "wga-valuation-of-amptp-may-offer",
    what: "Value of the AMPTP's May offer, per year, as the guild costs it (about)",
    value: "86000000",
    unit: "USD/year",
    asOf: "2023-05-01",
    method: "The guild's costing of the AMPTP's offer of May 1.",
    source: { name: "Writers Guild of America" },
  });
  figure(lombardini, at("2023-05-02 09:30"), {
    figure: "amptp-may-offer-annual-increase",
    what: "Annual increase in the AMPTP's May offer, as the AMPTP costs it",
    value: "97000000",
    unit: "USD/year",
    asOf: "2023-05-01",
    method: "The AMPTP's own costing of its offer of May 1.",
    source: { name: "Alliance of Motion Picture and Television Producers" },
  });
  figure(stiehm, at("2023-09-26 18:10"), {
    figure: "wga-final-deal-annual-value",
    what: "Value of the 2023 agreement's gains, per year, as the guild costs it",
    value: "233000000",
    unit: "USD/year",
    asOf: "2023-09-26",
    method: "The guild's costing of the tentative agreement of Sep 24.",
    source: { name: "Writers Guild of America" },
  });

  // Third-party estimates of the strike's impact.
  figure(newsroom, at("2023-07-31 12:00"), {
    figure: "milken-california-loss-july",
    what: "Loss to California's economy (upper bound)",
    value: "4000000000",
    unit: "USD",
    asOf: "2023-07-31",
    method:
      "Milken Institute estimate of late July 2023, an upper bound; the exact day is not in our " +
      "facts, so the last day of July is used.",
    source: { name: "Milken Institute" },
  });
  figure(newsroom, at("2023-08-09 12:00"), {
    figure: "holmes-first-100-days",
    what: "Economic loss in the strike's first 100 days (about)",
    value: "3000000000",
    unit: "USD",
    asOf: "2023-08-09",
    method: "Estimate by Todd Holmes of California State University, Northridge, at strike day 100.",
    source: { name: "Todd Holmes, California State University, Northridge" },
  });
  figure(newsroom, at("2023-08-09 12:00"), {
    figure: "holmes-projection-october",
    what: "Projected economic loss should the strike last into October (at least)",
    value: "5000000000",
    unit: "USD",
    asOf: "2023-08-09",
    method: "Projection by Todd Holmes of California State University, Northridge, a lower bound.",
    source: { name: "Todd Holmes, California State University, Northridge" },
  });
  // The 2007-08 writers strike (100 days), for comparison at this strike's day 100. Its end,
  // Feb 12, 2008, serves as the figures' date.
  figure(newsroom, at("2023-08-09 12:05"), {
    figure: "milken-2007-08-strike-loss",
    what: "For comparison: economic loss of the 100-day 2007-08 writers strike",
    value: "2100000000",
    unit: "USD",
    asOf: "2008-02-12",
    method: "Milken Institute estimate for the 2007-08 writers strike, which lasted 100 days.",
    source: { name: "Milken Institute" },
  });
  figure(newsroom, at("2023-08-09 12:05"), {
    figure: "milken-2007-08-strike-jobs",
    what: "For comparison: jobs lost in the 100-day 2007-08 writers strike",
    value: "37700",
    unit: "jobs",
    asOf: "2008-02-12",
    method: "Milken Institute estimate for the 2007-08 writers strike, which lasted 100 days.",
    source: { name: "Milken Institute" },
  });
  figure(newsroom, at("2023-08-31 12:00"), {
    figure: "bls-motion-picture-jobs-august",
    what: "Change in motion picture and sound recording jobs in August 2023",
    value: "-17000",
    unit: "jobs",
    asOf: "2023-08-31",
    method: "Monthly change in U.S. employment in the motion picture and sound recording industries.",
    source: { name: "U.S. Bureau of Labor Statistics" },
  });
  figure(newsroom, at("2023-09-16 12:00"), {
    figure: "iatse-west-coast-lost-wages",
    what: "Wages lost by IATSE's West Coast members, May 2 to Sep 16 (about)",
    value: "1400000000",
    unit: "USD",
    asOf: "2023-09-16",
    method: "IATSE's estimate of its West Coast members' lost wages since the strike began.",
    source: { name: "IATSE" },
  });
  figure(newsroom, at("2023-09-27 12:00"), {
    figure: "milken-california-loss-later",
    what: "Loss to California's economy, later estimate (at least)",
    value: "5000000000",
    unit: "USD",
    asOf: "2023-09-27",
    method:
      "The Milken Institute's later estimate, a lower bound, revising its late-July figure. Its date is " +
      "not in our facts; it is entered on the day the writers' strike ended.",
    source: { name: "Milken Institute" },
  });
  const otis =
    "Otis College report on the creative economy. Its publication date and the exact months compared are " +
    "not in our facts; the figures are entered at the end of the April-September 2023 period it covers.";
  figure(newsroom, at("2023-09-30 12:00"), {
    figure: "otis-la-entertainment-jobs-change",
    what: "Change in Los Angeles entertainment jobs",
    value: "-17",
    unit: "%",
    asOf: "2023-09-30",
    method: `${otis} Jobs fell from 142,652 to 117,853.`,
    source: { name: "Otis College of Art and Design" },
  });
  figure(newsroom, at("2023-09-30 12:00"), {
    figure: "otis-la-entertainment-jobs-before",
    what: "Los Angeles entertainment jobs before the decline",
    value: "142652",
    unit: "jobs",
    asOf: "2023-09-30",
    method: otis,
    source: { name: "Otis College of Art and Design" },
  });
  figure(newsroom, at("2023-09-30 12:00"), {
    figure: "otis-la-entertainment-jobs-after",
    what: "Los Angeles entertainment jobs after the decline",
    value: "117853",
    unit: "jobs",
    asOf: "2023-09-30",
    method: otis,
    source: { name: "Otis College of Art and Design" },
  });
  figure(newsroom, at("2023-09-30 12:00"), {
    figure: "otis-la-lost-wages",
    what: "Lost wages in Los Angeles entertainment, April to September 2023 (more than)",
    value: "1400000000",
    unit: "USD",
    asOf: "2023-09-30",
    method: `${otis} A lower bound.`,
    source: { name: "Otis College of Art and Design" },
  });
  figure(newsroom, at("2024-03-01 12:00"), {
    figure: "ucla-anderson-direct-impact",
    what: "Direct economic impact of the strike (about)",
    value: "1500000000",
    unit: "USD",
    asOf: "2024-03-01",
    method:
      "UCLA Anderson Forecast of March 2024; the day of the month is not in our facts, so the first is used.",
    source: { name: "UCLA Anderson Forecast" },
  });
}
