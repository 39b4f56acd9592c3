import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Accounts, type Caller } from "../../src/app/accounts.ts";
import { type CommentSettings, Comments, type ThreadComment } from "../../src/app/comments.ts";
import type { Mail, MailSender } from "../../src/app/mailer.ts";
import type { Parley } from "../../src/app/parley.ts";
import { Posts } from "../../src/app/posts.ts";
import { testCaller } from "../support/callers.ts";
import { smallDispute } from "../support/fixture.ts";

process.env.PARLEY_SCRYPT_N ??= "1024";

const SLUG = "test-2023";
const SECRET = Buffer.from("a test secret of enough length for the comments");

let app: Parley;
let posts: Posts;
let comments: Comments;
/** The services' clock: tests move it (fill times, rate-limit windows, retention, link expiry). */
let now = "2026-01-01T00:00:00.000Z";
const who: Record<string, Caller> = {};
/** Every mail the service sent, through a stand-in for SMTP (test/app/mailer.test.ts uses a real server). */
const outbox: Mail[] = [];
const mailer: MailSender = {
  send: async (mail) => {
    outbox.push(mail);
  },
};

function advance(seconds: number): void {
  now = new Date(Date.parse(now) + seconds * 1_000).toISOString();
}

beforeAll(async () => {
  app = (await smallDispute()).app;
  await app.registerOrganization({
    id: "other-union",
    name: "Other Union",
    shortName: "Other",
    kind: "union",
  });
  const accounts = new Accounts(app.db, () => new Date(now));
  who.editor = await testCaller(accounts, "editor", { org: "daily-press", role: "negotiator" });
  who.pressAdmin = await testCaller(accounts, "pressadmin", { org: "daily-press", role: "admin" });
  who.intern = await testCaller(accounts, "intern", { org: "daily-press", role: "member" });
  who.wgaNegotiator = await testCaller(accounts, "wganegotiator", { org: "wga-west", role: "negotiator" });
  who.operator = await testCaller(accounts, "operator", undefined, { operator: true });
  posts = new Posts(app, () => now);
  comments = new Comments(app, posts, {
    secret: SECRET,
    now: () => now,
    mailer,
    publicUrl: "https://news.example",
    log: { info: () => {}, error: () => {} },
  });
});
afterAll(async () => {
  await comments.settled();
  await app.close();
});

/** Settings with every rule off but those a test turns on. */
async function configure(rules: Partial<CommentSettings> = {}): Promise<void> {
  await comments.updateSettings(who.operator!, {
    hold: "none",
    holdLinks: null,
    perIp: null,
    perEmail: null,
    minFillSeconds: 3,
    ...rules,
  });
}
beforeEach(async () => {
  await configure();
  outbox.length = 0;
});

let posted = 0;
/** A live post of the press outlet (or of `org`, written by `by`). */
async function newPost(by: Caller = who.editor!, org = "daily-press"): Promise<string> {
  posted += 1;
  const { slug } = await posts.create(by, { dispute: SLUG, org, title: `Comments test ${posted}` });
  await posts.publish(by, slug, {});
  return slug;
}

interface Send {
  comment?: string;
  name?: string;
  email?: string;
  website?: string;
  parent?: string;
  ip?: string;
  /** Seconds between the form's issue and its sending. */
  wait?: number;
  [field: string]: unknown;
}

/** A reader fills in the form of `slug`, takes `wait` seconds, and sends it. */
async function send(slug: string, fields: Send = {}) {
  const { ip = "203.0.113.5", wait = 10, ...rest } = fields;
  const issued = comments.formToken(slug);
  advance(wait);
  return comments.submit({
    postSlug: slug,
    form: { comment: "A fair point.", name: "Reader", email: "reader@example.org", issued, ...rest },
    ip,
  });
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; details?: Record<string, unknown> }> {
  return p.then(
    () => ({ code: "none" }),
    (e: { code?: string; details?: Record<string, unknown> }) => ({
      code: e.code ?? String(e),
      details: e.details,
    }),
  );
}

