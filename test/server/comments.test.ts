import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Parley } from "../../src/app/parley.ts";
import { openTestDispute, tempDb } from "../support/fixture.ts";
import { PASSWORD, PEOPLE, type Person, startServer } from "../support/server.ts";

const SLUG = "test-2023";
const OPERATOR = "operator@site.example";

let parley: Parley;
let server: Awaited<ReturnType<typeof startServer>>;
/** The server's clock: tests move it past the comment form's minimum fill time. */
let now = "2026-01-01T00:00:00.000Z";
const headers: Record<string, Record<string, string>> = { anonymous: {} };
/** Every answer given to someone who moderates nothing: none may carry an address or an IP hash. */
const publicBodies: string[] = [];
/** The moderation queue's answers: they must carry the addresses (or the check above proves nothing). */
const moderatorBodies: string[] = [];
const MODERATORS = new Set(["reporter", "operator"]);
/** Mail the server sent, caught by an SMTP server on loopback. */
const mails: { to: string[]; raw: string }[] = [];
let smtp: SMTPServer;

function advance(seconds: number): void {
  now = new Date(Date.parse(now) + seconds * 1_000).toISOString();
}

async function call(method: string, path: string, as: string, body?: unknown) {
  const res = await server.call(method, path, {
    headers: headers[as]!,
    ...(body === undefined ? {} : { body }),
  });
  (MODERATORS.has(as) ? moderatorBodies : publicBodies).push(res.text);
  return res;
}
const codeOf = (res: { status: number; json: { error?: { code: string } } }) => [
  res.status,
  res.json?.error?.code ?? "ok",
];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8").replace(/=\r\n/g, "").replace(/=3D/g, "="),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const address = smtp.server.address();
  if (!address || typeof address === "string") throw new Error("no smtp port");
  process.env.PARLEY_SMTP_URL = `smtp://127.0.0.1:${address.port}`;
  process.env.PARLEY_MAIL_FROM = "newsroom@news.example";

  parley = await Parley.open(tempDb(), { clock: () => new Date(now) });
  await openTestDispute(parley, SLUG);
  server = await startServer(parley);
  await server.accounts.add({ email: OPERATOR, name: "Operator", password: PASSWORD, operator: true });
  for (const who of Object.keys(PEOPLE) as Person[]) headers[who] = await server.signIn(who);
  headers.operator = await server.signInAs(OPERATOR);
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  delete process.env.PARLEY_SMTP_URL;
  delete process.env.PARLEY_MAIL_FROM;
});

const OPEN = { hold: "none", holdLinks: null, perIp: null, perEmail: null, minFillSeconds: 3 };
beforeEach(async () => {
  expect((await call("PUT", "/api/v1/comment-settings", "operator", OPEN)).status).toBe(200);
});

let posted = 0;
async function newPost(publish = true): Promise<string> {
  posted += 1;
  const res = await call("POST", "/api/v1/posts", "reporter", {
    dispute: SLUG,
    org: "daily-press",
    title: `Comment routes ${posted}`,
  });
  expect(res.status).toBe(201);
  if (publish)
    expect((await call("POST", `/api/v1/posts/${res.json.slug}/publish`, "reporter")).status).toBe(200);
  return res.json.slug;
}

/** The form as a reader's script sends it: the token from the thread, sent ten seconds later. */
async function comment(slug: string, fields: Record<string, unknown> = {}, as = "anonymous") {
  const thread = await call("GET", `/api/v1/posts/${slug}/comments`, as);
  advance(10);
  return call("POST", `/api/v1/posts/${slug}/comments`, as, {
    comment: "Well said.",
    name: "Reader",
    email: "reader@example.org",
    issued: thread.json.form.token,
    ...fields,
  });
}

