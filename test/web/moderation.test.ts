import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "../../src/app/accounts.ts";
import type { CommentSettings, ModerationComment } from "../../src/app/comments.ts";
import { formatDateTime } from "../../src/web/format.ts";
import { DEMO, DEMO_PASSWORD, type DemoPerson, demoServer, pageText as text } from "../support/web.ts";

/**
 * The moderation pages: the queue with its bulk and one-click actions, editing, replying, the
 * history of a comment, and the site's settings. Comments are left through the service as a
 * reader's form would leave them; every page is asked for as a browser would.
 */
type Server = Awaited<ReturnType<typeof demoServer>>;
let s: Server;

const ZONE = "America/Los_Angeles";
/** A live post of the demo outlet (parley-news): its moderators are the reporter and operators. */
const NEWS_POST = "day-136-the-amptp-says-it-will-set-a-meeting-with-the-writers-next-week";
/** A live post of WGA West: its moderators are the guild's negotiators and admins. */
const GUILD_POST = "our-answer-to-the-offer-the-studios-made-public";
const OPERATOR_EMAIL = "operator@site.example";
/** Commenters on the outlet's posts, and on the guild's: only their moderators may read these. */
const NEWS_READERS = "@readers.example";
const GUILD_READERS = "@guild-readers.example";

type Who = DemoPerson | "operator" | "anonymous";
const sessions = new Map<Who, { cookie: string; caller: Caller }>();
/** Every page asked for here, by whom: none may show an address to anyone but its moderators. */
const seen: { who: Who; path: string; html: string }[] = [];

async function session(who: Exclude<Who, "anonymous">) {
  let one = sessions.get(who);
  if (!one) {
    const email = who === "operator" ? OPERATOR_EMAIL : DEMO[who];
    const { token } = await s.accounts.login(email, DEMO_PASSWORD);
    const caller = await s.accounts.bySession(token);
    if (!caller) throw new Error(`no session for ${who}`);
    one = { cookie: `parley_session=${token}`, caller };
    sessions.set(who, one);
  }
  return one;
}

async function get(who: Who, path: string) {
  const cookie = who === "anonymous" ? undefined : (await session(who)).cookie;
  const r = await s.page(path, cookie);
  seen.push({ who, path, html: r.html });
  return r;
}

/** A form sent from a page of the site: the session's CSRF token with it, as the pages carry it. */
async function send(who: Who, path: string, fields: Record<string, string | string[]>) {
  if (who === "anonymous") {
    const r = await s.post(path, fields);
    seen.push({ who, path, html: r.html });
    return r;
  }
  const { cookie, caller } = await session(who);
  const csrf = caller.via.kind === "session" ? caller.via.csrf : "";
  const r = await s.post(path, { _csrf: csrf, ...fields }, cookie);
  seen.push({ who, path, html: r.html });
  return r;
}

function codeOf(html: string): string | null {
  return /<code>([A-Z_]+)<\/code>/.exec(html)?.[1] ?? null;
}

/** The text of an element with this id, tags stripped. */
function textOf(html: string, id: string): string | null {
  const m = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m ? text(m[2]!).trim() : null;
}

