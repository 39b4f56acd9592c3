import { CompiledQuery, type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/db.ts";
import { COMMIT, pipelined } from "../../src/store/pipeline.ts";
import type { Database } from "../../src/store/schema.ts";
import { onPostgres, tempDb } from "../support/fixture.ts";

const query = (text: string, parameters: unknown[] = []) => ({ ...CompiledQuery.raw(text), parameters });

describe.skipIf(!onPostgres())("pipelined statements (PostgreSQL)", () => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  let other: Kysely<Database>;
  let closeOther: () => Promise<void>;
  beforeAll(async () => {
    const location = tempDb();
    ({ db, close } = await openStore(location));
    ({ db: other, close: closeOther } = await openStore(location));
    await sql`CREATE TABLE piped (n integer PRIMARY KEY)`.execute(db);
  });
  afterAll(async () => {
    await closeOther();
    await close();
  });

  const stored = async () =>
    (await sql<{ n: number }>`SELECT n FROM piped ORDER BY n`.execute(db)).rows.map((r) => r.n);

  it("answers each statement in order, each with its own parameters", async () => {
    const { rows } = await db.executeQuery(
      pipelined([query("SELECT $1::int AS a", [1]), query("SELECT $1::text AS b, $2::int AS c", ["two", 3])]),
    );
    expect(rows).toEqual([
      { command: "SELECT", rows: [{ a: 1 }] },
      { command: "SELECT", rows: [{ b: "two", c: 3 }] },
    ]);
  });

  it("commits with the transaction's last writes, and the transaction ends there", async () => {
    await db.transaction().execute(async (trx) => {
      await trx.executeQuery(query("INSERT INTO piped (n) VALUES (1)"));
      await trx.executeQuery(pipelined([query("INSERT INTO piped (n) VALUES ($1)", [2]), COMMIT]));
    });
    expect(await stored()).toEqual([1, 2]);
  });

  it("rolls back all of a transaction whose last writes fail, and fails with their error", async () => {
    const attempt = db.transaction().execute(async (trx) => {
      await trx.executeQuery(query("INSERT INTO piped (n) VALUES (3)"));
      // 1 is taken: the insert fails, and the COMMIT behind it rolls back.
      await trx.executeQuery(pipelined([query("INSERT INTO piped (n) VALUES ($1)", [1]), COMMIT]));
    });
    await expect(attempt).rejects.toMatchObject({ code: "23505" });
    expect(await stored()).toEqual([1, 2]);
    // The connection went back to the pool in a usable state.
    for (let i = 0; i < 12; i++)
      expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });

  it("opens a transaction with its first statement, and ends one that sent none without a word", async () => {
    // BEGIN travels with the first statement (postgres.ts); were it lost, the insert below
    // would commit on its own, and the rollback would leave it.
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.executeQuery(query("INSERT INTO piped (n) VALUES (4)"));
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await stored()).toEqual([1, 2]);
    await db.transaction().execute(async () => {});
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });

  it("runs a read queued behind a lock once the lock is granted, and it sees what the holder committed", async () => {
    const holder = await db.startTransaction().execute();
    await holder.executeQuery(query("SELECT n FROM piped WHERE n = 1 FOR UPDATE"));
    const waiter = other.transaction().execute(async (trx) => {
      const { rows } = await trx.executeQuery(
        pipelined([
          query("SELECT n FROM piped WHERE n = 1 FOR UPDATE"),
          query("SELECT max(n) AS top FROM piped"),
        ]),
      );
      return rows[1]!.rows;
    });
    // The waiter's lock request and read are both on the server by now, the read not yet run.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await holder.executeQuery(query("INSERT INTO piped (n) VALUES (9)"));
    await holder.commit().execute();
    expect(await waiter).toEqual([{ top: 9 }]);
  });
});
