import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../../src/app/visibility.ts";
import { PUBLIC_CACHE_CONTROL } from "../../src/server/pages/render.ts";
import { demoServer, pageText as text } from "../support/web.ts";

/** The newsroom's public pages: the list of posts, each post's page, and posts in feeds and lists. */
let s: Awaited<ReturnType<typeof demoServer>>;
let reporter: string;

const DAY_136 = "day-136-the-amptp-says-it-will-set-a-meeting-with-the-writers-next-week";
const OFFER = "studios-publish-their-aug-11-offer-minutes-after-meeting-the-guild-with-four";
const DRAFT_TITLE = "What the tentative agreement changes for writers";

beforeAll(async () => {
  s = await demoServer();
  reporter = await s.signIn("reporter");
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

/** The JSON API as the signed-in reporter (cookie and CSRF token, as the workspace's scripts send). */
async function api(method: string, path: string, body?: unknown) {
  const csrf = s.csrfOf((await s.page("/account", reporter)).html);
  const res = await fetch(s.base + path, {
    method,
    headers: {
      cookie: reporter,
      "x-csrf-token": csrf,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("the news list", () => {
  it("lists the live posts newest first, never a draft", async () => {
    const r = await s.page("/news");
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe(PUBLIC_CACHE_CONTROL);
    const slugs = [...r.html.matchAll(/<h2 id="post-([^"]+)"/g)].map((m) => m[1]);
    expect(slugs[0]).toBe(DAY_136);
    expect(slugs).toHaveLength(4);
    expect(text(r.html)).not.toContain(DRAFT_TITLE);
    expect(text(r.html)).toContain("Parley News reporter, Parley Demo Newsroom · Thu 2023-09-14");
  });

  it("filters by tag and by dispute", async () => {
    const offers = await s.page("/news?tag=offer");
    expect([...offers.html.matchAll(/<h2 id="post-/g)]).toHaveLength(2);
    expect(text(offers.html)).toContain("News tagged “offer”");
    const sag = await s.page("/news?dispute=sag-aftra-2023");
    expect(text(sag.html)).toContain("No post yet.");
  });

  it("refuses a cursor it did not give out", async () => {
    const r = await s.page("/news?before=forged");
    expect(r.status).toBe(400);
    expect(r.html).toContain("VALIDATION_FAILED");
  });
});

describe("a post's page", () => {
  it("shows the post, its byline in the dispute's zone, tags, citations with proofs, and the dispute's facts", async () => {
    const r = await s.page(`/news/${DAY_136}`);
    expect(r.status).toBe(200);
    expect(r.html).toContain('<h1 id="post-title">Day 136: the AMPTP says it will set a meeting');
    const t = text(r.html);
    expect(t).toContain("By Parley News reporter, Parley Demo Newsroom · Thu 2023-09-14 15:00 PDT");
    expect(r.html).toContain('href="/news?tag=meetings"');
    expect(t).toContain("The record behind this post");
    for (const seq of [56, 57, 60]) {
      expect(r.html).toContain(`href="/disputes/wga-2023/entries/${seq}"`);
      expect(r.html).toContain(`/api/v1/disputes/wga-2023/proofs/inclusion?seq=${seq}`);
    }
    expect(t).toContain("No stoppage is running.");
    expect(r.html).toContain('<link rel="canonical" href="http://127.0.0.1:3000/news/day-136');
    expect(r.html).toContain('<meta property="og:title" content="Day 136');
    expect(t).toContain("Related");
  });

  it("says so when an entry it cites is corrected later, and the page changes at once", async () => {
    const before = await s.page(`/news/${OFFER}`);
    expect(text(before.html)).not.toContain("Corrected by");
    const cited = (await s.parley.entry("wga-2023", OPERATOR, 50))!;
    await s.parley.execute("wga-2023", {
      type: "entry.corrected",
      actor: { org: cited.org, user: "test" },
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      visibility: "public",
      payload: { entry: 50, action: "correct", reason: "A figure was misstated.", text: "Corrected text." },
    });
    const after = text((await s.page(`/news/${OFFER}`)).html);
    expect(after).toContain("Since this post was written, 1 entry it cites was corrected or retracted");
    expect(after).toMatch(/Corrected by entry #\d+ on /);
  });

  it("is not found while a draft, even by its own editor: the public page is the same for all", async () => {
    const mine = await api("GET", "/api/v1/my/posts");
    const draft = (mine.json.posts as { slug: string; title: string }[]).find(
      (p) => p.title === DRAFT_TITLE,
    )!;
    expect(draft).toBeDefined();
    const r = await s.page(`/news/${draft.slug}`, reporter);
    expect(r.status).toBe(404);
    expect(r.html).toContain("POST_UNKNOWN");
    expect(r.html).not.toContain(DRAFT_TITLE);
  });

  it("renders a hostile body inert", async () => {
    const made = await api("POST", "/api/v1/posts", {
      dispute: "wga-2023",
      org: "parley-news",
      title: "A post with markup in it",
      body: 'Hello <script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror="alert(3)">\n\n# A heading',
    });
    expect(made.status).toBe(201);
    const slug = made.json.slug as string;
    expect((await api("POST", `/api/v1/posts/${slug}/publish`, {})).status).toBe(200);
    const r = await s.page(`/news/${slug}`);
    expect(r.status).toBe(200);
    const body = /<div class="markdown post-body">([\s\S]*?)<\/div>/.exec(r.html)![1]!;
    // The markup shows as text; no tag, handler or link from it runs.
    expect(body).not.toMatch(/<script|<img|<[^>]*\son\w+=|href="javascript:/i);
    expect(body).toContain("&lt;script&gt;");
    expect(body).toMatch(/<h2[^>]*>A heading<\/h2>/);
    // Published a moment ago, it is on the list at once: a post changes what is cached.
    expect((await s.page("/news")).html).toContain(`href="/news/${slug}"`);
  });
});

describe("posts elsewhere on the public site", () => {
  it("the front page and the dispute's page show the latest posts", async () => {
    expect(text((await s.page("/")).html)).toContain("Latest news");
    expect((await s.page("/")).html).toContain(`href="/news/${DAY_136}"`);
    const day = await s.page("/disputes/wga-2023?as-of=2023-08-23");
    // As of Aug 23 the Day 136 post is still in the future; the offer post is out.
    expect(day.html).toContain(`href="/news/${OFFER}"`);
    expect(day.html).not.toContain(`href="/news/${DAY_136}"`);
  });

  it("the feeds and the sitemap carry the live posts and no draft", async () => {
    for (const path of ["/feed.atom", "/disputes/wga-2023/feed.rss", "/sitemap.xml"]) {
      const r = await s.page(path);
      expect(r.html, path).toContain(`http://127.0.0.1:3000/news/${DAY_136}`);
      expect(r.html, path).not.toContain("what-the-tentative-agreement-changes");
    }
    expect((await s.page("/disputes/sag-aftra-2023/feed.atom")).html).not.toContain("/news/");
  });
});
