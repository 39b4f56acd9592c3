import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RECORD_TYPES } from "../../src/web/record-form.ts";
import { demoServer } from "../support/web.ts";
import {
  fieldError,
  ledgerSize,
  NOW,
  options,
  type Server,
  SLUG,
  signInEmail,
  submit,
  text,
} from "./record-helpers.ts";

/** Who may record, for whom, what each form shows before anything is recorded, and what it keeps private. */
let s: Server;
let wga: string;
let amptp: string;
let member: string;
let sag: string;
let news: string;
beforeAll(async () => {
  s = await demoServer({ now: NOW });
  wga = await s.signIn("wgaNegotiator");
  amptp = await s.signIn("amptpNegotiator");
  member = await s.signIn("wgaMember");
  news = await s.signIn("reporter");
  sag = await signInEmail(s, "negotiator@sag-aftra.demo");
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

/** A plausible body for each form: enough to be recorded if its sender were allowed to. */
const BODIES: Record<(typeof RECORD_TYPES)[number], Record<string, string>> = {
  "pass.made": { kind: "proposal", "issues.0.issue": "wages", "issues.0.language": "More." },
  "ta.signed": { issues: "wages" },
  "issue.opened": { title: "Parking" },
  "meeting.requested": { kind: "table", purpose: "Talk." },
  "meeting.answered": { meeting: "wga-request-2023-09-13", answer: "accepted" },
  "meeting.scheduled": { kind: "table", start: "2024-06-04T10:00", end: "2024-06-04T12:00" },
  "meeting.held": { meeting: "session-2023-08-22" },
  "meeting.postponed": { meeting: "session-2023-08-22" },
  "meeting.cancelled": { meeting: "session-2023-08-22" },
  "note.recorded": { text: "A note." },
  "stoppage.started": { kind: "strike", by: "wga-west", against: "amptp", start: "2024-06-01T00:01" },
  "stoppage.joined": { stoppage: "wga-strike-2023", org: "dga", at: "2023-06-01T00:01" },
  "stoppage.ended": { stoppage: "wga-strike-2023", end: "2024-06-01T00:01" },
  "statement.made": { by: "wga-west", channel: "social", text: "Hello." },
  "comment.requested": { to: "amptp", question: "Why?", deadline: "2024-06-02T10:00" },
  "comment.answered": { request: "rfc-wga-2023-09-13", response: "responded" },
  "impact.reported": {
    what: "X",
    value: "1",
    unit: "USD",
    asOf: "2024-06-01",
    method: "M",
    "source.name": "S",
  },
  "entry.published": { entry: "1" },
  "entry.corrected": { entry: "1", action: "retract", reason: "R" },
};

describe("who may record", () => {
  it("the index lists every move for a negotiator, linked to its form", async () => {
    const r = await s.page(`/d/${SLUG}/record`, wga);
    expect(r.status).toBe(200);
    for (const type of RECORD_TYPES) expect(r.html).toContain(`href="/d/${SLUG}/record/${type}"`);
    expect(text(r.html)).toContain("You record for Writers Guild of America West");
    expect(r.html).toContain('aria-current="page"');
  });

  it("an organization without a seat (the press) is not offered the moves of the table", async () => {
    const r = await s.page(`/d/${SLUG}/record`, news);
    expect(r.status).toBe(200);
    expect(r.html).toContain(`href="/d/${SLUG}/record/comment.requested"`);
    expect(r.html).not.toContain(`href="/d/${SLUG}/record/pass.made"`);
  });

  it("the anonymous are sent to sign in, from the index, every form and every submission", async () => {
    const index = await s.page(`/d/${SLUG}/record`);
    expect(index.status).toBe(303);
    expect(index.headers.get("location")).toBe(`/signin?next=${encodeURIComponent(`/d/${SLUG}/record`)}`);
    const before = await ledgerSize(s);
    for (const type of RECORD_TYPES) {
      const form = await s.page(`/d/${SLUG}/record/${type}`);
      expect(form.status).toBe(303);
      expect(form.headers.get("location")).toMatch(/^\/signin\?next=/);
      const sent = await s.post(`/d/${SLUG}/record/${type}`, { ...BODIES[type], visibility: "public" });
      expect(sent.status).toBe(303);
      expect(sent.headers.get("location")).toBe(
        `/signin?next=${encodeURIComponent(`/d/${SLUG}/record/${type}`)}`,
      );
    }
    expect(await ledgerSize(s)).toBe(before);
  });

  it("a member (not a negotiator) gets 403 ROLE_REQUIRED for every form and submission", async () => {
    const index = await s.page(`/d/${SLUG}/record`, member);
    expect(index.status).toBe(403);
    expect(index.html).toContain("ROLE_REQUIRED");
    const csrf = s.csrfOf((await s.page(`/d/${SLUG}`, member)).html);
    const before = await ledgerSize(s);
    for (const type of RECORD_TYPES) {
      const form = await s.page(`/d/${SLUG}/record/${type}`, member);
      expect(form.status).toBe(403);
      expect(form.html).toContain("ROLE_REQUIRED");
      const sent = await s.post(
        `/d/${SLUG}/record/${type}`,
        { _csrf: csrf, ...BODIES[type], visibility: "public" },
        member,
      );
      expect(sent.status).toBe(403);
      expect(sent.html).toContain("ROLE_REQUIRED");
    }
    expect(await ledgerSize(s)).toBe(before);
  });

  it("a negotiator of an organization outside the dispute is refused every form and submission", async () => {
    const index = await s.page(`/d/${SLUG}/record`, sag);
    expect(index.status).toBe(403);
    expect(text(index.html)).toContain(
      "none of the organizations you negotiate for takes part in this dispute",
    );
    const csrf = s.csrfOf((await s.page(`/d/${SLUG}`, sag)).html);
    const before = await ledgerSize(s);
    for (const type of RECORD_TYPES) {
      expect((await s.page(`/d/${SLUG}/record/${type}`, sag)).status).toBe(403);
      const sent = await s.post(
        `/d/${SLUG}/record/${type}`,
        { _csrf: csrf, ...BODIES[type], visibility: "public" },
        sag,
      );
      expect(sent.status).toBe(403);
      expect(sent.html).toContain("ROLE_REQUIRED");
    }
    expect(await ledgerSize(s)).toBe(before);
  });

  it("recording for an organization one does not negotiate for is refused", async () => {
    const before = await ledgerSize(s);
    const r = await submit(s, wga, "statement.made", {
      as: "amptp",
      by: "amptp",
      channel: "social",
      text: "Forged.",
      visibility: "public",
    });
    expect(r.status).toBe(403);
    expect(r.html).toContain("ROLE_REQUIRED");
    expect(await ledgerSize(s)).toBe(before);
  });

  it("a submission without the session's CSRF token is refused with CSRF_FAILED, nothing written", async () => {
    const before = await ledgerSize(s);
    const none = await s.post(
      `/d/${SLUG}/record/statement.made`,
      { ...BODIES["statement.made"], visibility: "public" },
      wga,
    );
    expect(none.status).toBe(403);
    expect(none.html).toContain("CSRF_FAILED");
    const wrong = await s.post(
      `/d/${SLUG}/record/statement.made`,
      { _csrf: "not-the-token", ...BODIES["statement.made"], visibility: "public" },
      wga,
    );
    expect(wrong.status).toBe(403);
    expect(wrong.html).toContain("CSRF_FAILED");
    expect(await ledgerSize(s)).toBe(before);
  });

  it("an unknown move, a type without a form and an unknown dispute are 404 pages", async () => {
    for (const path of [
      `/d/${SLUG}/record/pass.forged`,
      `/d/${SLUG}/record/dispute.opened`,
      `/d/${SLUG}/record/__proto__`,
    ]) {
      const r = await s.page(path, wga);
      expect(r.status).toBe(404);
      expect(r.html).toContain("ROUTE_UNKNOWN");
    }
    const before = await ledgerSize(s);
    const form = await s.page(`/d/${SLUG}/record/statement.made`, wga);
    const sent = await s.post(`/d/${SLUG}/record/agreement.voted`, { _csrf: s.csrfOf(form.html) }, wga);
    expect(sent.status).toBe(404);
    expect(await ledgerSize(s)).toBe(before);
    const unknown = await s.page("/d/no-such-dispute/record/pass.made", wga);
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain("DISPUTE_UNKNOWN");
  });
});

describe("each form shows who will see the entry before it is recorded", () => {
  const checked = (html: string) =>
    /<input type="radio" id="f-visibility[^"]*" name="visibility" value="(\w+)" checked/.exec(html)?.[1];

  it("the four choices, each with its sentence, the move's own default chosen", async () => {
    const pass = await s.page(`/d/${SLUG}/record/pass.made`, wga);
    const t = text(pass.html);
    expect(checked(pass.html)).toBe("table");
    expect(t).toContain(
      "Only the negotiators of the WGA side (WGA West and WGA East): not your members, not AMPTP, not the public.",
    );
    expect(t).toContain(
      "Everyone with an account in WGA West, negotiators and members alike, and no one else (not even WGA East).",
    );
    expect(t).toContain(
      "The negotiators of every side at the table (WGA and AMPTP): not members, not the public.",
    );
    expect(t).toContain("Everyone: the public and the press");
    // Each sentence describes its radio button.
    expect(pass.html).toMatch(/value="private"[^>]*aria-describedby="f-visibility-desc"/);
    expect(pass.html).toContain(
      '<p class="hint" id="f-visibility-desc">Only the negotiators of the WGA side',
    );
    expect(checked((await s.page(`/d/${SLUG}/record/note.recorded`, wga)).html)).toBe("private");
    expect(checked((await s.page(`/d/${SLUG}/record/statement.made`, wga)).html)).toBe("public");
  });

  it("the AMPTP's sentences name its own side; the press is told it has no seat", async () => {
    const t = text((await s.page(`/d/${SLUG}/record/note.recorded`, amptp)).html);
    expect(t).toContain("Only the negotiators of the AMPTP side: not your members, not WGA, not the public.");
    const press = text((await s.page(`/d/${SLUG}/record/statement.made`, news)).html);
    expect(press).toContain("Only Parley News's negotiators");
    expect(press).toContain(
      "Parley News has no seat at the table, so its own people will not see it either.",
    );
  });

  it("a publication offers public only", async () => {
    const html = (await s.page(`/d/${SLUG}/record/entry.published`, wga)).html;
    expect(checked(html)).toBe("public");
    expect(html).not.toContain('value="private"');
  });

  it("every form is labelled: each control has a label, the button says what it does", async () => {
    for (const type of RECORD_TYPES) {
      const html = (await s.page(`/d/${SLUG}/record/${type}`, wga)).html;
      const main = /<main[\s\S]*<\/main>/.exec(html)![0];
      for (const m of main.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
        const tag = m[0];
        if (/type="hidden"/.test(tag)) continue;
        const id = /id="([^"]+)"/.exec(tag)?.[1];
        expect(id, `${type}: ${tag}`).toBeDefined();
        expect(main, `${type}: a label for ${id}`).toContain(`for="${id}"`);
      }
      expect(main).toMatch(/<button type="submit">(Record|Open|Publish) [^<]+<\/button>/);
      // No id twice on a page.
      const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(ids).size, `${type}: duplicate ids`).toBe(ids.length);
      expect(main.match(/<h1>/g)).toHaveLength(1);
    }
    expect((await s.page(`/d/${SLUG}/record/pass.made`, wga)).html).toContain(
      '<button type="submit">Record the pass</button>',
    );
  });
});

