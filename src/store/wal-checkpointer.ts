import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type SQLite from "better-sqlite3";

/**
 * Copies a busy SQLite store's write-ahead log back into the database on a thread of its own.
 *
 * Left to itself, SQLite checkpoints on the connection that commits, once the log holds
 * `wal_autocheckpoint` pages (1,000 by default): every hundred or so appends, one of them
 * waits while the log is fsynced, its pages are copied and the database is fsynced (3 to 10
 * ms on this machine, half of all the time commits took). Here a worker thread with its own
 * connection runs a PASSIVE checkpoint every CHECKPOINT_EVERY_MS, which copies what is
 * committed without ever blocking a writer, and the writing connection's own threshold is
 * raised to AUTOCHECKPOINT_PAGES. The log only starts again from its beginning after a
 * checkpoint that no commit overtook, so the writer still checkpoints, less often: by then the
 * worker has copied most pages and it is mostly the two fsyncs. Durability is unchanged: a
 * commit is in the log when it returns, whoever copies it later.
 *
 * The thread starts once the log has grown to the size at which SQLite's own checkpoints
 * begin (its file keeps that size from then on), so stores that are opened, written a little
 * and closed (the CLI, most tests) never pay for a thread.
 */
export class WalCheckpointer {
  /** The log's size in bytes once SQLite's own checkpoints start: then the thread starts. */
  private readonly startAt: number;
  private worker: Worker | null = null;
  /** Closed, or failed once: SQLite's own checkpoints do the work from then on. */
  private over = false;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly file: string,
  ) {
    this.startAt = SQLITE_DEFAULT_PAGES * (sqlite.pragma("page_size", { simple: true }) as number);
  }

  /** Called at each commit of the writing connection. */
  committed(): void {
    if (this.worker || this.over) return;
    if ((statSync(`${this.file}-wal`, { throwIfNoEntry: false })?.size ?? 0) < this.startAt) return;
    this.start();
  }

  /** Whether the checkpointing thread is running. */
  get running(): boolean {
    return this.worker !== null;
  }

  private start(): void {
    const worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { driver: DRIVER, file: this.file, every: CHECKPOINT_EVERY_MS },
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
    });
    // A checkpointer never keeps a process alive, and a failed one hands the work back to
    // SQLite's own checkpoints instead of failing anything.
    worker.unref();
    worker.on("error", () => this.stopped(worker));
    worker.on("exit", () => this.stopped(worker));
    this.worker = worker;
    this.sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }

  private stopped(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.over = true;
    if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
  }

  /** Stops the thread and closes its connection, before the store's own connection closes. */
  async close(): Promise<void> {
    this.over = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    // Unref'd, its ending alone would not keep the event loop turning until it is awaited.
    worker.ref();
    worker.postMessage("stop");
    await exited;
  }
}

const CHECKPOINT_EVERY_MS = 100;
/**
 * The writing connection's threshold while the thread runs: 64 MB of log with 4 KB pages. Its
 * own checkpoint costs two fsyncs (5 to 20 ms) however much the thread has already copied, so
 * the threshold sets how often a commit pays them: at 4,000 pages, a third of all the time
 * single appends spent committing; at 16,000, a tenth (about 20 µs less per append). The log
 * file keeps its largest size, so this is also the disk a busy store's WAL takes.
 */
const AUTOCHECKPOINT_PAGES = 16_000;
const SQLITE_DEFAULT_PAGES = 1000;
const DRIVER = createRequire(import.meta.url).resolve("better-sqlite3");

// Plain CommonJS, evaluated as the worker's script: no TypeScript loader or bundle needed.
const WORKER_CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or briefly unavailable: the next round, or the writer's own checkpoint, does it.
  }
}, workerData.every);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;
