import MarkdownIt from "markdown-it";
import { z } from "zod";
import { fail } from "./errors.ts";
import { Id, Instant, Text } from "./values.ts";

/**
 * News posts: newsroom content written by press organizations and the parties of a dispute.
 * Unlike ledger entries they are edited, scheduled and unpublished, so they live outside the
 * signed record and only point into it (citations). Everything here is pure: the instant a
 * rule depends on comes in as an argument.
 */

export const POST_STATUSES = ["draft", "scheduled", "published", "unpublished"] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export const MAX_SLUG = 80;
export const MAX_TAGS = 10;
export const MAX_CITATIONS = 50;

/** A post's address: lower-case ascii words joined by single dashes. */
export const PostSlug = z
  .string()
  .min(1)
  .max(MAX_SLUG)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "lower-case ascii words joined by single dashes")
  .meta({ description: `lower-case ascii letters and digits in words joined by "-", at most ${MAX_SLUG}` });

// Titles are one line: a tab or line break in one would be a control character in a feed too.
const Title = z
  .string()
  .max(1_000)
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !/\p{Cc}/u.test(s), "contains control characters")
  .refine((s) => s.isWellFormed(), "contains unpaired surrogates")
  .meta({ description: "one line of 1-200 characters, without control characters" });

const Body = Text(100_000).meta({ description: "markdown, at most 100,000 characters" });

/** Tags are compared as typed by readers in a URL: trimmed, spaces collapsed, lower-cased. */
export const Tag = z
  .string()
  .max(200)
  .trim()
  .overwrite((s) => s.replace(/\s+/g, " "))
  .toLowerCase()
  .min(1)
  .max(40)
  .refine((s) => !/\p{Cc}/u.test(s), "contains control characters")
  .refine((s) => s.isWellFormed(), "contains unpaired surrogates")
  .meta({ description: "1-40 characters; trimmed and lower-cased" });

const Tags = z
  .array(Tag)
  .max(MAX_TAGS)
  .transform((tags) => [...new Set(tags)])
  .meta({ description: `up to ${MAX_TAGS} tags; duplicates (after lower-casing) count once` });

const Citations = z
  .array(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER))
  .max(MAX_CITATIONS)
  .transform((seqs) => [...new Set(seqs)])
  .meta({
    description: `sequence numbers of public entries of the post's dispute, at most ${MAX_CITATIONS}, in the order cited`,
  });

/** A new post, always saved as a draft. */
export const PostDraft = z.strictObject({
  dispute: Id.describe("the dispute the post is about"),
  org: Id.describe("the organization it is written for: one of the caller's, a press outlet or a party"),
  title: Title,
  body: Body.default(""),
  tags: Tags.default([]),
  citations: Citations.default([]),
  slug: PostSlug.optional().describe("its address; made from the title when not given"),
});
export type PostDraft = z.output<typeof PostDraft>;

/** A change to a post, based on the revision the writer saw. */
export const PostEdit = z.strictObject({
  revision: z.number().int().min(1).describe("the revision this edit was based on"),
  title: Title.optional(),
  body: Body.optional(),
  tags: Tags.optional(),
  citations: Citations.optional(),
  commentsOpen: z.boolean().optional().describe("whether readers may comment (editors only)"),
  slug: PostSlug.optional().describe("a new address; only for a post that has never been published"),
});
export type PostEdit = z.output<typeof PostEdit>;

export const PublishRequest = z.strictObject({
  at: Instant.optional().describe(
    "when it goes live; a future instant schedules it, a past one means now. Without it: now, or, for an unpublished post, back where it was",
  ),
});
export type PublishRequest = z.output<typeof PublishRequest>;

/** What publication depends on. */
export interface PostTiming {
  status: PostStatus;
  publishAt: string | null;
  publishedAt: string | null;
}

const instant = (iso: string) => Date.parse(iso);

/**
 * Publication is computed, not run by a timer: a post is live at `now` when it was published
 * or scheduled and its publication instant has come.
 */
export function postLive(post: Pick<PostTiming, "status" | "publishAt">, now: string): boolean {
  if (post.status !== "published" && post.status !== "scheduled") return false;
  return post.publishAt !== null && instant(post.publishAt) <= instant(now);
}

/** The status as readers and editors see it: a scheduled post whose time has come is published. */
export function currentStatus(post: Pick<PostTiming, "status" | "publishAt">, now: string): PostStatus {
  return post.status === "scheduled" && postLive(post, now) ? "published" : post.status;
}

