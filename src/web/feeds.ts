import { Feed } from "feed";
import type { PostSummary } from "../app/posts.ts";
import type { TimelineItem } from "../app/timeline-query.ts";
import type { DisputeState } from "../domain/state.ts";
import { describeEntry, entryOf, orgName, TYPE_LABELS } from "./describe.ts";

/**
 * RSS 2.0 and Atom 1.0 feeds of the public site, written by the `feed` package. The items come
 * in already read as the public may see them: this module only says them in feed form.
 */

export type FeedFormat = "rss" | "atom";

export const FEED_TYPES: Record<FeedFormat, string> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
};

/** One item of a feed, whatever it came from (a ledger entry, a post). */
export interface FeedItem {
  /** A permanent absolute URL: feed readers tell items apart by it. */
  id: string;
  link: string;
  title: string;
  /** Plain text. */
  summary: string;
  /** When it happened or was published (ISO instant). */
  date: string;
  author: string;
  categories: string[];
}

export interface FeedMeta {
  title: string;
  description: string;
  /** The page the feed follows (absolute). */
  link: string;
  /** The feed's own address without its extension (absolute): `.rss` and `.atom` are added. */
  self: string;
}

/** The `n` newest items, newest first. */
export function newest(items: FeedItem[], n: number): FeedItem[] {
  return [...items].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0)).slice(0, n);
}

/** Items newest first; the feed is as new as its newest item. */
export function renderFeed(format: FeedFormat, meta: FeedMeta, items: FeedItem[]): string {
  const sorted = newest(items, items.length);
  const feed = new Feed({
    id: meta.link,
    title: meta.title,
    description: meta.description,
    link: meta.link,
    language: "en",
    generator: "Parley",
    // A feed with nothing in it yet still needs a stable date, not the time it was asked for.
    updated: new Date(sorted[0]?.date ?? "2000-01-01T00:00:00Z"),
    feedLinks: { rss: `${meta.self}.rss`, atom: `${meta.self}.atom` },
  });
  for (const item of sorted) {
    feed.addItem({
      id: item.id,
      guid: item.id,
      link: item.link,
      title: item.title,
      description: item.summary,
      date: new Date(item.date),
      author: [{ name: item.author }],
      category: item.categories.map((name) => ({ name, term: name })),
    });
  }
  return format === "rss" ? feed.rss2() : feed.atom1();
}

/** A public ledger entry as a feed item, linking to its page on the public site. */
export function entryFeedItem(
  item: TimelineItem,
  slug: string,
  state: DisputeState,
  origin: string,
): FeedItem {
  const entry = entryOf(item);
  const opened = state.opened!;
  const url = `${origin}${entryPath(slug, item.seq)}`;
  const text = describeEntry(entry, state, opened.timeZone);
  return {
    id: url,
    link: url,
    title: `${TYPE_LABELS[entry.type] ?? entry.type}: ${shorten(text, 110)}`,
    summary: text,
    date: item.occurredAt,
    author: orgName(state, item.org),
    categories: [TYPE_LABELS[entry.type] ?? entry.type, opened.title],
  };
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** A live post as a feed item. */
export function postFeedItem(post: PostSummary, origin: string): FeedItem {
  const url = `${origin}/news/${encodeURIComponent(post.slug)}`;
  return {
    id: url,
    link: url,
    title: post.title,
    summary: post.excerpt,
    date: post.publishedAt ?? post.publishAt ?? post.createdAt,
    author: `${post.author.name}, ${post.orgName}`,
    categories: post.tags,
  };
}

/** An entry's page on the public site. */
export function entryPath(slug: string, seq: number): string {
  return `/disputes/${encodeURIComponent(slug)}/entries/${seq}`;
}
