import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts, type Caller } from "../../src/app/accounts.ts";
import type { Parley } from "../../src/app/parley.ts";
import { Posts } from "../../src/app/posts.ts";
import {
  afterPublish,
  afterUnpublish,
  excerptOf,
  numberedSlug,
  PostDraft,
  postLive,
  slugify,
} from "../../src/domain/post.ts";
import { testCaller } from "../support/callers.ts";
import { PRESS, smallDispute } from "../support/fixture.ts";

process.env.PARLEY_SCRYPT_N ??= "1024";

const SLUG = "test-2023";
/** Entries of the fixture's dispute (test/support/fixture.ts), by what the public may see of them. */
const SEQ = {
  opened: 0,
  wagesIssue: 4,
  tablePass: 6,
  wgaCaucus: 7,
  membersStatement: 9,
  publishedPass: 10,
  meetingHeld: 12,
  strike: 13,
  request: 14,
};

let app: Parley;
let posts: Posts;
/** The posts' clock: tests move it to see schedules come due. */
let now = "2026-01-01T00:00:00.000Z";
const who: Record<string, Caller> = {};
let correctionSeq = -1;

beforeAll(async () => {
  app = (await smallDispute()).app;
  await app.registerOrganization({
    id: "other-union",
    name: "Other Union",
    shortName: "Other",
    kind: "union",
  });
  const accounts = new Accounts(app.db, () => new Date(now));
  // A press outlet's writer who is no editor, and its editor; a party's member and negotiator.
  who.intern = await testCaller(
    accounts,
    "intern",
    { org: "daily-press", role: "member" },
    { domain: "posts.example" },
  );
  who.editor = await testCaller(
    accounts,
    "editor",
    { org: "daily-press", role: "negotiator" },
    { domain: "posts.example" },
  );
  who.wgaMember = await testCaller(
    accounts,
    "wgamember",
    { org: "wga-west", role: "member" },
    { domain: "posts.example" },
  );
  who.wgaNegotiator = await testCaller(
    accounts,
    "wganegotiator",
    { org: "wga-west", role: "negotiator" },
    { domain: "posts.example" },
  );
  who.amptpNegotiator = await testCaller(
    accounts,
    "amptpnegotiator",
    { org: "amptp", role: "negotiator" },
    { domain: "posts.example" },
  );
  who.outsider = await testCaller(
    accounts,
    "outsider",
    { org: "other-union", role: "admin" },
    { domain: "posts.example" },
  );
  who.operator = await testCaller(accounts, "operator", undefined, {
    operator: true,
    domain: "posts.example",
  });
  posts = new Posts(app, () => now);
  // A public correction of the press's request for comment: a post citing it must say so.
  ({ seq: correctionSeq } = await app.execute(SLUG, {
    actor: PRESS,
    type: "entry.corrected",
    occurredAt: "2023-05-06T17:00:00Z",
    visibility: "public",
    payload: {
      entry: SEQ.request,
      action: "correct",
      reason: "The deadline was misstated.",
      text: "Any comment by Friday?",
    },
  }));
});
afterAll(async () => {
  await app.close();
});

/** Rows in every post table: a refused write must leave them all as they were. */
async function counts() {
  const n = async (table: "posts" | "post_revisions" | "post_tags" | "post_citations") =>
    Number(
      (
        await app.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    posts: await n("posts"),
    revisions: await n("post_revisions"),
    tags: await n("post_tags"),
    citations: await n("post_citations"),
  };
}

const draft = (title: string, more: Record<string, unknown> = {}) => ({
  dispute: SLUG,
  org: "daily-press",
  title,
  body: "Some **markdown**.",
  ...more,
});

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; details?: unknown }> {
  return p.then(
    () => ({ code: "none", message: "" }),
    (e: { code?: string; message: string; details?: unknown }) => ({
      code: e.code ?? String(e),
      message: e.message,
      details: e.details,
    }),
  );
}

