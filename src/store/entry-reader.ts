import { createRequire } from "node:module";
import { join } from "node:path";
import type SQLite from "better-sqlite3";
import type pg from "pg";
import type { EntryRow } from "./ledger-repo.ts";

/**
 * A read-only connection of its own for a worker thread of `verify --db`, so that each worker
 * reads the entries it checks instead of the main thread reading them and copying them over.
 * Plain SQL on purpose: the query is portable, and a worker has no use for a query builder.
 *
 * Workers run bundled code (app/worker-pool.ts), so this module imports its drivers as types
 * only: the main thread resolves where each driver lives (`sqliteModulePath`, `pgModulePath`)
 * and the worker loads it from there. It must not import db.ts or postgres.ts, which would
 * pull Kysely and both drivers into every worker's bundle.
 */
export interface EntryReader {
  /**
   * The entries of one dispute with from <= seq <= to, in sequence order: synchronously on
   * SQLite (better-sqlite3 reads in the calling thread), as a promise on PostgreSQL.
   */
  range(disputeId: number, from: number, to: number): EntryRow[] | Promise<EntryRow[]>;
  close(): void | Promise<void>;
}

/**
 * Where a worker reads from, as the main thread describes it: plain data, posted to the worker.
 * For PostgreSQL the URL is already stripped of Parley's own `schema` parameter
 * (store/postgres.ts parsePostgresLocation), which comes separately.
 */
export type EntrySource =
  | { kind: "sqlite"; path: string; module: string }
  | { kind: "postgres"; connectionString: string; schema: string | null; module: string };

const RANGE_SQL = `SELECT seq, type, org_id, key_id, occurred_at, recorded_at, visibility, body, signature, leaf_hash
       FROM ledger_entries WHERE dispute_id = ? AND seq >= ? AND seq <= ? ORDER BY seq`;

/** Where better-sqlite3 lives, resolved by the main thread for workers that run bundled code. */
export function sqliteModulePath(): string {
  return createRequire(import.meta.url).resolve("better-sqlite3");
}

/** Where node-postgres lives, resolved by the main thread for workers that run bundled code. */
export function pgModulePath(): string {
  return createRequire(import.meta.url).resolve("pg");
}

/** Loads a driver by the absolute path the main thread resolved. */
function load<T>(modulePath: string): T {
  // An absolute module path resolves from anywhere, whatever folder the worker's code claims.
  return createRequire(join(process.cwd(), "entry-reader.js"))(modulePath) as T;
}

/**
 * Opens the reader a worker uses: at once on SQLite, once connected on PostgreSQL. The two
 * differ only in how they connect and run the query; both read the same columns in the same
 * order, so the worker's checks cannot tell which store the rows came from.
 */
export function openEntryReader(source: EntrySource): EntryReader | Promise<EntryReader> {
  return source.kind === "sqlite" ? openSqliteReader(source.path, source.module) : openPostgresReader(source);
}

function openSqliteReader(path: string, modulePath: string): EntryReader {
  const Database = load<typeof SQLite>(modulePath);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  // Pages are read once, in order: a small cache is all a forward scan needs.
  db.pragma("cache_size = -512");
  const statement = db.prepare<[number, number, number], EntryRow>(RANGE_SQL);
  return {
    range: (disputeId, from, to) => statement.all(disputeId, from, to),
    close: () => {
      db.close();
    },
  };
}

async function openPostgresReader(source: Extract<EntrySource, { kind: "postgres" }>): Promise<EntryReader> {
  const { Client } = load<typeof pg>(source.module);
  // Read-only for the session, as SQLite's `readonly` is for the file: a worker never writes.
  // The schema name was checked by parsePostgresLocation, so it is safe inside the option.
  const options = [
    "-c default_transaction_read_only=on",
    ...(source.schema ? [`-c search_path=${source.schema}`] : []),
  ].join(" ");
  const client = new Client({ connectionString: source.connectionString, options });
  // A connection the server drops between jobs fails the next query; as an event with no
  // listener it would instead take the whole worker down.
  client.on("error", () => {});
  await client.connect();
  // Named: the server plans the statement once per connection, as better-sqlite3's prepare does.
  let n = 0;
  const text = RANGE_SQL.replace(/\?/g, () => `$${++n}`);
  return {
    range: async (disputeId, from, to) =>
      (await client.query<EntryRow>({ name: "parley_entry_range", text, values: [disputeId, from, to] }))
        .rows,
    close: () => client.end(),
  };
}
