import uPlot from "uplot";
import type { TimelineChartData } from "../../pages/timeline.tsx";

/**
 * The timeline at a glance, drawn with uPlot: one lane per row of the server's summary table
 * (stoppages as spans, meetings, then each side's passes), time across in the dispute's zone.
 * The table the server rendered stays, folded into a "data as a table" disclosure, for screen
 * readers and anyone who wants the dates exactly; hovering the chart reads a point out loud.
 */

const INK = "#1b1f24";
const LINE = "#cfd6dd";
const STOPPAGE = "#a3241c";
const MEETING = "#1d6b34";
/** Pass lanes, one color per side in the record's side order (union first in the demo). */
const SIDE_COLORS = ["#8a3b00", "#1f4e8c", "#5b3c88", "#00606b"];
const LANE_HEIGHT = 54;
const DAY = 86_400;

interface Lane {
  label: string;
  kind: "stoppages" | "meetings" | "passes";
  side?: string;
}

export function mount(el: HTMLElement, props: unknown): void {
  const data = props as TimelineChartData;
  const fallback = Array.from(el.children).filter((c) => c.tagName !== "SCRIPT");

  const lanes: Lane[] = [
    { label: "Stoppages", kind: "stoppages" },
    { label: "Meetings", kind: "meetings" },
    ...data.sides.map((s) => ({ label: `${s.label} passes`, kind: "passes" as const, side: s.id })),
  ];
  const n = lanes.length;
  /** Lane i (top to bottom) sits at y = n - 1 - i. */
  const yOf = (i: number) => n - 1 - i;
  const laneAt = (y: number) => n - 1 - Math.round(y);

  const day = uPlot.fmtDate("{WWW} {YYYY}-{MM}-{DD}");
  const tick = uPlot.fmtDate("{MMM} {D}");
  const year = uPlot.fmtDate("{YYYY}");
  const local = (t: number) => uPlot.tzDate(new Date(t * 1000), data.timeZone);
  const dayOf = (t: number) => day(local(t));

  // uPlot wants one sorted x array and, per series, a y value (or null) at each x.
  const xs = [
    ...new Set([data.from, data.to, ...data.meetings.map((m) => m.t), ...data.passes.map((p) => p.t)]),
  ].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const column = () => xs.map((): number | null => null);
  const held = column();
  const scheduled = column();
  for (const m of data.meetings) (m.held ? held : scheduled)[at.get(m.t)!] = yOf(1);
  const sideColumns = data.sides.map((s, i) => {
    const col = column();
    for (const p of data.passes) if (p.side === s.id) col[at.get(p.t)!] = yOf(2 + i);
    return col;
  });

  const point = (stroke: string, fill: string, size = 11) => ({
    label: "",
    stroke,
    paths: () => null,
    points: { show: true, size, width: 2, stroke, fill },
  });

  const figure = document.createElement("figure");
  figure.className = "tl-figure";
  const plot = document.createElement("div");
  plot.setAttribute("role", "img");
  plot.setAttribute(
    "aria-label",
    `Chart of ${data.stoppages.length} stoppage(s), ${data.meetings.length} meeting(s) and ${data.passes.length} pass(es) over time; the same facts are in the table that follows.`,
  );
  const readout = document.createElement("p");
  readout.className = "tl-readout";
  readout.setAttribute("aria-live", "polite");
  readout.textContent = "Point at a mark for its date.";
  const legend = document.createElement("figcaption");
  legend.className = "tl-legend";
  legend.append(
    key("tl-key-stoppage", "stoppage (span)"),
    key("tl-key-held", "meeting held"),
    key("tl-key-scheduled", "meeting scheduled"),
    ...data.sides.map((s, i) => key(`tl-key-side-${i % SIDE_COLORS.length}`, `${s.label} pass`)),
    document.createTextNode(`Times in ${data.timeZone}.`),
  );
  figure.append(plot, legend, readout);

  // The server's table goes into a disclosure after the chart, unchanged.
  const details = document.createElement("details");
  details.className = "tl-data";
  const summary = document.createElement("summary");
  summary.textContent = "The chart's data as a table";
  details.append(summary, ...fallback);
  el.append(figure, details);

  const drawStoppages = (u: uPlot) => {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const laneY = u.valToPos(yOf(0), "y", true);
    const half = Math.abs(u.valToPos(0, "y", true) - u.valToPos(1, "y", true)) * 0.28;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.font = `${Math.round(12 * uPlot.pxRatio)}px system-ui, sans-serif`;
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    for (const s of data.stoppages) {
      const x0 = u.valToPos(s.start, "x", true);
      const x1 = u.valToPos(s.end ?? data.to, "x", true);
      ctx.fillStyle = STOPPAGE;
      ctx.fillRect(x0, laneY - half, Math.max(x1 - x0, 2), half * 2);
      const text =
        s.days === null
          ? s.label
          : s.end === null
            ? `${s.label}, day ${s.days}`
            : `${s.label}, ${s.days} days`;
      if (ctx.measureText(text).width + 12 * uPlot.pxRatio < x1 - x0) {
        ctx.fillStyle = "#ffffff";
        ctx.fillText(text, x0 + 6 * uPlot.pxRatio, laneY);
      }
    }
    ctx.restore();
  };

  const describe = (u: uPlot): string | null => {
    const { left, top } = u.cursor;
    if (left === undefined || top === undefined || left < 0 || top < 0) return null;
    const lane = lanes[laneAt(u.posToVal(top, "y"))];
    if (!lane) return null;
    const t = u.posToVal(left, "x");
    const near = Math.abs(u.posToVal(left + 9, "x") - t);
    if (lane.kind === "stoppages") {
      const s = data.stoppages.find((st) => t >= st.start - near && t <= (st.end ?? data.to) + near);
      if (!s) return null;
      const days = s.days === null ? "" : s.end === null ? ` (day ${s.days})` : ` (${s.days} days)`;
      return `${s.label}: from ${dayOf(s.start)}${s.end === null ? ", still running" : ` to ${s.lastDay ?? dayOf(s.end)}`}${days}`;
    }
    if (lane.kind === "meetings") {
      const here = data.meetings.filter((m) => Math.abs(m.t - t) <= near);
      if (here.length === 0) return null;
      return here.map((m) => `${m.kind} meeting ${m.held ? "held" : "scheduled"} ${dayOf(m.t)}`).join("; ");
    }
    const here = data.passes.filter((p) => p.side === lane.side && Math.abs(p.t - t) <= near);
    if (here.length === 0) return null;
    return here
      .map(
        (p) =>
          `${lane.label.replace(/ passes$/, "")} pass on ${dayOf(p.t)} (${p.issues} issue${p.issues === 1 ? "" : "s"})`,
      )
      .join("; ");
  };

  const width = () => Math.max(280, Math.floor(el.clientWidth || 640));
  const u = new uPlot(
    {
      width: width(),
      height: n * LANE_HEIGHT + 40,
      tzDate: local,
      legend: { show: false },
      cursor: { y: false, points: { show: false }, drag: { x: true, y: false } },
      scales: {
        x: { time: true, range: () => [data.from - 3 * DAY, data.to + 3 * DAY] },
        y: { auto: false, range: [-0.6, n - 0.4] },
      },
      axes: [
        {
          stroke: INK,
          grid: { stroke: LINE, width: 1 },
          ticks: { stroke: LINE },
          // "Aug 15", with the year under the first tick and wherever a new year starts.
          values: (_u, splits) =>
            splits.map((v, i) => {
              const d = local(v);
              const before = i > 0 ? local(splits[i - 1]!).getFullYear() : null;
              return before === d.getFullYear() ? tick(d) : `${tick(d)}\n${year(d)}`;
            }),
        },
        {
          stroke: INK,
          size: 120,
          gap: 6,
          splits: () => lanes.map((_, i) => yOf(i)),
          values: (_u, splits) => splits.map((v) => lanes[laneAt(v)]?.label ?? ""),
          grid: { stroke: LINE, width: 1 },
          ticks: { show: false },
        },
      ],
      series: [
        {},
        point(MEETING, MEETING),
        point(MEETING, "#ffffff"),
        ...data.sides.map((_, i) => {
          const c = SIDE_COLORS[i % SIDE_COLORS.length]!;
          return point(c, c, 12);
        }),
      ],
      hooks: {
        draw: [drawStoppages],
        setCursor: [
          (chart) => {
            const text = describe(chart);
            if (text !== null) readout.textContent = text;
          },
        ],
      },
    },
    [xs, held, scheduled, ...sideColumns],
    plot,
  );

  const resize = new ResizeObserver(() => {
    if (!el.isConnected) {
      resize.disconnect();
      u.destroy();
      return;
    }
    if (Math.abs(u.width - width()) > 4) u.setSize({ width: width(), height: u.height });
  });
  resize.observe(el);
}

function key(cls: string, text: string): HTMLElement {
  const item = document.createElement("span");
  item.className = "tl-key";
  const swatch = document.createElement("span");
  swatch.className = `tl-swatch ${cls}`;
  swatch.setAttribute("aria-hidden", "true");
  item.append(swatch, document.createTextNode(text));
  return item;
}
