import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endOfLocalDay, localDate } from "../../src/domain/calendar.ts";
import { type DemoPerson, demoServer } from "../support/web.ts";

const TZ = "America/Los_Angeles";
const PATH = "/d/wga-2023/timeline";
const WGA_CAUCUS = "CAUCUS-WGA-PRIVATE";
const AMPTP_CAUCUS = "CAUCUS-AMPTP-PRIVATE";
/** The start of each side's private caucus on Aug 21 (demo), as the chart carries it (epoch seconds). */
const WGA_CAUCUS_AT = Date.parse("2023-08-21T17:00:00Z") / 1000;
const AMPTP_CAUCUS_AT = Date.parse("2023-08-21T21:00:00Z") / 1000;

let server: Awaited<ReturnType<typeof demoServer>>;
const cookies = new Map<DemoPerson, string>();
const as = async (who: DemoPerson | "public") => {
  if (who === "public") return undefined;
  if (!cookies.has(who)) cookies.set(who, await server.signIn(who));
  return cookies.get(who);
};

beforeAll(async () => {
  server = await demoServer({ now: "2025-01-01T12:00:00Z" });
});
afterAll(async () => {
  await server.app.close();
  await server.parley.close();
});

// ---- a tiny HTML reader for this page ----

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
const text = (html: string) => decode(html.replace(/<[^>]+>/g, ""));

interface Entry {
  seq: number;
  label: string;
  at: string;
  visibility: string;
  author: string;
  body: string;
  html: string;
}

function entries(html: string): Entry[] {
  return [...html.matchAll(/<li class="tl-entry" id="entry-(\d+)">(.*?)<\/li>/gs)].map((m) => {
    const li = m[2]!;
    const label = /<strong>([^<]*)<\/strong>/.exec(li)![1]!;
    const at = /<time datetime="([^"]+)"/i.exec(li)![1]!;
    const author = /<\/time><\/span><span>([^<]*)<\/span>/.exec(li)![1]!;
    return {
      seq: Number(m[1]),
      label: decode(label),
      at,
      visibility: /class="visibility visibility-(\w+)"/.exec(li)![1]!,
      author: decode(author),
      body: text(/<p class="tl-text">(.*?)<\/p>/s.exec(li)![1]!),
      html: li,
    };
  });
}

function dayHeadings(html: string): { date: string; text: string; section: string }[] {
  return html
    .split('<section class="tl-day"')
    .slice(1)
    .map((section) => {
      const m = /<h3 class="day-heading" id="day-([\d-]+)">([^<]*)<\/h3>/.exec(section)!;
      return { date: m[1]!, text: decode(m[2]!), section };
    });
}

function chartProps(html: string): {
  timeZone: string;
  sides: { id: string; label: string }[];
  stoppages: { label: string; start: number; end: number | null; days: number | null }[];
  meetings: { t: number; kind: string; held: boolean }[];
  passes: { t: number; side: string; issues: number }[];
} {
  const m =
    /data-island="timeline-chart"[^>]*><script type="application\/json" data-island-props[^>]*>(.*?)<\/script>/s.exec(
      html,
    );
  if (!m) throw new Error("no timeline-chart island on the page");
  return JSON.parse(m[1]!);
}

function islandJson(html: string): string {
  return /data-island="timeline-chart"[^>]*><script[^>]*>(.*?)<\/script>/s.exec(html)![1]!;
}

const nextHref = (html: string) => {
  const m = /<a href="([^"]+)" rel="next">/.exec(html);
  return m ? decode(m[1]!) : null;
};

/** Every page of a timeline query, following the pager's "next" link. */
async function allPages(path: string, who: DemoPerson | "public" = "public"): Promise<string[]> {
  const cookie = await as(who);
  const pages: string[] = [];
  let url: string | null = path;
  while (url) {
    const res = await server.page(url, cookie);
    expect([url, res.status]).toEqual([url, 200]);
    pages.push(res.html);
    url = nextHref(res.html);
    expect(pages.length).toBeLessThan(20);
  }
  return pages;
}

