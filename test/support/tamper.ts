import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import type { Problem, StoreReport } from "../../src/app/verify-store.ts";
import { isPostgresLocation, openStore } from "../../src/store/db.ts";
import { KeyStore } from "../../src/store/keystore.ts";
import { parsePostgresLocation } from "../../src/store/postgres.ts";
import { tempDb } from "./fixture.ts";

export type Row = Record<string, unknown>;

/**
 * Raw SQL on either store, the way an attacker (or a careless operator) with the sqlite3 shell
 * or psql would run it: around Parley entirely. The same text runs on both: `?` placeholders
 * (numbered `$1, $2…` for PostgreSQL here), values as numbers, strings, Buffers or null.
 * Rows come back alike too: integers as numbers, bytes as Buffers.
 */
export interface Sql {
  all<T = Row>(sql: string, ...params: unknown[]): Promise<T[]>;
  get<T = Row>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, ...params: unknown[]): Promise<number>;
}

interface Connection {
  sql: Sql;
  /** Runs `work` in one transaction; `foreignKeys: false` edits without foreign keys. */
  transaction<T>(work: () => Promise<T>, foreignKeys: boolean): Promise<T>;
  close(): Promise<void>;
}

/**
 * Tampering goes around Parley entirely: a raw connection of its own edits the store, in one
 * transaction. Foreign keys are enforced unless `foreignKeys: false`, which edits as the
 * sqlite3 shell does by default (without them), or as a superuser in psql can (see below).
 */
export async function tamper<T>(
  location: string,
  edit: (db: Sql) => Promise<T> | T,
  opts: { foreignKeys?: boolean } = {},
): Promise<T> {
  const conn = await connect(location);
  try {
    return await conn.transaction(async () => edit(conn.sql), opts.foreignKeys ?? true);
  } finally {
    await conn.close();
  }
}

/** A row count for each table, to show that a failed write left the store as it was. */
export async function tableCounts(location: string): Promise<Record<string, number>> {
  const counter = await tableCounter(location);
  try {
    return await counter.counts();
  } finally {
    await counter.close();
  }
}

/**
 * tableCounts on one connection kept open, for a test that counts before and after each of
 * hundreds of requests: on PostgreSQL a connection per count made such a test take a minute.
 */
export async function tableCounter(
  location: string,
): Promise<{ counts(): Promise<Record<string, number>>; close(): Promise<void> }> {
  const conn = await connect(location, { readonly: true });
  const tables = isPostgresLocation(location)
    ? await conn.sql.all<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
      )
    : await conn.sql.all<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      );
  // One query for all, a snapshot of one moment: callers compare counts before and after.
  const query = tables
    .map(({ name }) => `SELECT '${name}' AS name, count(*) AS n FROM "${name}"`)
    .join(" UNION ALL ");
  return {
    counts: async () =>
      Object.fromEntries(
        (await conn.sql.all<{ name: string; n: number }>(query)).map(({ name, n }) => [name, n]),
      ),
    close: () => conn.close(),
  };
}

/**
 * Copies a closed store and its keys into a fresh one and returns the copy's location. SQLite:
 * the database's folder (with its `<db>.keys`) into a fresh temporary folder, keeping the mode
 * bits of the key folder and files. PostgreSQL: a fresh schema (tempDb()) made by the same
 * migrations, every table's rows copied into it, and the key folder (KeyStore.forLocation).
 */
export async function copyStore(location: string): Promise<string> {
  if (!isPostgresLocation(location)) {
    const dir = mkdtempSync(join(tmpdir(), "parley-copy-"));
    cpSync(dirname(location), dir, { recursive: true });
    const copied = join(dir, basename(location));
    if (existsSync(`${location}.keys`)) copyModes(`${location}.keys`, `${copied}.keys`);
    return copied;
  }
  const target = tempDb();
  const made = await openStore(target);
  await made.close();
  const from = await schemaOf(location);
  const to = await schemaOf(target);
  const conn = await connect(target);
  try {
    await conn.transaction(async () => {
      const tables = (
        await conn.sql.all<{ name: string }>(
          `SELECT table_name AS name FROM information_schema.tables
            WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name`,
          to,
        )
      ).map((t) => t.name);
      const q = (schema: string, table: string) => `"${schema}"."${table}"`;
      // What the migrations put in the new schema (their own bookkeeping) makes way for the
      // source's rows; one TRUNCATE for all, since tables referenced by others go together.
      await conn.sql.run(`TRUNCATE ${tables.map((t) => q(to, t)).join(", ")}`);
      for (const table of tables) {
        const columns = await conn.sql.all<{ name: string; serial: boolean }>(
          `SELECT column_name AS name, coalesce(column_default LIKE 'nextval(%', false) AS serial
             FROM information_schema.columns
            WHERE table_schema = ? AND table_name = ? AND is_generated = 'NEVER'
            ORDER BY ordinal_position`,
          to,
          table,
        );
        const list = columns.map((c) => `"${c.name}"`).join(", ");
        await conn.sql.run(
          `INSERT INTO ${q(to, table)} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM ${q(from, table)}`,
        );
        // The copy's own numbering goes on after the rows copied, as the source's would.
        for (const c of columns.filter((col) => col.serial)) {
          await conn.sql.get(
            `SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max("${c.name}"), 0) + 1, false) FROM ${q(to, table)}`,
            q(to, table),
            c.name,
          );
        }
      }
    }, false);
  } finally {
    await conn.close();
  }
  const keys = KeyStore.forLocation(location).dir;
  if (existsSync(keys)) copyModes(keys, KeyStore.forLocation(target).dir);
  return target;
}

