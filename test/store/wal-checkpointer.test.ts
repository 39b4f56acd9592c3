import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { type OpenedStore, openStore } from "../../src/store/db.ts";
import { WalCheckpointer } from "../../src/store/wal-checkpointer.ts";
import { onPostgres } from "../support/fixture.ts";

const ROW = 1500;

/** Commits `count` transactions of one row each, two rows to a 4 KB page. */
async function write(store: OpenedStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await store.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO filler (body) VALUES (${Buffer.alloc(ROW, i % 256)})`.execute(trx);
    });
  }
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    if (waited > 10_000) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function dataVersion(store: OpenedStore): Promise<number> {
  const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(store.db);
  return rows[0]!.data_version;
}

describe.skipIf(onPostgres())("the WAL checkpointer thread (SQLite)", () => {
  it("copies a written store's log into the database file without the writer, and leaves no log at close", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "parley-wal-")), "w.db");
    const store = await openStore(file);
    await sql`CREATE TABLE filler (body BLOB)`.execute(store.db);
    const before = statSync(file).size;
    // 300 commits write fewer pages of log than either SQLite's own threshold (1,000) or the
    // raised one (4,000), so only the thread can have moved their rows into the database file.
    await write(store, 300);
    const version = await dataVersion(store);
    await until(() => statSync(file).size >= before + 300 * ROW, "the log copied into the database file");
    // The writer's head cache trusts data_version: another connection's checkpoint must not move it.
    expect(await dataVersion(store)).toBe(version);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = new SQLite(file, { readonly: true });
    expect(reopened.prepare("SELECT count(*) AS n FROM filler").get()).toEqual({ n: 300 });
    reopened.close();
  });

  it("starts only once a store has been written to, and hands the work back to SQLite if it fails", async () => {
    const sqlite = new SQLite(join(mkdtempSync(join(tmpdir(), "parley-wal-")), "w.db"));
    sqlite.pragma("journal_mode = WAL");
    // A file the thread cannot open: its connection fails at once.
    const checkpointer = new WalCheckpointer(sqlite, join(tmpdir(), "parley-no-such-dir", "x.db"));
    for (let i = 0; i < 199; i++) checkpointer.committed();
    expect(checkpointer.running).toBe(false);
    checkpointer.committed();
    expect(checkpointer.running).toBe(true);
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(4000);
    await until(() => !checkpointer.running, "the failed thread noticed");
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    await checkpointer.close();
    sqlite.close();
  });
});
