import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoServer, pageText as text } from "../support/web.ts";

let s: Awaited<ReturnType<typeof demoServer>>;
beforeAll(async () => {
  s = await demoServer();
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

describe("the dashboard", () => {
  it("shows the strike's day count, the sides, whose move and the checkpoint as of 2023-09-14", async () => {
    const r = await s.page("/d/wga-2023?asOf=2023-09-14");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/html");
    const t = text(r.html);
    expect(t).toContain("Day 136");
    expect(t).toContain("SAG-AFTRA strike (another dispute)");
    expect(t).toContain("Day 63");
    expect(t).toContain("Writers Guild of America West");
    expect(t).toMatch(/Artificial intelligence AMPTP Tue 2023-08-15 30 days/);
    expect(t).toContain(
      "You are looking at the record as it stood at the end of Thu 2023-09-14 (America/Los_Angeles)",
    );
    expect(t).toMatch(/The log holds [\d,]+ entries/);
    // The past is not live: no live island on a time-travelled page.
    expect(r.html).not.toContain('data-island="live"');
  });

  it("today: the strike is over, the agreement ratified, the page live", async () => {
    const t = text((await s.page("/d/wga-2023")).html);
    expect(t).toContain("Lasted 148 days");
    expect(t).toMatch(/Ratification: [\d,]+ yes/);
    expect(t).not.toContain("You are looking at the record as it stood");
    expect((await s.page("/d/wga-2023")).html).toContain('data-island="live"');
  });

  it("links stay in the past: tabs carry ?asOf", async () => {
    const r = await s.page("/d/wga-2023?asOf=2023-09-14");
    expect(r.html).toContain('href="/d/wga-2023/timeline?asOf=2023-09-14"');
    expect(r.html).toContain('href="/d/wga-2023/issues/ai?asOf=2023-09-14"');
  });

  it("a bad day, a day outside the record and an unknown dispute are error pages with stable codes", async () => {
    const bad = await s.page("/d/wga-2023?asOf=14/09/2023");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("VALIDATION_FAILED");
    const before = await s.page("/d/wga-2023?asOf=1999-01-01");
    expect(before.status).toBe(400);
    expect(text(before.html)).toContain("the record runs from");
    const unknown = await s.page("/d/no-such-dispute");
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain("DISPUTE_UNKNOWN");
  });

  it("a side's private caucus reaches its own negotiators only", async () => {
    const day = "/d/wga-2023?asOf=2023-08-21";
    const wga = text((await s.page(day, await s.signIn("wgaNegotiator"))).html);
    const amptp = text((await s.page(day, await s.signIn("amptpNegotiator"))).html);
    const member = text((await s.page(day, await s.signIn("wgaMember"))).html);
    const publicView = text((await s.page(day)).html);
    expect(wga).toContain("CAUCUS-WGA-PRIVATE");
    expect(wga).not.toContain("CAUCUS-AMPTP-PRIVATE");
    expect(amptp).toContain("CAUCUS-AMPTP-PRIVATE");
    expect(amptp).not.toContain("CAUCUS-WGA-PRIVATE");
    for (const other of [member, publicView]) {
      expect(other).not.toContain("CAUCUS-WGA-PRIVATE");
      expect(other).not.toContain("CAUCUS-AMPTP-PRIVATE");
    }
  });
});

describe("the front page", () => {
  it("the workspace's front page lists the disputes a reader may see, and asks the signed-out to sign in", async () => {
    const signedOut = await s.page("/workspace");
    expect([signedOut.status, signedOut.headers.get("location")]).toEqual([303, "/signin?next=%2Fworkspace"]);
    const t = text((await s.page("/workspace", await s.signIn("wgaMember"))).html);
    expect(t).toContain("WGA and AMPTP: 2023 negotiation of the Minimum Basic Agreement");
    expect(t).toMatch(/WGA and AMPTP · [\d,]+ entries you may see/);
  });

  it("answers an unknown path with an HTML 404 for browsers and JSON for the API", async () => {
    const html = await s.page("/no/such/page");
    expect([html.status, html.headers.get("content-type")]).toEqual([404, "text/html; charset=utf-8"]);
    expect(html.html).toContain("ROUTE_UNKNOWN");
    const api = await fetch(`${s.base}/api/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("ROUTE_UNKNOWN");
  });
});

describe("page headers and assets", () => {
  it("pages carry a strict content security policy and are never cached by a shared cache", async () => {
    const r = await s.page("/d/wga-2023");
    expect(r.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(r.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(r.headers.get("cache-control")).toBe("private, no-store");
  });

  it("serves the hashed script and stylesheet for good, and 304s a repeat", async () => {
    const r = await s.page("/d/wga-2023");
    const js = /<script type="module" src="([^"]+)"/.exec(r.html)![1]!;
    const css = /<link rel="stylesheet" href="([^"]+)"/.exec(r.html)![1]!;
    const got = await fetch(s.base + js);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toContain("javascript");
    expect(got.headers.get("cache-control")).toContain("immutable");
    const again = await fetch(s.base + js, { headers: { "if-none-match": got.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect((await fetch(s.base + css)).headers.get("content-type")).toContain("text/css");
    expect((await fetch(`${s.base}/assets/nothing.js`)).status).toBe(404);
  });
});
