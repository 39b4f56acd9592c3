import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isPublicPage } from "./render.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when a public page missed the cache: where its rendering is to be kept. */
    publicCacheKey?: string;
  }
}

interface Cached {
  /** Encoded once: sending a buffer skips encoding the page again for every reader. */
  body: Buffer;
  etag: string;
  headers: Record<string, string>;
}

/** The response headers a cached page is sent again with. */
const KEPT_HEADERS = [
  "content-type",
  "content-security-policy",
  "x-content-type-options",
  "referrer-policy",
  "cache-control",
];

/**
 * Public pages (and feeds) are the same for every reader, so each is rendered once per change
 * of what it shows and then served from memory, with an ETag for conditional requests. The key
 * is the URL and `version`, which must change whenever the rendering could: with every commit
 * to the record or the newsroom, and with the clock (day counters, scheduled posts).
 * Most-recently-used entries are kept, up to `max`.
 */
export function publicPageCache(
  instance: FastifyInstance,
  version: () => Promise<string>,
  max = 256,
): { size(): number } {
  const entries = new Map<string, Cached>();

  instance.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== "GET" || !isPublicPage(req)) return;
    const key = `${req.url}\n${await version()}`;
    const hit = entries.get(key);
    if (!hit) {
      req.publicCacheKey = key;
      return;
    }
    entries.delete(key);
    entries.set(key, hit);
    reply.headers(hit.headers).header("etag", hit.etag);
    if (req.headers["if-none-match"] === hit.etag) return reply.code(304).send();
    return reply.send(hit.body);
  });

  instance.addHook("onSend", async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const key = req.publicCacheKey;
    if (key === undefined || reply.statusCode !== 200 || typeof payload !== "string") return payload;
    const etag = `"${createHash("sha256").update(payload).digest("base64url").slice(0, 22)}"`;
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = reply.getHeader(name);
      if (typeof value === "string") headers[name] = value;
    }
    entries.set(key, { body: Buffer.from(payload), etag, headers });
    if (entries.size > max) entries.delete(entries.keys().next().value!);
    reply.header("etag", etag);
    return payload;
  });

  return { size: () => entries.size };
}