describe("the pure rules", () => {
  it("makes addresses from titles: ascii words, accents dropped, at most 80 characters", () => {
    expect(slugify("Day 136: the AMPTP says it will meet — next week!")).toBe(
      "day-136-the-amptp-says-it-will-meet-next-week",
    );
    expect(slugify("Écrivains en grève, l'été")).toBe("ecrivains-en-greve-lete");
    expect(slugify("  ")).toBe("post");
    expect(slugify("数字")).toBe("post");
    const long = slugify("word ".repeat(40));
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^word(-word)*$/);
    expect(numberedSlug(long, 12).length).toBeLessThanOrEqual(80);
    expect(numberedSlug(long, 12)).toMatch(/^word(-word)*-12$/);
  });

  it("normalizes tags and citations, and refuses titles with control characters", () => {
    const parsed = PostDraft.parse(
      draft("T", { tags: ["  AI ", "ai", "Strike   Day"], citations: [3, 3, 1] }),
    );
    expect(parsed.tags).toEqual(["ai", "strike day"]);
    expect(parsed.citations).toEqual([3, 1]);
    expect(PostDraft.safeParse(draft("a\nb")).success).toBe(false);
    expect(PostDraft.safeParse(draft("a\u0007b")).success).toBe(false);
    expect(PostDraft.safeParse(draft(" ")).success).toBe(false);
    expect(PostDraft.safeParse(draft("x".repeat(201))).success).toBe(false);
    expect(PostDraft.safeParse(draft("T", { tags: ["x".repeat(41)] })).success).toBe(false);
    expect(
      PostDraft.safeParse(draft("T", { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) })).success,
    ).toBe(false);
    expect(
      PostDraft.safeParse(draft("T", { citations: Array.from({ length: 51 }, (_, i) => i) })).success,
    ).toBe(false);
    expect(PostDraft.safeParse(draft("T", { body: "x".repeat(100_001) })).success).toBe(false);
    expect(PostDraft.safeParse(draft("T", { slug: "Not A Slug" })).success).toBe(false);
  });

  it("decides liveness from the status and the instant alone", () => {
    const at = "2023-05-02T10:00:00.000Z";
    expect(postLive({ status: "scheduled", publishAt: at }, "2023-05-02T09:59:59.999Z")).toBe(false);
    expect(postLive({ status: "scheduled", publishAt: at }, "2023-05-02T10:00:00Z")).toBe(true);
    expect(postLive({ status: "published", publishAt: at }, "2024-01-01T00:00:00Z")).toBe(true);
    expect(postLive({ status: "unpublished", publishAt: at }, "2024-01-01T00:00:00Z")).toBe(false);
    expect(postLive({ status: "draft", publishAt: null }, "2024-01-01T00:00:00Z")).toBe(false);
  });

  it("allows each action only from the statuses that permit it", () => {
    const t = "2023-05-02T10:00:00.000Z";
    const draftTiming = { status: "draft", publishAt: null, publishedAt: null } as const;
    const live = afterPublish(draftTiming, undefined, t);
    expect(live).toEqual({ status: "published", publishAt: t, publishedAt: t });
    expect(() => afterPublish(live, undefined, t)).toThrow(expect.objectContaining({ code: "POST_STATE" }));
    expect(() => afterUnpublish(draftTiming, t)).toThrow(expect.objectContaining({ code: "POST_STATE" }));
    // A past `at` cannot back-date: it means now.
    expect(afterPublish(draftTiming, "2020-01-01T00:00:00.000Z", t).publishAt).toBe(t);
  });

  it("excerpts the body as plain text, cut at a word", () => {
    expect(excerptOf("# Head\n\nSome **bold** and [a link](https://x.example) &amp; `code`.")).toBe(
      "Head Some bold and a link & code.",
    );
    const cut = excerptOf("word ".repeat(100), 50);
    expect(cut.length).toBeLessThanOrEqual(51);
    expect(cut.endsWith("word…")).toBe(true);
  });
});

