import { type ColumnDefinitionBuilder, type CompiledQuery, type Kysely, SqliteAdapter } from "kysely";

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

/** What marks a statement for preparing once per connection (see `preparedOnce`). */
export const PREPARE_MARK = "/* parley: prepare */ ";

/**
 * Marks a statement the hot paths run over and over (the append transaction's, a caller's
 * look-up): PostgreSQL then parses and plans it once per connection and only binds values
 * after that (pg-connection.ts gives it a name on each connection). Planning the catch-up query costs
 * three times running it. Only statements of a fixed shape, or of one of a bounded set of
 * shapes, are marked; each connection keeps the most recently used of them prepared
 * (PREPARED_PER_CONNECTION). SQLite, which reads the marker as a comment, is unaffected.
 */
export function preparedOnce<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  return { ...query, sql: PREPARE_MARK + query.sql };
}
