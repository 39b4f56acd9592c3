/**
 * The public newsroom's budgets: the public dispute page and a post page read by 64 readers at
 * once on loopback (the server in a child process, `parley serve`, autocannon here), beside a
 * bare Node server sending a buffer of the same size, the floor any server meets.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Parley } from "../src/app/parley.ts";
import { loadDemo } from "../src/demo/load.ts";
import { cannon, startServer, summary } from "./server.ts";

const POST = "day-136-the-amptp-says-it-will-set-a-meeting-with-the-writers-next-week";

async function prepare(path: string): Promise<void> {
  const app = await Parley.open(path);
  await loadDemo(app);
  await app.close();
}

/** 64 connections on one URL: a second unmeasured to warm up, then `duration` seconds. */
async function load(url: string, duration: number) {
  await cannon({ url, connections: 64, duration: 1 });
  return summary(await cannon({ url, connections: 64, duration }));
}

/** A bare Node HTTP server answering every request with `body`: what no real page can beat. */
async function staticFloor(body: Buffer, duration: number) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": body.length });
    res.end(body);
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

export async function newsroomBenchmarks(quick: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "parley-newsroom-bench-"));
  const db = join(dir, "newsroom.db");
  await prepare(db);
  const { url, child } = await startServer(db);
  const duration = quick ? 2 : 10;
  try {
    const disputePage = `${url}/disputes/wga-2023`;
    const postPage = `${url}/news/${POST}`;
    const sizes = {
      disputePageBytes: (await (await fetch(disputePage)).arrayBuffer()).byteLength,
      postPageBytes: (await (await fetch(postPage)).arrayBuffer()).byteLength,
    };
    const publicDisputePage64 = await load(disputePage, duration);
    const postPage64 = await load(postPage, duration);
    const floor = await staticFloor(Buffer.alloc(sizes.postPageBytes, "a"), duration);
    return { ...sizes, publicDisputePage64, postPage64, staticSameSizeFloor64: floor };
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
