import { type Kysely, SqliteAdapter } from "kysely";

/**
 * Whether a database speaks SQLite. Most of the store is written once for both dialects with
 * the schema and query builders; the few things that are not (full-text search) ask this.
 */
export function isSqlite(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}