/** Copies the key folder of one store to another's (KeyStore.forLocation), with the same modes. */
export function shareKeys(fromDb: string, toDb: string): void {
  const from = KeyStore.forLocation(fromDb).dir;
  const to = KeyStore.forLocation(toDb).dir;
  // PARLEY_KEYS_DIR names one folder for every store: they share it already.
  if (resolve(from) === resolve(to)) return;
  copyModes(from, to);
}

/** Copies a key folder with its files, keeping their mode bits (KeyStore refuses loose ones). */
function copyModes(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  chmodSync(to, statSync(from).mode & 0o777);
  for (const f of readdirSync(from)) chmodSync(join(to, f), statSync(join(from, f)).mode & 0o777);
}

/** The problems of a report that concern one table (and, if given, one seq) of one dispute. */
export function problemsAt(report: StoreReport, dispute: string, table: string, seq?: number): Problem[] {
  return report.problems.filter(
    (p) => p.dispute === dispute && p.table === table && (seq === undefined || p.seq === seq),
  );
}

/** The schema a PostgreSQL location's tables live in. */
async function schemaOf(location: string): Promise<string> {
  const conn = await connect(location, { readonly: true });
  try {
    return (await conn.sql.get<{ s: string }>("SELECT current_schema() AS s"))!.s;
  } finally {
    await conn.close();
  }
}

function connect(location: string, opts: { readonly?: boolean } = {}): Promise<Connection> {
  return Promise.resolve(
    isPostgresLocation(location) ? connectPostgres(location) : connectSqlite(location, opts),
  );
}

function connectSqlite(path: string, opts: { readonly?: boolean }): Connection {
  // better-sqlite3 enforces foreign keys by default, as Parley's own connection does.
  const db = new SQLite(path, { readonly: opts.readonly ?? false });
  const sql: Sql = {
    all: async <T>(text: string, ...params: unknown[]) => db.prepare(text).all(...params) as T[],
    get: async <T>(text: string, ...params: unknown[]) => db.prepare(text).get(...params) as T | undefined,
    run: async (text: string, ...params: unknown[]) => db.prepare(text).run(...params).changes,
  };
  return {
    sql,
    async transaction(work, foreignKeys) {
      // The pragma has no effect inside a transaction, so it is set before.
      if (!foreignKeys) db.pragma("foreign_keys = OFF");
      db.exec("BEGIN");
      try {
        const out = await work();
        db.exec("COMMIT");
        return out;
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
    },
    close: async () => {
      db.close();
    },
  };
}

/** count(*) is a bigint, which node-postgres gives as a string; SQLite gives a number. */
const INT8 = 20;
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 && format !== "binary") return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

async function connectPostgres(location: string): Promise<Connection> {
  const { connectionString, schema } = parsePostgresLocation(location);
  const client = new pg.Client({
    connectionString,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  await client.connect();
  const query = (text: string, params: unknown[]) => client.query(numbered(text), params);
  const sql: Sql = {
    all: async <T>(text: string, ...params: unknown[]) => (await query(text, params)).rows as T[],
    get: async <T>(text: string, ...params: unknown[]) =>
      (await query(text, params)).rows[0] as T | undefined,
    run: async (text: string, ...params: unknown[]) => (await query(text, params)).rowCount ?? 0,
  };
  return {
    sql,
    async transaction(work, foreignKeys) {
      await client.query("BEGIN");
      try {
        // PostgreSQL's foreign keys are system triggers, which a session in the replica role
        // does not fire: what a superuser in psql does to edit without them.
        if (!foreignKeys) await client.query("SET LOCAL session_replication_role = replica");
        const out = await work();
        await client.query("COMMIT");
        return out;
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
    },
    close: () => client.end(),
  };
}

/** `?` placeholders to PostgreSQL's `$1, $2…`, leaving quoted strings and names alone. */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (m) => (m === "?" ? `$${++n}` : m));
}
