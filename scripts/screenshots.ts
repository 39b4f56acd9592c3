/**
 * `npm run screenshots`: the README's pictures of the workspace and the public site, taken from the demo in
 * Debian's headless Chromium. Rerun it after changing a page; it writes docs/screenshots/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "../test/support/browser.ts";
import { DEMO, DEMO_PASSWORD, demoServer } from "../test/support/web.ts";

const OUT = join(import.meta.dirname, "..", "docs", "screenshots");

const SHOTS: { file: string; path: string; full: boolean; phone?: boolean; at?: string }[] = [
  { file: "dashboard.png", path: "/d/wga-2023?asOf=2023-09-14", full: false },
  // The AMPTP's May pass on wages, redlined against the guild's opening and its own later offer.
  {
    file: "issue-redlines.png",
    path: "/d/wga-2023/issues/wages?asOf=2023-09-14",
    full: false,
    at: ".issue-pass >> nth=1",
  },
  { file: "timeline.png", path: "/d/wga-2023/timeline?asOf=2023-09-14", full: false },
  { file: "dashboard-phone.png", path: "/d/wga-2023?asOf=2023-09-14", full: false, phone: true },
  // The public site: the dispute's public page, and a news post with the record it cites.
  {
    file: "public-dispute.png",
    path: "/disputes/wga-2023?as-of=2023-09-14",
    full: false,
  },
  {
    file: "news-post.png",
    path: "/news/day-136-the-amptp-says-it-will-set-a-meeting-with-the-writers-next-week",
    full: false,
  },
];

mkdirSync(OUT, { recursive: true });
const server = await demoServer();
const browser = await launchChromium();
try {
  for (const shot of SHOTS) {
    const context = await browser.newContext({
      viewport: shot.phone ? { width: 390, height: 844 } : { width: 1280, height: 1000 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    // Signed in as the WGA's negotiator: the workspace as a side sees it.
    await page.goto(`${server.base}/signin`);
    await page.getByLabel("Email").fill(DEMO.wgaNegotiator);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.base}/workspace`);
    await page.goto(server.base + shot.path, { waitUntil: "load" });
    if (shot.at) await page.locator(shot.at).evaluate((el) => el.scrollIntoView({ block: "start" }));
    await page.screenshot({ path: join(OUT, shot.file), fullPage: shot.full });
    process.stderr.write(`wrote docs/screenshots/${shot.file}\n`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.app.close();
  await server.parley.close();
}
