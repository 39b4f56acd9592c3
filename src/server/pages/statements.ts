import { h } from "preact";
import { z } from "zod";
import type { Parley } from "../../app/parley.ts";
import type { TimelineItem } from "../../app/timeline-query.ts";
import type { Payload } from "../../domain/events.ts";
import { Id } from "../../domain/values.ts";
import type { Assets } from "../../web/assets.ts";
import { entryOf, orgName } from "../../web/describe.ts";
import {
  type ChartPoint,
  type FigureGroup,
  type FigureView,
  ImpactPage,
  type ImpactReport,
} from "../../web/pages/impact.tsx";
import {
  type CorrectionView,
  type RequestView,
  StatementsPage,
  type StatementView,
} from "../../web/pages/statements.tsx";
import type { Api } from "../server.ts";
import { DayQuery, DISPUTE_SITES, type DisputePage, disputePage, pageContext, sendPage } from "./render.ts";

/** Statements per page: a screenful of reading, newest first. */
export const STATEMENTS_PER_PAGE = 20;
/** How far a page reads corrections or impact reports; a dispute holds far fewer. */
const MAX_SCAN = 5_000;

const Params = z.object({ slug: Id });
const Query = z.object({ after: z.string().max(200).optional() }).extend(DayQuery.shape);

/**
 * The statements page (public statements, requests for comment, response times) and the impact
 * page (figures with sources and a chart over time). Both read through the app services as the
 * reader may see the record, as of the day asked for.
 */
export const statementsPages = (pages: Api, assets: Assets): void => {
  for (const site of DISPUTE_SITES) {
    pages.get(
      `${site.prefix}/:slug/statements`,
      { schema: { hide: true, params: Params, querystring: Query }, config: site.config },
      async (req, reply) => {
        const { slug } = req.params as z.infer<typeof Params>;
        const query = req.query as z.infer<typeof Query>;
        const parley = req.server.parley;
        const page = await disputePage(req, slug);
        const tz = page.frame.timeZone;
        const status = await parley.status(slug, page.viewer, page.frame.asOf ?? undefined);

        const listed = await parley.timeline(
          slug,
          page.viewer,
          {
            type: "statement.made",
            order: "desc",
            limit: STATEMENTS_PER_PAGE,
            to: page.instant,
            ...(query.after ? { after: query.after } : {}),
          },
          { readableAt: page.instant },
        );
        const corrections = await correctionsOf(parley, slug, page);
        const statements: StatementView[] = listed.items.map((item) => {
          const p = entryOf(item).payload as Payload<"statement.made">;
          return {
            seq: item.seq,
            by: orgName(page.state, p.by),
            recordedBy: item.org === p.by ? null : orgName(page.state, item.org),
            speaker: p.speaker ?? null,
            channel: p.channel,
            at: item.occurredAt,
            text: p.text,
            url: p.url ?? null,
            ...shownVisibility(item, page.instant),
            corrections: corrections.get(item.seq) ?? [],
          };
        });

        const answers = new Map<string, string>();
        for (const item of await scan(parley, slug, page, "comment.answered")) {
          const p = entryOf(item).payload as Payload<"comment.answered">;
          if (!answers.has(p.request) && p.text) answers.set(p.request, p.text);
        }
        const requests: RequestView[] = status.requestsForComment.map((r) => {
          const held = Object.hasOwn(page.state.requests, r.id) ? page.state.requests[r.id] : undefined;
          const response = held?.response ?? null;
          return {
            id: r.id,
            from: r.from,
            to: r.to,
            question: held?.question ?? "",
            askedAt: r.askedAt,
            deadline: r.deadline,
            status: r.status,
            answer: response ? { at: response.at, text: answers.get(r.id) ?? null } : null,
          };
        });

        return sendPage(
          reply,
          h(StatementsPage, {
            ctx: pageContext(req, assets.urls),
            frame: page.frame,
            asOf: page.instant,
            count: page.state.statements.count,
            statements,
            paging: { first: query.after === undefined, next: listed.next },
            requests,
            responseTimes: status.responseTimes,
            timeZone: tz,
          }),
        );
      },
    );

    pages.get(
      `${site.prefix}/:slug/impact`,
      { schema: { hide: true, params: Params, querystring: DayQuery }, config: site.config },
      async (req, reply) => {
        const { slug } = req.params as z.infer<typeof Params>;
        const parley = req.server.parley;
        const page = await disputePage(req, slug);
        const status = await parley.status(slug, page.viewer, page.frame.asOf ?? undefined);
        const state = page.state;
        const corrections = await correctionsOf(parley, slug, page);

        // Every report this reader may see: when each was entered, and what a figure said before
        // it was reported again under the same id.
        const reports = await scan(parley, slug, page, "impact.reported");
        const enteredAt = new Map(reports.map((r) => [r.seq, r.occurredAt]));
        const visibility = new Map(reports.map((r) => [r.seq, shownVisibility(r, page.instant).visibility]));
        const earlier = new Map<string, ImpactReport[]>();
        for (const item of reports) {
          const p = entryOf(item).payload as Payload<"impact.reported">;
          const list = earlier.get(p.figure) ?? [];
          list.push({
            seq: item.seq,
            value: p.value ?? null,
            low: p.low ?? null,
            high: p.high ?? null,
            unit: p.unit,
            asOf: p.asOf,
            enteredAt: item.occurredAt,
            by: orgName(state, item.org),
          });
          earlier.set(p.figure, list);
        }

        const figures = status.impact.map((f) => {
          const fixes = corrections.get(f.seq) ?? [];
          const view: FigureView = {
            id: f.id,
            seq: f.seq,
            what: f.what,
            value: f.value,
            low: f.low,
            high: f.high,
            unit: f.unit,
            asOf: f.asOf,
            method: f.method,
            source: { name: f.source.name, url: f.source.url ?? null },
            reportedBy: orgName(state, f.reportedBy),
            enteredAt: enteredAt.get(f.seq) ?? null,
            visibility: visibility.get(f.seq) ?? "public",
            corrections: fixes,
            retracted: fixes.at(-1)?.action === "retract",
            earlier: (earlier.get(f.id) ?? []).filter((r) => r.seq !== f.seq),
          };
          const reporterSide = Object.hasOwn(state.orgs, f.reportedBy)
            ? state.orgs[f.reportedBy]!.side
            : null;
          return { side: reporterSide, view };
        });

        // The parties' own estimates, in the record's order of sides, then everyone else's.
        const sides = Object.values(state.sides).sort((a, b) => a.order - b.order);
        const groups: FigureGroup[] = [
          ...sides.map((s) => ({
            key: s.id,
            label: s.shortName,
            party: true,
            figures: figures.filter((f) => f.side === s.id).map((f) => f.view),
          })),
          {
            key: "others",
            label: "Others",
            party: false,
            figures: figures.filter((f) => !sides.some((s) => s.id === f.side)).map((f) => f.view),
          },
        ];

        // What the chart plots: figures of the dispute's own time (older ones are comparisons),
        // not retracted. Decimals stay strings; the browser turns them into numbers to draw.
        const points: ChartPoint[] = [];
        let notPlotted = 0;
        groups.forEach((g, group) => {
          for (const f of g.figures) {
            if (f.retracted || f.asOf < page.frame.firstDate) {
              notPlotted += 1;
              continue;
            }
            points.push({
              date: f.asOf,
              value: f.value,
              low: f.low,
              high: f.high,
              unit: f.unit,
              what: f.what,
              by: g.party ? g.label : f.source.name,
              group,
            });
          }
        });

        return sendPage(
          reply,
          h(ImpactPage, {
            ctx: pageContext(req, assets.urls),
            frame: page.frame,
            asOf: page.instant,
            groups,
            chart: { groups: groups.map((g) => g.label), points, notPlotted },
          }),
        );
      },
    );
  }
};

