import type { Accounts, Caller } from "../app/accounts.ts";
import type { Parley } from "../app/parley.ts";
import { Posts } from "../app/posts.ts";
import { PUBLIC } from "../app/visibility.ts";
import type { EntryType } from "../domain/events.ts";
import { at } from "./time.ts";
import { WGA_2023 } from "./wga-2023.ts";

/**
 * News posts about the WGA dispute: four by the demo's fictional outlet (one still a draft)
 * and one by the guild, written in our own words from ../../../shared/facts/wga-2023.md. Each
 * cites public entries of the demo ledger, found by type, author and day rather than by
 * number, so that a change to the script cannot make a post cite the wrong entry. Times of day
 * are illustrative, like the script's. The demo records no public correction, so no post cites
 * a corrected entry.
 */

/** The account behind a demo email, as the application sees a signed-in caller of that organization. */
async function callerOf(accounts: Accounts, org: string, email: string): Promise<Caller> {
  const member = (await accounts.members(org)).find((m) => m.email === email);
  if (!member) throw new Error(`demo posts: no ${email} in ${org}`);
  return {
    id: member.id,
    email: member.email,
    name: member.name,
    memberships: [{ org, role: member.role }],
    operator: false,
    via: { kind: "token" },
  };
}

/** The first public entry of `type` (by `org`, if given) that occurred on a Los Angeles day. */
async function entryOn(app: Parley, q: { type: EntryType; day: string; org?: string }): Promise<number> {
  const items = app.timelineItems(WGA_2023, PUBLIC, {
    type: q.type,
    from: at(`${q.day} 00:00`),
    to: at(`${q.day} 23:59`),
    ...(q.org ? { org: q.org } : {}),
  });
  for await (const item of items) return item.seq;
  throw new Error(`demo posts: no public ${q.type}${q.org ? ` by ${q.org}` : ""} on ${q.day}`);
}