/** Whether the post has been live at some point up to `now` (its first publication has happened). */
export function everLive(post: Pick<PostTiming, "publishedAt">, now: string): boolean {
  return post.publishedAt !== null && instant(post.publishedAt) <= instant(now);
}

export type PostAction = "edit" | "publish" | "unpublish";

/**
 * Which actions each (current) status allows. Who may take them is the application's
 * business; this is only whether the state permits it at all.
 */
const ALLOWED: Record<PostStatus, readonly PostAction[]> = {
  draft: ["edit", "publish"],
  // Publishing a scheduled post again reschedules it (or publishes it at once).
  scheduled: ["edit", "publish", "unpublish"],
  published: ["edit", "unpublish"],
  unpublished: ["edit", "publish"],
};

export function allows(status: PostStatus, action: PostAction): boolean {
  return ALLOWED[status].includes(action);
}

function requireAllowed(post: PostTiming, action: PostAction, now: string): void {
  const status = currentStatus(post, now);
  if (!allows(status, action)) fail("POST_STATE", `a ${status} post cannot be ${action}ed`, { status });
}

/**
 * The timing after publishing at `at` (undefined: now). A requested instant already past means
 * now: back-dating would slip a post into feeds under an old date. An unpublished post
 * published again without `at` goes back where it was, under its old date.
 */
export function afterPublish(post: PostTiming, at: string | undefined, now: string): PostTiming {
  requireAllowed(post, "publish", now);
  const wasLive = everLive(post, now);
  let publishAt: string;
  if (at !== undefined) publishAt = instant(at) > instant(now) ? at : now;
  else publishAt = wasLive && post.publishAt !== null ? post.publishAt : now;
  return {
    status: instant(publishAt) > instant(now) ? "scheduled" : "published",
    publishAt,
    // The first publication instant stays once it has happened; until then it follows the schedule.
    publishedAt: wasLive ? post.publishedAt : publishAt,
  };
}

/**
 * The timing after unpublishing. A post that was never live (a schedule called off) goes back
 * to being a draft; one that readers have seen becomes unpublished, keeping its dates so that
 * publishing it again restores it.
 */
export function afterUnpublish(post: PostTiming, now: string): PostTiming {
  requireAllowed(post, "unpublish", now);
  if (!everLive(post, now)) return { status: "draft", publishAt: null, publishedAt: null };
  return { status: "unpublished", publishAt: post.publishAt, publishedAt: post.publishedAt };
}

/** The address made from a title: its ascii words, accents dropped, cut at a word to 80 characters. */
export function slugify(title: string): string {
  const words = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/['’]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = "";
  for (const word of words) {
    const longer = slug ? `${slug}-${word}` : word;
    if (longer.length > MAX_SLUG) break;
    slug = longer;
  }
  if (!slug && words[0]) slug = words[0].slice(0, MAX_SLUG);
  return slug || "post";
}

/** The n-th address for a base that is taken (n >= 2): "base-n", the base cut at a word to keep 80 characters. */
export function numberedSlug(base: string, n: number): string {
  const suffix = `-${n}`;
  let cut = base;
  if (base.length + suffix.length > MAX_SLUG) {
    cut = base.slice(0, MAX_SLUG - suffix.length);
    const dash = cut.lastIndexOf("-");
    // Cut inside a word: drop the broken word, unless it is the only one.
    if (base[cut.length] !== "-" && dash > 0) cut = cut.slice(0, dash);
  }
  return `${cut.replace(/-+$/, "") || "post"}${suffix}`;
}

const markdown = new MarkdownIt({ html: false });

/**
 * The opening of a markdown body as plain text (no markup, entities decoded), about `max`
 * characters cut at a word: what lists and feeds show before "read more". Not HTML: whoever
 * shows it escapes it.
 */
export function excerptOf(body: string, max = 200): string {
  const parts: string[] = [];
  let length = 0;
  for (const token of markdown.parse(body, {})) {
    if (length > max) break;
    if (token.type === "inline") {
      for (const child of token.children ?? []) {
        if (child.type === "text" || child.type === "code_inline") parts.push(child.content);
        else if (child.type === "softbreak" || child.type === "hardbreak") parts.push(" ");
      }
      parts.push(" ");
    } else if (token.type === "code_block" || token.type === "fence") {
      parts.push(token.content, " ");
    } else continue;
    length = parts.join("").length;
  }
  const text = parts.join("").replace(/\s+/g, " ").trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const atWord = cut.lastIndexOf(" ");
  return `${(atWord > max / 2 ? cut.slice(0, atWord) : cut).replace(/[\s,;:.–—-]+$/, "")}…`;
}
