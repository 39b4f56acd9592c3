import { CompiledQuery, type Kysely } from "kysely";
import { isSqlite, preparedOnce } from "./dialect.ts";
import { ENTRY_COLUMNS, type EntryRow, type NodeRow } from "./ledger-repo.ts";
import { PreparedInsert } from "./prepared-insert.ts";
import type { Database, StatementRunner } from "./schema.ts";

type Row<T extends keyof Database> = Database[T];
/** The inserts of the append path, compiled once per store (see prepared-insert.ts). */
export class AppendStatements {
  private readonly entry: PreparedInsert<Row<"ledger_entries">>;
  private readonly node: PreparedInsert<Row<"tree_nodes">>;
  private readonly timeline: PreparedInsert<Row<"proj_timeline">>;
  private readonly checkpoint: PreparedInsert<Row<"checkpoints">>;
  readonly sqlite: boolean;

  constructor(db: Kysely<Database>) {
    this.sqlite = isSqlite(db as Kysely<unknown>);
    this.entry = new PreparedInsert(db, "ledger_entries", ["dispute_id", ...ENTRY_COLUMNS]);
    this.node = new PreparedInsert(db, "tree_nodes", ["dispute_id", "level", "idx", "hash"]);
    this.timeline = new PreparedInsert(db, "proj_timeline", [
      "dispute_id",
      "seq",
      "type",
      "org_id",
      "side_id",
      "occurred_at",
      "recorded_at",
      "visibility",
      "subject",
      "published_seq",
      "published_at",
    ]);
    this.checkpoint = new PreparedInsert(db, "checkpoints", [
      "dispute_id",
      "size",
      "root",
      "note",
      "created_at",
    ]);
  }

  entries(db: StatementRunner, disputeId: number, rows: EntryRow[]): Promise<void> {
    return this.entry.run(
      db,
      rows.map((r) => ({ dispute_id: disputeId, ...r })),
    );
  }

  nodes(db: StatementRunner, disputeId: number, nodes: NodeRow[]): Promise<void> {
    return this.node.run(
      db,
      nodes.map((n) => ({ dispute_id: disputeId, ...n })),
    );
  }

  timelineRows(db: StatementRunner, rows: Row<"proj_timeline">[]): Promise<void> {
    return this.timeline.run(db, rows);
  }

  insertCheckpoint(db: StatementRunner, row: Row<"checkpoints">): Promise<void> {
    return this.checkpoint.run(db, [row]);
  }

  /**
   * A number that moves whenever another connection commits, when the store has one that is
   * cheap and exact: SQLite's data_version. While it stands still, a cached head is current.
   * PostgreSQL has none that is exact (its WAL position moves before a commit is visible to
   * others), so there it is null, and the writer reads the tree size instead.
   */
  async dataVersion(db: StatementRunner): Promise<number | null> {
    if (!this.sqlite) return null;
    const { rows } = await db.executeQuery<{ data_version: number }>(DATA_VERSION);
    return Number(rows[0]!.data_version);
  }

  /**
   * A stamp for read caches that moves with every commit by anyone, at most a moment late:
   * data_version on SQLite, the WAL's write position on PostgreSQL.
   */
  async storeVersion(db: StatementRunner): Promise<string> {
    if (this.sqlite) return String(await this.dataVersion(db));
    const { rows } = await db.executeQuery<{ lsn: string }>(WAL_POSITION);
    return rows[0]!.lsn;
  }

  /**
   * Makes appends to one dispute take turns across processes: on PostgreSQL a row lock on the
   * dispute, held to the end of the transaction, taken before the head is read. SQLite needs
   * none: it has one writer at a time, and a transaction that read a head another process
   * has since moved fails at its first write (SQLITE_BUSY) instead of forking the tree.
   */
  async lockDispute(db: StatementRunner, disputeId: number): Promise<void> {
    if (this.sqlite) return;
    await db.executeQuery(lockQuery(disputeId));
  }
}

const DATA_VERSION = CompiledQuery.raw("PRAGMA data_version");
const WAL_POSITION = preparedOnce(CompiledQuery.raw("SELECT pg_current_wal_lsn()::text AS lsn"));
const LOCK_DISPUTE = preparedOnce(CompiledQuery.raw("SELECT id FROM disputes WHERE id = $1 FOR UPDATE"));

/** The statement `lockDispute` sends (PostgreSQL), for sending in a pipeline. */
export function lockQuery(disputeId: number): CompiledQuery {
  return { ...LOCK_DISPUTE, parameters: [disputeId] };
}