describe("what the forms offer is what the caller may see", () => {
  it("the caucus note's meeting picker: each side's own caucus, never the other's", async () => {
    const wgaMeetings = options((await s.page(`/d/${SLUG}/record/note.recorded`, wga)).html, "meeting");
    const amptpMeetings = options((await s.page(`/d/${SLUG}/record/note.recorded`, amptp)).html, "meeting");
    expect(wgaMeetings).toContain("wga-caucus-2023-08-21");
    expect(wgaMeetings).not.toContain("amptp-caucus-2023-08-21");
    expect(amptpMeetings).toContain("amptp-caucus-2023-08-21");
    expect(amptpMeetings).not.toContain("wga-caucus-2023-08-21");
    const press = await s.page(`/d/${SLUG}/record/note.recorded`, news);
    expect(press.html).not.toMatch(/CAUCUS-(WGA|AMPTP)-PRIVATE/);
    expect(options(press.html, "meeting")).not.toContain("wga-caucus-2023-08-21");
  });

  it("the entry pickers list the organization's own entries only", async () => {
    const html = (await s.page(`/d/${SLUG}/record/entry.corrected`, amptp)).html;
    const offered = options(html, "entry");
    expect(offered.length).toBeGreaterThan(3);
    const amptpOwn = new Set(
      (
        await s.parley.timeline(SLUG, { kind: "operator" }, { org: "amptp", order: "desc", limit: 200 })
      ).items.map((i) => String(i.seq)),
    );
    expect(offered.every((seq) => amptpOwn.has(seq))).toBe(true);
    expect(html).not.toContain("CAUCUS-WGA-PRIVATE");
  });

  it("a refusal never echoes what the caller could not see", async () => {
    const r = await submit(s, amptp, "note.recorded", {
      text: "x",
      meeting: "wga-caucus-2023-08-21",
      visibility: "private",
    });
    expect(r.status).toBe(404);
    expect(fieldError(r.html, "meeting")).toBe("unknown meeting wga-caucus-2023-08-21");
    expect(r.html).not.toContain("CAUCUS-WGA-PRIVATE");
  });
});

