import { XMLParser, XMLValidator } from "fast-xml-parser";
import TurndownService from "turndown";
import { COMMENT_MAX, NAME_MAX, normalizeWebsite } from "../domain/comment.ts";
import { fail } from "../domain/errors.ts";
import { MAX_TAGS, PostSlug, slugify, Tag } from "../domain/post.ts";
import type { ImportedComment } from "./comments.ts";

/**
 * Reading a WordPress export (WXR) and mapping it to what Parley's posts and comments services
 * take. Pure: no I/O, no clock (`now` comes in); the writes are the command's
 * (cli/import-wordpress.ts). Everything a reader would not have seen on the WordPress site
 * (drafts aside, which stay drafts) is left out and counted: pages and other item types,
 * private and trashed posts, and every comment that was not an approved reader's comment.
 */

export type ImportStatus = "published" | "draft" | "scheduled";

export interface ImportedPost {
  /** wp:post_id, for messages. */
  ref: string;
  title: string;
  slug: string;
  status: ImportStatus;
  /** When the post was written: its publication date, or for a draft its last change. */
  at: string;
  /** For published and scheduled posts, the publication instant. */
  publishAt: string | null;
  /** Markdown. */
  body: string;
  tags: string[];
  /** The original author's display name, if the export names one. */
  byline: string | null;
  /** Approved readers' comments, each parent before its replies. */
  comments: ImportedComment[];
}

export interface SkippedPost {
  title: string;
  slug: string;
  reason: string;
}

export interface WxrPlan {
  site: string | null;
  posts: ImportedPost[];
  /** Items that are not posts, by post type (page, attachment, nav_menu_item…). */
  otherItems: Record<string, number>;
  skippedPosts: SkippedPost[];
  /** Comments left out, by reason. */
  skippedComments: Record<string, number>;
  /** Approved replies whose parent was left out: imported as top-level comments. */
  repliesMadeTopLevel: number;
  /** Tags left out of a post, and why. */
  droppedTags: { post: string; tag: string; reason: string }[];
}

/** WordPress's placeholder category: it says nothing about a post, so it is no tag. */
const PLACEHOLDER_CATEGORY = "uncategorized";

const ARRAYS = new Set([
  "rss.channel.item",
  "rss.channel.item.category",
  "rss.channel.item.wp:comment",
  "rss.channel.wp:author",
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  // Values stay text: a slug "2023" or a comment id is not a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (_name, jpath) => ARRAYS.has(String(jpath)),
});

type Node = Record<string, unknown>;

/** The text of an element, whether plain, CDATA or carrying attributes (then under "#text"). */
function text(node: unknown): string {
  if (node === undefined || node === null) return "";
  if (typeof node === "string") return node;
  if (typeof node === "number" || typeof node === "boolean") return String(node);
  if (typeof node === "object" && "#text" in node) return text((node as Node)["#text"]);
  return "";
}

function list(node: unknown): Node[] {
  if (Array.isArray(node)) return node.filter((n): n is Node => typeof n === "object" && n !== null);
  return typeof node === "object" && node !== null ? [node as Node] : [];
}

/**
 * The parsed channel, or a failure naming what is wrong. A WXR has no DOCTYPE, so one is refused
 * outright: it is how entity-expansion attacks ("billion laughs") arrive.
 */
function channelOf(xml: string): Node {
  if (/<!DOCTYPE/i.test(xml))
    fail("VALIDATION_FAILED", "not a WordPress export: it has a DOCTYPE, which WXR files never have");
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    fail("VALIDATION_FAILED", `not XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  const doc = parser.parse(xml) as Node;
  const rss = doc.rss as Node | undefined;
  const channel = typeof rss === "object" && rss !== null ? (rss.channel as Node | undefined) : undefined;
  if (typeof channel !== "object" || channel === null || Array.isArray(channel)) {
    fail("VALIDATION_FAILED", "not a WordPress export: no <rss><channel>");
  }
  if (text(channel["wp:wxr_version"]) === "") {
    fail("VALIDATION_FAILED", "not a WordPress export: the channel has no <wp:wxr_version>");
  }
  return channel;
}

/** "2023-05-02 22:15:00" (UTC) as an ISO instant; null for WordPress's "0000-00-00 00:00:00" or junk. */
export function gmtInstant(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m || m[1] === "0000") return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const iso = new Date(ms).toISOString();
  // Date.UTC rolls a 31st of April over into May: such a date is junk, not a date.
  return iso.startsWith(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`) ? iso : null;
}

