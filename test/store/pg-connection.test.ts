import { CompiledQuery, type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/db.ts";
import { preparedOnce } from "../../src/store/dialect.ts";
import { PREPARED_PER_CONNECTION } from "../../src/store/pg-connection.ts";
import type { Database } from "../../src/store/schema.ts";
import { onPostgres, tempDb } from "../support/fixture.ts";

describe.skipIf(!onPostgres())("prepared statements on one connection (PostgreSQL)", () => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openStore(tempDb()));
  });
  afterAll(() => close());

  /** The k-th of many statements of different texts, each answering k + its parameter. */
  const nth = (k: number, value: number) => ({
    ...preparedOnce(CompiledQuery.raw(`SELECT ${k} + $1::int AS n`)),
    parameters: [value],
  });

  it("keeps at most PREPARED_PER_CONNECTION, and prepares a dropped one afresh when it comes back", async () => {
    await db.connection().execute(async (conn) => {
      const held = async (on: Kysely<Database> = conn) =>
        Number(
          (await sql<{ n: string }>`SELECT count(*) AS n FROM pg_prepared_statements`.execute(on)).rows[0]!.n,
        );
      const before = await held();
      const many = PREPARED_PER_CONNECTION + 20;
      for (let k = 0; k < many; k++)
        expect((await conn.executeQuery(nth(k, 1))).rows).toEqual([{ n: k + 1 }]);
      // More than the bound are prepared until the connection is between transactions again.
      expect(await held()).toBeGreaterThan(PREPARED_PER_CONNECTION);
      await conn.transaction().execute(async (trx) => {
        expect(await held(trx)).toBeLessThanOrEqual(PREPARED_PER_CONNECTION + before);
        // The first ones were dropped: each is prepared again, under a new name, and answers.
        for (let k = 0; k < 5; k++)
          expect((await trx.executeQuery(nth(k, 10))).rows).toEqual([{ n: k + 10 }]);
        // The most recent ones were kept and still answer.
        for (let k = many - 5; k < many; k++)
          expect((await trx.executeQuery(nth(k, 10))).rows).toEqual([{ n: k + 10 }]);
      });
      expect(await held()).toBeLessThanOrEqual(PREPARED_PER_CONNECTION + before + 5);
    });
  });
});
