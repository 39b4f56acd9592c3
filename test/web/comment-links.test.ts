import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "../../src/app/accounts.ts";
import type { ModerationComment } from "../../src/app/comments.ts";
import { PRIVACY_ANSWER } from "../../src/web/pages/comment-links.tsx";
import { DEMO_PASSWORD, demoServer, pageText as text } from "../support/web.ts";

/**
 * The pages commenters reach from the newsroom's mails, with no account: stop mails about
 * replies, erase one's comments, and ask for a copy or an erasure by address. Mail goes to a real
 * SMTP server on loopback, and the links in it are followed as a reader would.
 */
type Server = Awaited<ReturnType<typeof demoServer>>;
let s: Server;
let smtp: SMTPServer;
let operator: Caller;
const mails: { to: string[]; raw: string }[] = [];
/** Every page asked for here: none is a moderator's, so none may show a commenter's address. */
const seen: { path: string; html: string }[] = [];

const POST = "day-136-the-amptp-says-it-will-set-a-meeting-with-the-writers-next-week";
const READERS = "@link-readers.example";

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
          // Quoted-printable soft breaks and "=" undone, so links read whole.
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
  s = await demoServer();
  await s.accounts.add({
    email: "operator@site.example",
    name: "Operator",
    password: DEMO_PASSWORD,
    operator: true,
  });
  const { token } = await s.accounts.login("operator@site.example", DEMO_PASSWORD);
  operator = (await s.accounts.bySession(token))!;
  // Comments show at once here: erasure must be seen to empty a comment with replies under it.
  await s.app.comments.updateSettings(operator, {
    hold: "none",
    holdLinks: null,
    perIp: null,
    perEmail: null,
    minFillSeconds: 0,
  });
});
afterAll(async () => {
  await s.app.comments.settled();
  await s.app.close();
  await s.parley.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  delete process.env.PARLEY_SMTP_URL;
  delete process.env.PARLEY_MAIL_FROM;
});

async function get(path: string, cookie?: string) {
  const r = await s.page(path, cookie);
  seen.push({ path, html: r.html });
  return r;
}

async function send(path: string, fields: Record<string, string>, cookie?: string) {
  const r = await s.post(path, fields, cookie);
  seen.push({ path, html: r.html });
  return r;
}

function codeOf(html: string): string | null {
  return /<code>([A-Z_]+)<\/code>/.exec(html)?.[1] ?? null;
}

function textOf(html: string, id: string): string | null {
  const m = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m ? text(m[2]!).trim() : null;
}

function hiddenToken(html: string): string | null {
  return /<input type="hidden" name="token" value="([^"]*)"/.exec(html)?.[1] ?? null;
}

let made = 0;
/** An approved comment from `email` (a reply when `parent` is given). */
async function comment(email: string, fields: Record<string, string> = {}): Promise<string> {
  made += 1;
  const result = await s.app.comments.submit({
    postSlug: POST,
    form: {
      comment: `Comment ${made} on the strike, from a reader.`,
      name: `Linked reader ${made}`,
      email,
      issued: s.app.comments.formToken(POST),
      ...fields,
    },
    ip: `198.51.100.${made}`,
  });
  if (!("outcome" in result) || !result.comment) throw new Error("the comment was not approved");
  return result.comment.id;
}

async function moderated(id: string): Promise<ModerationComment | undefined> {
  const all = await s.app.comments.queue(operator, { perPage: 200 });
  return all.comments.find((c) => c.id === id);
}

/** Mails sent to `to` since `since` (an index into the mails caught). */
async function mailsTo(to: string, since: number) {
  await s.app.comments.settled();
  return mails.slice(since).filter((m) => m.to.includes(to));
}

