import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import SQLite from "better-sqlite3";
import type { Problem, StoreReport } from "../../src/app/verify-store.ts";

/**
 * Tampering goes around Parley entirely: a second, raw better-sqlite3 connection edits the
 * file the way an attacker (or a careless operator with the sqlite3 shell) would. better-sqlite3
 * enforces foreign keys; `foreignKeys: false` edits as the sqlite3 shell does by default,
 * without them (the pragma has no effect inside a transaction, so it is set before).
 */
export function tamper<T>(
  dbPath: string,
  edit: (db: SQLite.Database) => T,
  opts: { foreignKeys?: boolean } = {},
): T {
  const db = new SQLite(dbPath);
  try {
    if (opts.foreignKeys === false) db.pragma("foreign_keys = OFF");
    return db.transaction(() => edit(db))();
  } finally {
    db.close();
  }
}

/** A row count for each table, to show that a failed write left the store as it was. */
export function tableCounts(dbPath: string): Record<string, number> {
  const db = new SQLite(dbPath, { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[];
    const out: Record<string, number> = {};
    for (const { name } of tables) {
      out[name] = (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * Copies a closed store (the database and its `<db>.keys` folder) into a fresh temporary
 * folder, keeping the mode bits of the key folder and files, and returns the new db path.
 */
export function copyStore(dbPath: string): string {
  const dir = mkdtempSync(join(tmpdir(), "parley-copy-"));
  cpSync(dirname(dbPath), dir, { recursive: true });
  const copied = join(dir, basename(dbPath));
  if (existsSync(`${dbPath}.keys`)) copyModes(`${dbPath}.keys`, `${copied}.keys`);
  return copied;
}

/** Copies the `<db>.keys` folder of one store next to another database, with the same modes. */
export function shareKeys(fromDb: string, toDb: string): void {
  cpSync(`${fromDb}.keys`, `${toDb}.keys`, { recursive: true });
  copyModes(`${fromDb}.keys`, `${toDb}.keys`);
}

function copyModes(from: string, to: string): void {
  chmodSync(to, statSync(from).mode & 0o777);
  for (const f of readdirSync(from)) chmodSync(join(to, f), statSync(join(from, f)).mode & 0o777);
}

/** The problems of a report that concern one table (and, if given, one seq) of one dispute. */
export function problemsAt(report: StoreReport, dispute: string, table: string, seq?: number): Problem[] {
  return report.problems.filter(
    (p) => p.dispute === dispute && p.table === table && (seq === undefined || p.seq === seq),
  );
}