describe("a refused form", () => {
  it("keeps the values, marks the field, and sums up at the top with links, focused first", async () => {
    const r = await submit(s, wga, "impact.reported", {
      what: "Lost wages",
      value: "12,5",
      unit: "USD",
      asOf: "2024-06-01",
      method: "Method.",
      "source.name": "",
      visibility: "members",
    });
    expect(r.status).toBe(400);
    expect(fieldError(r.html, "value")).toMatch(/without thousands separators/);
    expect(fieldError(r.html, "source.name")).toBe("This is required.");
    expect(r.html).toMatch(
      /<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus/,
    );
    expect(r.html).toContain('href="#f-value"');
    expect(r.html).toContain('href="#f-source-name"');
    expect(r.html).toContain('value="12,5"');
    expect(r.html).toMatch(/value="members" checked/);
    expect(r.html).toContain('data-refused="true"');
  });

  it("a move in the future is refused at its time", async () => {
    const before = await ledgerSize(s);
    const r = await submit(s, wga, "statement.made", {
      by: "wga-west",
      channel: "social",
      text: "Tomorrow.",
      occurredAt: "2024-06-03T10:00",
      visibility: "public",
    });
    expect(r.status).toBe(400);
    expect(r.html).toContain("OCCURRED_IN_FUTURE");
    expect(fieldError(r.html, "occurredAt")).toMatch(/future/);
    expect(await ledgerSize(s)).toBe(before);
  });
});

