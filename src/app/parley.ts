import { existsSync } from "node:fs";
import type { Kysely } from "kysely";
import type { Command } from "../domain/decide.ts";
import { fail, ParleyError } from "../domain/errors.ts";
import { type DisputeState, sideOf } from "../domain/state.ts";
import { type ForeignStoppage, type Status, sideName, status } from "../domain/status.ts";
import { Id, type Organization, Organization as OrganizationSchema } from "../domain/values.ts";
import { inSuccession } from "../ledger/key-retirement.ts";
import { consistencyPlan, inclusionPlan, materialize, planNodes } from "../ledger/proof.ts";
import { isPostgresLocation, openStore } from "../store/db.ts";
import { KeyStore } from "../store/keystore.ts";
import { fetchNodes, latestCheckpoint, treeSize } from "../store/ledger-repo.ts";
import type { Database } from "../store/schema.ts";
import type { KnownCredential } from "./accounts.ts";
import { endOfDayOrInstant } from "./as-of.ts";
import { CallerCache } from "./caller-cache.ts";
import { passRedlines } from "./redlines.ts";
import { RemoteCommits } from "./remote-commits.ts";
import {
  readEntry,
  readSince,
  readTimeline,
  type TimelineItem,
  type TimelineQuery,
} from "./timeline-query.ts";
import { foldFromSnapshot, foldView } from "./views.ts";
import { PUBLIC, type Viewer } from "./visibility.ts";
import {
  type Actor,
  type Appended,
  type DisputeRow,
  LedgerWriter,
  missingNode,
  type Recorded,
} from "./writer.ts";

export type { Actor, Recorded };

/** An organization's public key as verifiers need it (see Parley.signingKeys). */
export interface PublicSigningKey {
  keyId: string;
  /** The raw 32-byte Ed25519 public key, in standard base64. */
  publicKey: string;
  createdAt: string;
  /** When a rotation replaced it; null for the organization's current key. */
  retiredAt: string | null;
}

export interface KeyRotation {
  org: string;
  /** The new current key. */
  keyId: string;
  publicKey: string;
  createdAt: string;
  retired: { keyId: string; retiredAt: string }[];
}

export interface ParleyOptions {
  clock?: () => Date;
  /** The host part of checkpoint origins and the checkpoint signer's name. */
  host?: string;
}

/**
 * The application's front door: the directory of organizations, disputes, writes (handed to
 * the LedgerWriter) and every read, each through the one visibility rule.
 */
/** Statuses kept for repeated reads (the public summary above all); the oldest goes first. */
const STATUS_CACHE_SIZE = 256;
/** Commands per group commit: enough to share a commit widely, few enough to keep latency low. */
const MAX_GROUP = 64;
/** How long a starting server waits to hear other processes' commits before serving anyway. */
const FIRST_LISTEN_WAIT_MS = 5_000;

/**
 * A write waiting for its dispute's turn: one command, grouped with others that wait, or an
 * atomic batch (`batch`), which has a transaction of its own.
 */
interface Waiting {
  commands: Command[];
  batch: boolean;
  resolve: (r: Recorded[]) => void;
  reject: (err: unknown) => void;
}