describe("writing drafts", () => {
  it("lets a press outlet's writer create a draft, with an address made from its title", async () => {
    const view = await posts.create(who.intern!, draft("First Day of the Strike", { tags: ["Strike"] }));
    expect(view).toMatchObject({
      slug: "first-day-of-the-strike",
      dispute: SLUG,
      org: "daily-press",
      orgName: "Daily Press",
      author: { id: who.intern!.id, name: "The intern" },
      status: "draft",
      live: false,
      revision: 1,
      tags: ["strike"],
      citations: [],
      publishAt: null,
      publishedAt: null,
      updatedAt: null,
      createdAt: now,
      commentsOpen: true,
    });
    expect(JSON.stringify(view)).not.toContain("@posts.example");
  });

  it("lets any account of a party write, and refuses organizations that are neither press nor party", async () => {
    const party = await posts.create(who.wgaMember!, draft("From the guild", { org: "wga-west" }));
    expect(party.org).toBe("wga-west");
    const before = await counts();
    expect((await refusal(posts.create(who.outsider!, draft("Outside", { org: "other-union" })))).code).toBe(
      "ROLE_REQUIRED",
    );
    // Not a member of the organization named.
    expect((await refusal(posts.create(who.wgaMember!, draft("Posing", { org: "daily-press" })))).code).toBe(
      "ROLE_REQUIRED",
    );
    expect((await refusal(posts.create(who.intern!, draft("Nowhere", { dispute: "no-such" })))).code).toBe(
      "DISPUTE_UNKNOWN",
    );
    expect((await refusal(posts.create(who.intern!, { ...draft(""), extra: 1 }))).code).toBe(
      "VALIDATION_FAILED",
    );
    expect(await counts()).toEqual(before);
  });

  it("numbers a made address that is taken, and refuses a given one that is", async () => {
    const a = await posts.create(who.intern!, draft("Same Title"));
    const b = await posts.create(who.intern!, draft("Same title!"));
    const c = await posts.create(who.intern!, draft("same TITLE"));
    expect([a.slug, b.slug, c.slug]).toEqual(["same-title", "same-title-2", "same-title-3"]);
    const before = await counts();
    const taken = await refusal(posts.create(who.intern!, draft("Other", { slug: "same-title-2" })));
    expect(taken.code).toBe("POST_SLUG_TAKEN");
    expect(await counts()).toEqual(before);
    const long = "Word ".repeat(30);
    const l1 = await posts.create(who.intern!, draft(long));
    const l2 = await posts.create(who.intern!, draft(long));
    expect(l1.slug.length).toBeLessThanOrEqual(80);
    expect(l2.slug.length).toBeLessThanOrEqual(80);
    expect(l2.slug).toMatch(/-2$/);
  });
});

describe("who sees a post", () => {
  it("shows a draft to its author and its organization's editors only; to others it does not exist", async () => {
    const d = await posts.create(who.intern!, draft("Hidden draft"));
    expect((await posts.get(who.intern!, d.slug)).title).toBe("Hidden draft");
    expect((await posts.get(who.editor!, d.slug)).title).toBe("Hidden draft");
    expect((await posts.get(who.operator!, d.slug)).title).toBe("Hidden draft");
    const never = await refusal(posts.get(null, "no-such-post-anywhere"));
    expect(never.code).toBe("POST_UNKNOWN");
    for (const reader of [null, who.wgaNegotiator!, who.amptpNegotiator!, who.outsider!]) {
      const r = await refusal(posts.get(reader, d.slug));
      expect({ code: r.code, message: r.message }).toEqual({ code: never.code, message: never.message });
    }
  });

  it("lets the author edit a draft but not publish it, and the editor publish it; then the author's edits stop", async () => {
    const d = await posts.create(who.intern!, draft("Author's draft"));
    const edited = await posts.edit(who.intern!, d.slug, { revision: 1, body: "Better." });
    expect([edited.revision, edited.body]).toEqual([2, "Better."]);
    expect((await refusal(posts.publish(who.intern!, d.slug, {}))).code).toBe("ROLE_REQUIRED");
    // Others: the draft does not exist for them.
    expect((await refusal(posts.edit(who.wgaNegotiator!, d.slug, { revision: 2, body: "x" }))).code).toBe(
      "POST_UNKNOWN",
    );
    const live = await posts.publish(who.editor!, d.slug, {});
    expect([live.status, live.live, live.publishedAt]).toEqual(["published", true, now]);
    expect((await posts.get(null, d.slug)).body).toBe("Better.");
    expect((await refusal(posts.edit(who.intern!, d.slug, { revision: 2, body: "Later." }))).code).toBe(
      "POST_NOT_EDITABLE",
    );
    // Now that it is public, other organizations see it, and still may not change it.
    expect((await refusal(posts.edit(who.wgaNegotiator!, d.slug, { revision: 2, body: "x" }))).code).toBe(
      "POST_NOT_EDITABLE",
    );
    expect((await refusal(posts.unpublish(who.wgaNegotiator!, d.slug))).code).toBe("POST_NOT_EDITABLE");
    expect((await posts.edit(who.editor!, d.slug, { revision: 2, body: "Edited live." })).revision).toBe(3);
  });

  it("ends an author's rights with their membership", async () => {
    const d = await posts.create(who.intern!, draft("Left the outlet"));
    const former: Caller = { ...who.intern!, memberships: [] };
    expect((await refusal(posts.get(former, d.slug))).code).toBe("POST_UNKNOWN");
  });
});