describe("time travel", () => {
  it("a form opened as of a past day offers the record of that day and defaults to its midday", async () => {
    const r = await s.page(`/d/${SLUG}/record/pass.made?asOf=2023-08-14`, wga);
    expect(r.status).toBe(200);
    expect(options(r.html, "issues.0.issue")).toContain("ai");
    expect(r.html).toContain('value="2023-08-14T12:00"');
    expect(r.html).toContain('action="/d/wga-2023/record/pass.made?asOf=2023-08-14"');
    // Today no issue is open.
    expect(options((await s.page(`/d/${SLUG}/record/pass.made`, wga)).html, "issues.0.issue")).toEqual([]);
  });

  it("a pass back-filled on that day is decided against the record of that day", async () => {
    const form = await s.page(`/d/${SLUG}/record/pass.made?asOf=2023-08-14`, wga);
    const r = await s.post(
      `/d/${SLUG}/record/pass.made?asOf=2023-08-14`,
      {
        _csrf: s.csrfOf(form.html),
        kind: "counterproposal",
        "issues.0.issue": "viewership",
        "issues.0.language": "A back-filled counter.",
        occurredAt: "2023-08-14T12:00",
        visibility: "private",
      },
      wga,
    );
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`/d/${SLUG}/issues/viewership`);
    const [pass] = (
      await s.parley.timeline(
        SLUG,
        { kind: "operator" },
        { type: "pass.made", order: "desc", limit: 1, to: "2023-08-15T00:00:00.000Z" },
      )
    ).items;
    expect(pass?.occurredAt).toBe("2023-08-14T19:00:00.000Z");
    expect(pass?.visibility).toBe("private");
  });

  it("a bad day is a 400 page", async () => {
    const r = await s.page(`/d/${SLUG}/record/pass.made?asOf=14-08-2023`, wga);
    expect(r.status).toBe(400);
    expect(r.html).toContain("VALIDATION_FAILED");
  });
});

