import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImpactChartProps } from "../../src/web/pages/impact.tsx";
import { demoServer, pageText as text } from "../support/web.ts";

/** The props the server gave the impact-chart island, parsed from its JSON data block. */
function chartProps(html: string): ImpactChartProps | null {
  const m =
    /data-island="impact-chart"[^>]*><script type="application\/json" data-island-props[^>]*>([\s\S]*?)<\/script>/.exec(
      html,
    );
  return m ? (JSON.parse(m[1]!) as ImpactChartProps) : null;
}

function plotted(props: ImpactChartProps | null) {
  return (props?.units ?? []).flatMap((u) => u.points);
}

/** The part of the page's text under one group heading, up to the next. */
function section(html: string, heading: string): string {
  const t = text(html);
  const start = t.indexOf(heading);
  if (start < 0) return "";
  const rest = t.slice(start + heading.length);
  const end = rest.search(/'s estimates|Estimates by others|Every entry here is signed/);
  return rest.slice(0, end < 0 ? undefined : end);
}

const PAGE = "/d/wga-2023/impact";
const AMPTP = { org: "amptp", user: "test.economist" };
const WGA = { org: "wga-west", user: "test.researcher" };

let s: Awaited<ReturnType<typeof demoServer>>;
beforeAll(async () => {
  s = await demoServer();
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

describe("the impact page", () => {
  it("lists the demo's seventeen figures with value, date, method, source and who reported them", async () => {
    const r = await s.page(PAGE);
    expect(r.status).toBe(200);
    const t = text(r.html);
    expect(t).toContain("Economic impact");
    expect(t).toContain("17 figures on record");
    // Grouped by whose estimate: each side's own, then third parties'.
    const wga = section(r.html, "WGA's estimates");
    expect(wga).toContain("Value of the guild's proposals, per year 429,000,000 USD/year");
    expect(wga).toContain("As of Mon 2023-05-01");
    expect(wga).toContain("Method The guild's own costing of its proposals.");
    expect(wga).toContain("Reported by WGA West, entered Tue 2023-05-02 09:00 PDT");
    expect(wga).not.toContain("Milken Institute");
    const amptp = section(r.html, "AMPTP's estimates");
    expect(amptp).toContain("97,000,000 USD/year");
    expect(amptp).toContain("Source Alliance of Motion Picture and Television Producers");
    const others = section(r.html, "Estimates by others");
    expect(others).toContain("Loss to California's economy (upper bound) 4,000,000,000 USD");
    expect(others).toContain("Source Milken Institute");
    expect(others).toContain("Change in Los Angeles entertainment jobs -17%");
    expect(others).toContain("Reported by Parley News");
    // The 2007-08 comparison is listed, said to predate the record, and left off the chart.
    expect(others).toContain("As of Tue 2008-02-12 (before this record began, for comparison)");
    expect(t).toContain("Not plotted: 2 figures dated before this record began");
  });

  it("the chart island holds the plotted figures as decimal strings, with a table fallback", async () => {
    const r = await s.page(PAGE);
    const props = chartProps(r.html);
    expect(props).not.toBeNull();
    expect(props!.groups).toEqual(["WGA", "AMPTP", "Others"]);
    const points = plotted(props);
    expect(points).toHaveLength(15);
    expect(props!.units.map((u) => u.unit)).toEqual(["USD", "USD/year", "jobs", "%"]);
    for (const p of points) {
      expect(typeof p.value).toBe("string");
      expect(p.date >= "2023-03-20").toBe(true);
    }
    const california = points.find((p) => p.what === "Loss to California's economy (upper bound)");
    expect(california).toMatchObject({
      value: "4000000000",
      date: "2023-07-31",
      by: "Milken Institute",
      group: 2,
    });
    // Without JavaScript, the same figures are a table with row and column headers.
    expect(r.html).toMatch(/<caption>Figures in USD, by the date they describe<\/caption>/);
    expect(r.html).toContain('<th scope="col">Whose estimate</th>');
    expect(text(r.html)).toContain(
      "Mon 2023-07-31 Loss to California's economy (upper bound) 4,000,000,000 USD Milken Institute",
    );
  });

  it("as of a day shows only the figures reported by then", async () => {
    const r = await s.page(`${PAGE}?asOf=2023-08-01`);
    expect(r.status).toBe(200);
    const t = text(r.html);
    expect(t).toContain("4 figures on record");
    expect(t).toContain("Loss to California's economy (upper bound)");
    expect(t).not.toContain("Wages lost by IATSE");
    expect(t).not.toContain("Value of the 2023 agreement's gains");
    expect(plotted(chartProps(r.html)).map((p) => p.what)).not.toContain(
      "Wages lost by IATSE's West Coast members, May 2 to Sep 16 (about)",
    );
  });

  it("a bad day and a day outside the record are 400 pages; an unknown dispute a 404", async () => {
    const bad = await s.page(`${PAGE}?asOf=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("VALIDATION_FAILED");
    expect(bad.html).not.toContain('data-island="impact-chart"');
    const future = await s.page(`${PAGE}?asOf=2199-12-31`);
    expect(future.status).toBe(400);
    expect(text(future.html)).toContain("the record runs from");
    const unknown = await s.page("/d/nope/impact");
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain("DISPUTE_UNKNOWN");
  });

  it("a range is shown low to high with its source link, and drawn from strings", async () => {
    await s.parley.execute("wga-2023", {
      actor: AMPTP,
      type: "impact.reported",
      occurredAt: "2023-08-20T19:00:00Z",
      visibility: "public",
      payload: {
        figure: "range-test-studio-cost",
        what: "RANGE-TEST cost of the strike to the studios",
        low: "1000000000",
        high: "2500000000.5",
        unit: "USD",
        asOf: "2023-08-20",
        method: "A range from two scenarios.",
        source: { name: "Example Economics", url: "https://www.example.com/strike-report" },
      },
    });
    const r = await s.page(PAGE);
    const amptp = section(r.html, "AMPTP's estimates");
    expect(amptp).toContain(
      "RANGE-TEST cost of the strike to the studios 1,000,000,000–2,500,000,000.5 USD range",
    );
    expect(amptp).toContain("Source Example Economics (example.com)");
    expect(r.html).toContain('href="https://www.example.com/strike-report"');
    const point = plotted(chartProps(r.html)).find((p) => p.what.startsWith("RANGE-TEST"));
    expect(point).toMatchObject({
      value: null,
      low: "1000000000",
      high: "2500000000.5",
      group: 1,
      by: "AMPTP",
    });
  });

  it("a figure reported again keeps its earlier report on record", async () => {
    await s.parley.execute("wga-2023", {
      actor: AMPTP,
      type: "impact.reported",
      occurredAt: "2023-09-05T19:00:00Z",
      visibility: "public",
      payload: {
        figure: "range-test-studio-cost",
        what: "RANGE-TEST cost of the strike to the studios",
        value: "3000000000",
        unit: "USD",
        asOf: "2023-09-05",
        method: "Updated with August's numbers.",
        source: { name: "Example Economics" },
      },
    });
    const r = await s.page(PAGE);
    const amptp = section(r.html, "AMPTP's estimates");
    expect(amptp).toContain("RANGE-TEST cost of the strike to the studios 3,000,000,000 USD");
    expect(amptp).toContain(
      "1 earlier report of this figure 1,000,000,000–2,500,000,000.5 USD as of Sun 2023-08-20, entered by AMPTP",
    );
    // The figure counts once, and the chart plots its current report.
    expect(text(r.html)).toContain("18 figures on record");
    const points = plotted(chartProps(r.html)).filter((p) => p.what.startsWith("RANGE-TEST"));
    expect(points).toEqual([expect.objectContaining({ value: "3000000000", date: "2023-09-05" })]);
    // Before the update, the range was the figure.
    const before = text((await s.page(`${PAGE}?asOf=2023-09-04`)).html);
    expect(before).toContain("1,000,000,000–2,500,000,000.5 USD");
    expect(before).not.toContain("earlier report");
  });

  it("a retracted figure is marked and left off the chart", async () => {
    const wrong = await s.parley.execute("wga-2023", {
      actor: WGA,
      type: "impact.reported",
      occurredAt: "2023-08-25T19:00:00Z",
      visibility: "public",
      payload: {
        figure: "retract-test",
        what: "RETRACT-TEST figure",
        value: "12",
        unit: "jobs",
        asOf: "2023-08-25",
        method: "A miscount.",
        source: { name: "Writers Guild of America" },
      },
    });
    await s.parley.execute("wga-2023", {
      actor: WGA,
      type: "entry.corrected",
      occurredAt: "2023-08-26T19:00:00Z",
      visibility: "public",
      payload: { entry: wrong.seq, action: "retract", reason: "Counted twice" },
    });
    const r = await s.page(PAGE);
    const wga = section(r.html, "WGA's estimates");
    expect(wga).toContain("RETRACT-TEST figure 12 jobs Retracted");
    expect(wga).toMatch(/Retracted by WGA West on Sat 2023-08-26 12:00 PDT ?: Counted twice/);
    expect(plotted(chartProps(r.html)).map((p) => p.what)).not.toContain("RETRACT-TEST figure");
    // The day before the retraction, it stood and was plotted.
    const before = await s.page(`${PAGE}?asOf=2023-08-25`);
    expect(plotted(chartProps(before.html)).map((p) => p.what)).toContain("RETRACT-TEST figure");
  });

  it("a side's private figure and members-only figure never reach the other side or the public", async () => {
    await s.parley.execute("wga-2023", {
      actor: AMPTP,
      type: "impact.reported",
      occurredAt: "2023-09-01T19:00:00Z",
      visibility: "private",
      payload: {
        figure: "amptp-private-cost",
        what: "PRIVATE-AMPTP-FIGURE internal cost",
        value: "777000000",
        unit: "USD",
        asOf: "2023-09-01",
        method: "PRIVATE-AMPTP-METHOD",
        source: { name: "PRIVATE-AMPTP-SOURCE" },
      },
    });
    await s.parley.execute("wga-2023", {
      actor: WGA,
      type: "impact.reported",
      occurredAt: "2023-09-02T19:00:00Z",
      visibility: "members",
      payload: {
        figure: "wga-members-fund",
        what: "MEMBERS-WGA-FIGURE strike fund paid out",
        value: "5555555",
        unit: "USD",
        asOf: "2023-09-02",
        method: "Members-only accounting.",
        source: { name: "Writers Guild of America" },
      },
    });
    const page = async (who?: Parameters<typeof s.signIn>[0]) =>
      (await s.page(PAGE, who ? await s.signIn(who) : undefined)).html;
    const amptpNegotiator = await page("amptpNegotiator");
    const amptpMember = await page("amptpMember");
    const wgaNegotiator = await page("wgaNegotiator");
    const wgaMember = await page("wgaMember");
    const publicHtml = await page();
    const whats = (html: string) => plotted(chartProps(html)).map((p) => p.what);

    // Its own negotiators see the private figure, in the cards and in the chart's data.
    expect(text(amptpNegotiator)).toContain("PRIVATE-AMPTP-FIGURE internal cost 777,000,000 USD private");
    expect(whats(amptpNegotiator)).toContain("PRIVATE-AMPTP-FIGURE internal cost");
    expect(text(wgaMember)).toContain("MEMBERS-WGA-FIGURE strike fund paid out 5,555,555 USD members");
    expect(whats(wgaNegotiator)).toContain("MEMBERS-WGA-FIGURE strike fund paid out");

    // Nobody else gets a trace of it: not the text, the island JSON, the source or the count.
    for (const html of [amptpMember, wgaNegotiator, wgaMember, publicHtml]) {
      expect(html).not.toContain("PRIVATE-AMPTP");
      expect(html).not.toContain("777000000");
    }
    for (const html of [amptpNegotiator, amptpMember, publicHtml]) {
      expect(html).not.toContain("MEMBERS-WGA");
      expect(html).not.toContain("5555555");
    }
    // The public counts the demo's 17 and the two public test figures, nothing private.
    expect(text(publicHtml)).toContain("19 figures on record");
    expect(text(amptpNegotiator)).toContain("20 figures on record");
  });
});
