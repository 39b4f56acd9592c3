/**
 * The workspace's budgets: how long the server takes to render the demo dashboard, how much
 * JavaScript a workspace page ships (gzipped), and how soon headless Chromium paints a page on
 * loopback (first contentful paint). Chromium is Debian's; without it the browser figures are
 * null with the reason.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Accounts } from "../src/app/accounts.ts";
import { Parley } from "../src/app/parley.ts";
import { DEMO_PASSWORD } from "../src/demo/accounts.ts";
import { loadDemo } from "../src/demo/load.ts";
import { buildServer } from "../src/server/server.ts";
import { CHROMIUM, launchChromium } from "../test/support/browser.ts";

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
}

/** The workspace pages a negotiator opens, for the JavaScript they load. */
const WORKSPACE_PAGES = [
  "/d/wga-2023",
  "/d/wga-2023/timeline",
  "/d/wga-2023/issues",
  "/d/wga-2023/issues/ai",
  "/d/wga-2023/statements",
  "/d/wga-2023/impact",
  "/d/wga-2023/record/pass.made",
];

export async function webBenchmarks(quick: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-web-"));
  const parley = await Parley.open(join(dir, "parley.db"));
  await loadDemo(parley);
  const accounts = new Accounts(parley.db, () => new Date(parley.now()));
  const app = await buildServer({ parley, accounts, loginsPerMinute: 100_000 });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  const base = `http://127.0.0.1:${address.port}`;
  try {
    const login = await app.inject({
      method: "POST",
      url: "/signin",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ email: "negotiator@wga.demo", password: DEMO_PASSWORD }).toString(),
    });
    const cookie = String(login.headers["set-cookie"]).split(";")[0]!;

    // Server render: the whole request through Fastify (routing, reads, render), in process.
    const renders: Record<string, unknown> = {};
    const cases = [
      { name: "public", url: "/d/wga-2023", cookie: undefined },
      { name: "publicAsOf20230914", url: "/d/wga-2023?asOf=2023-09-14", cookie: undefined },
      { name: "negotiator", url: "/d/wga-2023", cookie },
    ];
    const n = quick ? 20 : 300;
    for (const c of cases) {
      const headers = c.cookie ? { cookie: c.cookie, accept: "text/html" } : { accept: "text/html" };
      for (let i = 0; i < 20; i++) await app.inject({ method: "GET", url: c.url, headers });
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const r = await app.inject({ method: "GET", url: c.url, headers });
        ms.push(performance.now() - t);
        if (r.statusCode !== 200) throw new Error(`${c.url}: ${r.statusCode}`);
      }
      renders[c.name] = { requests: n, medianMs: round(quantile(ms, 0.5)), p95Ms: round(quantile(ms, 0.95)) };
    }

    if (!existsSync(CHROMIUM)) {
      return {
        dashboardRender: renders,
        javascript: null,
        firstContentfulPaint: null,
        note: `no Chromium at ${CHROMIUM}`,
      };
    }
    const browser = await launchChromium();
    try {
      // JavaScript shipped: every script the page loads (entry, islands, chunks), gzipped.
      const perPage: Record<string, number> = {};
      for (const path of WORKSPACE_PAGES) {
        const context = await browser.newContext();
        await context.addCookies([{ name: "parley_session", value: cookie.split("=")[1]!, url: base }]);
        const page = await context.newPage();
        const scripts: Promise<Buffer>[] = [];
        page.on("response", (res) => {
          if (res.request().resourceType() === "script") scripts.push(res.body());
        });
        const res = await page.goto(base + path, { waitUntil: "networkidle" });
        if (res?.status() !== 200) throw new Error(`${path}: ${res?.status()}`);
        const bodies = await Promise.all(scripts);
        perPage[path] = bodies.reduce((sum, b) => sum + gzipSync(b, { level: 9 }).length, 0);
        await context.close();
      }
      const largest = Math.max(...Object.values(perPage));

      // First contentful paint of the dashboard, each load in a fresh context (a cold cache).
      const paints: number[] = [];
      for (let i = 0; i < (quick ? 3 : 15); i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${base}/d/wga-2023`, { waitUntil: "load" });
        const fcp = await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const seen = performance.getEntriesByName("first-contentful-paint")[0];
              if (seen) return resolve(seen.startTime);
              new PerformanceObserver((list) => {
                const e = list.getEntriesByName("first-contentful-paint")[0];
                if (e) resolve(e.startTime);
              }).observe({ type: "paint", buffered: true });
            }),
        );
        paints.push(fcp);
        await context.close();
      }
      return {
        dashboardRender: renders,
        javascript: { gzippedBytesByPage: perPage, largestGzippedKB: round(largest / 1024, 1), targetKB: 60 },
        firstContentfulPaint: {
          page: "/d/wga-2023",
          loads: paints.length,
          medianMs: round(quantile(paints, 0.5)),
          maxMs: round(Math.max(...paints)),
          targetMs: 500,
        },
      };
    } finally {
      await browser.close();
    }
  } finally {
    await app.close();
    await parley.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
