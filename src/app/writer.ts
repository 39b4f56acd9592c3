import { randomBytes } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { type Command, decide, type RefInfo } from "../domain/decide.ts";
import { type AnyDraft, type AnyEntry, refsOf } from "../domain/entry.ts";
import { fail, ParleyError } from "../domain/errors.ts";
import { type EntryType, SCHEMA_VERSION } from "../domain/events.ts";
import { evolve } from "../domain/evolve.ts";
import { type DisputeState, initialState, sideOf } from "../domain/state.ts";
import { normalInstant, type Organization } from "../domain/values.ts";
import { chainLine } from "../ledger/chain.ts";
import { signCheckpoint } from "../ledger/checkpoint.ts";
import { canonicalOrder, canonicalText } from "../ledger/jcs.ts";
import { CompactRange, type NodeId, rootNodes } from "../ledger/merkle.ts";
import { AppendStatements, lockQuery } from "../store/append-statements.ts";
import { noticeQuery } from "../store/commit-feed.ts";
import { directRunner } from "../store/direct-sqlite.ts";
import { CHECKPOINT_KEY, type KeyStore, type SigningKey } from "../store/keystore.ts";
import { type EntryRow, fetchNodes, latestCheckpoint, type NodeRow, treeSize } from "../store/ledger-repo.ts";
import { pipelined } from "../store/pipeline.ts";
import type { Database, StatementRunner } from "../store/schema.ts";
import { WriteBuffer } from "../store/write-buffer.ts";
import { BEGINNING, type Position, positionOf, type RecentEntry, RecentHistory } from "./recent-history.ts";
import { Signers, SigningQueue } from "./signing-queue.ts";
import { snapshotTexts } from "./snapshot-text.ts";
import { timelineRow } from "./timeline.ts";
import {
  type AppendedEntry,
  type AppendedRow,
  appendedQuery,
  applyResolved,
  entriesAfter,
  entriesAppended,
  foldFromSnapshot,
  isSnapshotPoint,
  newestSnapshots,
  SNAPSHOT_EVERY,
  snapshotText,
  storedEntry,
  takeAppended,
} from "./views.ts";
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

export type DisputeRow = Selectable<Database["disputes"]>;

/** An entry as a committed transaction appended it: what live listeners are told. */
export interface Appended {
  seq: number;
  type: string;
  org: string;
  side: string | null;
  visibility: string;
  occurredAt: string;
  recordedAt: string;
  body: string;
  signature: Uint8Array;
}

interface Scope {
  viewer: Viewer;
  side: string | null;
  /** Null once a back-fill made it out of date; rebuilt from the recent history when next needed. */
  state: DisputeState | null;
}

type FreshScope = Scope & { state: DisputeState };

/** The in-memory head of a dispute: its tree frontier and the current state of each hot scope. */
interface Live {
  id: number;
  slug: string;
  origin: string;
  /** The next sequence number; the tree catches up when pending signatures are flushed. */
  size: number;
  range: CompactRange;
  /** The newest checkpoint, which the next one names (see ledger/chain.ts). */
  lastCheckpoint: { size: number; note: string } | null;
  /** SQLite's data_version when this head was last known current (AppendStatements.dataVersion). */
  version: number | null;
  all: DisputeState;
  scopes: Map<string, Scope>;
  /** The last entries in occurrence order, with marks of the states among them. */
  history: RecentHistory;
}

interface Pending {
  /** When this transaction records its entries: one instant for the whole batch. */
  now: string;
  /** The transaction's entries on their way to their signatures (on workers for a batch). */
  signing: SigningQueue;
  timeline: Database["proj_timeline"][];
  published: { seq: number; by: number; at: string }[];
  snapshots: Omit<Database["proj_snapshots"], "dispute_id">[];
  /** The earliest back-filled place: stored snapshots after it no longer follow from the record. */
  staleFrom: Position | null;
  bySeq: Map<number, { row: EntryRow; entry: AnyEntry; side: string | null }>;
  /**
   * Each organization's key as this transaction first used it. A rotation may land while the
   * transaction awaits (a signing worker, the database): its entries must all carry one keyId
   * and be signed by that key's private half, never the keyId of one and the signature of the
   * other. The old key is fine to finish with: the transaction records its entries at `now`,
   * taken before the rotation, whose retirement time is taken after its switch.
   */
  keys: Map<string, SigningKey>;
  /**
   * On PostgreSQL, the transaction's inserts held back to go as one statement (write-buffer.ts);
   * sent before anything reads the store mid-transaction, and at the end with the notice.
   */
  writes: WriteBuffer | null;
}

