import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../../src/app/visibility.ts";
import { verifyInclusion } from "../../src/ledger/proof.ts";
import { PUBLIC_CACHE_CONTROL } from "../../src/server/pages/render.ts";
import { demoServer, pageText as text } from "../support/web.ts";

/**
 * The public site: every page read as the public, whoever asks, cached and the same for all;
 * feeds, the calendar, the widget and what search engines read.
 */
let s: Awaited<ReturnType<typeof demoServer>>;
let negotiator: string;
/** The sequence numbers of the demo's private caucus notes (never public). */
let privateSeqs: number[];

beforeAll(async () => {
  s = await demoServer();
  negotiator = await s.signIn("wgaNegotiator");
  const hidden = await s.parley.timeline("wga-2023", OPERATOR, {
    visibility: "private",
    limit: 50,
    order: "asc",
  });
  privateSeqs = hidden.items.map((i) => i.seq);
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

const SECRETS = ["CAUCUS-WGA-PRIVATE", "CAUCUS-AMPTP-PRIVATE"];
const noSecrets = (body: string) => {
  for (const secret of SECRETS) expect(body).not.toContain(secret);
};

describe("the public front page", () => {
  it("lists every public dispute with its day counters, for everyone alike", async () => {
    const anonymous = await s.page("/");
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("cache-control")).toBe(PUBLIC_CACHE_CONTROL);
    const t = text(anonymous.html);
    expect(t).toContain("WGA and AMPTP: 2023 negotiation of the Minimum Basic Agreement");
    expect(t).toContain("Lasted 148 days of the WGA strike");
    expect(t).toContain("Lasted 118 days of the SAG-AFTRA strike");
    // Signed in, the same page: it names no account, so it can be cached and shared.
    const signedIn = await s.page("/", negotiator);
    expect(signedIn.html).toBe(anonymous.html);
    expect(signedIn.html).not.toContain("Sign out");
  });
});

describe("a dispute's public page", () => {
  it("as of 2023-09-14: both strikes' day counts, the last meeting, the public sections", async () => {
    const r = await s.page("/disputes/wga-2023?as-of=2023-09-14");
    expect(r.status).toBe(200);
    const t = text(r.html);
    expect(t).toContain("Day 136");
    expect(t).toContain("Day 63");
    expect(t).toContain("Tue 2023-08-22");
    for (const heading of [
      "Offers made public",
      "Public statements",
      "Economic impact",
      "Follow and embed",
    ]) {
      expect(t).toContain(heading);
    }
    expect(t).toContain("no response by the deadline");
    expect(t).toContain("Download the public record");
    noSecrets(r.html);
  });

  it("keeps the day in every link, and says so in its canonical address and cards", async () => {
    const r = await s.page("/disputes/wga-2023?as-of=2023-09-14&utm_source=x");
    expect(r.html).toContain('href="/disputes/wga-2023/timeline?as-of=2023-09-14"');
    expect(r.html).toContain('href="/disputes/wga-2023/issues/ai?as-of=2023-09-14"');
    expect(r.html).toContain(
      '<link rel="canonical" href="http://127.0.0.1:3000/disputes/wga-2023?as-of=2023-09-14"/>',
    );
    expect(r.html).toContain('<meta property="og:title" content="WGA and AMPTP: 2023 negotiation');
    expect(r.html).toMatch(/<meta name="twitter:card" content="summary"\/>/);
    expect(r.html).toMatch(/<meta name="description" content="[^"]*day 136 of the WGA strike/);
    expect(r.html).toContain('type="application/atom+xml"');
    // The date control sends the public spelling.
    expect(r.html).toContain('name="as-of"');
  });

  it("shows a party's negotiator the public record only, not the caucus their workspace shows", async () => {
    const day = "?as-of=2023-08-21";
    const workspace = await s.page(`/d/wga-2023${day}`, negotiator);
    expect(workspace.html).toContain("CAUCUS-WGA-PRIVATE");
    for (const path of ["", "/timeline", "/issues", "/statements", "/impact"]) {
      const r = await s.page(`/disputes/wga-2023${path}${day}`, negotiator);
      expect(r.status, path).toBe(200);
      expect(r.headers.get("cache-control"), path).toBe(PUBLIC_CACHE_CONTROL);
      noSecrets(r.html);
      expect(r.html, path).not.toContain("Sign out");
      expect(r.html, path).not.toContain('name="_csrf"');
    }
  });

  it("refuses a bad day, a day outside the record and an unknown dispute with stable codes", async () => {
    const bad = await s.page("/disputes/wga-2023?as-of=14/09/2023");
    expect([bad.status, bad.headers.get("cache-control")]).toEqual([400, "private, no-store"]);
    expect(bad.html).toContain("VALIDATION_FAILED");
    expect(bad.html).toContain('<meta name="robots" content="noindex"/>');
    expect((await s.page("/disputes/wga-2023?as-of=1999-01-01")).status).toBe(400);
    const unknown = await s.page("/disputes/no-such-dispute/timeline");
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain("DISPUTE_UNKNOWN");
  });
});

