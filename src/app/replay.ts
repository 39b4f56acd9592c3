import type { AnyEntry } from "../domain/entry.ts";
import { type DisputeState, initialState } from "../domain/state.ts";
import type { Db } from "../store/ledger-repo.ts";
import type { Database } from "../store/schema.ts";
import { snapshotTexts } from "./snapshot-text.ts";
import { timelineRow } from "./timeline.ts";
import { applyResolved, isSnapshotPoint, parseEntry, type TimelineRow } from "./views.ts";
import { type Authored, OPERATOR, PUBLIC, scopeOf, type Viewer } from "./visibility.ts";

/**
 * Recomputes the read models from the ledger alone. `parley rebuild` writes what this yields;
 * `parley verify` compares it with what is stored. Both walk the ledger in pages, so memory
 * stays bounded however long the ledger is.
 */

/** Derives timeline rows from entries met in sequence order. */
export class TimelineReplayer {
  private readonly sides = new Map<string, string>();

  constructor(
    private readonly disputeId: number,
    private readonly published: Publications,
  ) {}

  step(entry: AnyEntry): Database["proj_timeline"] {
    if (entry.type === "party.joined") this.sides.set(entry.payload.org.id, entry.payload.side);
    const row = timelineRow(this.disputeId, entry, this.sides.get(entry.actor.org) ?? null);
    const pub = this.published.get(entry.seq);
    if (pub) {
      row.published_seq = pub.seq;
      row.published_at = pub.at;
    }
    return row;
  }
}

/** The timeline rows of a dispute, in sequence order, as the append path would have written them. */
export async function* replayTimeline(
  db: Db,
  disputeId: number,
): AsyncGenerator<{ row: Database["proj_timeline"]; entry: AnyEntry }> {
  const replayer = new TimelineReplayer(disputeId, await publications(db, disputeId));
  for await (const r of pages(db, disputeId, "seq")) {
    const entry = parseEntry(r.body);
    yield { row: replayer.step(entry), entry };
  }
}

export type Publications = Map<number, { seq: number; at: string }>;

/** The first publication of each entry: sequence number of the publishing entry and when. */
export async function publications(db: Db, disputeId: number): Promise<Publications> {
  const rows = await db
    .selectFrom("ledger_entries")
    .select(["seq", "body", "occurred_at"])
    .where("dispute_id", "=", disputeId)
    .where("type", "=", "entry.published")
    .orderBy("seq")
    .execute();
  const out = new Map<number, { seq: number; at: string }>();
  for (const r of rows) {
    const target = (parseEntry(r.body) as AnyEntry & { type: "entry.published" }).payload.entry;
    if (!out.has(target)) out.set(target, { seq: r.seq, at: r.occurred_at });
  }
  return out;
}

export interface ScopeSpec {
  name: string;
  viewer: Viewer;
  side: string | null;
}

/** Parses a stored scope name back into its viewer, so snapshots can be re-derived. */
export function scopeFromName(name: string): ScopeSpec | null {
  if (name === "all") return { name, viewer: OPERATOR, side: null };
  if (name === "public") return { name, viewer: PUBLIC, side: null };
  const m = /^(negotiator|member):([a-z0-9][a-z0-9-]*):(-|[a-z0-9][a-z0-9-]*)$/.exec(name);
  if (!m) return null;
  const side = m[3] === "-" ? null : m[3]!;
  const viewer: Viewer = { kind: "org", org: m[2]!, role: m[1] as "negotiator" | "member" };
  return scopeFromViewer(viewer, side);
}

export function scopeFromViewer(viewer: Viewer, side: string | null): ScopeSpec {
  return { name: scopeOf(viewer, side), viewer, side };
}

export type SnapshotRow = Omit<Database["proj_snapshots"], "dispute_id">;

/**
 * Folds every given scope over entries met in occurrence order and returns, at every
 * SNAPSHOT_EVERY-th entry of the ledger, the snapshots the append path takes there, as it
 * stores them (one point's rows together: some inherit from another, see snapshot-text.ts).
 */
