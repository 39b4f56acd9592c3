import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Parley } from "../../src/app/parley.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { tempDb } from "../support/fixture.ts";

/**
 * Invariant 7: an acknowledged append survives a crash. A child process appends statements
 * one at a time and prints each acknowledged seq; it is killed with SIGKILL at a random point
 * after at least 200 acknowledgements; the store must then verify and hold every one of them.
 */
const WRITER = fileURLToPath(new URL("../support/crash-writer.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SLUG = "crash-2023";
const RUNS = 3;

/** Runs the writer until it has acknowledged `target` appends, then kills it; returns the seqs. */
function runAndKill(dbPath: string, target: number): Promise<{ acked: number[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, dbPath], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acked: number[] = [];
    let pending = "";
    let stderr = "";
    let killed = false;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      // Only complete lines are acknowledgements; a partial one is kept for the next chunk.
      pending = lines.pop()!;
      for (const line of lines) if (line !== "") acked.push(Number(line));
      if (!killed && acked.length >= target) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      if (!killed)
        reject(new Error(`the writer stopped on its own after ${acked.length} appends:\n${stderr}`));
      else resolve({ acked, signal });
    });
  });
}

describe("crash safety", () => {
  it.each(Array.from({ length: RUNS }, (_, i) => i + 1))(
    "keeps every acknowledged append through a SIGKILL at a random point (run %i)",
    async () => {
      const dbPath = tempDb();
      const target = 200 + Math.floor(Math.random() * 300);
      const { acked, signal } = await runAndKill(dbPath, target);
      expect(signal).toBe("SIGKILL");
      expect(acked.length).toBeGreaterThanOrEqual(200);
      // Acknowledgements are the seqs 0, 1, 2, … in order.
      expect(acked).toEqual(acked.map((_, i) => i));

      const app = await Parley.open(dbPath);
      try {
        const report = await verifyStore(app);
        expect(report.problems).toEqual([]);
        expect(report.ok).toBe(true);
        const d = await app.disputeRow(SLUG);
        const stored = await app.db
          .selectFrom("ledger_entries")
          .select("seq")
          .where("dispute_id", "=", d.id)
          .orderBy("seq")
          .execute();
        const present = new Set(stored.map((r) => r.seq));
        expect(acked.filter((seq) => !present.has(seq))).toEqual([]);
        // At most the one append in flight when the kill came may have committed unacknowledged.
        expect(stored.length - acked.length).toBeGreaterThanOrEqual(0);
        expect(stored.length - acked.length).toBeLessThanOrEqual(1);
        expect((await app.latestCheckpoint(SLUG))?.size).toBe(stored.length);

        // The recovered store takes the next append where the ledger ends.
        const next = await app.execute(SLUG, {
          actor: { org: "wga-west", user: "negotiator-w" },
          type: "statement.made",
          occurredAt: "2023-12-01T00:00:00Z",
          visibility: "public",
          payload: { by: "wga-west", channel: "other", text: "After the crash" },
        });
        expect(next.seq).toBe(stored.length);
        expect((await verifyStore(app)).ok).toBe(true);
      } finally {
        await app.close();
      }
    },
    120_000,
  );
});
