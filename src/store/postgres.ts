import { createHash } from "node:crypto";
import { type CompiledQuery, Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { PREPARE_MARK } from "./dialect.ts";
import { PIPELINE_MARK, type PipelinedAnswer } from "./pipeline.ts";
import type { Database } from "./schema.ts";

/**
 * A PostgreSQL store location: a libpq URL, with one parameter of Parley's own, `schema`,
 * naming the schema Parley keeps its tables in (created when missing; default: the server's
 * search_path, normally `public`). Several Parleys can so share one database, and the test
 * suite gives each store it opens a schema of its own.
 */
export interface PostgresLocation {
  /** The URL without Parley's own parameters, as node-postgres reads it. */
  connectionString: string;
  schema: string | null;
  /** The database's name, for messages and for naming the key folder. */
  database: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function parsePostgresLocation(location: string): PostgresLocation {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new Error(`not a PostgreSQL URL: ${redact(location)}`);
  }
  const schema = url.searchParams.get("schema");
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new Error(`schema "${schema}": use lower-case letters, digits and _ (at most 63)`);
  }
  url.searchParams.delete("schema");
  return {
    connectionString: url.toString(),
    schema,
    database: decodeURIComponent(url.pathname.replace(/^\//, "")) || url.username || "postgres",
  };
}

/** The URL with any password replaced, for messages and logs. */
export function redact(location: string): string {
  return location.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}

/**
 * node-postgres returns 64-bit integers (count(*), sum()) as strings, since a JavaScript
 * number cannot hold every one; Parley's never leave the safe range, and SQLite gives numbers,
 * so both stores answer alike.
 */
const INT8 = 20;
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 && format !== "binary") {
      return (value: string) => {
        const n = Number(value);
        if (!Number.isSafeInteger(n)) throw new Error(`integer ${value} is beyond what Parley handles`);
        return n;
      };
    }
    return pg.types.getTypeParser(oid, format as "text");
  },
};

/** Connections per process: appends hold one for their transaction, reads share the rest. */
const POOL_SIZE = Number(process.env.PARLEY_PG_POOL_SIZE ?? 10);

export async function openPostgres(location: PostgresLocation): Promise<Kysely<Database>> {
  if (location.schema) await ensureSchema(location);
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: POOL_SIZE,
    types,
    // Queries a caller sends without awaiting the one before go out at once (pipeline.ts).
    pipeline: true,
    ...(location.schema ? { options: `-c search_path=${location.schema}` } : {}),
  });
  // A connection the server drops (a restart) is an error event: on the pool for an idle one,
  // on the client for one in use. Either way the query under way fails on its own (and the
  // request gets STORE_UNAVAILABLE); unheard, the event would end the process.
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    client.on("error", () => {});
    prepareMarkedStatements(client);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Wraps the client's `query` where the pool makes the client, since Kysely has no say in how a
 * statement is sent: statements marked with `preparedOnce` (dialect.ts) go as named prepared
 * statements, named after their text (pg parses each name once per connection, then only
 * binds), and a `pipelined` statement (pipeline.ts) goes as the statements it stands for.
 */
function prepareMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
  const send = (text: string, values: unknown[]) =>
    text.startsWith(PREPARE_MARK) ? query({ name: statementName(text), text, values }) : query(text, values);
  /**
   * A COMMIT sent inside a pipeline ends the transaction there; the commit Kysely sends when the
   * transaction's work returns is answered with that COMMIT's own answer (a ROLLBACK tag if the
   * transaction had failed, which Kysely reports), and a rollback with nothing to roll back.
   */
  let ended: Promise<pg.QueryResult> | null = null;
  (client as { query: unknown }).query = (text: unknown, values: unknown, ...rest: unknown[]) => {
    if (text === PIPELINE_MARK) {
      const sent = (values as CompiledQuery[][])[0]!.map((q) => {
        const answer = send(q.sql, [...q.parameters]);
        if (q.sql === "commit") ended = answer;
        return answer;
      });
      return answered(sent);
    }
    if (ended && (text === "commit" || text === "rollback")) {
      const answer = text === "commit" ? ended : ended.catch(() => ({ command: "ROLLBACK", rows: [] }));
      ended = null;
      return answer;
    }
    return typeof text === "string" && text.startsWith(PREPARE_MARK)
      ? query({ name: statementName(text), text, values }, ...rest)
      : query(text, values, ...rest);
  };
}

/** A pipeline's answer: every statement's, or the first failure once all have answered. */
async function answered(
  sent: Promise<pg.QueryResult>[],
): Promise<{ command: string; rows: PipelinedAnswer[] }> {
  const settled = await Promise.allSettled(sent);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return {
    command: "SELECT",
    rows: settled.map((s) => {
      const r = (s as PromiseFulfilledResult<pg.QueryResult>).value;
      return { command: r.command, rows: r.rows };
    }),
  };
}

/** Names by text; as bounded as the set of marked statements. */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `parley_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
    names.set(text, name);
  }
  return name;
}

async function ensureSchema(location: PostgresLocation): Promise<void> {
  const client = new pg.Client({ connectionString: location.connectionString });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${location.schema}`);
  } catch (err) {
    // Two processes starting at once may both try; the loser finds the schema there.
    if ((err as { code?: string }).code !== "23505") throw err;
  } finally {
    await client.end();
  }
}
