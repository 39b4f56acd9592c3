import type { Kysely } from "kysely";
import { z } from "zod";
import { ENTRY_TYPES } from "../domain/events.ts";
import { Id, Instant, Visibility } from "../domain/values.ts";
import { canonicalBytes } from "../ledger/jcs.ts";
import { entryLeafHash } from "../ledger/merkle.ts";
import type { Database } from "../store/schema.ts";
import { opaqueCursor } from "./cursor.ts";
import { canReadNow, canSee, type Viewer } from "./visibility.ts";

/** What a client may ask of a dispute's timeline: filters, a page size and where to go on from. */
export const TimelineQuery = z
  .object({
    type: z
      .union([z.enum(ENTRY_TYPES), z.array(z.enum(ENTRY_TYPES)).max(ENTRY_TYPES.length)])
      .optional()
      .describe("one entry type, or several (repeat the parameter)"),
    issue: Id.optional().describe("entries about this bargaining issue"),
    org: Id.optional().describe("entries recorded by this organization"),
    visibility: z
      .union([Visibility, z.array(Visibility).max(Visibility.options.length)])
      .optional()
      .describe(
        "entries recorded with this visibility, or any of several (repeat the parameter); `public` also " +
          "matches an entry made public since. It only narrows: what the caller may read is decided as always",
      ),
    from: Instant.optional().describe("occurred at or after this instant"),
    to: Instant.optional().describe("occurred at or before this instant"),
    order: z.enum(["asc", "desc"]).default("asc").describe("oldest first (asc) or newest first (desc)"),
    after: z.string().max(200).optional().describe("the `next` cursor of the previous page"),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type TimelineQuery = z.output<typeof TimelineQuery>;

export interface TimelineItem {
  seq: number;
  type: string;
  org: string;
  side: string | null;
  occurredAt: string;
  recordedAt: string;
  visibility: string;
  subject: string | null;
  /** When an entry the viewer could not see at first was made public, and by which entry. */
  published: { seq: number; at: string } | null;
  /** The signed entry itself, and its signature (base64), so a client can check it. */
  entry: unknown;
  signature: string;
}

/** Where the next page starts: past this occurrence instant and sequence number, in the page order. */
const cursor = opaqueCursor(z.object({ o: z.string(), s: z.number().int() }));

/**
 * One page of a dispute's timeline in occurrence order, holding only what the viewer may see:
 * an entry it may read, or one made public since (by `readableAt`, when given: a page of the
 * record as of a past day). The filters run in SQL; visibility runs here, through the one
 * rule, reading further pages until this one is full.
 */
export async function readTimeline(
  db: Kysely<Database>,
  disputeId: number,
  viewer: Viewer,
  viewerSide: string | null,
  q: TimelineQuery,
  readableAt?: string,
): Promise<{ items: TimelineItem[]; next: string | null } | { badCursor: true }> {
  let after = q.after === undefined ? null : cursor.decode(q.after);
  if (q.after !== undefined && !after) return { badCursor: true };
  const types = q.type === undefined ? [] : Array.isArray(q.type) ? q.type : [q.type];
  const visibilities = q.visibility === undefined ? [] : [q.visibility].flat();
  const items: TimelineItem[] = [];
  const batch = Math.min(500, q.limit * 2);
  for (;;) {
    let sql = timelineWithBodies(db, disputeId);
    if (types.length > 0) sql = sql.where("t.type", "in", types);
    if (q.org) sql = sql.where("t.org_id", "=", q.org);
    if (visibilities.length > 0) {
      // An entry made public later is public now, whatever it was recorded as.
      sql = visibilities.includes("public")
        ? sql.where((eb) =>
            eb.or([eb("t.visibility", "in", visibilities), eb("t.published_seq", "is not", null)]),
          )
        : sql.where("t.visibility", "in", visibilities);
    }
    if (q.from) sql = sql.where("t.occurred_at", ">=", q.from);
    if (q.to) sql = sql.where("t.occurred_at", "<=", q.to);
    if (q.issue) {
      // A pass or TA on several issues names them all, comma-separated (app/timeline.ts).
      const issue = q.issue;
      sql = sql.where((eb) =>
        eb.or([
          eb("t.subject", "=", issue),
          eb("t.subject", "like", `${issue},%`),
          eb("t.subject", "like", `%,${issue}`),
          eb("t.subject", "like", `%,${issue},%`),
        ]),
      );
    }
    const desc = q.order === "desc";
    if (after) {
      const a = after;
      sql = desc
        ? sql
            .where("t.occurred_at", "<=", a.o)
            .where((eb) => eb.or([eb("t.occurred_at", "<", a.o), eb("t.seq", "<", a.s)]))
        : sql
            .where("t.occurred_at", ">=", a.o)
            .where((eb) => eb.or([eb("t.occurred_at", ">", a.o), eb("t.seq", ">", a.s)]));
    }
    const direction = desc ? "desc" : "asc";
    const rows = await sql
      .orderBy("t.occurred_at", direction)
      .orderBy("t.seq", direction)
      .limit(batch)
      .execute();
    for (const r of rows) {
      const readable =
        readableAt === undefined
          ? readableNow(r, viewer, viewerSide)
          : readableThen(r, viewer, viewerSide, readableAt);
      if (readable) {
        items.push(itemOf(r));
        if (items.length === q.limit) return { items, next: cursor.encode({ o: r.occurred_at, s: r.seq }) };
      }
      after = { o: r.occurred_at, s: r.seq };
    }
    if (rows.length < batch) return { items, next: null };
  }
}

type Row = {
  seq: number;
  type: string;
  org_id: string;
  side_id: string | null;
  occurred_at: string;
  recorded_at: string;
  visibility: string;
  subject: string | null;
  published_seq: number | null;
  published_at: string | null;
  body: string;
  signature: Uint8Array;
};

/**
 * The one rule, applied to a timeline row: may the viewer read this entry today? It reads only
 * the row's authoring facts, so any query that selects them (search's matches) can ask it.
 */
export function readableNow(
  r: Pick<Row, "visibility" | "org_id" | "side_id" | "published_seq">,
  viewer: Viewer,
  viewerSide: string | null,
): boolean {
  const published = r.published_seq !== null;
  return canReadNow(
    viewer,
    { visibility: r.visibility, org: r.org_id, side: r.side_id, published },
    viewerSide,
  );
}

/**
 * The same rule as of an instant: an entry the viewer may see, or one made public by then. An
 * entry published later is not yet readable: a page of the past must not show it before its
 * publication.
 */
export function readableThen(
  r: Pick<Row, "visibility" | "org_id" | "side_id" | "published_seq" | "published_at">,
  viewer: Viewer,
  viewerSide: string | null,
  instant: string,
): boolean {
  if (r.published_seq !== null && r.published_at !== null && r.published_at <= instant) return true;
  return canSee(viewer, { visibility: r.visibility, org: r.org_id, side: r.side_id }, viewerSide);
}

function itemOf(r: Row): TimelineItem {
  return {
    seq: r.seq,
    type: r.type,
    org: r.org_id,
    side: r.side_id,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    visibility: r.visibility,
    subject: r.subject,
    published:
      r.published_seq === null ? null : { seq: r.published_seq, at: r.published_at ?? r.occurred_at },
    entry: JSON.parse(r.body),
    signature: Buffer.from(r.signature).toString("base64"),
  };
}

/**
 * Entries recorded after sequence number `after`, in recording order, that the viewer may
 * read: what a live stream replays for a client resuming from its Last-Event-ID. `last` is
 * the last sequence number looked at, readable or not, so the caller can go on from there.
 */
export async function readSince(
  db: Kysely<Database>,
  disputeId: number,
  viewer: Viewer,
  viewerSide: string | null,
  after: number,
  limit: number,
): Promise<{ items: TimelineItem[]; last: number; more: boolean }> {
  const rows = await timelineWithBodies(db, disputeId)
    .where("t.seq", ">", after)
    .orderBy("t.seq")
    .limit(limit)
    .execute();
  return {
    items: rows.filter((r) => readableNow(r, viewer, viewerSide)).map(itemOf),
    last: rows.length > 0 ? rows[rows.length - 1]!.seq : after,
    more: rows.length === limit,
  };
}

/** The entry's leaf in its dispute's Merkle tree (hex): what an inclusion proof starts from. */
export function leafHashOf(item: TimelineItem): string {
  return entryLeafHash(canonicalBytes(item.entry), Buffer.from(item.signature, "base64")).toString("hex");
}

/** One entry, if the viewer may read it now; null whether it is hidden or does not exist. */
export async function readEntry(
  db: Kysely<Database>,
  disputeId: number,
  viewer: Viewer,
  viewerSide: string | null,
  seq: number,
): Promise<TimelineItem | null> {
  const row = await timelineWithBodies(db, disputeId).where("t.seq", "=", seq).executeTakeFirst();
  return row && readableNow(row, viewer, viewerSide) ? itemOf(row) : null;
}

/** Timeline rows with their signed bodies: the reads of timeline, streams and redlines. */
export function timelineWithBodies(db: Kysely<Database>, disputeId: number) {
  return db
    .selectFrom("proj_timeline as t")
    .innerJoin("ledger_entries as e", (j) =>
      j.onRef("e.dispute_id", "=", "t.dispute_id").onRef("e.seq", "=", "t.seq"),
    )
    .select([
      "t.seq",
      "t.type",
      "t.org_id",
      "t.side_id",
      "t.occurred_at",
      "t.recorded_at",
      "t.visibility",
      "t.subject",
      "t.published_seq",
      "t.published_at",
      "e.body",
      "e.signature",
    ])
    .where("t.dispute_id", "=", disputeId);
}
