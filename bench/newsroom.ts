/**
 * The public newsroom's budgets: the public dispute page and a post page read by 64 readers at
 * once on loopback (the server in a child process, `parley serve`), beside a bare Node server
 * sending the post page's own bytes, the floor any server meets; and comment POSTs.
 *
 * The load comes from wrk (Debian's `wrk`) when it is installed: autocannon, in JavaScript,
 * saturates a core of its own parsing compressed pages long before the server does (it reads
 * ~3,100 gzipped 15 KB responses a second from a bare Node server that wrk gets 19,000 from on
 * the same 2 cores), so its figures measure the client. Without wrk, autocannon is used and
 * the result says so.
 */

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Accounts } from "../src/app/accounts.ts";
import { Comments, commentSecret } from "../src/app/comments.ts";
import { Parley } from "../src/app/parley.ts";
import { Posts } from "../src/app/posts.ts";
import { loadDemo } from "../src/demo/load.ts";
import { cannon, startServer, summary } from "./server.ts";

const POST = "day-136-the-amptp-says-it-will-set-a-meeting-with-the-writers-next-week";

/** Comments on the benchmarked post: 60 threads and 140 replies, up to four levels deep. */
const THREADS = 60;
const COMMENTS = 200;

/**
 * The demo, and 200 approved comments on one post, sent through the service as readers would
 * (each passing the site's rules, which are relaxed for the loading only: the rules that refuse
 * a sender who comments this fast from one address are on again afterwards, but the per-address
 * limits, since the benchmark's comment POSTs all come from loopback).
 */
export async function prepare(path: string): Promise<void> {
  const app = await Parley.open(path);
  await loadDemo(app);
  const accounts = new Accounts(app.db, () => new Date(app.now()));
  const { id } = await accounts.add({
    email: "operator@bench.example",
    name: "Bench operator",
    password: "a benchmark password",
    operator: true,
  });
  const operator = (await accounts.byToken((await accounts.createToken(id, "bench")).token))!;
  const posts = new Posts(app, () => app.now());
  const comments = new Comments(app, posts, { secret: await commentSecret(app), now: () => app.now() });
  await comments.updateSettings(operator, {
    hold: "none",
    minFillSeconds: 0,
    perIp: null,
    perEmail: null,
    holdLinks: null,
  });
  const ids: string[] = [];
  for (let i = 0; i < COMMENTS; i++) {
    // The first 60 start threads; each later one answers an earlier comment, nesting as it goes.
    const parent = i < THREADS ? undefined : ids[(i * 7) % ids.length];
    const result = await comments.submit({
      postSlug: POST,
      ip: `198.51.100.${i % 250}`,
      form: {
        comment: `Comment ${i}: a reader's view of day 136, with a link to https://example.org/strike/${i} and two sentences of text to make it the size of a real comment.`,
        name: `Reader ${i}`,
        email: `reader${i}@example.org`,
        website: i % 3 === 0 ? `https://reader${i}.example.org` : "",
        issued: comments.formToken(POST),
        ...(parent ? { parent } : {}),
      },
    });
    if (!("outcome" in result) || result.outcome !== "approved" || !result.comment) {
      throw new Error(`comment ${i} was not approved: ${JSON.stringify(result)}`);
    }
    ids.push(result.comment.id);
  }
  await comments.updateSettings(operator, { perIp: null, perEmail: null });
  await app.close();
}

/** What every browser sends: pages may come compressed. */
const BROWSER = { "accept-encoding": "gzip, deflate, br" };

const WRK = ["/usr/bin/wrk", "/usr/local/bin/wrk"].find((p) => existsSync(p)) ?? null;

interface LoadResult {
  client: "wrk" | "autocannon";
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}

/** 64 connections on one URL, as browsers ask: a second unmeasured to warm up, then `duration` seconds. */
async function load(url: string, duration: number): Promise<LoadResult> {
  if (!WRK) {
    await cannon({ url, connections: 64, duration: 1, headers: BROWSER });
    return {
      client: "autocannon",
      ...summary(await cannon({ url, connections: 64, duration, headers: BROWSER })),
    };
  }
  await wrk(url, 1);
  return parseWrk(await wrk(url, duration));
}

/** Runs wrk without blocking this process, which may be serving the floor. */
async function wrk(url: string, seconds: number): Promise<string> {
  const headers = Object.entries(BROWSER).flatMap(([k, v]) => ["-H", `${k}: ${v}`]);
  const args = ["-t1", "-c64", `-d${seconds}s`, "--latency", ...headers, url];
  return (await promisify(execFile)(WRK!, args)).stdout;
}

