import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "../../src/app/accounts.ts";
import type { PostSummary } from "../../src/app/posts.ts";
import { OPERATOR, PUBLIC } from "../../src/app/visibility.ts";
import { formatDateTime } from "../../src/web/format.ts";
import { instantToLocal, localToInstant } from "../../src/web/record-form.ts";
import { DEMO, DEMO_PASSWORD, type DemoPerson, demoServer, pageText as text } from "../support/web.ts";

type Server = Awaited<ReturnType<typeof demoServer>>;
let s: Server;

const WGA = "wga-2023";
const ZONE = "America/Los_Angeles";

/** A session cookie, and the account as the service sees it, for each demo person. */
const sessions = new Map<DemoPerson, { cookie: string; caller: Caller }>();
async function as(who: DemoPerson): Promise<{ cookie: string; caller: Caller }> {
  let session = sessions.get(who);
  if (!session) {
    // Sessions come from the service the sign-in form uses; the form has a per-address limit.
    const { token } = await s.accounts.login(DEMO[who], DEMO_PASSWORD);
    const caller = await s.accounts.bySession(token);
    if (!caller) throw new Error(`no session for ${who}`);
    session = { cookie: `parley_session=${token}`, caller };
    sessions.set(who, session);
  }
  return session;
}

/** The text of an element with this id, tags stripped. */
function textOf(html: string, id: string): string | null {
  const m = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m ? text(m[2]!).trim() : null;
}

/** The opening tag of the control with this id. */
function tagOf(html: string, id: string): string {
  const m = new RegExp(`<(input|select|textarea)[^>]*\\bid="${id}"[^>]*>`).exec(html);
  if (!m) throw new Error(`no control #${id}`);
  return m[0];
}

/** The message beside a control marked invalid (null when it is not). */
function fieldError(html: string, id: string): string | null {
  const tag = tagOf(html, id);
  if (!tag.includes('aria-invalid="true"')) return null;
  expect(/aria-describedby="([^"]+)"/.exec(tag)?.[1]?.split(" ")).toContain(`${id}-error`);
  return textOf(html, `${id}-error`);
}

function controlValue(html: string, id: string): string | null {
  const m = /\bvalue="([^"]*)"/.exec(tagOf(html, id));
  return m ? m[1]!.replace(/&amp;/g, "&").replace(/&quot;/g, '"') : null;
}