describe("an entry's page", () => {
  it("shows a public entry with a leaf hash that the inclusion proof carries to the signed root", async () => {
    const r = await s.page("/disputes/wga-2023/entries/3");
    expect(r.status).toBe(200);
    const leaf = /leaf in the dispute's Merkle tree is <code class="hash">([0-9a-f]{64})<\/code>/.exec(
      r.html,
    )?.[1];
    expect(leaf).toBeDefined();
    const checkpoint = (await (await fetch(`${s.base}/api/v1/disputes/wga-2023/checkpoint`)).json()) as {
      size: number;
      root: string;
    };
    const proof = (await (
      await fetch(`${s.base}/api/v1/disputes/wga-2023/proofs/inclusion?seq=3&size=${checkpoint.size}`)
    ).json()) as { proof: string[] };
    const b64 = (x: string) => Buffer.from(x, "base64");
    expect(() =>
      verifyInclusion(
        3,
        checkpoint.size,
        Buffer.from(leaf!, "hex"),
        proof.proof.map(b64),
        b64(checkpoint.root),
      ),
    ).not.toThrow();
    // A wrong leaf does not verify: the check above could fail.
    const wrong = Buffer.from(leaf!, "hex");
    wrong[0] = wrong[0]! ^ 1;
    expect(() =>
      verifyInclusion(3, checkpoint.size, wrong, proof.proof.map(b64), b64(checkpoint.root)),
    ).toThrow();
  });

  it("answers a private entry exactly as one that does not exist, even to its own side", async () => {
    expect(privateSeqs.length).toBeGreaterThan(0);
    const hidden = await s.page(`/disputes/wga-2023/entries/${privateSeqs[0]}`, negotiator);
    const absent = await s.page("/disputes/wga-2023/entries/99999");
    expect([hidden.status, absent.status]).toEqual([404, 404]);
    expect(hidden.html).toContain("ENTRY_UNKNOWN");
    noSecrets(hidden.html);
    expect((await s.page("/disputes/wga-2023/entries/-1")).status).toBe(400);
  });
});

