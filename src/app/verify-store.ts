import type { Kysely, Selectable } from "kysely";
import { type AnyEntry, occurrenceOrder } from "../domain/entry.ts";
import { chainLine, chainLink } from "../ledger/chain.ts";
import { keyHash, parseCheckpoint, readSignatureLine } from "../ledger/checkpoint.ts";
import { keyIdOf, verify } from "../ledger/ed25519.ts";
import { KeySuccession } from "../ledger/key-retirement.ts";
import { CompactRange } from "../ledger/merkle.ts";
import { CHECKPOINT_KEY } from "../store/keystore.ts";
import { bodyPages } from "../store/ledger-repo.ts";
import type { Database } from "../store/schema.ts";
import {
  publications,
  replaySnapshots,
  type ScopeSpec,
  SnapshotReplayer,
  type SnapshotRow,
  scopeFromName,
  TimelineReplayer,
} from "./replay.ts";
import { BASE_SCOPE, inheritsFrom, sameSnapshot } from "./snapshot-text.ts";
import { VerifierPool } from "./verify-pool.ts";
import type { VerifyResult } from "./verify-worker.ts";
import { parseEntry } from "./views.ts";

export interface Problem {
  dispute: string;
  table: string;
  seq?: number;
  what: string;
}

export interface DisputeReport {
  slug: string;
  entries: number;
  nodes: number;
  checkpoints: number;
  timeline: number;
  snapshots: number;
  /** Cosignature rows checked. */
  cosignatures: number;
  /** Each organization whose cosignatures verify, with the largest checkpoint it cosigned. */
  witnesses: { org: string; size: number }[];
  root: string | null;
}

export interface StoreReport {
  ok: boolean;
  disputes: DisputeReport[];
  problems: Problem[];
  /** Problems beyond the first MAX_PROBLEMS are counted, not listed. */
  moreProblems: number;
}

const MAX_PROBLEMS = 1000;

/**
 * Verifies the live store from first principles: every entry's bytes, columns, schema and
 * signature; every stored tree node against the tree recomputed from the entries; every
 * checkpoint's signature and root; every witness's cosignature; and that the read models
 * equal a fresh replay. It reads in pages and keeps O(log n) tree state, so memory does not
 * grow with the ledger.
 */
export async function verifyStore(
  store: { db: Kysely<Database>; path: string },
  slug?: string,
): Promise<StoreReport> {
  const db = store.db;
  const report: StoreReport = { ok: true, disputes: [], problems: [], moreProblems: 0 };
  const problem = (p: Problem) => {
    report.ok = false;
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(p);
    else report.moreProblems += 1;
  };
  let q = db.selectFrom("disputes").select(["id", "slug", "origin"]).orderBy("id");
  if (slug) q = q.where("slug", "=", slug);
  const disputes = await q.execute();
  if (slug && disputes.length === 0) problem({ dispute: slug, table: "disputes", what: "no such dispute" });
  const keys = await loadKeys(db, problem);
  const pool = VerifierPool.start(store.path, keys);
  try {
    for (const d of disputes) {
      report.disputes.push(await verifyDispute(db, d, keys, pool, (p) => problem({ dispute: d.slug, ...p })));
    }
  } finally {
    await pool.close();
  }
  return report;
}

type Report = (p: Omit<Problem, "dispute">) => void;
type Keys = Map<string, { org: string; raw: Buffer; createdAt: string; retiredAt: string | null }>;

async function loadKeys(db: Kysely<Database>, problem: (p: Problem) => void): Promise<Keys> {
  const keys: Keys = new Map();
  for (const k of await db.selectFrom("signing_keys").selectAll().execute()) {
    const raw = Buffer.from(k.public_key);
    if (raw.length !== 32 || keyIdOf(raw) !== k.key_id) {
      problem({ dispute: "*", table: "signing_keys", what: `key ${k.key_id} does not match its public key` });
      continue;
    }
    if (k.retired_at !== null && !Number.isFinite(Date.parse(k.retired_at))) {
      // Unreadable, it cannot tell which of the key's entries were recorded after it.
      problem({
        dispute: "*",
        table: "signing_keys",
        what: `key ${k.key_id} has a retirement time that is not an instant: ${k.retired_at}`,
      });
    }
    keys.set(k.key_id, { org: k.org_id, raw, createdAt: k.created_at, retiredAt: k.retired_at });
  }
  return keys;
}