export class Parley {
  readonly db: Kysely<Database>;
  /** The database file (or ":memory:"). */
  readonly path: string;
  readonly keys: KeyStore;
  readonly host: string;
  private readonly clock: () => Date;
  private readonly writer: LedgerWriter;
  private closer: (() => Promise<void>) | null = null;
  /** Directory entries never change once written, so they are looked up once. */
  private readonly orgs = new Map<string, Organization>();
  private readonly disputeRows = new Map<string, DisputeRow>();
  private readonly listeners = new Set<(slug: string, appended: Appended[]) => void>();
  /** Listeners that also hear of other processes' commits (see subscribe). */
  private readonly everywhere = new Set<(slug: string, appended: Appended[]) => void>();
  /** Other processes' commits, on PostgreSQL; null on SQLite, which has no others. */
  private readonly remote: RemoteCommits | null;
  /** The callers of sessions and tokens, remembered between requests (see caller-cache.ts). */
  readonly callers: CallerCache<KnownCredential>;
  private readonly statusCache = new Map<string, { stamp: string; status: Status }>();
  /** Writes waiting for their dispute's running transaction to finish (see commitWaiting). */
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(db: Kysely<Database>, path: string, keys: KeyStore, opts: ParleyOptions = {}) {
    this.db = db;
    this.path = path;
    this.keys = keys;
    this.clock = opts.clock ?? (() => new Date());
    this.host = opts.host ?? process.env.PARLEY_HOST ?? "parley.localhost";
    this.writer = new LedgerWriter(
      keys,
      this.host,
      () => this.now(),
      (id, db) => this.organization(id, db),
      db,
    );
    this.writer.onCommit = (slug, appended) => {
      for (const listener of this.listeners) listener(slug, appended);
      for (const listener of this.everywhere) listener(slug, appended);
    };
    this.remote = isPostgresLocation(path)
      ? new RemoteCommits(path, db, {
          anyCommit: () => this.writer.heardOfCommit(),
          deliver: (slug, appended) => {
            for (const listener of this.everywhere) listener(slug, appended);
          },
          wanted: () => this.everywhere.size > 0,
          accessChanged: (account) =>
            account === null ? this.callers.clear() : this.callers.forget(account),
        })
      : null;
    // Both trust what they keep only while every other process's word is heard.
    const hearsOthers = () => this.remote?.isListening() ?? false;
    this.callers = new CallerCache(hearsOthers);
    this.writer.hearsOthers = hearsOthers;
  }

  static async open(
    path: string,
    opts: ParleyOptions & { durability?: "normal" | "full"; mustExist?: boolean } = {},
  ): Promise<Parley> {
    // Reading commands must not conjure an empty database out of a mistyped path.
    if (opts.mustExist && path !== ":memory:" && !isPostgresLocation(path) && !existsSync(path)) {
      fail("STORE_MISSING", `there is no Parley database at ${path}`);
    }
    const store = await openStore(path, opts.durability ? { durability: opts.durability } : {});
    const app = new Parley(store.db, store.path, KeyStore.forLocation(store.path), opts);
    app.closer = store.close;
    return app;
  }