describe("GET /api/v1/posts/{slug}/comments", () => {
  it("gives the approved threads and the form's state; a hidden post does not exist for the public", async () => {
    const slug = await newPost();
    const top = await comment(slug, { comment: "Top", email: "top@example.org" });
    await comment(slug, { comment: "Under", email: "under@example.org", parent: top.json.comment.id });
    const res = await call("GET", `/api/v1/posts/${slug}/comments?order=newest&perPage=10`, "anonymous");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ total: 2, threads: 1, order: "newest", page: 1, pages: 1 });
    expect(res.json.form).toMatchObject({ open: true, closesAt: null, maxDepth: 5 });
    expect(res.json.comments[0]).toMatchObject({ id: top.json.comment.id, removed: false });
    expect(res.json.comments[0].replies[0]).toMatchObject({
      parentId: top.json.comment.id,
      depth: 2,
      replies: [],
    });
    expect(Object.keys(res.json.comments[0]).sort()).toEqual(
      [
        "avatar",
        "createdAt",
        "depth",
        "editedAt",
        "html",
        "id",
        "name",
        "parentId",
        "removed",
        "replies",
        "website",
      ].sort(),
    );

    expect(codeOf(await call("GET", `/api/v1/posts/${slug}/comments?perPage=0`, "anonymous"))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
    const draft = await newPost(false);
    expect(codeOf(await call("GET", `/api/v1/posts/${draft}/comments`, "anonymous"))).toEqual([
      404,
      "POST_UNKNOWN",
    ]);
    expect(codeOf(await call("GET", `/api/v1/posts/${draft}/comments`, "wgaNegotiator"))).toEqual([
      404,
      "POST_UNKNOWN",
    ]);
    const preview = await call("GET", `/api/v1/posts/${draft}/comments`, "reporter");
    expect([preview.status, preview.json.form.open]).toEqual([200, false]);
  });
});

describe("POST /api/v1/posts/{slug}/comments", () => {
  it("answers 201 with the comment shown, or 202 for one awaiting moderation (spam alike)", async () => {
    const slug = await newPost();
    const shown = await comment(slug, { comment: "Shown at once" });
    expect(shown.status).toBe(201);
    expect(shown.json).toMatchObject({
      status: "approved",
      comment: { name: "Reader", html: "<p>Shown at once</p>" },
    });
    await call("PUT", "/api/v1/comment-settings", "operator", { ...OPEN, hold: "all" });
    const held = await comment(slug, { comment: "Held" });
    const spam = await comment(slug, { comment: "Bot", url: "https://spam.example" });
    for (const res of [held, spam]) {
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ status: "awaiting moderation" });
    }
    expect(held.text).toBe(spam.text);
  });

  it("refuses bad fields one by one without repeating what was typed", async () => {
    const slug = await newPost();
    const res = await comment(slug, {
      comment: "",
      email: "not-an-address@nowhere",
      website: "javascript:x",
    });
    expect(codeOf(res)).toEqual([400, "VALIDATION_FAILED"]);
    expect(res.json.error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      "comment",
      "email",
      "website",
    ]);
    expect(res.text).not.toContain("not-an-address");
    expect(codeOf(await call("POST", `/api/v1/posts/${slug}/comments`, "anonymous", "[1]"))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
  });

  it("refuses a form sent too fast, a closed or hidden post, and a flood with Retry-After", async () => {
    const slug = await newPost();
    const thread = await call("GET", `/api/v1/posts/${slug}/comments`, "anonymous");
    const fast = await call("POST", `/api/v1/posts/${slug}/comments`, "anonymous", {
      comment: "Instant",
      name: "Bot",
      email: "bot@example.org",
      issued: thread.json.form.token,
    });
    expect(codeOf(fast)).toEqual([422, "COMMENT_TOO_FAST"]);
    const tokenless = await call("POST", `/api/v1/posts/${slug}/comments`, "anonymous", {
      comment: "No token",
      name: "Bot",
      email: "bot@example.org",
    });
    expect(codeOf(tokenless)).toEqual([422, "COMMENT_FORM_EXPIRED"]);
    const hidden = await newPost(false);
    const onHidden = await call("POST", `/api/v1/posts/${hidden}/comments`, "anonymous", {
      comment: "On a draft",
      name: "Reader",
      email: "reader@example.org",
      issued: thread.json.form.token,
    });
    expect(codeOf(onHidden)).toEqual([404, "POST_UNKNOWN"]);

    // Every reader here comes from 127.0.0.1: the comments of the tests before leave the window first.
    advance(600);
    await call("PUT", "/api/v1/comment-settings", "operator", {
      ...OPEN,
      perIp: { count: 1, windowMinutes: 5 },
    });
    expect((await comment(slug, { comment: "one" })).status).toBe(201);
    const limited = await comment(slug, { comment: "two", email: "other@example.org" });
    expect(codeOf(limited)).toEqual([429, "COMMENT_RATE_LIMITED"]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    await call("PUT", "/api/v1/comment-settings", "operator", { ...OPEN, closeAfterDays: 1 });
    advance(86_400);
    expect(codeOf(await comment(slug, { comment: "late" }))).toEqual([422, "COMMENTS_CLOSED"]);
  });

  it("refuses a signed-in reader's cookie without the CSRF token", async () => {
    const slug = await newPost();
    const thread = await call("GET", `/api/v1/posts/${slug}/comments`, "wgaMember");
    advance(10);
    const res = await server.call("POST", `/api/v1/posts/${slug}/comments`, {
      headers: { cookie: headers.wgaMember!.cookie! },
      body: { comment: "Forged", name: "M", email: "m@example.org", issued: thread.json.form.token },
    });
    publicBodies.push(res.text);
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe("CSRF_FAILED");
  });
});