async function verifyDispute(
  db: Kysely<Database>,
  d: { id: number; slug: string; origin: string },
  keys: Keys,
  pool: VerifierPool,
  problem: Report,
): Promise<DisputeReport> {
  const range = new CompactRange();
  const nodes = new StoredNodes(db, d.id);
  const checkpoints = storedCheckpoints(db, d.id);
  let nextCheckpoint = await checkpoints.next();
  const counts = { entries: 0, nodes: 0, checkpoints: 0 };
  const projections = await ProjectionCheck.start(db, d, problem);
  const succession = new KeySuccession([...keys].map(([keyId, k]) => ({ keyId, ...k })));
  const signerKeys = [...keys.values()].filter((k) => k.org === CHECKPOINT_KEY);

  let previous: { size: number; note: string } | null = null;
  const checkCheckpoints = async () => {
    while (!nextCheckpoint.done && nextCheckpoint.value.size <= range.size) {
      const cp = nextCheckpoint.value;
      counts.checkpoints += 1;
      if (cp.size < range.size) {
        problem({
          table: "checkpoints",
          seq: cp.size,
          what: `checkpoint of size ${cp.size} is out of order`,
        });
      } else {
        checkChain(cp, previous, problem);
        checkCheckpoint(cp, range.root(), d.origin, signerKeys, problem);
      }
      previous = cp;
      nextCheckpoint = await checkpoints.next();
    }
  };

  await checkCheckpoints();
  // The main thread reads each page's bodies (for the replay) and hands the page's range of
  // sequence numbers to a worker, which reads the whole rows itself and checks them.
  const pages = bodyPages(db, d.id, 500);
  const ahead: { rows: { seq: number; body: string }[]; result: Promise<VerifyResult> }[] = [];
  const feed = async () => {
    while (ahead.length < pool.size * 2) {
      const next = await pages.next();
      if (next.done) return;
      const rows = next.value;
      const range = { from: rows[0]!.seq, to: rows[rows.length - 1]!.seq };
      ahead.push({ rows, result: pool.check({ slug: d.slug, disputeId: d.id, ...range }) });
    }
  };
  await feed();
  while (ahead.length > 0) {
    const { rows, result } = ahead.shift()!;
    const checked = await result;
    await feed();
    for (const p of checked.problems) problem({ table: "ledger_entries", seq: p.seq, what: p.what });
    if (checked.count !== rows.length) {
      // Appends never land inside a range already read, so only an edit in place does this.
      problem({
        table: "ledger_entries",
        seq: rows[0]!.seq,
        what: `entries ${rows[0]!.seq}..${rows[rows.length - 1]!.seq} changed while they were being verified`,
      });
      continue;
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const seq = row.seq;
      if (seq < range.size) {
        problem({
          table: "ledger_entries",
          seq,
          what: `entry ${seq} is out of sequence (expected ${range.size})`,
        });
      } else if (seq > range.size) {
        problem({
          table: "ledger_entries",
          seq: range.size,
          what: `expected entry ${range.size}, found ${seq}: entries are missing`,
        });
      }
      counts.entries += 1;
      if (checked.replayable[i]) {
        const entry = parseEntry(row.body);
        const newer = succession.check(entry.actor.org, entry.keyId, seq);
        if (newer) {
          problem({
            table: "ledger_entries",
            seq,
            what: `signed with key ${entry.keyId} of ${entry.actor.org} after entry ${newer.seq} was signed with its successor ${newer.keyId}`,
          });
        }
        await projections.step(entry);
      }
      const completed = range.append(checked.leaves.subarray(i * 32, i * 32 + 32));
      let idx = range.size - 1;
      for (let level = 1; level <= completed.length; level++) {
        idx = Math.floor(idx / 2);
        const stored = await nodes.next(level, idx);
        if (!stored) {
          problem({ table: "tree_nodes", seq, what: `node ${level}:${idx} is missing` });
        } else if (!Buffer.from(stored).equals(completed[level - 1]!)) {
          problem({
            table: "tree_nodes",
            seq,
            what: `node ${level}:${idx} hash differs from the recomputed tree`,
          });
        }
      }
      await checkCheckpoints();
    }
  }
  const witnessed = await checkCosignatures(db, d.id, keys, problem);
  const perLevel = await db
    .selectFrom("tree_nodes")
    .select(["level", (eb) => eb.fn.countAll<number>().as("n")])
    .where("dispute_id", "=", d.id)
    .groupBy("level")
    .execute();
  for (const { level, n } of perLevel) {
    counts.nodes += Number(n);
    const expected = level >= 1 ? Math.floor(range.size / 2 ** level) : 0;
    if (Number(n) > expected) {
      problem({
        table: "tree_nodes",
        what: `${Number(n) - expected} node(s) at level ${level} are not part of the tree`,
      });
    }
  }
  for (; !nextCheckpoint.done; nextCheckpoint = await checkpoints.next()) {
    counts.checkpoints += 1;
    problem({
      table: "checkpoints",
      seq: nextCheckpoint.value.size,
      what: `checkpoint of size ${nextCheckpoint.value.size} is beyond the ledger (${range.size} entries)`,
    });
  }
  const latest = await db
    .selectFrom("checkpoints")
    .select((eb) => eb.fn.max("size").as("size"))
    .where("dispute_id", "=", d.id)
    .executeTakeFirst();
  if (range.size > 0 && Number(latest?.size ?? -1) !== range.size) {
    problem({
      table: "checkpoints",
      seq: Number(latest?.size ?? 0),
      what: `entries ${Number(latest?.size ?? 0)}..${range.size - 1} are not covered by any checkpoint`,
    });
  }
  return {
    slug: d.slug,
    ...counts,
    ...(await projections.finish()),
    cosignatures: witnessed.count,
    witnesses: [...witnessed.latest]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([org, size]) => ({ org, size })),
    root: range.size > 0 ? range.root().toString("base64") : null,
  };
}