describe("publication", () => {
  it("schedules a post for a future instant: it goes live when the clock reaches it, with no timer", async () => {
    const d = await posts.create(who.editor!, draft("Scheduled story", { tags: ["schedule"] }));
    const at = "2026-01-02T12:00:00.000Z";
    const scheduled = await posts.publish(who.editor!, d.slug, { at });
    expect(scheduled).toMatchObject({ status: "scheduled", live: false, publishAt: at, publishedAt: null });
    expect((await refusal(posts.get(null, d.slug))).code).toBe("POST_UNKNOWN");
    expect((await posts.listPublished({ tag: "schedule" })).posts).toEqual([]);
    const saved = now;
    try {
      now = "2026-01-02T12:00:00.000Z";
      const live = await posts.get(null, d.slug);
      expect(live).toMatchObject({ status: "published", live: true, publishAt: at, publishedAt: at });
      expect((await posts.listPublished({ tag: "schedule" })).posts.map((p) => p.slug)).toEqual([d.slug]);
    } finally {
      now = saved;
    }
  });

  it("unpublishes a live post, and publishing it again restores it under its first dates", async () => {
    const d = await posts.create(who.editor!, draft("Comes and goes"));
    const first = await posts.publish(who.editor!, d.slug, {});
    const gone = await posts.unpublish(who.editor!, d.slug);
    expect([gone.status, gone.live]).toEqual(["unpublished", false]);
    expect((await refusal(posts.get(null, d.slug))).code).toBe("POST_UNKNOWN");
    expect((await refusal(posts.unpublish(who.editor!, d.slug))).code).toBe("POST_STATE");
    const saved = now;
    try {
      now = "2026-01-01T06:00:00.000Z";
      const back = await posts.publish(who.editor!, d.slug, {});
      expect(back).toMatchObject({
        status: "published",
        live: true,
        publishAt: first.publishAt,
        publishedAt: first.publishedAt,
      });
      expect((await refusal(posts.publish(who.editor!, d.slug, {}))).code).toBe("POST_STATE");
    } finally {
      now = saved;
    }
  });

  it("sends a schedule that is called off back to being a draft", async () => {
    const d = await posts.create(who.intern!, draft("Not yet"));
    await posts.publish(who.editor!, d.slug, { at: "2027-01-01T00:00:00Z" });
    const back = await posts.unpublish(who.editor!, d.slug);
    expect(back).toMatchObject({ status: "draft", publishAt: null, publishedAt: null });
    // A draft again: its author may edit it again.
    expect((await posts.edit(who.intern!, d.slug, { revision: 1, title: "Not yet, again" })).revision).toBe(
      2,
    );
    expect((await refusal(posts.unpublish(who.editor!, d.slug))).code).toBe("POST_STATE");
  });

  it("refuses a malformed publication instant", async () => {
    const d = await posts.create(who.editor!, draft("Bad instant"));
    expect((await refusal(posts.publish(who.editor!, d.slug, { at: "tomorrow" }))).code).toBe(
      "VALIDATION_FAILED",
    );
    expect((await posts.get(who.editor!, d.slug)).status).toBe("draft");
  });
});

