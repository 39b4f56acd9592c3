import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts } from "../../src/app/accounts.ts";
import { Parley } from "../../src/app/parley.ts";
import { onPostgres, smallDispute } from "../support/fixture.ts";
import {
  postgresBinaries,
  restartCluster,
  startThrowawayCluster,
  type ThrowawayCluster,
} from "../support/postgres-cluster.ts";
import { PARLEY_BIN, serveProcess, stopProcess } from "../support/serve-process.ts";
import { PASSWORD } from "../support/server.ts";

/**
 * Faults on PostgreSQL, on a cluster of this file's own (restarting the run's shared one would
 * break every other test running beside it): the database restarting under write load, and a
 * `parley serve` killed in the middle of appends. Each time no acknowledged entry may be lost,
 * a refused write must be a retryable 503 with a stable code, and the ledger must verify.
 */
const bin = PARLEY_BIN;
const binaries = onPostgres() ? postgresBinaries() : null;
if (onPostgres() && !binaries)
  console.warn("SKIP: no PostgreSQL binaries to start a cluster of this file's own");

describe.skipIf(!binaries)("faults on PostgreSQL", () => {
  let cluster: ThrowawayCluster;
  let location: string;
  let token: string;

  beforeAll(async () => {
    cluster = await startThrowawayCluster(binaries!);
    const url = new URL(cluster.url);
    url.searchParams.set("schema", "faults");
    location = url.toString();
    const { app } = await smallDispute(location);
    const accounts = new Accounts(app.db, () => new Date());
    const { id } = await accounts.add({
      email: "neg@wga.example",
      org: "wga-west",
      role: "negotiator",
      name: "WGA negotiator",
      password: PASSWORD,
    });
    token = (await accounts.createToken(id, "faults")).token;
    await app.close();
  });
  afterAll(() => cluster?.stop());

  /** Appends from `width` clients until told to stop; the seqs acknowledged and every refusal. */
  function writeLoad(base: () => string, width: number) {
    const acknowledged: number[] = [];
    const refused: { status: number; code: string | undefined; retryAfter: string | null }[] = [];
    let running = true;
    let n = 0;
    const done = Promise.all(
      Array.from({ length: width }, async () => {
        while (running) {
          try {
            const res = await fetch(`${base()}/api/v1/disputes/test-2023/entries`, {
              method: "POST",
              headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
              body: JSON.stringify({
                type: "statement.made",
                visibility: "public",
                payload: { by: "wga-west", channel: "press-release", text: `statement ${n++}` },
              }),
            });
            const body = (await res.json()) as { seq?: number; error?: { code: string } };
            if (res.status === 201) acknowledged.push(body.seq!);
            else
              refused.push({
                status: res.status,
                code: body.error?.code,
                retryAfter: res.headers.get("retry-after"),
              });
          } catch {
            // The process itself went away (the kill test): the request was never acknowledged.
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      }),
    );
    return {
      acknowledged,
      refused,
      stop: async () => {
        running = false;
        await done;
      },
    };
  }

  const verify = () =>
    spawnSync(process.execPath, [bin, "verify", "--db", location, "--json"], { encoding: "utf8" });
  async function storedSeqs(): Promise<Set<number>> {
    const app = await Parley.open(location);
    try {
      const rows = await app.db.selectFrom("ledger_entries").select("seq").execute();
      return new Set(rows.map((r) => r.seq));
    } finally {
      await app.close();
    }
  }

  it("survives the database restarting under write load: retryable refusals, nothing acknowledged lost", async () => {
    const server = await serveProcess(location);
    try {
      const load = writeLoad(() => server.base, 4);
      await until(() => load.acknowledged.length >= 30);
      await restartCluster(cluster.control);
      const after = load.acknowledged.length;
      // Writes resume by themselves once the database is back: the pool makes new connections.
      await until(() => load.acknowledged.length >= after + 30);
      await load.stop();
      // While it was down, writes were refused, each as retryable (clients write throughout).
      expect(load.refused.length).toBeGreaterThan(0);
      for (const r of load.refused) {
        expect(r).toEqual({ status: 503, code: "STORE_UNAVAILABLE", retryAfter: "1" });
      }
      const stored = await storedSeqs();
      expect(load.acknowledged.filter((seq) => !stored.has(seq))).toEqual([]);
      const v = verify();
      expect(JSON.parse(v.stdout).ok).toBe(true);
      expect(v.status).toBe(0);
    } finally {
      await stopProcess(server.child, "SIGTERM");
    }
  });

  it("survives a process killed in the middle of appends: another process goes on, the ledger verifies", async () => {
    const first = await serveProcess(location);
    const second = await serveProcess(location);
    let target = first.base;
    const load = writeLoad(() => target, 4);
    try {
      await until(() => load.acknowledged.length >= 40);
      await stopProcess(first.child, "SIGKILL");
      // The load balancer's part: the clients now go to the survivor.
      target = second.base;
      const after = load.acknowledged.length;
      await until(() => load.acknowledged.length >= after + 40);
      await load.stop();
      // The killed process's open transaction died with its connection, lock and all.
      expect(load.refused).toEqual([]);
      const stored = await storedSeqs();
      expect(load.acknowledged.filter((seq) => !stored.has(seq))).toEqual([]);
      expect(new Set(load.acknowledged).size).toBe(load.acknowledged.length);
      const v = verify();
      expect(JSON.parse(v.stdout).ok).toBe(true);
    } finally {
      await load.stop();
      await stopProcess(second.child, "SIGTERM");
    }
  });
});

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 25));
}
