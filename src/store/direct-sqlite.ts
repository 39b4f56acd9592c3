import type SQLite from "better-sqlite3";
import type { Compilable, CompiledQuery, Kysely, QueryResult } from "kysely";
import type { Database, StatementRunner } from "./schema.ts";

const runners = new WeakMap<Kysely<Database>, StatementRunner>();

/**
 * Gives a SQLite store a runner that executes compiled statements on better-sqlite3 itself.
 *
 * Kysely's executor spends a few microseconds on every statement (its connection provider,
 * plugins and result transforms), as much as SQLite takes to run a one-row insert, and a single
 * append runs half a dozen. The writer runs its per-append statements with this runner instead.
 * It bypasses Kysely's hold on SQLite's one connection, so it may only be used where that hold
 * is already had: inside a transaction Kysely opened, whose statements it then joins.
 */
export function registerDirectRunner(db: Kysely<Database>, sqlite: SQLite.Database): void {
  const executeQuery = <R>(query: CompiledQuery<R> | Compilable<R>): Promise<QueryResult<R>> => {
    const { sql, parameters } = "compile" in query ? query.compile() : query;
    // `prepare` is the store's statement cache (db.ts), so each text is prepared once.
    const statement = sqlite.prepare(sql);
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    statement.run(parameters);
    return Promise.resolve({ rows: [] });
  };
  runners.set(db, { executeQuery } as StatementRunner);
}

/** The direct runner of a SQLite store opened by openStore; undefined for any other. */
export function directRunner(db: Kysely<Database>): StatementRunner | undefined {
  return runners.get(db);
}
