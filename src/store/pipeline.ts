import { CompiledQuery } from "kysely";

/**
 * Statements sent on one PostgreSQL connection without waiting for each answer (node-postgres'
 * pipeline mode), so that the server runs them back to back.
 *
 * The append transaction holds its dispute's lock from the moment it is granted until its
 * COMMIT, and the other processes wait that long. Sent one by one, the statements under the
 * lock each waited for this process's event loop to read the answer before the next went out,
 * and the event loop is busy with HTTP requests too. Pipelined, the catch-up read rides behind
 * the lock request, and the COMMIT behind the last write: the server takes the next step
 * itself. Each statement still gets its own snapshot (READ COMMITTED), so a read queued behind
 * the lock sees whatever the lock's previous holder committed.
 *
 * Kysely runs one statement at a time on a transaction's connection, so a pipeline goes to it
 * as one marked statement that the connection (pg-connection.ts) unpacks.
 */
export const PIPELINE_MARK = "/* parley: pipeline */";

/** What each statement of a pipeline answered. */
export interface PipelinedAnswer {
  command: string;
  rows: Record<string, unknown>[];
}

/**
 * One statement that stands for `queries`, sent together and run in order. Its rows are the
 * statements' answers, in order. If any fails, it fails with the first failure; the statements
 * after a failed one inside a transaction fail too (PostgreSQL aborts the transaction), and a
 * COMMIT after it rolls back.
 */
export function pipelined(queries: CompiledQuery[]): CompiledQuery<PipelinedAnswer> {
  return CompiledQuery.raw(PIPELINE_MARK, [queries]) as CompiledQuery<PipelinedAnswer>;
}

/** The COMMIT that ends an append transaction inside its last pipeline (see pg-connection.ts). */
export const COMMIT = CompiledQuery.raw("commit");
