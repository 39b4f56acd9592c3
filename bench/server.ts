/**
 * The HTTP benchmarks: the server runs in a child process (`parley serve`), autocannon and the
 * stream clients here, all on loopback. Prints its figures as JSON (bench/run.ts includes them).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { Accounts } from "../src/app/accounts.ts";
import { Parley } from "../src/app/parley.ts";
import { loadDemo } from "../src/demo/load.ts";
import { BATCH_MOST } from "../src/server/routes/disputes.ts";
import { fill, openBenchDispute, UNION } from "./workload.ts";

const BIN = join(import.meta.dirname, "..", "bin", "parley.js");
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

async function prepare(path: string): Promise<string> {
  const app = await Parley.open(path);
  await loadDemo(app);
  await openBenchDispute(app, "bench");
  await fill(app, "bench", 2000, 1000);
  const token = await negotiatorToken(app);
  await app.close();
  return token;
}

/** An API token of a negotiator of the bench union, made in the store. */
export async function negotiatorToken(app: Parley): Promise<string> {
  const accounts = new Accounts(app.db, () => new Date());
  const { id } = await accounts.add({
    email: "bench@union.example",
    name: "Bench negotiator",
    password: "a benchmark password",
    org: UNION.org,
    role: "negotiator",
  });
  return (await accounts.createToken(id, "bench")).token;
}

export async function startServer(db: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, "serve", "--db", db, "--port", "0", "--log-level", "warn"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /serving (http:\/\/[^\s:]+:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`parley serve exited (${code}): ${out}`)));
  });
  return { url, child };
}

export function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export function summary(r: autocannon.Result) {
  return {
    requestsPerSecond: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function sseFanOut(url: string, token: string, clients: number, appends: number) {
  const path = `${url}/api/v1/disputes/bench/stream`;
  const seen = new Map<number, number>(); // seq -> clients that got it
  const waiting = new Map<number, () => void>();
  const controllers: AbortController[] = [];
  const connect = async () => {
    const controller = new AbortController();
    controllers.push(controller);
    const res = await fetch(path, { signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
            const id = /^id: (\d+)$/m.exec(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
            if (!id) continue;
            const seq = Number(id[1]);
            const n = (seen.get(seq) ?? 0) + 1;
            seen.set(seq, n);
            if (n === clients) waiting.get(seq)?.();
          }
        }
      } catch {
        // aborted at the end
      }
    })();
  };
  for (let i = 0; i < clients; i += 100)
    await Promise.all(Array.from({ length: Math.min(100, clients - i) }, connect));
  const times: number[] = [];
  for (let i = 0; i < appends; i++) {
    const started = performance.now();
    const res = await fetch(`${url}/api/v1/disputes/bench/entries`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        type: "statement.made",
        occurredAt: new Date().toISOString(),
        visibility: "public",
        payload: { by: UNION.org, channel: "press-release", text: `Fan-out ${i}` },
      }),
    });
    const { seq } = (await res.json()) as { seq: number };
    if ((seen.get(seq) ?? 0) < clients) await new Promise<void>((resolve) => waiting.set(seq, resolve));
    times.push(performance.now() - started);
  }
  for (const c of controllers) c.abort();
  times.sort((a, b) => a - b);
  return {
    clients,
    appends,
    lastClientMs: {
      p50: round(times[Math.floor(times.length / 2)]!),
      p99: round(times[Math.ceil(times.length * 0.99) - 1]!),
    },
  };
}

/**
 * Back-fill over HTTP: batches of the largest size the route takes, of passes, posted one after
 * another on one connection, each answered before the next is sent. The seconds spent building
 * the bodies here are not counted.
 */
async function backfillBatches(url: string, token: string, seconds: number) {
  let n = 0;
  const body = () =>
    JSON.stringify({
      entries: Array.from({ length: BATCH_MOST }, () => ({
        type: "pass.made",
        visibility: "table",
        payload: {
          kind: "counterproposal",
          issues: [
            { issue: `issue-${n++ % 50}`, language: "Section 4: the parties agree to revise the terms." },
          ],
        },
      })),
    });
  const post = async (text: string) => {
    const res = await fetch(`${url}/api/v1/disputes/bench/entries/batch`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: text,
    });
    if (res.status !== 201) throw new Error(`back-fill batch: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  await post(body()); // unmeasured: the first batch compiles the route's path
  let spent = 0;
  let batches = 0;
  const latencies: number[] = [];
  while (spent < seconds * 1000) {
    const text = body();
    const started = performance.now();
    await post(text);
    const took = performance.now() - started;
    latencies.push(took);
    spent += took;
    batches += 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    batch: BATCH_MOST,
    batches,
    entriesPerSecond: Math.round((batches * BATCH_MOST) / (spent / 1000)),
    medianBatchMs: round(latencies[Math.floor(latencies.length / 2)]!, 1),
  };
}

export async function serverBenchmarks(quick: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "parley-server-bench-"));
  const db = join(dir, "server.db");
  const token = await prepare(db);
  const { url, child } = await startServer(db);
  const duration = quick ? 2 : 10;
  try {
    const summary64 = { url: `${url}/api/v1/disputes/wga-2023`, connections: 64 };
    // A second of the same load first, unmeasured: the figures are of a warmed-up server, not of its JIT.
    await cannon({ ...summary64, duration: 1 });
    const summaryRun = await cannon({ ...summary64, duration });
    let i = 0;
    /**
     * Passes from 16 connections at once. `stamped`: each body carries the client's clock at
     * the moment it is built; requests racing on 16 connections then reach the server a little
     * out of that order, so some are back-fills by a millisecond or two. Otherwise the server
     * stamps each as it records it, as a client recording a pass as it happens does.
     */
    const passes = (stamped: boolean) =>
      cannon({
        url: `${url}/api/v1/disputes/bench/entries`,
        connections: 16,
        duration,
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify({
                type: "pass.made",
                ...(stamped ? { occurredAt: new Date().toISOString() } : {}),
                visibility: "table",
                payload: {
                  kind: "counterproposal",
                  issues: [
                    {
                      issue: `issue-${i++ % 50}`,
                      language: "Section 4: the parties agree to revise the terms.",
                    },
                  ],
                },
              }),
            }),
          },
        ],
      });
    const appendRun = await passes(false);
    const stampedRun = await passes(true);
    const backfill = await backfillBatches(url, token, duration);
    const fanOut = await sseFanOut(url, token, quick ? 100 : 1000, quick ? 5 : 20);
    return {
      publicSummary64: summary(summaryRun),
      authenticatedPassAppends16: summary(appendRun),
      authenticatedPassAppends16ClientStamped: summary(stampedRun),
      backfillBatches: backfill,
      sseFanOut: fanOut,
    };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.on("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  process.stdout.write(
    `${JSON.stringify(await serverBenchmarks(process.argv.includes("--quick")), null, 2)}\n`,
  );
}