export async function addDemoPosts(app: Parley, accounts: Accounts): Promise<string[]> {
  const posts = new Posts(app, () => app.now());
  const reporter = await callerOf(accounts, "parley-news", "reporter@parley-news.demo");
  const guild = await callerOf(accounts, "wga-west", "negotiator@wga.demo");
  const made: string[] = [];

  const write = async (
    by: Caller,
    org: string,
    when: string,
    post: { title: string; body: string; tags: string[]; citations: number[] },
  ) => {
    const draft = await posts.create(by, { dispute: WGA_2023, org, ...post }, { at: when });
    made.push(draft.slug);
    return draft;
  };
  const publish = async (by: Caller, org: string, when: string, post: Parameters<typeof write>[3]) => {
    const draft = await write(by, org, when, post);
    return posts.publish(by, draft.slug, {}, { at: when });
  };

  await publish(reporter, "parley-news", at("2023-05-02 08:30"), {
    title: "Writers strike begins after six weeks of talks end without a deal",
    tags: ["strike", "wga", "amptp"],
    citations: [
      await entryOn(app, { type: "meeting.held", day: "2023-05-01" }),
      await entryOn(app, { type: "stoppage.started", day: "2023-05-02" }),
      await entryOn(app, { type: "impact.reported", day: "2023-05-02", org: "amptp" }),
    ],
    body: [
      "The Writers Guild of America is on strike. Its members stopped work at 12:01 a.m. on Tuesday, two minutes after the 2020 contract with the studios' alliance ran out, when talks that opened on March 20 broke off without an agreement.",
      "",
      "The two sides do not even agree on the size of the gap. The guild prices its own proposals at about **$429 million a year** and the AMPTP's offer at roughly $86 million; the alliance counts the same offer as a $97 million yearly increase.",
      "",
      "The strike did not come as a surprise: in April, 97.85% of the members who voted authorized one should the talks fail.",
      "",
      "The entries cited below are in the dispute's signed record, each with a proof anyone can check.",
    ].join("\n"),
  });

  const offer = await publish(reporter, "parley-news", at("2023-08-22 18:00"), {
    title: "Studios publish their Aug. 11 offer minutes after meeting the guild with four CEOs",
    tags: ["offer", "amptp", "negotiations"],
    citations: [
      await entryOn(app, { type: "meeting.held", day: "2023-08-22" }),
      await entryOn(app, { type: "entry.published", day: "2023-08-22", org: "amptp" }),
      await entryOn(app, { type: "statement.made", day: "2023-08-22", org: "amptp" }),
    ],
    body: [
      "On day 113 of the strike, Bob Iger (Disney), Ted Sarandos (Netflix), David Zaslav (Warner Bros. Discovery) and Donna Langley (NBCUniversal) sat down with the guild's negotiators alongside AMPTP president Carol Lombardini. About twenty minutes after the meeting, the alliance made public the counterproposal it had handed the guild on Aug. 11, its only one since the strike began.",
      "",
      "What the offer says:",
      "",
      "- minimum rates up 5%, 4% and 3.5% over three years;",
      "- the showrunner decides how many writers to hire, with at least ten weeks of work for most TV writers;",
      "- material generated by AI is not literary material;",
      "- a confidential quarterly report of total hours viewed for each streaming title, with no link to pay.",
    ].join("\n"),
  });
  // Revised the same evening: the post shows as updated, and its editors see both versions.
  await posts.edit(
    reporter,
    offer.slug,
    {
      revision: offer.revision,
      body: `${offer.body}\n\n*Updated at 8:30 p.m.:* the guild has not yet answered the published terms in public. Its own counterproposal of Aug. 15 stays at the table for now.`,
    },
    { at: at("2023-08-22 20:30") },
  );

  await publish(guild, "wga-west", at("2023-08-24 10:30"), {
    title: "Our answer to the offer the studios made public",
    tags: ["offer", "ai", "staffing", "viewership"],
    citations: [
      await entryOn(app, { type: "pass.made", day: "2023-08-11", org: "amptp" }),
      await entryOn(app, { type: "statement.made", day: "2023-08-24", org: "wga-west" }),
      await entryOn(app, { type: "entry.published", day: "2023-08-24", org: "wga-west" }),
    ],
    body: [
      'The offer the AMPTP published on Tuesday is "neither nothing, nor nearly enough". It moves on wages, and on little else that writers struck for:',
      "",
      "- **Staffing.** It leaves the size of a room to the showrunner. We asked for a minimum that grows with the number of episodes.",
      "- **Artificial intelligence.** Saying that AI output is not literary material does not stop a studio from having AI write or rewrite a script.",
      "- **Viewership.** Confidential totals of hours viewed, tied to nothing, are not a residual that rewards a show's success.",
      "",
      "We answered the offer on Aug. 15 with a counterproposal of our own, and have now made it public as well, so that every member can compare the two.",
    ].join("\n"),
  });

  await publish(reporter, "parley-news", at("2023-09-14 15:00"), {
    title: "Day 136: the AMPTP says it will set a meeting with the writers next week",
    tags: ["strike", "meetings", "amptp", "wga"],
    citations: [
      await entryOn(app, { type: "meeting.requested", day: "2023-09-13", org: "wga-west" }),
      await entryOn(app, { type: "statement.made", day: "2023-09-13", org: "amptp" }),
      await entryOn(app, { type: "comment.answered", day: "2023-09-14" }),
    ],
    body: [
      "The studios' alliance said on Wednesday that the guild had asked for a meeting to move the negotiations forward. Asked by Parley News when that meeting would happen, the AMPTP answered on Thursday that it intends to set one for next week.",
      "",
      "The two sides last met on Aug. 22, twenty-two days before the guild's request.",
      "",
      "Thursday is day 136 of the writers' strike, and day 63 of the actors' strike that SAG-AFTRA began on July 14 against the same companies.",
    ].join("\n"),
  });

  // Still a draft: not on the site, visible to its author and the outlet's editors only.
  await write(reporter, "parley-news", at("2023-09-25 09:00"), {
    title: "What the tentative agreement changes for writers",
    tags: ["agreement", "ai", "staffing", "residuals"],
    citations: [
      await entryOn(app, { type: "ta.signed", day: "2023-09-24", org: "amptp" }),
      await entryOn(app, { type: "ta.signed", day: "2023-09-24", org: "wga-west" }),
      await entryOn(app, { type: "statement.made", day: "2023-09-24", org: "wga-west" }),
    ],
    body: [
      "Draft: check every figure against the contract text before this goes out.",
      "",
      "- **Rooms:** at least 3 writers for up to 6 episodes, 5 for 7 to 12, 6 for 13 or more; development rooms run 10 consecutive weeks.",
      "- **AI:** it cannot write or rewrite literary material, and its output is not source material. A writer may choose to use it, with consent, but cannot be required to.",
      "- **Viewership:** the companies report total hours streamed of their own high-budget streaming shows to the guild, in confidence.",
      "- **Success bonus:** half the fixed residual again when a show's views in its first 90 days reach 20% of the service's domestic subscribers.",
      "- **Wages:** 5%, 4% and 3.5%. The guild values the whole deal at $233 million a year.",
    ].join("\n"),
  });

  return made;
}
