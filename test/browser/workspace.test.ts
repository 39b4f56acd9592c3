import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../support/browser.ts";
import { DEMO, DEMO_PASSWORD, type DemoPerson, demoServer } from "../support/web.ts";

const run = chromiumAvailable();

describe.runIf(run)("the workspace in a real browser", () => {
  let s: Awaited<ReturnType<typeof demoServer>>;
  let browser: Browser;
  beforeAll(async () => {
    s = await demoServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.app.close();
    await s?.parley.close();
  });

  /** A fresh browser context (its own cookies) signed in through the form, as a person would. */
  function signedIn(who: DemoPerson): Promise<Page> {
    return signedInAs(DEMO[who]);
  }

  async function signedInAs(email: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${s.base}/signin?next=/d/wga-2023`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${s.base}/d/wga-2023`);
    return page;
  }

  it("time travel: the date control goes to Thursday 2023-09-14, day 136, and the URL says so", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${s.base}/d/wga-2023`);
    await expect.poll(() => page.locator("#as-of-slider").count()).toBe(1); // the island mounted
    await page.getByLabel("As of").fill("2023-09-14");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/asOf=2023-09-14/);
    await expect.poll(() => page.locator(".stoppage .counter").first().textContent()).toBe("Day 136");
    expect(await page.locator(".as-of-banner").textContent()).toContain("Thu 2023-09-14");
    // The slider by keyboard: a day later, and the page follows once the arrows pause.
    await page.locator("#as-of-slider").focus();
    await page.keyboard.press("ArrowRight");
    await page.waitForURL(/asOf=2023-09-15/);
    await expect.poll(() => page.locator(".stoppage .counter").first().textContent()).toBe("Day 137");
    await page.context().close();
  });

  it("the public site travels in time with ?as-of=, by the date control and the slider", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${s.base}/disputes/wga-2023`);
    await expect.poll(() => page.locator("#as-of-slider").count()).toBe(1);
    await page.getByLabel("As of", { exact: true }).fill("2023-09-14");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/\/disputes\/wga-2023\?as-of=2023-09-14$/);
    await expect.poll(() => page.locator(".stoppage .counter").first().textContent()).toBe("Day 136");
    await page.locator("#as-of-slider").focus();
    await page.keyboard.press("ArrowRight");
    await page.waitForURL(/as-of=2023-09-15/);
    await expect.poll(() => page.locator(".stoppage .counter").first().textContent()).toBe("Day 137");
    // No live stream on a public page: it is cached and shared.
    expect(await page.locator('[data-island="live"]').count()).toBe(0);
    await page.context().close();
  });

  it("live: a page shows what the other side records within moments, without a reload", async () => {
    const page = await signedIn("wgaNegotiator");
    await page.waitForFunction(() => document.documentElement.dataset.live === "open");
    await page.evaluate(() => {
      (window as unknown as { untouched: boolean }).untouched = true;
    });
    await s.parley.execute("wga-2023", {
      type: "statement.made",
      actor: { org: "amptp", user: "browser-test" },
      occurredAt: s.parley.now(),
      visibility: "public",
      payload: { by: "amptp", channel: "press-release", text: "LIVE-MARKER: the companies speak." },
    });
    await page.getByText("LIVE-MARKER: the companies speak.").waitFor({ timeout: 5_000 });
    expect(await page.evaluate(() => (window as unknown as { untouched?: boolean }).untouched)).toBe(true);
    await page.context().close();
  });

  it("each side records a pass in the forms; the other side sees it live and the move changes hands; both sign a TA", async () => {
    // A fresh issue on the table (the demo's five were all settled in 2023).
    await s.parley.execute("wga-2023", {
      type: "issue.opened",
      actor: { org: "wga-west", user: "browser-test" },
      occurredAt: s.parley.now(),
      visibility: "table",
      payload: { issue: "health-plan", title: "Health plan contributions" },
    });
    const wga = await signedIn("wgaNegotiator");
    const amptp = await signedIn("amptpNegotiator");
    await amptp.waitForFunction(() => document.documentElement.dataset.live === "open");
    const moveRow = (page: Page) => page.locator("table.moves tr", { hasText: "Health plan contributions" });

    // The WGA proposes; the AMPTP's dashboard, open all along, shows the AMPTP owing the move.
    await wga.goto(`${s.base}/d/wga-2023/record/pass.made`);
    await wga.locator("#f-issues-0-issue").selectOption("health-plan");
    await wga.locator("#f-issues-0-language").fill("The companies raise their contribution to the plan.");
    // The island has replaced the blank rows of the plain form with buttons that add them.
    await wga.getByRole("button", { name: "Add a term to issue 1" }).click();
    await wga.locator("#f-issues-0-terms-0-key").fill("contribution-increase");
    await wga.locator("#f-issues-0-terms-0-value").fill("1.5");
    await wga.locator("#f-issues-0-terms-0-unit").fill("%");
    await wga.getByRole("button", { name: "Record the pass" }).click();
    await wga.waitForURL(/\/d\/wga-2023\/issues\/health-plan$/);
    await expect
      .poll(() => moveRow(amptp).locator("td").nth(1).textContent(), { timeout: 5_000 })
      .toBe("AMPTP");

    // The AMPTP counters from its own form; the WGA's issue page, open all along, hands the move back.
    await wga.waitForFunction(() => document.documentElement.dataset.live === "open");
    await amptp.goto(`${s.base}/d/wga-2023/record/pass.made`);
    await amptp.getByLabel("Counterproposal").check();
    await amptp.locator("#f-issues-0-issue").selectOption("health-plan");
    await amptp.locator("#f-issues-0-language").fill("The companies raise their contribution, in steps.");
    await amptp.getByRole("button", { name: "Record the pass" }).click();
    await amptp.waitForURL(/\/issues\/health-plan$/);
    await wga
      .getByText("The companies raise their contribution, in steps.")
      .first()
      .waitFor({ timeout: 5_000 });
    expect(await wga.locator(".issue-move strong").textContent()).toBe("WGA");

    // A tentative agreement: the WGA signs, the AMPTP countersigns, and the issue page says both did.
    await wga.goto(`${s.base}/d/wga-2023/record/ta.signed`);
    await wga.locator('input[name="issues"][value="health-plan"]').check();
    await wga.getByRole("button", { name: "Record the signature" }).click();
    await wga.waitForURL(/\/issues\/health-plan$/);
    await amptp.goto(`${s.base}/d/wga-2023/record/ta.signed`);
    const pending = amptp.locator("#f-countersigns option", { hasText: "Health plan contributions" });
    await amptp.locator("#f-countersigns").selectOption((await pending.getAttribute("value"))!);
    await amptp.getByRole("button", { name: "Record the signature" }).click();
    await amptp.waitForURL(/\/issues\/health-plan$/);
    const state = await s.parley.view("wga-2023", { kind: "operator" });
    expect(state.issues["health-plan"]?.status).toBe("tentatively-agreed");
    await amptp.goto(`${s.base}/d/wga-2023/issues`);
    expect(await amptp.locator("main").textContent()).toMatch(
      /Tentatively agreed[\s\S]*Health plan contributions/,
    );
    await wga.context().close();
    await amptp.context().close();
  });

  it("a member sees neither side's private caucus notes", async () => {
    const page = await signedIn("amptpMember");
    await page.goto(`${s.base}/d/wga-2023?asOf=2023-08-21`);
    const body = await page.locator("main").textContent();
    expect(body).toContain("Recent entries");
    expect(body).not.toContain("CAUCUS-WGA-PRIVATE");
    expect(body).not.toContain("CAUCUS-AMPTP-PRIVATE");
    const negotiator = await signedIn("amptpNegotiator");
    await negotiator.goto(`${s.base}/d/wga-2023?asOf=2023-08-21`);
    expect(await negotiator.locator("main").textContent()).toContain("CAUCUS-AMPTP-PRIVATE");
    await page.context().close();
    await negotiator.context().close();
  });

  it("axe finds no serious or critical violation on any page, at a desktop's width and a phone's", async () => {
    await s.accounts.add({
      email: "admin@wga.demo",
      name: "WGA West admin",
      org: "wga-west",
      role: "admin",
      password: DEMO_PASSWORD,
    });
    const pages: [DemoPerson | "admin" | null, string][] = [
      [null, "/"],
      [null, "/signin"],
      [null, "/d/wga-2023"],
      [null, "/d/wga-2023?asOf=2023-09-14"],
      [null, "/d/wga-2023/timeline?asOf=2023-09-14"],
      [null, "/d/wga-2023/issues"],
      [null, "/d/wga-2023/issues/ai?asOf=2023-09-14"],
      [null, "/d/wga-2023/statements"],
      [null, "/d/wga-2023/impact"],
      [null, "/d/no-such-dispute"],
      [null, "/disputes/wga-2023?as-of=2023-09-14"],
      [null, "/disputes/wga-2023/entries/3"],
      [null, "/disputes/wga-2023/embed"],
      [null, "/"],
      [null, "/news"],
      [null, "/news/day-136-the-amptp-says-it-will-set-a-meeting-with-the-writers-next-week"],
      [null, "/comments/privacy"],
      ["reporter", "/posts"],
      ["reporter", "/posts/new"],
      ["reporter", "/moderation/comments"],
      ["wgaMember", "/workspace"],
      ["wgaNegotiator", "/d/wga-2023"],
      ["wgaNegotiator", "/d/wga-2023/timeline?type=pass.made"],
      ["wgaNegotiator", "/d/wga-2023/record"],
      ["wgaNegotiator", "/d/wga-2023/record/pass.made"],
      ["wgaNegotiator", "/d/wga-2023/record/meeting.scheduled"],
      ["wgaNegotiator", "/account"],
      ["admin", "/orgs/wga-west/members"],
    ];
    const failures: string[] = [];
    for (const width of [1280, 360]) {
      for (const [who, path] of pages) {
        const page =
          who === "admin"
            ? await signedInAs("admin@wga.demo")
            : who
              ? await signedIn(who)
              : await (await browser.newContext()).newPage();
        await page.setViewportSize({ width, height: 900 });
        await page.goto(s.base + path, { waitUntil: "load" });
        const result = await new AxeBuilder({ page })
          .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
          .analyze();
        for (const v of result.violations) {
          if (v.impact === "serious" || v.impact === "critical") {
            failures.push(
              `${width}px ${path}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
            );
          }
        }
        // Nothing may be wider than a phone's screen but what scrolls on purpose (tables, charts).
        if (width === 360) {
          const wide = await page.evaluate(
            () => document.documentElement.scrollWidth > window.innerWidth + 1,
          );
          if (wide) failures.push(`${width}px ${path}: the page scrolls sideways`);
        }
        await page.context().close();
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
