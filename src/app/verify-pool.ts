import type { SignerKeyInfo } from "../ledger/export-file.ts";
import { isPostgresLocation } from "../store/db.ts";
import { type EntrySource, pgModulePath, sqliteModulePath } from "../store/entry-reader.ts";
import { parsePostgresLocation } from "../store/postgres.ts";
import type { Closed, CloseJob, VerifyInit, VerifyJob, VerifyResult } from "./verify-worker.ts";
import { keysToWire } from "./wire-keys.ts";
import { WorkerPool } from "./worker-pool.ts";

/** How long closing waits for the workers to end their connections before terminating them. */
const CLOSE_GRACE_MS = 2000;

/** Worker threads that check entries for `verify --db` (see verify-worker.ts). */
export class VerifierPool {
  private constructor(
    private readonly pool: WorkerPool<Omit<VerifyJob, "id"> | Omit<CloseJob, "id">, VerifyResult | Closed>,
    private readonly source: EntrySource,
  ) {}

  /** `location` is the store's: each worker opens a read-only connection to it for itself. */
  static start(location: string, keys: Map<string, SignerKeyInfo>): VerifierPool {
    const source = entrySource(location);
    const init: VerifyInit = { keys: keysToWire(keys), source };
    return new VerifierPool(new WorkerPool(new URL("./verify-worker.ts", import.meta.url), init), source);
  }

  get size(): number {
    return this.pool.size;
  }

  check(job: Omit<VerifyJob, "id">): Promise<VerifyResult> {
    return this.pool.run(job) as Promise<VerifyResult>;
  }

  async close(): Promise<void> {
    // A PostgreSQL connection is a session on the server: each worker ends its own cleanly
    // rather than having its socket cut when the thread is terminated. Jobs go round-robin,
    // so `size` close jobs in a row reach every worker once. A worker that died answers
    // nothing, hence the bound on the wait. A SQLite reader is only an open file: nothing to do.
    if (this.source.kind === "postgres") {
      const closing = Array.from({ length: this.size }, () => this.pool.run({ close: true }));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      });
      await Promise.race([Promise.allSettled(closing), grace]);
      clearTimeout(timer);
    }
    await this.pool.close();
  }
}

/**
 * What a worker needs to open the store itself: the SQLite file, or the PostgreSQL URL and
 * schema; with the driver's module path, resolved here because workers run bundled code.
 */
function entrySource(location: string): EntrySource {
  if (isPostgresLocation(location)) {
    const { connectionString, schema } = parsePostgresLocation(location);
    return { kind: "postgres", connectionString, schema, module: pgModulePath() };
  }
  return { kind: "sqlite", path: location, module: sqliteModulePath() };
}
