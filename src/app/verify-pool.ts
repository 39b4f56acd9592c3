import type { EntryRow } from "../store/ledger-repo.ts";
import type { VerifyResult, WorkerMessage } from "./verify-worker.ts";
import { WorkerPool } from "./worker-pool.ts";

/** Worker threads that check entries for `verify --db` (see verify-worker.ts). */
export class VerifierPool {
  private constructor(private readonly pool: WorkerPool<{ slug: string; rows: EntryRow[] }, VerifyResult>) {}

  static start(keys: Map<string, { org: string; raw: Buffer }>): VerifierPool {
    const init: WorkerMessage = { keys: [...keys].map(([id, k]) => [id, k.org, k.raw]) };
    return new VerifierPool(new WorkerPool(new URL("./verify-worker.ts", import.meta.url), init));
  }

  get size(): number {
    return this.pool.size;
  }

  check(slug: string, rows: EntryRow[]): Promise<VerifyResult> {
    return this.pool.run({ slug, rows });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
