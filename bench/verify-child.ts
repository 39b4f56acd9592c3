// Runs `verify --db` in its own process so its peak memory (maxRSS) is its own.
import { Parley } from "../src/app/parley.ts";
import { verifyStore } from "../src/app/verify-store.ts";

const [path, slug] = process.argv.slice(2);
const app = await Parley.open(path!);
const started = performance.now();
const report = await verifyStore(app, slug);
const seconds = (performance.now() - started) / 1000;
const entries = report.disputes.reduce((n, d) => n + d.entries, 0);
await app.close();
process.stdout.write(
  JSON.stringify({
    ok: report.ok,
    problems: report.problems.slice(0, 3),
    entries,
    seconds,
    perSecond: Math.round(entries / seconds),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
