import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { fail } from "../domain/errors.ts";
import { isPostgresLocation, type OpenedStore, openStore } from "../store/db.ts";
import { KeyStore } from "../store/keystore.ts";
import { type CopyReport, copyStore } from "./store-copy.ts";
import { type StoreReport, verifyStore } from "./verify-store.ts";

/**
 * Backups, restores and moves between stores (`parley backup`, `restore`, `migrate`). Each
 * copy is checked by `verify --db` on the copy before it is reported done.
 */

export interface MoveReport extends CopyReport {
  verify: StoreReport;
  /** Organizations whose private key the target's key folder lacks: it cannot sign for them yet. */
  keysMissing: string[];
  keyDir: string;
}

/**
 * A consistent snapshot of a store, while it serves, into a new SQLite file: SQLite's online
 * backup API for a SQLite store (page by page, restarting if a writer changes a page meanwhile);
 * a logical copy read in one REPEATABLE READ snapshot for a PostgreSQL store. Either way the
 * file is a Parley database that `restore` loads, and `verify --db FILE` checks. Private keys
 * are never in it: back up the key folder (KeyStore.forLocation) on its own, as a secret.
 */
export async function backupStore(
  location: string,
  file: string,
  opts: { force?: boolean } = {},
): Promise<{ file: string; keyDir: string; verify: StoreReport; rows?: Record<string, number> }> {
  const out = resolve(file);
  const sourceKeys = KeyStore.forLocation(location).dir;
  if (existsSync(out) && !opts.force) fail("STORE_NOT_EMPTY", `${file} exists; --force overwrites it`);
  if (!isPostgresLocation(location)) {
    if (!existsSync(location)) fail("STORE_MISSING", `there is no Parley database at ${location}`);
    const source = new SQLite(resolve(location), { readonly: true, fileMustExist: true });
    try {
      await source.backup(out);
    } finally {
      source.close();
    }
    return { file: out, keyDir: sourceKeys, verify: await verifyCopy(out) };
  }
  const from = await openStore(location, { readonly: true });
  const to = await openStore(out);
  try {
    const copied = await copyStore(from.db, to.db, { force: true });
    return { file: out, keyDir: sourceKeys, ...copied, verify: await verifyStore(to) };
  } finally {
    await from.close();
    await to.close();
  }
}

/** Loads a backup file (or any store) into `location`; refuses a non-empty target unless forced. */
export async function restoreStore(file: string, location: string, opts: { force?: boolean } = {}) {
  if (!existsSync(file)) fail("STORE_MISSING", `there is no backup at ${file}`);
  return moveStore(file, location, { ...opts, keys: false });
}

/**
 * Copies a whole store into another (SQLite to PostgreSQL, or back), with its private keys when
 * the two locations' key folders differ, and verifies the result.
 */
export async function moveStore(
  from: string,
  to: string,
  opts: { force?: boolean; keys?: boolean; onTable?: (table: string, rows: number) => void } = {},
): Promise<MoveReport> {
  if (!isPostgresLocation(from) && !existsSync(from))
    fail("STORE_MISSING", `there is no Parley database at ${from}`);
  const source = await openStore(from, { readonly: true });
  const target = await openStore(to);
  try {
    const copied = await copyStore(source.db, target.db, {
      ...(opts.force ? { force: true } : {}),
      ...(opts.onTable ? { onTable: opts.onTable } : {}),
    });
    if (opts.keys !== false)
      copyKeys(KeyStore.forLocation(source.path).dir, KeyStore.forLocation(target.path).dir);
    return { ...copied, ...(await checkCopy(target.path, target)) };
  } finally {
    await source.close();
    await target.close();
  }
}

/**
 * Copies the private key files the target lacks (mode 0600 in a 0700 folder). A file the
 * target has with other contents is another key for the same organization: refused, since
 * either choice would leave one store signing with a key the other's record does not know.
 */
function copyKeys(fromDir: string, toDir: string): void {
  if (resolve(fromDir) === resolve(toDir) || !existsSync(fromDir)) return;
  const files = readdirSync(fromDir).filter((f) => f.endsWith(".key") && !f.endsWith(".next.key"));
  for (const f of files) {
    const there = join(toDir, f);
    if (existsSync(there) && !readFileSync(there).equals(readFileSync(join(fromDir, f)))) {
      fail("KEYS_DIFFER", `${there} holds another key than ${join(fromDir, f)}`);
    }
  }
  mkdirSync(toDir, { recursive: true, mode: 0o700 });
  chmodSync(toDir, 0o700);
  for (const f of files) {
    const there = join(toDir, f);
    if (existsSync(there)) continue;
    copyFileSync(join(fromDir, f), there);
    chmodSync(there, 0o600);
  }
}

async function verifyCopy(file: string): Promise<StoreReport> {
  const store = await openStore(file, { readonly: true });
  try {
    return await verifyStore(store);
  } finally {
    await store.close();
  }
}

/** Verifies a copied store, and names the organizations it has no private key for. */
async function checkCopy(
  location: string,
  opened?: OpenedStore,
): Promise<{ verify: StoreReport; keysMissing: string[]; keyDir: string }> {
  const store = opened ?? (await openStore(location, { readonly: true }));
  try {
    const verify = await verifyStore(store);
    const keys = KeyStore.forLocation(location);
    const orgs = await store.db
      .selectFrom("signing_keys")
      .select("org_id")
      .distinct()
      .where("retired_at", "is", null)
      .execute();
    const keysMissing = orgs.map((o) => o.org_id).filter((org) => !existsSync(join(keys.dir, `${org}.key`)));
    return { verify, keysMissing, keyDir: keys.dir };
  } finally {
    if (!opened) await store.close();
  }
}
