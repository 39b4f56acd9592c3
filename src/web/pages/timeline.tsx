import type { TimelineItem } from "../../app/timeline-query.ts";
import { endOfLocalDay, localDate, stoppageDay, stoppageLastDay } from "../../domain/calendar.ts";
import type { AnyEntry } from "../../domain/entry.ts";
import type { DisputeState, StoppageState } from "../../domain/state.ts";
import { type StoppageView, sideName } from "../../domain/status.ts";
import { describeEntry, entryOf, issueTitle, orgName, TYPE_LABELS } from "../describe.ts";
import { formatDate, formatDay, formatTime, plural } from "../format.ts";
import { Island } from "../island.tsx";
import { dayKey, disputeBase, disputeHref, Layout } from "../layout.tsx";
import type { DisputeFrame, PageContext } from "../page-context.ts";
import { TableWrap } from "../table-wrap.tsx";
import { VisibilityBadge } from "./dashboard.tsx";

export const VISIBILITIES = ["private", "members", "table", "public"] as const;

/** What the filter form asked for, as the form shows it again. */
export interface TimelineFilters {
  types: string[];
  issue: string;
  org: string;
  visibility: string[];
}

/**
 * The chart's data: only what this viewer may see, no entry text. Instants are epoch seconds
 * (uPlot's unit); lanes are drawn top to bottom in this order.
 */
export interface TimelineChartData {
  timeZone: string;
  from: number;
  to: number;
  /** The pass lanes, one per side, in the record's side order. */
  sides: { id: string; label: string }[];
  /** `days`: how many days it ran (ended) or its day number (running), as of the page's day. */
  stoppages: {
    label: string;
    start: number;
    end: number | null;
    /** The last day it ran, YYYY-MM-DD (a strike ended at 00:01 ended the day before). */
    lastDay: string | null;
    days: number | null;
  }[];
  meetings: { t: number; kind: "table" | "caucus" | "side"; held: boolean }[];
  passes: { t: number; side: string; issues: number }[];
}

export interface TimelinePageProps {
  ctx: PageContext;
  frame: DisputeFrame;
  /** The dispute as the viewer sees it as of the page's day: names, stoppages, corrections. */
  state: DisputeState;
  /** The instant the page is as of. */
  instant: string;
  items: TimelineItem[];
  filters: TimelineFilters;
  /** The cursor this page started after, and the one the next page starts after. */
  after: string | null;
  next: string | null;
  options: { issues: { id: string; title: string }[]; orgs: { id: string; name: string }[] };
  chart: TimelineChartData;
  /** Stoppages of other disputes against the same employers, as this viewer may see them then. */
  concurrent: StoppageView[];
}

/** "WGA strike": the sides (or organizations) that called it, and its kind. */
export function stoppageLabel(state: DisputeState, st: StoppageState): string {
  const names = [...new Set(st.by.map((o) => sideName(state, o)))];
  return `${names.join(" and ")} ${st.kind}`;
}

/** The stoppage's end if it had ended by `instant`, else null (still running then). */
function endBy(st: StoppageState, instant: string): string | null {
  return st.end !== null && st.end <= instant ? st.end : null;
}

/**
 * Each stoppage running on a local day, with that day's number (day 1 is the first), as of
 * the page's instant: "WGA strike day 136" on 2023-09-14.
 */
export function strikeDays(
  date: string,
  state: DisputeState,
  instant: string,
  timeZone: string,
  concurrent: readonly StoppageView[] = [],
): { label: string; day: number }[] {
  // This dispute's stoppages, then those of other disputes against the same employers.
  const spans = [
    ...Object.values(state.stoppages).map((st) => ({
      label: stoppageLabel(state, st),
      start: st.start,
      end: endBy(st, instant),
    })),
    ...concurrent.map((st) => ({
      label: `${st.organizations.join(" and ")} ${st.kind}`,
      start: st.start,
      end: st.end !== null && st.end <= instant ? st.end : null,
    })),
  ];
  const out: { label: string; start: string; day: number }[] = [];
  for (const { label, start, end } of spans) {
    if (date < localDate(start, timeZone)) continue;
    const last = end === null ? null : stoppageLastDay(start, end, timeZone);
    if (last !== null && date > last) continue;
    const day = stoppageDay(start, end, endOfLocalDay(date, timeZone), timeZone);
    if (day !== null) out.push({ label, start, day });
  }
  return out
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
    .map(({ label, day }) => ({ label, day }));
}

export interface DayGroup {
  date: string;
  heading: string;
  items: TimelineItem[];
}

