import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isPublicPage } from "./render.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when a public page missed the cache: where its rendering is to be kept. */
    publicCacheKey?: string;
  }
}

/** One representation of a cached page, encoded once, with its own entity tag. */
interface Representation {
  body: Buffer;
  etag: string;
}

interface Cached {
  identity: Representation;
  /** Gzip, for the readers (every browser) that accept it: a page of 200 comments shrinks ~10×. */
  gzip: Representation | null;
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

/** Below this, compressing saves less than it costs. */
const GZIP_FROM_BYTES = 1024;

/** Whether the request's Accept-Encoding takes gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(",")) {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

function tag(body: Buffer, suffix = ""): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}${suffix}"`;
}

/**
 * Public pages (and feeds) are the same for every reader, so each is rendered once per change
 * of what it shows and then served from memory, plain or gzipped, with an ETag for conditional
 * requests. The key is the URL and `version`, which must change whenever the rendering could:
 * with every commit to the record or the newsroom, and with the clock (day counters, scheduled
 * posts). Most-recently-used entries are kept, up to `max`.
 */
export function publicPageCache(
  instance: FastifyInstance,
  version: () => Promise<string>,
  max = 256,
): { size(): number } {
  const entries = new Map<string, Cached>();

  /** The representation this reader takes, its headers set on the reply. */
  const represent = (req: FastifyRequest, reply: FastifyReply, hit: Cached): Representation => {
    const gzip = hit.gzip && acceptsGzip(req.headers["accept-encoding"]) ? hit.gzip : null;
    const chosen = gzip ?? hit.identity;
    reply.header("etag", chosen.etag).header("vary", "accept-encoding");
    if (gzip) reply.header("content-encoding", "gzip");
    return chosen;
  };

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
    const chosen = represent(req, reply.headers(hit.headers), hit);
    if (req.headers["if-none-match"] === chosen.etag) return reply.code(304).send();
    return reply.send(chosen.body);
  });

  instance.addHook("onSend", async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const key = req.publicCacheKey;
    if (key === undefined || reply.statusCode !== 200 || typeof payload !== "string") return payload;
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = reply.getHeader(name);
      if (typeof value === "string") headers[name] = value;
    }
    const body = Buffer.from(payload);
    const gzip = body.length >= GZIP_FROM_BYTES ? gzipSync(body, { level: 6 }) : null;
    const hit: Cached = {
      identity: { body, etag: tag(body) },
      gzip: gzip ? { body: gzip, etag: tag(body, "-gz") } : null,
      headers,
    };
    entries.set(key, hit);
    if (entries.size > max) entries.delete(entries.keys().next().value!);
    // The first reader gets what every later one will: the same bytes, encoding and tag.
    return represent(req, reply, hit).body;
  });

  return { size: () => entries.size };
}
