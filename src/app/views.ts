import type { InferResult, Kysely } from "kysely";
import type { AnyEntry } from "../domain/entry.ts";
import { evolve } from "../domain/evolve.ts";
import { type DisputeState, initialState } from "../domain/state.ts";
import { boundQuery } from "../store/bound-query.ts";
import { isSqlite, preparedOnce } from "../store/dialect.ts";
import { type Db, entryBySeq } from "../store/ledger-repo.ts";
import type { RecentEntry } from "./recent-history.ts";
import { BASE_SCOPE, inheritsFrom, parseSnapshot } from "./snapshot-text.ts";
import { type Authored, canSee, OPERATOR, scopeOf, type Viewer } from "./visibility.ts";

/**
 * Folding a dispute for one viewer. An entry counts at its own place in the timeline if the
 * viewer may see it; an entry the viewer may not see but that was later published counts at
 * the place of its publication, because that is when the viewer learned of it.
 */
export interface TimelineRow extends Authored {
  seq: number;
  type: string;
  occurred_at: string;
  recorded_at: string;
  body: string;
}

export interface FoldOptions {
  /** Fold entries that occurred at or before this instant (the timeline view). */
  asOf?: string | undefined;
  /** Fold only entries recorded at or before this instant (the audit view). */
  recordedBy?: string | undefined;
}

/** Read-model snapshots are taken at every this-many-th entry of a ledger. */
export const SNAPSHOT_EVERY = 1000;

export function isSnapshotPoint(seq: number): boolean {
  return (seq + 1) % SNAPSHOT_EVERY === 0;
}

/**
 * A state's text, whole: what a mark of the recent history keeps. Entries reach every fold with
 * their objects' keys in canonical order (the writer appends them so, a replay parses them from
 * canonical bytes), so a live fold and a replay build their states alike and usually print the
 * same characters; stored snapshots (snapshot-text.ts) are compared as text first for that reason.
 */
export function snapshotText(state: DisputeState): string {
  return JSON.stringify(state);
}

export function parseEntry(body: string): AnyEntry {
  return JSON.parse(body) as AnyEntry;
}

type Resolved = { authored: Authored; entry: AnyEntry } | undefined;

/**
 * Applies one entry to a viewer's state: the entry itself if visible, preceded by a
 * published entry the viewer could not see before. `target` resolves such an entry.
 */
export async function applyForViewer(
  state: DisputeState,
  viewer: Viewer,
  viewerSide: string | null,
  row: Authored,
  entry: AnyEntry,
  target: (seq: number) => Promise<Resolved>,
): Promise<boolean> {
  const published =
    entry.type === "entry.published" && canSee(viewer, row, viewerSide)
      ? await target(entry.payload.entry)
      : undefined;
  return applyResolved(state, viewer, viewerSide, row, entry, published);
}

/** applyForViewer with the published entry (if `entry` publishes one) already at hand. */
export function applyResolved(
  state: DisputeState,
  viewer: Viewer,
  viewerSide: string | null,
  row: Authored,
  entry: AnyEntry,
  published: Resolved,
): boolean {
  if (!canSee(viewer, row, viewerSide)) return false;
  if (published && !canSee(viewer, published.authored, viewerSide)) evolve(state, published.entry);
  evolve(state, entry);
  return true;
}

export async function foldView(
  db: Db,
  disputeId: number,
  slug: string,
  viewer: Viewer,
  viewerSide: string | null,
  opts: FoldOptions & { from?: { state: DisputeState; occurredAt: string; seq: number } } = {},
): Promise<DisputeState> {
  const state = opts.from ? structuredClone(opts.from.state) : initialState(slug);
  const rows = await foldRows(db, disputeId, opts.from, opts);
  const bySeq = new Map<number, (typeof rows)[number]>();
  for (const r of rows) bySeq.set(r.seq, r);
  const target = async (seq: number) => {
    const local = bySeq.get(seq);
    if (local) return { authored: local, entry: parseEntry(local.body) };
    return storedEntry(db, disputeId, seq);
  };
  for (const r of rows) {
    if (canSee(viewer, r, viewerSide))
      await applyForViewer(state, viewer, viewerSide, r, parseEntry(r.body), target);
  }
  return state;
}

/**
 * Every stored entry placed after `from` (all of them without it), in fold order, parsed,
 * each publication with the entry it publishes: what the writer's recent history starts from.
 */
