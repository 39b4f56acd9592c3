import { type ChildProcess, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts } from "../../src/app/accounts.ts";
import { Parley } from "../../src/app/parley.ts";
import { onPostgres, smallDispute, tempDb } from "../support/fixture.ts";
import { PARLEY_BIN, serveProcess, stopProcess } from "../support/serve-process.ts";
import { PASSWORD } from "../support/server.ts";

/**
 * Three `parley serve` processes on one PostgreSQL database, as behind a load balancer: appends
 * to one dispute from all of them at once stay one Merkle tree that verifies, a live stream on
 * one process hears the entries the others appended, a session made on one works on all, and a
 * token revoked on one is refused by all.
 * (SQLite is one process's store: this file runs in the PostgreSQL run only.)
 */
const bin = PARLEY_BIN;
const PROCESSES = 3;
const PER_PROCESS = 60;
const CONCURRENCY = 6;

describe.skipIf(!onPostgres())("several processes on one PostgreSQL database", () => {
  let location: string;
  let token: string;
  let before: number;
  const servers: { child: ChildProcess; base: string }[] = [];

  beforeAll(async () => {
    location = tempDb();
    const { app } = await smallDispute(location);
    const accounts = new Accounts(app.db, () => new Date());
    const { id } = await accounts.add({
      email: "neg@wga.example",
      org: "wga-west",
      role: "negotiator",
      name: "WGA negotiator",
      password: PASSWORD,
    });
    token = (await accounts.createToken(id, "hammer")).token;
    before = (await app.latestCheckpoint("test-2023"))!.size;
    await app.close();
    for (let i = 0; i < PROCESSES; i++) servers.push(await serveProcess(location));
  });

  afterAll(async () => {
    await Promise.all(servers.map(({ child }) => stopProcess(child)));
  });

  it("keeps one consistent tree under appends from every process, and streams each entry everywhere", async () => {
    const stream = await listen(`${servers[0]!.base}/api/v1/disputes/test-2023/stream`, token);
    const results = await Promise.all(
      servers.map(({ base }, p) =>
        pool(PER_PROCESS, CONCURRENCY, (i) =>
          fetch(`${base}/api/v1/disputes/test-2023/entries`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({
              type: "statement.made",
              visibility: "public",
              payload: { by: "wga-west", channel: "press-release", text: `process ${p}, statement ${i}` },
            }),
          }).then(async (r) => ({ status: r.status, body: (await r.json()) as { seq?: number } })),
        ),
      ),
    );
    const all = results.flat();
    expect(all.filter((r) => r.status !== 201)).toEqual([]);
    const total = PROCESSES * PER_PROCESS;
    // Every acknowledged entry has its own place: no two share a sequence number, none is missing.
    const seqs = all.map((r) => r.body.seq!).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => before + i));

    // The stream on the first process heard every entry, the other processes' too, in order.
    const heard = await stream.until((ids) => ids.length >= total);
    stream.close();
    expect(heard).toEqual(seqs);

    const app = await Parley.open(location);
    try {
      expect((await app.latestCheckpoint("test-2023"))!.size).toBe(before + total);
    } finally {
      await app.close();
    }
    // Every signature, node hash, checkpoint and projection, and successive checkpoints' consistency.
    const verify = spawnSync(process.execPath, [bin, "verify", "--db", location], { encoding: "utf8" });
    expect(verify.stdout + verify.stderr).toMatch(/ok/i);
    expect(verify.status).toBe(0);
  });

  it("accepts a session made on one process on every other", async () => {
    const signIn = await fetch(`${servers[1]!.base}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "neg@wga.example", password: PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    for (const { base } of servers) {
      const me = await fetch(`${base}/api/v1/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { email: string }).email).toBe("neg@wga.example");
    }
    const stranger = await fetch(`${servers[2]!.base}/api/v1/me`, {
      headers: { cookie: "parley_session=forged" },
    });
    expect(stranger.status).toBe(401);
  });

  it("refuses on every process a token revoked on one, though each remembered its caller", async () => {
    const made = await fetch(`${servers[0]!.base}/api/v1/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "short-lived" }),
    });
    expect(made.status).toBe(201);
    const { id, token: doomed } = (await made.json()) as { id: string; token: string };
    const me = (base: string) =>
      fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${doomed}` } });
    for (const { base } of servers) expect((await me(base)).status).toBe(200);

    const revoked = await fetch(`${servers[1]!.base}/api/v1/tokens/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(revoked.status).toBe(204);
    // The revoking process refuses it at once; the others once its word has reached them
    // (the test's timeout bounds the wait).
    expect((await me(servers[1]!.base)).status).toBe(401);
    for (const { base } of servers) {
      while ((await me(base)).status === 200) await new Promise((r) => setTimeout(r, 10));
      expect((await me(base)).status).toBe(401);
    }
  });
});

/** Runs `count` tasks with at most `width` at once; the results in task order. */
async function pool<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < count; i = next++) results[i] = await task(i);
    }),
  );
  return results;
}

/** A Server-Sent Events client that collects the ids of `entry` events. */
async function listen(url: string, bearer: string) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${bearer}` }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`stream: ${res.status}`);
  const ids: number[] = [];
  const waiters = new Set<() => void>();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(frame);
          if (id && /^event: entry$/m.test(frame)) ids.push(Number(id[1]));
          for (const w of waiters) w();
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    /** Waits for the condition (the test's own timeout bounds the wait). */
    until(done: (ids: number[]) => boolean): Promise<number[]> {
      return new Promise((resolve) => {
        const check = () => {
          if (done(ids)) {
            waiters.delete(check);
            resolve([...ids]);
          }
        };
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}
