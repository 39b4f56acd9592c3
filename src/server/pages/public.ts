import type { FastifyReply } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { disputeCalendar } from "../../app/calendar-feed.ts";
import type { Parley } from "../../app/parley.ts";
import { leafHashOf } from "../../app/timeline-query.ts";
import { PUBLIC } from "../../app/visibility.ts";
import { fail, ParleyError } from "../../domain/errors.ts";
import { Id } from "../../domain/values.ts";
import {
  entryFeedItem,
  FEED_TYPES,
  type FeedFormat,
  type FeedItem,
  newest,
  postFeedItem,
  renderFeed,
} from "../../web/feeds.ts";
import { EmbedPage } from "../../web/pages/embed.tsx";
import { EntryPage } from "../../web/pages/entry.tsx";
import type { Api } from "../server.ts";
import type { PageRoutes } from "./plugin.ts";
import {
  DayQuery,
  DISPUTE_SITES,
  disputePage,
  PUBLIC_CACHE_CONTROL,
  pageContext,
  sendPage,
} from "./render.ts";

/** Items in a feed: enough for a reader who checks daily, small enough to fetch often. */
const FEED_ITEMS = 50;
const PUBLIC_ONLY = { public: true };
const SITEMAP_MAX = 50_000;
const Slug = z.object({ slug: Id });
const Format = z.enum(["rss", "atom"]);

/**
 * The public site beyond the dispute pages: each entry's permanent page, feeds, the meetings
 * calendar, the embeddable widget, and what search engines read (sitemap, robots). Everything
 * here is read as the public, whoever asks, and cached like every public page.
 */