/**
 * The write path: for each command, the state as the acting organization sees it -> decide
 * -> canonical bytes, signature, leaf -> tree nodes -> read models -> checkpoint, all in one
 * transaction. It keeps each dispute's head in memory (tree frontier, hot scopes' states) and
 * drops it whenever a transaction fails or another writer has moved the tree.
 */
export class LedgerWriter {
  private readonly live = new Map<string, Live>();
  /** The transaction under way per dispute (Parley runs one at a time per dispute), settled when it ends. */
  private readonly writing = new Map<string, Promise<void>>();
  /** The head being read or caught up per dispute, settled when done. */
  private readonly refreshing = new Map<string, Promise<void>>();
  private checkpointKeyRecorded = false;
  private readonly signers = new Signers();
  private readonly statements: AppendStatements;
  /** SQLite's direct runner, for statements inside this writer's transactions (direct-sqlite.ts). */
  private readonly direct: StatementRunner | undefined;
  /** Commits made through this writer: with SQLite's data_version, a stamp of the whole store. */
  private commits = 0;
  /** Commits other processes announced (PostgreSQL's commit feed): they move the stamp at once. */
  private announced = 0;
  /** Whether other processes' commits are being heard (set by Parley from its commit feed). */
  hearsOthers: () => boolean = () => false;
  /** The store's version (AppendStatements.storeVersion) as last read for `stamp`, and when. */
  private otherWrites: { version: string; at: number } | null = null;
  /** Called after each commit with the entries it appended, in sequence order. */
  onCommit: ((slug: string, appended: Appended[]) => void) | null = null;

  constructor(
    private readonly keys: KeyStore,
    private readonly host: string,
    private readonly now: () => string,
    private readonly organization: (id: string, db: Kysely<Database>) => Promise<Organization | undefined>,
    private readonly db: Kysely<Database>,
  ) {
    this.statements = new AppendStatements(db);
    this.direct = directRunner(db);
  }

  /**
   * Records several commands atomically: all are decided in order (each seeing the ones
   * before it), appended, and covered by one checkpoint; if any fails, nothing is written.
   */
  async executeBatch(d: DisputeRow, commands: Command[]): Promise<Recorded[]> {
    return (await this.run(d, () => commands, "atomic")).flatMap((r) => (r instanceof ParleyError ? [] : r));
  }

  /**
   * Records commands from different callers in one transaction (group commit): each is
   * decided in turn and either appended or refused on its own, with its error; the appended
   * ones share one commit and one checkpoint. A failure of the transaction itself fails all.
   * `take` is called once the dispute's turn is this transaction's: on PostgreSQL, once the
   * lock other processes hold is had, so whatever arrived while waiting for it goes in too.
   */
  executeEach(d: DisputeRow, take: () => Command[]): Promise<(Recorded[] | ParleyError)[]> {
    return this.run(d, take, "each");
  }