/**
 * Each stored cosignature must be a signature line by its organization's registered key over
 * the body of the checkpoint of its size. The line names a key only by a 4-byte hash, so the
 * row's key_id must also be that organization's key in signing_keys: a line checked against
 * whatever key happens to match would let a row claim a witness it never had.
 */
async function checkCosignatures(
  db: Kysely<Database>,
  disputeId: number,
  keys: Keys,
  problem: Report,
): Promise<{ count: number; latest: Map<string, number> }> {
  const latest = new Map<string, number>();
  let count = 0;
  // Set only on a later turn of the loop, which the checker cannot see from the initializer.
  let parsed = null as { size: number; body: Buffer | null } | null;
  for await (const row of storedCosignatures(db, disputeId)) {
    count += 1;
    const who = `cosignature of checkpoint ${row.size} by ${row.org_id}`;
    const bad = (why: string) => problem({ table: "cosignatures", seq: row.size, what: `${who}: ${why}` });
    if (row.note === null) {
      bad(`there is no checkpoint of size ${row.size}`);
      continue;
    }
    const key = keys.get(row.key_id);
    if (!key) {
      bad(`key ${row.key_id} is not a registered key`);
      continue;
    }
    if (key.org !== row.org_id) {
      bad(`key ${row.key_id} is ${key.org}'s, not ${row.org_id}'s`);
      continue;
    }
    // Rows come in size order: each checkpoint's note is parsed once for all its witnesses.
    if (parsed?.size !== row.size) {
      let body: Buffer | null = null;
      try {
        body = Buffer.from(parseCheckpoint(row.note).body, "utf8");
      } catch {
        // A malformed note is reported by checkCheckpoint; nothing can be cosigned over it.
      }
      parsed = { size: row.size, body };
    }
    const body = parsed.body;
    if (body === null) {
      bad(`the checkpoint of size ${row.size} is malformed`);
      continue;
    }
    let sig: ReturnType<typeof readSignatureLine>;
    try {
      sig = readSignatureLine(row.line);
    } catch (err) {
      bad(`the line is malformed: ${(err as Error).message}`);
      continue;
    }
    if (sig.name !== row.org_id || !sig.keyHash.equals(keyHash(row.org_id, key.raw))) {
      bad(`the line is not signed as ${row.org_id} with key ${row.key_id}`);
      continue;
    }
    if (!verify(body, sig.signature, key.raw)) {
      bad("the signature does not verify against the checkpoint of that size");
    } else if ((latest.get(row.org_id) ?? -1) < row.size) {
      latest.set(row.org_id, row.size);
    }
  }
  return { count, latest };
}