export const publicPages: PageRoutes = (pages, assets) => {
  for (const site of DISPUTE_SITES) {
    pages.get(
      `${site.prefix}/:slug/entries/:seq`,
      {
        schema: {
          hide: true,
          params: z.object({ slug: Id, seq: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
          querystring: DayQuery,
        },
        config: site.config,
      },
      async (req, reply) => {
        const { slug, seq } = req.params;
        const page = await disputePage(req, slug);
        const item = await req.server.parley.entry(slug, page.viewer, seq);
        // Hidden and absent look the same; so does an entry that was not yet readable on the day.
        if (!item || (page.frame.asOf !== null && item.occurredAt > page.instant)) {
          fail("ENTRY_UNKNOWN", `no entry ${seq} in this dispute`);
        }
        return sendPage(
          reply,
          h(EntryPage, {
            ctx: pageContext(req, assets.urls),
            frame: page.frame,
            state: page.state,
            item,
            leafHash: leafHashOf(item),
          }),
        );
      },
    );
  }

  pages.get(
    "/disputes/:slug/embed",
    {
      schema: { hide: true, params: Slug, querystring: DayQuery },
      config: { public: true, frameable: true },
    },
    async (req, reply) => {
      // The day is checked against the dispute's life as on every dispute page.
      const page = await disputePage(req, req.params.slug);
      const status = await req.server.parley.status(req.params.slug, PUBLIC, page.frame.asOf ?? undefined);
      return sendPage(reply, h(EmbedPage, { ctx: pageContext(req, assets.urls), status }));
    },
  );

  pages.get(
    "/disputes/:slug/feed.:format",
    { schema: { hide: true, params: Slug.extend({ format: Format }) }, config: PUBLIC_ONLY },
    async (req, reply) => {
      const { slug, format } = req.params;
      const parley = req.server.parley;
      const state = await parley.view(slug, PUBLIC);
      if (!state.opened) fail("DISPUTE_UNKNOWN", `no dispute ${JSON.stringify(slug)}`);
      const origin = req.server.siteOrigin ?? "";
      const page = `${origin}/disputes/${encodeURIComponent(slug)}`;
      const items = [
        ...(await latestEntries(parley, slug, origin)),
        ...(await latestPosts(req.server, origin, slug)),
      ];
      const body = renderFeed(
        format,
        {
          title: `${state.opened.title} · Parley`,
          description: `The public record of ${state.opened.title}: statements, offers, meetings and the strike, as the parties signed them.`,
          link: page,
          self: `${page}/feed`,
        },
        newest(items, FEED_ITEMS),
      );
      return sendFeed(reply, format, body);
    },
  );

  pages.get(
    "/feed.:format",
    { schema: { hide: true, params: z.object({ format: Format }) }, config: PUBLIC_ONLY },
    async (req, reply) => {
      const parley = req.server.parley;
      const origin = req.server.siteOrigin ?? "";
      const items: FeedItem[] = [];
      for (const d of await parley.disputes()) items.push(...(await latestEntries(parley, d.slug, origin)));
      items.push(...(await latestPosts(req.server, origin)));
      const body = renderFeed(
        req.params.format,
        {
          title: "Parley",
          description: "Labor negotiations and the strikes around them, from the parties' own signed record.",
          link: `${origin}/`,
          self: `${origin}/feed`,
        },
        newest(items, FEED_ITEMS),
      );
      return sendFeed(reply, req.params.format, body);
    },
  );

  pages.get(
    "/disputes/:slug/calendar.ics",
    { schema: { hide: true, params: Slug }, config: PUBLIC_ONLY },
    async (req, reply) => {
      const state = await req.server.parley.view(req.params.slug, PUBLIC);
      if (!state.opened) fail("DISPUTE_UNKNOWN", `no dispute ${JSON.stringify(req.params.slug)}`);
      return reply
        .type("text/calendar; charset=utf-8")
        .header("cache-control", PUBLIC_CACHE_CONTROL)
        .send(disputeCalendar(state));
    },
  );

  pages.get("/robots.txt", { schema: { hide: true }, config: PUBLIC_ONLY }, async (req, reply) => {
    const origin = req.server.siteOrigin ?? "";
    // The workspace and the API are for people with accounts and programs, not for indexes.
    const body = [
      "User-agent: *",
      "Disallow: /d/",
      "Disallow: /api/",
      "Disallow: /workspace",
      "Disallow: /account",
      "Disallow: /signin",
      "Allow: /",
      "",
      `Sitemap: ${origin}/sitemap.xml`,
      "",
    ].join("\n");
    return reply.type("text/plain; charset=utf-8").header("cache-control", PUBLIC_CACHE_CONTROL).send(body);
  });

  pages.get("/sitemap.xml", { schema: { hide: true }, config: PUBLIC_ONLY }, async (req, reply) => {
    const origin = req.server.siteOrigin ?? "";
    const parley = req.server.parley;
    const urls: { loc: string; lastmod?: string }[] = [{ loc: `${origin}/` }];
    for (const d of await parley.disputes()) {
      let state: Awaited<ReturnType<Parley["view"]>>;
      try {
        state = await parley.view(d.slug, PUBLIC);
      } catch (err) {
        if (err instanceof ParleyError && err.code === "DISPUTE_UNKNOWN") continue;
        throw err;
      }
      if (!state.opened) continue;
      const base = `${origin}/disputes/${encodeURIComponent(d.slug)}`;
      const lastmod = state.lastOccurredAt?.slice(0, 10);
      for (const path of ["", "/timeline", "/issues", "/statements", "/impact"]) {
        urls.push({ loc: `${base}${path}`, ...(lastmod ? { lastmod } : {}) });
      }
      for (const issue of Object.keys(state.issues).sort()) {
        urls.push({ loc: `${base}/issues/${encodeURIComponent(issue)}` });
      }
    }
    urls.push({ loc: `${origin}/news` });
    let before: string | null = null;
    do {
      const page = await req.server.posts.listPublished({ limit: 100, ...(before ? { before } : {}) });
      for (const p of page.posts) {
        const lastmod = (p.updatedAt ?? p.publishedAt)?.slice(0, 10);
        urls.push({ loc: `${origin}/news/${encodeURIComponent(p.slug)}`, ...(lastmod ? { lastmod } : {}) });
      }
      before = page.next;
      // A sitemap file holds at most 50,000 addresses.
    } while (before !== null && urls.length < SITEMAP_MAX);
    const body = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
      ...urls.map(
        (u) =>
          `<url><loc>${xmlEscape(u.loc)}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ""}</url>`,
      ),
      "</urlset>",
      "",
    ].join("\n");
    return reply
      .type("application/xml; charset=utf-8")
      .header("cache-control", PUBLIC_CACHE_CONTROL)
      .send(body);
  });
};

/** The newest live posts, of one dispute or all, as feed items. */
async function latestPosts(server: Api, origin: string, dispute?: string): Promise<FeedItem[]> {
  const { posts } = await server.posts.listPublished({ ...(dispute ? { dispute } : {}), limit: FEED_ITEMS });
  return posts.map((p) => postFeedItem(p, origin));
}

/** The newest public entries of a dispute, as feed items. */
async function latestEntries(parley: Parley, slug: string, origin: string): Promise<FeedItem[]> {
  const state = await parley.view(slug, PUBLIC);
  if (!state.opened) return [];
  const { items } = await parley.timeline(slug, PUBLIC, { order: "desc", limit: FEED_ITEMS });
  return items.map((item) => entryFeedItem(item, slug, state, origin));
}

function sendFeed(reply: FastifyReply, format: FeedFormat, body: string) {
  return reply.type(FEED_TYPES[format]).header("cache-control", PUBLIC_CACHE_CONTROL).send(body);
}

function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
