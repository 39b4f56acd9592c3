import type { FastifyReply, FastifyRequest } from "fastify";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { z } from "zod";
import { endOfDayOrInstant } from "../../app/as-of.ts";
import type { Viewer } from "../../app/visibility.ts";
import { PUBLIC } from "../../app/visibility.ts";
import { localDate } from "../../domain/calendar.ts";
import { fail } from "../../domain/errors.ts";
import type { DisputeState } from "../../domain/state.ts";
import { CalendarDate } from "../../domain/values.ts";
import type { AssetUrls, DisputeFrame, PageContext } from "../../web/page-context.ts";
import { viewerOf } from "../viewer.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The site's public address (the page plugin's context has it). */
    siteOrigin?: string;
  }
  interface FastifyContextConfig {
    /** A page of the public site: the same for every reader, cached, never showing an account. */
    public?: boolean;
    /** A page other sites may show in a frame (the embeddable widget). */
    frameable?: boolean;
  }
}

/**
 * A policy for every page: scripts, styles and connections from this origin only, no framing.
 * Island props travel in JSON data blocks, which a script-src policy does not run.
 */
const policy = (frameAncestors: string) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `frame-ancestors ${frameAncestors}`,
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; ");
const CONTENT_SECURITY_POLICY = policy("'none'");
/** The widget is made to be framed by other sites; everything else about it stays as strict. */
const FRAMEABLE_POLICY = policy("*");

/** Whether the request is for a page of the public site (see FastifyContextConfig.public). */
export function isPublicPage(req: FastifyRequest): boolean {
  return req.routeOptions.config?.public === true;
}

// biome-ignore lint/suspicious/noExplicitAny: any page component's element, whatever its props
export function sendPage(reply: FastifyReply, page: VNode<any>, status = 200): FastifyReply {
  const config = reply.request.routeOptions.config;
  return (
    reply
      .code(status)
      .type("text/html; charset=utf-8")
      .header("content-security-policy", config?.frameable ? FRAMEABLE_POLICY : CONTENT_SECURITY_POLICY)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "same-origin")
      // A workspace page shows what one viewer may see: never kept by a shared cache. A public
      // page is the same for everyone (see PUBLIC_CACHE_CONTROL).
      .header("cache-control", config?.public && status === 200 ? PUBLIC_CACHE_CONTROL : "private, no-store")
      .send(`<!doctype html>${renderToString(page)}`)
  );
}

/**
 * A public page, feed or calendar: a shared cache (a CDN) may keep it a minute; a browser asks
 * again each time (a cheap 304 while its ETag holds), so that a reader who just commented, or
 * whose comment was just approved, sees the page as it is.
 */
export const PUBLIC_CACHE_CONTROL = "public, max-age=0, s-maxage=60";

export function pageContext(req: FastifyRequest, assets: AssetUrls): PageContext {
  // A public page never shows who is reading it: it is cached and served to everyone alike.
  const publicPage = isPublicPage(req);
  const caller = publicPage ? null : req.caller;
  return {
    caller,
    csrf: caller?.via.kind === "session" ? caller.via.csrf : null,
    assets,
    url: req.url,
    public: publicPage,
    origin: req.server.siteOrigin ?? "",
  };
}

/** A dispute page's reader, state (as of the day asked for) and frame, read through the app. */
export interface DisputePage {
  viewer: Viewer;
  frame: DisputeFrame;
  /** The dispute as the viewer sees it as of the frame's day (or now). */
  state: DisputeState;
  /** The instant the page is as of: the end of the asked-for day, or now. */
  instant: string;
}

/**
 * The day a dispute page is seen as of: `?as-of=` (the public site's links) or `?asOf=` (the
 * workspace's). Route schemas extend this so the validated query keeps both.
 */
export const DayQuery = z.object({
  "as-of": z.string().max(64).optional(),
  asOf: z.string().max(64).optional(),
});

/** The day a page's query asks for, whichever spelling it used. */
export function dayOf(query: unknown): unknown {
  const q = query as { "as-of"?: unknown; asOf?: unknown } | undefined;
  return q?.["as-of"] ?? q?.asOf;
}

/** `?as-of=` on a page is a calendar day; anything else is a 400 that says so. */
export function asOfParam(value: unknown): string | null {
  if (value === undefined || value === "") return null;
  const parsed = CalendarDate.safeParse(value);
  if (!parsed.success) fail("VALIDATION_FAILED", "as-of: expected a date, YYYY-MM-DD");
  return parsed.data;
}

/**
 * A dispute page's reader, state and frame. On the public site the reader is the public,
 * whoever is signed in: the page is cached and shared.
 */
export async function disputePage(
  req: FastifyRequest,
  slug: string,
  asOfValue: unknown = dayOf(req.query),
): Promise<DisputePage> {
  const parley = req.server.parley;
  const asOf = asOfParam(asOfValue);
  const publicPage = isPublicPage(req);
  const viewer = publicPage ? PUBLIC : await viewerOf(parley, slug, req.caller);
  const current = await parley.view(slug, viewer);
  if (!current.opened) fail("DISPUTE_UNKNOWN", `no dispute ${JSON.stringify(slug)}`);
  const tz = current.opened.timeZone;
  const now = parley.now();
  const today = localDate(now, tz);
  const firstDate = localDate(current.opened.openedAt, tz);
  if (asOf !== null && (asOf < firstDate || asOf > today)) {
    fail("VALIDATION_FAILED", `as-of: the record runs from ${firstDate} to ${today}`);
  }
  const instant = asOf === null ? now : endOfDayOrInstant(asOf, tz);
  const state = asOf === null ? current : await parley.view(slug, viewer, { asOf: instant });
  return {
    viewer,
    state,
    instant,
    frame: { slug, title: current.opened.title, timeZone: tz, firstDate, today, asOf, public: publicPage },
  };
}

/**
 * Where a dispute's read-only pages live: in the workspace, as the signed-in reader may see
 * them, and on the public site, as the public may, cached and the same for everyone.
 */
export const DISPUTE_SITES = [
  { prefix: "/d", config: {} },
  { prefix: "/disputes", config: { public: true } },
] as const;