export class SnapshotReplayer {
  private readonly states: Map<string, DisputeState>;
  private readonly authored = new Map<number, { authored: Authored; entry: AnyEntry }>();
  private readonly sides = new Map<string, string>();

  constructor(
    slug: string,
    private readonly scopes: ScopeSpec[],
    private readonly published: Publications,
  ) {
    this.states = new Map(scopes.map((s) => [s.name, initialState(slug)]));
  }

  step(entry: AnyEntry): SnapshotRow[] {
    if (entry.type === "party.joined") this.sides.set(entry.payload.org.id, entry.payload.side);
    const a: Authored = {
      visibility: entry.visibility,
      org: entry.actor.org,
      side: this.sides.get(entry.actor.org) ?? null,
    };
    // Only entries that are published later are ever looked up again; keep just those.
    if (this.published.has(entry.seq)) this.authored.set(entry.seq, { authored: a, entry });
    const published = entry.type === "entry.published" ? this.authored.get(entry.payload.entry) : undefined;
    for (const scope of this.scopes) {
      applyResolved(this.states.get(scope.name)!, scope.viewer, scope.side, a, entry, published);
    }
    if (!isSnapshotPoint(entry.seq)) return [];
    return [...snapshotTexts(this.states)].map(([scope, text]) => ({
      scope,
      occurred_at: entry.occurredAt,
      seq: entry.seq,
      entries: this.states.get(scope)!.entries,
      state: text,
    }));
  }
}

export async function* replaySnapshots(
  db: Db,
  disputeId: number,
  slug: string,
  scopes: ScopeSpec[],
): AsyncGenerator<SnapshotRow[]> {
  const replayer = new SnapshotReplayer(slug, scopes, await publications(db, disputeId));
  for await (const r of pages(db, disputeId, "occurrence")) {
    const point = replayer.step(parseEntry(r.body));
    if (point.length > 0) yield point;
  }
}

/** The scopes `rebuild` snapshots: everything, the public, and each party's negotiators. */
export async function defaultScopes(db: Db, disputeId: number): Promise<ScopeSpec[]> {
  const scopes = [scopeFromViewer(OPERATOR, null), scopeFromViewer(PUBLIC, null)];
  const joined = await db
    .selectFrom("ledger_entries")
    .select("body")
    .where("dispute_id", "=", disputeId)
    .where("type", "=", "party.joined")
    .orderBy("seq")
    .execute();
  for (const { body } of joined) {
    const entry = parseEntry(body);
    if (entry.type !== "party.joined") continue;
    const viewer: Viewer = { kind: "org", org: entry.actor.org, role: "negotiator" };
    scopes.push(scopeFromViewer(viewer, entry.payload.side));
  }
  return scopes;
}

type LedgerRow = Omit<TimelineRow, "side">;

async function* pages(
  db: Db,
  disputeId: number,
  order: "seq" | "occurrence",
  size = 2000,
): AsyncGenerator<LedgerRow> {
  let after: { occurred_at: string; seq: number } | null = null;
  for (;;) {
    let q = db
      .selectFrom("ledger_entries as e")
      .select([
        "e.seq",
        "e.type",
        "e.org_id as org",
        "e.visibility",
        "e.occurred_at",
        "e.recorded_at",
        "e.body",
      ])
      .where("e.dispute_id", "=", disputeId);
    if (after) {
      const a = after;
      q =
        order === "seq"
          ? q.where("e.seq", ">", a.seq)
          : q
              .where("e.occurred_at", ">=", a.occurred_at)
              .where((eb) =>
                eb.or([
                  eb("e.occurred_at", ">", a.occurred_at),
                  eb.and([eb("e.occurred_at", "=", a.occurred_at), eb("e.seq", ">", a.seq)]),
                ]),
              );
    }
    q = order === "seq" ? q.orderBy("e.seq") : q.orderBy("e.occurred_at").orderBy("e.seq");
    const rows = await q.limit(size).execute();
    yield* rows;
    if (rows.length < size) return;
    const last = rows[rows.length - 1]!;
    after = { occurred_at: last.occurred_at, seq: last.seq };
  }
}
