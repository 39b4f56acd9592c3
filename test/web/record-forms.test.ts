import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC } from "../../src/app/visibility.ts";
import type { RecordType } from "../../src/web/record-form.ts";
import { demoServer } from "../support/web.ts";
import {
  everything,
  fieldError,
  ledgerSize,
  NOW,
  options,
  type Server,
  SLUG,
  signInEmail,
  submit,
  summaryLinks,
  text,
} from "./record-helpers.ts";

/**
 * Every move's form, in the order a negotiation would use them: each recorded through the
 * form (the entry is in the ledger afterwards), and each refused once for a bad input (the
 * message at the field, nothing written).
 */
let s: Server;
let wga: string;
let amptp: string;
let news: string;
beforeAll(async () => {
  s = await demoServer({ now: NOW });
  wga = await s.signIn("wgaNegotiator");
  amptp = await s.signIn("amptpNegotiator");
  news = await s.signIn("reporter");
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

/** Sends a bad form: it must come back with `status`, the message at `field`, and nothing recorded. */
async function refused(
  cookie: string,
  type: string,
  fields: Record<string, string | string[]>,
  field: string,
  status = 400,
): Promise<string> {
  const before = await ledgerSize(s);
  const r = await submit(s, cookie, type, fields);
  expect(r.status).toBe(status);
  const message = fieldError(r.html, field);
  expect(message, `a message at ${field}`).not.toBeNull();
  expect(summaryLinks(r.html, field)).toBe(true);
  expect(await ledgerSize(s)).toBe(before);
  return message!;
}

/** Sends a good form: a 303 to `to` (the path alone), and one more entry in the ledger. */
async function recorded(
  cookie: string,
  type: RecordType,
  fields: Record<string, string | string[]>,
  to = `/d/${SLUG}`,
) {
  const before = await ledgerSize(s);
  const r = await submit(s, cookie, type, fields);
  expect(r.status, text(r.html).slice(0, 2000)).toBe(303);
  expect(r.headers.get("location")).toBe(to);
  expect(await ledgerSize(s)).toBe(before + 1);
  const [last] = (await s.parley.timeline(SLUG, { kind: "operator" }, { order: "desc", limit: 1, type }))
    .items;
  expect(last?.type).toBe(type);
  expect(last?.seq).toBe(before);
  return last!;
}

/** A row of the whose-move board on the dashboard, as the public reads it. */
async function boardRow(title: string): Promise<string | null> {
  const t = text((await s.page(`/d/${SLUG}`, wga)).html);
  const m = new RegExp(`${title} (WGA|AMPTP) `).exec(t);
  return m ? m[1]! : null;
}

describe("at the table", () => {
  it("issue.opened: a new issue, then the issue's page", async () => {
    await refused(wga, "issue.opened", { title: "", visibility: "table" }, "title");
    const e = await recorded(
      wga,
      "issue.opened",
      {
        title: "Health plan contributions",
        issue: "health-plan",
        article: "Article 17",
        visibility: "table",
      },
      `/d/${SLUG}/issues/health-plan`,
    );
    expect(e.org).toBe("wga-west");
    expect(e.visibility).toBe("table");
    expect((await everything(s)).issues["health-plan"]?.title).toBe("Health plan contributions");
    // The same id again is a conflict, at the id's field.
    expect(
      await refused(
        wga,
        "issue.opened",
        { title: "Again", issue: "health-plan", visibility: "table" },
        "issue",
        409,
      ),
    ).toMatch(/already exists/);
  });

  it("pass.made: a term that is not a decimal is refused at its field, the values kept", async () => {
    const before = await ledgerSize(s);
    const r = await submit(s, wga, "pass.made", {
      kind: "proposal",
      visibility: "table",
      "issues.0.issue": "health-plan",
      "issues.0.language": "The companies pay more into the plan.",
      "issues.0.terms.0.key": "contribution-increase",
      "issues.0.terms.0.value": "1,5",
      "issues.0.terms.0.unit": "%",
    });
    expect(r.status).toBe(400);
    expect(fieldError(r.html, "issues.0.terms.0.value")).toMatch(/without thousands separators/);
    expect(r.html).toContain('value="1,5"');
    expect(r.html).toContain("The companies pay more into the plan.");
    expect(r.html).toContain("VALIDATION_FAILED");
    expect(await ledgerSize(s)).toBe(before);
  });

  it("pass.made on an issue that is closed is refused by the rules, at that issue's block", async () => {
    const message = await refused(
      wga,
      "pass.made",
      { kind: "proposal", visibility: "table", "issues.1.issue": "ai", "issues.1.language": "No AI." },
      "issues.1.issue",
      422,
    );
    expect(message).toMatch(/tentatively-agreed/);
  });

  it("pass.made: the WGA's pass puts the AMPTP on the move, its counter puts the WGA back", async () => {
    expect(await boardRow("Health plan contributions")).toBeNull();
    const e = await recorded(
      wga,
      "pass.made",
      {
        kind: "proposal",
        summary: "Opening on health.",
        visibility: "table",
        "issues.0.issue": "",
        "issues.1.issue": "health-plan",
        "issues.1.language": "The companies pay more into the plan.",
        "issues.1.terms.0.key": "contribution-increase",
        "issues.1.terms.0.value": "1.5",
        "issues.1.terms.0.unit": "%",
        "issues.1.terms.1.key": "",
      },
      `/d/${SLUG}/issues/health-plan`,
    );
    expect((e.entry as { payload: unknown }).payload).toEqual({
      kind: "proposal",
      summary: "Opening on health.",
      issues: [
        {
          issue: "health-plan",
          language: "The companies pay more into the plan.",
          terms: [{ key: "contribution-increase", value: "1.5", unit: "%" }],
        },
      ],
    });
    expect(await boardRow("Health plan contributions")).toBe("AMPTP");
    await recorded(
      amptp,
      "pass.made",
      {
        kind: "counterproposal",
        visibility: "table",
        "issues.0.issue": "health-plan",
        "issues.0.language": "Half of that.",
        "issues.0.terms.0.key": "contribution-increase",
        "issues.0.terms.0.value": "0.75",
        "issues.0.terms.0.unit": "%",
      },
      `/d/${SLUG}/issues/health-plan`,
    );
    expect(await boardRow("Health plan contributions")).toBe("WGA");
  });

  it("ta.signed: one side signs, the other countersigns, and the issue is agreed", async () => {
    await refused(wga, "ta.signed", { visibility: "table" }, "issues");
    const first = await recorded(
      wga,
      "ta.signed",
      { issues: "health-plan", language: "Agreed: 1%.", visibility: "table" },
      `/d/${SLUG}/issues/health-plan`,
    );
    // The AMPTP's form offers the agreement to countersign; the WGA cannot sign twice.
    const form = await s.page(`/d/${SLUG}/record/ta.signed`, amptp);
    expect(options(form.html, "countersigns")).toEqual([String(first.seq)]);
    await refused(
      wga,
      "ta.signed",
      { countersigns: String(first.seq), visibility: "table" },
      "countersigns",
      409,
    );
    await recorded(
      amptp,
      "ta.signed",
      { countersigns: String(first.seq), visibility: "table" },
      `/d/${SLUG}/issues/health-plan`,
    );
    expect((await everything(s)).issues["health-plan"]?.status).toBe("tentatively-agreed");
  });
});

describe("meetings", () => {
  it("meeting.requested: the other side then owes an answer", async () => {
    await refused(
      wga,
      "meeting.requested",
      { kind: "table", meeting: "june-talks", visibility: "table" },
      "purpose",
    );
    await recorded(wga, "meeting.requested", {
      kind: "table",
      meeting: "june-talks",
      purpose: "Resume talks on the new issues.",
      "proposedTimes.0.start": "2024-06-04T10:00",
      "proposedTimes.0.end": "2024-06-04T13:00",
      visibility: "table",
    });
    const m = (await everything(s)).meetings["june-talks"];
    expect(m?.awaiting).toBe("amptp");
    // Times are read in the dispute's zone: 10:00 in Los Angeles is 17:00 UTC in June.
    expect(m?.proposedTimes[0]?.start).toBe("2024-06-04T17:00:00.000Z");
  });

  it("meeting.answered: the AMPTP sees the request and accepts", async () => {
    const form = await s.page(`/d/${SLUG}/record/meeting.answered`, amptp);
    expect(options(form.html, "meeting")).toContain("june-talks");
    // The side that asked has nothing to answer.
    expect(options((await s.page(`/d/${SLUG}/record/meeting.answered`, wga)).html, "meeting")).not.toContain(
      "june-talks",
    );
    await refused(amptp, "meeting.answered", { meeting: "june-talks", visibility: "table" }, "answer");
    await recorded(amptp, "meeting.answered", {
      meeting: "june-talks",
      answer: "accepted",
      visibility: "table",
    });
    expect((await everything(s)).meetings["june-talks"]?.status).toBe("accepted");
  });

  it("meeting.scheduled: an end before the start is refused at the end", async () => {
    await refused(
      amptp,
      "meeting.scheduled",
      {
        meeting: "june-talks",
        kind: "table",
        start: "2024-06-04T10:00",
        end: "2024-06-04T09:00",
        visibility: "table",
      },
      "end",
    );
    await recorded(amptp, "meeting.scheduled", {
      meeting: "june-talks",
      kind: "table",
      start: "2024-06-04T10:00",
      end: "2024-06-04T13:00",
      place: "AMPTP offices, Sherman Oaks",
      visibility: "table",
    });
    const m = (await everything(s)).meetings["june-talks"];
    expect(m?.status).toBe("scheduled");
    expect(m?.start).toBe("2024-06-04T17:00:00.000Z");
  });

  it("meeting.postponed: to a later day", async () => {
    await refused(
      wga,
      "meeting.postponed",
      { meeting: "", reason: "Illness", visibility: "table" },
      "meeting",
    );
    await recorded(wga, "meeting.postponed", {
      meeting: "june-talks",
      reason: "A committee member is ill.",
      start: "2024-06-06T10:00",
      end: "2024-06-06T13:00",
      visibility: "table",
    });
    expect((await everything(s)).meetings["june-talks"]?.start).toBe("2024-06-06T17:00:00.000Z");
  });

  it("meeting.held: with who attended", async () => {
    await refused(
      amptp,
      "meeting.held",
      { meeting: "june-talks", start: "last thursday", visibility: "table" },
      "start",
    );
    await recorded(amptp, "meeting.held", {
      meeting: "june-talks",
      "attendees.0.name": "WGA negotiating committee",
      "attendees.0.org": "wga-west",
      "attendees.1.name": "",
      "attendees.2.name": "AMPTP negotiators",
      "attendees.2.org": "amptp",
      summary: "The sides went over the new issues.",
      visibility: "table",
    });
    const m = (await everything(s)).meetings["june-talks"];
    expect(m?.status).toBe("held");
    expect(m?.attendees).toBe(2);
  });

  it("meeting.cancelled: a held meeting cannot be, an open one can", async () => {
    await refused(wga, "meeting.cancelled", { meeting: "june-talks", visibility: "table" }, "meeting", 422);
    await recorded(wga, "meeting.requested", {
      kind: "table",
      meeting: "july-talks",
      purpose: "More talks.",
      visibility: "table",
    });
    await recorded(wga, "meeting.cancelled", {
      meeting: "july-talks",
      reason: "Not needed after all.",
      visibility: "table",
    });
    expect((await everything(s)).meetings["july-talks"]?.status).toBe("cancelled");
  });

  it("note.recorded: private by default, seen by the WGA's negotiators only", async () => {
    const form = await s.page(`/d/${SLUG}/record/note.recorded`, wga);
    expect(form.html).toMatch(
      /<input type="radio" id="f-visibility" name="visibility" value="private" checked/,
    );
    await refused(wga, "note.recorded", { text: "  ", visibility: "private" }, "text");
    const e = await recorded(wga, "note.recorded", {
      text: "NOTE-WGA-JUNE: hold firm on health.",
      meeting: "june-talks",
      visibility: "private",
    });
    expect(e.visibility).toBe("private");
    const seen = async (viewer: Parameters<typeof s.parley.timeline>[1]) =>
      (await s.parley.timeline(SLUG, viewer, { order: "desc", limit: 20 })).items.some(
        (i) => i.seq === e.seq,
      );
    expect(await seen({ kind: "org", org: "wga-east", role: "negotiator" })).toBe(true);
    expect(await seen({ kind: "org", org: "amptp", role: "negotiator" })).toBe(false);
    expect(await seen({ kind: "org", org: "wga-west", role: "member" })).toBe(false);
    expect(await seen(PUBLIC)).toBe(false);
  });
});

describe("stoppages", () => {
  it("stoppage.started: someone must stop work", async () => {
    expect(
      await refused(
        wga,
        "stoppage.started",
        {
          kind: "strike",
          stoppage: "wga-strike-2024",
          against: "amptp",
          start: "2024-06-01T00:01",
          visibility: "public",
        },
        "by",
      ),
    ).toBe("Choose at least one.");
    await recorded(wga, "stoppage.started", {
      kind: "strike",
      stoppage: "wga-strike-2024",
      by: "wga-west",
      against: "amptp",
      start: "2024-06-01T00:01",
      workers: "11,500",
      visibility: "public",
    });
    const st = (await everything(s)).stoppages["wga-strike-2024"];
    expect(st?.start).toBe("2024-06-01T07:01:00.000Z");
    expect(st?.workers).toBe(11500);
  });

  it("stoppage.joined: not before the start", async () => {
    await refused(
      wga,
      "stoppage.joined",
      { stoppage: "wga-strike-2024", org: "wga-east", at: "2024-05-31T12:00", visibility: "public" },
      "at",
    );
    await recorded(wga, "stoppage.joined", {
      stoppage: "wga-strike-2024",
      org: "wga-east",
      at: "2024-06-01T09:00",
      visibility: "public",
    });
    expect((await everything(s)).stoppages["wga-strike-2024"]?.by).toEqual(["wga-west", "wga-east"]);
  });

  it("stoppage.ended: needs its end", async () => {
    await refused(
      wga,
      "stoppage.ended",
      { stoppage: "wga-strike-2024", end: "", visibility: "public" },
      "end",
    );
    await recorded(wga, "stoppage.ended", {
      stoppage: "wga-strike-2024",
      end: "2024-06-01T11:00",
      visibility: "public",
    });
    expect((await everything(s)).stoppages["wga-strike-2024"]?.end).toBe("2024-06-01T18:00:00.000Z");
  });
});

describe("in public", () => {
  let statementSeq = -1;

  it("statement.made: a link must be a link", async () => {
    await refused(
      wga,
      "statement.made",
      {
        by: "wga-west",
        channel: "press-release",
        text: "We are back.",
        url: "javascript:alert(1)",
        visibility: "public",
      },
      "url",
    );
    const e = await recorded(wga, "statement.made", {
      by: "wga-west",
      channel: "press-release",
      speaker: "Chief negotiator",
      text: "We are back at the table.",
      url: "https://www.wga.org/news",
      visibility: "public",
    });
    expect(e.visibility).toBe("public");
    statementSeq = e.seq;
  });

  it("comment.requested: a deadline before the question is refused", async () => {
    await refused(
      news,
      "comment.requested",
      { to: "amptp", question: "Will you meet?", deadline: "2024-05-01T10:00", visibility: "public" },
      "deadline",
    );
    await recorded(news, "comment.requested", {
      to: "amptp",
      request: "rfc-amptp-june",
      question: "Will you meet again?",
      deadline: "2024-06-03T17:00",
      visibility: "public",
    });
    expect((await everything(s)).requests["rfc-amptp-june"]?.to).toBe("amptp");
  });

  it("comment.answered: only the organization asked sees it and may answer", async () => {
    const form = await s.page(`/d/${SLUG}/record/comment.answered`, wga);
    expect(options(form.html, "request")).toEqual(["rfc-wga-2023-09-13"]);
    await refused(
      amptp,
      "comment.answered",
      { request: "rfc-wga-2023-09-13", response: "responded", text: "x", visibility: "public" },
      "request",
      403,
    );
    await refused(
      wga,
      "comment.answered",
      { request: "rfc-wga-2023-09-13", visibility: "public" },
      "response",
    );
    await recorded(wga, "comment.answered", {
      request: "rfc-wga-2023-09-13",
      response: "responded",
      text: "A fair deal, soon.",
      visibility: "public",
    });
    expect((await everything(s)).requests["rfc-wga-2023-09-13"]?.response?.kind).toBe("responded");
  });

  it("impact.reported: numbers as decimal strings", async () => {
    await refused(
      news,
      "impact.reported",
      {
        what: "Lost wages, June 2024",
        value: "1,400",
        unit: "USD",
        asOf: "2024-06-01",
        method: "An estimate.",
        "source.name": "Parley News",
        visibility: "public",
      },
      "value",
    );
    const e = await recorded(news, "impact.reported", {
      what: "Lost wages, June 2024",
      value: "1400.50",
      unit: "USD",
      asOf: "2024-06-01",
      method: "An estimate.",
      "source.name": "Parley News",
      "source.url": "https://news.example/lost-wages",
      visibility: "public",
    });
    expect((e.entry as { payload: { value: string; figure: string } }).payload).toMatchObject({
      figure: "lost-wages-june-2024",
      value: "1400.50",
    });
  });

  it("entry.corrected: a correction states the corrected text", async () => {
    const form = await s.page(`/d/${SLUG}/record/entry.corrected`, wga);
    expect(options(form.html, "entry")).toContain(String(statementSeq));
    await refused(
      wga,
      "entry.corrected",
      { entry: String(statementSeq), action: "correct", reason: "Typo", visibility: "public" },
      "text",
    );
    await recorded(wga, "entry.corrected", {
      entry: String(statementSeq),
      action: "correct",
      reason: "A word was missing.",
      text: "We are back at the table, today.",
      visibility: "public",
    });
    expect((await everything(s)).corrections[String(statementSeq)]?.action).toBe("correct");
  });
});

describe("earlier entries", () => {
  it("entry.published: the WGA's own table pass becomes public; another's entry is not its to publish", async () => {
    const passes = (
      await s.parley.timeline(SLUG, { kind: "operator" }, { type: "pass.made", order: "desc", limit: 50 })
    ).items;
    const ownPass = passes.find(
      (p) => p.org === "wga-west" && p.visibility === "table" && p.published === null,
    )!;
    const theirs = passes.find((p) => p.org === "amptp" && p.visibility === "table" && p.published === null)!;
    const form = await s.page(`/d/${SLUG}/record/entry.published`, wga);
    const offered = options(form.html, "entry");
    expect(offered).toContain(String(ownPass.seq));
    expect(offered).not.toContain(String(theirs.seq));
    // Every entry offered is the WGA West's own.
    const own = new Set(
      (
        await s.parley.timeline(SLUG, { kind: "operator" }, { org: "wga-west", order: "desc", limit: 200 })
      ).items.map((i) => String(i.seq)),
    );
    expect(offered.every((seq) => own.has(seq))).toBe(true);

    await refused(wga, "entry.published", { entry: "", visibility: "public" }, "entry");
    await refused(wga, "entry.published", { entry: String(theirs.seq), visibility: "public" }, "entry", 403);
    const publicBefore = (
      await s.parley.timeline(SLUG, PUBLIC, { type: "pass.made", order: "desc", limit: 200 })
    ).items;
    expect(publicBefore.some((i) => i.seq === ownPass.seq)).toBe(false);
    const e = await recorded(wga, "entry.published", {
      entry: String(ownPass.seq),
      note: "For the members.",
    });
    expect(e.visibility).toBe("public");
    const publicAfter = (
      await s.parley.timeline(SLUG, PUBLIC, { type: "pass.made", order: "desc", limit: 200 })
    ).items;
    expect(publicAfter.some((i) => i.seq === ownPass.seq)).toBe(true);
  });
});

describe("never a 500", () => {
  it("a body of the wrong shape, unknown fields and huge values are 400s at the fields, nothing written", async () => {
    const before = await ledgerSize(s);
    const form = await s.page(`/d/${SLUG}/record/statement.made`, wga);
    const r = await s.post(
      `/d/${SLUG}/record/statement.made`,
      {
        _csrf: s.csrfOf(form.html),
        by: ["wga-west", "amptp"],
        channel: "carrier-pigeon",
        text: "x".repeat(20_001),
        visibility: "public",
        "issues.0.issue": "nonsense",
      },
      wga,
    );
    expect(r.status).toBe(400);
    expect(fieldError(r.html, "channel")).toMatch(/Choose one of/);
    expect(fieldError(r.html, "text")).toMatch(/20000 characters or fewer/);
    expect(await ledgerSize(s)).toBe(before);
  });

  it("an organization that does not sit in the dispute, chosen in a field, is named at it", async () => {
    const r = await submit(s, wga, "statement.made", {
      by: "no-such-org",
      channel: "social",
      text: "x",
      visibility: "public",
    });
    expect(r.status).toBe(404);
    expect(fieldError(r.html, "by")).toMatch(/unknown organization/);
  });

  it("the reporter's organization has no seat: a pass is refused, not crashed", async () => {
    const r = await submit(s, news, "pass.made", {
      kind: "proposal",
      visibility: "table",
      "issues.0.issue": "wages",
      "issues.0.language": "x",
    });
    expect(r.status).toBe(403);
    expect(r.html).toContain("ORG_NOT_A_PARTY");
  });

  it("SAG-AFTRA's negotiator records in its own dispute", async () => {
    const sag = await signInEmail(s, "negotiator@sag-aftra.demo");
    const before = await ledgerSize(s, "sag-aftra-2023");
    const r = await submit(
      s,
      sag,
      "statement.made",
      { by: "sag-aftra", channel: "social", text: "Solidarity.", visibility: "public" },
      "sag-aftra-2023",
    );
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/d/sag-aftra-2023");
    expect(await ledgerSize(s, "sag-aftra-2023")).toBe(before + 1);
  });
});