export async function entriesAfter(
  db: Db,
  disputeId: number,
  from: { occurredAt: string; seq: number } | undefined,
): Promise<RecentEntry[]> {
  const rows = await foldRows(db, disputeId, from, {});
  const bySeq = new Map<number, RecentEntry>();
  const out: RecentEntry[] = [];
  for (const r of rows) {
    const recent: RecentEntry = {
      entry: parseEntry(r.body),
      authored: { visibility: r.visibility, org: r.org, side: r.side },
      published: undefined,
    };
    if (recent.entry.type === "entry.published") {
      const seq = recent.entry.payload.entry;
      const local = bySeq.get(seq);
      recent.published = local ?? (await storedEntry(db, disputeId, seq));
    }
    bySeq.set(r.seq, recent);
    out.push(recent);
  }
  return out;
}

/** An entry another process appended, as a cached head takes it in (see LedgerWriter.catchUp). */
export interface AppendedEntry extends RecentEntry {
  leafHash: Uint8Array;
  /** The checkpoint of the tree that ends with this entry, when a transaction ended there. */
  checkpoint: { root: Uint8Array; note: string } | null;
}

/**
 * The first `limit` entries from sequence number `from` on, in sequence order: what other
 * processes appended since a cached head, with what catching it up needs, in one query.
 */
export async function entriesAppended(
  db: Db,
  disputeId: number,
  from: number,
  limit: number,
): Promise<AppendedEntry[]> {
  const { rows } = await db.executeQuery(appendedQuery(db, disputeId, from, limit));
  return takeAppended(db, disputeId, rows);
}

/** The query of `entriesAppended`, for sending ahead (pipeline.ts). */
export function appendedQuery(db: Db, disputeId: number, from: number, limit: number) {
  const dialect = isSqlite(db as Kysely<unknown>) ? "sqlite" : "postgres";
  let bind = appendedQueries.get(dialect);
  if (!bind) {
    bind = compileAppendedQuery(db);
    appendedQueries.set(dialect, bind);
  }
  return bind({ disputeId, from, limit });
}

/** Per dialect: compiled once (bound-query.ts), and prepared once per connection on PostgreSQL. */
const appendedQueries = new Map<string, ReturnType<typeof compileAppendedQuery>>();

function compileAppendedQuery(db: Db) {
  return boundQuery(["disputeId", "from", "limit"], ({ disputeId, from, limit }) => {
    const query = db
      .selectFrom("ledger_entries as e")
      .innerJoin("proj_timeline as t", (j) =>
        j.onRef("t.dispute_id", "=", "e.dispute_id").onRef("t.seq", "=", "e.seq"),
      )
      .leftJoin("checkpoints as c", (j) =>
        j
          .onRef("c.dispute_id", "=", "e.dispute_id")
          .on((eb) => eb("c.size", "=", eb("e.seq", "+", 1)))
          .on("c.size", ">", from),
      )
      .select([
        "e.seq",
        "e.org_id as org",
        "t.side_id as side",
        "e.visibility",
        "e.body",
        "e.leaf_hash",
        "c.root",
        "c.note",
      ])
      .where("e.dispute_id", "=", disputeId)
      .where("e.seq", ">=", from)
      // Said of each table, though the joins imply it: PostgreSQL then reads a range of each
      // index instead of hashing all of the dispute's timeline and checkpoints.
      .where("t.dispute_id", "=", disputeId)
      .where("t.seq", ">=", from)
      .orderBy("e.seq")
      .limit(limit);
    return { compile: () => preparedOnce(query.compile()) };
  });
}

export type AppendedRow = InferResult<ReturnType<typeof appendedQuery>>[number];

/** The rows of `appendedQuery` as a cached head takes them in. */
export async function takeAppended(db: Db, disputeId: number, rows: AppendedRow[]): Promise<AppendedEntry[]> {
  const bySeq = new Map<number, RecentEntry>();
  const out: AppendedEntry[] = [];
  for (const r of rows) {
    const appended: AppendedEntry = {
      entry: parseEntry(r.body),
      authored: { visibility: r.visibility, org: r.org, side: r.side },
      published: undefined,
      leafHash: r.leaf_hash,
      checkpoint: r.root !== null && r.note !== null ? { root: r.root, note: r.note } : null,
    };
    if (appended.entry.type === "entry.published") {
      const seq = appended.entry.payload.entry;
      appended.published = bySeq.get(seq) ?? (await storedEntry(db, disputeId, seq));
    }
    bySeq.set(r.seq, appended);
    out.push(appended);
  }
  return out;
}

