import fastifyFormbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { PUBLIC } from "../../app/visibility.ts";
import { fail, ParleyError } from "../../domain/errors.ts";
import type { Status } from "../../domain/status.ts";
import { ASSET_PREFIX, type Assets } from "../../web/assets.ts";
import { ErrorPage, HomePage } from "../../web/pages/basic.tsx";
import { PublicHomePage } from "../../web/pages/public-home.tsx";
import { requireCaller } from "../auth.ts";
import { toErrorReply } from "../errors.ts";
import type { Api } from "../server.ts";
import { viewerOf } from "../viewer.ts";
import { dashboardPage } from "./dashboard.ts";
import { postListContext } from "./news.ts";
import { publicPageCache } from "./public-cache.ts";
import { pageContext, sendPage } from "./render.ts";
import { sessionPages } from "./session.ts";

/** A page route's method and URL pattern. */
export interface PageRoute {
  method: string;
  url: string;
}

/** Registers a group of pages; each gets the assets for its layout. */
export type PageRoutes = (pages: Api, assets: Assets) => void;

/**
 * The workspace: server-rendered pages over the same application services as the API. They
 * live in their own Fastify context so that HTML forms (urlencoded bodies) are parsed here and
 * nowhere in the JSON API, and errors come back as pages rather than JSON.
 */
export async function pagePlugin(
  app: Api,
  assets: Assets,
  groups: PageRoutes[],
  opts: { loginsPerMinute: number; origin: string },
): Promise<PageRoute[]> {
  const routes: PageRoute[] = [];
  await app.register(async (instance: FastifyInstance) => {
    const pages = instance as unknown as Api;
    pages.decorate("siteOrigin", opts.origin);
    // What a public page shows changes with the record, the newsroom and (day counters,
    // scheduled posts) the clock.
    publicPageCache(
      instance,
      async () =>
        `${await app.parley.stamp()}|${app.posts.version()}|${app.comments.version()}|${app.parley.now().slice(0, 16)}`,
    );
    // Every page route, so tests can hold each to the authorization rules (pages are not in OpenAPI).
    pages.addHook("onRoute", (r) => {
      for (const method of [r.method].flat()) if (method !== "HEAD") routes.push({ method, url: r.url });
    });
    await pages.register(fastifyFormbody);

    // A form post must come from this origin: browsers send Origin with every POST, and a
    // cross-site one (a forged sign-in, say) is refused before anything reads its body.
    pages.addHook("onRequest", async (req) => {
      if (req.method !== "POST") return;
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== "null" && safeHost(origin) !== req.headers.host) {
        fail("CSRF_FAILED", "this form was sent from another site");
      }
    });

    pages.setErrorHandler((err, req, reply) => {
      const { status, body, unexpected } = toErrorReply(err);
      if (unexpected) req.log.error({ err }, "page failed");
      // Someone signed out who opens a page that needs an account is asked to sign in first.
      if (status === 401 && req.method === "GET") {
        return reply.redirect(`/signin?next=${encodeURIComponent(req.url)}`, 303);
      }
      return sendPage(
        reply,
        h(ErrorPage, { ctx: pageContext(req, assets.urls), status, ...body.error }),
        status,
      );
    });

    pages.get(`${ASSET_PREFIX}:file`, { schema: { hide: true } }, async (req, reply) => {
      const file = assets.files.get((req.params as { file: string }).file);
      if (!file) fail("ROUTE_UNKNOWN", "no such asset");
      if (req.headers["if-none-match"] === file.etag) return reply.code(304).send();
      return reply
        .type(file.type)
        .header("etag", file.etag)
        .header("cache-control", "public, max-age=31536000, immutable")
        .send(file.body);
    });

    pages.get("/", { schema: { hide: true }, config: { public: true } }, async (req, reply) =>
      publicHomePage(req, reply, assets),
    );
    pages.get("/workspace", { schema: { hide: true } }, async (req, reply) => {
      // Signed out, the public front page is the one to read; this one is for accounts.
      requireCaller(req);
      return homePage(req, reply, assets);
    });
    sessionPages(pages, assets, opts.loginsPerMinute);
    dashboardPage(pages, assets);
    for (const group of groups) group(pages, assets);
  });
  return routes;
}

function safeHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** The public front page: every dispute the public may see, with its counters. */
async function publicHomePage(req: FastifyRequest, reply: FastifyReply, assets: Assets) {
  const parley = req.server.parley;
  const disputes: Status[] = [];
  for (const d of await parley.disputes()) {
    try {
      disputes.push(await parley.status(d.slug, PUBLIC));
    } catch (err) {
      // A dispute with nothing public yet is not listed.
      if (!(err instanceof ParleyError && err.code === "DISPUTE_UNKNOWN")) throw err;
    }
  }
  const { posts: news } = await req.server.posts.listPublished({ limit: 5 });
  return sendPage(
    reply,
    h(PublicHomePage, {
      ctx: pageContext(req, assets.urls),
      disputes,
      news,
      newsContext: await postListContext(req.server as Api, news),
    }),
  );
}

/** The workspace's front page: the disputes as the signed-in reader may see them. */
async function homePage(req: FastifyRequest, reply: FastifyReply, assets: Assets) {
  const parley = req.server.parley;
  const disputes = [];
  for (const d of await parley.disputes()) {
    const state = await parley.view(d.slug, await viewerOf(parley, d.slug, req.caller));
    if (!state.opened) continue; // nothing of it this reader may see
    disputes.push({
      slug: d.slug,
      title: state.opened.title,
      sides: Object.values(state.sides)
        .sort((a, b) => a.order - b.order)
        .map((s) => s.shortName)
        .join(" and "),
      entries: state.entries,
    });
  }
  return sendPage(reply, h(HomePage, { ctx: pageContext(req, assets.urls), disputes }));
}

/**
 * HTML for a browser that asks for a path no route has (outside the API), the API's JSON
 * error for everyone else.
 */
export function wantsHtml(req: FastifyRequest): boolean {
  return !req.url.startsWith("/api/") && (req.headers.accept ?? "").includes("text/html");
}