function checkCheckpoint(
  cp: { size: number; root: Uint8Array; note: string },
  recomputed: Buffer,
  origin: string,
  signers: { raw: Buffer }[],
  problem: Report,
): void {
  const at = { table: "checkpoints", seq: cp.size };
  let parsed: ReturnType<typeof parseCheckpoint>;
  try {
    parsed = parseCheckpoint(cp.note);
  } catch (err) {
    problem({ ...at, what: `checkpoint note is malformed: ${(err as Error).message}` });
    return;
  }
  if (parsed.origin !== origin)
    problem({ ...at, what: `checkpoint origin ${parsed.origin} is not ${origin}` });
  if (parsed.size !== cp.size) problem({ ...at, what: `note says size ${parsed.size}, row says ${cp.size}` });
  if (!parsed.root.equals(Buffer.from(cp.root)))
    problem({ ...at, what: "note root differs from the row's root" });
  // Each root is recomputed from the same leaf sequence, so agreeing roots at every size
  // prove successive checkpoints consistent: each tree is a prefix of the next.
  if (!parsed.root.equals(recomputed))
    problem({ ...at, what: "checkpoint root differs from the tree recomputed from the entries" });
  const body = Buffer.from(parsed.body, "utf8");
  const signed = parsed.signatures.some((sig) =>
    signers.some((s) => keyHash(sig.name, s.raw).equals(sig.keyHash) && verify(body, sig.signature, s.raw)),
  );
  if (!signed) problem({ ...at, what: "checkpoint is not signed by this server's checkpoint key" });
}

/**
 * Each checkpoint names the one before it (ledger/chain.ts); a missing link means a
 * checkpoint row was removed or rewritten. The first stored checkpoint may name one this
 * store never held (an imported ledger starts from the exporter's latest checkpoint).
 */
function checkChain(
  cp: { size: number; note: string },
  previous: { size: number; note: string } | null,
  problem: Report,
): void {
  if (!previous) return;
  let link: string | null = null;
  try {
    link = chainLink(parseCheckpoint(cp.note).extensions);
  } catch {
    return; // a malformed note is reported by checkCheckpoint
  }
  if (link !== chainLine(previous)) {
    problem({
      table: "checkpoints",
      seq: cp.size,
      what: `checkpoint of size ${cp.size} does not name checkpoint ${previous.size} before it: a checkpoint was removed or altered`,
    });
  }
}

/**
 * Stored nodes, read level by level along the primary key: appends complete the nodes of each
 * level in increasing index order, so one forward cursor per level checks them in one pass.
 */
class StoredNodes {
  private readonly cursors = new Map<
    number,
    { rows: { idx: number; hash: Uint8Array }[]; at: number; done: boolean; after: number | null }
  >();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly disputeId: number,
    private readonly page = 2000,
  ) {}

  /** The stored hash of node (level, idx), or undefined if it is missing. Calls come in idx order. */
  async next(level: number, idx: number): Promise<Uint8Array | undefined> {
    let c = this.cursors.get(level);
    if (!c) {
      c = { rows: [], at: 0, done: false, after: null };
      this.cursors.set(level, c);
    }
    for (;;) {
      while (c.at < c.rows.length && c.rows[c.at]!.idx < idx) c.at += 1;
      if (c.at < c.rows.length) return c.rows[c.at]!.idx === idx ? c.rows[c.at]!.hash : undefined;
      if (c.done) return undefined;
      const after = c.after;
      c.rows = await this.db
        .selectFrom("tree_nodes")
        .select(["idx", "hash"])
        .where("dispute_id", "=", this.disputeId)
        .where("level", "=", level)
        .$if(after !== null, (q) => q.where("idx", ">", after!))
        .orderBy("idx")
        .limit(this.page)
        .execute();
      c.at = 0;
      c.done = c.rows.length < this.page;
      if (c.rows.length > 0) c.after = c.rows[c.rows.length - 1]!.idx;
    }
  }
}

async function* storedCheckpoints(db: Kysely<Database>, disputeId: number, page = 2000) {
  // No lower bound on the first page (see storedTimeline).
  let after: number | null = null;
  for (;;) {
    const rows = await db
      .selectFrom("checkpoints")
      .select(["size", "root", "note"])
      .where("dispute_id", "=", disputeId)
      .$if(after !== null, (q) => q.where("size", ">", after!))
      .orderBy("size")
      .limit(page)
      .execute();
    yield* rows;
    if (rows.length < page) return;
    after = rows[rows.length - 1]!.size;
  }
}

