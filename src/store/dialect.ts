import { type ColumnDefinitionBuilder, type Kysely, SqliteAdapter } from "kysely";

/**
 * Where the two dialects part. Most of the store is written once for both with the schema and
 * query builders; what is not (column types with no common name, full-text search, the
 * question "has anyone else written?") asks these.
 */
export function isSqlite(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/** The column type for bytes (hashes, signatures, keys): BLOB on SQLite, BYTEA on PostgreSQL. */
export function bytesType(db: Kysely<unknown>): "blob" | "bytea" {
  return isSqlite(db) ? "blob" : "bytea";
}

/** An integer primary key the database numbers itself: `.addColumn("id", ...serialId(db))`. */
export function serialId(
  db: Kysely<unknown>,
): ["integer" | "serial", (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return isSqlite(db)
    ? ["integer", (c) => c.primaryKey().autoIncrement()]
    : ["serial", (c) => c.primaryKey()];
}
