import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { buildSync } from "esbuild";
import type { EntryRow } from "../store/ledger-repo.ts";
import type { VerifyResult, WorkerMessage } from "./verify-worker.ts";

let bundled: string | null = null;

/**
 * The worker's code, bundled once per process with esbuild (already installed: tsx runs on
 * it). A bundle runs as plain JavaScript, so a worker needs no TypeScript loader of its own:
 * each loader would cost a thread and tens of megabytes.
 */
function workerBundle(): string {
  bundled ??= buildSync({
    entryPoints: [fileURLToPath(new URL("./verify-worker.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    write: false,
    logLevel: "silent",
  }).outputFiles[0]!.text;
  return bundled;
}

/** Worker threads that check entries (see verify-worker.ts), one per core, fed round-robin. */
export class VerifierPool {
  private next = 0;
  private jobs = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (r: VerifyResult) => void; reject: (e: Error) => void }
  >();

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on("message", (r: VerifyResult) => {
        this.waiting.get(r.id)?.resolve(r);
        this.waiting.delete(r.id);
      });
      w.on("error", (err) => {
        for (const p of this.waiting.values()) p.reject(err);
        this.waiting.clear();
      });
    }
  }

  static start(keys: Map<string, { org: string; raw: Buffer }>, size = availableParallelism()): VerifierPool {
    const code = workerBundle();
    const message: WorkerMessage = { keys: [...keys].map(([id, k]) => [id, k.org, k.raw]) };
    const workers = Array.from({ length: Math.max(1, size) }, () => {
      // Small heaps: each worker holds one page of entries at a time, and the peak memory of
      // verifying a long ledger should not grow with the number of cores.
      const w = new Worker(code, {
        eval: true,
        resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
      });
      w.postMessage(message);
      return w;
    });
    return new VerifierPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  check(slug: string, rows: EntryRow[]): Promise<VerifyResult> {
    const id = this.jobs++;
    const worker = this.workers[this.next++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, slug, rows } satisfies WorkerMessage);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
