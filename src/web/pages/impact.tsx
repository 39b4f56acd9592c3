import { figureText } from "../figures.ts";
import { formatDate, formatDateTime, plural } from "../format.ts";
import { Island } from "../island.tsx";
import { Layout } from "../layout.tsx";
import type { DisputeFrame, PageContext } from "../page-context.ts";
import { TableWrap } from "../table-wrap.tsx";
import { VisibilityBadge } from "./dashboard.tsx";
import { Corrections, type CorrectionView, hostOf, Paragraphs } from "./statements.tsx";

/** An earlier report of a figure, before it was reported again under the same id. */
export interface ImpactReport {
  seq: number;
  value: string | null;
  low: string | null;
  high: string | null;
  unit: string;
  asOf: string;
  enteredAt: string;
  by: string;
}

export interface FigureView {
  id: string;
  seq: number;
  what: string;
  /** Decimal strings, as signed: never floats. */
  value: string | null;
  low: string | null;
  high: string | null;
  unit: string;
  asOf: string;
  method: string;
  source: { name: string; url: string | null };
  /** The organization that entered the figure in the record. */
  reportedBy: string;
  enteredAt: string | null;
  visibility: string;
  corrections: CorrectionView[];
  retracted: boolean;
  earlier: ImpactReport[];
}

/** Figures by whose estimate they are: one group per side, then everyone else's. */
export interface FigureGroup {
  key: string;
  label: string;
  party: boolean;
  figures: FigureView[];
}

/** One figure as the chart plots it. */
export interface ChartPoint {
  date: string;
  value: string | null;
  low: string | null;
  high: string | null;
  unit: string;
  what: string;
  /** Whose estimate: the side's name for a party's figure, else the original source. */
  by: string;
  /** Its group's index in ChartData.groups (one series per group). */
  group: number;
}

export interface ChartData {
  groups: string[];
  points: ChartPoint[];
  /** Figures not plotted: dated before the record begins (comparisons), or retracted. */
  notPlotted: number;
}

/** The impact-chart island's props: the plotted figures, one chart per unit. */
export interface ImpactChartProps {
  groups: string[];
  units: { unit: string; points: ChartPoint[] }[];
}

export interface ImpactProps {
  ctx: PageContext;
  frame: DisputeFrame;
  asOf: string;
  groups: FigureGroup[];
  chart: ChartData;
}

/** Plotted figures by unit, the unit with most figures first. */
export function chartUnits(points: ChartPoint[]): ImpactChartProps["units"] {
  const byUnit = new Map<string, ChartPoint[]>();
  for (const p of points) byUnit.set(p.unit, [...(byUnit.get(p.unit) ?? []), p]);
  return [...byUnit.entries()]
    .map(([unit, list]) => ({
      unit,
      points: [...list].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
    }))
    .sort((a, b) => b.points.length - a.points.length || a.unit.localeCompare(b.unit));
}