  /**
   * Calls `listener` after every commit with what it appended; returns the unsubscribe. By
   * default only this process's commits: what a listener does with them (a webhook delivery
   * row) must happen once, by the process that committed. With `everywhere`, also the commits
   * of other processes on the same PostgreSQL database, a moment later (a live stream).
   */
  subscribe(
    listener: (slug: string, appended: Appended[]) => void,
    opts: { everywhere?: boolean } = {},
  ): () => void {
    const set = opts.everywhere ? this.everywhere : this.listeners;
    // The feed costs a connection: only a process with such a listener (a server) listens.
    if (opts.everywhere) this.remote?.start();
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Starts hearing other processes' commits (PostgreSQL; nothing on SQLite). A server does, at
   * once: reads then trust the cached head until a notice says otherwise, instead of asking the
   * database on every request. Subscribing with `everywhere` starts it too. Resolves once it
   * hears them, so that a server starts serving live streams that miss nothing, or after a few
   * seconds regardless (reads ask the database until it does).
   */
  followOtherProcesses(): Promise<void> {
    return this.remote?.start(FIRST_LISTEN_WAIT_MS) ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await this.remote?.close();
    await this.writer.close();
    await this.closer?.();
  }

  now(): string {
    return this.clock().toISOString();
  }

  // ---- the directory of organizations ----

  /** Adds an organization to the directory and gives it a signing key (idempotent). */
  async registerOrganization(input: Organization): Promise<void> {
    const parsed = OrganizationSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail("VALIDATION_FAILED", issue ? `${issue.path.join(".")}: ${issue.message}` : undefined);
    }
    const org = parsed.data;
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

  /**
   * Replaces the organization's signing key (KeyStore.rotate): what it records from now on is
   * signed with the new key; what it signed before goes on verifying under the old key's
   * public half, kept in signing_keys with its retirement time. A transaction already under
   * way finishes with the key it began with (see Pending.keys in writer.ts).
   */
  async rotateKey(org: string): Promise<KeyRotation> {
    if (!(await this.organization(org))) fail("ORG_UNKNOWN", `unknown organization ${org}`);
    const r = await this.keys.rotate(org, this.db, () => this.now());
    this.writer.forgetKey(org);
    return {
      org,
      keyId: r.key.keyId,
      publicKey: r.key.publicRaw.toString("base64"),
      createdAt: r.createdAt,
      retired: r.retired,
    };
  }

  /**
   * Every key the organization has signed with or may sign with, oldest first (the current
   * one, unretired, last): a verifier needs each, with the instant it was retired.
   */
  async signingKeys(org: string): Promise<PublicSigningKey[]> {
    const rows = await this.db
      .selectFrom("signing_keys")
      .select(["key_id", "public_key", "created_at", "retired_at"])
      .where("org_id", "=", org)
      .execute();
    const ordered = inSuccession(
      rows.map((r) => ({ ...r, keyId: r.key_id, org, createdAt: r.created_at, retiredAt: r.retired_at })),
    );
    return ordered.map((k) => ({
      keyId: k.key_id,
      publicKey: Buffer.from(k.public_key).toString("base64"),
      createdAt: k.created_at,
      retiredAt: k.retired_at,
    }));
  }

  /** Inside a transaction pass it: SQLite has one connection, and the transaction holds it. */
  async organization(id: string, db: Kysely<Database> = this.db): Promise<Organization | undefined> {
    const cached = this.orgs.get(id);
    if (cached) return cached;
    const row = await db.selectFrom("organizations").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return undefined;
    const org = {
      id: row.id,
      name: row.name,
      shortName: row.short_name,
      kind: row.kind as Organization["kind"],
    };
    this.orgs.set(id, org);
    return org;
  }

  /** The directory of this installation: every registered organization. */
  async organizations(): Promise<Organization[]> {
    const rows = await this.db.selectFrom("organizations").selectAll().orderBy("id").execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      shortName: r.short_name,
      kind: r.kind as Organization["kind"],
    }));
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
      if ((await treeSize(this.db, d.id)) === 0) {
        await this.db.deleteFrom("disputes").where("id", "=", d.id).execute();
        // A later attempt at the same slug makes a new row: the cached one must not outlive it.
        this.disputeRows.delete(slug);
      }
      throw err;
    }
  }

  async execute(slug: string, command: Command): Promise<Recorded> {
    return (await this.enqueue(slug, [command], false))[0]!;
  }

  /**
   * Records several commands atomically: all are decided in order (each seeing the ones
   * before it), appended, and covered by one checkpoint; if any fails, nothing is written.
   * It takes its turn among the dispute's other writes.
   */
  async executeBatch(slug: string, commands: Command[]): Promise<Recorded[]> {
    return this.enqueue(slug, commands, true);
  }

  private async enqueue(slug: string, commands: Command[], batch: boolean): Promise<Recorded[]> {
    const d = await this.disputeRow(slug);
    return new Promise<Recorded[]>((resolve, reject) => {
      let queue = this.waiting.get(slug);
      if (!queue) {
        queue = [];
        this.waiting.set(slug, queue);
      }
      queue.push({ commands, batch, resolve, reject });
      // The store is synchronous, so a transaction started right here would run to its end
      // before the server read another request: every group would be of one. Started on the
      // next turn of the event loop, it takes in every request that arrived meanwhile.
      if (queue.length === 1) setImmediate(() => void this.commitWaiting(d));
    });
  }

  /**
   * One transaction at a time per dispute in this process (the head it appends to is one).
   * Group commit: single commands that arrive before a dispute's next transaction takes its
   * turn, or while it runs, go in together (each still decided, and answered, on its own). A
   * lone caller waits one turn of the event loop; concurrent callers share the commit and the
   * checkpoint. The group is taken once the transaction has the dispute's lock, so callers
   * arriving while another process holds it join this transaction instead of the next. A
   * batch goes alone, in its place in the line.
   */
  private async commitWaiting(d: DisputeRow): Promise<void> {
    const queue = this.waiting.get(d.slug)!;
    while (queue.length > 0) {
      const first = queue[0]!;
      if (first.batch) {
        await this.writer.executeBatch(d, first.commands).then(first.resolve, first.reject);
        queue.shift();
        continue;
      }
      let group: Waiting[] = [];
      const take = () => {
        const end = queue.findIndex((w, i) => w.batch || i === MAX_GROUP);
        group = queue.slice(0, end === -1 ? queue.length : end);
        return group.map((g) => g.commands[0]!);
      };
      try {
        const results = await this.writer.executeEach(d, take);
        results.forEach((r, i) => {
          if (r instanceof ParleyError) group[i]!.reject(r);
          else group[i]!.resolve(r);
        });
      } catch (err) {
        // Failed before its turn came (the store unreachable, say): the waiting group fails with it.
        if (group.length === 0) take();
        for (const g of group) g.reject(err);
      }
      queue.splice(0, group.length);
    }
    this.waiting.delete(d.slug);
  }

  // ---- reads ----

  /** The dispute as a viewer sees it, as of an instant or date (by occurrence), or as recorded by one. */
  async view(
    slug: string,
    viewer: Viewer,
    opts: { asOf?: string; recordedBy?: string } = {},
  ): Promise<DisputeState> {
    const d = await this.disputeRow(slug);
    return this.viewOf(d, await this.writer.current(d), viewer, opts);
  }

  /** A page of the dispute's timeline as `viewer` may see it now, or at `readableAt` (see timeline-query.ts). */
  async timeline(slug: string, viewer: Viewer, q: TimelineQuery, opts: { readableAt?: string } = {}) {
    const d = await this.disputeRow(slug);
    const side = await this.viewerSide(slug, viewer);
    const page = await readTimeline(this.db, d.id, viewer, side, q, opts.readableAt);
    if ("badCursor" in page) fail("VALIDATION_FAILED", "after: not a cursor this timeline gave out");
    return page;
  }

  /**
   * Every item of a filtered timeline the viewer may read, oldest first, page after page: the
   * whole of it, for views that need all of one kind (an issue's passes, a chart).
   */
  async *timelineItems(
    slug: string,
    viewer: Viewer,
    q: Omit<TimelineQuery, "order" | "limit" | "after">,
    opts: { readableAt?: string } = {},
  ): AsyncGenerator<TimelineItem> {
    let after: string | undefined;
    do {
      const page = await this.timeline(slug, viewer, { ...q, order: "asc", limit: 200, after }, opts);
      yield* page.items;
      after = page.next ?? undefined;
    } while (after !== undefined);
  }

  /** Entry `seq` as the viewer may read it now, or null (hidden and absent look the same). */
  async entry(slug: string, viewer: Viewer, seq: number): Promise<TimelineItem | null> {
    const d = await this.disputeRow(slug);
    return readEntry(this.db, d.id, viewer, await this.viewerSide(slug, viewer), seq);
  }

  /** Word-level redlines of pass `seq` against the passes before it that `viewer` may read. */
  async redlines(slug: string, seq: number, viewer: Viewer) {
    const d = await this.disputeRow(slug);
    return passRedlines(this.db, d.id, seq, viewer, await this.viewerSide(slug, viewer));
  }

  /** Entries recorded after `after` (by sequence number) that `viewer` may read, oldest first. */
  async since(slug: string, viewer: Viewer, after: number, limit = 500) {
    const d = await this.disputeRow(slug);
    return readSince(this.db, d.id, viewer, await this.viewerSide(slug, viewer), after, limit);
  }

  /** The side the viewer's organization sits on in the dispute now, if any. */
  async viewerSide(slug: string, viewer: Viewer): Promise<string | null> {
    if (viewer.kind !== "org") return null;
    return sideOf(await this.writer.current(await this.disputeRow(slug)), viewer.org);
  }

  /** The organizations sitting on a side of the dispute now. */
  async parties(slug: string): Promise<Set<string>> {
    const all = await this.writer.current(await this.disputeRow(slug));
    return new Set(Object.values(all.sides).flatMap((s) => s.orgs));
  }

  /** The fold for a viewer, given the dispute's current operator state (for the viewer's side). */
  private async viewOf(
    d: DisputeRow,
    all: DisputeState,
    viewer: Viewer,
    opts: { asOf?: string; recordedBy?: string },
  ): Promise<DisputeState> {
    const side = viewer.kind === "org" ? sideOf(all, viewer.org) : null;
    if (viewer.kind === "org" && !all.orgs[viewer.org] && !(await this.organization(viewer.org))) {
      fail("ORG_UNKNOWN", `unknown organization ${viewer.org}`);
    }
    if (opts.recordedBy) {
      return foldView(this.db, d.id, d.slug, viewer, side, { asOf: opts.asOf, recordedBy: opts.recordedBy });
    }
    // As of now (or any instant after the last entry), a hot scope already is the answer.
    const hot = await this.writer.hotState(d, viewer, side);
    if (
      hot &&
      (opts.asOf === undefined || (hot.lastOccurredAt !== null && opts.asOf >= hot.lastOccurredAt))
    ) {
      return hot;
    }
    return foldFromSnapshot(this.db, d.id, d.slug, viewer, side, opts.asOf);
  }

  /**
   * Changes with every commit to the ledger (at once for this process's, within milliseconds
   * for another's): what caches of anything read from the record key on.
   */
  stamp(): Promise<string> {
    return this.writer.stamp();
  }

  /**
   * The at-a-glance status. `asOf` is an instant or a date (the end of that day in the
   * dispute's zone); `recordedBy` limits it to what had been recorded by then (the audit view).
   */
  async status(slug: string, viewer: Viewer = PUBLIC, asOf?: string, recordedBy?: string): Promise<Status> {
    // A status depends on the record and the instant: served from the cache while nothing has
    // been committed since and (as of now) within the same second.
    const stamp = await this.writer.stamp();
    const viewerKey = viewer.kind === "org" ? `${viewer.org}:${viewer.role}` : viewer.kind;
    const key = [slug, viewerKey, asOf ?? `now@${this.now().slice(0, 19)}`, recordedBy ?? ""].join("|");
    const hit = this.statusCache.get(key);
    if (hit && hit.stamp === stamp) return hit.status;
    const computed = await this.computeStatus(slug, viewer, asOf, recordedBy);
    if (this.statusCache.size >= STATUS_CACHE_SIZE)
      this.statusCache.delete(this.statusCache.keys().next().value!);
    this.statusCache.set(key, { stamp, status: computed });
    return computed;
  }

  private async computeStatus(
    slug: string,
    viewer: Viewer,
    asOf?: string,
    recordedBy?: string,
  ): Promise<Status> {
    const d = await this.disputeRow(slug);
    const all = await this.writer.current(d);
    const tz = all.opened?.timeZone ?? "UTC";
    const instant = asOf ? endOfDayOrInstant(asOf, tz) : this.now();
    const recorded = recordedBy ? endOfDayOrInstant(recordedBy, tz) : undefined;
    const state = await this.viewOf(
      d,
      all,
      viewer,
      recorded ? { asOf: instant, recordedBy: recorded } : { asOf: instant },
    );
    if (!state.opened) {
      fail(
        "DISPUTE_UNKNOWN",
        recorded
          ? `nothing of ${slug} that this viewer may see had been recorded by ${recorded}`
          : `nothing of ${slug} that this viewer may see had happened by ${instant}`,
      );
    }
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
    const current = await treeSize(this.db, d.id);
    const n = size ?? current;
    if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(n) || seq < 0 || seq >= n || n > current) {
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
    this.writer.forget();
  }
}
