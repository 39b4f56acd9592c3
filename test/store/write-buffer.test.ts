import { CompiledQuery } from "kysely";
import { describe, expect, it } from "vitest";
import { PREPARE_MARK, preparedOnce } from "../../src/store/dialect.ts";
import { WriteBuffer } from "../../src/store/write-buffer.ts";

/** An executor that records what it is sent. */
function recorder() {
  const sent: { sql: string; parameters: readonly unknown[] }[] = [];
  return {
    sent,
    executeQuery: async (q: CompiledQuery) => {
      sent.push({ sql: q.sql, parameters: q.parameters });
      return { rows: [] };
    },
  };
}

const query = (sql: string, parameters: unknown[]) => ({ ...CompiledQuery.raw(sql), parameters });

describe("WriteBuffer", () => {
  it("holds inserts and sends them with the next other statement as one, its parameters renumbered", async () => {
    const db = recorder();
    const writes = new WriteBuffer(db as never);
    await writes.executeQuery(query('insert into "a" ("x", "y") values ($1, $2), ($3, $4)', [1, 2, 3, 4]));
    await writes.executeQuery(preparedOnce(query('insert into "b" ("z") values ($1)', ["b"])));
    expect(db.sent).toEqual([]);
    await writes.executeQuery(query("SELECT pg_notify($1, $2)", ["channel", "said"]));
    expect(db.sent).toEqual([
      {
        sql: 'WITH w0 AS (insert into "a" ("x", "y") values ($1, $2), ($3, $4)), w1 AS (insert into "b" ("z") values ($5)) SELECT pg_notify($6, $7)',
        parameters: [1, 2, 3, 4, "b", "channel", "said"],
      },
    ]);
  });

  it("writes the same text for statements of the same shape, with each one's values", async () => {
    const db = recorder();
    const writes = new WriteBuffer(db as never);
    for (const v of [1, 2]) {
      await writes.executeQuery(query('insert into "a" ("x") values ($1)', [v]));
      await writes.executeQuery(query('insert into "b" ("x", "y") values ($1, $2)', [v, -v]));
      await writes.send(query("SELECT pg_notify($1, $2)", ["c", String(v)]));
    }
    expect(db.sent[0]!.sql).toBe(
      'WITH w0 AS (insert into "a" ("x") values ($1)), w1 AS (insert into "b" ("x", "y") values ($2, $3)) SELECT pg_notify($4, $5)',
    );
    expect(db.sent[1]!.sql).toBe(db.sent[0]!.sql);
    expect(db.sent.map((s) => s.parameters)).toEqual([
      [1, 1, -1, "c", "1"],
      [2, 2, -2, "c", "2"],
    ]);
  });

  it("marks the whole for preparing when every part is (PostgreSQL then parses it once per connection)", async () => {
    const db = recorder();
    const writes = new WriteBuffer(db as never);
    await writes.executeQuery(preparedOnce(query('insert into "a" ("x") values ($1)', [1])));
    await writes.send(preparedOnce(query("SELECT pg_notify($1, $2)", ["c", "1"])));
    await writes.executeQuery(preparedOnce(query('insert into "a" ("x") values ($1)', [2])));
    await writes.send(query("SELECT pg_notify($1, $2)", ["c", "2"]));
    expect(db.sent.map((s) => s.sql)).toEqual([
      `${PREPARE_MARK}WITH w0 AS (insert into "a" ("x") values ($1)) SELECT pg_notify($2, $3)`,
      // A part of a shape that is not kept (a batch's large insert) leaves the whole unprepared.
      'WITH w0 AS (insert into "a" ("x") values ($1)) SELECT pg_notify($2, $3)',
    ]);
  });

  it("sends a lone insert as it is, and nothing when nothing is held", async () => {
    const db = recorder();
    const writes = new WriteBuffer(db as never);
    await writes.send();
    expect(db.sent).toEqual([]);
    await writes.executeQuery(query('insert into "a" ("x") values ($1)', [7]));
    await writes.send();
    expect(db.sent).toEqual([{ sql: 'insert into "a" ("x") values ($1)', parameters: [7] }]);
    await writes.executeQuery(query('insert into "a" ("x") values ($1)', [8]));
    await writes.executeQuery(query('insert into "b" ("x") values ($1)', [9]));
    await writes.send();
    expect(db.sent[1]).toEqual({
      sql: 'WITH w0 AS (insert into "a" ("x") values ($1)), w1 AS (insert into "b" ("x") values ($2)) SELECT 1',
      parameters: [8, 9],
    });
  });

  it("sends what it holds before it would pass PostgreSQL's limit of parameters", async () => {
    const db = recorder();
    const writes = new WriteBuffer(db as never);
    const many = Array.from({ length: 20_000 }, (_, i) => i);
    await writes.executeQuery(query('insert into "a" ("x") values ($1)', many));
    await writes.executeQuery(query('insert into "b" ("x") values ($1)', many));
    expect(db.sent).toHaveLength(1);
    expect(db.sent[0]!.sql).toBe('insert into "a" ("x") values ($1)');
    await writes.send();
    expect(db.sent).toHaveLength(2);
    expect(db.sent[1]!.parameters).toHaveLength(20_000);
  });
});