async function row(id: string) {
  return app.db.selectFrom("comments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

/** The stored row of the only comment with this text. */
async function rowByText(body: string) {
  return app.db.selectFrom("comments").selectAll().where("body", "=", body).executeTakeFirstOrThrow();
}

async function tableCounts() {
  const n = async (table: "comments" | "comment_salts" | "moderation_log") =>
    Number(
      (
        await app.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { comments: await n("comments"), salts: await n("comment_salts"), log: await n("moderation_log") };
}

function flatten(threads: ThreadComment[]): ThreadComment[] {
  return threads.flatMap((t) => [t, ...flatten(t.replies)]);
}

async function shownIds(slug: string): Promise<string[]> {
  return flatten((await comments.thread(slug, { perPage: 200 })).comments).map((c) => c.id);
}

describe("the moderation rules, through storage", () => {
  it("holds every comment under hold 'all', and the reader is told it awaits moderation", async () => {
    await configure({ hold: "all" });
    const slug = await newPost();
    const result = await send(slug, { comment: "Held by rule" });
    expect(result).toEqual({ outcome: "held", comment: null });
    const stored = await rowByText("Held by rule");
    expect(stored.status).toBe("held");
    expect(JSON.parse(stored.reasons)).toEqual(["every comment is held for moderation"]);
    expect(await shownIds(slug)).toEqual([]);
  });

  it("holds a first-time commenter, then trusts the address and name a moderator approved", async () => {
    await configure({ hold: "first-time" });
    const slug = await newPost();
    const email = "newcomer@example.org";
    expect(await send(slug, { comment: "My first", email, name: "Newcomer" })).toMatchObject({
      outcome: "held",
    });
    const first = await rowByText("My first");
    await comments.moderate(who.editor!, [first.id], "approve");
    const second = await send(slug, {
      comment: "My second",
      email: "NewComer@Example.org",
      name: "Newcomer",
    });
    expect(second).toMatchObject({ outcome: "approved", comment: { name: "Newcomer" } });
    // Someone typing the same address under another name is not trusted on its strength.
    expect(await send(slug, { comment: "Pretending", email, name: "Someone Else" })).toMatchObject({
      outcome: "held",
    });
  });

  it("holds a comment with as many links as the setting says, and not one with fewer", async () => {
    await configure({ holdLinks: 2 });
    const slug = await newPost();
    expect(await send(slug, { comment: "See https://wga.org only" })).toMatchObject({ outcome: "approved" });
    expect(await send(slug, { comment: "See https://wga.org and https://amptp.org" })).toMatchObject({
      outcome: "held",
    });
    expect(JSON.parse((await rowByText("See https://wga.org and https://amptp.org")).reasons)).toEqual([
      "2 links (held from 2)",
    ]);
  });

  it("holds for a hold word, and stores a spam word's comment as spam while telling the reader it is held", async () => {
    await configure({ holdWords: ["scab"], spamWords: ["casino"] });
    const slug = await newPost();
    expect(await send(slug, { comment: "Every scab crossing today" })).toMatchObject({ outcome: "held" });
    expect((await rowByText("Every scab crossing today")).status).toBe("held");
    const spam = await send(slug, { comment: "Best casino bonus" });
    expect(spam).toEqual({ outcome: "held", comment: null });
    expect((await rowByText("Best casino bonus")).status).toBe("spam");
    expect(await send(slug, { comment: "Massachusetts class action" })).toMatchObject({
      outcome: "approved",
    });
  });

  it("stores a filled honeypot as spam, tells the sender it is held, and mails no moderator", async () => {
    await configure({ hold: "all" });
    const slug = await newPost();
    const result = await send(slug, { comment: "Bot text", url: "https://spam.example" });
    expect(result).toEqual({ outcome: "held", comment: null });
    expect((await rowByText("Bot text")).status).toBe("spam");
    await comments.settled();
    expect(outbox).toEqual([]);
  });

  it("refuses a form sent too fast, or without a valid token of its post, and stores nothing", async () => {
    const slug = await newPost();
    const before = await tableCounts();
    const bare = (issued?: string) =>
      comments.submit({
        postSlug: slug,
        form: { comment: "x", name: "N", email: "n@x.org", ...(issued ? { issued } : {}) },
        ip: "1.2.3.4",
      });
    expect((await refusal(send(slug, { comment: "Quick", wait: 1 }))).code).toBe("COMMENT_TOO_FAST");
    expect((await refusal(bare())).code).toBe("COMMENT_FORM_EXPIRED");
    expect((await refusal(bare("1767225600000.AAAA"))).code).toBe("COMMENT_FORM_EXPIRED");
    // A token of another post is no token for this one; nor is one from two days ago.
    const other = comments.formToken(await newPost());
    const old = comments.formToken(slug);
    advance(2 * 86_400);
    expect((await refusal(bare(other))).code).toBe("COMMENT_FORM_EXPIRED");
    expect((await refusal(bare(old))).code).toBe("COMMENT_FORM_EXPIRED");
    expect(await tableCounts()).toEqual(before);
    expect(await send(slug, { comment: "Slow enough", wait: 3 })).toMatchObject({ outcome: "approved" });
  });

  it("limits comments per IP address (an IPv6 /64 is one sender) and says when to try again", async () => {
    await configure({ perIp: { count: 2, windowMinutes: 10 } });
    const slug = await newPost();
    const ip = "2001:db8:1:2::10";
    await send(slug, { comment: "ip one", email: "a1@example.org", ip });
    await send(slug, { comment: "ip two", email: "a2@example.org", ip: "2001:db8:1:2:ffff::99" });
    const before = await tableCounts();
    const limited = await refusal(send(slug, { comment: "ip three", email: "a3@example.org", ip }));
    expect(limited.code).toBe("COMMENT_RATE_LIMITED");
    expect(limited.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.details?.retryAfterSeconds).toBeLessThanOrEqual(600);
    expect(await tableCounts()).toEqual(before);
    // Another network is another sender; the same one may send again once the window has passed.
    expect(
      await send(slug, { comment: "other net", email: "a4@example.org", ip: "2001:db8:9::1" }),
    ).toMatchObject({
      outcome: "approved",
    });
    advance(600);
    expect(await send(slug, { comment: "ip later", email: "a5@example.org", ip })).toMatchObject({
      outcome: "approved",
    });
  });

  it("counts a sender's spam toward the IP limit too", async () => {
    await configure({ perIp: { count: 1, windowMinutes: 10 } });
    const slug = await newPost();
    await send(slug, { comment: "bot 1", url: "x", ip: "198.51.100.7" });
    expect((await refusal(send(slug, { comment: "bot 2", url: "x", ip: "198.51.100.7" }))).code).toBe(
      "COMMENT_RATE_LIMITED",
    );
  });

  it("finds a sender's comments from before a salt rotation inside the window", async () => {
    await configure({ perIp: { count: 1, windowMinutes: 60 } });
    const slug = await newPost();
    now = "2026-02-01T23:50:00.000Z";
    await send(slug, { comment: "before midnight", ip: "192.0.2.44", wait: 5 });
    // Ten minutes later it is another day, with another salt.
    expect((await refusal(send(slug, { comment: "after midnight", ip: "192.0.2.44", wait: 600 }))).code).toBe(
      "COMMENT_RATE_LIMITED",
    );
    // The refused comment's new day left no salt behind: nothing of it was written.
    const salts = (await app.db.selectFrom("comment_salts").select("period").execute()).map((s) => s.period);
    expect(salts).toContain("2026-02-01T00");
    expect(salts).not.toContain("2026-02-02T00");
    expect(await send(slug, { comment: "next hour", ip: "192.0.2.44", wait: 3_600 })).toMatchObject({
      outcome: "approved",
    });
  });

  it("limits comments per email address, whatever the IP", async () => {
    await configure({ perEmail: { count: 2, windowMinutes: 60 } });
    const slug = await newPost();
    const email = "busy@example.org";
    await send(slug, { comment: "mail one", email, ip: "192.0.2.1" });
    await send(slug, { comment: "mail two", email, ip: "192.0.2.2" });
    expect(
      (await refusal(send(slug, { comment: "mail three", email: "BUSY@example.org", ip: "192.0.2.3" }))).code,
    ).toBe("COMMENT_RATE_LIMITED");
  });

  it("refuses the same text from the same address on the same post, not elsewhere", async () => {
    const slug = await newPost();
    await send(slug, { comment: "Said  once." });
    const before = await tableCounts();
    expect((await refusal(send(slug, { comment: "SAID once." }))).code).toBe("COMMENT_DUPLICATE");
    expect(await tableCounts()).toEqual(before);
    expect(await send(slug, { comment: "Said once.", email: "someone.else@example.org" })).toMatchObject({
      outcome: "approved",
    });
    expect(await send(await newPost(), { comment: "Said once." })).toMatchObject({ outcome: "approved" });
  });

  it("nests replies to the configured depth, and only under approved comments of the same post", async () => {
    await configure({ maxDepth: 2 });
    const slug = await newPost();
    const top = await send(slug, { comment: "Top" });
    const topId = (top as { comment: { id: string } }).comment.id;
    const reply = await send(slug, { comment: "Reply", parent: topId });
    expect(reply).toMatchObject({ outcome: "approved", comment: { parentId: topId, depth: 2 } });
    const replyId = (reply as { comment: { id: string } }).comment.id;
    expect((await refusal(send(slug, { comment: "Too deep", parent: replyId }))).code).toBe(
      "COMMENT_TOO_DEEP",
    );
    expect((await refusal(send(await newPost(), { comment: "Elsewhere", parent: topId }))).code).toBe(
      "COMMENT_UNKNOWN",
    );
    expect((await refusal(send(slug, { comment: "To nothing", parent: "cNoSuchComment" }))).code).toBe(
      "COMMENT_UNKNOWN",
    );
    await configure({ hold: "all", maxDepth: 2 });
    await send(slug, { comment: "Held top", email: "held@example.org" });
    const held = await rowByText("Held top");
    expect((await refusal(send(slug, { comment: "To held", parent: held.id }))).code).toBe("COMMENT_UNKNOWN");
  });

  it("closes comments N days after publication, when the post's switch is off, and on posts not live", async () => {
    await configure({ closeAfterDays: 2 });
    const slug = await newPost();
    expect(await comments.form(slug)).toMatchObject({ open: true });
    advance(2 * 86_400 - 60);
    expect(await send(slug, { comment: "Just in time", wait: 30 })).toMatchObject({ outcome: "approved" });
    advance(60);
    expect((await comments.form(slug)).open).toBe(false);
    expect((await refusal(send(slug, { comment: "Too late" }))).code).toBe("COMMENTS_CLOSED");

    await configure();
    const switched = await newPost();
    const view = await posts.get(who.editor!, switched);
    await posts.edit(who.editor!, switched, { revision: view.revision, commentsOpen: false });
    expect((await refusal(send(switched, { comment: "Switched off" }))).code).toBe("COMMENTS_CLOSED");

    const { slug: draft } = await posts.create(who.editor!, {
      dispute: SLUG,
      org: "daily-press",
      title: "Draft",
    });
    expect((await refusal(send(draft, { comment: "On a draft" }))).code).toBe("POST_UNKNOWN");
    expect((await refusal(comments.thread(draft))).code).toBe("POST_UNKNOWN");
    // Its moderators read its thread (empty); nobody else learns it exists.
    expect((await comments.thread(draft, {}, who.editor!)).total).toBe(0);
  });

  it("returns field errors with what was typed, and stores nothing", async () => {
    const slug = await newPost();
    const before = await tableCounts();
    const result = await comments.submit({
      postSlug: slug,
      form: { comment: " ", name: "", email: "not an address", website: "javascript:alert(1)" },
      ip: "1.2.3.4",
    });
    expect("fieldErrors" in result && result.fieldErrors.map((e) => e.field)).toEqual([
      "comment",
      "name",
      "email",
      "website",
    ]);
    expect("typed" in result && result.typed.email).toBe("not an address");
    expect(await tableCounts()).toEqual(before);
  });
});

describe("threads", () => {
  it("pages by top-level thread, replies under their parent in time order, oldest or newest first", async () => {
    const slug = await newPost();
    const ids: Record<string, string> = {};
    const add = async (name: string, parent?: string) => {
      const r = (await send(slug, {
        comment: `text ${name}`,
        email: `${name}@example.org`,
        ...(parent ? { parent: ids[parent] } : {}),
      })) as { comment: { id: string } };
      ids[name] = r.comment.id;
    };
    await add("a");
    await add("b");
    await add("a1", "a");
    await add("c");
    await add("a1x", "a1");
    await add("a2", "a");
    await add("b1", "b");

    const page1 = await comments.thread(slug, { order: "oldest", perPage: 2, page: 1 });
    expect(page1).toMatchObject({ total: 7, threads: 3, pages: 2, page: 1 });
    expect(page1.comments.map((t) => t.id)).toEqual([ids.a, ids.b]);
    expect(page1.comments[0]!.replies.map((r) => r.id)).toEqual([ids.a1, ids.a2]);
    expect(page1.comments[0]!.replies[0]!.replies.map((r) => r.id)).toEqual([ids.a1x]);
    expect(page1.comments[1]!.replies.map((r) => r.id)).toEqual([ids.b1]);
    const page2 = await comments.thread(slug, { order: "oldest", perPage: 2, page: 2 });
    expect(page2.comments.map((t) => t.id)).toEqual([ids.c]);

    const newest = await comments.thread(slug, { order: "newest", perPage: 2 });
    expect(newest.comments.map((t) => t.id)).toEqual([ids.c, ids.b]);
    // Replies stay in conversation order whichever way the threads go.
    const all = await comments.thread(slug, { order: "newest", perPage: 10 });
    expect(all.comments[2]!.replies.map((r) => r.id)).toEqual([ids.a1, ids.a2]);

    expect(await comments.pageOf(slug, ids.a1x!, { order: "oldest", perPage: 2 })).toBe(1);
    expect(await comments.pageOf(slug, ids.c!, { order: "oldest", perPage: 2 })).toBe(2);
    expect(await comments.pageOf(slug, ids.a!, { order: "newest", perPage: 2 })).toBe(2);

    // A thread whose top comment was trashed keeps its place, emptied, for the replies under it.
    await comments.moderate(who.editor!, [ids.a!], "trash");
    const after = await comments.thread(slug, { order: "oldest", perPage: 10 });
    expect(after.total).toBe(6);
    expect(after.comments[0]).toMatchObject({ id: ids.a, removed: true, name: "", html: "", avatar: "" });
    expect(after.comments[0]!.replies.map((r) => r.id)).toEqual([ids.a1, ids.a2]);
    // Trashing the one reply of b leaves b as it was; trashing c (no replies) takes its thread away.
    await comments.moderate(who.editor!, [ids.c!], "trash");
    expect((await comments.thread(slug, { perPage: 10 })).comments.map((t) => t.id)).toEqual([ids.a, ids.b]);
  });

  it("refuses a bad page query", async () => {
    const slug = await newPost();
    expect((await refusal(comments.thread(slug, { perPage: 0 }))).code).toBe("VALIDATION_FAILED");
    expect((await refusal(comments.thread(slug, { order: "random" as "oldest" }))).code).toBe(
      "VALIDATION_FAILED",
    );
  });

  it("shows no address, IP hash, status or reasons in a thread", async () => {
    await configure({ holdLinks: 5 });
    const slug = await newPost();
    await send(slug, {
      comment: "Visible",
      email: "secret.person@example.org",
      website: "https://me.example",
    });
    const text = JSON.stringify(await comments.thread(slug));
    const stored = await rowByText("Visible");
    expect(text).toContain("Visible");
    expect(text).toContain("https://me.example");
    expect(text).not.toContain("secret.person");
    expect(text).not.toContain(stored.ip_hash!);
    expect(text).not.toMatch(/"status"|"reasons"|"email"/);
  });

  it("counts approved comments per post in one answer", async () => {
    const a = await newPost();
    const b = await newPost();
    const c = await newPost();
    await send(a, { comment: "a one" });
    await send(a, { comment: "a two" });
    await configure({ hold: "all" });
    await send(b, { comment: "b held" });
    const counts = await comments.counts([a, b, c, "no-such-post"]);
    expect(Object.fromEntries(counts)).toEqual({ [a]: 2, [b]: 0, [c]: 0, "no-such-post": 0 });
  });
});

describe("moderation", () => {
  async function heldComment(slug: string, text: string, email = "mod@example.org"): Promise<string> {
    await configure({ hold: "all" });
    await send(slug, { comment: text, email });
    return (await rowByText(text)).id;
  }

  it("approves, holds, marks as spam, trashes and restores, logging who did each and when", async () => {
    const slug = await newPost();
    const id = await heldComment(slug, "To moderate");
    const steps: [Parameters<Comments["moderate"]>[2], string][] = [
      ["approve", "approved"],
      ["trash", "trash"],
      ["restore", "approved"],
      ["spam", "spam"],
      ["restore", "held"],
      ["hold", "held"],
    ];
    for (const [action, status] of steps) {
      advance(1);
      await comments.moderate(who.editor!, [id], action);
      expect((await row(id)).status).toBe(status);
    }
    const log = await comments.log(who.pressAdmin!, id);
    // The last "hold" changed nothing, so nothing was logged for it.
    expect(log.map((l) => l.action)).toEqual(["approve", "trash", "restore", "spam", "restore"]);
    expect(log.every((l) => l.actor?.id === who.editor!.id && l.actor?.name === "The editor")).toBe(true);
    expect(new Set(log.map((l) => l.at)).size).toBe(5);
  });

  it("acts on many comments at once, or on none when one of them is not the caller's to moderate", async () => {
    const mine = await newPost();
    const theirs = await newPost(who.wgaNegotiator!, "wga-west");
    const a = await heldComment(mine, "bulk a");
    const b = await heldComment(mine, "bulk b");
    const c = await heldComment(theirs, "bulk c");
    const before = await tableCounts();
    expect((await refusal(comments.moderate(who.editor!, [a, b, c], "approve"))).code).toBe("MODERATOR_ONLY");
    expect((await refusal(comments.moderate(who.editor!, [a, "cMissing"], "approve"))).code).toBe(
      "COMMENT_UNKNOWN",
    );
    expect(await tableCounts()).toEqual(before);
    expect([(await row(a)).status, (await row(b)).status]).toEqual(["held", "held"]);
    expect(await comments.moderate(who.editor!, [a, b, a], "approve")).toEqual({ changed: [a, b] });
    expect((await tableCounts()).log).toBe(before.log + 2);
    expect((await refusal(comments.moderate(who.editor!, [a], "delete" as "trash"))).code).toBe(
      "VALIDATION_FAILED",
    );
    expect((await refusal(comments.moderate(who.intern!, [a], "trash"))).code).toBe("MODERATOR_ONLY");
    // An operator moderates every post.
    expect(await comments.moderate(who.operator!, [c], "spam")).toEqual({ changed: [c] });
  });

  it("shows the queue, with addresses, only to moderators of each post's organization", async () => {
    const mine = await newPost();
    const theirs = await newPost(who.wgaNegotiator!, "wga-west");
    const a = await heldComment(mine, "queue mine", "press.reader@example.org");
    const b = await heldComment(theirs, "queue theirs", "wga.reader@example.org");
    const editorQueue = await comments.queue(who.editor!, { status: "held", perPage: 200 });
    expect(editorQueue.comments.map((c) => c.id)).toContain(a);
    expect(editorQueue.comments.map((c) => c.id)).not.toContain(b);
    expect(editorQueue.comments.find((c) => c.id === a)).toMatchObject({
      email: "press.reader@example.org",
      status: "held",
      reasons: ["every comment is held for moderation"],
      post: { slug: mine },
    });
    expect(JSON.stringify(editorQueue)).not.toContain("wga.reader@example.org");
    const wgaQueue = await comments.queue(who.wgaNegotiator!, { perPage: 200 });
    expect(wgaQueue.comments.map((c) => c.id)).toContain(b);
    expect(JSON.stringify(wgaQueue)).not.toContain("press.reader@example.org");
    const everything = await comments.queue(who.operator!, { status: "held", perPage: 200 });
    expect(everything.comments.map((c) => c.id)).toEqual(expect.arrayContaining([a, b]));
    expect((await refusal(comments.queue(who.intern!))).code).toBe("MODERATOR_ONLY");
    expect((await refusal(comments.queue(who.editor!, { status: "deleted" as "held" }))).code).toBe(
      "VALIDATION_FAILED",
    );
  });

  it("searches the queue by name, text, website and address, taking % and _ literally", async () => {
    const slug = await newPost();
    await configure({ hold: "all" });
    await send(slug, { comment: "About the needle in it", email: "s1@example.org" });
    await send(slug, { comment: "plain", name: "Needleman", email: "s2@example.org" });
    await send(slug, { comment: "site", website: "https://needle.example", email: "s3@example.org" });
    await send(slug, { comment: "100% sure", email: "s4@example.org" });
    await send(slug, { comment: "1000 sure", email: "s5@example.org" });
    const found = await comments.queue(who.editor!, { search: "NEEDLE", perPage: 200 });
    expect(found.comments.map((c) => c.body).sort()).toEqual(["About the needle in it", "plain", "site"]);
    expect(found.total).toBe(3);
    const percent = await comments.queue(who.editor!, { search: "0%", perPage: 200 });
    expect(percent.comments.map((c) => c.body)).toEqual(["100% sure"]);
    const byAddress = await comments.queue(who.editor!, { search: "s5@example", perPage: 200 });
    expect(byAddress.comments.map((c) => c.body)).toEqual(["1000 sure"]);
  });

  it("edits a comment's text (rendered again and marked edited) for moderators only", async () => {
    const slug = await newPost();
    const r = (await send(slug, { comment: "Typo teh" })) as { comment: { id: string } };
    advance(5);
    const edited = await comments.edit(who.editor!, r.comment.id, "Typo *the*");
    expect(edited).toMatchObject({ body: "Typo *the*", html: "<p>Typo <em>the</em></p>", editedAt: now });
    const shown = (await comments.thread(slug)).comments[0]!;
    expect(shown).toMatchObject({ html: "<p>Typo <em>the</em></p>", editedAt: now });
    expect((await comments.log(who.editor!, r.comment.id)).map((l) => l.action)).toEqual(["edit"]);
    expect((await refusal(comments.edit(who.editor!, r.comment.id, "  "))).code).toBe("VALIDATION_FAILED");
    expect((await refusal(comments.edit(who.wgaNegotiator!, r.comment.id, "Mine now"))).code).toBe(
      "MODERATOR_ONLY",
    );
    expect((await refusal(comments.log(who.intern!, r.comment.id))).code).toBe("MODERATOR_ONLY");
  });

  it("replies as a moderator: shown at once under the account's name, approving a held parent", async () => {
    const slug = await newPost();
    const parent = await heldComment(slug, "A question for the desk");
    const reply = await comments.reply(who.editor!, parent, "Thanks, we are looking into it.");
    expect(reply).toMatchObject({ parentId: parent, depth: 2, name: "The editor", removed: false });
    expect((await row(parent)).status).toBe("approved");
    expect((await row(reply.id)).account_id).toBe(who.editor!.id);
    expect((await comments.log(who.editor!, parent)).map((l) => [l.action, l.note])).toEqual([
      ["approve", null],
      ["reply", reply.id],
    ]);
    const thread = await comments.thread(slug);
    expect(thread.comments[0]!.replies.map((r) => r.id)).toEqual([reply.id]);
    expect(JSON.stringify(thread)).not.toContain(who.editor!.email);
    expect((await refusal(comments.reply(who.wgaNegotiator!, parent, "Not yours"))).code).toBe(
      "MODERATOR_ONLY",
    );
    await comments.moderate(who.editor!, [parent], "spam");
    expect((await refusal(comments.reply(who.editor!, parent, "To spam"))).code).toBe("COMMENT_UNKNOWN");
  });
});

describe("settings", () => {
  it("are the operators' to change, checked by their schema", async () => {
    expect((await refusal(comments.updateSettings(who.editor!, { hold: "all" }))).code).toBe("ROLE_REQUIRED");
    expect((await refusal(comments.updateSettings(who.operator!, { hold: "sometimes" }))).code).toBe(
      "VALIDATION_FAILED",
    );
    expect((await refusal(comments.updateSettings(who.operator!, { ipRetentionDays: 1 }))).code).toBe(
      "VALIDATION_FAILED",
    );
    const saved = await comments.updateSettings(who.operator!, { hold: "all", holdWords: ["a", "a", ""] });
    expect(saved).toMatchObject({ hold: "all", holdWords: ["a"], maxDepth: 5, ipRetentionDays: 30 });
    expect(await comments.settings()).toEqual(saved);
  });
});

describe("privacy", () => {
  it("drops IP hashes older than the retention, and the salts that made them", async () => {
    await configure({ ipRetentionDays: 7 });
    now = "2026-03-01T12:00:00.000Z";
    const slug = await newPost();
    await send(slug, { comment: "old enough to forget" });
    const old = await rowByText("old enough to forget");
    expect(old.ip_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    advance(8 * 86_400);
    await send(slug, { comment: "still recent" });
    const result = await comments.purgeExpired(now);
    expect(result.ipHashesDropped).toBeGreaterThanOrEqual(1);
    expect(result.saltsDeleted).toBeGreaterThanOrEqual(1);
    expect((await row(old.id)).ip_hash).toBeNull();
    expect((await rowByText("still recent")).ip_hash).not.toBeNull();
    const periods = (await app.db.selectFrom("comment_salts").select("period").execute()).map(
      (s) => s.period,
    );
    expect(periods).not.toContain("2026-03-01T00");
    expect(periods).toContain(now.slice(0, 13).replace(/T\d\d$/, "T00"));
    // Nothing left to drop the second time.
    expect(await comments.purgeExpired(now)).toEqual({ ipHashesDropped: 0, saltsDeleted: 0 });
  });

  function linkToken(mail: Mail): string {
    const m = /token=([A-Za-z0-9_-]+)/.exec(mail.text);
    if (!m) throw new Error("no link in the mail");
    return m[1]!;
  }

  it("exports an address's comments by a mailed link, without the address; forged and expired links fail", async () => {
    const slug = await newPost();
    const email = "exporter@example.org";
    await send(slug, { comment: "Export me", email, name: "Exporter" });
    await configure({ hold: "all" });
    await send(slug, { comment: "Export me too", email, name: "Exporter" });
    await send(slug, { comment: "Spam of mine", email, name: "Exporter", url: "bot" });
    await comments.settled();
    outbox.length = 0;
    await comments.requestExport("nobody.here@example.org");
    await comments.settled();
    expect(outbox).toEqual([]);
    await comments.requestExport("Exporter@Example.org");
    await comments.settled();
    expect(outbox.map((m) => [m.to, m.subject])).toEqual([
      ["Exporter@example.org", "A copy of your comments"],
    ]);
    expect(outbox[0]!.text).toContain("https://news.example/api/v1/comments/privacy/export?token=");
    const token = linkToken(outbox[0]!);
    expect(token).not.toContain("exporter");
    const exported = await comments.exportFor(token);
    expect(exported.comments.map((c) => [c.text, c.status])).toEqual([
      ["Export me", "published"],
      ["Export me too", "awaiting moderation"],
      ["Spam of mine", "awaiting moderation"],
    ]);
    expect(JSON.stringify(exported)).not.toContain(email);
    const flipped = token.slice(0, 20) + (token[20] === "A" ? "B" : "A") + token.slice(21);
    expect((await refusal(comments.exportFor(flipped))).code).toBe("MAIL_LINK_INVALID");
    expect((await refusal(comments.eraseFor(token))).code).toBe("MAIL_LINK_INVALID");
    expect((await refusal(comments.exportFor("garbage"))).code).toBe("MAIL_LINK_INVALID");
    advance(25 * 3_600);
    expect((await refusal(comments.exportFor(token))).code).toBe("MAIL_LINK_INVALID");
    expect((await refusal(comments.requestExport("not an address"))).code).toBe("VALIDATION_FAILED");
  });

  it("erases by a mailed link: a comment without replies goes, one with replies stays as an empty place", async () => {
    const slug = await newPost();
    const email = "leaving@example.org";
    const top = (await send(slug, {
      comment: "Erase me, answered",
      email,
      name: "Leaving",
      notify: "on",
    })) as {
      comment: { id: string };
    };
    const answer = (await send(slug, {
      comment: "An answer",
      parent: top.comment.id,
      email: "stays@example.org",
    })) as {
      comment: { id: string };
    };
    const alone = (await send(slug, { comment: "Erase me, alone", email, name: "Leaving" })) as {
      comment: { id: string };
    };
    await comments.moderate(who.editor!, [alone.comment.id], "hold");
    outbox.length = 0;
    await comments.requestErasure(email);
    await comments.settled();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.text).toContain("https://news.example/comments/erase?token=");
    const token = linkToken(outbox[0]!);
    expect((await refusal(comments.exportFor(token))).code).toBe("MAIL_LINK_INVALID");
    expect(await comments.eraseFor(token)).toEqual({ deleted: 1, emptied: 1 });
    const emptied = await row(top.comment.id);
    expect(emptied).toMatchObject({
      status: "erased",
      name: "",
      email: "",
      body: "",
      html: "",
      ip_hash: null,
    });
    expect(
      await app.db.selectFrom("comments").select("id").where("id", "=", alone.comment.id).executeTakeFirst(),
    ).toBeUndefined();
    const thread = await comments.thread(slug);
    const erased = thread.comments.find((t) => t.id === top.comment.id)!;
    expect(erased).toMatchObject({ removed: true, name: "", html: "" });
    expect(erased.replies.map((r) => r.id)).toEqual([answer.comment.id]);
    expect(JSON.stringify(thread)).not.toContain("Erase me");
    expect((await refusal(comments.edit(who.editor!, top.comment.id, "Back"))).code).toBe("COMMENT_UNKNOWN");
    // The link again finds nothing left; the erasure is logged without an actor.
    expect(await comments.eraseFor(token)).toEqual({ deleted: 0, emptied: 0 });
    const log = await app.db
      .selectFrom("moderation_log")
      .selectAll()
      .where("comment_id", "=", top.comment.id)
      .execute();
    expect(log.map((l) => [l.action, l.actor_id])).toEqual([["erase", null]]);
  });

  it("unsubscribes only with a token this site signed", async () => {
    const slug = await newPost();
    const r = (await send(slug, { comment: "Tell me", notify: "on" })) as { comment: { id: string } };
    expect((await row(r.comment.id)).notify_replies).toBe(1);
    const token = comments.unsubscribeToken(r.comment.id);
    expect((await refusal(comments.unsubscribe(`${token.slice(0, -1)}x`))).code).toBe("MAIL_LINK_INVALID");
    expect(
      (
        await refusal(
          comments.unsubscribe(comments.unsubscribeToken("cOther").replace("cOther", r.comment.id)),
        )
      ).code,
    ).toBe("MAIL_LINK_INVALID");
    await comments.unsubscribe(token);
    expect((await row(r.comment.id)).notify_replies).toBe(0);
  });

  it("writes nothing at all when a rule refuses, not even the day's first salt", async () => {
    await configure({ minFillSeconds: 30 });
    const slug = await newPost();
    now = "2026-06-01T00:00:00.000Z";
    const before = await tableCounts();
    expect((await refusal(send(slug, { comment: "first of the day, too fast", wait: 5 }))).code).toBe(
      "COMMENT_TOO_FAST",
    );
    expect(await tableCounts()).toEqual(before);
    const salts = (await app.db.selectFrom("comment_salts").select("period").execute()).map((s) => s.period);
    expect(salts).not.toContain("2026-06-01T00");
  });
});
