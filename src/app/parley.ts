import { randomBytes } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { type Command, decide, type RefInfo } from "../domain/decide.ts";
import { type AnyDraft, type AnyEntry, refsOf } from "../domain/entry.ts";
import { fail, ParleyError } from "../domain/errors.ts";
import { type EntryType, SCHEMA_VERSION } from "../domain/events.ts";
import { evolve } from "../domain/evolve.ts";
import { type DisputeState, sideOf } from "../domain/state.ts";
import { type ForeignStoppage, type Status, sideName, status } from "../domain/status.ts";
import { Id, type Organization, Organization as OrganizationSchema } from "../domain/values.ts";
import { signCheckpoint } from "../ledger/checkpoint.ts";
import { sign, signAsync } from "../ledger/ed25519.ts";
import { canonicalBytes } from "../ledger/jcs.ts";
import { CompactRange, entryLeafHash, type NodeId, rootNodes } from "../ledger/merkle.ts";
import { consistencyPlan, inclusionPlan, materialize, planNodes } from "../ledger/proof.ts";
import { openStore } from "../store/db.ts";
import { CHECKPOINT_KEY, KeyStore } from "../store/keystore.ts";
import {
  type EntryRow,
  entryBySeq,
  fetchNodes,
  insertCheckpoint,
  insertEntries,
  insertNodes,
  latestCheckpoint,
  treeSize,
} from "../store/ledger-repo.ts";
import type { Database } from "../store/schema.ts";
import { endOfDayOrInstant } from "./as-of.ts";
import { applyForViewer, foldView, latestSnapshot, parseEntry, SNAPSHOT_EVERY } from "./views.ts";
import { type Authored, OPERATOR, PUBLIC, scopeOf, type Viewer } from "./visibility.ts";

export interface Actor {
  org: string;
  user: string;
}

export interface Recorded {
  seq: number;
  type: EntryType;
  occurredAt: string;
  visibility: string;
}

type DisputeRow = Selectable<Database["disputes"]>;

interface Scope {
  viewer: Viewer;
  side: string | null;
  state: DisputeState;
}

/** The in-memory head of a dispute: its tree frontier and the current state of each hot scope. */
interface Live {
  id: number;
  slug: string;
  origin: string;
  /** The next sequence number; the tree catches up when pending signatures are flushed. */
  size: number;
  range: CompactRange;
  all: DisputeState;
  scopes: Map<string, Scope>;
}

interface Pending {
  /** Sign commands on the thread pool: set for batches, where throughput beats latency. */
  parallel: boolean;
  unsigned: { row: EntryRow; bytes: Buffer; signature: Buffer | Promise<Buffer> }[];
  entries: EntryRow[];
  nodes: { level: number; idx: number; hash: Uint8Array }[];
  timeline: Database["proj_timeline"][];
  published: { seq: number; by: number; at: string }[];
  snapshots: Omit<Database["proj_snapshots"], "dispute_id">[];
  staleFrom: { occurredAt: string; seq: number } | null;
  bySeq: Map<number, { row: EntryRow; entry: AnyEntry; side: string | null }>;
}

export interface ParleyOptions {
  clock?: () => Date;
  /** The host part of checkpoint origins and the checkpoint signer's name. */
  host?: string;
}

/**
 * The application: every write is execute(actor, command) = resolve state -> decide ->
 * sign and hash -> extend the tree -> project -> checkpoint, in one transaction.
 */
export class Parley {
  readonly db: Kysely<Database>;
  readonly keys: KeyStore;
  readonly host: string;
  private readonly clock: () => Date;
  private readonly live = new Map<string, Live>();
  private closer: (() => Promise<void>) | null = null;
  private checkpointKeyRecorded = false;
  /** Directory entries never change once written, so they are looked up once. */
  private readonly orgs = new Map<string, Organization>();
  private readonly disputeRows = new Map<string, DisputeRow>();

  constructor(db: Kysely<Database>, keys: KeyStore, opts: ParleyOptions = {}) {
    this.db = db;
    this.keys = keys;
    this.clock = opts.clock ?? (() => new Date());
    this.host = opts.host ?? process.env.PARLEY_HOST ?? "parley.localhost";
  }

  static async open(
    path: string,
    opts: ParleyOptions & { durability?: "normal" | "full" } = {},
  ): Promise<Parley> {
    const store = await openStore(path, opts.durability ? { durability: opts.durability } : {});
    const app = new Parley(store.db, KeyStore.beside(store.path), opts);
    app.closer = store.close;
    return app;
  }

