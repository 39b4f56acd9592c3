import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { type OpenedStore, openStore } from "../../src/store/db.ts";
import { WalCheckpointer } from "../../src/store/wal-checkpointer.ts";
import { onPostgres } from "../support/fixture.ts";

/** Two rows to a 4 KB page: every commit adds a page or two to the log. */
const ROW = Buffer.alloc(1500, 7);

async function write(store: OpenedStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await store.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO filler (body) VALUES (${ROW})`.execute(trx);
    });
  }
}

async function pragma(store: OpenedStore, name: string): Promise<number> {
  const { rows } = await sql.raw<Record<string, number>>(`PRAGMA ${name}`).execute(store.db);
  return Object.values(rows[0]!)[0]!;
}

/** The rows the database file holds by itself, without its log: what checkpoints have copied. */
function rowsInDatabaseFile(file: string): number {
  const copy = `${file}.copy`;
  copyFileSync(file, copy);
  try {
    const db = new SQLite(copy);
    try {
      return (db.prepare("SELECT count(*) AS n FROM filler").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return -1; // caught mid-checkpoint: ask again
  }
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    if (waited > 10_000) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(onPostgres())("the WAL checkpointer thread (SQLite)", () => {
  it("starts once the log is as large as SQLite's own checkpoints let it grow, then copies every commit into the database file, and leaves no log at close", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "parley-wal-")), "w.db");
    const store = await openStore(file);
    await sql`CREATE TABLE filler (body BLOB)`.execute(store.db);
    await write(store, 100);
    expect(await pragma(store, "wal_autocheckpoint")).toBe(1000);
    let written = 100;
    while ((await pragma(store, "wal_autocheckpoint")) === 1000 && written < 3000) {
      await write(store, 10);
      written += 10;
    }
    expect(await pragma(store, "wal_autocheckpoint")).toBe(16_000);
    // A few hundred pages more: far below the writer's own threshold now, so only the thread
    // can bring the database file up to date.
    await write(store, 300);
    written += 300;
    const version = await pragma(store, "data_version");
    await until(() => rowsInDatabaseFile(file) === written, "every row copied into the database file");
    // The writer's head cache trusts data_version: another connection's checkpoint must not move it.
    expect(await pragma(store, "data_version")).toBe(version);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it("lets a process that wrote enough to start it end normally once the store is closed", () => {
    const file = join(mkdtempSync(join(tmpdir(), "parley-wal-")), "w.db");
    const script = fileURLToPath(new URL("../fixtures/write-then-close.ts", import.meta.url));
    const r = spawnSync(process.execPath, ["--import", "tsx", script, file], { encoding: "utf8" });
    expect({ status: r.status, out: r.stdout.trim() }).toEqual({ status: 0, out: "closed 16000" });
  });

  it("hands the work back to SQLite for good if the thread ends unasked", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "parley-wal-")), "w.db");
    const sqlite = new SQLite(file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("wal_autocheckpoint = 0");
    sqlite.exec("CREATE TABLE filler (body BLOB)");
    const checkpointer = new WalCheckpointer(sqlite, file);
    const insert = sqlite.prepare("INSERT INTO filler (body) VALUES (?)");
    for (let i = 0; i < 400; i++) {
      insert.run(ROW);
      checkpointer.committed();
    }
    expect(checkpointer.running).toBe(false); // fewer than 1,000 pages of log so far
    for (let i = 0; i < 1200 && !checkpointer.running; i++) {
      insert.run(ROW);
      checkpointer.committed();
    }
    expect(checkpointer.running).toBe(true);
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(16_000);
    await (checkpointer as unknown as { worker: Worker }).worker.terminate();
    await until(() => !checkpointer.running, "the ended thread noticed");
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    checkpointer.committed();
    expect(checkpointer.running).toBe(false);
    await checkpointer.close();
    sqlite.close();
  });
});