function textareaOf(html: string, id: string): string {
  const m = new RegExp(`<textarea[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  if (!m) throw new Error(`no textarea #${id}`);
  // As a browser reads it: the line break right after the tag is not part of the value.
  return m[1]!
    .replace(/^\n/, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

function codeOf(html: string): string | null {
  return /<code>([A-Z_]+)<\/code>/.exec(html)?.[1] ?? null;
}

/** The page's form token, with the person's session, for a form post. */
async function formOf(who: DemoPerson, path = "/posts") {
  const { cookie } = await as(who);
  const page = await s.page(path, cookie);
  return { cookie, csrf: s.csrfOf(page.html) };
}

async function postAs(who: DemoPerson, path: string, fields: Record<string, string>) {
  const { cookie, csrf } = await formOf(who);
  return s.post(path, { _csrf: csrf, ...fields }, cookie);
}

async function mine(who: DemoPerson): Promise<PostSummary[]> {
  return s.app.posts.listForCaller((await as(who)).caller);
}

async function demoPost(title: string): Promise<PostSummary> {
  const post = (await mine("reporter")).find((p) => p.title.startsWith(title));
  if (!post) throw new Error(`no demo post ${title}`);
  return post;
}

/** A draft written through the form; returns its address. */
async function newDraft(who: DemoPerson, org: string, fields: Record<string, string> = {}): Promise<string> {
  const r = await postAs(who, "/posts/new", {
    org,
    dispute: WGA,
    title: `A draft by ${who} ${Math.random().toString(36).slice(2, 8)}`,
    body: "First words.",
    tags: "strike",
    citations: "",
    ...fields,
  });
  expect(r.status, r.html.slice(0, 2000)).toBe(303);
  const m = /^\/posts\/([a-z0-9-]+)\/edit\?saved=1$/.exec(r.headers.get("location") ?? "");
  if (!m) throw new Error(`no redirect to the editor: ${r.headers.get("location")}`);
  return m[1]!;
}

async function publicSlugs(): Promise<string[]> {
  const res = await fetch(`${s.base}/api/v1/posts?limit=100`);
  const body = (await res.json()) as { posts: { slug: string }[] };
  return body.posts.map((p) => p.slug);
}

async function privateSeq(): Promise<number> {
  const page = await s.parley.timeline(WGA, OPERATOR, {
    type: "note.recorded",
    visibility: "private",
    order: "asc",
    limit: 1,
  });
  const seq = page.items[0]?.seq;
  if (seq === undefined) throw new Error("the demo has no private note");
  return seq;
}

async function publicSeq(): Promise<number> {
  const page = await s.parley.timeline(WGA, PUBLIC, { type: "statement.made", order: "asc", limit: 1 });
  return page.items[0]!.seq;
}

beforeAll(async () => {
  s = await demoServer();
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

describe("GET /posts: the caller's posts", () => {
  it("lists the reporter's posts with their status in the dispute's zone, and links to the live ones", async () => {
    const r = await s.page("/posts", (await as("reporter")).cookie);
    expect(r.status).toBe(200);
    const t = text(r.html);
    expect(t).toContain("What the tentative agreement changes for writers");
    expect(t).toMatch(/What the tentative agreement changes for writers by Parley News reporter .* Draft/);
    expect(t).toContain("Published Tue 2023-05-02 08:30 PDT");
    const live = await demoPost("Writers strike begins");
    const draft = await demoPost("What the tentative agreement");
    expect(r.html).toContain(`href="/news/${live.slug}"`);
    expect(r.html).not.toContain(`href="/news/${draft.slug}"`);
    expect(r.html).toContain(`href="/posts/${draft.slug}/edit"`);
    expect(r.html).toContain('href="/posts/new"');
  });

  it("shows another organization's member nothing of the reporter's draft", async () => {
    const r = await s.page("/posts", (await as("wgaNegotiator")).cookie);
    expect(r.status).toBe(200);
    expect(text(r.html)).not.toContain("What the tentative agreement changes");
    // The guild's own published post is the negotiator's to edit.
    expect(text(r.html)).toContain("Our answer to the offer the studios made public");
  });

  it("sends the signed-out to sign in", async () => {
    const r = await s.page("/posts");
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/signin?next=%2Fposts");
  });
});

describe("GET and POST /posts/new", () => {
  it("offers the caller's writing organizations and the disputes, and links to the public timeline", async () => {
    const r = await s.page("/posts/new", (await as("reporter")).cookie);
    expect(r.status).toBe(200);
    expect(r.html).toMatch(
      /<option value="parley-news"[^>]*selected[^>]*>Parley Demo Newsroom \(press: about any dispute\)/,
    );
    expect(r.html).toContain(`<option value="${WGA}"`);
    expect(r.html).toContain(`<option value="sag-aftra-2023"`);
    expect(r.html).toContain(`href="/disputes/${WGA}/timeline"`);
    expect(text(r.html)).toContain(
      "Public entries of the dispute, by number, separated by commas or spaces, e.g. 12, 40",
    );
    expect(r.html).toContain('name="_csrf"');
  });

  it("a party's member may write only about its disputes: the one it may is preselected", async () => {
    const r = await s.page("/posts/new", (await as("wgaMember")).cookie);
    expect(r.status).toBe(200);
    expect(r.html).toMatch(
      /<option value="wga-west"[^>]*selected[^>]*>Writers Guild of America West \(a party to /,
    );
    expect(r.html).toMatch(new RegExp(`<option value="${WGA}"[^>]*selected`));
  });

  it("creates a draft and opens it in the editor", async () => {
    const seq = await publicSeq();
    const slug = await newDraft("reporter", "parley-news", {
      title: "Talks resume",
      tags: "Talks, meetings,  talks ",
      citations: `${seq}`,
      body: "The sides *met* again.",
    });
    expect(slug).toBe("talks-resume");
    const post = await s.app.posts.get((await as("reporter")).caller, slug);
    expect(post).toMatchObject({
      status: "draft",
      tags: ["talks", "meetings"],
      citations: [seq],
      org: "parley-news",
    });
    const r = await s.page(`/posts/${slug}/edit?saved=1`, (await as("reporter")).cookie);
    expect(r.status).toBe(200);
    expect(textOf(r.html, "main")).toContain("Saved.");
    // The preview is the body rendered as markdown.
    expect(r.html).toMatch(/<div class="markdown"><p>The sides <em>met<\/em> again\.<\/p><\/div>/);
  });

  it("a bad form comes back with each message beside its field and everything typed, and writes nothing", async () => {
    const before = (await mine("reporter")).length;
    const r = await postAs("reporter", "/posts/new", {
      org: "parley-news",
      dispute: WGA,
      title: "   ",
      slug: "Not A Slug",
      tags: "strike",
      citations: "12, twelve",
      body: "Kept <as typed>",
    });
    expect(r.status).toBe(400);
    expect(codeOf(r.html)).toBe("VALIDATION_FAILED");
    expect(fieldError(r.html, "post-title")).toContain("Give the post a title");
    expect(fieldError(r.html, "post-slug")).toContain("lower-case letters");
    expect(fieldError(r.html, "post-citations")).toBe(
      "“twelve” is not an entry number: write numbers such as 12, 40.",
    );
    expect(fieldError(r.html, "post-tags")).toBeNull();
    expect(controlValue(r.html, "post-slug")).toBe("Not A Slug");
    expect(controlValue(r.html, "post-citations")).toBe("12, twelve");
    expect(textareaOf(r.html, "post-body")).toBe("Kept <as typed>");
    expect(r.html).toMatch(/<option value="parley-news"[^>]*selected/);
    expect((await mine("reporter")).length).toBe(before);
  });

  it("a private entry cannot be cited: the message is beside the citations", async () => {
    const seq = await privateSeq();
    expect(await s.parley.entry(WGA, PUBLIC, seq)).toBeNull();
    const before = (await mine("reporter")).length;
    const r = await postAs("reporter", "/posts/new", {
      org: "parley-news",
      dispute: WGA,
      title: "A leak",
      citations: `#${seq}`,
      body: "",
    });
    expect(r.status).toBe(422);
    expect(codeOf(r.html)).toBe("CITATION_UNKNOWN");
    expect(fieldError(r.html, "post-citations")).toBe(
      `Entry ${seq} is not a public entry of this dispute: a post may cite public entries only.`,
    );
    expect(controlValue(r.html, "post-title")).toBe("A leak");
    expect((await mine("reporter")).length).toBe(before);
  });

  it("an address already taken is refused beside the address field", async () => {
    const taken = (await demoPost("Writers strike begins")).slug;
    const r = await postAs("reporter", "/posts/new", {
      org: "parley-news",
      dispute: WGA,
      title: "Another one",
      slug: taken,
    });
    expect(r.status).toBe(409);
    expect(codeOf(r.html)).toBe("POST_SLUG_TAKEN");
    expect(fieldError(r.html, "post-slug")).toContain("Another post already has this address");
  });

  it("an organization may not write about a dispute it is no party to", async () => {
    const before = (await mine("wgaMember")).length;
    const r = await postAs("wgaMember", "/posts/new", {
      org: "wga-west",
      dispute: "sag-aftra-2023",
      title: "Not ours",
    });
    expect(r.status).toBe(403);
    expect(codeOf(r.html)).toBe("ROLE_REQUIRED");
    expect(fieldError(r.html, "post-org")).toContain("may not write about this dispute");
    expect((await mine("wgaMember")).length).toBe(before);
  });

  it("the signed-out are sent to sign in, and cannot post the form", async () => {
    expect((await s.page("/posts/new")).status).toBe(303);
    const r = await s.post("/posts/new", { org: "parley-news", dispute: WGA, title: "x" });
    expect(r.status).toBe(401);
    expect(codeOf(r.html)).toBe("AUTH_REQUIRED");
  });
});

describe("GET and POST /posts/:slug/edit", () => {
  it("shows the saved revision, the comments box and the publication controls to an editor", async () => {
    const draft = await demoPost("What the tentative agreement");
    const r = await s.page(`/posts/${draft.slug}/edit`, (await as("reporter")).cookie);
    expect(r.status).toBe(200);
    expect(controlValue(r.html, "post-title")).toBe("What the tentative agreement changes for writers");
    expect(r.html).toContain(`name="revision" value="${draft.revision}"`);
    expect(tagOf(r.html, "post-comments")).toContain("checked");
    expect(r.html).toContain(`action="/posts/${draft.slug}/publish"`);
    expect(text(r.html)).toContain("Publish now");
    expect(text(r.html)).toContain(`Date and time in ${ZONE}, the dispute's time zone.`);
    // A draft cannot be unpublished: that control is not there.
    expect(r.html).not.toContain(`action="/posts/${draft.slug}/unpublish"`);
    // The cited entries, as the public sees them.
    expect(text(r.html)).toMatch(/Cited entries \(saved\) #\d+ Tentative agreement/);
  });

  it("saves a new revision, then the history shows the change word by word", async () => {
    const slug = await newDraft("reporter", "parley-news", {
      title: "Rooms and minimums",
      body: "Three writers.",
    });
    const { cookie, csrf } = await formOf("reporter", `/posts/${slug}/edit`);
    const r = await s.post(
      `/posts/${slug}/edit`,
      {
        _csrf: csrf,
        revision: "1",
        title: "Rooms and minimums",
        slug,
        tags: "strike, staffing",
        citations: "",
        body: "Five writers.\r\nFrom now on.",
        commentsShown: "1",
      },
      cookie,
    );
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`/posts/${slug}/edit?saved=1`);
    const post = await s.app.posts.get((await as("reporter")).caller, slug);
    expect(post).toMatchObject({ revision: 2, body: "Five writers.\nFrom now on.", commentsOpen: false });
    expect(post.tags).toEqual(["strike", "staffing"]);

    const h = await s.page(`/posts/${slug}/revisions`, cookie);
    expect(h.status).toBe(200);
    expect(h.html).toContain("<del>Three</del>");
    expect(h.html).toContain("<ins>Five</ins>");
    expect(text(h.html)).toContain("Revision 2 (current)");
    expect(text(h.html)).toContain("Tags: added staffing");
    expect(text(h.html)).toContain("The first version.");
  });

  it("a refused edit comes back with the typed text and writes no revision", async () => {
    const slug = await newDraft("reporter", "parley-news", { title: "Unchanged title" });
    const { cookie, csrf } = await formOf("reporter", `/posts/${slug}/edit`);
    const r = await s.post(
      `/posts/${slug}/edit`,
      { _csrf: csrf, revision: "1", title: "", tags: "a, b", citations: "", body: "New words" },
      cookie,
    );
    expect(r.status).toBe(400);
    expect(fieldError(r.html, "post-title")).toContain("Give the post a title");
    expect(textareaOf(r.html, "post-body")).toBe("New words");
    expect(controlValue(r.html, "post-tags")).toBe("a, b");
    const post = await s.app.posts.get((await as("reporter")).caller, slug);
    expect(post).toMatchObject({ revision: 1, title: "Unchanged title", body: "First words." });
  });

  it("an edit of an older revision is not saved: the reader's text is kept, with a link to the latest", async () => {
    const slug = await newDraft("reporter", "parley-news", { title: "Two hands" });
    const reporter = (await as("reporter")).caller;
    await s.app.posts.edit(reporter, slug, { revision: 1, body: "Someone else's words." });
    const { cookie, csrf } = await formOf("reporter", `/posts/${slug}/edit`);
    const r = await s.post(
      `/posts/${slug}/edit`,
      { _csrf: csrf, revision: "1", title: "Two hands", tags: "", citations: "", body: "My own words." },
      cookie,
    );
    expect(r.status).toBe(409);
    expect(codeOf(r.html)).toBe("POST_STALE");
    expect(textOf(r.html, "post-form-error")).toContain(
      "someone saved revision 2 of this post while you were editing",
    );
    expect(r.html).toContain(`<a href="/posts/${slug}/edit">open the latest version</a>`);
    expect(textareaOf(r.html, "post-body")).toBe("My own words.");
    // Sent again as is, it is still refused: it stays based on the revision the reader saw.
    expect(r.html).toContain('name="revision" value="1"');
    const post = await s.app.posts.get(reporter, slug);
    expect(post).toMatchObject({ revision: 2, body: "Someone else's words." });
  });

  it("a member of another organization can neither open nor save someone else's draft (404)", async () => {
    const draft = await demoPost("What the tentative agreement");
    const { cookie, csrf } = await formOf("amptpNegotiator");
    const open = await s.page(`/posts/${draft.slug}/edit`, cookie);
    expect(open.status).toBe(404);
    expect(codeOf(open.html)).toBe("POST_UNKNOWN");
    expect(open.html).not.toContain(draft.title);
    const save = await s.post(
      `/posts/${draft.slug}/edit`,
      { _csrf: csrf, revision: String(draft.revision), title: "Taken over", body: "" },
      cookie,
    );
    expect(save.status).toBe(404);
    expect(codeOf(save.html)).toBe("POST_UNKNOWN");
    const after = await s.app.posts.get((await as("reporter")).caller, draft.slug);
    expect(after.title).toBe(draft.title);
    expect(after.revision).toBe(draft.revision);
  });

  it("another organization's published post is visible to all but editable by none of them (403)", async () => {
    const live = await demoPost("Writers strike begins");
    const r = await s.page(`/posts/${live.slug}/edit`, (await as("wgaNegotiator")).cookie);
    expect(r.status).toBe(403);
    expect(codeOf(r.html)).toBe("POST_NOT_EDITABLE");
  });

  it("an edit without the form token is refused and writes nothing", async () => {
    const slug = await newDraft("reporter", "parley-news", { title: "Guarded" });
    const r = await s.post(
      `/posts/${slug}/edit`,
      { revision: "1", title: "Forged", body: "" },
      (await as("reporter")).cookie,
    );
    expect(r.status).toBe(403);
    expect(codeOf(r.html)).toBe("CSRF_FAILED");
    expect((await s.app.posts.get((await as("reporter")).caller, slug)).title).toBe("Guarded");
  });

  it("a body that opens with a line break keeps it in the form (a browser drops the first one)", async () => {
    const slug = await newDraft("reporter", "parley-news", { title: "Leading break", body: "\nSecond line" });
    const r = await s.page(`/posts/${slug}/edit`, (await as("reporter")).cookie);
    expect(r.html).toMatch(/class="post-body-input">\n\nSecond line<\/textarea>/);
    expect(textareaOf(r.html, "post-body")).toBe("\nSecond line");
  });

  it("a control character in the body is refused beside the body", async () => {
    const before = (await mine("reporter")).length;
    const r = await postAs("reporter", "/posts/new", {
      org: "parley-news",
      dispute: WGA,
      title: "Bell",
      body: "ring \u0007",
    });
    expect(r.status).toBe(400);
    expect(fieldError(r.html, "post-body")).toContain("no control characters");
    expect((await mine("reporter")).length).toBe(before);
  });

  it("an address that is not one is a 400 page with its code", async () => {
    const r = await s.page("/posts/Not_A_Slug/edit", (await as("reporter")).cookie);
    expect(r.status).toBe(400);
    expect(codeOf(r.html)).toBe("VALIDATION_FAILED");
  });

  it("user text in the preview is rendered safe", async () => {
    const slug = await newDraft("reporter", "parley-news", {
      title: "<img src=x onerror=alert(1)>",
      body: '<script>alert(1)</script> [x](javascript:alert(1)) <svg onload="alert(1)">',
    });
    const r = await s.page(`/posts/${slug}/edit`, (await as("reporter")).cookie);
    expect(r.status).toBe(200);
    expect(r.html).not.toContain("<script>alert");
    expect(r.html).not.toContain("<img");
    expect(r.html).not.toContain("<svg");
    expect(r.html).not.toMatch(/href="javascript:/i);
    expect(r.html).toContain("&lt;script>alert(1)&lt;/script>");
  });
});

describe("an author who is not an editor", () => {
  let slug = "";
  beforeAll(async () => {
    slug = await newDraft("wgaMember", "wga-west", { title: "A member writes" });
  });

  it("edits the draft but sees no publication controls and no comments box", async () => {
    const r = await s.page(`/posts/${slug}/edit`, (await as("wgaMember")).cookie);
    expect(r.status).toBe(200);
    expect(r.html).not.toContain(`action="/posts/${slug}/publish"`);
    expect(text(r.html)).not.toContain("Publish now");
    expect(r.html).not.toContain('id="post-comments"');
    expect(text(r.html)).toContain(
      "An editor of Writers Guild of America West (its admins and negotiators) publishes it.",
    );
  });

  it("is refused a publish, and the post stays a draft", async () => {
    const r = await postAs("wgaMember", `/posts/${slug}/publish`, {});
    expect(r.status).toBe(403);
    expect(codeOf(r.html)).toBe("ROLE_REQUIRED");
    expect((await s.app.posts.get((await as("wgaMember")).caller, slug)).status).toBe("draft");
    expect(await publicSlugs()).not.toContain(slug);
  });

  it("their organization's editor publishes it", async () => {
    const r = await postAs("wgaNegotiator", `/posts/${slug}/publish`, {});
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`/posts/${slug}/edit?done=published`);
    expect(await publicSlugs()).toContain(slug);
    // Published, it is no longer its author's to change.
    const again = await s.page(`/posts/${slug}/edit`, (await as("wgaMember")).cookie);
    expect(again.status).toBe(403);
    expect(codeOf(again.html)).toBe("POST_NOT_EDITABLE");
  });
});

describe("POST /posts/:slug/publish and /unpublish", () => {
  it("publishes now, with a notice, and the post is on the public API", async () => {
    const slug = await newDraft("reporter", "parley-news", { title: "Out now" });
    const r = await postAs("reporter", `/posts/${slug}/publish`, {});
    expect(r.status).toBe(303);
    const page = await s.page(r.headers.get("location")!, (await as("reporter")).cookie);
    expect(textOf(page.html, "main")).toContain("Published.");
    expect(page.html).toContain(`href="/news/${slug}"`);
    expect(await publicSlugs()).toContain(slug);
    // A published post's address no longer changes: the field is gone.
    expect(page.html).not.toContain('id="post-slug"');
  });

  it("schedules in the dispute's zone; the post stays off the public API until its time", async () => {
    const slug = await newDraft("reporter", "parley-news", { title: "Tomorrow morning" });
    const tomorrow = new Date(Date.parse(s.parley.now()) + 24 * 3600_000).toISOString();
    const local = instantToLocal(tomorrow, ZONE);
    const r = await postAs("reporter", `/posts/${slug}/publish`, { schedule: "1", at: local });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`/posts/${slug}/edit?done=scheduled`);
    const at = localToInstant(local, ZONE)!;
    const page = await s.page(r.headers.get("location")!, (await as("reporter")).cookie);
    expect(textOf(page.html, "main")).toContain(`Scheduled for ${formatDateTime(at, ZONE)}.`);
    expect(formatDateTime(at, ZONE)).toMatch(/ P[DS]T$/);
    expect(await publicSlugs()).not.toContain(slug);
    const post = await s.app.posts.get((await as("reporter")).caller, slug);
    expect(post.status).toBe("scheduled");
    expect(Date.parse(post.publishAt!)).toBe(Date.parse(at));
    expect(post.live).toBe(false);
    // The schedule can be called off: back to a draft.
    const off = await postAs("reporter", `/posts/${slug}/unpublish`, {});
    expect(off.status).toBe(303);
    const back = await s.page(off.headers.get("location")!, (await as("reporter")).cookie);
    expect(textOf(back.html, "main")).toContain("Unpublished: the schedule was called off");
    expect((await s.app.posts.get((await as("reporter")).caller, slug)).status).toBe("draft");
  });

  it("a schedule that is not a time, or is past, comes back beside the field and publishes nothing", async () => {
    const slug = await newDraft("reporter", "parley-news", { title: "Not yet" });
    const bad = await postAs("reporter", `/posts/${slug}/publish`, { schedule: "1", at: "next tuesday" });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.html, "post-at")).toContain("This is not a date and time");
    expect(controlValue(bad.html, "post-at")).toBe("next tuesday");
    const past = await postAs("reporter", `/posts/${slug}/publish`, {
      schedule: "1",
      at: "2023-09-14T09:00",
    });
    expect(past.status).toBe(400);
    expect(fieldError(past.html, "post-at")).toContain("This time has passed");
    const empty = await postAs("reporter", `/posts/${slug}/publish`, { schedule: "1", at: "" });
    expect(empty.status).toBe(400);
    expect(fieldError(empty.html, "post-at")).toBe("Choose the date and time to publish at.");
    expect((await s.app.posts.get((await as("reporter")).caller, slug)).status).toBe("draft");
  });

  it("unpublishes a live post; another organization's editor may not", async () => {
    const slug = await newDraft("reporter", "parley-news", { title: "Short lived" });
    expect((await postAs("reporter", `/posts/${slug}/publish`, {})).status).toBe(303);

    const foreign = await postAs("amptpNegotiator", `/posts/${slug}/unpublish`, {});
    expect(foreign.status).toBe(403);
    expect(codeOf(foreign.html)).toBe("POST_NOT_EDITABLE");
    expect(await publicSlugs()).toContain(slug);

    const r = await postAs("reporter", `/posts/${slug}/unpublish`, {});
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`/posts/${slug}/edit?done=unpublished`);
    const page = await s.page(r.headers.get("location")!, (await as("reporter")).cookie);
    expect(textOf(page.html, "main")).toContain("Unpublished.");
    expect(text(page.html)).toContain("Publish now");
    expect(await publicSlugs()).not.toContain(slug);
  });

  it("a state that does not allow the action is answered on the editor (422)", async () => {
    const slug = await newDraft("reporter", "parley-news", { title: "Still a draft" });
    const r = await postAs("reporter", `/posts/${slug}/unpublish`, {});
    expect(r.status).toBe(422);
    expect(codeOf(r.html)).toBe("POST_STATE");
    expect(textOf(r.html, "publication-error")).toContain("Not unpublished");
  });

  it("a publish without the form token is refused", async () => {
    const slug = await newDraft("reporter", "parley-news", { title: "Forged publish" });
    const r = await s.post(`/posts/${slug}/publish`, {}, (await as("reporter")).cookie);
    expect(r.status).toBe(403);
    expect(codeOf(r.html)).toBe("CSRF_FAILED");
    expect(await publicSlugs()).not.toContain(slug);
  });
});

describe("GET /posts/:slug/revisions", () => {
  it("shows an editor the demo post's evening update as inserted words, dated in the dispute's zone", async () => {
    const offer = await demoPost("Studios publish their Aug. 11 offer");
    const r = await s.page(`/posts/${offer.slug}/revisions`, (await as("reporter")).cookie);
    expect(r.status).toBe(200);
    expect(text(r.html)).toContain(
      "Revision 2 (current) Saved by Parley News reporter, Tue 2023-08-22 20:30 PDT",
    );
    expect(r.html).toMatch(/<ins>[^<]*Updated at 8:30 p\.m\./);
  });

  it("is refused to a member of the post's dispute who is neither its author nor an editor", async () => {
    const offer = await demoPost("Studios publish their Aug. 11 offer");
    const r = await s.page(`/posts/${offer.slug}/revisions`, (await as("wgaMember")).cookie);
    expect(r.status).toBe(403);
    expect(codeOf(r.html)).toBe("ROLE_REQUIRED");
    expect(r.html).not.toContain("Updated at 8:30");
    const draft = await demoPost("What the tentative agreement");
    const hidden = await s.page(`/posts/${draft.slug}/revisions`, (await as("wgaMember")).cookie);
    expect(hidden.status).toBe(404);
    expect(codeOf(hidden.html)).toBe("POST_UNKNOWN");
  });
});
