import Fastify from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Accounts, type Caller } from "../../src/app/accounts.ts";
import { type CommentSettings, Comments } from "../../src/app/comments.ts";
import { Mailer } from "../../src/app/mailer.ts";
import type { Parley } from "../../src/app/parley.ts";
import { Posts } from "../../src/app/posts.ts";
import { toErrorReply } from "../../src/server/errors.ts";
import { commentRoutes } from "../../src/server/routes/comments.ts";
import type { Api } from "../../src/server/server.ts";
import { testCaller } from "../support/callers.ts";
import { smallDispute } from "../support/fixture.ts";

process.env.PARLEY_SCRYPT_N ??= "1024";

/** A mail as the SMTP server on loopback received it. */
interface Received {
  from: string;
  to: string[];
  raw: string;
  /** Header names lower-cased, folded lines joined. */
  headers: Map<string, string>;
  body: string;
}

/** A real SMTP server on a loopback port, keeping every mail it is given. */
async function captureSmtp() {
  const mails: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const cut = raw.indexOf("\r\n\r\n");
        const head = raw.slice(0, cut).replace(/\r\n[ \t]+/g, " ");
        const headers = new Map<string, string>();
        for (const line of head.split("\r\n")) {
          const colon = line.indexOf(":");
          headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          headers,
          // Quoted-printable soft breaks joined, so that links read whole.
          body: raw
            .slice(cut + 4)
            .replace(/=\r\n/g, "")
            .replace(/=3D/g, "="),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let app: Parley;
let posts: Posts;
let comments: Comments;
let mailer: Mailer;
let smtp: Awaited<ReturnType<typeof captureSmtp>>;
let api: Api;
let base: string;
let now = "2026-01-01T00:00:00.000Z";
const who: Record<string, Caller> = {};
const logged: { level: string; obj: object; msg: string }[] = [];
const log = {
  info: (obj: object, msg: string) => logged.push({ level: "info", obj, msg }),
  error: (obj: object, msg: string) => logged.push({ level: "error", obj, msg }),
};

function advance(seconds: number): void {
  now = new Date(Date.parse(now) + seconds * 1_000).toISOString();
}

beforeAll(async () => {
  app = (await smallDispute()).app;
  const accounts = new Accounts(app.db, () => new Date(now));
  who.editor = await testCaller(accounts, "editor", { org: "daily-press", role: "negotiator" });
  who.pressAdmin = await testCaller(accounts, "pressadmin", { org: "daily-press", role: "admin" });
  who.intern = await testCaller(accounts, "intern", { org: "daily-press", role: "member" });
  who.wgaNegotiator = await testCaller(accounts, "wganegotiator", { org: "wga-west", role: "negotiator" });
  who.operator = await testCaller(accounts, "operator", undefined, { operator: true });
  posts = new Posts(app, () => now);
  smtp = await captureSmtp();
  mailer = new Mailer({ url: smtp.url, from: "Parley newsroom <newsroom@news.example>" });

  // The comment routes alone, so that the links in mails are followed over HTTP.
  api = Fastify().withTypeProvider<ZodTypeProvider>() as unknown as Api;
  api.setValidatorCompiler(validatorCompiler);
  api.setSerializerCompiler(serializerCompiler);
  api.setErrorHandler((err, _req, reply) => {
    const { status, body } = toErrorReply(err);
    reply.code(status).send(body);
  });
  api.decorateRequest("caller", null);
  // Set once the port, which the links in mails name, is known.
  api.decorate("comments", null as unknown as Comments);
  commentRoutes(api);
  base = await api.listen({ host: "127.0.0.1", port: 0 });
  comments = new Comments(app, posts, {
    secret: Buffer.from("another test secret, long enough"),
    now: () => now,
    mailer,
    publicUrl: base,
    log,
  });
  api.comments = comments;
});
afterAll(async () => {
  await comments.settled();
  mailer.close();
  await api.close();
  await smtp.close();
  await app.close();
});

async function configure(rules: Partial<CommentSettings> = {}): Promise<void> {
  await comments.updateSettings(who.operator!, {
    hold: "none",
    holdLinks: null,
    perIp: null,
    perEmail: null,
    ...rules,
  });
}
beforeEach(async () => {
  await configure();
  smtp.mails.length = 0;
  logged.length = 0;
});

let posted = 0;
async function newPost(): Promise<string> {
  posted += 1;
  const { slug } = await posts.create(who.editor!, {
    dispute: "test-2023",
    org: "daily-press",
    title: `Mail ${posted}`,
  });
  await posts.publish(who.editor!, slug, {});
  return slug;
}

async function send(slug: string, fields: Record<string, unknown>) {
  const issued = comments.formToken(slug);
  advance(10);
  return comments.submit({
    postSlug: slug,
    form: { comment: "Hello", name: "Reader", email: "reader@example.org", issued, ...fields },
    ip: "203.0.113.9",
  });
}

const idOf = (r: unknown) => (r as { comment: { id: string } }).comment.id;

describe("mail through SMTP", () => {
  it("tells the moderators of the post's organization, one mail each, that a comment awaits them", async () => {
    await configure({ hold: "all" });
    const slug = await newPost();
    expect(await send(slug, { comment: "Please look at this", name: "Worried Reader" })).toMatchObject({
      outcome: "held",
    });
    await comments.settled();
    const to = smtp.mails.flatMap((m) => m.to).sort();
    expect(to).toEqual(["editor@staff.example", "pressadmin@staff.example"]);
    const mail = smtp.mails[0]!;
    expect(mail.from).toBe("newsroom@news.example");
    expect(mail.headers.get("subject")).toContain("A comment awaits moderation");
    expect(mail.body).toContain("Worried Reader");
    expect(mail.body).toContain("Please look at this");
    expect(mail.body).toContain(`${base}/moderation/comments?status=held`);
    // Each moderator gets a mail of their own: no one sees the others' addresses.
    expect(smtp.mails.every((m) => m.to.length === 1)).toBe(true);
    // The commenter's address is not in it.
    expect(smtp.mails.some((m) => m.raw.includes("reader@example.org"))).toBe(false);
  });

  it("mails a reply to a commenter who asked, only once the reply is approved, with a working one-click unsubscribe", async () => {
    const slug = await newPost();
    const parent = idOf(
      await send(slug, { comment: "Tell me of replies", email: "asker@example.org", notify: "on" }),
    );
    const quiet = idOf(await send(slug, { comment: "Do not tell me", email: "quiet@example.org" }));
    await configure({ hold: "all" });
    await send(slug, { comment: "A held answer", email: "answerer@example.org", name: "Answerer", parent });
    await send(slug, { comment: "Answer to the quiet one", email: "answerer@example.org", parent: quiet });
    await comments.settled();
    expect(smtp.mails.flatMap((m) => m.to)).not.toContain("asker@example.org");

    const held = (await comments.queue(who.editor!, { status: "held" })).comments.find(
      (c) => c.body === "A held answer",
    )!;
    smtp.mails.length = 0;
    await comments.moderate(who.editor!, [held.id], "approve");
    await comments.settled();
    expect(smtp.mails.map((m) => m.to)).toEqual([["asker@example.org"]]);
    const mail = smtp.mails[0]!;
    expect(mail.headers.get("subject")).toContain("Answerer replied to your comment");
    expect(mail.body).toContain("A held answer");
    expect(mail.body).toContain(`#comment-${held.id}`);
    expect(mail.raw).not.toContain("answerer@example.org");
    expect(mail.headers.get("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    const header = mail.headers.get("list-unsubscribe")!;
    const url = /^<(.+)>$/.exec(header)![1]!;
    expect(url.startsWith(`${base}/api/v1/comments/unsubscribe?token=`)).toBe(true);

    // Approving it again (after a hold) does not mail twice.
    smtp.mails.length = 0;
    await comments.moderate(who.editor!, [held.id], "hold");
    await comments.moderate(who.editor!, [held.id], "approve");
    await comments.settled();
    expect(smtp.mails).toEqual([]);

    // The one-click POST a mail program makes (RFC 8058), with no cookie and no sign-in.
    const forged = await fetch(url.replace(/token=u1\.[^.]+/, "token=u1.cSomethingElse"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("MAIL_LINK_INVALID");
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unsubscribed: true });
    expect(
      (
        await app.db
          .selectFrom("comments")
          .select("notify_replies")
          .where("id", "=", parent)
          .executeTakeFirstOrThrow()
      ).notify_replies,
    ).toBe(0);
    // From then on, no mail for new replies.
    await configure();
    smtp.mails.length = 0;
    await send(slug, { comment: "Another answer", email: "third@example.org", parent });
    await comments.settled();
    expect(smtp.mails).toEqual([]);
  });

  it("mails no one of their own replies, and mails a moderator's reply at once", async () => {
    const slug = await newPost();
    const parent = idOf(await send(slug, { comment: "Self", email: "self@example.org", notify: "on" }));
    await send(slug, { comment: "Answering myself", email: "Self@Example.org", parent });
    await comments.settled();
    expect(smtp.mails).toEqual([]);
    await comments.reply(who.editor!, parent, "From the desk");
    await comments.settled();
    expect(smtp.mails.map((m) => m.to)).toEqual([["self@example.org"]]);
    expect(smtp.mails[0]!.headers.get("subject")).toContain("The editor replied");
  });

  it("mails export and erasure links that work, and nothing to an address without comments", async () => {
    const slug = await newPost();
    await send(slug, { comment: "Mine to take", email: "owner@example.org" });
    const none = await fetch(`${base}/api/v1/comments/privacy-requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "stranger@example.org", kind: "export" }),
    });
    const some = await fetch(`${base}/api/v1/comments/privacy-requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "owner@example.org", kind: "export" }),
    });
    expect([none.status, some.status]).toEqual([202, 202]);
    expect(await none.text()).toBe(await some.text());
    await comments.settled();
    expect(smtp.mails.map((m) => m.to)).toEqual([["owner@example.org"]]);
    const link = /(http:\/\/\S+export\?token=\S+)/.exec(smtp.mails[0]!.body)![1]!;
    const exported = await fetch(link);
    expect(exported.status).toBe(200);
    const text = await exported.text();
    expect(text).toContain("Mine to take");
    expect(text).not.toContain("owner@example.org");

    // The erasure link opens a page (a GET must never erase: mail scanners follow links),
    // whose button sends its token to the API.
    smtp.mails.length = 0;
    await comments.requestErasure("owner@example.org");
    await comments.settled();
    const eraseLink = /(http:\/\/\S+\/comments\/erase\?token=(\S+))/.exec(smtp.mails[0]!.body)!;
    expect(eraseLink[1]!.startsWith(`${base}/comments/erase?token=`)).toBe(true);
    const erased = await fetch(`${base}/api/v1/comments/privacy/erase?token=${eraseLink[2]}`, {
      method: "POST",
    });
    expect(erased.status).toBe(200);
    expect(await erased.json()).toEqual({ deleted: 1, emptied: 0 });
    expect((await fetch(link)).status).toBe(200);
    expect(await (await fetch(link)).json()).toEqual({ comments: [] });
  });
});

describe("when mail fails or is not configured", () => {
  it("logs a failed send without any address and keeps the comment", async () => {
    const broken = new Mailer({ url: "smtp://127.0.0.1:1", from: "x@news.example" });
    const offline = new Comments(app, posts, {
      secret: Buffer.alloc(32, 7),
      now: () => now,
      mailer: broken,
      log,
    });
    await configure({ hold: "all" });
    const slug = await newPost();
    const issued = offline.formToken(slug);
    advance(10);
    const result = await offline.submit({
      postSlug: slug,
      form: { comment: "Saved anyway", name: "R", email: "failing@example.org", issued },
      ip: "198.51.100.1",
    });
    expect(result).toEqual({ outcome: "held", comment: null });
    await offline.settled();
    broken.close();
    const errors = logged.filter((l) => l.level === "error");
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(errors)).not.toMatch(/@staff\.example|failing@example/);
    expect(
      await app.db
        .selectFrom("comments")
        .select("status")
        .where("body", "=", "Saved anyway")
        .executeTakeFirst(),
    ).toEqual({ status: "held" });
  });

  it("skips mail without a mailer and says so in the log", async () => {
    const silent = new Comments(app, posts, { secret: Buffer.alloc(32, 9), now: () => now, log });
    await configure({ hold: "all" });
    const slug = await newPost();
    const issued = silent.formToken(slug);
    advance(10);
    await silent.submit({
      postSlug: slug,
      form: { comment: "No mail here", name: "R", email: "r@example.org", issued },
      ip: "198.51.100.2",
    });
    expect(logged.some((l) => l.level === "info" && /not configured/.test(l.msg))).toBe(true);
  });

  it("is configured from the environment, or not at all", () => {
    expect(Mailer.fromEnv({})).toBeNull();
    expect(() => Mailer.fromEnv({ PARLEY_SMTP_URL: "smtp://u:hunter2@mail.example:587" })).toThrow(
      /PARLEY_MAIL_FROM/,
    );
    let message = "";
    try {
      Mailer.fromEnv({ PARLEY_SMTP_URL: "http://u:hunter2@mail.example", PARLEY_MAIL_FROM: "a@b.example" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/smtp:\/\//);
    expect(message).not.toContain("hunter2");
    const configured = Mailer.fromEnv({ PARLEY_SMTP_URL: smtp.url, PARLEY_MAIL_FROM: "a@b.example" });
    expect(configured).toBeInstanceOf(Mailer);
    configured?.close();
  });
});
