import type { FastifyReply, FastifyRequest } from "fastify";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { endOfDayOrInstant } from "../../app/as-of.ts";
import type { Viewer } from "../../app/visibility.ts";
import { localDate } from "../../domain/calendar.ts";
import { fail } from "../../domain/errors.ts";
import type { DisputeState } from "../../domain/state.ts";
import { CalendarDate } from "../../domain/values.ts";
import type { AssetUrls, DisputeFrame, PageContext } from "../../web/page-context.ts";
import { viewerOf } from "../viewer.ts";

/**
 * A policy for every page: scripts, styles and connections from this origin only, no framing.
 * Island props travel in JSON data blocks, which a script-src policy does not run.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

// biome-ignore lint/suspicious/noExplicitAny: any page component's element, whatever its props
export function sendPage(reply: FastifyReply, page: VNode<any>, status = 200): FastifyReply {
  return (
    reply
      .code(status)
      .type("text/html; charset=utf-8")
      .header("content-security-policy", CONTENT_SECURITY_POLICY)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "same-origin")
      // Pages show what one viewer may see: never kept by a shared cache.
      .header("cache-control", "private, no-store")
      .send(`<!doctype html>${renderToString(page)}`)
  );
}

export function pageContext(req: FastifyRequest, assets: AssetUrls): PageContext {
  const caller = req.caller;
  return {
    caller,
    csrf: caller?.via.kind === "session" ? caller.via.csrf : null,
    assets,
    url: req.url,
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

/** `?asOf=` on a page is a calendar day; anything else is a 400 that says so. */
export function asOfParam(value: unknown): string | null {
  if (value === undefined || value === "") return null;
  const parsed = CalendarDate.safeParse(value);
  if (!parsed.success) fail("VALIDATION_FAILED", "asOf: expected a date, YYYY-MM-DD");
  return parsed.data;
}

export async function disputePage(
  req: FastifyRequest,
  slug: string,
  asOfValue: unknown,
): Promise<DisputePage> {
  const parley = req.server.parley;
  const asOf = asOfParam(asOfValue);
  const viewer = await viewerOf(parley, slug, req.caller);
  const current = await parley.view(slug, viewer);
  if (!current.opened) fail("DISPUTE_UNKNOWN", `no dispute ${JSON.stringify(slug)}`);
  const tz = current.opened.timeZone;
  const now = parley.now();
  const today = localDate(now, tz);
  const firstDate = localDate(current.opened.openedAt, tz);
  if (asOf !== null && (asOf < firstDate || asOf > today)) {
    fail("VALIDATION_FAILED", `asOf: the record runs from ${firstDate} to ${today}`);
  }
  const instant = asOf === null ? now : endOfDayOrInstant(asOf, tz);
  const state = asOf === null ? current : await parley.view(slug, viewer, { asOf: instant });
  return {
    viewer,
    state,
    instant,
    frame: { slug, title: current.opened.title, timeZone: tz, firstDate, today, asOf },
  };
}
