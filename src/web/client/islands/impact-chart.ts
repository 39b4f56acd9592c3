import uPlot from "uplot";
import { figureText } from "../../figures.ts";
import type { ChartPoint, ImpactChartProps } from "../../pages/impact.tsx";

/**
 * The impact chart: one small uPlot chart per unit (USD, jobs, %…), each figure a point at the
 * date it describes, a range drawn as an error bar from low to high, one series per "whose
 * estimate" (each side, then everyone else). The server's tables (the fallback) stay on the
 * page, folded under a summary, for anyone who cannot read the canvas. The figures arrive as
 * decimal strings and become numbers here, for drawing only.
 */

const DAY = 86_400;
/** Figures on the same day are set a little apart (a share of the chart's span), so each keeps a point of its own. */
const SAME_DAY_SHARE = 0.012;
const HEIGHT = 260;
/** Colors with at least 4.5:1 contrast on white; every other series has hollow points, so color is not the only cue. */
const COLORS = ["#8a3b00", "#1f4e8c", "#1d6b34", "#6b3fa0", "#a3241c", "#4f5863"];

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Where a figure sits on the y axis: its value, or the middle of its range. */
function yOf(p: ChartPoint): number {
  if (p.value !== null) return Number(p.value);
  return (Number(p.low) + Number(p.high)) / 2;
}

function color(group: number): string {
  return COLORS[group % COLORS.length]!;
}

function chartFor(
  host: HTMLElement,
  readout: HTMLElement,
  unit: ImpactChartProps["units"][number],
  groups: string[],
): uPlot {
  const points = unit.points;
  const day = (p: ChartPoint) => Date.parse(`${p.date}T00:00:00Z`) / 1000;
  const span = points.length > 0 ? day(points[points.length - 1]!) - day(points[0]!) : 0;
  const step = Math.max(3_600, span * SAME_DAY_SHARE);
  const xs: number[] = [];
  const sameDay = new Map<string, number>();
  for (const p of points) {
    const k = sameDay.get(p.date) ?? 0;
    sameDay.set(p.date, k + 1);
    xs.push(day(p) + k * step);
  }
  const present = [...new Set(points.map((p) => p.group))].sort((a, b) => a - b);
  const data: uPlot.AlignedData = [
    xs,
    ...present.map((g) => points.map((p) => (p.group === g ? yOf(p) : null))),
  ];

  const ys = points.flatMap((p) => [p.value, p.low, p.high].filter((v) => v !== null).map(Number));
  let lo = Math.min(0, ...ys);
  let hi = Math.max(0, ...ys);
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
  if (lo < 0) lo -= pad;
  hi += pad;
  const first = xs[0]!;
  const last = xs[xs.length - 1]!;
  const xPad = Math.max(15 * DAY, (last - first) * 0.05);

  const opts: uPlot.Options = {
    width: Math.max(280, host.clientWidth || 600),
    height: HEIGHT,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    scales: {
      x: { time: true, range: () => [first - xPad, last + xPad] },
      y: { range: () => [lo, hi] },
    },
    axes: [
      { stroke: "#1b1f24", grid: { stroke: "#e3e8ed" } },
      {
        stroke: "#1b1f24",
        grid: { stroke: "#e3e8ed" },
        size: 64,
        values: (_u, splits) => splits.map((v) => compact.format(v)),
      },
    ],
    cursor: { points: { show: false }, drag: { x: false, y: false } },
    legend: { live: false },
    series: [
      { label: "As of" },
      ...present.map((g) => ({
        label: groups[g] ?? `Group ${g + 1}`,
        stroke: color(g),
        // No area is drawn (no paths); the fill only marks the legend like the points.
        fill: g % 2 === 1 ? "#ffffff" : color(g),
        width: 0,
        paths: () => null,
        points: {
          show: true,
          size: 11,
          width: 2,
          stroke: color(g),
          fill: g % 2 === 1 ? "#ffffff" : color(g),
        },
      })),
    ],
    hooks: {
      draw: [
        (u) => {
          // Ranges as error bars, with caps, in the series' color.
          const ctx = u.ctx;
          const ratio = uPlot.pxRatio;
          ctx.save();
          ctx.lineWidth = 2 * ratio;
          points.forEach((p, i) => {
            if (p.low === null || p.high === null) return;
            const x = u.valToPos(xs[i]!, "x", true);
            const y1 = u.valToPos(Number(p.low), "y", true);
            const y2 = u.valToPos(Number(p.high), "y", true);
            const cap = 6 * ratio;
            ctx.strokeStyle = color(p.group);
            ctx.beginPath();
            ctx.moveTo(x, y1);
            ctx.lineTo(x, y2);
            ctx.moveTo(x - cap, y1);
            ctx.lineTo(x + cap, y1);
            ctx.moveTo(x - cap, y2);
            ctx.lineTo(x + cap, y2);
            ctx.stroke();
          });
          ctx.restore();
        },
      ],
      setCursor: [
        (u) => {
          const i = u.cursor.idx;
          const p = i === null || i === undefined ? undefined : points[i];
          readout.textContent = p ? `${p.date} · ${p.what}: ${figureText(p)} (${p.by})` : "";
        },
      ],
    },
  };
  return new uPlot(opts, data, host);
}

export function mount(el: HTMLElement, props: unknown): void {
  const { groups, units } = (props ?? { groups: [], units: [] }) as ImpactChartProps;
  if (!Array.isArray(units) || units.length === 0) return;

  const charts = document.createElement("div");
  charts.className = "impact-charts";
  const fallback = el.querySelector<HTMLElement>(".chart-tables");
  el.insertBefore(charts, fallback ?? null);

  const made: { chart: uPlot; host: HTMLElement }[] = [];
  for (const unit of units) {
    const figure = document.createElement("figure");
    figure.className = "impact-chart-figure";
    const caption = document.createElement("figcaption");
    caption.textContent = `Figures in ${unit.unit}`;
    const host = document.createElement("div");
    host.className = "chart";
    host.setAttribute("role", "img");
    const dates = unit.points.map((p) => p.date);
    host.setAttribute(
      "aria-label",
      `Chart of ${unit.points.length} figure${unit.points.length === 1 ? "" : "s"} in ${unit.unit}, ` +
        `dated ${dates[0]} to ${dates[dates.length - 1]}; the tables below list the same figures.`,
    );
    const readout = document.createElement("p");
    readout.className = "chart-readout";
    figure.append(caption, host, readout);
    charts.append(figure);
    made.push({ chart: chartFor(host, readout, unit, groups), host });
  }

  // The tables stay, folded: the same figures in words.
  if (fallback) {
    const details = document.createElement("details");
    details.className = "chart-data";
    const summary = document.createElement("summary");
    summary.textContent = "The charts' figures as tables";
    fallback.replaceWith(details);
    details.append(summary, fallback);
  }

  if (typeof ResizeObserver !== "undefined") {
    const observer = new ResizeObserver(() => {
      for (const { chart, host } of made) {
        const width = Math.max(280, host.clientWidth);
        if (width !== chart.width) chart.setSize({ width, height: HEIGHT });
      }
    });
    for (const { host } of made) observer.observe(host);
  }
}