describe("edits and revisions", () => {
  it("keeps every version, refuses an edit based on an old one, and marks edits after publication", async () => {
    const d = await posts.create(who.editor!, draft("Versioned", { tags: ["one"], citations: [SEQ.strike] }));
    const v2 = await posts.edit(who.editor!, d.slug, { revision: 1, tags: ["two"], citations: [SEQ.opened] });
    expect([v2.revision, v2.updatedAt]).toEqual([2, null]);
    const before = await counts();
    const stale = await refusal(posts.edit(who.editor!, d.slug, { revision: 1, body: "Lost update" }));
    expect([stale.code, stale.details]).toEqual(["POST_STALE", { revision: 2 }]);
    expect(await counts()).toEqual(before);
    // Nothing to save: no new revision.
    expect((await posts.edit(who.editor!, d.slug, { revision: 2, tags: ["TWO"] })).revision).toBe(2);
    await posts.publish(who.editor!, d.slug, {});
    const saved = now;
    try {
      now = "2026-01-01T08:00:00.000Z";
      const v3 = await posts.edit(who.editor!, d.slug, { revision: 2, title: "Versioned, updated" });
      expect([v3.revision, v3.updatedAt, v3.publishedAt]).toEqual([3, now, saved]);
    } finally {
      now = saved;
    }
    const history = await posts.revisions(who.editor!, d.slug);
    expect(history.map((r) => [r.revision, r.title, r.tags, r.citations, r.current])).toEqual([
      [3, "Versioned, updated", ["two"], [SEQ.opened], true],
      [2, "Versioned", ["two"], [SEQ.opened], false],
      [1, "Versioned", ["one"], [SEQ.strike], false],
    ]);
    expect(history[0]!.author).toEqual({ id: who.editor!.id, name: "The editor" });
    expect(JSON.stringify(history)).not.toContain("@posts.example");
  });

  it("shows revisions to the author and editors only", async () => {
    const d = await posts.create(who.intern!, draft("Whose history"));
    expect(await posts.revisions(who.intern!, d.slug)).toHaveLength(1);
    expect((await refusal(posts.revisions(who.wgaNegotiator!, d.slug))).code).toBe("POST_UNKNOWN");
    await posts.publish(who.editor!, d.slug, {});
    expect((await refusal(posts.revisions(who.wgaNegotiator!, d.slug))).code).toBe("ROLE_REQUIRED");
  });

  it("lets editors alone open and close comments", async () => {
    const d = await posts.create(who.intern!, draft("Comments"));
    expect((await refusal(posts.edit(who.intern!, d.slug, { revision: 1, commentsOpen: false }))).code).toBe(
      "ROLE_REQUIRED",
    );
    const closed = await posts.edit(who.editor!, d.slug, { revision: 1, commentsOpen: false });
    expect([closed.commentsOpen, closed.revision]).toEqual([false, 1]);
  });

  it("moves a draft to a new address, but never a post that has been published", async () => {
    const d = await posts.create(who.editor!, draft("Working title"));
    const moved = await posts.edit(who.editor!, d.slug, { revision: 1, slug: "final-address" });
    expect(moved.slug).toBe("final-address");
    expect((await refusal(posts.get(who.editor!, d.slug))).code).toBe("POST_UNKNOWN");
    await posts.publish(who.editor!, "final-address", {});
    expect(
      (await refusal(posts.edit(who.editor!, "final-address", { revision: 1, slug: "elsewhere" }))).code,
    ).toBe("POST_STATE");
  });
});

describe("citations", () => {
  it("refuses a private caucus note, a table-only pass and an entry that does not exist, alike", async () => {
    const before = await counts();
    for (const seq of [SEQ.wgaCaucus, SEQ.tablePass, SEQ.membersStatement, 999]) {
      const r = await refusal(
        posts.create(who.wgaNegotiator!, draft("Leaky", { org: "wga-west", citations: [seq] })),
      );
      expect([r.code, r.details, r.message]).toEqual([
        "CITATION_UNKNOWN",
        { seq },
        `entry ${seq} is not a public entry of ${SLUG}`,
      ]);
    }
    const d = await posts.create(who.editor!, draft("Clean"));
    const edit = await refusal(posts.edit(who.editor!, d.slug, { revision: 1, citations: [SEQ.wgaCaucus] }));
    expect(edit.code).toBe("CITATION_UNKNOWN");
    expect((await posts.get(who.editor!, d.slug)).citations).toEqual([]);
    expect((await counts()).revisions).toBe(before.revisions + 1);
  });

  it("resolves cited entries as the public sees them, with leaf hash, proof link and any correction", async () => {
    const d = await posts.create(
      who.editor!,
      draft("Cites", { citations: [SEQ.request, SEQ.publishedPass, SEQ.strike] }),
    );
    const cited = await posts.citations(d);
    expect(cited.map((c) => [c.seq, c.type])).toEqual([
      [SEQ.request, "comment.requested"],
      [SEQ.publishedPass, "pass.made"],
      [SEQ.strike, "stoppage.started"],
    ]);
    expect(cited[0]!.correction).toEqual({
      action: "correct",
      by: correctionSeq,
      at: "2023-05-06T17:00:00.000Z",
    });
    expect(cited[1]!.correction).toBeNull();
    expect(cited[2]!.summary).toMatch(/strike/);
    expect(cited[2]!.proofUrl).toBe(`/api/v1/disputes/${SLUG}/proofs/inclusion?seq=${SEQ.strike}`);
    const d1 = await app.disputeRow(SLUG);
    for (const c of cited) {
      const row = await app.db
        .selectFrom("ledger_entries")
        .select("leaf_hash")
        .where("dispute_id", "=", d1.id)
        .where("seq", "=", c.seq)
        .executeTakeFirstOrThrow();
      expect(c.leafHash).toBe(Buffer.from(row.leaf_hash).toString("hex"));
    }
  });
});