function Figure({ f, frame }: { f: FigureView; frame: DisputeFrame }) {
  const tz = frame.timeZone;
  const headingId = `figure-${f.seq}`;
  const ranged = f.low !== null && f.high !== null;
  return (
    <article class={`card figure${f.retracted ? " figure-retracted" : ""}`} aria-labelledby={headingId}>
      <h3 id={headingId}>{f.what}</h3>
      <p class="figure-value">
        {f.retracted ? <s>{figureText(f)}</s> : figureText(f)}{" "}
        {ranged ? <span class="badge">range</span> : null}
        {f.retracted ? <span class="badge badge-retracted">Retracted</span> : null}
        {f.visibility !== "public" ? <VisibilityBadge visibility={f.visibility} /> : null}
      </p>
      <dl class="facts">
        <dt>As of</dt>
        <dd>
          <time dateTime={f.asOf}>{formatDate(f.asOf)}</time>
          {f.asOf < frame.firstDate ? (
            <span class="muted"> (before this record began, for comparison)</span>
          ) : null}
        </dd>
        <dt>Source</dt>
        <dd>
          {f.source.url ? (
            <a href={f.source.url} rel="external noopener noreferrer">
              {f.source.name} <span class="muted">({hostOf(f.source.url)})</span>
            </a>
          ) : (
            f.source.name
          )}
        </dd>
        <dt>Method</dt>
        <dd>{f.method}</dd>
        <dt>Reported by</dt>
        <dd>
          {f.reportedBy}
          {f.enteredAt ? (
            <>
              , entered <time dateTime={f.enteredAt}>{formatDateTime(f.enteredAt, tz)}</time>
            </>
          ) : null}
        </dd>
      </dl>
      <Corrections list={f.corrections} timeZone={tz} />
      {f.corrections
        .filter((c) => c.text)
        .map((c) => (
          <div key={c.seq} class="correction-text">
            <Paragraphs text={c.text!} />
          </div>
        ))}
      {f.earlier.length > 0 ? (
        <details class="earlier">
          <summary>{plural(f.earlier.length, "earlier report")} of this figure</summary>
          <ul>
            {f.earlier.map((r) => (
              <li key={r.seq}>
                {figureText(r)} as of {formatDate(r.asOf)}, entered by {r.by}{" "}
                <time dateTime={r.enteredAt}>{formatDateTime(r.enteredAt, tz)}</time>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </article>
  );
}

/** The chart's fallback and companion: the plotted figures as tables, one per unit. */
function ChartTables({ units }: { units: ImpactChartProps["units"] }) {
  return (
    <div class="chart-tables">
      {units.map((u) => (
        <TableWrap label={`Figures in ${u.unit}`} key={u.unit}>
          <table class="impact-table">
            <caption>Figures in {u.unit}, by the date they describe</caption>
            <thead>
              <tr>
                <th scope="col">As of</th>
                <th scope="col">What</th>
                <th scope="col">Figure</th>
                <th scope="col">Whose estimate</th>
              </tr>
            </thead>
            <tbody>
              {u.points.map((p, i) => (
                <tr key={i}>
                  <td>
                    <time dateTime={p.date}>{formatDate(p.date)}</time>
                  </td>
                  <th scope="row">{p.what}</th>
                  <td class="number">{figureText(p)}</td>
                  <td>{p.by}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ))}
    </div>
  );
}

export function ImpactPage(props: ImpactProps) {
  const { frame, chart } = props;
  const total = props.groups.reduce((n, g) => n + g.figures.length, 0);
  const units = chartUnits(chart.points);
  const chartProps: ImpactChartProps = { groups: chart.groups, units };
  return (
    <Layout ctx={props.ctx} title={`Impact · ${frame.title}`} frame={frame} tab="/impact">
      <div class="impact-page">
        <h1>Economic impact</h1>
        <p class="muted">
          As of {formatDateTime(props.asOf, frame.timeZone)}: {plural(total, "figure")} on record, each with
          its source, its method and who reported it. The parties' own estimates are listed apart from
          everyone else's.
        </p>

        <section aria-labelledby="over-time-heading">
          <h2 id="over-time-heading">Over time</h2>
          {units.length === 0 ? (
            <p class="muted">No figure to plot yet.</p>
          ) : (
            <Island name="impact-chart" class="impact-chart" data={chartProps}>
              <ChartTables units={units} />
            </Island>
          )}
          {chart.notPlotted > 0 ? (
            <p class="muted">
              Not plotted: {plural(chart.notPlotted, "figure")} dated before this record began (listed for
              comparison) or retracted.
            </p>
          ) : null}
        </section>

        {props.groups.map((g) => (
          <section key={g.key} aria-labelledby={`group-${g.key}`}>
            <h2 id={`group-${g.key}`}>{g.party ? `${g.label}'s estimates` : "Estimates by others"}</h2>
            {g.party ? null : (
              <p class="muted">
                Figures from economists, institutes, agencies and other organizations, under their original
                source and entered by whoever recorded them.
              </p>
            )}
            {g.figures.length === 0 ? (
              <p class="muted">{g.party ? `${g.label} has reported no figure.` : "None."}</p>
            ) : (
              <div class="figures">
                {g.figures.map((f) => (
                  <Figure key={f.seq} f={f} frame={frame} />
                ))}
              </div>
            )}
          </section>
        ))}
      </div>
    </Layout>
  );
}