/** Items in occurrence order, grouped by their local day, each day headed with its strike days. */
export function groupByDay(
  items: TimelineItem[],
  state: DisputeState,
  instant: string,
  timeZone: string,
  concurrent: readonly StoppageView[] = [],
): DayGroup[] {
  const groups: DayGroup[] = [];
  for (const item of items) {
    const date = localDate(item.occurredAt, timeZone);
    let group = groups.at(-1);
    if (!group || group.date !== date) {
      const strikes = strikeDays(date, state, instant, timeZone, concurrent).map(
        (s) => ` · ${s.label} day ${s.day}`,
      );
      group = { date, heading: `${formatDate(date)}${strikes.join("")}`, items: [] };
      groups.push(group);
    }
    group.items.push(item);
  }
  return groups;
}

/** The timeline's URL with these filters (repeated keys for several values), keeping the day. */
export function timelineHref(
  frame: DisputeFrame,
  filters: TimelineFilters,
  extra: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  for (const t of filters.types) params.append("type", t);
  if (filters.issue) params.set("issue", filters.issue);
  if (filters.org) params.set("org", filters.org);
  for (const v of filters.visibility) params.append("visibility", v);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  if (frame.asOf) params.set(dayKey(frame), frame.asOf);
  const q = params.toString();
  return `${disputeBase(frame)}/timeline${q ? `?${q}` : ""}`;
}

function issuesOf(entry: AnyEntry): string[] {
  if (entry.type === "pass.made") return entry.payload.issues.map((i) => i.issue);
  if (entry.type === "ta.signed") return entry.payload.issues;
  return [];
}

function Entry({ item, state, frame }: { item: TimelineItem; state: DisputeState; frame: DisputeFrame }) {
  const entry = entryOf(item);
  const tz = frame.timeZone;
  const issues = issuesOf(entry);
  const correction = Object.hasOwn(state.corrections, String(item.seq))
    ? state.corrections[String(item.seq)]
    : undefined;
  return (
    <li class="tl-entry" id={`entry-${item.seq}`}>
      <div class="tl-meta">
        <strong>{TYPE_LABELS[entry.type] ?? entry.type}</strong>
        <span>
          <time dateTime={item.occurredAt}>{formatTime(item.occurredAt, tz)}</time>
        </span>
        <span>{orgName(state, item.org)}</span>
        <VisibilityBadge visibility={item.visibility} />
        {item.published ? (
          <span class="tl-published">made public {formatDay(item.published.at, tz)}</span>
        ) : null}
        <span class="muted">#{item.seq}</span>
      </div>
      <p class="tl-text">{describeEntry(entry, state, tz)}</p>
      {correction ? (
        <p class="tl-correction">
          {correction.action === "retract" ? "Retracted" : "Corrected"} by entry #{correction.by}
        </p>
      ) : null}
      {issues.length > 0 ? (
        <p class="tl-issues">
          {issues.length === 1 ? "Issue: " : "Issues: "}
          {issues.map((id, i) => (
            <span key={id}>
              {i > 0 ? ", " : ""}
              <a href={issueHref(frame, id)}>{issueTitle(state, id)}</a>
            </span>
          ))}
        </p>
      ) : null}
    </li>
  );
}

function issueHref(frame: DisputeFrame, issue: string): string {
  return disputeHref(frame, `/issues/${encodeURIComponent(issue)}`);
}