/** wrk's report: "Requests/sec:", the latency distribution, "Non-2xx or 3xx responses:", socket errors. */
function parseWrk(out: string): LoadResult {
  const ms = (text: string | undefined) => {
    const m = /([\d.]+)(us|ms|s)/.exec(text ?? "");
    if (!m) return Number.NaN;
    const n = Number(m[1]);
    return Number((m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n).toFixed(2));
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    client: "wrk",
    requestsPerSecond: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])),
    latencyMs: {
      p50: ms(/50%\s+(\S+)/.exec(out)?.[1]),
      p99: ms(/99%\s+(\S+)/.exec(out)?.[1]),
      max: ms(/Latency\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1]),
    },
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    errors: errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

/** A page as rendered, and the bytes a browser is sent (gzipped). */
async function page(url: string): Promise<{ rendered: number; sent: Buffer }> {
  const rendered = (await (await fetch(url)).arrayBuffer()).byteLength;
  // fetch decompresses what it is sent; ask over plain HTTP/1.1 for the bytes on the wire.
  const sent = await new Promise<Buffer>((resolve, reject) => {
    get(url, { headers: BROWSER }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(Buffer.concat(chunks)));
    }).on("error", reject);
  });
  return { rendered, sent };
}

/** A bare Node HTTP server answering every request with the gzipped page: what no real server can beat. */
async function staticFloor(gzipped: Buffer, duration: number) {
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-encoding": "gzip",
      "content-length": gzipped.length,
    });
    res.end(gzipped);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  try {
    return await load(`http://127.0.0.1:${address.port}/`, duration);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Comment POSTs one after another, as readers send them through the post page's form (held for
 * moderation, as a first comment is under the default rules), timed from send to the redirect.
 */
async function commentPosts(url: string, count: number) {
  const page = await (await fetch(`${url}/news/${POST}`)).text();
  const token = /name="issued" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error("no comment form on the post page");
  // The form must have been open the site's minimum fill time (3 s) before it is sent.
  await new Promise((resolve) => setTimeout(resolve, 3_100));
  const times: number[] = [];
  let held = 0;
  for (let i = 0; i < count; i++) {
    const body = new URLSearchParams({
      issued: token,
      comment: `A new reader's comment number ${i}, sent during the benchmark.`,
      name: `New reader ${i}`,
      email: `new${i}@example.org`,
      website: "",
      url: "",
    });
    const started = performance.now();
    const res = await fetch(`${url}/news/${POST}/comments`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: url },
      body,
      redirect: "manual",
    });
    await res.arrayBuffer();
    times.push(performance.now() - started);
    if (res.status === 303 && res.headers.get("location")?.includes("comment=held")) held++;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    Number(times[Math.min(times.length - 1, Math.floor(times.length * q))]!.toFixed(2));
  return { count, held, latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) } };
}

export async function newsroomBenchmarks(quick: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "parley-newsroom-bench-"));
  const db = join(dir, "newsroom.db");
  await prepare(db);
  const { url, child } = await startServer(db);
  const duration = quick ? 2 : 10;
  try {
    const disputePage = `${url}/disputes/wga-2023`;
    const postPage = `${url}/news/${POST}`;
    const dispute = await page(disputePage);
    const post = await page(postPage);
    const sizes = {
      disputePage: { rendered: dispute.rendered, sent: dispute.sent.length },
      postPage: { rendered: post.rendered, sent: post.sent.length },
    };
    const publicDisputePage64 = await load(disputePage, duration);
    const postPage64 = await load(postPage, duration);
    // The floor sends the very bytes the post page travels in (gzipped).
    const floor = await staticFloor(post.sent, duration);
    const commentPost = await commentPosts(url, quick ? 50 : 300);
    return {
      ...sizes,
      comments: COMMENTS,
      publicDisputePage64,
      postPageWith200Comments64: postPage64,
      staticSameSizeFloor64: floor,
      // How many times faster the bare server sends the same bytes (the aim: within 3.5).
      floorOverPostPage: Number((floor.requestsPerSecond / postPage64.requestsPerSecond).toFixed(2)),
      commentPost,
    };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.on("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  process.stdout.write(
    `${JSON.stringify(await newsroomBenchmarks(process.argv.includes("--quick")), null, 2)}\n`,
  );
}
