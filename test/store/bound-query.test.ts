import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { describe, expect, it } from "vitest";
import { boundQuery } from "../../src/store/bound-query.ts";
import type { Database } from "../../src/store/schema.ts";

const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(":memory:") }) });

describe("boundQuery", () => {
  const bind = boundQuery(["dispute", "from"], ({ dispute, from }) =>
    db
      .selectFrom("ledger_entries")
      .select("seq")
      .where("dispute_id", "=", dispute)
      .where("seq", ">=", from)
      .where("seq", "<", 1_000)
      .limit(3),
  );

  it("binds each value where the query uses it, and keeps the query's own constants", () => {
    const q = bind({ dispute: 7, from: 40 });
    expect(q.parameters).toEqual([7, 40, 1_000, 3]);
    expect(bind({ dispute: 8, from: 0 }).parameters).toEqual([8, 0, 1_000, 3]);
    // The same text each time: compiled once.
    expect(bind({ dispute: 9, from: 1 }).sql).toBe(q.sql);
  });

  it("refuses a query that leaves one of its values out", () => {
    expect(() =>
      boundQuery(["dispute", "unused"], ({ dispute }) =>
        db.selectFrom("disputes").select("id").where("id", "=", dispute),
      ),
    ).toThrow(/unused/);
  });
});