  private async run(
    d: DisputeRow,
    take: () => Command[],
    mode: "atomic" | "each",
  ): Promise<(Recorded[] | ParleyError)[]> {
    const slug = d.slug;
    const pending: Pending = {
      now: "",
      signing: new SigningQueue(this.signers, false),
      timeline: [],
      published: [],
      snapshots: [],
      staleFrom: null,
      bySeq: new Map(),
      keys: new Map(),
      writes: null,
    };
    let settle = () => {};
    // On PostgreSQL a read may run beside this transaction (another connection of the pool):
    // it waits for this one to end rather than see the head mid-change (SQLite's one connection
    // makes every read wait anyway).
    this.writing.set(slug, new Promise<void>((resolve) => (settle = resolve)));
    try {
      const results = await this.db.transaction().execute(async (trx) => {
        const live = await this.lockedHead(trx, d);
        if (!this.statements.sqlite) pending.writes = new WriteBuffer(trx);
        // Taken once the turn is this transaction's: an instant taken before waiting for the lock
        // would fall before the entries of whoever held it, making every contested append a back-fill.
        pending.now = this.now();
        const commands = take();
        pending.signing = new SigningQueue(this.signers, commands.length >= PARALLEL_SIGNING_FROM);
        const results: (Recorded[] | ParleyError)[] = [];
        for (let i = 0; i < commands.length; i++) {
          const command = commands[i]!;
          let drafts: AnyDraft[];
          try {
            drafts = await this.decideOne(trx, live, pending, command);
          } catch (err) {
            // Deciding changes nothing, so a refused command leaves the others untouched.
            if (mode === "each" && err instanceof ParleyError) {
              results.push(err);
              continue;
            }
            // A refused command of a batch fails it whole, saying which one it was.
            if (err instanceof ParleyError && commands.length > 1) {
              throw new ParleyError(err.code, `entry ${i}: ${err.message}`, { ...err.details, entry: i });
            }
            throw err;
          }
          const recorded: Recorded[] = [];
          for (const draft of drafts)
            recorded.push(await this.appendOne(trx, live, pending, command.actor, draft));
          results.push(recorded);
          // A batch lets its signing workers' answers in once per job, and hands them the next.
          const turn = pending.signing.hear();
          if (turn) await turn;
        }
        if (pending.bySeq.size === 0) return results;
        // The last writes wait in PostgreSQL's buffer for the checkpoint and the notice.
        await this.flush(trx, live, pending, { hold: true });
        this.markHistory(live);
        const root = live.range.root();
        const signer = await this.checkpointSigner(trx);
        const note = signCheckpoint(
          live.origin,
          live.range.size,
          root,
          { name: this.host, privateKey: signer.privateKey, publicRaw: signer.publicRaw },
          live.lastCheckpoint ? [chainLine(live.lastCheckpoint)] : [],
        );
        await this.statements.insertCheckpoint(this.out(pending, trx), {
          dispute_id: live.id,
          size: live.range.size,
          root,
          note,
          created_at: pending.now,
        });
        live.lastCheckpoint = { size: live.range.size, note };
        // Sequence numbers are handed out in order, so what this transaction appended is one run.
        const from = pending.bySeq.keys().next().value as number;
        // On PostgreSQL the held writes, the notice to the other processes (commit-feed.ts) and
        // the COMMIT go together; SQLite has no other processes to tell, and Kysely commits.
        if (pending.writes) await pending.writes.commit(noticeQuery({ slug, from, to: live.size - 1 }));
        return results;
      });
      if (pending.bySeq.size > 0) this.announce(slug, pending);
      return results;
    } catch (err) {
      // Whatever the cache absorbed from a rolled-back transaction is untrue now.
      this.live.delete(slug);
      this.checkpointKeyRecorded = false;
      throw err;
    } finally {
      pending.signing.close();
      this.writing.delete(slug);
      settle();
    }
  }

  /** Tells the listener what a committed transaction appended; its failure is not the append's. */
  private announce(slug: string, p: Pending): void {
    this.commits += 1;
    if (!this.onCommit) return;
    const appended: Appended[] = [...p.bySeq.values()].map(({ row, side }) => ({
      seq: row.seq,
      type: row.type,
      org: row.org_id,
      side,
      visibility: row.visibility,
      occurredAt: row.occurred_at,
      recordedAt: row.recorded_at,
      body: row.body,
      signature: row.signature,
    }));
    try {
      this.onCommit(slug, appended);
    } catch {
      // A listener (a live stream) must never turn a committed append into a failed one.
    }
  }

  /** The key `org` signs this transaction's entries with: its current key when first asked. */
  private signingKey(p: Pending, org: string): SigningKey {
    let key = p.keys.get(org);
    if (!key) {
      key = this.keys.require(org);
      p.keys.set(org, key);
    }
    return key;
  }

  /**
   * After `org`'s key was rotated: drops the PEM of its old private key, which nothing may sign
   * with any more. Correctness does not hang on this (a PEM is only used for the key it was
   * made from); keeping no copy of a retired private key does.
   */
  forgetKey(org: string): void {
    this.signers.forget(org);
  }