describe("lists", () => {
  it("lists live posts newest first, a page at a time, by dispute and tag", async () => {
    const make = async (title: string, at: string, tags: string[]) => {
      const d = await posts.create(who.editor!, draft(title, { tags }), { at });
      return posts.publish(who.editor!, d.slug, {}, { at });
    };
    await make("Listed one", "2025-03-01T00:00:00.000Z", ["listed", "alpha"]);
    await make("Listed two", "2025-03-02T00:00:00.000Z", ["listed"]);
    await make("Listed three", "2025-03-03T00:00:00.000Z", ["listed", "alpha"]);
    await posts.create(who.editor!, draft("Listed draft", { tags: ["listed"] }));
    const first = await posts.listPublished({ tag: "Listed", limit: 2 });
    expect(first.posts.map((p) => p.slug)).toEqual(["listed-three", "listed-two"]);
    expect(first.posts[0]).not.toHaveProperty("body");
    expect(first.posts[0]!.excerpt).toBe("Some markdown.");
    const second = await posts.listPublished({ tag: "listed", limit: 2, before: first.next! });
    expect(second.posts.map((p) => p.slug)).toEqual(["listed-one"]);
    expect(second.next).toBeNull();
    expect((await posts.listPublished({ tag: "alpha", dispute: SLUG })).posts.map((p) => p.slug)).toEqual([
      "listed-three",
      "listed-one",
    ]);
    expect((await refusal(posts.listPublished({ before: "not-a-cursor" }))).code).toBe("VALIDATION_FAILED");
    expect((await refusal(posts.listPublished({ dispute: "no-such" }))).code).toBe("DISPUTE_UNKNOWN");
  });

  it("lists every post a caller may edit: its organizations' as editor, its own drafts as author", async () => {
    const mine = await posts.create(who.intern!, draft("Intern's own draft"));
    const editors = await posts.create(who.editor!, draft("Editor's draft"));
    const bySlug = async (c: Caller) => new Set((await posts.listForCaller(c)).map((p) => p.slug));
    const intern = await bySlug(who.intern!);
    expect([intern.has(mine.slug), intern.has(editors.slug)]).toEqual([true, false]);
    const editor = await bySlug(who.editor!);
    expect([editor.has(mine.slug), editor.has(editors.slug)]).toEqual([true, true]);
    expect((await bySlug(who.wgaNegotiator!)).has(mine.slug)).toBe(false);
    expect((await bySlug(who.operator!)).has(mine.slug)).toBe(true);
    expect(await bySlug(who.outsider!)).toEqual(new Set());
  });

  it("relates live posts of the same dispute, those sharing most tags first", async () => {
    const make = async (title: string, at: string, tags: string[]) => {
      const d = await posts.create(who.editor!, draft(title, { tags }), { at });
      return posts.publish(who.editor!, d.slug, {}, { at });
    };
    const base = await make("Related base", "2025-06-01T00:00:00.000Z", ["rel-a", "rel-b"]);
    await make("Shares two", "2025-05-01T00:00:00.000Z", ["rel-a", "rel-b"]);
    await make("Shares one", "2025-05-20T00:00:00.000Z", ["rel-b"]);
    const related = await posts.related(base.slug, 3);
    expect(related.slice(0, 2).map((p) => p.slug)).toEqual(["shares-two", "shares-one"]);
    expect(related).toHaveLength(3);
    expect(related.every((p) => p.live && p.slug !== base.slug)).toBe(true);
    expect(await posts.related("no-such-post", 3)).toEqual([]);
  });
});
