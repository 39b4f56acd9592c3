import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PUBLIC } from "../app/visibility.ts";
import { PUBLIC_CACHE_CONTROL } from "./pages/render.ts";

/**
 * Validators for what the public reads of a dispute through the JSON API. An anonymous answer
 * is a function of the URL, of the entries the public may see (their count: the record only
 * grows, and whatever changes what the public sees is a new public entry, a publication or a
 * correction), and of the clock (day counters, days waiting; the minute is fine enough). So the
 * ETag is made of those three, computed before the handler: a revalidation that still holds is
 * a 304 without reading or rendering anything. A cache in front may keep an answer a minute.
 * Signed-in callers see private entries and get neither validator nor shared caching.
 */
const SKIPPED = new Set(["/api/v1/disputes/:slug/stream", "/api/v1/disputes/:slug/export"]);

declare module "fastify" {
  interface FastifyRequest {
    publicEtag?: string;
  }
}

/** Per store, the count of public entries per dispute, kept while the store's stamp stands still. */
const countsOf = new WeakMap<object, Map<string, { stamp: string; visible: number }>>();
const COUNTS_KEPT = 1024;

async function visibleEntries(req: FastifyRequest, slug: string): Promise<number> {
  const parley = req.server.parley;
  let counts = countsOf.get(parley);
  if (!counts) {
    counts = new Map();
    countsOf.set(parley, counts);
  }
  const stamp = await parley.stamp();
  const known = counts.get(slug);
  if (known?.stamp === stamp) return known.visible;
  const visible = (await parley.view(slug, PUBLIC)).entries;
  if (counts.size >= COUNTS_KEPT) counts.delete(counts.keys().next().value!);
  counts.set(slug, { stamp, visible });
  return visible;
}

export function publicEtags(app: FastifyInstance): void {
  app.addHook("preHandler", async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== "GET" && req.method !== "HEAD") return;
    if (req.caller !== null || req.headers.authorization || req.headers.cookie?.includes("parley_session"))
      return;
    const route = req.routeOptions.url ?? "";
    if (!route.startsWith("/api/v1/disputes/:slug") || SKIPPED.has(route)) return;
    const slug = (req.params as { slug?: unknown }).slug;
    if (typeof slug !== "string") return;
    let visible: number;
    try {
      visible = await visibleEntries(req, slug);
    } catch {
      return; // An unknown dispute: the handler answers with its error.
    }
    const minute = req.server.parley.now().slice(0, 16);
    const url = createHash("sha256").update(req.url).digest("base64url").slice(0, 16);
    const tag = `W/"${url}.${visible}.${minute}"`;
    req.publicEtag = tag;
    if (matches(req.headers["if-none-match"], tag)) {
      return reply.code(304).header("etag", tag).header("cache-control", PUBLIC_CACHE_CONTROL).send();
    }
  });
  app.addHook("onSend", async (req, reply, payload) => {
    if (req.publicEtag && reply.statusCode === 200) {
      reply.header("etag", req.publicEtag).header("cache-control", PUBLIC_CACHE_CONTROL);
    }
    return payload;
  });
}

/** If-None-Match holds the tag (weak comparison, as RFC 9110 asks for it; or `*`). */
function matches(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  const bare = tag.replace(/^W\//, "");
  return header.split(",").some((t) => {
    const candidate = t.trim();
    return candidate === "*" || candidate.replace(/^W\//, "") === bare;
  });
}