// ---- HTML conversion ----

const markdownService = new TurndownService({
  headingStyle: "atx",
  codeBlockStyle: "fenced",
  bulletListMarker: "-",
  emDelimiter: "*",
  hr: "---",
});
// Parley's pages load nothing from other sites, so an image becomes a link a reader may follow.
markdownService.addRule("image-as-link", {
  filter: "img",
  replacement: (_content, node) => {
    const el = node as HTMLElement;
    const src = el.getAttribute("src") ?? "";
    if (!/^https?:\/\//i.test(src)) return "";
    const alt = (el.getAttribute("alt") ?? "").replace(/[[\]\\]/g, "").trim();
    return `[Image: ${alt || "picture"}](${src})`;
  },
});
markdownService.remove(["script", "style", "iframe", "object", "embed", "form"]);

/** For readers' comments and names: text as typed, so no markdown escaping of what they wrote. */
const textService = new TurndownService({ emDelimiter: "*", strongDelimiter: "**" });
textService.escape = (s: string) => s;
textService.addRule("plain-emphasis", {
  filter: ["em", "i", "strong", "b", "code", "del", "s", "u"],
  replacement: (content) => content,
});
textService.addRule("link-with-address", {
  filter: "a",
  replacement: (content, node) => {
    const href = (node as HTMLElement).getAttribute("href") ?? "";
    const label = content.trim();
    if (!/^https?:\/\//i.test(href)) return label;
    // A bare address is turned into a link again when the comment is rendered.
    return label === "" || label === href || label === href.replace(/^https?:\/\//i, "")
      ? href
      : `${label} (${href})`;
  },
});
textService.addRule("no-images", { filter: "img", replacement: () => "" });
textService.addRule("plain-quote", {
  filter: "blockquote",
  replacement: (content) => `\n\n${content.trim()}\n\n`,
});
textService.addRule("plain-list-item", {
  filter: "li",
  replacement: (content) => `\n${content.trim()}\n`,
});
textService.addRule("plain-heading", {
  filter: ["h1", "h2", "h3", "h4", "h5", "h6"],
  replacement: (content) => `\n\n${content.trim()}\n\n`,
});
textService.remove(["script", "style", "iframe", "object", "embed", "form"]);

const BLOCK_TAG =
  /<(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|figure|hr|dl|section|article|aside|address)[\s>/]/i;

/**
 * WordPress keeps a classic-editor post without <p> tags and adds them on display (wpautop):
 * a blank line is a paragraph, a single line break a <br>. The same here, for text outside
 * block elements, so that turndown does not run the paragraphs together.
 */
function addParagraphs(html: string): string {
  return html
    .split(/\n\s*\n/)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk !== "")
    .map((chunk) =>
      BLOCK_TAG.test(chunk.slice(0, 20)) ? chunk : `<p>${chunk.replace(/(?<!<br\s*\/?>)\n/gi, "<br>\n")}</p>`,
    )
    .join("\n\n");
}

/** Drops Gutenberg's block delimiters and unwraps the shortcodes a reader never saw as such. */
function withoutWordPressMarkup(html: string): string {
  return html
    .replace(/<!--\s*\/?wp:[\s\S]*?-->/g, "")
    .replace(/\[caption[^\]]*\]([\s\S]*?)\[\/caption\]/g, "<p>$1</p>")
    .replace(/\[embed\]([\s\S]*?)\[\/embed\]/g, "<p>$1</p>");
}

/** A post's content (classic or Gutenberg HTML) as markdown. */
export function postHtmlToMarkdown(html: string): string {
  const cleaned = withoutWordPressMarkup(html.replace(/\r\n?/g, "\n"));
  return markdownService.turndown(addParagraphs(cleaned)).trim();
}

/**
 * A comment's HTML as the plain text Parley's comments hold: paragraphs and line breaks kept,
 * every link written out with its address (the rendering makes it a link again, showing where
 * it goes), emphasis, images and scripts dropped, entities decoded.
 */
export function commentHtmlToText(html: string): string {
  const out = textService.turndown(addParagraphs(html.replace(/\r\n?/g, "\n")));
  return out
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** A one-line field (title, name) that may hold HTML entities or stray tags, as text. */
export function lineText(html: string): string {
  return commentHtmlToText(html).replace(/\s+/g, " ").trim();
}

// ---- mapping ----

// Control and bidirectional-override characters, but tabs and line breaks: what Parley's comment
// and title rules refuse, taken out here rather than losing the whole comment or post to them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function cut(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max).join("").trim();
}

/** WordPress percent-encodes a non-ASCII slug or nicename ("gr%c3%a8ve"). */
function decodeSlug(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function slugOf(postName: string, title: string): string {
  const decoded = decodeSlug(postName.trim());
  if (decoded !== "" && PostSlug.safeParse(decoded).success) return decoded;
  return slugify(decoded !== "" ? decoded : title);
}

/** An address as the commenter's website: only an absolute http(s) one, as Parley writes them. */
function websiteOf(raw: string): string | null {
  const s = raw.trim();
  if (!/^https?:\/\//i.test(s)) return null;
  return normalizeWebsite(s);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function emailOf(raw: string): string {
  const s = raw.trim();
  return s.length <= 254 && EMAIL.test(s) ? s : "";
}

function commentsOf(
  item: Node,
  fallbackAt: string,
  skipped: Record<string, number>,
): { comments: ImportedComment[]; madeTopLevel: number } {
  const count = (reason: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  const kept = new Map<string, ImportedComment>();
  const parents = new Map<string, string | null>();
  for (const c of list(item["wp:comment"])) {
    const ref = text(c["wp:comment_id"]).trim();
    const type = text(c["wp:comment_type"]).trim();
    const approved = text(c["wp:comment_approved"]).trim();
    if (type === "pingback" || type === "trackback") {
      count(type);
      continue;
    }
    if (type !== "" && type !== "comment") {
      count(`type ${type}`);
      continue;
    }
    if (approved === "spam" || approved === "trash") {
      count(approved);
      continue;
    }
    if (approved !== "1") {
      count("not approved");
      continue;
    }
    if (ref === "" || kept.has(ref)) {
      count("no id, or an id seen before");
      continue;
    }
    const body = cut(commentHtmlToText(text(c["wp:comment_content"])).replace(CONTROL, ""), COMMENT_MAX);
    if (body === "") {
      count("empty");
      continue;
    }
    const parent = text(c["wp:comment_parent"]).trim();
    parents.set(ref, parent === "" || parent === "0" ? null : parent);
    kept.set(ref, {
      ref,
      parentRef: null,
      name: cut(lineText(text(c["wp:comment_author"])).replace(CONTROL, ""), NAME_MAX) || "Anonymous",
      email: emailOf(text(c["wp:comment_author_email"])),
      website: websiteOf(text(c["wp:comment_author_url"])),
      text: body,
      at: gmtInstant(text(c["wp:comment_date_gmt"])) ?? fallbackAt,
    });
  }
  // A reply whose parent was left out (spam, trash, unapproved) stands at the top: WordPress
  // showed such orphans at the top level too, so readers saw it there, and it keeps its own
  // replies under it. A loop in the parents (a damaged file) is cut the same way.
  let madeTopLevel = 0;
  for (const [ref, comment] of kept) {
    const parent = parents.get(ref) ?? null;
    if (parent === null) continue;
    if (kept.has(parent) && !leadsBackTo(ref, parent, parents)) comment.parentRef = parent;
    else {
      madeTopLevel += 1;
      parents.set(ref, null);
    }
  }
  return { comments: parentsFirst([...kept.values()]), madeTopLevel };
}

function leadsBackTo(start: string, from: string, parents: Map<string, string | null>): boolean {
  const seen = new Set<string>();
  for (let at: string | null | undefined = from; at; at = parents.get(at)) {
    if (at === start || seen.has(at)) return true;
    seen.add(at);
  }
  return false;
}

/** Oldest first, each parent before its replies whatever their dates say. */
function parentsFirst(comments: ImportedComment[]): ImportedComment[] {
  const byDate = [...comments].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const children = new Map<string | null, ImportedComment[]>();
  for (const c of byDate) {
    const siblings = children.get(c.parentRef);
    if (siblings) siblings.push(c);
    else children.set(c.parentRef, [c]);
  }
  const out: ImportedComment[] = [];
  const visit = (parent: string | null) => {
    for (const c of children.get(parent) ?? []) {
      out.push(c);
      visit(c.ref);
    }
  };
  visit(null);
  return out;
}

function tagsOf(item: Node, post: string, dropped: WxrPlan["droppedTags"]): string[] {
  const tags: string[] = [];
  for (const c of list(item.category)) {
    const domain = text(c["@domain"]);
    if (domain !== "post_tag" && domain !== "category") continue;
    const raw = decodeSlug(text(c["@nicename"]) || lineText(text(c)));
    if (domain === "category" && raw === PLACEHOLDER_CATEGORY) continue;
    const tag = Tag.safeParse(raw);
    if (!tag.success) {
      dropped.push({ post, tag: raw, reason: tag.error.issues[0]?.message ?? "not a tag" });
      continue;
    }
    if (tags.includes(tag.data)) continue;
    if (tags.length >= MAX_TAGS) {
      dropped.push({ post, tag: tag.data, reason: `a post has at most ${MAX_TAGS} tags` });
      continue;
    }
    tags.push(tag.data);
  }
  return tags;
}

const SKIPPED_STATUSES: Record<string, string> = {
  private: "private on WordPress",
  trash: "in WordPress's trash",
  "auto-draft": "an unsaved auto-draft",
  inherit: "a revision",
};

/**
 * The export read and mapped: what to import, and what is left out and why. Fails, before
 * anything could be written, on a file that is not XML or not a WordPress export.
 */
export function readWxr(xml: string, now: string): WxrPlan {
  const channel = channelOf(xml);
  const authors = new Map<string, string>();
  for (const a of list(channel["wp:author"])) {
    const login = text(a["wp:author_login"]).trim();
    const name = lineText(text(a["wp:author_display_name"])).replace(CONTROL, "");
    if (login !== "" && name !== "") authors.set(login, name);
  }
  const plan: WxrPlan = {
    site: text(channel.link).trim() || null,
    posts: [],
    otherItems: {},
    skippedPosts: [],
    skippedComments: {},
    repliesMadeTopLevel: 0,
    droppedTags: [],
  };
  for (const item of list(channel.item)) {
    const type = text(item["wp:post_type"]).trim() || "post";
    if (type !== "post") {
      plan.otherItems[type] = (plan.otherItems[type] ?? 0) + 1;
      continue;
    }
    const title = cut(lineText(text(item.title)).replace(CONTROL, ""), 200) || "(untitled)";
    const slug = slugOf(text(item["wp:post_name"]), title);
    const wpStatus = text(item["wp:status"]).trim();
    const commentsHere = list(item["wp:comment"]).length;
    const skip = (reason: string) => {
      plan.skippedPosts.push({ title, slug, reason });
      if (commentsHere > 0)
        plan.skippedComments["their post was left out"] =
          (plan.skippedComments["their post was left out"] ?? 0) + commentsHere;
    };
    const date = gmtInstant(text(item["wp:post_date_gmt"]));
    const modified = gmtInstant(text(item["wp:post_modified_gmt"]));
    let status: ImportStatus;
    let at: string;
    let publishAt: string | null = null;
    if (wpStatus === "publish" || wpStatus === "future") {
      if (!date) {
        skip(`${wpStatus === "publish" ? "published" : "scheduled"} without a date`);
        continue;
      }
      publishAt = date;
      // A scheduled date already past would have been published by WordPress by now.
      status = date > now ? "scheduled" : "published";
      at = date > now ? (modified && modified < now ? modified : now) : date;
    } else if (wpStatus === "draft" || wpStatus === "pending") {
      status = "draft";
      const written = modified ?? date ?? now;
      at = written > now ? now : written;
    } else {
      skip(SKIPPED_STATUSES[wpStatus] ?? `status "${wpStatus || "none"}"`);
      continue;
    }
    const { comments, madeTopLevel } = commentsOf(item, publishAt ?? at, plan.skippedComments);
    plan.repliesMadeTopLevel += madeTopLevel;
    const creator = text(item["dc:creator"]).trim();
    plan.posts.push({
      ref: text(item["wp:post_id"]).trim(),
      title,
      slug,
      status,
      at,
      publishAt,
      body: postHtmlToMarkdown(text(item["content:encoded"])),
      tags: tagsOf(item, slug, plan.droppedTags),
      byline: authors.get(creator) ?? (lineText(creator) || null),
      comments,
    });
  }
  return plan;
}
