/**
 * The PostgreSQL benchmarks (`npm run bench -- --only postgres`): a cluster of the machine's own
 * PostgreSQL (PARLEY_BENCH_DATABASE_URL, else a throwaway one with PostgreSQL's durable
 * defaults: fsync on, synchronous_commit on), `parley serve` processes on it, autocannon here,
 * all on the same two cores.
 */

import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Parley } from "../src/app/parley.ts";
import { moveStore } from "../src/app/store-moves.ts";
import { verifyStore } from "../src/app/verify-store.ts";
import { loadDemo } from "../src/demo/load.ts";
import { openStore } from "../src/store/db.ts";
import { postgresBinaries, startThrowawayCluster } from "../test/support/postgres-cluster.ts";
import { cannon, negotiatorToken, startServer, summary } from "./server.ts";
import { fill, openBenchDispute } from "./workload.ts";

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const log = (s: string) => process.stderr.write(`${s}\n`);
const DISPUTES = 10;

function schemaUrl(base: string, schema: string): string {
  const url = new URL(base);
  url.searchParams.set("schema", schema);
  return url.toString();
}

/** The demo, one bench dispute with 2,000 entries and ten more small ones, and a negotiator's token. */
async function prepare(location: string): Promise<string> {
  const app = await Parley.open(location);
  await loadDemo(app);
  await openBenchDispute(app, "bench");
  await fill(app, "bench", 2000, 1000);
  for (let i = 0; i < DISPUTES; i++) await openBenchDispute(app, `bench-${i}`);
  const token = await negotiatorToken(app);
  await app.close();
  return token;
}

let counter = 0;
const passBody = () =>
  JSON.stringify({
    type: "pass.made",
    visibility: "table",
    payload: {
      kind: "counterproposal",
      issues: [
        { issue: `issue-${counter++ % 50}`, language: "Section 4: the parties agree to revise the terms." },
      ],
    },
  });

/** Passes from `connections` connections to one server, to one dispute or spread over `slugs`. */
function appends(url: string, token: string, slugs: string[], connections: number, duration: number) {
  let n = 0;
  return cannon({
    url: `${url}/api/v1/disputes/${slugs[0]}/entries`,
    connections,
    duration,
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          path: `/api/v1/disputes/${slugs[n++ % slugs.length]}/entries`,
          body: passBody(),
        }),
      },
    ],
  });
}

async function stopAll(children: ChildProcess[]) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve(null);
          child.on("exit", resolve);
          child.kill("SIGTERM");
        }),
    ),
  );
}

export async function postgresBenchmarks(quick: boolean) {
  const bin = postgresBinaries();
  const given = process.env.PARLEY_BENCH_DATABASE_URL;
  if (!given && !bin)
    return { skipped: "no PostgreSQL: PARLEY_BENCH_DATABASE_URL unset and no initdb found" };
  const cluster = given ? null : await startThrowawayCluster(bin!, { durable: true });
  const base = given ?? cluster!.url;
  const dir = mkdtempSync(join(tmpdir(), "parley-pg-bench-"));
  process.env.PARLEY_DATA_DIR = dir;
  const duration = quick ? 2 : 10;
  const location = schemaUrl(base, `bench_${Date.now().toString(36)}`);
  const results: Record<string, unknown> = {
    server: given ? "PARLEY_BENCH_DATABASE_URL" : "throwaway cluster",
  };
  try {
    log("postgres: preparing");
    const token = await prepare(location);
    const servers: { url: string; child: ChildProcess }[] = [];
    try {
      for (let i = 0; i < 3; i++) servers.push(await startServer(location));
      const [one] = servers;
      // Every process is warmed up first, unmeasured, under the load it is then measured with,
      // as a server that has been up a while is: the first seconds of a fresh process go to V8
      // compiling the request and append paths, and PostgreSQL to planning the prepared
      // statements of each pooled connection. One second of four connections was not enough:
      // three processes measured 600-660 /s after it, and 900-1,200 /s after ten seconds.
      await Promise.all(servers.map((s) => appends(s.url, token, ["bench"], 16, quick ? 1 : 10)));

      log("postgres: appends from one process");
      results.appendsOneProcess = summary(await appends(one!.url, token, ["bench"], 16, duration));
      log("postgres: appends from three processes");
      // Behind a load balancer every process takes its share all along. The two that sat idle
      // while the first appended some 15,000 entries would first read their heads afresh
      // (a second or more each, in the measured seconds): a few unmeasured seconds first.
      await Promise.all(servers.map((s) => appends(s.url, token, ["bench"], 16, quick ? 1 : 3)));
      const three = await Promise.all(servers.map((s) => appends(s.url, token, ["bench"], 16, duration)));
      results.appendsThreeProcesses = {
        requestsPerSecond: three.reduce((a, r) => a + Math.round(r.requests.average), 0),
        perProcess: three.map(summary),
      };
      log("postgres: appends to ten disputes from three processes");
      const slugs = Array.from({ length: DISPUTES }, (_, i) => `bench-${i}`);
      // Each process reads ten heads it has not met, and prepares the statements of the small
      // transactions this load makes: a few unmeasured seconds first, as above.
      await Promise.all(servers.map((s) => appends(s.url, token, slugs, 16, quick ? 1 : 3)));
      const ten = await Promise.all(servers.map((s) => appends(s.url, token, slugs, 16, duration)));
      results.appendsTenDisputesThreeProcesses = {
        requestsPerSecond: ten.reduce((a, r) => a + Math.round(r.requests.average), 0),
        perProcess: ten.map(summary),
      };

      log("postgres: public summary reads");
      const read = (url: string, connections: number) =>
        cannon({ url: `${url}/api/v1/disputes/wga-2023`, connections, duration });
      await read(one!.url, 64);
      results.publicSummaryOneProcess = summary(await read(one!.url, 64));
      const two = await Promise.all(servers.slice(0, 2).map((s) => read(s.url, 32)));
      results.publicSummaryTwoProcesses = {
        requestsPerSecond: two.reduce((a, r) => a + Math.round(r.requests.average), 0),
        perProcess: two.map(summary),
      };
    } finally {
      await stopAll(servers.map((s) => s.child));
    }
    const store = await openStore(location, { readonly: true });
    try {
      const v = await verifyStore(store);
      results.verifiesAfterwards = v.ok;
    } finally {
      await store.close();
    }

    log("postgres: migrate a SQLite ledger");
    const entries = quick ? 2000 : 100_000;
    const sqlite = join(dir, "ledger.db");
    const app = await Parley.open(sqlite);
    await openBenchDispute(app, "migrated");
    await fill(app, "migrated", entries, 5000);
    await app.close();
    const target = schemaUrl(base, `migrated_${Date.now().toString(36)}`);
    const started = performance.now();
    let copied = 0;
    const moved = await moveStore(sqlite, target, {
      onTable: () => {
        copied = performance.now();
      },
    });
    const seconds = (performance.now() - started) / 1000;
    results.migrateSqliteToPostgres = {
      entries: moved.rows.ledger_entries,
      rows: Object.values(moved.rows).reduce((a, b) => a + b, 0),
      secondsCopy: round((copied - started) / 1000),
      secondsWithVerify: round(seconds),
      verified: moved.verify.ok,
    };
    return results;
  } finally {
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  process.stdout.write(
    `${JSON.stringify(await postgresBenchmarks(process.argv.includes("--quick")), null, 2)}\n`,
  );
}