  async close(): Promise<void> {
    await this.signers.close();
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
    sent: Command,
  ): Promise<AnyDraft[]> {
    // Stamped here rather than on arrival: an instant taken before the command waited for its
    // turn would fall before whatever other processes recorded meanwhile, a back-fill for nothing.
    const command = sent.occurredAt === undefined ? { ...sent, occurredAt: pending.now } : sent;
    const org = await this.organization(command.actor.org, trx);
    if (!org) fail("ORG_UNKNOWN", `unknown organization ${command.actor.org}`);
    const viewer: Viewer = { kind: "org", org: org.id, role: "negotiator" };
    const side = sideOf(live.all, org.id);
    // Normalized first, so that "…:00Z" and "…:00.000Z" compare as the same instant. Only to
    // choose the state to decide against: decide validates the instant itself.
    const occurredAt = typeof command.occurredAt === "string" ? normalInstant(command.occurredAt) : null;
    let state = (await this.scope(trx, live, pending, viewer, side)).state;
    if (occurredAt !== null && state.lastOccurredAt !== null && occurredAt < state.lastOccurredAt) {
      // Back-filled history is decided against the record as it stood at that moment.
      const then = live.history.state(scopeOf(viewer, side), viewer, side, occurredAt);
      if (then) state = then;
      else {
        await this.flush(trx, live, pending);
        state = await foldFromSnapshot(trx, live.id, live.slug, viewer, side, occurredAt);
      }
    }
    let refs: ReadonlyMap<number, RefInfo> = NO_REFS;
    const payload = command.payload as { entry?: unknown } | null;
    if (payload && typeof payload === "object" && typeof payload.entry === "number") {
      const ref = await this.resolve(trx, live, pending, payload.entry);
      if (ref) {
        refs = new Map([
          [
            ref.entry.seq,
            {
              seq: ref.entry.seq,
              type: ref.entry.type,
              org: ref.entry.actor.org,
              visibility: ref.entry.visibility,
              payload: ref.entry.payload,
            },
          ],
        ]);
      }
    }
    return decide(command, state, { now: pending.now, refs });
  }

  private async appendOne(
    trx: Kysely<Database>,
    live: Live,
    pending: Pending,
    actor: Actor,
    draft: AnyDraft,
  ): Promise<Recorded> {
    const key = this.signingKey(pending, actor.org);
    const seq = live.size;
    // Every object here is built with its keys in canonical (sorted) order: the payload as a
    // replay will parse it back, so that folds build equal states; the envelope so that
    // canonicalText can write it with JSON.stringify instead of canonicalizing it afresh.
    const entry = {
      actor: { org: actor.org, user: actor.user },
      dispute: live.slug,
      keyId: key.keyId,
      nonce: nonce(),
      occurredAt: draft.occurredAt,
      payload: canonicalOrder(draft.payload),
      recordedAt: pending.now,
      refs: refsOf(draft),
      seq,
      type: draft.type,
      version: SCHEMA_VERSION,
      visibility: draft.visibility,
    } as AnyEntry;
    const row: EntryRow = {
      seq,
      type: entry.type,
      org_id: actor.org,
      key_id: key.keyId,
      occurred_at: entry.occurredAt,
      recorded_at: entry.recordedAt,
      visibility: entry.visibility,
      body: canonicalText(entry),
      signature: EMPTY,
      leaf_hash: EMPTY,
    };
    pending.signing.add(row, key);
    live.size += 1;

    const outOfOrder = occursBeforeHead(live, entry);
    evolve(live.all, entry);
    const side = sideOf(live.all, actor.org);
    pending.bySeq.set(seq, { row, entry, side });
    pending.timeline.push(timelineRow(live.id, entry, side));
    let published: RecentEntry["published"];
    if (entry.type === "entry.published") {
      pending.published.push({ seq: entry.payload.entry, by: seq, at: entry.occurredAt });
      published = await this.resolve(trx, live, pending, entry.payload.entry);
    }
    const authored: Authored = { visibility: entry.visibility, org: actor.org, side };
    await this.advance(trx, live, pending, { entry, authored, published }, outOfOrder);
    return { seq, type: entry.type, occurredAt: entry.occurredAt, visibility: entry.visibility };
  }

