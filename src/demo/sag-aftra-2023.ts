import {
  AMPTP,
  AMPTP_SIDE,
  MEMBER_COMPANIES,
  PARLEY_NEWS,
  SAG_AFTRA,
  SAG_AFTRA_SIDE,
} from "./organizations.ts";
import { type Actor, type DemoDispute, Script } from "./script.ts";
import { at } from "./time.ts";

/**
 * SAG-AFTRA and the AMPTP in 2023: the actors' strike that ran alongside the writers' (see
 * ../../../shared/facts/wga-2023.md). The facts hold little about this negotiation: the
 * authorization vote, the strike's dates, the union's size and the tentative agreement.
 *
 * - The facts do not give the date the talks began. The dispute is opened on Jun 5, the day of
 *   the strike authorization vote, the earliest date the facts give for this negotiation.
 * - The facts do not name the expiring contract's end date or SAG-AFTRA's bargaining issues:
 *   the agreement's expiry is left unknown (null) and a single issue stands for the whole
 *   successor contract, so that the tentative agreement has something to cover.
 * - No ratification vote is recorded: it is not in the facts.
 * - Times of day are illustrative except the strike's start and end (00:01).
 */
export const SAG_AFTRA_2023 = "sag-aftra-2023";

// The facts name nobody at SAG-AFTRA; its entries are recorded by a role account.
const sag: Actor = { org: "sag-aftra", user: "negotiating-committee" };
const lombardini: Actor = { org: "amptp", user: "carol.lombardini" };
const newsroom: Actor = { org: "parley-news", user: "newsroom" }; // the fictional demo outlet

export function sagAftra2023(): DemoDispute {
  const s = new Script(SAG_AFTRA_2023);

  s.add({
    type: "dispute.opened",
    by: sag,
    at: at("2023-06-05 09:00"),
    visibility: "public",
    payload: {
      title: "SAG-AFTRA and AMPTP: 2023 negotiation of the TV/theatrical contract",
      timeZone: "America/Los_Angeles",
      agreement: { name: "SAG-AFTRA TV/theatrical contract with the AMPTP", expiresAt: null },
      sides: [SAG_AFTRA_SIDE, AMPTP_SIDE],
    },
  });
  s.add({
    type: "party.joined",
    by: sag,
    at: at("2023-06-05 09:00"),
    visibility: "public",
    payload: { org: SAG_AFTRA, side: "sag-aftra" },
  });
  s.add({
    type: "party.joined",
    by: lombardini,
    at: at("2023-06-05 09:00"),
    visibility: "public",
    payload: { org: AMPTP, side: "amptp", represents: [...MEMBER_COMPANIES] },
  });
  s.add({
    type: "issue.opened",
    by: sag,
    at: at("2023-06-05 09:05"),
    visibility: "public",
    payload: { issue: "successor-contract", title: "Successor TV/theatrical contract" },
  });
  s.add({
    type: "statement.made",
    by: sag,
    at: at("2023-06-05 18:00"),
    visibility: "public",
    payload: {
      by: "sag-aftra",
      channel: "member-update",
      text: "Members have voted 97.91% in favor of authorizing a strike should the talks fail.",
    },
  });

  // Jul 14, 00:01: the actors strike, about 160,000 members, the same companies as the writers.
  s.add({
    type: "stoppage.started",
    by: sag,
    at: at("2023-07-14 00:01"),
    visibility: "public",
    payload: {
      stoppage: "sag-aftra-strike-2023",
      kind: "strike",
      by: ["sag-aftra"],
      against: ["amptp"],
      start: at("2023-07-14 00:01"),
      workers: 160000,
    },
  });
  s.add({
    type: "organization.registered",
    by: newsroom,
    at: at("2023-07-14 09:00"),
    visibility: "public",
    payload: { org: PARLEY_NEWS },
  });
  s.add({
    type: "statement.made",
    by: newsroom,
    at: at("2023-07-14 09:05"),
    visibility: "public",
    payload: {
      by: "parley-news",
      channel: "other",
      text:
        "With the actors out, writers and actors are on strike together for the first time since 1960. " +
        "(Parley Demo Newsroom is a fictional outlet that exists only in this demo.)",
    },
  });

  // Nov 8: the tentative agreement; the strike ends at 00:01 on Nov 9, after 118 days.
  s.add({
    type: "ta.signed",
    by: lombardini,
    at: at("2023-11-08 17:00"),
    visibility: "public",
    label: "ta-amptp",
    payload: {
      issues: ["successor-contract"],
      wholeAgreement: true,
      language:
        "Tentative agreement on a successor TV/theatrical contract (its terms are not in the demo facts).",
    },
  });
  s.add({
    type: "ta.signed",
    by: sag,
    at: at("2023-11-08 17:30"),
    visibility: "public",
    payload: (seq) => ({
      issues: ["successor-contract"],
      wholeAgreement: true,
      countersigns: seq("ta-amptp"),
    }),
  });
  s.add({
    type: "statement.made",
    by: sag,
    at: at("2023-11-08 18:00"),
    visibility: "public",
    payload: {
      by: "sag-aftra",
      channel: "member-update",
      text: "A tentative agreement has been reached. The strike ends at 12:01 a.m. on Nov 9, after 118 days.",
    },
  });
  s.add({
    type: "stoppage.ended",
    by: sag,
    at: at("2023-11-09 00:01"),
    visibility: "public",
    payload: { stoppage: "sag-aftra-strike-2023", end: at("2023-11-09 00:01") },
  });

  return s.build();
}
