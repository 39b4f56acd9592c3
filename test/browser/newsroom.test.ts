import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../support/browser.ts";
import { DEMO_PASSWORD, demoServer } from "../support/web.ts";

const run = chromiumAvailable();
const POST = "/news/day-136-the-amptp-says-it-will-set-a-meeting-with-the-writers-next-week";
/** Every address a commenter types in these tests: none may ever reach a reader. */
const EMAILS = ["ann.reader@example.org", "bo.replier@example.org", "xss.tester@example.org"];

/**
 * A reader's comment in a real browser, with JavaScript off and on: the awaiting-moderation
 * notice, a moderator's approval, the reply threaded under its parent, the remembered details;
 * then hostile input of every kind, which must run nothing; and no commenter's address anywhere.
 */
describe.runIf(run)("the newsroom in a real browser", () => {
  let s: Awaited<ReturnType<typeof demoServer>>;
  let browser: Browser;
  let moderator: { cookie: string; csrf: string };

  beforeAll(async () => {
    s = await demoServer();
    browser = await launchChromium();
    const cookie = await s.signIn("reporter");
    moderator = { cookie, csrf: s.csrfOf((await s.page("/account", cookie)).html) };
  });
  afterAll(async () => {
    await browser?.close();
    await s?.app.close();
    await s?.parley.close();
  });

  /** The reporter (an editor of the post's outlet) approves every held comment, through the API. */
  async function approveHeld(): Promise<number> {
    const headers = { cookie: moderator.cookie, "x-csrf-token": moderator.csrf };
    const queue = (await (
      await fetch(`${s.base}/api/v1/moderation/comments?status=held`, { headers })
    ).json()) as {
      comments: { id: string }[];
    };
    if (queue.comments.length === 0) return 0;
    const res = await fetch(`${s.base}/api/v1/moderation/comments`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ ids: queue.comments.map((c) => c.id), action: "approve" }),
    });
    expect(res.status).toBe(200);
    return queue.comments.length;
  }

  async function fillAndSend(
    page: Page,
    fields: { comment: string; name: string; email: string; website?: string },
  ) {
    await page.locator("#comment-comment").fill(fields.comment);
    await page.locator("#comment-name").fill(fields.name);
    await page.locator("#comment-email").fill(fields.email);
    if (fields.website) await page.locator("#comment-website").fill(fields.website);
    // The site refuses a form sent sooner than a person could fill it in (3 s by default).
    await page.waitForTimeout(3_200);
    await page.getByRole("button", { name: "Post comment" }).click();
  }

  it("with JavaScript off: a comment waits for moderation, then shows once approved", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(s.base + POST);
    expect(await page.locator("#respond").textContent()).toContain(
      "Your email address will not be published. Required fields are marked",
    );
    // A form with a missing field comes back with the message beside it and the text kept.
    await page.locator("#comment-comment").fill("Half a comment");
    await page.waitForTimeout(3_200);
    await page.getByRole("button", { name: "Post comment" }).click();
    expect(await page.locator("#comment-name-error").textContent()).toBeTruthy();
    expect(await page.locator("#comment-comment").inputValue()).toBe("Half a comment");

    await fillAndSend(page, {
      comment: "Day 136 and still no date for the meeting.",
      name: "Ann Reader",
      email: EMAILS[0]!,
    });
    await page.waitForURL(/comment=held/);
    expect(await page.getByRole("status").textContent()).toContain("Your comment is awaiting moderation");
    expect(await page.locator(".comment-list").count()).toBe(0);

    // The outlet's editor approves it from the moderation queue, in a browser of their own.
    const mod = await (await browser.newContext()).newPage();
    await mod.goto(`${s.base}/signin?next=/moderation/comments`);
    await mod.getByLabel("Email").fill("reporter@parley-news.demo");
    await mod.getByLabel("Password").fill(DEMO_PASSWORD);
    await mod.getByRole("button", { name: "Sign in" }).click();
    await mod.waitForURL(/\/moderation\/comments/);
    expect(await mod.locator("main").textContent()).toContain(EMAILS[0]);
    await mod.getByRole("button", { name: "Approve the comment by Ann Reader" }).click();
    await mod.waitForURL(/\/moderation\/comments/);
    expect(await mod.locator("main").textContent()).not.toContain(EMAILS[0]);
    await mod.context().close();

    await page.goto(s.base + POST);
    expect(await page.locator(".comment-author").first().textContent()).toBe("Ann Reader");
    expect(await page.locator("#comments-heading").textContent()).toBe("1 comment");
    await context.close();
  });

  it("with JavaScript on: a reply threads under its parent, and ticked details are remembered", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(s.base + POST);
    await page.getByRole("link", { name: "Reply to Ann Reader" }).click();
    await page.waitForURL(/replyto=/);
    expect(await page.locator("#respond-heading").textContent()).toBe("Reply to Ann Reader");
    await page.getByLabel("Save my name, email, and website in this browser").check();
    await fillAndSend(page, {
      comment: "The guild asked first, though.",
      name: "Bo Replier",
      email: EMAILS[1]!,
    });
    await page.waitForURL(/comment=held/);
    expect(await page.getByRole("status").textContent()).toContain("awaiting moderation");

    await approveHeld();
    await page.goto(s.base + POST);
    const reply = page.locator(".comment-replies .comment-author", { hasText: "Bo Replier" });
    expect(await reply.count()).toBe(1);
    // The form fills itself from what this browser was asked to keep.
    await expect.poll(() => page.locator("#comment-name").inputValue()).toBe("Bo Replier");
    expect(await page.locator("#comment-email").inputValue()).toBe(EMAILS[1]);
    // Another browser (no cookie) gets an empty form: nothing is stored unless the box is ticked.
    const other = await (await browser.newContext()).newPage();
    await other.goto(s.base + POST);
    await other.waitForTimeout(300);
    expect(await other.locator("#comment-name").inputValue()).toBe("");
    await other.context().close();
    await context.close();
  });

  it("runs nothing from hostile comments, names, websites or post bodies", async () => {
    // Let the corpus through the rules at once: an operator relaxes them for this test.
    await s.accounts.add({
      email: "op@parley.example",
      name: "Operator",
      password: DEMO_PASSWORD,
      operator: true,
    });
    const op = await fetch(`${s.base}/signin`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "op@parley.example", password: DEMO_PASSWORD }),
      redirect: "manual",
    });
    const opCookie = op.headers.get("set-cookie")!.split(";")[0]!;
    const opCsrf = s.csrfOf((await s.page("/account", opCookie)).html);
    const settings = await fetch(`${s.base}/api/v1/comment-settings`, {
      method: "PUT",
      headers: { cookie: opCookie, "x-csrf-token": opCsrf, "content-type": "application/json" },
      body: JSON.stringify({ hold: "none", minFillSeconds: 0, perIp: null, perEmail: null, holdLinks: null }),
    });
    expect(settings.status).toBe(200);

    const payloads = [
      "<script>alert('comment')</script>",
      '<img src=x onerror="alert(1)">',
      "<svg onload=alert(2)><circle r=1 /></svg>",
      "[click me](javascript:alert(3))",
      "javascript:alert(4)",
      "JaVaScRiPt:alert(5)",
      "&#106;avascript:alert(6)",
      '"><script>alert(7)</script>',
      "<a href='javascript:alert(8)'>x</a>",
      "<iframe src=javascript:alert(9)>",
      "<<script>script>alert(10)<</script>/script>",
      "<b onmouseover=alert(11)>hover</b>",
      "![x](javascript:alert(12))",
      "<math><mtext><table><mglyph><style><img src=x onerror=alert(13)>",
      '<div style="background:url(javascript:alert(14))">x</div>',
    ];
    const token = /name="issued" value="([^"]+)"/.exec((await s.page(POST)).html)![1]!;
    for (const [i, p] of payloads.entries()) {
      const res = await s.post(`${POST}/comments`, {
        issued: token,
        comment: `${p} (${i})`,
        name: p.slice(0, 90),
        email: EMAILS[2]!,
        website: i % 2 === 0 ? "javascript:alert(99)" : `https://example.org/${encodeURIComponent(p)}`,
      });
      // A javascript: website is refused with the message beside the field; the rest are taken.
      expect([303, 400], `${i}`).toContain(res.status);
      if (res.status === 400) {
        const again = await s.post(`${POST}/comments`, {
          issued: token,
          comment: `${p} (${i})`,
          name: p.slice(0, 90),
          email: EMAILS[2]!,
          website: "",
        });
        expect(again.status, `${i} without a website`).toBe(303);
      }
    }
    // A post body with the same corpus, written by the outlet's editor.
    const headers = {
      cookie: moderator.cookie,
      "x-csrf-token": moderator.csrf,
      "content-type": "application/json",
    };
    const made = await fetch(`${s.base}/api/v1/posts`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        dispute: "wga-2023",
        org: "parley-news",
        title: "<script>alert('title')</script>",
        body: payloads.join("\n\n"),
      }),
    });
    expect(made.status).toBe(201);
    const { slug } = (await made.json()) as { slug: string };
    expect(
      (await fetch(`${s.base}/api/v1/posts/${slug}/publish`, { method: "POST", headers, body: "{}" })).status,
    ).toBe(200);

    for (const path of [POST, `/news/${slug}`, "/news", "/"]) {
      const page = await (await browser.newContext()).newPage();
      const dialogs: string[] = [];
      const errors: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(s.base + path);
      // Hover and click what a reader might, to give any handler its chance.
      for (const b of await page.locator(".comment-body b, .post-body b").all()) await b.hover();
      await page.waitForTimeout(300);
      const found = await page.evaluate(() => {
        const bad: string[] = [];
        for (const el of document.querySelectorAll("main *")) {
          const tag = el.tagName.toLowerCase();
          if (
            ["script", "iframe", "svg", "math", "style", "object", "embed"].includes(tag) &&
            !el.closest("[data-island]")
          ) {
            bad.push(`<${tag}>`);
          }
          for (const a of el.attributes) {
            if (a.name.startsWith("on")) bad.push(`${tag}[${a.name}]`);
            if (
              /^\s*(javascript|data):/i.test(a.value) &&
              !(tag === "img" && a.name === "src" && a.value.startsWith("data:image/svg+xml"))
            ) {
              bad.push(`${tag}[${a.name}=${a.value.slice(0, 30)}]`);
            }
          }
        }
        return bad;
      });
      expect(found, path).toEqual([]);
      expect(dialogs, path).toEqual([]);
      expect(errors, path).toEqual([]);
      await page.context().close();
    }
  });

  it("shows no commenter's address on any page, feed or public answer", async () => {
    const paths = [
      "/",
      "/news",
      POST,
      `${POST}?corder=newest`,
      "/feed.atom",
      "/feed.rss",
      "/disputes/wga-2023",
      "/disputes/wga-2023/feed.atom",
      "/sitemap.xml",
      `/api/v1/posts/${POST.split("/").pop()}/comments`,
      "/api/v1/posts",
      "/api/v1/disputes/wga-2023/export",
    ];
    for (const path of paths) {
      const body = await (await fetch(s.base + path)).text();
      for (const email of EMAILS) expect(body, path).not.toContain(email);
    }
    // And in the browser's own view of the page, after the islands ran.
    const page = await (await browser.newContext()).newPage();
    await page.goto(s.base + POST);
    const html = await page.content();
    for (const email of EMAILS) expect(html).not.toContain(email);
    await page.context().close();
  });
});
