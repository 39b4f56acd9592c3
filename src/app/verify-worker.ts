import { parentPort } from "node:worker_threads";
import { isEntryType, PAYLOADS } from "../domain/events.ts";
import { verify } from "../ledger/ed25519.ts";
import type { SignerKeyInfo } from "../ledger/export-file.ts";
import { isCanonical } from "../ledger/jcs.ts";
import { recordedAfter } from "../ledger/key-retirement.ts";
import { entryLeafHash } from "../ledger/merkle.ts";
import { type EntryReader, type EntrySource, openEntryReader } from "../store/entry-reader.ts";
import type { EntryRow } from "../store/ledger-repo.ts";
import { keysFromWire, type WireKeys } from "./wire-keys.ts";

/**
 * The per-entry work of `verify --db` that needs nothing but the entry itself: parse,
 * canonical form, columns against the signed fields, schema, key ownership, the Ed25519
 * signature and the leaf hash. It runs here, on worker threads that read the entries from
 * their own connection, so that every core checks signatures while the main thread walks
 * the tree and the read models.
 */
export interface VerifyInit {
  /** Each key: its id, organization, raw public key and retirement time (null while current). */
  keys: WireKeys;
  /** Where the worker reads the entries from, with its own read-only connection. */
  source: EntrySource;
}

export interface VerifyJob {
  id: number;
  slug: string;
  disputeId: number;
  /** The entries with from <= seq <= to, which the main thread has read too. */
  from: number;
  to: number;
}

export interface VerifyResult {
  id: number;
  /** How many entries the worker found in the range; the main thread expects as many. */
  count: number;
  /** The recomputed leaf hash of each row, 32 bytes each, in row order. */
  leaves: Uint8Array;
  /** Whether each row parsed and matched its schema, so the main thread may replay it. */
  replayable: boolean[];
  problems: { seq: number; what: string }[];
}

/** Ends the worker's connection before the pool terminates it (PostgreSQL: see verify-pool.ts). */
export interface CloseJob {
  id: number;
  close: true;
}

export interface Closed {
  id: number;
  closed: true;
}

export type WorkerMessage = VerifyInit | VerifyJob | CloseJob;

let keys = new Map<string, SignerKeyInfo>();
/** A promise only while a PostgreSQL connection is being made; then the reader itself. */
let reader: EntryReader | Promise<EntryReader> | null = null;

function check(
  slug: string,
  row: EntryRow,
  problems: VerifyResult["problems"],
): { leaf: Buffer; replayable: boolean } {
  const seq = row.seq;
  const problem = (what: string) => problems.push({ seq, what });
  const body = Buffer.from(row.body, "utf8");
  const signature = row.signature;
  const leaf = entryLeafHash(body, signature);
  if (!leaf.equals(row.leaf_hash)) {
    problem("stored leaf hash differs from the hash of the entry and its signature");
  }
  let entry: Record<string, unknown> & { actor?: { org?: unknown }; payload?: unknown };
  try {
    entry = JSON.parse(row.body);
  } catch {
    problem("entry body is not valid JSON");
    return { leaf, replayable: false };
  }
  if (!isCanonical(row.body, entry)) problem("entry bytes are not canonical (RFC 8785)");
  if (entry.dispute !== slug || entry.seq !== seq) {
    problem(`entry claims to be ${String(entry.dispute)}#${String(entry.seq)}: rows were moved or reordered`);
  }
  const columns: [string, unknown, unknown][] = [
    ["type", row.type, entry.type],
    ["org_id", row.org_id, entry.actor?.org],
    ["key_id", row.key_id, entry.keyId],
    ["occurred_at", row.occurred_at, entry.occurredAt],
    ["recorded_at", row.recorded_at, entry.recordedAt],
    ["visibility", row.visibility, entry.visibility],
  ];
  for (const [name, stored, signed] of columns) {
    if (stored !== signed)
      problem(`column ${name} (${String(stored)}) differs from the signed entry (${String(signed)})`);
  }
  const type = String(entry.type);
  const replayable = isEntryType(type) && PAYLOADS[type].safeParse(entry.payload).success;
  if (!replayable) problem(`payload does not match the schema of ${type}`);
  const key = keys.get(String(entry.keyId));
  if (!key) {
    problem(`signing key ${String(entry.keyId)} is unknown`);
  } else if (key.org !== entry.actor?.org) {
    problem(`key ${String(entry.keyId)} belongs to ${key.org}, not to ${String(entry.actor?.org)}`);
  } else if (!verify(body, signature, key.raw)) {
    problem("signature does not verify");
  } else if (key.retiredAt !== null && recordedAfter(entry.recordedAt, key.retiredAt)) {
    // A valid signature by a key its organization had already replaced: what a stolen old key,
    // used to forge new entries, produces. Nothing legitimate signs with a key once retired.
    problem(
      `signed with key ${String(entry.keyId)} of ${key.org}, retired at ${key.retiredAt}, but recorded after that, at ${String(entry.recordedAt)}`,
    );
  }
  return { leaf, replayable };
}

function answer(msg: VerifyJob, rows: EntryRow[]): void {
  const problems: VerifyResult["problems"] = [];
  const leaves = new Uint8Array(32 * rows.length);
  const replayable: boolean[] = [];
  rows.forEach((row, i) => {
    const r = check(msg.slug, row, problems);
    leaves.set(r.leaf, i * 32);
    replayable.push(r.replayable);
  });
  const result: VerifyResult = { id: msg.id, count: rows.length, leaves, replayable, problems };
  parentPort?.postMessage(result, [leaves.buffer]);
}

/** A failed read fails its job (WorkerPool rejects it with the message), not the worker. */
function fail(id: number, err: unknown): void {
  parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
}

function serve(r: EntryReader, msg: VerifyJob): void {
  const rows = r.range(msg.disputeId, msg.from, msg.to);
  // SQLite answers at once, in this thread, as it always has; PostgreSQL answers later.
  if (Array.isArray(rows)) answer(msg, rows);
  else rows.then((got) => answer(msg, got)).catch((err) => fail(msg.id, err));
}

parentPort?.on("message", (msg: WorkerMessage) => {
  if ("keys" in msg) {
    keys = keysFromWire(msg.keys);
    const opened = openEntryReader(msg.source);
    if (opened instanceof Promise) {
      // Jobs that arrive while it connects wait on the promise; each fails if it does not.
      opened.then(
        (r) => {
          reader = r;
        },
        () => {},
      );
    }
    reader = opened;
    return;
  }
  const r = reader!;
  if ("close" in msg) {
    const closed: Closed = { id: msg.id, closed: true };
    Promise.resolve(r)
      .then((x) => x.close())
      .catch(() => {})
      .finally(() => parentPort?.postMessage(closed));
    return;
  }
  if (r instanceof Promise) r.then((x) => serve(x, msg)).catch((err) => fail(msg.id, err));
  else serve(r, msg);
});