/** The rows a fold reads: timeline facts and signed bodies, in occurrence order, after `from`. */
function foldRows(
  db: Db,
  disputeId: number,
  from: { occurredAt: string; seq: number } | undefined,
  opts: FoldOptions,
) {
  let query = db
    .selectFrom("proj_timeline as t")
    .innerJoin("ledger_entries as e", (j) =>
      j.onRef("e.dispute_id", "=", "t.dispute_id").onRef("e.seq", "=", "t.seq"),
    )
    .select([
      "t.seq",
      "t.type",
      "t.org_id as org",
      "t.side_id as side",
      "t.visibility",
      "t.occurred_at",
      "t.recorded_at",
      "e.body",
    ])
    .where("t.dispute_id", "=", disputeId)
    .orderBy("t.occurred_at")
    .orderBy("t.seq");
  if (from) {
    const { occurredAt, seq } = from;
    // The plain bound lets SQLite seek the (dispute, occurred_at, seq) index; the OR only
    // breaks the tie at the snapshot's own instant.
    query = query
      .where("t.occurred_at", ">=", occurredAt)
      .where((eb) =>
        eb.or([
          eb("t.occurred_at", ">", occurredAt),
          eb.and([eb("t.occurred_at", "=", occurredAt), eb("t.seq", ">", seq)]),
        ]),
      );
  }
  if (opts.asOf) query = query.where("t.occurred_at", "<=", opts.asOf);
  if (opts.recordedBy) query = query.where("t.recorded_at", "<=", opts.recordedBy);
  return query.execute();
}

/** A stored entry with what its visibility depends on (its author's side from the timeline). */
export async function storedEntry(
  db: Db,
  disputeId: number,
  seq: number,
): Promise<{ authored: Authored; entry: AnyEntry } | undefined> {
  const stored = await entryBySeq(db, disputeId, seq);
  if (!stored) return undefined;
  const side = await db
    .selectFrom("proj_timeline")
    .select("side_id")
    .where("dispute_id", "=", disputeId)
    .where("seq", "=", seq)
    .executeTakeFirst();
  return {
    authored: { visibility: stored.visibility, org: stored.org_id, side: side?.side_id ?? null },
    entry: parseEntry(stored.body),
  };
}

/** Every scope's snapshot taken at the newest snapshot point of the whole ledger, if any. */
export async function newestSnapshots(db: Db, disputeId: number) {
  const newest = await db
    .selectFrom("proj_snapshots")
    .select(["occurred_at", "seq"])
    .where("dispute_id", "=", disputeId)
    .where("scope", "=", scopeOf(OPERATOR, null))
    .orderBy("occurred_at", "desc")
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!newest) return undefined;
  const rows = await db
    .selectFrom("proj_snapshots")
    .select(["scope", "state"])
    .where("dispute_id", "=", disputeId)
    .where("seq", "=", newest.seq)
    .execute();
  // Texts as stored, which is how marks keep them, but for rows whose base is gone (a deleted
  // snapshot): those scopes are folded afresh.
  const hasBase = rows.some((r) => r.scope === BASE_SCOPE);
  const states = new Map<string, string>();
  for (const r of rows) if (hasBase || inheritsFrom(r.state) === null) states.set(r.scope, r.state);
  return { at: { occurredAt: newest.occurred_at, seq: newest.seq }, states };
}

/** The newest snapshot for a scope at or before an instant, if any. */
export async function latestSnapshot(db: Db, disputeId: number, scope: string, asOf?: string) {
  let q = db
    .selectFrom("proj_snapshots")
    .select(["occurred_at", "seq", "state"])
    .where("dispute_id", "=", disputeId)
    .where("scope", "=", scope);
  if (asOf) q = q.where("occurred_at", "<=", asOf);
  const row = await q.orderBy("occurred_at", "desc").orderBy("seq", "desc").limit(1).executeTakeFirst();
  if (!row) return undefined;
  let base: string | undefined;
  const from = inheritsFrom(row.state);
  if (from !== null) {
    base = (
      await db
        .selectFrom("proj_snapshots")
        .select("state")
        .where("dispute_id", "=", disputeId)
        .where("scope", "=", from)
        .where("occurred_at", "=", row.occurred_at)
        .where("seq", "=", row.seq)
        .executeTakeFirst()
    )?.state;
    // Without its base the row says nothing: the fold starts from the beginning instead.
    if (base === undefined) return undefined;
  }
  return { occurredAt: row.occurred_at, seq: row.seq, state: parseSnapshot(row.state, base) };
}

/** A viewer's fold as of an instant, starting from the newest snapshot before it, if any. */
export async function foldFromSnapshot(
  db: Db,
  disputeId: number,
  slug: string,
  viewer: Viewer,
  side: string | null,
  asOf?: string,
): Promise<DisputeState> {
  const snap = await latestSnapshot(db, disputeId, scopeOf(viewer, side), asOf);
  return foldView(db, disputeId, slug, viewer, side, { asOf, ...(snap ? { from: snap } : {}) });
}