describe("feeds, calendar, sitemap and robots", () => {
  it("a dispute's Atom and RSS feeds carry its newest public entries, linked to their pages", async () => {
    for (const [format, type] of [
      ["atom", "application/atom+xml"],
      ["rss", "application/rss+xml"],
    ] as const) {
      const r = await s.page(`/disputes/wga-2023/feed.${format}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toContain(type);
      const items = r.html.match(format === "atom" ? /<entry>/g : /<item>/g) ?? [];
      expect(items.length).toBe(50);
      expect(r.html).toContain("http://127.0.0.1:3000/disputes/wga-2023/entries/");
      expect(r.html).not.toContain("/disputes/sag-aftra-2023/");
      noSecrets(r.html);
      for (const seq of privateSeqs) expect(r.html).not.toContain(`/disputes/wga-2023/entries/${seq}<`);
    }
  });

  it("the site's feed mixes the disputes, newest first", async () => {
    const r = await s.page("/feed.atom");
    expect(r.html).toContain("/disputes/wga-2023/entries/");
    expect(r.html).toContain("/disputes/sag-aftra-2023/entries/");
    const dates = [...r.html.matchAll(/<entry>[\s\S]*?<updated>([^<]+)<\/updated>/g)].map((m) => m[1]!);
    expect(dates.length).toBe(50);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it("an unknown feed format or dispute is refused", async () => {
    expect((await s.page("/disputes/wga-2023/feed.json")).status).toBe(400);
    expect((await s.page("/disputes/nope/feed.atom")).status).toBe(404);
  });

  it("the public calendar holds the table sessions and no caucus", async () => {
    const r = await s.page("/disputes/wga-2023/calendar.ics");
    expect(r.headers.get("content-type")).toContain("text/calendar");
    expect(r.html).toContain("BEGIN:VCALENDAR");
    expect(r.html).toContain("UID:session-2023-05-01@wga-2023.parley");
    expect(r.html).not.toContain("caucus-2023-08-21");
  });

  it("the sitemap lists every public page and robots.txt points to it, keeping the workspace out", async () => {
    const map = await s.page("/sitemap.xml");
    expect(map.headers.get("content-type")).toContain("application/xml");
    expect(map.html).toContain("<loc>http://127.0.0.1:3000/disputes/wga-2023/issues/ai</loc>");
    expect(map.html).toContain("<loc>http://127.0.0.1:3000/disputes/sag-aftra-2023</loc>");
    expect(map.html).not.toContain("/d/");
    const robots = await s.page("/robots.txt");
    expect(robots.html).toContain("Disallow: /d/");
    expect(robots.html).toContain("Sitemap: http://127.0.0.1:3000/sitemap.xml");
  });
});

describe("the embeddable widget", () => {
  it("may be framed by any site, while every other page may be framed by none", async () => {
    const widget = await s.page("/disputes/wga-2023/embed?as-of=2023-09-14");
    expect(widget.status).toBe(200);
    expect(widget.headers.get("content-security-policy")).toContain("frame-ancestors *");
    expect(widget.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(widget.html).not.toContain("<script");
    const t = text(widget.html);
    expect(t).toContain("Day 136 of the WGA strike");
    expect(t).toContain("Day 63 of the SAG-AFTRA strike (concurrent)");
    expect(t).toMatch(/AMPTP owes 5 moves, the oldest since Tue 2023-08-15/);
    const page = await s.page("/disputes/wga-2023");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    // The public page offers the code to paste.
    expect(page.html).toContain("&lt;iframe src=&quot;http://127.0.0.1:3000/disputes/wga-2023/embed&quot;");
  });

  it("refuses a bad day", async () => {
    expect((await s.page("/disputes/wga-2023/embed?as-of=yesterday")).status).toBe(400);
  });
});

describe("the public page cache", () => {
  it("answers a repeated request from memory with the same ETag, and a matching If-None-Match with 304", async () => {
    const first = await s.page("/disputes/wga-2023/statements");
    const second = await s.page("/disputes/wga-2023/statements");
    const etag = first.headers.get("etag");
    // fetch asks for gzip as browsers do: the gzipped representation has a tag of its own.
    expect(etag).toMatch(/^"[\w-]{22}-gz"$/);
    expect(second.headers.get("etag")).toBe(etag);
    expect(second.html).toBe(first.html);
    const conditional = await fetch(`${s.base}/disputes/wga-2023/statements`, {
      headers: { "if-none-match": etag! },
    });
    expect(conditional.status).toBe(304);
    expect(await conditional.text()).toBe("");
  });

  it("shows a new public entry at once: a commit changes what is cached", async () => {
    const before = await s.page("/disputes/sag-aftra-2023/statements");
    expect(before.html).not.toContain("PUBLIC-CACHE-PROBE");
    const org = (
      await s.parley.timeline("sag-aftra-2023", OPERATOR, { type: "statement.made", limit: 1, order: "asc" })
    ).items[0]!.org;
    await s.parley.execute("sag-aftra-2023", {
      type: "statement.made",
      actor: { org, user: "test" },
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      visibility: "public",
      payload: {
        by: org,
        channel: "press-release",
        text: "PUBLIC-CACHE-PROBE: a statement made after the page was cached.",
      },
    });
    const after = await s.page("/disputes/sag-aftra-2023/statements");
    expect(after.html).toContain("PUBLIC-CACHE-PROBE");
    expect(after.headers.get("etag")).not.toBe(before.headers.get("etag"));
  });

  it("never serves a cached public page for the workspace, nor the reverse", async () => {
    await s.page("/disputes/wga-2023?as-of=2023-08-21");
    const workspace = await s.page("/d/wga-2023?as-of=2023-08-21", negotiator);
    expect(workspace.headers.get("cache-control")).toBe("private, no-store");
    expect(workspace.html).toContain("CAUCUS-WGA-PRIVATE");
    expect((await s.page("/disputes/wga-2023?as-of=2023-08-21")).html).not.toContain("CAUCUS-WGA-PRIVATE");
  });
});