  /**
   * Moves the hot scopes and the recent history past an entry the operator state has taken in:
   * one this transaction appends (`pending`, which collects the snapshots it makes due), or one
   * another process committed (null: that process stored its snapshots).
   */
  private async advance(
    trx: Kysely<Database>,
    live: Live,
    pending: Pending | null,
    recent: RecentEntry,
    outOfOrder: boolean,
  ): Promise<void> {
    const { entry, authored, published } = recent;
    if (entry.type === "party.joined") {
      // The organization's scopes were named for it sitting on no side; they are stale now.
      for (const name of live.scopes.keys())
        if (name.split(":")[1] === entry.actor.org) live.scopes.delete(name);
    }
    if (!outOfOrder) {
      live.history.add(recent);
      for (const [name, scope] of live.scopes) {
        if (scope.state) applyResolved(scope.state, scope.viewer, scope.side, authored, entry, published);
        // A scope out of date since a back-fill is brought back for its snapshot (history has this entry).
        else if (pending && isSnapshotPoint(entry.seq))
          scope.state = live.history.state(name, scope.viewer, scope.side);
      }
      if (pending && isSnapshotPoint(entry.seq)) takeSnapshots(pending, live, entry);
      return;
    }
    // Every state after its place no longer follows from the record, nor do the stored
    // snapshots: the head's own state is rebuilt now, each scope when next needed.
    if (pending) {
      if (!pending.staleFrom || entry.occurredAt < pending.staleFrom.occurredAt) {
        pending.staleFrom = positionOf(entry);
      }
      pending.snapshots = [];
    }
    if (!live.history.add(recent)) {
      // Deeper than the recent history reaches: start it again from the store, this entry
      // included (a caught-up entry never gets here: see catchUp).
      if (pending) await this.flush(trx, live, pending);
      await this.restartHistory(trx, live);
    }
    live.all = live.history.state(ALL, OPERATOR, null) ?? live.all;
    for (const scope of live.scopes.values()) scope.state = null;
  }

  /**
   * Brings a cached head up to date with the entries other processes appended since: each
   * folded in as if appended here, without rereading snapshots and refolding. False when that
   * cannot be done (a back-fill deeper than the recent history, or a store that disagrees with
   * the head's tree); the caller then reads the head afresh.
   */
  private async catchUp(trx: Kysely<Database>, live: Live, appended: AppendedEntry[]): Promise<boolean> {
    if (appended.length === 0) return true;
    for (const recent of appended) {
      const { entry } = recent;
      if (entry.seq !== live.size) return false;
      const outOfOrder = occursBeforeHead(live, entry);
      if (outOfOrder && !live.history.covers(positionOf(entry))) return false;
      live.range.append(recent.leafHash);
      live.size += 1;
      evolve(live.all, entry);
      await this.advance(trx, live, null, recent, outOfOrder);
    }
    // Every transaction ends with a checkpoint of its tree: the newest was signed by another
    // process over this very tree. A different root means the head went astray, and it is
    // read afresh rather than trusted.
    const { checkpoint } = appended[appended.length - 1]!;
    if (!checkpoint || !sameBytes(checkpoint.root, live.range.root())) return false;
    live.lastCheckpoint = { size: live.size, note: checkpoint.note };
    this.markHistory(live);
    return true;
  }

  /** Keeps the hot scopes' states in the recent history every so many entries (RecentHistory.markIfDue). */
  private markHistory(live: Live): void {
    live.history.markIfDue(() => {
      const states = new Map([[ALL, live.all]]);
      for (const [name, scope] of live.scopes) {
        // A scope left out of date by a back-fill is brought back now, or it would drop out of the marks.
        scope.state ??= live.history.state(name, scope.viewer, scope.side);
        if (scope.state) states.set(name, scope.state);
      }
      return states;
    });
  }

