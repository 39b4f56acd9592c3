import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { wrapClientQuery } from "./pg-connection.ts";
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
    wrapClientQuery(client);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
