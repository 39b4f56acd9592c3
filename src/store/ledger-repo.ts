import type { Kysely, Transaction } from "kysely";
import type { NodeId } from "../ledger/merkle.ts";
import type { Database } from "./schema.ts";

/**
 * Reads of the append-only ledger tables; their inserts are in append-statements.ts. No
 * business logic lives here, and there is no update or delete of ledger_entries, tree_nodes
 * or checkpoints anywhere.
 */
export type Db = Kysely<Database> | Transaction<Database>;

export interface EntryRow {
  seq: number;
  type: string;
  org_id: string;
  key_id: string;
  occurred_at: string;
  recorded_at: string;
  visibility: string;
  body: string;
  signature: Uint8Array;
  leaf_hash: Uint8Array;
}

export interface NodeRow {
  level: number;
  idx: number;
  hash: Uint8Array;
}

export async function treeSize(db: Db, disputeId: number): Promise<number> {
  const row = await db
    .selectFrom("ledger_entries")
    .select((eb) => eb.fn.max("seq").as("max"))
    .where("dispute_id", "=", disputeId)
    .executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
}

export async function latestCheckpoint(db: Db, disputeId: number) {
  return db
    .selectFrom("checkpoints")
    .selectAll()
    .where("dispute_id", "=", disputeId)
    .orderBy("size", "desc")
    .limit(1)
    .executeTakeFirst();
}

/** Fetches stored hashes for a set of node ids in two queries; level 0 nodes are leaf hashes. */
export async function fetchNodes(db: Db, disputeId: number, ids: NodeId[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const leaves = ids.filter((n) => n.level === 0).map((n) => n.index);
  const inner = ids.filter((n) => n.level > 0);
  if (leaves.length > 0) {
    const rows = await db
      .selectFrom("ledger_entries")
      .select(["seq", "leaf_hash"])
      .where("dispute_id", "=", disputeId)
      .where("seq", "in", leaves)
      .execute();
    for (const r of rows) found.set(`0:${r.seq}`, Buffer.from(r.leaf_hash));
  }
  if (inner.length > 0) {
    const rows = await db
      .selectFrom("tree_nodes")
      .select(["level", "idx", "hash"])
      // The dispute goes inside each term so that SQLite answers every term from the primary
      // key (an OR of point lookups) instead of scanning all of the dispute's nodes.
      .where((eb) =>
        eb.or(
          inner.map((n) =>
            eb.and([eb("dispute_id", "=", disputeId), eb("level", "=", n.level), eb("idx", "=", n.index)]),
          ),
        ),
      )
      .execute();
    for (const r of rows) found.set(`${r.level}:${r.idx}`, Buffer.from(r.hash));
  }
  return found;
}

export async function entryBySeq(db: Db, disputeId: number, seq: number): Promise<EntryRow | undefined> {
  return db
    .selectFrom("ledger_entries")
    .select(ENTRY_COLUMNS)
    .where("dispute_id", "=", disputeId)
    .where("seq", "=", seq)
    .executeTakeFirst();
}

/** Entries in sequence order, a page at a time, so that a million-entry ledger streams. */
export function entryPages(db: Db, disputeId: number, page = 2000): AsyncGenerator<EntryRow[]> {
  return pagesOf(db, disputeId, page, ENTRY_COLUMNS);
}

/** Sequence numbers and bodies only: what a replay needs, without the binary columns. */
export function bodyPages(db: Db, disputeId: number, page = 2000) {
  return pagesOf(db, disputeId, page, ["seq", "body"] as const);
}

async function* pagesOf<C extends keyof Database["ledger_entries"] & string>(
  db: Db,
  disputeId: number,
  page: number,
  columns: readonly C[],
): AsyncGenerator<Pick<Database["ledger_entries"], C | "seq">[]> {
  // No lower bound on the first page, so a verifier also meets rows smuggled in with negative
  // numbers (and no bound PostgreSQL's 32-bit integers could not hold).
  let next: number | null = null;
  for (;;) {
    // Kysely cannot follow a generic column list through select(); the shape is Pick<row, C>.
    const rows = (await db
      .selectFrom("ledger_entries")
      .select([...columns, "seq"] as (keyof Database["ledger_entries"] & string)[])
      .where("dispute_id", "=", disputeId)
      .$if(next !== null, (q) => q.where("seq", ">=", next!))
      .orderBy("seq")
      .limit(page)
      .execute()) as Pick<Database["ledger_entries"], C | "seq">[];
    if (rows.length > 0) yield rows;
    if (rows.length < page) return;
    next = rows[rows.length - 1]!.seq + 1;
  }
}

export async function* entriesInOrder(db: Db, disputeId: number, page = 2000): AsyncGenerator<EntryRow> {
  for await (const rows of entryPages(db, disputeId, page)) yield* rows;
}

export const ENTRY_COLUMNS = [
  "seq",
  "type",
  "org_id",
  "key_id",
  "occurred_at",
  "recorded_at",
  "visibility",
  "body",
  "signature",
  "leaf_hash",
] as const;