function textareaOf(html: string, id: string): string {
  const m = new RegExp(`<textarea[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  if (!m) throw new Error(`no textarea #${id}`);
  return m[1]!.replace(/^\n/, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** The queue item of one comment (its <li>), or null when it is not on the page. */
function itemOf(html: string, id: string): string | null {
  const start = html.indexOf(`<li id="comment-${id}"`);
  if (start < 0) return null;
  return html.slice(start, html.indexOf("</li>", html.indexOf("</article>", start)) + 5);
}

const BASE_SETTINGS: Partial<CommentSettings> = {
  hold: "all",
  holdLinks: null,
  perIp: null,
  perEmail: null,
  minFillSeconds: 0,
};

beforeAll(async () => {
  s = await demoServer();
  await s.accounts.add({
    email: OPERATOR_EMAIL,
    name: "Site operator",
    password: DEMO_PASSWORD,
    operator: true,
  });
  // Every comment waits for a moderator; forms may be sent at once (no minimum fill time).
  await s.app.comments.updateSettings((await session("operator")).caller, BASE_SETTINGS);
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

let made = 0;
/** A reader's comment, held by the rules; returned as its moderators see it. */
async function comment(
  post = NEWS_POST,
  fields: Record<string, string> = {},
): Promise<ModerationComment & { marker: string }> {
  made += 1;
  const marker = `zq${made}q`;
  const readers = post === GUILD_POST ? GUILD_READERS : NEWS_READERS;
  const result = await s.app.comments.submit({
    postSlug: post,
    form: {
      comment: `A reader's view, ${marker}: the talks should resume.`,
      name: `Reader ${made}`,
      email: `reader${made}${readers}`,
      website: "https://reader.example/blog",
      issued: s.app.comments.formToken(post),
      ...fields,
    },
    ip: `203.0.113.${made}`,
  });
  expect(result).toMatchObject({ outcome: "held" });
  const found = await s.app.comments.queue((await session("operator")).caller, { search: marker });
  expect(found.comments).toHaveLength(1);
  return { ...found.comments[0]!, marker };
}

/** The comment as its moderators see it now. */
async function current(id: string): Promise<ModerationComment> {
  const { caller } = await session("operator");
  for (let page = 1; ; page += 1) {
    const q = await s.app.comments.queue(caller, { page, perPage: 200 });
    const c = q.comments.find((x) => x.id === id);
    if (c) return c;
    if (q.comments.length < 200) throw new Error(`no comment ${id}`);
  }
}

describe("GET /moderation/comments", () => {
  it("shows the outlet's editor its held comments with address, website, date in the dispute's zone and reasons", async () => {
    const c = await comment();
    const r = await get("reporter", "/moderation/comments");
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("private, no-store");
    const item = itemOf(r.html, c.id);
    expect(item).not.toBeNull();
    expect(item).toContain(c.email);
    expect(item).toContain('href="https://reader.example/blog" rel="nofollow ugc noopener noreferrer"');
    expect(text(item!)).toContain(formatDateTime(c.createdAt, ZONE));
    expect(text(item!)).toContain("Day 136: the AMPTP says it will set a meeting");
    expect(text(item!)).toContain(
      "What the rules found when it arrived: every comment is held for moderation",
    );
    expect(item).toContain(`name="ids" value="${c.id}"`);
    // The one-click buttons of a held comment, each in its own small form.
    for (const action of ["approve", "spam", "trash"]) {
      expect(item).toContain(`form="one-${c.id}" name="action" value="${action}"`);
    }
    expect(r.html).toMatch(new RegExp(`<form id="one-${c.id}" method="post" action="/moderation/comments"`));
    expect(item).toContain(`href="/moderation/comments/${c.id}/edit"`);
    expect(item).toContain(`href="/moderation/comments/${c.id}/history"`);
    // The held tab is the current one, with its count.
    const held = (await s.app.comments.queue((await session("reporter")).caller, { status: "held" })).total;
    expect(text(r.html)).toContain(`Held (${held})`);
    expect(r.html).toMatch(/aria-current="page"[^>]*>Held/);
    expect(r.html.match(/<h1[\s>]/g)).toHaveLength(1);
  });

  it("shows another organization's moderator none of it, refuses a member, and sends the signed-out to sign in", async () => {
    const c = await comment();
    const amptp = await get("amptpNegotiator", "/moderation/comments");
    expect(amptp.status).toBe(200);
    expect(itemOf(amptp.html, c.id)).toBeNull();
    expect(amptp.html).not.toContain(c.marker);
    expect(text(amptp.html)).toContain("Held (0)");

    const member = await get("wgaMember", "/moderation/comments");
    expect(member.status).toBe(403);
    expect(codeOf(member.html)).toBe("MODERATOR_ONLY");

    const anonymous = await get("anonymous", "/moderation/comments?status=spam");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe(
      `/signin?next=${encodeURIComponent("/moderation/comments?status=spam")}`,
    );
  });

  it("keeps each organization's comments to its own moderators, and shows the operator all", async () => {
    const news = await comment(NEWS_POST);
    const guild = await comment(GUILD_POST);
    const wga = await get("wgaNegotiator", "/moderation/comments");
    expect(itemOf(wga.html, guild.id)).toContain(guild.email);
    expect(itemOf(wga.html, news.id)).toBeNull();
    const reporter = await get("reporter", "/moderation/comments");
    expect(itemOf(reporter.html, news.id)).not.toBeNull();
    expect(itemOf(reporter.html, guild.id)).toBeNull();
    const operator = await get("operator", "/moderation/comments");
    expect(itemOf(operator.html, news.id)).not.toBeNull();
    expect(itemOf(operator.html, guild.id)).not.toBeNull();
    expect(operator.html).toContain('href="/comments/settings"');
  });

  it("searches names, texts and addresses; a bad page or status is a 400 with its code", async () => {
    const c = await comment();
    const other = await comment();
    const found = await get("reporter", `/moderation/comments?search=${c.marker}`);
    expect(found.status).toBe(200);
    expect(itemOf(found.html, c.id)).not.toBeNull();
    expect(itemOf(found.html, other.id)).toBeNull();
    expect(text(found.html)).toContain("Held (1)");
    const byAddress = await get("reporter", `/moderation/comments?search=${encodeURIComponent(other.email)}`);
    expect(itemOf(byAddress.html, other.id)).not.toBeNull();
    const none = await get("reporter", "/moderation/comments?search=no-such-words-anywhere");
    expect(text(none.html)).toContain("No held comment matches “no-such-words-anywhere”.");
    // The tabs keep the search.
    expect(none.html).toContain('href="/moderation/comments?status=spam&amp;search=no-such-words-anywhere"');

    for (const q of ["?page=0", "?status=everything", `?search=${"x".repeat(201)}`]) {
      const bad = await get("reporter", `/moderation/comments${q}`);
      expect(bad.status, q).toBe(400);
      expect(codeOf(bad.html), q).toBe("VALIDATION_FAILED");
    }
  });

  it("pages through a long queue", async () => {
    for (let i = 0; i < 21; i += 1) await comment();
    const total = (await s.app.comments.queue((await session("reporter")).caller, { status: "held" })).total;
    const first = await get("reporter", "/moderation/comments");
    expect(first.html.match(/<li id="comment-/g)).toHaveLength(20);
    expect(text(first.html)).toContain(`Page 1 of ${Math.ceil(total / 20)}`);
    expect(first.html).toContain('href="/moderation/comments?page=2" rel="next"');
    const second = await get("reporter", "/moderation/comments?page=2");
    expect(second.html.match(/<li id="comment-/g)?.length).toBe(Math.min(20, total - 20));
    expect(second.html).toContain('href="/moderation/comments" rel="prev"');
  });
});

describe("POST /moderation/comments", () => {
  it("approves the selected comments at once and says how many; the post's page then shows them, without addresses", async () => {
    const a = await comment();
    const b = await comment();
    const r = await send("reporter", "/moderation/comments", { action: "approve", ids: [a.id, b.id] });
    expect(r.status).toBe(303);
    const location = r.headers.get("location")!;
    expect(location).toBe("/moderation/comments?done=approve&n=2");
    const after = await get("reporter", location);
    expect(textOf(after.html, "main")).toContain("2 comments approved.");
    expect((await current(a.id)).status).toBe("approved");
    expect((await current(b.id)).status).toBe("approved");

    const approved = await get("reporter", "/moderation/comments?status=approved");
    expect(itemOf(approved.html, a.id)).toContain(`href="/news/${NEWS_POST}#comment-${a.id}"`);

    const post = await get("anonymous", `/news/${NEWS_POST}`);
    expect(post.html).toContain(`id="comment-${a.id}"`);
    expect(post.html).toContain(a.marker);
    expect(post.html).not.toContain(a.email);
  });

  it("acts on one comment from its own button and comes back to the same tab", async () => {
    const c = await comment();
    const spam = await send("reporter", "/moderation/comments?status=held&page=1", {
      action: "spam",
      ids: c.id,
    });
    expect(spam.status).toBe(303);
    expect(spam.headers.get("location")).toBe("/moderation/comments?done=spam&n=1");
    expect((await current(c.id)).status).toBe("spam");

    const tab = await get("reporter", "/moderation/comments?status=spam");
    const item = itemOf(tab.html, c.id)!;
    expect(item).toContain(`value="restore"`);
    expect(item).not.toContain(`value="approve"`);
    // The reply link is offered only where a reply can be written.
    expect(item).not.toContain("/reply");
    const restored = await send("reporter", "/moderation/comments?status=spam", {
      action: "restore",
      ids: c.id,
    });
    expect(restored.headers.get("location")).toBe("/moderation/comments?status=spam&done=restore&n=1");
    expect(text((await get("reporter", restored.headers.get("location")!)).html)).toContain(
      "1 comment restored.",
    );
    expect((await current(c.id)).status).toBe("held");
  });

  it("sends back a form without a selection or an action, changing nothing", async () => {
    const c = await comment();
    const noIds = await send("reporter", "/moderation/comments", { action: "approve" });
    expect(noIds.status).toBe(400);
    expect(codeOf(noIds.html)).toBe("VALIDATION_FAILED");
    expect(textOf(noIds.html, "bulk-ids-error")).toContain("Select at least one comment");
    const noAction = await send("reporter", "/moderation/comments", { ids: c.id, action: "" });
    expect(noAction.status).toBe(400);
    expect(textOf(noAction.html, "bulk-action-error")).toBe("Choose what to do with the selected comments.");
    expect(noAction.html).toContain('aria-describedby="bulk-action-error"');
    const forged = await send("reporter", "/moderation/comments", { ids: "not an id!", action: "approve" });
    expect(forged.status).toBe(400);
    expect((await current(c.id)).status).toBe("held");
  });

  it("refuses the whole request when one comment is another organization's, and refuses members and the signed-out", async () => {
    const mine = await comment(GUILD_POST);
    const theirs = await comment(NEWS_POST);
    const mixed = await send("wgaNegotiator", "/moderation/comments", {
      action: "trash",
      ids: [mine.id, theirs.id],
    });
    expect(mixed.status).toBe(403);
    expect(codeOf(mixed.html)).toBe("MODERATOR_ONLY");
    expect((await current(mine.id)).status).toBe("held");
    expect((await current(theirs.id)).status).toBe("held");

    const member = await send("wgaMember", "/moderation/comments", { action: "approve", ids: mine.id });
    expect(member.status).toBe(403);
    expect(codeOf(member.html)).toBe("MODERATOR_ONLY");
    const anonymous = await send("anonymous", "/moderation/comments", { action: "approve", ids: mine.id });
    expect(anonymous.status).toBe(401);
    // A form without the session's token is refused whoever sends it.
    const { cookie } = await session("reporter");
    const noToken = await s.post("/moderation/comments", { action: "approve", ids: theirs.id }, cookie);
    expect(noToken.status).toBe(403);
    expect(codeOf(noToken.html)).toBe("CSRF_FAILED");
    expect((await current(mine.id)).status).toBe("held");
    expect((await current(theirs.id)).status).toBe("held");
  });
});

describe("editing a comment", () => {
  it("shows the text as typed and saves a new one, back to the queue with a notice", async () => {
    const c = await comment();
    const page = await get("reporter", `/moderation/comments/${c.id}/edit?status=held&search=${c.marker}`);
    expect(page.status).toBe(200);
    expect(textareaOf(page.html, "comment-body")).toBe(c.body);
    expect(page.html).toContain(c.email);
    expect(page.html).toContain(`action="/moderation/comments/${c.id}/edit?search=${c.marker}"`);
    const r = await send("reporter", `/moderation/comments/${c.id}/edit?search=${c.marker}`, {
      body: "Edited by the desk: <b>bold</b> claims removed.",
    });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(
      `/moderation/comments?search=${c.marker}&done=edited#comment-${c.id}`,
    );
    const now = await current(c.id);
    expect(now.body).toBe("Edited by the desk: <b>bold</b> claims removed.");
    expect(now.html).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(now.editedAt).not.toBeNull();
    expect(text((await get("reporter", r.headers.get("location")!)).html)).toContain("Comment saved.");
  });

  it("keeps a refused text and says beside the field what is wrong, saving nothing", async () => {
    const c = await comment();
    const long = `${"word ".repeat(2_001)}end`;
    const r = await send("reporter", `/moderation/comments/${c.id}/edit`, { body: long });
    expect(r.status).toBe(400);
    expect(codeOf(r.html)).toBe("VALIDATION_FAILED");
    expect(textOf(r.html, "comment-body-error")).toBe("A comment has at most 10,000 characters.");
    expect(r.html).toMatch(
      /<textarea[^>]*aria-invalid="true"[^>]*aria-describedby="comment-body-hint comment-body-error"/,
    );
    expect(textareaOf(r.html, "comment-body")).toBe(long);
    const empty = await send("reporter", `/moderation/comments/${c.id}/edit`, { body: "   " });
    expect(empty.status).toBe(400);
    expect(textOf(empty.html, "comment-body-error")).toBe("Write a comment.");
    expect((await current(c.id)).body).toBe(c.body);
    expect((await current(c.id)).editedAt).toBeNull();
  });

  it("is refused to another organization's moderator and to members, before the text is read", async () => {
    const c = await comment();
    const amptp = await get("amptpNegotiator", `/moderation/comments/${c.id}/edit`);
    expect(amptp.status).toBe(403);
    expect(codeOf(amptp.html)).toBe("MODERATOR_ONLY");
    const post = await send("amptpNegotiator", `/moderation/comments/${c.id}/edit`, { body: "Rewritten." });
    expect(post.status).toBe(403);
    expect((await current(c.id)).body).toBe(c.body);
    expect((await get("wgaMember", `/moderation/comments/${c.id}/edit`)).status).toBe(403);
    const unknown = await get("reporter", "/moderation/comments/cNoSuchComment/edit");
    expect(unknown.status).toBe(404);
    expect(codeOf(unknown.html)).toBe("COMMENT_UNKNOWN");
    const malformed = await get("reporter", "/moderation/comments/not%20an%20id/edit");
    expect(malformed.status).toBe(400);
    expect(codeOf(malformed.html)).toBe("VALIDATION_FAILED");
  });
});

describe("replying as a moderator", () => {
  it("publishes the reply under the comment in the moderator's name, approving a held comment", async () => {
    const c = await comment();
    const page = await get("reporter", `/moderation/comments/${c.id}/reply`);
    expect(page.status).toBe(200);
    expect(textOf(page.html, "reply-body-hint")).toContain("Replying approves the comment too.");
    expect(textOf(page.html, "reply-body-hint")).toContain("Parley News reporter");
    const r = await send("reporter", `/moderation/comments/${c.id}/reply`, {
      body: "Thanks: we asked both sides for comment.",
    });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`/moderation/comments?done=replied#comment-${c.id}`);
    expect((await current(c.id)).status).toBe("approved");
    const post = await get("anonymous", `/news/${NEWS_POST}`);
    const thread = itemOf(post.html, c.id) ?? "";
    const start = post.html.indexOf(`<li id="comment-${c.id}"`);
    const under = post.html.slice(start, post.html.indexOf("</ol>", start));
    expect(thread).not.toBe("");
    expect(text(under)).toContain("Thanks: we asked both sides for comment.");
    expect(text(under)).toContain("Parley News reporter");
    expect(post.html).not.toContain("reporter@parley-news.demo");
  });

  it("keeps a refused reply and writes nothing; a comment in the spam tab must be restored first", async () => {
    const c = await comment();
    const before = (await s.app.comments.queue((await session("reporter")).caller, {})).total;
    const empty = await send("reporter", `/moderation/comments/${c.id}/reply`, { body: "" });
    expect(empty.status).toBe(400);
    expect(textOf(empty.html, "reply-body-error")).toBe("Write a comment.");
    expect((await s.app.comments.queue((await session("reporter")).caller, {})).total).toBe(before);
    expect((await current(c.id)).status).toBe("held");

    await s.app.comments.moderate((await session("reporter")).caller, [c.id], "spam");
    const page = await get("reporter", `/moderation/comments/${c.id}/reply`);
    expect(text(page.html)).toContain("This comment is marked as spam: restore it before replying to it.");
    expect(page.html).not.toContain('id="reply-body"');
    const refused = await send("reporter", `/moderation/comments/${c.id}/reply`, { body: "Hello." });
    expect(refused.status).toBe(404);
    expect(codeOf(refused.html)).toBe("COMMENT_UNKNOWN");
    expect(textareaOf(refused.html, "reply-body")).toBe("Hello.");
    expect((await s.app.comments.queue((await session("reporter")).caller, {})).total).toBe(before);
  });

  it("is refused to members and to another organization's moderator", async () => {
    const c = await comment();
    expect((await get("wgaMember", `/moderation/comments/${c.id}/reply`)).status).toBe(403);
    const post = await send("wgaNegotiator", `/moderation/comments/${c.id}/reply`, { body: "Hi." });
    expect(post.status).toBe(403);
    expect(codeOf(post.html)).toBe("MODERATOR_ONLY");
    expect((await current(c.id)).status).toBe("held");
  });
});

describe("a comment's history", () => {
  it("lists what moderators did, who and when, in the dispute's zone", async () => {
    const c = await comment();
    await send("reporter", "/moderation/comments", { action: "approve", ids: c.id });
    await send("reporter", `/moderation/comments/${c.id}/edit`, { body: "Shortened by the desk." });
    const log = await s.app.comments.log((await session("reporter")).caller, c.id);
    const r = await get("reporter", `/moderation/comments/${c.id}/history`);
    expect(r.status).toBe(200);
    const rows = [...r.html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => text(m[1]!).trim());
    expect(rows.slice(1)).toEqual([
      `${formatDateTime(log[0]!.at, ZONE)} Approved Parley News reporter`,
      `${formatDateTime(log[1]!.at, ZONE)} Edited Parley News reporter`,
    ]);
    expect(r.html).toContain('<th scope="col">When</th>');
  });

  it("says so when nothing was done yet, and is refused to anyone who does not moderate it", async () => {
    const c = await comment();
    const r = await get("operator", `/moderation/comments/${c.id}/history`);
    expect(text(r.html)).toContain("Nothing yet");
    const amptp = await get("amptpNegotiator", `/moderation/comments/${c.id}/history`);
    expect(amptp.status).toBe(403);
    expect(codeOf(amptp.html)).toBe("MODERATOR_ONLY");
    const bad = await get("reporter", `/moderation/comments/${"x".repeat(65)}/history`);
    expect(bad.status).toBe(400);
  });
});

describe("the moderation settings", () => {
  it("shows an operator the settings and saves a change", async () => {
    const page = await get("operator", "/comments/settings");
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<option value="all" selected/);
    expect(page.html).toMatch(/id="settings-minFillSeconds"[^>]*value="0"/);
    const r = await send("operator", "/comments/settings", {
      hold: "first-time",
      holdLinks: "3",
      holdWords: "crypto\r\n\r\nforex  ",
      spamWords: "casino",
      minFillSeconds: "0",
      perIpCount: "5",
      perIpMinutes: "10",
      perEmailCount: "",
      perEmailMinutes: "",
      maxDepth: "4",
      closeAfterDays: "",
      ipRetentionDays: "30",
    });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/comments/settings?saved=1");
    expect(await s.app.comments.settings()).toEqual({
      hold: "first-time",
      holdLinks: 3,
      holdWords: ["crypto", "forex"],
      spamWords: ["casino"],
      minFillSeconds: 0,
      perIp: { count: 5, windowMinutes: 10 },
      perEmail: null,
      maxDepth: 4,
      closeAfterDays: null,
      ipRetentionDays: 30,
    });
    const saved = await get("operator", "/comments/settings?saved=1");
    expect(text(saved.html)).toContain("Settings saved");
    expect(textareaOf(saved.html, "settings-holdWords")).toBe("crypto\nforex");
    await s.app.comments.updateSettings((await session("operator")).caller, BASE_SETTINGS);
  });

  it("says beside each field what is wrong, keeps what was typed and saves nothing", async () => {
    const before = await s.app.comments.settings();
    const r = await send("operator", "/comments/settings", {
      hold: "some",
      holdLinks: "",
      holdWords: "",
      spamWords: "",
      minFillSeconds: "three",
      perIpCount: "5",
      perIpMinutes: "",
      perEmailCount: "10",
      perEmailMinutes: "60",
      maxDepth: "99",
      closeAfterDays: "",
      ipRetentionDays: "1",
    });
    expect(r.status).toBe(400);
    expect(codeOf(r.html)).toBe("VALIDATION_FAILED");
    expect(textOf(r.html, "settings-hold-error")).toBe("Choose which comments wait for a moderator.");
    expect(textOf(r.html, "settings-minFillSeconds-error")).toContain("whole number of seconds");
    expect(textOf(r.html, "settings-perIp-error")).toContain("or leave both empty");
    expect(textOf(r.html, "settings-perEmail-error")).toBeNull();
    expect(textOf(r.html, "settings-maxDepth-error")).toBe("Write a whole number from 1 to 20.");
    expect(textOf(r.html, "settings-ipRetentionDays-error")).toContain("from 7 to 3,650");
    expect(r.html).toMatch(/id="settings-maxDepth"[^>]*aria-invalid="true"[^>]*value="99"/);
    expect(r.html).toMatch(/id="settings-minFillSeconds"[^>]*value="three"/);
    expect(await s.app.comments.settings()).toEqual(before);
  });

  it("is the operators' only: an editor and a member are refused, the signed-out asked to sign in", async () => {
    const before = await s.app.comments.settings();
    for (const who of ["reporter", "wgaMember"] as const) {
      const page = await get(who, "/comments/settings");
      expect(page.status, who).toBe(403);
      expect(codeOf(page.html), who).toBe("ROLE_REQUIRED");
      const post = await send(who, "/comments/settings", { hold: "none", maxDepth: "2" });
      expect(post.status, who).toBe(403);
    }
    expect((await get("anonymous", "/comments/settings")).status).toBe(303);
    expect((await send("anonymous", "/comments/settings", { hold: "none" })).status).toBe(401);
    expect(await s.app.comments.settings()).toEqual(before);
  });
});

describe("addresses", () => {
  it("reach no page but their moderators' ones", () => {
    expect(seen.length).toBeGreaterThan(20);
    // The moderators' pages did carry them, or the check below would prove nothing.
    expect(seen.some((p) => p.who === "reporter" && p.html.includes(NEWS_READERS))).toBe(true);
    expect(seen.some((p) => p.who === "wgaNegotiator" && p.html.includes(GUILD_READERS))).toBe(true);
    const leaks = seen
      .filter(
        (p) =>
          (p.who !== "reporter" && p.who !== "operator" && p.html.includes(NEWS_READERS)) ||
          (p.who !== "wgaNegotiator" && p.who !== "operator" && p.html.includes(GUILD_READERS)),
      )
      .map((p) => `${p.who} ${p.path}`);
    expect(leaks).toEqual([]);
  });
});
