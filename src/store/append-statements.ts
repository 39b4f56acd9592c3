import { CompiledQuery, type Kysely } from "kysely";
import { ENTRY_COLUMNS, type EntryRow, type NodeRow } from "./ledger-repo.ts";
import { PreparedInsert } from "./prepared-insert.ts";
import type { Database } from "./schema.ts";

type Row<T extends keyof Database> = Database[T];
type Executor = Pick<Kysely<Database>, "executeQuery">;

/** The inserts of the append path, compiled once per store (see prepared-insert.ts). */
export class AppendStatements {
  private readonly entry: PreparedInsert<Row<"ledger_entries">>;
  private readonly node: PreparedInsert<Row<"tree_nodes">>;
  private readonly timeline: PreparedInsert<Row<"proj_timeline">>;
  private readonly checkpoint: PreparedInsert<Row<"checkpoints">>;

  constructor(db: Kysely<Database>) {
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

  entries(db: Executor, disputeId: number, rows: EntryRow[]): Promise<void> {
    return this.entry.run(
      db,
      rows.map((r) => ({ dispute_id: disputeId, ...r })),
    );
  }

  nodes(db: Executor, disputeId: number, nodes: NodeRow[]): Promise<void> {
    return this.node.run(
      db,
      nodes.map((n) => ({ dispute_id: disputeId, ...n })),
    );
  }

  timelineRows(db: Executor, rows: Row<"proj_timeline">[]): Promise<void> {
    return this.timeline.run(db, rows);
  }

  insertCheckpoint(db: Executor, row: Row<"checkpoints">): Promise<void> {
    return this.checkpoint.run(db, [row]);
  }

  /**
   * SQLite's count of commits by other connections: while it stands still, no other process
   * has written, and a cached head is current. (PostgreSQL will need its own answer.)
   */
  async dataVersion(db: Executor): Promise<number> {
    const { rows } = await db.executeQuery<{ data_version: number }>(DATA_VERSION);
    return Number(rows[0]!.data_version);
  }
}

const DATA_VERSION = CompiledQuery.raw("PRAGMA data_version");
