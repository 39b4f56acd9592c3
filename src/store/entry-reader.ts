import { createRequire } from "node:module";
import { join } from "node:path";
import type SQLite from "better-sqlite3";
import type { EntryRow } from "./ledger-repo.ts";

/**
 * A read-only connection of its own for a worker thread of `verify --db`, so that each worker
 * reads the entries it checks instead of the main thread reading them and copying them over.
 * Plain SQL on purpose: the query is portable, and a worker has no use for a query builder.
 */
export interface EntryReader {
  /** The entries of one dispute with from <= seq <= to, in sequence order. */
  range(disputeId: number, from: number, to: number): EntryRow[];
  close(): void;
}

/** Where better-sqlite3 lives, resolved by the main thread for workers that run bundled code. */
export function sqliteModulePath(): string {
  return createRequire(import.meta.url).resolve("better-sqlite3");
}

export function openEntryReader(path: string, modulePath: string): EntryReader {
  // An absolute module path resolves from anywhere, whatever folder the worker's code claims.
  const Database = createRequire(join(process.cwd(), "entry-reader.js"))(modulePath) as typeof SQLite;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  // Pages are read once, in order: a small cache is all a forward scan needs.
  db.pragma("cache_size = -512");
  const statement = db.prepare<[number, number, number], EntryRow>(
    `SELECT seq, type, org_id, key_id, occurred_at, recorded_at, visibility, body, signature, leaf_hash
       FROM ledger_entries WHERE dispute_id = ? AND seq >= ? AND seq <= ? ORDER BY seq`,
  );
  return {
    range: (disputeId, from, to) => statement.all(disputeId, from, to),
    close: () => db.close(),
  };
}
