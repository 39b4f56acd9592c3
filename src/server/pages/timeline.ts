import { h } from "preact";
import { z } from "zod";
import type { Parley } from "../../app/parley.ts";
import type { TimelineQuery } from "../../app/timeline-query.ts";
import type { Viewer } from "../../app/visibility.ts";
import { stoppageDay, stoppageLastDay } from "../../domain/calendar.ts";
import { fail } from "../../domain/errors.ts";
import { ENTRY_TYPES } from "../../domain/events.ts";
import type { DisputeState } from "../../domain/state.ts";
import { Id, Visibility } from "../../domain/values.ts";
import {
  stoppageLabel,
  type TimelineChartData,
  type TimelineFilters,
  TimelinePage,
} from "../../web/pages/timeline.tsx";
import type { PageRoutes } from "./plugin.ts";
import { DayQuery, DISPUTE_SITES, disputePage, pageContext, sendPage } from "./render.ts";

export const PAGE_SIZE = 50;

/** The filter form's fields: each one value or several (a repeated key); an empty select is no filter. */
const TimelinePageQuery = z
  .object({
    type: z.union([z.enum(ENTRY_TYPES), z.array(z.enum(ENTRY_TYPES)).max(ENTRY_TYPES.length)]).optional(),
    issue: z.union([z.literal(""), Id]).optional(),
    org: z.union([z.literal(""), Id]).optional(),
    visibility: z.union([Visibility, z.array(Visibility).max(Visibility.options.length)]).optional(),
    after: z.string().min(1).max(200).optional(),
  })
  .extend(DayQuery.shape);

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : ([...new Set([v].flat())] as T[]));

const seconds = (instant: string) => Math.floor(Date.parse(instant) / 1000);

/**
 * What the chart draws, from reads this viewer may make: stoppages and meetings from its
 * state as of the page's day, passes from its timeline. No entry text travels.
 */
async function chartData(
  parley: Parley,
  slug: string,
  viewer: Viewer,
  state: DisputeState,
  instant: string,
): Promise<TimelineChartData> {
  const timeZone = state.opened!.timeZone;
  const passes: TimelineChartData["passes"] = [];
  const read = parley.timelineItems(
    slug,
    viewer,
    { type: "pass.made", to: instant },
    { readableAt: instant },
  );
  for await (const item of read) {
    const entry = item.entry as { payload: { issues: unknown[] } };
    passes.push({
      t: seconds(item.occurredAt),
      side: item.side ?? item.org,
      issues: entry.payload.issues.length,
    });
  }

  const meetings: TimelineChartData["meetings"] = Object.values(state.meetings)
    .filter((m) => m.start !== null && (m.status === "held" || m.status === "scheduled"))
    .map((m) => ({ t: seconds(m.start!), kind: m.kind, held: m.status === "held" }))
    .sort((a, b) => a.t - b.t);

  let running = false;
  const stoppages = Object.values(state.stoppages)
    .sort((a, b) => (a.start < b.start ? -1 : 1))
    .map((st) => {
      const end = st.end !== null && st.end <= instant ? st.end : null;
      if (end === null) running = true;
      return {
        label: stoppageLabel(state, st),
        start: seconds(st.start),
        end: end === null ? null : seconds(end),
        lastDay: end === null ? null : stoppageLastDay(st.start, end, timeZone),
        days: stoppageDay(st.start, end, instant, timeZone),
      };
    });

  const sides = Object.values(state.sides)
    .sort((a, b) => a.order - b.order)
    .map((s) => ({ id: s.id, label: s.shortName }));
  // A pass by an organization on no side (should one exist) gets a lane of its own.
  for (const p of passes) {
    if (!sides.some((s) => s.id === p.side)) {
      sides.push({
        id: p.side,
        label: Object.hasOwn(state.orgs, p.side) ? state.orgs[p.side]!.shortName : p.side,
      });
    }
  }

  const from = seconds(state.opened!.openedAt);
  const times = [
    from,
    ...passes.map((p) => p.t),
    ...meetings.map((m) => m.t),
    ...stoppages.flatMap((s) => [s.start, s.end ?? s.start]),
  ];
  if (running) times.push(seconds(instant));
  return { timeZone, from, to: Math.max(...times), sides, stoppages, meetings, passes };
}

/** The dispute's timeline: every entry the reader may see, by day, filtered and paged. */
export const timelinePages: PageRoutes = (pages, assets) => {
  for (const site of DISPUTE_SITES) {
    pages.get(
      `${site.prefix}/:slug/timeline`,
      {
        schema: { hide: true, params: z.object({ slug: Id }), querystring: TimelinePageQuery },
        config: site.config,
      },
      async (req, reply) => {
        const { slug } = req.params;
        const query = req.query;
        const parley = req.server.parley;
        const page = await disputePage(req, slug);
        const { viewer, state, instant, frame } = page;

        const filters: TimelineFilters = {
          types: list(query.type),
          issue: query.issue ?? "",
          org: query.org ?? "",
          visibility: list(query.visibility),
        };
        // Issues and organizations are the ones this reader may see now, so that a filter
        // survives travelling back before the issue was opened.
        const current = frame.asOf === null ? state : await parley.view(slug, viewer);
        if (filters.issue && !Object.hasOwn(current.issues, filters.issue)) {
          fail("VALIDATION_FAILED", `issue: no issue ${JSON.stringify(filters.issue)} in this dispute`);
        }
        if (filters.org && !Object.hasOwn(current.orgs, filters.org)) {
          fail("VALIDATION_FAILED", `org: no organization ${JSON.stringify(filters.org)} in this dispute`);
        }

        const q: TimelineQuery = { to: instant, order: "asc", limit: PAGE_SIZE, after: query.after };
        if (filters.types.length > 0) q.type = filters.types as TimelineQuery["type"];
        if (filters.issue) q.issue = filters.issue;
        if (filters.org) q.org = filters.org;
        if (filters.visibility.length > 0) q.visibility = filters.visibility as TimelineQuery["visibility"];
        // What the reader could read on the day asked for: nothing made public only later.
        const { items, next } = await parley.timeline(slug, viewer, q, { readableAt: instant });

        const issues = Object.values(state.issues)
          .sort((a, b) =>
            a.openedAt === b.openedAt ? (a.id < b.id ? -1 : 1) : a.openedAt < b.openedAt ? -1 : 1,
          )
          .map((i) => ({ id: i.id, title: i.title }));
        if (filters.issue && !issues.some((i) => i.id === filters.issue)) {
          issues.push({ id: filters.issue, title: current.issues[filters.issue]!.title });
        }
        const orgs = Object.values(current.orgs)
          .filter((o) => Object.hasOwn(state.orgs, o.id) || o.id === filters.org)
          .map((o) => ({ id: o.id, name: o.shortName }))
          .sort((a, b) => a.name.localeCompare(b.name, "en"));

        return sendPage(
          reply,
          h(TimelinePage, {
            ctx: pageContext(req, assets.urls),
            frame,
            state,
            instant,
            items,
            filters,
            after: query.after ?? null,
            next,
            options: { issues, orgs },
            chart: await chartData(parley, slug, viewer, state, instant),
            concurrent: (await parley.status(slug, viewer, frame.asOf ?? undefined)).stoppages.filter(
              (st) => st.concurrent,
            ),
          }),
        );
      },
    );
  }
};
