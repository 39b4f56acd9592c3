import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium, which .ci/run installs; browser tests never download a browser. */
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Whether browser tests can run here. Without Chromium a developer gets a skip with the
 * reason; under CI its absence is a failure, since a green run that drove no browser would be
 * a lie.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === "true")
    throw new Error(`browser tests need Chromium under CI, but ${CHROMIUM} is missing`);
  console.warn(`SKIP: no Chromium at ${CHROMIUM} (apt-get install -y chromium); browser tests are skipped`);
  return false;
}

/**
 * Headless Chromium as the machines allow it: no sandbox (tests run as root in CI), no GPU, and
 * none of the background connections a closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}