describe("the moderation routes", () => {
  async function heldComment(slug: string, text: string, email: string): Promise<string> {
    await call("PUT", "/api/v1/comment-settings", "operator", { ...OPEN, hold: "all" });
    expect((await comment(slug, { comment: text, email })).status).toBe(202);
    const queue = await call(
      "GET",
      `/api/v1/moderation/comments?status=held&search=${encodeURIComponent(text)}`,
      "reporter",
    );
    return queue.json.comments[0].id;
  }

  it("GET /moderation/comments: the queue with addresses, for the post's moderators only", async () => {
    const slug = await newPost();
    const id = await heldComment(slug, "queued text", "queued@example.org");
    const res = await call("GET", "/api/v1/moderation/comments?status=held", "reporter");
    expect(res.status).toBe(200);
    expect(res.json.comments.find((c: { id: string }) => c.id === id)).toMatchObject({
      email: "queued@example.org",
      status: "held",
      post: { slug },
    });
    expect(codeOf(await call("GET", "/api/v1/moderation/comments?status=gone", "reporter"))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
    expect(codeOf(await call("GET", "/api/v1/moderation/comments", "anonymous"))).toEqual([
      401,
      "AUTH_REQUIRED",
    ]);
    expect(codeOf(await call("GET", "/api/v1/moderation/comments", "wgaMember"))).toEqual([
      403,
      "MODERATOR_ONLY",
    ]);
    // An editor of another organization has a queue of its own, without this post's comments.
    const other = await call("GET", "/api/v1/moderation/comments", "wgaNegotiator");
    expect(other.status).toBe(200);
    expect(other.text).not.toContain("queued@example.org");
  });

  it("POST /moderation/comments: bulk actions, all or none", async () => {
    const slug = await newPost();
    const a = await heldComment(slug, "bulk one", "b1@example.org");
    const b = await heldComment(slug, "bulk two", "b2@example.org");
    const ok = await call("POST", "/api/v1/moderation/comments", "reporter", {
      ids: [a, b],
      action: "approve",
    });
    expect([ok.status, ok.json.changed.sort()]).toEqual([200, [a, b].sort()]);
    expect((await call("GET", `/api/v1/posts/${slug}/comments`, "anonymous")).json.total).toBe(2);
    expect(
      codeOf(await call("POST", "/api/v1/moderation/comments", "reporter", { ids: [], action: "approve" })),
    ).toEqual([400, "VALIDATION_FAILED"]);
    expect(
      codeOf(
        await call("POST", "/api/v1/moderation/comments", "amptpNegotiator", { ids: [a], action: "trash" }),
      ),
    ).toEqual([403, "MODERATOR_ONLY"]);
    expect(
      codeOf(await call("POST", "/api/v1/moderation/comments", "anonymous", { ids: [a], action: "trash" })),
    ).toEqual([401, "AUTH_REQUIRED"]);
  });

  it("PATCH /moderation/comments/{id}: edits the text", async () => {
    const slug = await newPost();
    const id = (await comment(slug, { comment: "Eddited" })).json.comment.id;
    const ok = await call("PATCH", `/api/v1/moderation/comments/${id}`, "reporter", { body: "Edited" });
    expect([ok.status, ok.json.body, ok.json.html]).toEqual([200, "Edited", "<p>Edited</p>"]);
    expect(
      codeOf(await call("PATCH", `/api/v1/moderation/comments/${id}`, "reporter", { body: "" })),
    ).toEqual([400, "VALIDATION_FAILED"]);
    expect(
      codeOf(await call("PATCH", `/api/v1/moderation/comments/${id}`, "outsiderAdmin", { body: "Mine" })),
    ).toEqual([403, "MODERATOR_ONLY"]);
    expect(
      codeOf(await call("PATCH", "/api/v1/moderation/comments/cNone", "reporter", { body: "x" })),
    ).toEqual([404, "COMMENT_UNKNOWN"]);
  });

  it("POST /moderation/comments/{id}/replies and GET …/log: a moderator's reply, and the log of who did what", async () => {
    const slug = await newPost();
    const id = await heldComment(slug, "needs an answer", "asker@example.org");
    const reply = await call("POST", `/api/v1/moderation/comments/${id}/replies`, "reporter", {
      body: "Answered.",
    });
    expect([reply.status, reply.json.parentId, reply.json.name]).toEqual([201, id, "reporter"]);
    expect(reply.text).not.toContain(PEOPLE.reporter.email);
    expect(
      codeOf(
        await call("POST", `/api/v1/moderation/comments/${id}/replies`, "reporter", { text: "wrong field" }),
      ),
    ).toEqual([400, "VALIDATION_FAILED"]);
    expect(
      codeOf(
        await call("POST", `/api/v1/moderation/comments/${id}/replies`, "wgaMember", { body: "Me too" }),
      ),
    ).toEqual([403, "MODERATOR_ONLY"]);

    const log = await call("GET", `/api/v1/moderation/comments/${id}/log`, "reporter");
    expect(log.status).toBe(200);
    expect(log.json.log.map((l: { action: string }) => l.action)).toEqual(["approve", "reply"]);
    expect(log.json.log[0].actor.name).toBe("reporter");
    expect(codeOf(await call("GET", "/api/v1/moderation/comments/not*an*id/log", "reporter"))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
    expect(codeOf(await call("GET", `/api/v1/moderation/comments/${id}/log`, "amptpMember"))).toEqual([
      403,
      "MODERATOR_ONLY",
    ]);
  });
});

describe("GET and PUT /api/v1/comment-settings", () => {
  it("are the operators'", async () => {
    const put = await call("PUT", "/api/v1/comment-settings", "operator", {
      hold: "first-time",
      maxDepth: 3,
    });
    expect([put.status, put.json.hold, put.json.maxDepth, put.json.ipRetentionDays]).toEqual([
      200,
      "first-time",
      3,
      30,
    ]);
    expect((await call("GET", "/api/v1/comment-settings", "operator")).json).toEqual(put.json);
    expect(codeOf(await call("PUT", "/api/v1/comment-settings", "operator", { maxDepth: 0 }))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
    expect(codeOf(await call("GET", "/api/v1/comment-settings", "reporter"))).toEqual([403, "ROLE_REQUIRED"]);
    expect(codeOf(await call("PUT", "/api/v1/comment-settings", "reporter", { hold: "none" }))).toEqual([
      403,
      "ROLE_REQUIRED",
    ]);
    expect(codeOf(await call("GET", "/api/v1/comment-settings", "anonymous"))).toEqual([
      401,
      "AUTH_REQUIRED",
    ]);
  });
});

describe("the commenter's links", () => {
  it("POST /comments/unsubscribe: one click with a signed token, as a mail program sends it", async () => {
    const slug = await newPost();
    const id = (await comment(slug, { comment: "Notify me", notify: "on" })).json.comment.id;
    const token = server.app.comments.unsubscribeToken(id);
    const res = await fetch(`${server.base}/api/v1/comments/unsubscribe?token=${token}`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x" },
      body: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unsubscribed: true });
    const forged = await call(
      "POST",
      `/api/v1/comments/unsubscribe?token=${token.slice(0, -2)}AA`,
      "anonymous",
    );
    expect(codeOf(forged)).toEqual([400, "MAIL_LINK_INVALID"]);
    expect(codeOf(await call("POST", "/api/v1/comments/unsubscribe", "anonymous"))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
  });

  it("POST /comments/privacy-requests answers alike for every address, and the mailed links work", async () => {
    const slug = await newPost();
    await comment(slug, { comment: "Mine", email: "privacy@example.org" });
    await server.app.comments.settled();
    mails.length = 0;
    const known = await call("POST", "/api/v1/comments/privacy-requests", "anonymous", {
      email: "privacy@example.org",
      kind: "export",
    });
    const unknown = await call("POST", "/api/v1/comments/privacy-requests", "anonymous", {
      email: "never@example.org",
      kind: "export",
    });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(known.text).toBe(unknown.text);
    expect(
      codeOf(
        await call("POST", "/api/v1/comments/privacy-requests", "anonymous", {
          email: "x@y.org",
          kind: "all",
        }),
      ),
    ).toEqual([400, "VALIDATION_FAILED"]);
    await server.app.comments.settled();
    expect(mails.map((m) => m.to)).toEqual([["privacy@example.org"]]);
    const token = /export\?token=([A-Za-z0-9_-]+)/.exec(mails[0]!.raw)![1]!;
    const exported = await call("GET", `/api/v1/comments/privacy/export?token=${token}`, "anonymous");
    expect(exported.status).toBe(200);
    expect(exported.json.comments.map((c: { text: string }) => c.text)).toEqual(["Mine"]);
    expect(exported.headers.get("cache-control")).toBe("no-store");
    expect(codeOf(await call("GET", `/api/v1/comments/privacy/export?token=${token}x`, "anonymous"))).toEqual(
      [400, "MAIL_LINK_INVALID"],
    );
    // An export link erases nothing.
    expect(codeOf(await call("POST", `/api/v1/comments/privacy/erase?token=${token}`, "anonymous"))).toEqual([
      400,
      "MAIL_LINK_INVALID",
    ]);

    mails.length = 0;
    await call("POST", "/api/v1/comments/privacy-requests", "anonymous", {
      email: "privacy@example.org",
      kind: "erase",
    });
    await server.app.comments.settled();
    const eraseToken = /erase\?token=([A-Za-z0-9_-]+)/.exec(mails[0]!.raw)![1]!;
    const erased = await call("POST", `/api/v1/comments/privacy/erase?token=${eraseToken}`, "anonymous");
    expect([erased.status, erased.json]).toEqual([200, { deleted: 1, emptied: 0 }]);
    expect((await call("GET", `/api/v1/posts/${slug}/comments`, "anonymous")).json.total).toBe(0);
  });
});

describe("privacy of every public answer", () => {
  it("no answer to anyone but a moderator carries a commenter's address or IP hash", async () => {
    const rows = await parley.db.selectFrom("comments").select(["email", "ip_hash"]).execute();
    const emails = [...new Set(rows.map((r) => r.email).filter((e) => e !== ""))];
    const hashes = rows.map((r) => r.ip_hash).filter((h): h is string => h !== null);
    expect(emails.length).toBeGreaterThan(5);
    expect(hashes.length).toBeGreaterThan(5);
    // The check can fail: the queue, for moderators, does carry addresses.
    expect(moderatorBodies.some((b) => emails.some((e) => b.includes(e)))).toBe(true);
    for (const body of publicBodies) {
      for (const email of emails) expect(body).not.toContain(email);
      for (const hash of hashes) expect(body).not.toContain(hash);
      expect(body).not.toContain("127.0.0.1");
    }
  });

  it("documents the routes in the OpenAPI answer", async () => {
    const res = await call("GET", "/api/v1/openapi.json", "anonymous");
    expect(res.status).toBe(200);
    expect(Object.keys(res.json.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/posts/{slug}/comments",
        "/api/v1/moderation/comments",
        "/api/v1/moderation/comments/{id}/replies",
        "/api/v1/comment-settings",
        "/api/v1/comments/privacy-requests",
        "/api/v1/comments/unsubscribe",
      ]),
    );
  });
});
