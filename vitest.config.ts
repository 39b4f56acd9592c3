import { defineConfig } from "vitest/config";
import { postgresBinaries } from "./test/support/postgres-cluster.ts";

/**
 * The suite runs twice: on SQLite (the default store) and on PostgreSQL. PostgreSQL is
 * PARLEY_TEST_DATABASE_URL when set, else a throwaway cluster started from this machine's
 * binaries (test/support/postgres-setup.ts). With neither, its run is skipped with a message,
 * except under CI, where that is a failure.
 */
const postgresAvailable = Boolean(process.env.PARLEY_TEST_DATABASE_URL) || postgresBinaries() !== null;
if (!postgresAvailable) {
  const why = "no PostgreSQL: PARLEY_TEST_DATABASE_URL is unset and no initdb/pg_ctl was found";
  if (process.env.CI === "true") throw new Error(`${why} (CI must test both stores; .ci/run installs it)`);
  console.warn(`SKIP: ${why}; the PostgreSQL run of the suite is skipped`);
}

const include = ["test/**/*.test.{ts,tsx}"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      { extends: true as const, test: { name: "sqlite", include } },
      ...(postgresAvailable
        ? [
            {
              extends: true as const,
              test: {
                name: "postgres",
                include,
                globalSetup: ["test/support/postgres-setup.ts"],
              },
            },
          ]
        : []),
    ],
  },
});