/**
 * Checks the read models in the same pass as the ledger: each entry's timeline row is derived
 * and matched by seq against the stored one, and while entries arrive in occurrence order
 * (always, unless history was back-filled) the snapshot scopes are folded alongside. Only a
 * back-filled ledger needs a second, occurrence-ordered pass for its snapshots.
 */
class ProjectionCheck {
  private timeline = 0;
  private got!: IteratorResult<Selectable<Database["proj_timeline"]>>;
  private inOrder = true;
  private last: { occurredAt: string; seq: number } | null = null;
  private readonly total: number;

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly d: { id: number; slug: string },
    private readonly problem: Report,
    private readonly replayer: TimelineReplayer,
    private readonly stored: AsyncGenerator<Selectable<Database["proj_timeline"]>>,
    private readonly snapshots: SnapshotReplayer | null,
    private readonly scopes: ScopeSpec[],
    private readonly wanted: Map<
      string,
      { scope: string; occurred_at: string; seq: number; entries: number }
    >,
  ) {
    this.total = wanted.size;
  }

  static async start(
    db: Kysely<Database>,
    d: { id: number; slug: string },
    problem: Report,
  ): Promise<ProjectionCheck> {
    const published = await publications(db, d.id);
    const snaps = await db
      .selectFrom("proj_snapshots")
      .select(["scope", "occurred_at", "seq", "entries"])
      .where("dispute_id", "=", d.id)
      .execute();
    const scopes = new Map<string, ScopeSpec>();
    const wanted = new Map<string, (typeof snaps)[number]>();
    for (const s of snaps) {
      const spec = scopeFromName(s.scope);
      if (!spec) {
        problem({
          table: "proj_snapshots",
          seq: s.seq,
          what: `snapshot scope ${s.scope} is not a known scope`,
        });
        continue;
      }
      scopes.set(spec.name, spec);
      wanted.set(`${s.scope}|${s.occurred_at}|${s.seq}`, s);
    }
    // The base scope is replayed whenever there are snapshots: the rows that inherit from it
    // are written from its state, whether or not its own rows are still stored.
    if (scopes.size > 0) scopes.set(BASE_SCOPE, scopeFromName(BASE_SCOPE)!);
    const specs = [...scopes.values()];
    const check = new ProjectionCheck(
      db,
      d,
      problem,
      new TimelineReplayer(d.id, published),
      storedTimeline(db, d.id),
      specs.length > 0 ? new SnapshotReplayer(d.slug, specs, published) : null,
      specs,
      wanted,
    );
    check.got = await check.stored.next();
    return check;
  }

  async step(entry: AnyEntry): Promise<void> {
    const row = this.replayer.step(entry);
    while (!this.got.done && this.got.value.seq < row.seq) {
      this.extra(this.got.value.seq);
      this.got = await this.stored.next();
    }
    if (this.got.done || this.got.value.seq > row.seq) {
      this.problem({ table: "proj_timeline", seq: row.seq, what: "timeline row is missing" });
    } else {
      this.timeline += 1;
      const value = this.got.value;
      const differs = (Object.keys(row) as (keyof typeof row)[]).filter((k) => row[k] !== value[k]);
      if (differs.length > 0) {
        this.problem({
          table: "proj_timeline",
          seq: row.seq,
          what: `timeline row differs from a fresh replay in ${differs.join(", ")}`,
        });
      }
      this.got = await this.stored.next();
    }
    if (!this.snapshots || !this.inOrder) return;
    const last = this.last;
    if (last && occurrenceOrder({ occurredAt: entry.occurredAt, seq: entry.seq }, last) < 0) {
      this.inOrder = false;
      return;
    }
    this.last = { occurredAt: entry.occurredAt, seq: entry.seq };
    await this.comparePoint(this.snapshots.step(entry));
  }

  async finish(): Promise<{ timeline: number; snapshots: number }> {
    for (; !this.got.done; this.got = await this.stored.next()) this.extra(this.got.value.seq);
    const count = this.total;
    if (this.scopes.length > 0 && !this.inOrder) {
      for await (const point of replaySnapshots(this.db, this.d.id, this.d.slug, this.scopes))
        await this.comparePoint(point);
    }
    for (const s of this.wanted.values()) {
      this.problem({
        table: "proj_snapshots",
        seq: s.seq,
        what: `snapshot ${s.scope} at entry ${s.seq} matches no point of a fresh replay`,
      });
    }
    return { timeline: this.timeline, snapshots: count };
  }

  private extra(seq: number): void {
    this.timeline += 1;
    this.problem({ table: "proj_timeline", seq, what: "timeline row has no ledger entry" });
  }

  /** Compares the rows a fresh replay takes at one point with the stored ones. */
  private async comparePoint(point: SnapshotRow[]): Promise<void> {
    const base = point.find((r) => r.scope === BASE_SCOPE)?.state;
    for (const fresh of point) await this.compare(fresh, base);
  }

  /** `freshBase`: the replay's text of the base scope at that point, for rows that inherit. */
  private async compare(fresh: SnapshotRow, freshBase: string | undefined): Promise<void> {
    const key = `${fresh.scope}|${fresh.occurred_at}|${fresh.seq}`;
    const s = this.wanted.get(key);
    if (!s) return;
    this.wanted.delete(key);
    const stored = await this.storedState(s.scope, s);
    // Equal text is the same state; a row that inherits has its base compared on its own.
    const same =
      stored !== undefined &&
      (stored === fresh.state ||
        sameSnapshot(
          { text: stored, base: await this.storedBase(stored, s) },
          { text: fresh.state, base: freshBase },
        ));
    if (s.entries !== fresh.entries || !same) {
      this.problem({
        table: "proj_snapshots",
        seq: s.seq,
        what: `snapshot ${s.scope} at entry ${s.seq} differs from a fresh replay`,
      });
    }
  }

  /** A stored state's text. Fetched one at a time: a long ledger has many snapshots, each sizeable. */
  private async storedState(scope: string, at: { occurred_at: string; seq: number }) {
    const row = await this.db
      .selectFrom("proj_snapshots")
      .select("state")
      .where("dispute_id", "=", this.d.id)
      .where("scope", "=", scope)
      .where("occurred_at", "=", at.occurred_at)
      .where("seq", "=", at.seq)
      .executeTakeFirst();
    return row?.state;
  }

  /** The stored text a stored row inherits from, if it does. */
  private async storedBase(text: string, at: { occurred_at: string; seq: number }) {
    const from = inheritsFrom(text);
    return from === null ? undefined : this.storedState(from, at);
  }
}

