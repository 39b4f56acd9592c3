import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATEMENTS_PER_PAGE } from "../../src/server/pages/statements.ts";
import { demoServer, pageText as text } from "../support/web.ts";

/** The text of the request-for-comment card whose heading is `heading`. */
function requestCard(html: string, heading: string): string {
  const t = text(html);
  const start = t.indexOf(heading);
  if (start < 0) return "";
  const rest = t.slice(start + heading.length);
  const end = rest.search(/Parley News asked|Response times/);
  return rest.slice(0, end < 0 ? undefined : end);
}

/** The statement ids (seq) listed on a page, in page order. */
function statementSeqs(html: string): number[] {
  return [...html.matchAll(/id="statement-(\d+)"/g)].map((m) => Number(m[1]));
}

const URL_NOW = "/d/wga-2023/statements";
const WGA = { org: "wga-west", user: "test.writer" };
const AMPTP = { org: "amptp", user: "test.producer" };

let s: Awaited<ReturnType<typeof demoServer>>;
beforeAll(async () => {
  s = await demoServer();
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

describe("the statements page", () => {
  it("lists the statements newest first, dated in the dispute's zone with the zone named", async () => {
    const r = await s.page(URL_NOW);
    expect(r.status).toBe(200);
    const t = text(r.html);
    expect(t).toContain("Statements and requests for comment");
    expect(t).toMatch(/16 statements on record/);
    expect(t).toContain("AMPTP · Press release Wed 2023-09-13 15:00 PDT");
    expect(t).toContain("The AMPTP says the guild has asked for a meeting to move the negotiations forward.");
    // A winter instant is named in winter time.
    expect(t).toMatch(/Mon 2023-03-20 09:\d\d PDT/);
    const ratified = t.indexOf("The members have ratified the contract");
    const demands = t.indexOf("On March 7 the membership approved");
    expect(ratified).toBeGreaterThan(0);
    expect(demands).toBeGreaterThan(ratified);
    // The response times of each side, from the status.
    expect(t).toMatch(/Response times .* WGA \d+ [\d.]+ days [\d.]+ days AMPTP \d+ [\d.]+ days/);
  });

  it("the unanswered request shows No response today, and pending the day before its deadline", async () => {
    const today = await s.page(URL_NOW);
    const unanswered = requestCard(today.html, "Parley News asked WGA West");
    expect(unanswered).toContain("No response");
    expect(unanswered).toContain("What does the guild expect from the meeting it has requested?");
    expect(unanswered).toContain("Deadline Thu 2023-09-14 17:00 PDT");
    expect(unanswered).not.toContain("Pending");
    const answered = requestCard(today.html, "Parley News asked AMPTP");
    expect(answered).toContain("Answered");
    expect(answered).toContain("The AMPTP intends to set a meeting with the guild for next week.");
    expect(answered).not.toContain("No response");

    const before = await s.page(`${URL_NOW}?asOf=2023-09-13`);
    expect(before.status).toBe(200);
    const pending = requestCard(before.html, "Parley News asked WGA West");
    expect(pending).toContain("Pending");
    expect(pending).toContain("awaiting an answer by Thu 2023-09-14 17:00 PDT");
    expect(pending).not.toContain("No response");
    // As of that day the AMPTP had not answered yet either: its answer is not on the page.
    const amptpBefore = requestCard(before.html, "Parley News asked AMPTP");
    expect(amptpBefore).toContain("Pending");
    expect(text(before.html)).not.toContain("The AMPTP intends to set a meeting");

    // By the end of the deadline's day it had passed.
    const deadlineDay = await s.page(`${URL_NOW}?asOf=2023-09-14`);
    expect(requestCard(deadlineDay.html, "Parley News asked WGA West")).toContain("No response");
  });

  it("as of a day, later statements are not there yet", async () => {
    const t = text((await s.page(`${URL_NOW}?asOf=2023-08-20`)).html);
    expect(t).toContain("Proposals went back and forth this week");
    expect(t).not.toContain("The AMPTP has made public the offer");
    expect(t).toContain("Nobody has asked for comment yet.");
    expect(t).toContain("You are looking at the record as it stood at the end of Sun 2023-08-20");
  });

  it("a bad day, a day outside the record, a forged cursor and an unknown dispute are error pages", async () => {
    const bad = await s.page(`${URL_NOW}?asOf=2023-13-45`);
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("VALIDATION_FAILED");
    const early = await s.page(`${URL_NOW}?asOf=2001-01-01`);
    expect(early.status).toBe(400);
    expect(text(early.html)).toContain("the record runs from");
    const cursor = await s.page(`${URL_NOW}?after=not-a-cursor`);
    expect(cursor.status).toBe(400);
    expect(cursor.html).toContain("VALIDATION_FAILED");
    const unknown = await s.page("/d/no-such-dispute/statements");
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain("DISPUTE_UNKNOWN");
  });

  it("a members-only statement reaches its organization only; a private one its side's negotiators only", async () => {
    await s.parley.execute("wga-2023", {
      actor: WGA,
      type: "statement.made",
      occurredAt: "2023-09-10T17:00:00Z",
      visibility: "members",
      payload: { by: "wga-west", channel: "member-update", text: "MEMBERS-ONLY-WGA-STATEMENT for members." },
    });
    await s.parley.execute("wga-2023", {
      actor: AMPTP,
      type: "statement.made",
      occurredAt: "2023-09-10T18:00:00Z",
      visibility: "private",
      payload: { by: "amptp", channel: "other", text: "PRIVATE-AMPTP-DRAFT of a statement." },
    });
    const as = async (who?: Parameters<typeof s.signIn>[0]) =>
      (await s.page(URL_NOW, who ? await s.signIn(who) : undefined)).html;

    const wgaMember = text(await as("wgaMember"));
    const wgaNegotiator = text(await as("wgaNegotiator"));
    const amptpNegotiator = text(await as("amptpNegotiator"));
    const amptpMember = text(await as("amptpMember"));
    const publicHtml = await as();

    expect(wgaMember).toContain("MEMBERS-ONLY-WGA-STATEMENT");
    expect(wgaMember).toMatch(/17 statements on record/);
    expect(wgaNegotiator).toContain("MEMBERS-ONLY-WGA-STATEMENT");
    expect(amptpNegotiator).toContain("PRIVATE-AMPTP-DRAFT");
    expect(amptpNegotiator).toMatch(/17 statements on record/);
    for (const other of [wgaMember, wgaNegotiator]) expect(other).not.toContain("PRIVATE-AMPTP-DRAFT");
    for (const other of [amptpNegotiator, amptpMember]) expect(other).not.toContain("MEMBERS-ONLY-WGA");
    expect(amptpMember).not.toContain("PRIVATE-AMPTP-DRAFT");
    // The public sees neither, not even in the count or the page's data.
    expect(publicHtml).not.toContain("MEMBERS-ONLY-WGA");
    expect(publicHtml).not.toContain("PRIVATE-AMPTP-DRAFT");
    expect(text(publicHtml)).toMatch(/16 statements on record/);
  });

  it("a correction shows the corrected words and the reason; a retraction is marked as such", async () => {
    const said = await s.parley.execute("wga-2023", {
      actor: WGA,
      type: "statement.made",
      occurredAt: "2023-09-11T17:00:00Z",
      visibility: "public",
      payload: {
        by: "wga-west",
        speaker: "A Spokesperson",
        channel: "interview",
        text: "The talks resume on Tusday.",
        url: "https://news.example.com/interview",
      },
    });
    await s.parley.execute("wga-2023", {
      actor: WGA,
      type: "entry.corrected",
      occurredAt: "2023-09-11T19:00:00Z",
      visibility: "public",
      payload: {
        entry: said.seq,
        action: "correct",
        reason: "Misspelt day",
        text: "The talks resume on Tuesday.",
      },
    });
    const posted = await s.parley.execute("wga-2023", {
      actor: WGA,
      type: "statement.made",
      occurredAt: "2023-09-11T18:00:00Z",
      visibility: "public",
      payload: { by: "wga-west", channel: "social", text: "A post made in error." },
    });
    await s.parley.execute("wga-2023", {
      actor: WGA,
      type: "entry.corrected",
      occurredAt: "2023-09-11T20:00:00Z",
      visibility: "public",
      payload: { entry: posted.seq, action: "retract", reason: "Posted by mistake" },
    });
    const r = await s.page(URL_NOW);
    const t = text(r.html);
    expect(t).toContain("WGA West , A Spokesperson · Interview Mon 2023-09-11 10:00 PDT");
    expect(t).toContain("The talks resume on Tuesday.");
    expect(t).toMatch(/Corrected by WGA West on Mon 2023-09-11 12:00 PDT ?: Misspelt day/);
    expect(t).toContain("The original wording The talks resume on Tusday.");
    expect(r.html).toContain('href="https://news.example.com/interview"');
    expect(t).toContain("Source: news.example.com");
    expect(t).toMatch(/Retracted by WGA West on Mon 2023-09-11 13:00 PDT ?: Posted by mistake/);
    expect(t).toContain("Retracted The retracted words: A post made in error.");
    // As of the day before the correction was made, the statement stands as first said.
    const before = text((await s.page(`${URL_NOW}?asOf=2023-09-10`)).html);
    expect(before).not.toContain("The talks resume");
    const sameDay = text((await s.page(`${URL_NOW}?asOf=2023-09-11`)).html);
    expect(sameDay).toContain("Corrected by WGA West");
  });

  it("a private statement published later reaches the public from its publication on, not before", async () => {
    const draft = await s.parley.execute("wga-2023", {
      actor: AMPTP,
      type: "statement.made",
      occurredAt: "2023-09-01T17:00:00Z",
      visibility: "private",
      payload: { by: "amptp", channel: "press-release", text: "LATER-PUBLISHED-AMPTP statement." },
    });
    await s.parley.execute("wga-2023", {
      actor: AMPTP,
      type: "entry.published",
      occurredAt: "2023-09-20T17:00:00Z",
      visibility: "public",
      payload: { entry: draft.seq },
    });
    const wga = await s.signIn("wgaNegotiator");
    const before = await s.page(`${URL_NOW}?asOf=2023-09-15`);
    const beforeWga = await s.page(`${URL_NOW}?asOf=2023-09-15`, wga);
    const after = await s.page(`${URL_NOW}?asOf=2023-09-21`);
    expect(before.html).not.toContain("LATER-PUBLISHED-AMPTP");
    expect(beforeWga.html).not.toContain("LATER-PUBLISHED-AMPTP");
    expect(text(after.html)).toContain(
      "AMPTP · Press release Fri 2023-09-01 10:00 PDT · made public Wed 2023-09-20 10:00 PDT LATER-PUBLISHED-AMPTP",
    );
    expect(text((await s.page(URL_NOW)).html)).toContain("LATER-PUBLISHED-AMPTP");
  });

  it("pages through many statements without losing or repeating one", async () => {
    for (let i = 0; i < STATEMENTS_PER_PAGE; i++) {
      await s.parley.execute("wga-2023", {
        actor: AMPTP,
        type: "statement.made",
        occurredAt: `2023-07-${String(i + 1).padStart(2, "0")}T18:00:00Z`,
        visibility: "public",
        payload: { by: "amptp", channel: "social", text: `Paging statement number ${i + 1}.` },
      });
    }
    const first = await s.page(URL_NOW);
    const firstSeqs = statementSeqs(first.html);
    expect(firstSeqs).toHaveLength(STATEMENTS_PER_PAGE);
    expect(text(first.html)).not.toContain("Newest statements");
    const next = /href="([^"]+)" rel="next"/.exec(first.html);
    expect(next).not.toBeNull();
    const second = await s.page(next![1]!.replace(/&amp;/g, "&"));
    expect(second.status).toBe(200);
    const secondSeqs = statementSeqs(second.html);
    expect(secondSeqs.length).toBeGreaterThan(0);
    expect(text(second.html)).toContain("Newest statements");
    const all = [...firstSeqs, ...secondSeqs];
    expect(new Set(all).size).toBe(all.length);
    // Public statements: 16 from the demo, 2 from the correction test (the retracted one still
    // listed), 1 published since, 20 here.
    const third = /href="([^"]+)" rel="next"/.exec(second.html);
    const rest = third ? statementSeqs((await s.page(third[1]!.replace(/&amp;/g, "&"))).html) : [];
    expect(all.length + rest.length).toBe(16 + 2 + 1 + STATEMENTS_PER_PAGE);
  });

  it("the page keeps the time travel in its paging links", async () => {
    const r = await s.page(`${URL_NOW}?asOf=2023-09-30`);
    const next = /href="([^"]+)" rel="next"/.exec(r.html);
    expect(next).not.toBeNull();
    expect(next![1]).toContain("asOf=2023-09-30");
  });
});
