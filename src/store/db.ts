import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { registerDirectRunner } from "./direct-sqlite.ts";
import { migrate } from "./migrations.ts";
import { openPostgres, parsePostgresLocation } from "./postgres.ts";
import type { Database } from "./schema.ts";
import { WalCheckpointer } from "./wal-checkpointer.ts";

/**
 * Where Parley keeps its database when no --db is given: $PARLEY_DATABASE_URL (a PostgreSQL
 * URL) when set, else $PARLEY_DB, else ./data/parley.db (SQLite).
 */
export function defaultLocation(): string {
  return process.env.PARLEY_DATABASE_URL || resolve(process.env.PARLEY_DB ?? "data/parley.db");
}

/** Whether a store location names a PostgreSQL database rather than a SQLite file. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * How hard SQLite works to keep a commit. NORMAL (the default) in WAL mode: a commit is in the
 * WAL file when the call returns, so it survives the process being killed; a power cut may
 * lose the last commits before the next checkpoint, but never corrupts the database. FULL also
 * fsyncs the WAL at every commit, so a commit survives a power cut, at a cost in speed.
 * (PostgreSQL keeps its own settings: synchronous_commit decides there.)
 */
export type Durability = "normal" | "full";

export interface OpenedStore {
  db: Kysely<Database>;
  /** The SQLite file's absolute path (or ":memory:"), or the PostgreSQL URL as given. */
  path: string;
  dialect: "sqlite" | "postgres";
  close(): Promise<void>;
}

/** Opens a store, SQLite (a file path) or PostgreSQL (a postgres:// URL), and migrates it. */
export async function openStore(
  location: string,
  opts: { durability?: Durability; readonly?: boolean } = {},
): Promise<OpenedStore> {
  if (isPostgresLocation(location)) {
    const db = await openPostgres(parsePostgresLocation(location));
    if (!opts.readonly) await migrate(db as Kysely<unknown>);
    return { db, path: location, dialect: "postgres", close: () => db.destroy() };
  }
  const file = location === ":memory:" ? location : resolve(location);
  if (file !== ":memory:" && !opts.readonly) mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file, {
    readonly: opts.readonly ?? false,
    fileMustExist: opts.readonly ?? false,
  });
  if (!opts.readonly) {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma(`synchronous = ${(opts.durability ?? durabilityFromEnv()) === "full" ? "FULL" : "NORMAL"}`);
  }
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const checkpointer = file !== ":memory:" && !opts.readonly ? new WalCheckpointer(sqlite, file) : null;
  const database = withStatementCache(sqlite, () => checkpointer?.committed());
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  registerDirectRunner(db, database);
  if (!opts.readonly) await migrate(db as Kysely<unknown>);
  const close = async () => {
    await checkpointer?.close();
    await db.destroy();
  };
  return { db, path: file, dialect: "sqlite", close };
}

/**
 * Kysely prepares every query afresh; on the append path that costs as much as running it.
 * The same SQL text gets the same prepared statement back (bounded, oldest dropped first).
 * Safe because Parley never iterates a statement lazily while another query runs. Kysely
 * ends every transaction by preparing "commit", which is where `onCommit` hears of it.
 */
function withStatementCache(sqlite: SQLite.Database, onCommit: () => void, limit = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (source: string): SQLite.Statement => {
    if (source === "commit") onCommit();
    const hit = cache.get(source);
    if (hit) return hit;
    const statement = sqlite.prepare(source);
    if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
    cache.set(source, statement);
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, prop) {
      if (prop === "prepare") return prepare;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function durabilityFromEnv(): Durability {
  return process.env.PARLEY_SYNC === "full" ? "full" : "normal";
}