/** The same read through the JSON API, for what the page should hold. */
async function api(query: string, who: DemoPerson | "public" = "public") {
  const cookie = await as(who);
  const res = await fetch(`${server.base}/api/v1/disputes/wga-2023/timeline?limit=200&${query}`, {
    headers: cookie ? { cookie } : {},
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    items: { seq: number; occurredAt: string; published: { at: string } | null }[];
    next: string | null;
  };
  expect(body.next).toBeNull();
  return body.items;
}

describe("the timeline page", () => {
  it("groups entries by day in the dispute's zone, headed with the strike days (136 and SAG-AFTRA's 63 on 2023-09-14)", async () => {
    const pages = await allPages(`${PATH}?asOf=2023-09-14`);
    expect(pages.length).toBeGreaterThan(1);
    const headings = pages.flatMap(dayHeadings);
    const byDate = new Map(headings.map((h) => [h.date, h.text]));
    // SAG-AFTRA's strike, recorded in its own dispute, is against the same employers.
    expect(byDate.get("2023-09-14")).toBe("Thu 2023-09-14 · WGA strike day 136 · SAG-AFTRA strike day 63");
    expect(byDate.get("2023-05-02")).toBe("Tue 2023-05-02 · WGA strike day 1");
    expect(byDate.get("2023-05-01")).toBe("Mon 2023-05-01");
    expect(byDate.get("2023-03-20")).toBe("Mon 2023-03-20");
    // Nothing after the day asked for.
    expect(Math.max(...headings.map((h) => Date.parse(h.date)))).toBe(Date.parse("2023-09-14"));
    for (const h of headings) {
      const items = entries(h.section);
      expect(items.length).toBeGreaterThan(0);
      for (const e of items) expect([e.seq, localDate(e.at, TZ)]).toEqual([e.seq, h.date]);
    }
    // Days come in order, each once per page; entries in occurrence order throughout.
    for (const html of pages) {
      const dates = dayHeadings(html).map((h) => h.date);
      expect(dates).toEqual([...new Set(dates)].sort());
    }
    const times = pages.flatMap(entries).map((e) => e.at);
    expect(times).toEqual([...times].sort());
  });

  it("stops counting strike days when the strike ends (148 days, Sep 26 the last)", async () => {
    const html = (await allPages(`${PATH}?type=statement.made&type=stoppage.ended`)).join("");
    const byDate = new Map(dayHeadings(html).map((h) => [h.date, h.text]));
    expect(byDate.get("2023-09-26")).toBe("Tue 2023-09-26 · WGA strike day 148 · SAG-AFTRA strike day 75");
    expect(byDate.get("2023-09-27")).toBe("Wed 2023-09-27 · SAG-AFTRA strike day 76");
    expect(entries(html).some((e) => e.label === "Stoppage ended")).toBe(true);
  });

  it("shows each entry's type, time, author, visibility and sentence, and links passes to their issues", async () => {
    const html = (await allPages(PATH, "wgaNegotiator")).join("");
    const all = entries(html);
    // The AMPTP's Aug 11 offer, recorded at the table and made public on Aug 22.
    const pass = all.find((e) => e.label === "Pass" && e.at === "2023-08-11T19:00:00.000Z");
    expect(pass).toBeDefined();
    expect(pass!.visibility).toBe("table");
    expect(pass!.author).toBe("AMPTP");
    expect(pass!.body).toMatch(/^AMPTP made a \w+/);
    expect(pass!.html).toMatch(/made public Tue 2023-08-22/);
    expect(pass!.html).toContain('href="/d/wga-2023/issues/wages"');
    expect(pass!.html).toMatch(/<time datetime="2023-08-11T19:00:00.000Z">12:00 PDT<\/time>/i);
    const ta = all.find((e) => e.label === "Tentative agreement");
    expect(ta!.html).toContain('href="/d/wga-2023/issues/ai"');
    const note = all.find((e) => e.label === "Note");
    expect([note!.author, note!.visibility]).toEqual(["WGA West", "private"]);
    expect(note!.body).toContain(WGA_CAUCUS);
    // Links keep the day travelled to.
    const asOf = (await server.page(`${PATH}?type=pass.made&asOf=2023-08-30`, await as("wgaNegotiator")))
      .html;
    expect(asOf).toContain('href="/d/wga-2023/issues/wages?asOf=2023-08-30"');
  });

  it("filters by type (several), issue, organization and visibility, and shows the choices again", async () => {
    const passes = entries((await allPages(`${PATH}?type=pass.made`, "wgaNegotiator")).join(""));
    expect(passes.map((e) => e.seq)).toEqual(
      (await api("type=pass.made", "wgaNegotiator")).map((i) => i.seq),
    );
    expect(passes.length).toBeGreaterThan(2);
    expect(new Set(passes.map((e) => e.label))).toEqual(new Set(["Pass"]));

    const pair = await server.page(`${PATH}?type=pass.made&type=ta.signed`);
    const labels = new Set(entries(pair.html).map((e) => e.label));
    expect(labels).toEqual(new Set(["Pass", "Tentative agreement"]));
    expect(pair.html).toMatch(/<input type="checkbox" name="type" value="ta.signed" checked/);
    expect(pair.html).not.toMatch(/<input type="checkbox" name="type" value="statement.made" checked/);

    const ai = entries((await allPages(`${PATH}?issue=ai`, "amptpNegotiator")).join(""));
    expect(ai.map((e) => e.seq)).toEqual((await api("issue=ai", "amptpNegotiator")).map((i) => i.seq));
    expect(ai.length).toBeGreaterThan(0);
    const aiPage = await server.page(`${PATH}?issue=ai`);
    expect(aiPage.html).toMatch(/<option value="ai" selected[^>]*>/);

    const press = entries((await allPages(`${PATH}?org=parley-news`)).join(""));
    expect(press.length).toBeGreaterThan(5);
    expect(new Set(press.map((e) => e.author))).toEqual(new Set(["Parley News"]));

    const priv = entries((await allPages(`${PATH}?visibility=private`, "wgaNegotiator")).join(""));
    expect(priv.length).toBeGreaterThan(0);
    expect(new Set(priv.map((e) => e.visibility))).toEqual(new Set(["private"]));
    const none = await server.page(`${PATH}?visibility=private&visibility=members`);
    expect(entries(none.html)).toEqual([]);
    expect(none.html).toContain("No entry you may see matches these filters.");
  });

  it("pages 50 at a time with the cursor, keeping the filters, each entry once", async () => {
    const first = await server.page(`${PATH}?visibility=public`);
    expect(entries(first.html).length).toBe(50);
    expect(nextHref(first.html)).toMatch(/^\/d\/wga-2023\/timeline\?visibility=public&after=[\w-]+/);
    const pages = await allPages(`${PATH}?visibility=public`);
    const seqs = pages.flatMap(entries).map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual((await api("visibility=public")).map((i) => i.seq));
    // The whole public timeline, through the pager, is what the API gives the public.
    const whole = (await allPages(PATH)).flatMap(entries).map((e) => e.seq);
    expect(whole).toEqual((await api("")).map((i) => i.seq));
    expect(pages.at(-1)).toContain(">First page</a>");
  });

  it("as of a day, shows what had occurred by its end, and what was public by then", async () => {
    const end = endOfLocalDay("2023-08-15", TZ);
    const publicThen = (await allPages(`${PATH}?asOf=2023-08-15`)).flatMap(entries);
    expect(publicThen.length).toBeGreaterThan(10);
    expect(publicThen.every((e) => e.at <= end)).toBe(true);
    expect(publicThen.map((e) => e.seq)).toEqual(
      (await api(`to=${end}`)).filter((i) => i.published === null || i.published.at <= end).map((i) => i.seq),
    );
    // The Aug 11 offer was made public on Aug 22: not on the public's Aug 15, on its Aug 30.
    expect(publicThen.some((e) => e.label === "Pass")).toBe(false);
    const later = (await allPages(`${PATH}?asOf=2023-08-30&type=pass.made`)).flatMap(entries);
    expect(later.map((e) => e.author)).toEqual(["AMPTP", "WGA West"]);
    // The negotiators saw it at the table on the day.
    const table = (await allPages(`${PATH}?asOf=2023-08-15&type=pass.made`, "wgaNegotiator")).flatMap(
      entries,
    );
    expect(table.some((e) => e.at === "2023-08-11T19:00:00.000Z")).toBe(true);
    expect(chartProps((await server.page(`${PATH}?asOf=2023-08-15`)).html).passes).toEqual([]);
  });

  it("answers a bad filter with a 400 page naming VALIDATION_FAILED, never a 500", async () => {
    for (const q of [
      "type=pass.invented",
      "visibility=secret",
      "issue=no-such-issue",
      "org=nobody-here",
      "org=NOT%20AN%20ID",
      "after=not-a-cursor",
      "asOf=2023-02-30",
      "asOf=2019-01-01",
      "type=",
    ]) {
      const res = await server.page(`${PATH}?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.html).toContain("VALIDATION_FAILED");
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    }
    // The other side's private caucus is no issue or organization to filter by either.
    const res = await server.page(`${PATH}?issue=amptp-caucus-2023-08-21`, await as("wgaNegotiator"));
    expect(res.status).toBe(400);
    expect(res.html).not.toContain(AMPTP_CAUCUS);
  });

  it("never shows the other side's private caucus, in the entries or in the chart data", async () => {
    const readers: [DemoPerson | "public", string[]][] = [
      ["public", [WGA_CAUCUS, AMPTP_CAUCUS]],
      ["reporter", [WGA_CAUCUS, AMPTP_CAUCUS]],
      ["wgaMember", [WGA_CAUCUS, AMPTP_CAUCUS]],
      ["amptpMember", [WGA_CAUCUS, AMPTP_CAUCUS]],
      ["wgaNegotiator", [AMPTP_CAUCUS]],
      ["amptpNegotiator", [WGA_CAUCUS]],
    ];
    for (const [who, hidden] of readers) {
      for (const q of [
        "",
        "?visibility=private",
        "?type=note.recorded&type=meeting.held",
        "?asOf=2023-08-21",
      ]) {
        const html = (await allPages(`${PATH}${q}`, who)).join("");
        for (const marker of hidden) expect([who, q, html.includes(marker)]).toEqual([who, q, false]);
        const chart = chartProps(html);
        const json = islandJson(html);
        expect(json).not.toContain("CAUCUS");
        const caucusTimes = chart.meetings.filter((m) => m.kind === "caucus").map((m) => m.t);
        expect(caucusTimes.includes(WGA_CAUCUS_AT)).toBe(!hidden.includes(WGA_CAUCUS));
        expect(caucusTimes.includes(AMPTP_CAUCUS_AT)).toBe(!hidden.includes(AMPTP_CAUCUS));
        // No entry text in the island: only the chart's few fields.
        expect(Object.keys(chart).sort()).toEqual(
          ["from", "meetings", "passes", "sides", "stoppages", "timeZone", "to"].sort(),
        );
        for (const p of chart.passes) expect(Object.keys(p).sort()).toEqual(["issues", "side", "t"]);
      }
    }
  });

  it("gives the chart only passes this reader may read, and a plain table of the same for no-JS", async () => {
    const pub = await server.page(PATH);
    const publicChart = chartProps(pub.html);
    expect(publicChart.passes.length).toBe((await api("type=pass.made")).length);
    expect(publicChart.passes.length).toBeLessThan(
      chartProps((await server.page(PATH, await as("wgaNegotiator"))).html).passes.length,
    );
    expect(publicChart.stoppages).toEqual([
      expect.objectContaining({
        label: "WGA strike",
        days: 148,
        end: Date.parse("2023-09-27T07:01:00Z") / 1000,
      }),
    ]);
    expect(publicChart.sides.map((s) => s.label)).toEqual(["WGA", "AMPTP"]);
    // The fallback inside the island: a table with row headers, readable without the script.
    const island = /<div data-island="timeline-chart".*?<\/table>/s.exec(pub.html)![0];
    expect(island).toContain('<th scope="row">WGA strike</th>');
    expect(text(island)).toContain("from Tue 2023-05-02 to Tue 2023-09-26 (148 days)");
    expect(text(island)).toMatch(/AMPTP passes \(1\)/);
    const held = publicChart.meetings.filter((m) => m.held).length;
    expect(text(island)).toContain(`Meetings (${held} held)`);
  });
});