describe("stopping mails about replies", () => {
  it("shows a button on GET, changing nothing, and stops the mails on POST", async () => {
    const id = await comment(`notify${READERS}`, { notify: "on" });
    const token = s.app.comments.unsubscribeToken(id);
    const page = await get(`/comments/unsubscribe?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("private, no-store");
    expect(page.html).toContain('<meta name="robots" content="noindex"/>');
    expect(text(page.html)).toContain("Stop mails about replies to your comment?");
    expect(page.html).toContain('<form method="post" action="/comments/unsubscribe"');
    expect(hiddenToken(page.html)).toBe(token);
    expect(page.html).not.toContain('name="_csrf"');
    // A mail scanner that follows the link unsubscribes no one.
    expect((await moderated(id))?.notifyReplies).toBe(true);

    const done = await send("/comments/unsubscribe", { token });
    expect(done.status).toBe(200);
    expect(text(done.html)).toContain("Done: no more mails about replies to that comment.");
    expect((await moderated(id))?.notifyReplies).toBe(false);
  });

  it("refuses a forged, altered or missing link with MAIL_LINK_INVALID and changes nothing", async () => {
    const id = await comment(`forged${READERS}`, { notify: "on" });
    const other = await comment(`other${READERS}`, { notify: "on" });
    const genuine = s.app.comments.unsubscribeToken(other);
    // Another comment's MAC under this comment's id, a flipped character, garbage, nothing.
    const forged = [
      `u1.${id}.${genuine.split(".")[2]}`,
      `${genuine.slice(0, -1)}${genuine.endsWith("A") ? "B" : "A"}`,
      "forged",
      "",
    ];
    for (const token of forged) {
      const page = await get(`/comments/unsubscribe?token=${encodeURIComponent(token)}`);
      expect(page.status, token).toBe(400);
      expect(codeOf(page.html), token).toBe("MAIL_LINK_INVALID");
      const post = await send("/comments/unsubscribe", { token });
      expect(post.status, token).toBe(400);
      expect(codeOf(post.html), token).toBe("MAIL_LINK_INVALID");
    }
    expect((await get("/comments/unsubscribe")).status).toBe(400);
    expect((await moderated(id))?.notifyReplies).toBe(true);
    expect((await moderated(other))?.notifyReplies).toBe(true);
  });

  it("works for a reader who happens to be signed in: the form carries the session's token", async () => {
    const id = await comment(`signedin${READERS}`, { notify: "on" });
    const token = s.app.comments.unsubscribeToken(id);
    const cookie = await s.signIn("wgaMember");
    const page = await get(`/comments/unsubscribe?token=${token}`, cookie);
    const done = await send("/comments/unsubscribe", { token, _csrf: s.csrfOf(page.html) }, cookie);
    expect(done.status).toBe(200);
    expect((await moderated(id))?.notifyReplies).toBe(false);
  });
});

describe("asking for a copy or an erasure", () => {
  it("gives the same answer for an address with comments and one without, and mails only the first", async () => {
    const known = `known${READERS}`;
    const unknown = `nobody${READERS}`;
    await comment(known);
    const form = await get("/comments/privacy");
    expect(form.status).toBe(200);
    expect(form.html).toContain('<form method="post" action="/comments/privacy"');
    expect(form.html).toMatch(/<input id="privacy-export" name="kind" type="radio" value="export"/);
    const since = mails.length;
    const answers: string[] = [];
    for (const email of [known, unknown]) {
      const r = await send("/comments/privacy", { email, kind: "export" });
      expect(r.status, email).toBe(303);
      expect(r.headers.get("location"), email).toBe("/comments/privacy?sent=1");
      const page = await get(r.headers.get("location")!);
      expect(text(page.html)).toContain(PRIVACY_ANSWER);
      expect(page.html).not.toContain(email);
      answers.push(page.html);
    }
    expect(answers[0]).toBe(answers[1]);
    expect(await mailsTo(unknown, since)).toHaveLength(0);
    const [mail] = await mailsTo(known, since);
    expect(mail?.raw).toContain("A copy of your comments");
    // The copy is the JSON API's, by the link: the comments without the address.
    const link =
      /http:\/\/127\.0\.0\.1:3000(\/api\/v1\/comments\/privacy\/export\?token=[A-Za-z0-9_-]+)/.exec(
        mail!.raw,
      )?.[1];
    expect(link).toBeDefined();
    const copy = await fetch(s.base + link!);
    expect(copy.status).toBe(200);
    const body = await copy.text();
    expect(body).toContain("on the strike, from a reader.");
    expect(body).not.toContain(known);
  });

  it("says beside each field what is missing, and sends nothing", async () => {
    const since = mails.length;
    const bad = await send("/comments/privacy", { email: "not an address", kind: "erase" });
    expect(bad.status).toBe(400);
    expect(codeOf(bad.html)).toBe("VALIDATION_FAILED");
    expect(textOf(bad.html, "privacy-email-error")).toBe("Enter a valid address.");
    expect(bad.html).toMatch(/id="privacy-email"[^>]*value="not an address"[^>]*aria-invalid="true"/);
    expect(bad.html).toMatch(/id="privacy-erase"[^>]*checked/);
    const noKind = await send("/comments/privacy", { email: "someone@elsewhere.example" });
    expect(noKind.status).toBe(400);
    expect(textOf(noKind.html, "privacy-kind-error")).toContain("Choose whether the link");
    await s.app.comments.settled();
    expect(mails.length).toBe(since);
  });
});

describe("erasing one's comments by the mailed link", () => {
  it("explains on GET, erases on POST: deleted where nobody replied, emptied where someone did", async () => {
    const leaver = `leaver${READERS}`;
    const lonely = await comment(leaver);
    const answered = await comment(leaver);
    const reply = await comment(`replier${READERS}`, { parent: answered });
    const since = mails.length;
    expect((await send("/comments/privacy", { email: leaver, kind: "erase" })).status).toBe(303);
    const [mail] = await mailsTo(leaver, since);
    const link = /http:\/\/127\.0\.0\.1:3000(\/comments\/erase\?token=[A-Za-z0-9_-]+)/.exec(mail!.raw)?.[1];
    expect(link).toBeDefined();

    const page = await get(link!);
    expect(page.status).toBe(200);
    expect(text(page.html)).toContain("Erase your comments?");
    const token = hiddenToken(page.html);
    expect(token).toBe(link!.split("token=")[1]);
    // Following the link erased nothing.
    expect(await moderated(lonely)).toBeDefined();

    const done = await send("/comments/erase", { token: token! });
    expect(done.status).toBe(200);
    expect(text(done.html)).toContain("1 comment deleted.");
    expect(text(done.html)).toContain("1 comment emptied");
    expect(await moderated(lonely)).toBeUndefined();
    expect(await moderated(answered)).toBeUndefined();
    expect(await moderated(reply)).toBeDefined();
    const post = await get(`/news/${POST}`);
    expect(post.html).toContain(`id="comment-${answered}"`);
    expect(post.html).toContain(`id="comment-${reply}"`);
    expect(post.html).not.toContain(`id="comment-${lonely}"`);

    // The same link again: nothing left to erase, said plainly.
    const again = await send("/comments/erase", { token: token! });
    expect(again.status).toBe(200);
    expect(text(again.html)).toContain("Nothing left to erase");
  });

  it("refuses a link that is malformed, forged or made for something else, erasing nothing", async () => {
    const keeper = `keeper${READERS}`;
    const id = await comment(keeper);
    const since = mails.length;
    await send("/comments/privacy", { email: keeper, kind: "export" });
    const [mail] = await mailsTo(keeper, since);
    const exportToken = /export\?token=([A-Za-z0-9_-]+)/.exec(mail!.raw)![1]!;

    for (const path of [
      "/comments/erase",
      "/comments/erase?token=short",
      "/comments/erase?token=a&token=b",
    ]) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(codeOf(r.html), path).toBe("MAIL_LINK_INVALID");
    }
    for (const token of ["A".repeat(64), exportToken, "short"]) {
      const r = await send("/comments/erase", { token });
      expect(r.status, token).toBe(400);
      expect(codeOf(r.html), token).toBe("MAIL_LINK_INVALID");
    }
    expect(await moderated(id)).toBeDefined();
  });
});

describe("every page here", () => {
  it("shows no commenter's address", () => {
    expect(seen.length).toBeGreaterThan(15);
    const leaks = seen.filter((p) => p.html.includes(READERS)).map((p) => p.path);
    expect(leaks).toEqual([]);
  });

  it("limits how often the privacy form may be sent", async () => {
    let last = 0;
    let html = "";
    for (let i = 0; i < 12 && last !== 429; i += 1) {
      const r = await s.post("/comments/privacy", { email: `flood${i}@elsewhere.example`, kind: "export" });
      last = r.status;
      html = r.html;
    }
    expect(last).toBe(429);
    expect(codeOf(html)).toBe("RATE_LIMITED");
  });
});
