import { sqliteModulePath } from "../store/entry-reader.ts";
import type { VerifyInit, VerifyJob, VerifyResult } from "./verify-worker.ts";
import { WorkerPool } from "./worker-pool.ts";

/** Worker threads that check entries for `verify --db` (see verify-worker.ts). */
export class VerifierPool {
  private constructor(private readonly pool: WorkerPool<Omit<VerifyJob, "id">, VerifyResult>) {}

  /** `path` is the database file: each worker opens it read-only for itself. */
  static start(
    path: string,
    keys: Map<string, { org: string; raw: Buffer; retiredAt: string | null }>,
  ): VerifierPool {
    const init: VerifyInit = {
      keys: [...keys].map(([id, k]) => [id, k.org, k.raw, k.retiredAt]),
      path,
      sqlite: sqliteModulePath(),
    };
    return new VerifierPool(new WorkerPool(new URL("./verify-worker.ts", import.meta.url), init));
  }

  get size(): number {
    return this.pool.size;
  }

  check(job: Omit<VerifyJob, "id">): Promise<VerifyResult> {
    return this.pool.run(job);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