  /**
   * Writes what a batch has accumulated; called before anything reads the database mid-batch.
   * The rows that need no signature go in first, while the workers sign their last jobs; then
   * this thread shares what is left to sign with them, and the entries go in. `hold`:
   * leave PostgreSQL's last inserts in the write buffer, for the statement that ends the
   * transaction (nothing reads after).
   */
  private async flush(trx: Kysely<Database>, live: Live, p: Pending, opts = { hold: false }): Promise<void> {
    const out = this.out(p, trx);
    if (p.timeline.length > 0) await this.statements.timelineRows(out, p.timeline);
    // What follows must see the held rows (a publication updates its entry's timeline row) or
    // must not share a statement with them (snapshots dropped and written): see write-buffer.ts.
    if (p.published.length > 0 || p.staleFrom || p.snapshots.length > 0) await p.writes?.send();
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
      p.staleFrom = null;
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
    }
    for (const s of p.snapshots) {
      await trx
        .insertInto("proj_snapshots")
        .values({ dispute_id: live.id, ...s })
        .execute();
    }
    p.timeline = [];
    p.published = [];
    p.snapshots = [];
    await this.writeSigned(out, live, await p.signing.finish());
    if (!opts.hold) await p.writes?.send();
  }

  /** Inserts signed entries, in sequence order, with the tree nodes their leaves complete. */
  private async writeSigned(out: StatementRunner, live: Live, rows: EntryRow[]): Promise<void> {
    if (rows.length === 0) return;
    const nodes: NodeRow[] = [];
    for (const row of rows) {
      let idx = row.seq;
      live.range.append(row.leaf_hash).forEach((hash, i) => {
        idx = Math.floor(idx / 2);
        nodes.push({ level: i + 1, idx, hash });
      });
    }
    await this.statements.entries(out, live.id, rows);
    if (nodes.length > 0) await this.statements.nodes(out, live.id, nodes);
  }

  /**
   * Where the append path's own statements go: PostgreSQL's write buffer, SQLite's direct runner
   * (direct-sqlite.ts: the transaction holds the connection), else the transaction.
   */
  private out(p: Pending, trx: Kysely<Database>): StatementRunner {
    return p.writes ?? this.direct ?? trx;
  }

  /** An earlier entry, from this batch if it is still pending, else from the store. */
  private async resolve(trx: Kysely<Database>, live: Live, pending: Pending, seq: number) {
    const local = pending.bySeq.get(seq);
    if (local) {
      const { entry, side } = local;
      return { authored: { visibility: entry.visibility, org: entry.actor.org, side }, entry };
    }
    return storedEntry(trx, live.id, seq);
  }

  /**
   * Takes the dispute's lock, then its head. On PostgreSQL, with a head cached, the read that
   * catches it up with other processes' appends goes in one pipeline with the lock request
   * (pipeline.ts): the server runs it the moment the lock is granted.
   */
  private async lockedHead(trx: Kysely<Database>, d: DisputeRow): Promise<Live> {
    const cached = this.statements.sqlite ? undefined : this.live.get(d.slug);
    if (!cached || cached.size !== cached.range.size) {
      await this.statements.lockDispute(trx, d.id);
      return this.head(trx, d, true);
    }
    const from = cached.size;
    const { rows } = await trx.executeQuery(
      pipelined([lockQuery(d.id), appendedQuery(trx, d.id, from, CATCH_UP_AT_MOST + 1)]),
    );
    return this.head(trx, d, true, { from, rows: rows[1]!.rows as AppendedRow[] });
  }

  /**
   * The hot head of a dispute, loaded once and then kept current by appends, and by catching up
   * with what other processes append. Transactions on PostgreSQL's pool run side by side, so
   * one head is moved by one transaction at a time.
   */
  async head(
    trx: Kysely<Database>,
    d: { id: number; slug: string; origin: string },
    forWrite = false,
    ahead?: ReadAhead,
  ): Promise<Live> {
    for (let busy = this.refreshing.get(d.slug); busy; busy = this.refreshing.get(d.slug)) await busy;
    let done = () => {};
    this.refreshing.set(d.slug, new Promise<void>((resolve) => (done = resolve)));
    try {
      return await this.refresh(trx, d, forWrite, ahead);
    } catch (err) {
      // A head half caught up is untrue.
      this.live.delete(d.slug);
      throw err;
    } finally {
      this.refreshing.delete(d.slug);
      done();
    }
  }

  private async refresh(
    trx: Kysely<Database>,
    d: { id: number; slug: string; origin: string },
    forWrite: boolean,
    ahead?: ReadAhead,
  ): Promise<Live> {
    const version = await this.version(trx);
    const cached = this.live.get(d.slug);
    // A write on PostgreSQL holds the dispute's lock and reads the tree size regardless: a notice
    // comes a moment after its commit, and a moment is enough to fork a tree.
    const mustCheck = forWrite && !this.statements.sqlite;
    if (cached && version !== null && cached.version === version && !mustCheck) return cached;
    // A head this process is appending to right now (a read racing its own write) is left as it
    // is and read afresh from what is committed, below.
    if (cached && cached.size === cached.range.size) {
      const appended =
        ahead?.from === cached.size
          ? await takeAppended(trx, d.id, ahead.rows)
          : await entriesAppended(trx, d.id, cached.size, CATCH_UP_AT_MOST + 1);
      if (appended.length <= CATCH_UP_AT_MOST && (await this.catchUp(trx, cached, appended))) {
        cached.version = version;
        return cached;
      }
    }
    const size = await treeSize(trx, d.id);
    // Someone else appended (another process) or nothing is cached: read the head afresh.
    const ids = rootNodes(size);
    const nodes = await fetchNodes(trx, d.id, ids);
    const hashes = ids.map((id) => nodes.get(`${id.level}:${id.index}`) ?? missingNode(d.slug, id));
    const history = new RecentHistory();
    const live: Live = {
      id: d.id,
      slug: d.slug,
      origin: d.origin,
      size,
      range: CompactRange.fromNodes(size, hashes),
      lastCheckpoint: (await latestCheckpoint(trx, d.id)) ?? null,
      version,
      all: initialState(d.slug),
      scopes: new Map(),
      history,
    };
    await this.restartHistory(trx, live);
    live.all = history.state(ALL, OPERATOR, null) ?? live.all;
    // The public view is read most; keeping it hot keeps its snapshots current.
    live.scopes.set(scopeOf(PUBLIC, null), {
      viewer: PUBLIC,
      side: null,
      state:
        history.state(scopeOf(PUBLIC, null), PUBLIC, null) ??
        (await foldFromSnapshot(trx, d.id, d.slug, PUBLIC, null)),
    });
    this.live.set(d.slug, live);
    return live;
  }

  /**
   * What says no other process has written since a head was checked: SQLite's data_version;
   * on PostgreSQL, the count of commits other processes announced, while they are heard. Null:
   * nothing does, and the tree size is read.
   */
  private async version(trx: Kysely<Database>): Promise<number | null> {
    if (this.statements.sqlite) return this.statements.dataVersion(this.direct ?? trx);
    return this.hearsOthers() ? this.announced : null;
  }

  /** Starts the recent history from the newest stored snapshots and every entry after them. */
  private async restartHistory(trx: Kysely<Database>, live: Live): Promise<void> {
    const newest = await newestSnapshots(trx, live.id);
    const base = newest ?? {
      at: BEGINNING,
      states: new Map<string, string>(),
      any: snapshotText(initialState(live.slug)),
    };
    live.history.reset(base, await entriesAfter(trx, live.id, newest?.at));
  }

  private async scope(
    trx: Kysely<Database>,
    live: Live,
    pending: Pending,
    viewer: Viewer,
    side: string | null,
  ): Promise<FreshScope> {
    const name = scopeOf(viewer, side);
    const existing = live.scopes.get(name);
    if (existing) {
      existing.state ??= live.history.state(name, viewer, side);
      if (existing.state) return existing as FreshScope;
    }
    await this.flush(trx, live, pending);
    const scope = { viewer, side, state: await foldFromSnapshot(trx, live.id, live.slug, viewer, side) };
    live.scopes.set(name, scope);
    return scope;
  }

  /** The current operator view of a dispute, from its head. */
  async current(d: DisputeRow): Promise<DisputeState> {
    await this.writing.get(d.slug);
    const known = this.knownCurrent(d);
    if (known) return known.all;
    return this.db.transaction().execute(async (trx) => (await this.head(trx, d)).all);
  }

  /**
   * The cached head when it is current beyond doubt without asking the store: on PostgreSQL,
   * while the commit feed is heard and no other process has announced a commit since the head
   * was last checked. (SQLite's own check, data_version, is a cheap in-process call anyway.)
   */
  private knownCurrent(d: DisputeRow): Live | null {
    if (this.statements.sqlite || !this.hearsOthers()) return null;
    const cached = this.live.get(d.slug);
    return cached && cached.version === this.announced ? cached : null;
  }

  /**
   * The state of everything recorded so far as `viewer` sees it, when the head keeps that
   * scope hot (the public always; a party's negotiators once they have appended); else null.
   * It is the live object that appends keep current: read it, never change it.
   */
  async hotState(d: DisputeRow, viewer: Viewer, side: string | null): Promise<DisputeState | null> {
    await this.writing.get(d.slug);
    const live =
      this.knownCurrent(d) ?? (await this.db.transaction().execute(async (trx) => this.head(trx, d)));
    if (viewer.kind === "operator") return live.all;
    const name = scopeOf(viewer, side);
    const scope = live.scopes.get(name);
    if (!scope) return null;
    scope.state ??= live.history.state(name, viewer, side);
    return scope.state;
  }

  /**
   * A key for caches of reads: it changes at once with every commit made here, and within
   * STAMP_RECHECK_MS of a commit by another process. Asking SQLite on every read costs a read
   * transaction, a sizeable share of serving a cached summary; a write never relies on this
   * (the head checks data_version itself).
   */
  async stamp(): Promise<string> {
    const now = performance.now();
    if (this.otherWrites === null || now - this.otherWrites.at >= STAMP_RECHECK_MS) {
      this.otherWrites = { version: await this.statements.storeVersion(this.db), at: now };
    }
    return `${this.commits}:${this.announced}:${this.otherWrites.version}`;
  }

  /** Another process committed (or may have: a gap in the feed); read caches must move on. */
  heardOfCommit(): void {
    this.announced += 1;
  }

  forget(): void {
    this.live.clear();
  }
}