/** An entry made public by the page's instant is public, whatever it was recorded as. */
function shownVisibility(
  item: TimelineItem,
  instant: string,
): { visibility: string; publishedAt: string | null } {
  const published = item.published !== null && item.published.at <= instant ? item.published.at : null;
  return { visibility: published ? "public" : item.visibility, publishedAt: published };
}

/** Every entry of one type the reader could read as of the page's day, oldest first (at most MAX_SCAN). */
async function scan(
  parley: Parley,
  slug: string,
  page: DisputePage,
  type: "entry.corrected" | "comment.answered" | "impact.reported",
): Promise<TimelineItem[]> {
  const out: TimelineItem[] = [];
  const read = parley.timelineItems(
    slug,
    page.viewer,
    { type, to: page.instant },
    { readableAt: page.instant },
  );
  for await (const item of read) {
    out.push(item);
    if (out.length >= MAX_SCAN) break;
  }
  return out;
}

/** The corrections and retractions the reader may see, by the entry they correct, oldest first. */
async function correctionsOf(
  parley: Parley,
  slug: string,
  page: DisputePage,
): Promise<Map<number, CorrectionView[]>> {
  const out = new Map<number, CorrectionView[]>();
  for (const item of await scan(parley, slug, page, "entry.corrected")) {
    const p = entryOf(item).payload as Payload<"entry.corrected">;
    const list = out.get(p.entry) ?? [];
    list.push({
      seq: item.seq,
      action: p.action,
      at: item.occurredAt,
      by: orgName(page.state, item.org),
      reason: p.reason,
      text: p.text ?? null,
    });
    out.set(p.entry, list);
  }
  return out;
}
