import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Caller } from "../../app/accounts.ts";
import { disputeCalendar, meetingCalendar } from "../../app/calendar-feed.ts";
import type { Parley } from "../../app/parley.ts";
import { fail } from "../../domain/errors.ts";
import type { DisputeState } from "../../domain/state.ts";
import { Id } from "../../domain/values.ts";
import type { Api } from "../server.ts";
import { viewerOf } from "../viewer.ts";

const Slug = z.object({ slug: Id });
const SlugAndMeeting = z.object({ slug: Id, meeting: Id });
const FeedKey = z
  .object({
    key: z
      .string()
      .max(200)
      .optional()
      .describe("a calendar key (POST /api/v1/tokens with scope `calendar`), for apps that subscribe by URL"),
  })
  .strict();

/**
 * Who reads the feed: the request's own caller (cookie or Bearer token), else the account a
 * calendar key in the URL belongs to. A key that is wrong, revoked or not a calendar key is a
 * 401, never a silent fall back to the public view (a subscription would quietly go empty).
 */
async function feedReader(req: FastifyRequest, key: string | undefined): Promise<Caller | null> {
  if (key === undefined) return req.caller;
  const caller = await req.server.accounts.byToken(key, "calendar");
  if (!caller) fail("AUTH_REQUIRED", "the calendar key is unknown or revoked");
  return caller;
}

async function stateFor(parley: Parley, slug: string, caller: Caller | null): Promise<DisputeState> {
  const state = await parley.view(slug, await viewerOf(parley, slug, caller));
  // As for the status: a dispute whose opening this caller may not see does not exist for them.
  if (!state.opened) fail("DISPUTE_UNKNOWN");
  return state;
}

function sendCalendar(reply: FastifyReply, ics: string) {
  return (
    reply
      .type("text/calendar; charset=utf-8")
      // The body depends on who asks (cookie or token): no shared cache may hand it to someone else.
      .header("cache-control", "private, no-cache")
      .send(ics)
  );
}

export function calendarRoutes(api: Api): void {
  api.get(
    "/api/v1/disputes/:slug/calendar.ics",
    {
      schema: {
        summary: "The dispute's meetings as an iCalendar feed, as the caller may see them",
        description:
          "One event per meeting that has a start and an end, in the dispute's time zone; a cancelled meeting stays in the feed with STATUS:CANCELLED so subscribed calendars drop it.",
        tags: ["calendars"],
        params: Slug,
        querystring: FeedKey,
      },
    },
    async (req, reply) => {
      const state = await stateFor(req.server.parley, req.params.slug, await feedReader(req, req.query.key));
      return sendCalendar(reply, disputeCalendar(state));
    },
  );

  api.get(
    "/api/v1/disputes/:slug/meetings/:meeting.ics",
    {
      schema: {
        summary: "One meeting as an iCalendar file, if the caller may see it",
        tags: ["calendars"],
        params: SlugAndMeeting,
        querystring: FeedKey,
      },
    },
    async (req, reply) => {
      const { slug, meeting } = req.params;
      const state = await stateFor(req.server.parley, slug, await feedReader(req, req.query.key));
      // One answer whether the meeting is hidden from this caller or absent: a 404 that told
      // them apart would reveal that the other side has scheduled something.
      if (!Object.hasOwn(state.meetings, meeting))
        fail("MEETING_UNKNOWN", `unknown meeting ${meeting}`, { meeting });
      const ics = meetingCalendar(state, meeting);
      // Saying why is safe here: the caller's own view already shows this meeting.
      if (ics === null) fail("MEETING_UNKNOWN", `meeting ${meeting} has no start and end yet`, { meeting });
      return sendCalendar(reply, ics);
    },
  );
}
