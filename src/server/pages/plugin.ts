import fastifyFormbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { fail } from "../../domain/errors.ts";
import { ASSET_PREFIX, type Assets } from "../../web/assets.ts";
import { ErrorPage, HomePage } from "../../web/pages/basic.tsx";
import { toErrorReply } from "../errors.ts";
import type { Api } from "../server.ts";
import { viewerOf } from "../viewer.ts";
import { dashboardPage } from "./dashboard.ts";
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
  loginsPerMinute: number,
): Promise<PageRoute[]> {
  const routes: PageRoute[] = [];
  await app.register(async (instance: FastifyInstance) => {
    const pages = instance as unknown as Api;
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

    pages.get("/", { schema: { hide: true } }, async (req, reply) => homePage(req, reply, assets));
    sessionPages(pages, assets, loginsPerMinute);
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