const EMPTY = new Uint8Array(0);
/** The references of a command that names no earlier entry: most of them. */
const NO_REFS: ReadonlyMap<number, RefInfo> = new Map();
/** A catch-up read sent ahead with the lock request: the entries from `from` on. */
interface ReadAhead {
  from: number;
  rows: AppendedRow[];
}

/** The operator's scope: everything, which the head always keeps. */
const ALL = scopeOf(OPERATOR, null);

/** Nonces come from one larger draw of randomness at a time: a syscall per entry adds up. */
let noncePool = Buffer.alloc(0);
function nonce(): string {
  if (noncePool.length < 32) noncePool = randomBytes(32 * 512);
  const n = noncePool.subarray(0, 32);
  noncePool = noncePool.subarray(32);
  return n.toString("base64url");
}
/**
 * From this many commands in one transaction, entries are signed on worker threads. Below it,
 * here: handing a few to the workers and waiting for them to be scheduled cost more than
 * signing them (~18 µs each). Transactions of HTTP appends grouped while waiting for a
 * contested dispute's lock hold a dozen or two, and that lock is held for the wait: on the
 * 2-core machine three PostgreSQL processes appended ~1,250 /s with 16 here, ~1,650 /s with 64.
 */
const PARALLEL_SIGNING_FROM = 64;
/** Beyond this many entries appended elsewhere, reading the head afresh (from a snapshot) is cheaper. */
const CATCH_UP_AT_MOST = SNAPSHOT_EVERY;
/** How stale a read cache may be about commits made by another process. */
export const STAMP_RECHECK_MS = 50;
/**
 * Every SNAPSHOT_EVERY entries of the ledger, each hot scope's state is kept, so that folding
 * any viewer as of any instant starts at most that many entries back. Only entries appended
 * in occurrence order take one: their state is then exactly the fold of everything up to them.
 * The same texts make a mark of the recent history there, so the transaction's end (often a
 * few entries on, for a batch) need not write every state out again.
 */
function takeSnapshots(pending: Pending, live: Live, entry: AnyEntry): void {
  const states = new Map([[ALL, live.all]]);
  for (const [name, scope] of live.scopes) if (scope.state) states.set(name, scope.state);
  const texts = snapshotTexts(states);
  for (const [scope, text] of texts) {
    pending.snapshots.push({
      scope,
      occurred_at: entry.occurredAt,
      seq: entry.seq,
      entries: states.get(scope)!.entries,
      state: text,
    });
  }
  live.history.markWith(() => texts);
}

/** Whether an entry occurred before the newest one the head holds: a back-fill, however slight. */
function occursBeforeHead(live: Live, entry: AnyEntry): boolean {
  return live.all.lastOccurredAt !== null && entry.occurredAt < live.all.lastOccurredAt;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export function missingNode(slug: string, id: NodeId): never {
  throw new ParleyError("VERIFY_FAILED", `dispute ${slug}: stored node ${id.level}:${id.index} is missing`);
}