  async close(): Promise<void> {
    await this.closer?.();
  }

  now(): string {
    return this.clock().toISOString();
  }

  // ---- the directory of organizations ----

  /** Adds an organization to the directory and gives it a signing key (idempotent). */
  async registerOrganization(input: Organization): Promise<void> {
    const org = OrganizationSchema.parse(input);
    const key = this.keys.ensure(org.id);
    await this.db
      .insertInto("organizations")
      .values({
        id: org.id,
        name: org.name,
        short_name: org.shortName,
        kind: org.kind,
        created_at: this.now(),
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
    await this.db
      .insertInto("signing_keys")
      .values({ key_id: key.keyId, org_id: org.id, public_key: key.publicRaw, created_at: this.now() })
      .onConflict((oc) => oc.column("key_id").doNothing())
      .execute();
  }

  /** Inside a transaction pass it: SQLite has one connection, and the transaction holds it. */
  async organization(id: string, db: Kysely<Database> = this.db): Promise<Organization | undefined> {
    const cached = this.orgs.get(id);
    if (cached) return cached;
    const row = await db.selectFrom("organizations").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    const org = { id: row.id, name: row.name, shortName: row.short_name, kind: row.kind as Organization["kind"] };
    this.orgs.set(id, org);
    return org;
  }

  async disputes(): Promise<{ id: number; slug: string; origin: string }[]> {
    return this.db.selectFrom("disputes").select(["id", "slug", "origin"]).orderBy("id").execute();
  }

  async disputeRow(slug: string): Promise<DisputeRow> {
    const cached = this.disputeRows.get(slug);
    if (cached) return cached;
    const row = await this.db.selectFrom("disputes").selectAll().where("slug", "=", slug).executeTakeFirst();
    if (!row) fail("DISPUTE_UNKNOWN", `no dispute ${JSON.stringify(slug)}`);
    this.disputeRows.set(slug, row);
    return row;
  }

  // ---- writes ----

  /** Creates the dispute's ledger; its first entry is the opening, signed by `actor`. */
  async openDispute(slug: string, actor: Actor, command: Omit<Command, "actor" | "type">): Promise<Recorded> {
    const parsed = Id.safeParse(slug);
    if (!parsed.success) fail("VALIDATION_FAILED", `slug: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    const exists = await this.db
      .selectFrom("disputes")
      .select("id")
      .where("slug", "=", slug)
      .executeTakeFirst();
    if (exists) fail("DISPUTE_EXISTS");
    await this.db
      .insertInto("disputes")
      .values({ slug, origin: `${this.host}/${slug}`, created_at: this.now() })
      .execute();
    try {
      const [first] = await this.executeBatch(slug, [{ actor, ...command, type: "dispute.opened" }]);
      return first!;
    } catch (err) {
      // The dispute row is a registry entry, not ledger: without its first entry it must not stay.
      const d = await this.disputeRow(slug);
      if ((await treeSize(this.db, d.id)) === 0)
        await this.db.deleteFrom("disputes").where("id", "=", d.id).execute();
      throw err;
    }
  }

  async execute(slug: string, command: Command): Promise<Recorded> {
    const [recorded] = await this.executeBatch(slug, [command]);
    return recorded!;
  }

  /**
   * Records several commands atomically: all are decided in order (each seeing the ones
   * before it), appended, and covered by one checkpoint; if any fails, nothing is written.
   */
  async executeBatch(slug: string, commands: Command[]): Promise<Recorded[]> {
    const d = await this.disputeRow(slug);
    try {
      return await this.db.transaction().execute(async (trx) => {
        const live = await this.load(trx, d);
        const pending: Pending = {
          parallel: commands.length >= PARALLEL_SIGNING_FROM,
          unsigned: [],
          entries: [],
          nodes: [],
          timeline: [],
          published: [],
          snapshots: [],
          staleFrom: null,
          bySeq: new Map(),
        };
        const recorded: Recorded[] = [];
        for (const command of commands) {
          for (const draft of await this.decideOne(trx, live, pending, command)) {
            recorded.push(await this.appendOne(trx, live, pending, command.actor, draft));
          }
        }
        await this.flush(trx, live, pending);
        const root = live.range.root();
        const signer = await this.checkpointSigner(trx);
        const note = signCheckpoint(live.origin, live.range.size, root, {
          name: this.host,
          privateKey: signer.privateKey,
          publicRaw: signer.publicRaw,
        });
        await insertCheckpoint(trx, live.id, { size: live.range.size, root, note, created_at: this.now() });
        return recorded;
      });
    } catch (err) {
      // Whatever the cache absorbed from a rolled-back transaction is untrue now.
      this.live.delete(slug);
      this.checkpointKeyRecorded = false;
      throw err;
    }
  }

  /** The server's checkpoint key, with its public half in signing_keys so verify can find it. */
  private async checkpointSigner(trx: Kysely<Database>) {
    const key = this.keys.ensure(CHECKPOINT_KEY);
    if (!this.checkpointKeyRecorded) {
      await trx
        .insertInto("signing_keys")
        .values({
          key_id: key.keyId,
          org_id: CHECKPOINT_KEY,
          public_key: key.publicRaw,
          created_at: this.now(),
        })
        .onConflict((oc) => oc.column("key_id").doNothing())
        .execute();
      this.checkpointKeyRecorded = true;
    }
    return key;
  }

  private async decideOne(
    trx: Kysely<Database>,
    live: Live,
    pending: Pending,
    command: Command,
  ): Promise<AnyDraft[]> {
    const org = await this.organization(command.actor.org, trx);
    if (!org) fail("ORG_UNKNOWN", `unknown organization ${command.actor.org}`);
    const viewer: Viewer = { kind: "org", org: org.id, role: "negotiator" };
    const side = sideOf(live.all, org.id);
    const occurredAt = typeof command.occurredAt === "string" ? command.occurredAt : "";
    let state: DisputeState;
    const scope = await this.scope(trx, live, pending, viewer, side);
    if (scope.state.lastOccurredAt === null || occurredAt >= scope.state.lastOccurredAt) {
      state = scope.state;
    } else {
      // Back-filled history is decided against the record as it stood at that moment.
      await this.flush(trx, live, pending);
      state = await foldView(trx, live.id, live.slug, viewer, side, { asOf: occurredAt });
    }
    const refs = new Map<number, RefInfo>();
    const payload = command.payload as { entry?: unknown } | null;
    if (payload && typeof payload === "object" && typeof payload.entry === "number") {
      const ref = await this.resolve(trx, live, pending, payload.entry);
      if (ref) {
        refs.set(ref.entry.seq, {
          seq: ref.entry.seq,
          type: ref.entry.type,
          org: ref.entry.actor.org,
          visibility: ref.entry.visibility,
          payload: ref.entry.payload,
        });
      }
    }
    return decide(command, state, { now: this.now(), refs });
  }

  private async appendOne(
    trx: Kysely<Database>,
    live: Live,
    pending: Pending,
    actor: Actor,
    draft: AnyDraft,
  ): Promise<Recorded> {
    const key = this.keys.require(actor.org);
    const seq = live.size;
    const entry = {
      dispute: live.slug,
      seq,
      type: draft.type,
      version: SCHEMA_VERSION,
      actor: { org: actor.org, user: actor.user },
      keyId: key.keyId,
      occurredAt: draft.occurredAt,
      recordedAt: this.now(),
      visibility: draft.visibility,
      refs: refsOf(draft),
      payload: draft.payload,
      nonce: nonce(),
    } as AnyEntry;
    const bytes = canonicalBytes(entry);
    const row: EntryRow = {
      seq,
      type: entry.type,
      org_id: actor.org,
      key_id: key.keyId,
      occurred_at: entry.occurredAt,
      recorded_at: entry.recordedAt,
      visibility: entry.visibility,
      body: bytes.toString("utf8"),
      signature: EMPTY,
      leaf_hash: EMPTY,
    };
    // One command signs at once (lowest latency); a batch signs on the thread pool, in parallel.
    const signature = pending.parallel ? signAsync(bytes, key.privateKey) : sign(bytes, key.privateKey);
    pending.unsigned.push({ row, bytes, signature });
    live.size += 1;

    const outOfOrder = live.all.lastOccurredAt !== null && entry.occurredAt < live.all.lastOccurredAt;
    const allBefore = live.all.entries;
    evolve(live.all, entry);
    if (!outOfOrder) snapshotIfDue(pending, scopeOf(OPERATOR, null), live.all, allBefore, entry);
    const side = sideOf(live.all, actor.org);
    pending.bySeq.set(seq, { row, entry, side });
    pending.timeline.push(timelineRow(live.id, entry, side));
    if (entry.type === "entry.published") {
      pending.published.push({ seq: entry.payload.entry, by: seq, at: entry.occurredAt });
    }
    const authored: Authored = { visibility: entry.visibility, org: actor.org, side };
    if (entry.type === "party.joined") {
      // The organization's scopes were named for it sitting on no side; they are stale now.
      for (const name of live.scopes.keys()) if (name.split(":")[1] === actor.org) live.scopes.delete(name);
    }
    if (outOfOrder) {
      // Later states and snapshots no longer follow from the record: rebuild them on demand.
      const from = { occurredAt: entry.occurredAt, seq };
      if (!pending.staleFrom || entry.occurredAt < pending.staleFrom.occurredAt) pending.staleFrom = from;
      live.scopes.clear();
      pending.snapshots = [];
    } else {
      for (const [name, scope] of live.scopes) {
        const before = scope.state.entries;
        await applyForViewer(
          scope.state,
          scope.viewer,
          scope.side,
          { ...authored, type: entry.type },
          entry,
          (s) => this.resolveAuthored(trx, live, pending, s),
        );
        snapshotIfDue(pending, name, scope.state, before, entry);
      }
    }
    return { seq, type: entry.type, occurredAt: entry.occurredAt, visibility: entry.visibility };
  }

  /** Writes what a batch has accumulated; called before anything reads the database mid-batch. */
  private async flush(trx: Kysely<Database>, live: Live, p: Pending): Promise<void> {
    for (const u of p.unsigned) {
      const signature = await u.signature;
      const leaf = entryLeafHash(u.bytes, signature);
      u.row.signature = signature;
      u.row.leaf_hash = leaf;
      let idx = u.row.seq;
      live.range.append(leaf).forEach((hash, i) => {
        idx = Math.floor(idx / 2);
        p.nodes.push({ level: i + 1, idx, hash });
      });
      p.entries.push(u.row);
    }
    p.unsigned = [];
    if (p.entries.length > 0) await insertEntries(trx, live.id, p.entries);
    if (p.nodes.length > 0) await insertNodes(trx, live.id, p.nodes);
    for (let i = 0; i < p.timeline.length; i += 400) {
      await trx
        .insertInto("proj_timeline")
        .values(p.timeline.slice(i, i + 400))
        .execute();
    }
    for (const pub of p.published) {
      await trx
        .updateTable("proj_timeline")
        .set({ published_seq: pub.by, published_at: pub.at })
        .where("dispute_id", "=", live.id)
        .where("seq", "=", pub.seq)
        .where("published_seq", "is", null)
        .execute();
    }
    if (p.staleFrom) {
      const { occurredAt, seq } = p.staleFrom;
      await trx
        .deleteFrom("proj_snapshots")
        .where("dispute_id", "=", live.id)
        .where((eb) =>
          eb.or([
            eb("occurred_at", ">", occurredAt),
            eb.and([eb("occurred_at", "=", occurredAt), eb("seq", ">", seq)]),
          ]),
        )
        .execute();
      live.all = await this.foldFromSnapshot(trx, live.id, live.slug, OPERATOR, null);
      live.scopes.set(scopeOf(PUBLIC, null), {
        viewer: PUBLIC,
        side: null,
        state: await this.foldFromSnapshot(trx, live.id, live.slug, PUBLIC, null),
      });
      p.staleFrom = null;
    }
    for (const s of p.snapshots) {
      await trx
        .insertInto("proj_snapshots")
        .values({ dispute_id: live.id, ...s })
        .execute();
    }
    p.entries = [];
    p.nodes = [];
    p.timeline = [];
    p.published = [];
    p.snapshots = [];
  }

  private async resolve(trx: Kysely<Database>, live: Live, pending: Pending, seq: number) {
    const local = pending.bySeq.get(seq);
    if (local) return { entry: local.entry, side: local.side };
    const row = await entryBySeq(trx, live.id, seq);
    if (!row) return undefined;
    const t = await trx
      .selectFrom("proj_timeline")
      .select("side_id")
      .where("dispute_id", "=", live.id)
      .where("seq", "=", seq)
      .executeTakeFirst();
    return { entry: parseEntry(row.body), side: t?.side_id ?? null };
  }

  private async resolveAuthored(trx: Kysely<Database>, live: Live, pending: Pending, seq: number) {
    const r = await this.resolve(trx, live, pending, seq);
    if (!r) return undefined;
    return {
      authored: { visibility: r.entry.visibility, org: r.entry.actor.org, side: r.side },
      entry: r.entry,
    };
  }

  /** The hot head of a dispute, loaded once and then kept current by appends. */
  private async load(trx: Kysely<Database>, d: { id: number; slug: string; origin: string }): Promise<Live> {
    const size = await treeSize(trx, d.id);
    const cached = this.live.get(d.slug);
    if (cached && cached.range.size === size) return cached;
    // Someone else appended (another process) or nothing is cached: read the head afresh.
    const ids = rootNodes(size);
    const nodes = await fetchNodes(trx, d.id, ids);
    const hashes = ids.map((id) => nodes.get(`${id.level}:${id.index}`) ?? missingNode(d.slug, id));
    const live: Live = {
      id: d.id,
      slug: d.slug,
      origin: d.origin,
      size,
      range: CompactRange.fromNodes(size, hashes),
      all: await this.foldFromSnapshot(trx, d.id, d.slug, OPERATOR, null),
      scopes: new Map(),
    };
    // The public view is read most; keeping it hot keeps its snapshots current.
    live.scopes.set(scopeOf(PUBLIC, null), {
      viewer: PUBLIC,
      side: null,
      state: await this.foldFromSnapshot(trx, d.id, d.slug, PUBLIC, null),
    });
    this.live.set(d.slug, live);
    return live;
  }

  private async scope(
    trx: Kysely<Database>,
    live: Live,
    pending: Pending,
    viewer: Viewer,
    side: string | null,
  ) {
    const name = scopeOf(viewer, side);
    const existing = live.scopes.get(name);
    if (existing) return existing;
    await this.flush(trx, live, pending);
    const scope = { viewer, side, state: await this.foldFromSnapshot(trx, live.id, live.slug, viewer, side) };
    live.scopes.set(name, scope);
    return scope;
  }

  private async foldFromSnapshot(
    db: Kysely<Database>,
    id: number,
    slug: string,
    viewer: Viewer,
    side: string | null,
    asOf?: string,
  ): Promise<DisputeState> {
    const snap = await latestSnapshot(db, id, scopeOf(viewer, side), asOf);
    return foldView(db, id, slug, viewer, side, { asOf, ...(snap ? { from: snap } : {}) });
  }

  // ---- reads ----

  /** The dispute as a viewer sees it, as of an instant or date (by occurrence), or as recorded by one. */
  async view(
    slug: string,
    viewer: Viewer,
    opts: { asOf?: string; recordedBy?: string } = {},
  ): Promise<DisputeState> {
    const d = await this.disputeRow(slug);
    const all = await this.currentAll(d);
    const side = viewer.kind === "org" ? sideOf(all, viewer.org) : null;
    if (viewer.kind === "org" && !all.orgs[viewer.org] && !(await this.organization(viewer.org))) {
      fail("ORG_UNKNOWN", `unknown organization ${viewer.org}`);
    }
    if (opts.recordedBy) {
      return foldView(this.db, d.id, slug, viewer, side, { asOf: opts.asOf, recordedBy: opts.recordedBy });
    }
    return this.foldFromSnapshot(this.db, d.id, slug, viewer, side, opts.asOf);
  }

  private async currentAll(d: { id: number; slug: string; origin: string }): Promise<DisputeState> {
    return this.db.transaction().execute(async (trx) => (await this.load(trx, d)).all);
  }

  /**
   * The at-a-glance status. `asOf` is an instant or a date (the end of that day in the
   * dispute's zone); `recordedBy` limits it to what had been recorded by then (the audit view).
   */
  async status(slug: string, viewer: Viewer = PUBLIC, asOf?: string, recordedBy?: string): Promise<Status> {
    const d = await this.disputeRow(slug);
    const all = await this.currentAll(d);
    const tz = all.opened?.timeZone ?? "UTC";
    const instant = asOf ? endOfDayOrInstant(asOf, tz) : this.now();
    const recorded = recordedBy ? endOfDayOrInstant(recordedBy, tz) : undefined;
    const state = await this.view(
      slug,
      viewer,
      recorded ? { asOf: instant, recordedBy: recorded } : { asOf: instant },
    );
    if (!state.opened) fail("DISPUTE_UNKNOWN", "this viewer cannot see the dispute");
    return status(state, instant, await this.foreignStoppages(slug, viewer, instant));
  }

  /** Stoppages recorded in other disputes, as this viewer may see them there. */
  private async foreignStoppages(slug: string, viewer: Viewer, asOf: string): Promise<ForeignStoppage[]> {
    const out: ForeignStoppage[] = [];
    for (const other of await this.disputes()) {
      if (other.slug === slug) continue;
      const state = await this.view(other.slug, viewer.kind === "org" ? PUBLIC : viewer, { asOf });
      for (const st of Object.values(state.stoppages)) {
        out.push({
          dispute: other.slug,
          stoppage: st,
          organizations: st.by.map((id) => sideName(state, id)),
          against: st.against.map((id) => sideName(state, id)),
          againstIds: [...st.against, ...st.against.flatMap((id) => state.orgs[id]?.represents ?? [])],
        });
      }
    }
    return out;
  }

  /** An RFC 9162 inclusion proof for entry `seq` in the tree of `size` (default: current). */
  async inclusionProof(slug: string, seq: number, size?: number) {
    const d = await this.disputeRow(slug);
    const n = size ?? (await treeSize(this.db, d.id));
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= n || n > (await treeSize(this.db, d.id))) {
      fail("ENTRY_UNKNOWN", `no entry ${seq} in a tree of size ${n}`);
    }
    const plan = inclusionPlan(seq, n);
    const nodes = await fetchNodes(this.db, d.id, planNodes(plan));
    return {
      seq,
      size: n,
      proof: materialize(plan, (id) => nodes.get(`${id.level}:${id.index}`) ?? missingNode(slug, id)),
    };
  }

  async consistencyProof(slug: string, size1: number, size2: number) {
    const d = await this.disputeRow(slug);
    const n = await treeSize(this.db, d.id);
    if (
      !(Number.isSafeInteger(size1) && Number.isSafeInteger(size2)) ||
      size1 < 0 ||
      size1 > size2 ||
      size2 > n
    ) {
      fail("VALIDATION_FAILED", `need 0 <= size1 <= size2 <= ${n}`);
    }
    const plan = consistencyPlan(size1, size2);
    const nodes = await fetchNodes(this.db, d.id, planNodes(plan));
    return {
      size1,
      size2,
      proof: materialize(plan, (id) => nodes.get(`${id.level}:${id.index}`) ?? missingNode(slug, id)),
    };
  }

  async latestCheckpoint(slug: string) {
    const d = await this.disputeRow(slug);
    return latestCheckpoint(this.db, d.id);
  }

  /** Forgets cached heads, e.g. after `rebuild` replaced the projections. */
  forget(): void {
    this.live.clear();
  }
}

const EMPTY = new Uint8Array(0);

/** Nonces come from one larger draw of randomness at a time: a syscall per entry adds up. */
let noncePool = Buffer.alloc(0);
function nonce(): string {
  if (noncePool.length < 32) noncePool = randomBytes(32 * 512);
  const n = noncePool.subarray(0, 32);
  noncePool = noncePool.subarray(32);
  return n.toString("base64url");
}
const PARALLEL_SIGNING_FROM = 16;

/** Snapshots are taken each time a scope's fold passes a multiple of SNAPSHOT_EVERY entries. */
function snapshotIfDue(
  pending: Pending,
  scope: string,
  state: DisputeState,
  before: number,
  entry: AnyEntry,
): void {
  if (Math.floor(state.entries / SNAPSHOT_EVERY) === Math.floor(before / SNAPSHOT_EVERY)) return;
  pending.snapshots.push({
    scope,
    occurred_at: entry.occurredAt,
    seq: entry.seq,
    entries: state.entries,
    state: JSON.stringify(state),
  });
}

function missingNode(slug: string, id: NodeId): never {
  throw new ParleyError("VERIFY_FAILED", `dispute ${slug}: stored node ${id.level}:${id.index} is missing`);
}

/** The subject an entry is about, for filtering the timeline. */
function subjectOf(entry: AnyEntry): string | null {
  const p = entry.payload as Record<string, unknown>;
  for (const k of ["issue", "meeting", "stoppage", "request", "figure"])
    if (typeof p[k] === "string") return p[k];
  if (entry.type === "pass.made" || entry.type === "ta.signed") {
    const issues =
      entry.type === "pass.made" ? entry.payload.issues.map((i) => i.issue) : entry.payload.issues;
    return issues.join(",");
  }
  if (entry.type === "party.joined" || entry.type === "organization.registered") return entry.payload.org.id;
  return null;
}

export function timelineRow(
  disputeId: number,
  entry: AnyEntry,
  side: string | null,
): Database["proj_timeline"] {
  return {
    dispute_id: disputeId,
    seq: entry.seq,
    type: entry.type,
    org_id: entry.actor.org,
    side_id: side,
    occurred_at: entry.occurredAt,
    recorded_at: entry.recordedAt,
    visibility: entry.visibility,
    subject: subjectOf(entry),
    published_seq: null,
    published_at: null,
  };
}
