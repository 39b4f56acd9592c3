import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { postgresBinaries, startThrowawayCluster, type ThrowawayCluster } from "./postgres-cluster.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The PostgreSQL server of this run; each store a test opens gets a schema of its own on it. */
    postgres: { url: string; schemaPrefix: string; dataDir: string };
  }
}

/** Starts (or finds) the PostgreSQL run's server, and afterwards removes what the run left on it. */
export default async function setup(project: TestProject) {
  let cluster: ThrowawayCluster | null = null;
  let url = process.env.PARLEY_TEST_DATABASE_URL;
  if (!url) {
    cluster = await startThrowawayCluster(postgresBinaries()!);
    url = cluster.url;
  }
  // Keys of the stores opened by tests land in here (KeyStore.forLocation reads PARLEY_DATA_DIR).
  const dataDir = mkdtempSync(join(tmpdir(), "parley-pg-data-"));
  const schemaPrefix = `t${Date.now().toString(36)}${process.pid.toString(36)}_`;
  project.provide("postgres", { url, schemaPrefix, dataDir });
  return async () => {
    if (cluster) cluster.stop();
    else await dropSchemas(url, schemaPrefix);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

/** On a server the run did not start, drops the schemas it made there. */
async function dropSchemas(url: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)",
      [prefix],
    );
    for (const { name } of rows) await client.query(`DROP SCHEMA ${name} CASCADE`);
  } finally {
    await client.end();
  }
}
