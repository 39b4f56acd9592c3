import { type Kysely, sql } from "kysely";
import { fail } from "../domain/errors.ts";
import { isSqlite } from "../store/dialect.ts";
import type { Database } from "../store/schema.ts";

/**
 * Copies everything a Parley store holds into another, SQLite or PostgreSQL either way: the
 * ledgers, their trees and checkpoints, the read models, accounts, sessions, webhooks, posts
 * and comments. The source is read in one snapshot (a read transaction; REPEATABLE READ on
 * PostgreSQL), so a store being written to copies as it stood at one instant. The target is
 * written in one transaction: a failed copy leaves it as it was.
 *
 * The full-text index is not copied: it is derived, and the target builds its own at its first
 * search. Private keys are not in the database at all (store/keystore.ts).
 */

interface TableSpec {
  name: keyof Database & string;
  /** The primary key: rows are read in its order, a page at a time. */
  key: string[];
  /** A column the database numbers itself (PostgreSQL's sequence must be moved past the copy). */
  serial?: string;
  /** A column referring to the same table: written after every row is in. */
  later?: string;
}

/** Every table, parents before the tables that refer to them. */
export const COPIED_TABLES: readonly TableSpec[] = [
  { name: "organizations", key: ["id"] },
  { name: "signing_keys", key: ["key_id"] },
  { name: "disputes", key: ["id"], serial: "id" },
  { name: "ledger_entries", key: ["dispute_id", "seq"] },
  { name: "tree_nodes", key: ["dispute_id", "level", "idx"] },
  { name: "checkpoints", key: ["dispute_id", "size"] },
  { name: "cosignatures", key: ["dispute_id", "size", "org_id"] },
  { name: "proj_timeline", key: ["dispute_id", "seq"] },
  { name: "proj_snapshots", key: ["dispute_id", "scope", "occurred_at", "seq"] },
  { name: "accounts", key: ["id"] },
  { name: "operators", key: ["account_id"] },
  { name: "memberships", key: ["account_id", "org_id"] },
  { name: "sessions", key: ["token_hash"] },
  { name: "api_tokens", key: ["id"] },
  { name: "webhooks", key: ["id"] },
  { name: "webhook_deliveries", key: ["id"] },
  { name: "posts", key: ["id"] },
  { name: "post_revisions", key: ["post_id", "revision"] },
  { name: "post_tags", key: ["post_id", "revision", "position"] },
  { name: "post_citations", key: ["post_id", "revision", "position"] },
  { name: "comments", key: ["id"], later: "parent_id" },
  { name: "comment_salts", key: ["period"] },
  { name: "moderation_log", key: ["id"], serial: "id" },
  { name: "comment_settings", key: ["key"] },
  { name: "comment_secrets", key: ["name"] },
];

/** Tables left out on purpose: the search index, which each store derives for itself. */
export const DERIVED_TABLES = ["proj_search", "proj_search_marks"] as const;

const PAGE = 2000;
/** Bound parameters per INSERT: under SQLite's limit (32,766) and PostgreSQL's (65,535). */
const PARAMETERS = 8000;

export interface CopyReport {
  /** Rows copied, by table. */
  rows: Record<string, number>;
}

/** Whether a store holds anything worth keeping (a target must be empty unless forced). */
export async function isEmptyStore(db: Kysely<Database>): Promise<boolean> {
  for (const table of ["organizations", "disputes", "accounts"] as const) {
    const row = await db.selectFrom(table).select(sql<number>`1`.as("one")).limit(1).executeTakeFirst();
    if (row) return false;
  }
  return true;
}

export async function copyStore(
  from: Kysely<Database>,
  to: Kysely<Database>,
  opts: { force?: boolean; onTable?: (table: string, rows: number) => void } = {},
): Promise<CopyReport> {
  const rows: Record<string, number> = {};
  const read = isSqlite(from as Kysely<unknown>)
    ? from.transaction()
    : from.transaction().setIsolationLevel("repeatable read");
  await read.execute(async (source) => {
    await to.transaction().execute(async (target) => {
      if (!(await isEmptyStore(target))) {
        if (!opts.force)
          fail("STORE_NOT_EMPTY", "the target store already holds a record; --force replaces it");
        await emptyStore(target);
      }
      for (const spec of COPIED_TABLES) {
        const copied = await copyTable(source, target, spec);
        rows[spec.name] = copied;
        opts.onTable?.(spec.name, copied);
      }
      if (!isSqlite(to as Kysely<unknown>)) {
        for (const spec of COPIED_TABLES.filter((t) => t.serial)) await moveSequence(target, spec);
      }
    });
  });
  return { rows };
}

/** Deletes every row of every table, children first (what --force replaces). */
async function emptyStore(db: Kysely<Database>): Promise<void> {
  await db.updateTable("comments").set({ parent_id: null }).execute();
  for (const table of DERIVED_TABLES) await sql`DELETE FROM ${sql.table(table)}`.execute(db);
  for (const spec of [...COPIED_TABLES].reverse()) await db.deleteFrom(spec.name).execute();
}

async function copyTable(
  source: Kysely<Database>,
  target: Kysely<Database>,
  spec: TableSpec,
): Promise<number> {
  let after: unknown[] | null = null;
  let count = 0;
  const deferred: { key: unknown[]; value: unknown }[] = [];
  for (;;) {
    const page: Record<string, unknown>[] = await source
      .selectFrom(spec.name)
      .selectAll()
      .$if(after !== null, (q) =>
        q.where(({ eb, refTuple, tuple }) =>
          // A row value comparison: (a, b) > (x, y), which both dialects understand.
          spec.key.length === 1
            ? eb(spec.key[0] as never, ">", after![0] as never)
            : eb(refTuple(...(spec.key as [never, never])), ">", tuple(...(after as [never, never]))),
        ),
      )
      .$call((q) => spec.key.reduce((ordered, k) => ordered.orderBy(k as never), q))
      .limit(PAGE)
      .execute();
    if (page.length === 0) break;
    const rows = spec.later
      ? page.map((r) => {
          if (r[spec.later!] !== null)
            deferred.push({ key: spec.key.map((k) => r[k]), value: r[spec.later!] });
          return { ...r, [spec.later!]: null };
        })
      : page;
    const perInsert = Math.max(1, Math.floor(PARAMETERS / Object.keys(rows[0]!).length));
    for (let i = 0; i < rows.length; i += perInsert) {
      await target
        .insertInto(spec.name)
        .values(rows.slice(i, i + perInsert) as never)
        .execute();
    }
    count += page.length;
    const last = page[page.length - 1]!;
    after = spec.key.map((k) => last[k]);
    if (page.length < PAGE) break;
  }
  for (const { key, value } of deferred) {
    let q = target.updateTable(spec.name).set({ [spec.later!]: value } as never);
    spec.key.forEach((k, i) => {
      q = q.where(k as never, "=", key[i] as never);
    });
    await q.execute();
  }
  return count;
}

/** After rows came in with their own ids, PostgreSQL's sequence must start past the largest. */
async function moveSequence(db: Kysely<Database>, spec: TableSpec): Promise<void> {
  const table = spec.name;
  const column = spec.serial!;
  await sql`SELECT setval(pg_get_serial_sequence(${table}, ${column}),
    coalesce((SELECT max(${sql.ref(column)}) FROM ${sql.table(table)}), 0) + 1, false)`.execute(db);
}