describe("the time a fresh form offers", () => {
  // Half a minute past the hour: the form offers 12:00, the minute, which is before now.
  let late: Server;
  beforeAll(async () => {
    late = await demoServer({ now: "2024-06-01T19:00:30.000Z" });
  });
  afterAll(async () => {
    await late.app.close();
    await late.parley.close();
  });

  it("sent back unchanged means now, so a pass on an issue opened a moment ago is not dated before it", async () => {
    const cookie = await late.signIn("wgaNegotiator");
    await late.parley.execute(SLUG, {
      type: "issue.opened",
      actor: { org: "wga-west", user: "t" },
      occurredAt: late.parley.now(),
      visibility: "table",
      payload: { issue: "parking", title: "Parking" },
    });
    const form = await late.page(`/d/${SLUG}/record/pass.made`, cookie);
    const offered = /name="occurredAt"[^>]*value="([^"]+)"/.exec(form.html)?.[1];
    expect(offered).toBe("2024-06-01T12:00");
    expect(form.html).toContain(`name="occurredAtOffered" value="${offered}"`);
    const fields = {
      _csrf: late.csrfOf(form.html),
      kind: "proposal",
      visibility: "table",
      occurredAt: offered!,
      occurredAtOffered: offered!,
      "issues.0.issue": "parking",
      "issues.0.language": "Free parking.",
    };
    const r = await late.post(`/d/${SLUG}/record/pass.made`, fields, cookie);
    expect([r.status, r.headers.get("location")]).toEqual([303, `/d/${SLUG}/issues/parking`]);
    const last = (await late.parley.timeline(SLUG, { kind: "operator" }, { order: "desc", limit: 1 }))
      .items[0]!;
    expect([last.type, last.occurredAt]).toEqual(["pass.made", "2024-06-01T19:00:30.000Z"]);

    // A time the person typed is theirs: the same minute, changed by hand, is kept as typed.
    const typed = await late.post(
      `/d/${SLUG}/record/note.recorded`,
      {
        _csrf: fields._csrf,
        text: "Earlier.",
        visibility: "private",
        occurredAt: "2024-06-01T11:59",
        occurredAtOffered: offered!,
      },
      cookie,
    );
    expect(typed.status).toBe(303);
    const notes = await late.parley.timeline(
      SLUG,
      { kind: "operator" },
      {
        type: "note.recorded",
        order: "desc",
        limit: 1,
      },
    );
    const note = notes.items[0]!;
    expect([note.type, note.occurredAt]).toEqual(["note.recorded", "2024-06-01T18:59:00.000Z"]);
  });
});