function FilterForm(props: TimelinePageProps) {
  const { frame, filters, options } = props;
  const chosen = new Set(filters.types);
  const seen = new Set(filters.visibility);
  return (
    <form
      method="get"
      action={`${disputeBase(frame)}/timeline`}
      class="tl-filters"
      aria-labelledby="tl-filters-heading"
    >
      <h2 id="tl-filters-heading">Filter</h2>
      {frame.asOf ? <input type="hidden" name={dayKey(frame)} value={frame.asOf} /> : null}
      <div class="tl-filter-row">
        <div class="field">
          <label for="tl-issue">Issue</label>
          <select id="tl-issue" name="issue">
            <option value="">Any issue</option>
            {options.issues.map((i) => (
              <option key={i.id} value={i.id} selected={i.id === filters.issue}>
                {i.title}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="tl-org">Recorded by</label>
          <select id="tl-org" name="org">
            <option value="">Any organization</option>
            {options.orgs.map((o) => (
              <option key={o.id} value={o.id} selected={o.id === filters.org}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <fieldset class="tl-visibility">
          <legend>Visibility</legend>
          {VISIBILITIES.map((v) => (
            <label key={v} class="tl-check">
              <input type="checkbox" name="visibility" value={v} checked={seen.has(v)} /> {v}
            </label>
          ))}
        </fieldset>
      </div>
      <details class="tl-types" open={chosen.size > 0}>
        <summary>Entry types{chosen.size > 0 ? ` (${chosen.size} chosen)` : " (all)"}</summary>
        <fieldset>
          <legend class="visually-hidden">Entry types</legend>
          <div class="tl-type-grid">
            {Object.entries(TYPE_LABELS).map(([type, label]) => (
              <label key={type} class="tl-check">
                <input type="checkbox" name="type" value={type} checked={chosen.has(type)} /> {label}
              </label>
            ))}
          </div>
        </fieldset>
      </details>
      <div class="tl-filter-actions">
        <button type="submit">Apply filters</button>
        <a href={timelineHref(frame, { types: [], issue: "", org: "", visibility: [] })}>Clear filters</a>
      </div>
    </form>
  );
}

function isFiltered(f: TimelineFilters): boolean {
  return f.types.length > 0 || f.issue !== "" || f.org !== "" || f.visibility.length > 0;
}

/** The chart's data in words and dates: what a reader without JavaScript or sight gets. */
function ChartSummary({ chart, frame }: { chart: TimelineChartData; frame: DisputeFrame }) {
  const tz = frame.timeZone;
  const day = (t: number) => formatDay(new Date(t * 1000).toISOString(), tz);
  const held = chart.meetings.filter((m) => m.held);
  const upcoming = chart.meetings.filter((m) => !m.held);
  return (
    <TableWrap label="Stoppages, meetings and passes">
      <table class="tl-summary">
        <caption>Stoppages, meetings and passes ({tz})</caption>
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {chart.stoppages.map((s) => (
            <tr key={`s-${s.start}`}>
              <th scope="row">{s.label}</th>
              <td>
                from {day(s.start)}
                {s.end === null
                  ? `, still running${s.days === null ? "" : ` (day ${s.days})`}`
                  : ` to ${s.lastDay ? formatDate(s.lastDay) : day(s.end)}${
                      s.days === null ? "" : ` (${plural(s.days, "day")})`
                    }`}
              </td>
            </tr>
          ))}
          <tr>
            <th scope="row">Meetings ({held.length} held)</th>
            <td>
              {held.length === 0 ? "none" : held.map((m) => `${day(m.t)} (${m.kind})`).join("; ")}
              {upcoming.length > 0
                ? `. Scheduled: ${upcoming.map((m) => `${day(m.t)} (${m.kind})`).join("; ")}`
                : ""}
            </td>
          </tr>
          {chart.sides.map((s) => {
            const passes = chart.passes.filter((p) => p.side === s.id);
            return (
              <tr key={`p-${s.id}`}>
                <th scope="row">
                  {s.label} passes ({passes.length})
                </th>
                <td>
                  {passes.length === 0
                    ? "none"
                    : passes.map((p) => `${day(p.t)} (${plural(p.issues, "issue")})`).join("; ")}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function TimelinePage(props: TimelinePageProps) {
  const { frame, state, items, filters } = props;
  const tz = frame.timeZone;
  const groups = groupByDay(items, state, props.instant, tz, props.concurrent);
  const filtered = isFiltered(filters);
  return (
    <Layout ctx={props.ctx} title={`Timeline · ${frame.title}`} frame={frame} tab="/timeline">
      <h1>Timeline</h1>
      <p class="muted">
        Every entry you may see, oldest first, in the dispute's time zone ({tz}).
        {frame.asOf ? ` Entries that occurred by the end of ${formatDate(frame.asOf)}.` : ""}
      </p>

      <section aria-labelledby="tl-chart-heading" class="tl-chart-section">
        <h2 id="tl-chart-heading">At a glance</h2>
        <Island name="timeline-chart" class="chart tl-chart" data={props.chart}>
          <ChartSummary chart={props.chart} frame={frame} />
        </Island>
      </section>

      <FilterForm {...props} />

      <section aria-labelledby="tl-entries-heading">
        <h2 id="tl-entries-heading">Entries</h2>
        <p class="tl-count">
          {items.length === 0
            ? filtered
              ? "No entry you may see matches these filters."
              : "No entries here."
            : `${plural(items.length, "entry", "entries")} on this page${
                props.after ? " (continued)" : ""
              }${filtered ? ", filtered" : ""}.`}
        </p>
        {groups.map((g) => (
          <section key={g.date} class="tl-day" aria-labelledby={`day-${g.date}`}>
            <h3 class="day-heading" id={`day-${g.date}`}>
              {g.heading}
            </h3>
            <ol class="entries tl-entries">
              {g.items.map((item) => (
                <Entry key={item.seq} item={item} state={state} frame={frame} />
              ))}
            </ol>
          </section>
        ))}
        {props.after || props.next ? (
          <nav class="pager" aria-label="Timeline pages">
            {props.after ? <a href={timelineHref(frame, filters)}>First page</a> : null}
            {props.next ? (
              <a href={timelineHref(frame, filters, { after: props.next })} rel="next">
                Next page: later entries
              </a>
            ) : null}
          </nav>
        ) : null}
      </section>
    </Layout>
  );
}
