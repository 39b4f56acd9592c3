import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../../src/store/migrations.ts";
import { onPostgres } from "../support/fixture.ts";

const REBUILT = ["tree_nodes", "checkpoints", "proj_timeline"];

// The migration changes nothing on PostgreSQL; its SQLite test needs no second run there.
describe.skipIf(onPostgres())("0013_without_rowid (SQLite)", () => {
  let sqlite: SQLite.Database;
  let db: Kysely<unknown>;

  beforeEach(async () => {
    sqlite = new SQLite(join(mkdtempSync(join(tmpdir(), "parley-migrate-")), "m.db"));
    sqlite.pragma("foreign_keys = ON");
    db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
    // A store as the migration finds it: made by the migrations before it, holding rows.
    await migrate(db, "0012_search_postgres");
    sqlite.prepare("INSERT INTO disputes (slug, origin, created_at) VALUES ('d', 'o', 't')").run();
    const node = sqlite.prepare("INSERT INTO tree_nodes VALUES (1, ?, ?, ?)");
    const checkpoint = sqlite.prepare("INSERT INTO checkpoints VALUES (1, ?, ?, ?, 't')");
    const timeline = sqlite.prepare(
      "INSERT INTO proj_timeline VALUES (1, ?, 'pass.made', 'org', 's', ?, 'r', 'table', ?, NULL, NULL)",
    );
    for (let i = 0; i < 300; i++) {
      node.run(1 + (i % 3), i, Buffer.from([i % 256, 7]));
      checkpoint.run(i + 1, Buffer.alloc(32, i % 256), `note ${i}`);
      timeline.run(
        i,
        `2023-05-${String(1 + (i % 28)).padStart(2, "0")}T00:00:00.000Z`,
        i % 2 ? null : `subject ${i}`,
      );
    }
  });
  afterEach(() => db.destroy());

  const definition = (table: string) =>
    (sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(table) as { sql: string } | undefined)
      ?.sql;
  const contents = () =>
    Object.fromEntries(
      REBUILT.map((t) => [t, sqlite.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all()] as const),
    );

  it("rebuilds the three append-heavy tables as WITHOUT ROWID, keeping every row, constraint and index", async () => {
    const before = contents();
    expect(definition("tree_nodes")).not.toMatch(/WITHOUT ROWID$/);
    await migrate(db);
    for (const table of REBUILT)
      expect(definition(table)).toMatch(/^CREATE TABLE "[a-z_]+" \(.*\) WITHOUT ROWID$/);
    expect(definition("ledger_entries")).not.toMatch(/WITHOUT ROWID/);
    expect(contents()).toEqual(before);
    expect(definition("proj_timeline_occurred")).toContain(
      'on "proj_timeline" ("dispute_id", "occurred_at", "seq")',
    );
    // The primary keys and foreign keys still hold.
    expect(() => sqlite.prepare("INSERT INTO tree_nodes VALUES (1, 1, 0, x'00')").run()).toThrow(/UNIQUE/);
    expect(() => sqlite.prepare("INSERT INTO checkpoints VALUES (2, 1, x'00', 'n', 't')").run()).toThrow(
      /FOREIGN KEY/,
    );
    // Run again, it changes nothing.
    await migrate(db);
    expect(contents()).toEqual(before);
  });

  it("is all or nothing: a rebuild that fails halfway leaves the tables as they were", async () => {
    const before = contents();
    // A table in the way of the second rebuild: the first (tree_nodes) has been rebuilt by then.
    sqlite.exec('CREATE TABLE "checkpoints_rebuilt" (x)');
    await expect(migrate(db)).rejects.toThrow(/0013_without_rowid failed/);
    for (const table of REBUILT) expect(definition(table)).not.toMatch(/WITHOUT ROWID/);
    expect(contents()).toEqual(before);
    sqlite.exec('DROP TABLE "checkpoints_rebuilt"');
    await migrate(db);
    expect(definition("checkpoints")).toMatch(/WITHOUT ROWID$/);
    expect(contents()).toEqual(before);
  });
});
