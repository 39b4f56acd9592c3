import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { buildSync } from "esbuild";

const bundles = new Map<string, string>();

/**
 * A worker's code, bundled once per process with esbuild (already installed: tsx runs on it).
 * A bundle runs as plain JavaScript, so a worker needs no TypeScript loader of its own: each
 * loader would cost a thread and tens of megabytes.
 */
function bundle(entry: URL): string {
  const key = entry.href;
  let code = bundles.get(key);
  if (!code) {
    code = buildSync({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      write: false,
      // Native addons cannot be bundled. The worker's code is evaluated rather than loaded from
      // a file, so its `require` would resolve from whatever folder the process started in:
      // the banner points it at this package instead.
      external: ["better-sqlite3", "sodium-native"],
      banner: { js: `require = require("node:module").createRequire(${JSON.stringify(import.meta.url)});` },
      logLevel: "silent",
    }).outputFiles[0]!.text;
    bundles.set(key, code);
  }
  return code;
}

/**
 * Worker threads, one per core, fed round-robin with jobs `{ id, ... }` and answering
 * `{ id, ... }` (or `{ id, error }`). Workers are unref'd: an idle pool never keeps the
 * process alive.
 */
export class WorkerPool<Job extends object, Result extends { id: number }> {
  private next = 0;
  private jobs = 0;
  private readonly waiting = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();
  private readonly workers: Worker[];

  constructor(entry: URL, init?: unknown, size = availableParallelism()) {
    const code = bundle(entry);
    this.workers = Array.from({ length: Math.max(1, size) }, () => {
      // Small heaps: a worker holds one page of entries at a time, and the process's peak
      // memory should not grow with the number of cores.
      const w = new Worker(code, {
        eval: true,
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
      });
      w.on("message", (r: Result & { error?: string }) => {
        const waiter = this.waiting.get(r.id);
        this.waiting.delete(r.id);
        if (r.error !== undefined) waiter?.reject(new Error(r.error));
        else waiter?.resolve(r);
        if (this.waiting.size === 0) for (const x of this.workers) x.unref();
      });
      w.on("error", (err) => {
        for (const p of this.waiting.values()) p.reject(err);
        this.waiting.clear();
      });
      if (init !== undefined) w.postMessage(init);
      w.unref();
      return w;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  run(job: Job, transfer: ArrayBuffer[] = []): Promise<Result> {
    const id = this.jobs++;
    const worker = this.workers[this.next++ % this.workers.length]!;
    // A job in flight must keep the process alive until its answer arrives.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ ...job, id }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