/** Cosignatures in (size, org) order, each with its checkpoint's note (null if there is none). */
async function* storedCosignatures(db: Kysely<Database>, disputeId: number, page = 2000) {
  let after: { size: number; org: string } | null = null;
  for (;;) {
    let q = db
      .selectFrom("cosignatures as s")
      // A left join: a row whose checkpoint is gone (foreign keys are only as good as the
      // connection that enforces them) must still be read, and reported.
      .leftJoin("checkpoints as c", (join) =>
        join.onRef("c.dispute_id", "=", "s.dispute_id").onRef("c.size", "=", "s.size"),
      )
      .select(["s.size", "s.org_id", "s.key_id", "s.line", "c.note"])
      .where("s.dispute_id", "=", disputeId)
      .orderBy("s.size")
      .orderBy("s.org_id")
      .limit(page);
    if (after) {
      const { size, org } = after;
      q = q.where((eb) =>
        eb.or([eb("s.size", ">", size), eb.and([eb("s.size", "=", size), eb("s.org_id", ">", org)])]),
      );
    }
    const rows = await q.execute();
    yield* rows;
    if (rows.length < page) return;
    const last = rows[rows.length - 1]!;
    after = { size: last.size, org: last.org_id };
  }
}

async function* storedTimeline(db: Kysely<Database>, disputeId: number, page = 2000) {
  // No lower bound on the first page: a row smuggled in with a negative seq must be read too.
  // (Not Number.MIN_SAFE_INTEGER either: PostgreSQL's integer columns refuse a bound that large.)
  let after: number | null = null;
  for (;;) {
    const rows = await db
      .selectFrom("proj_timeline")
      .selectAll()
      .where("dispute_id", "=", disputeId)
      .$if(after !== null, (q) => q.where("seq", ">", after!))
      .orderBy("seq")
      .limit(page)
      .execute();
    yield* rows;
    if (rows.length < page) return;
    after = rows[rows.length - 1]!.seq;
  }
}
