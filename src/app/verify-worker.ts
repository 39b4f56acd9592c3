import { parentPort } from "node:worker_threads";
import { isEntryType, PAYLOADS } from "../domain/events.ts";
import { publicKeyObject, verify } from "../ledger/ed25519.ts";
import { isCanonical } from "../ledger/jcs.ts";
import { recordedAfter } from "../ledger/key-retirement.ts";
import { entryLeafHash } from "../ledger/merkle.ts";
import { type EntryReader, openEntryReader } from "../store/entry-reader.ts";
import type { EntryRow } from "../store/ledger-repo.ts";

/**
 * The per-entry work of `verify --db` that needs nothing but the entry itself: parse,
 * canonical form, columns against the signed fields, schema, key ownership, the Ed25519
 * signature and the leaf hash. It runs here, on worker threads that read the entries from
 * their own connection, so that every core checks signatures while the main thread walks
 * the tree and the read models.
 */
export interface VerifyInit {
  /** Each key: its id, organization, raw public key and retirement time (null while current). */
  keys: [string, string, Uint8Array, string | null][];
  /** The database file and the better-sqlite3 module, both absolute paths. */
  path: string;
  sqlite: string;
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

export type WorkerMessage = VerifyInit | VerifyJob;

const keys = new Map<string, { org: string; raw: Buffer; retiredAt: string | null }>();
let reader: EntryReader | null = null;

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
  } else if (!verify(body, signature, publicKeyObject(key.raw))) {
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

parentPort?.on("message", (msg: WorkerMessage) => {
  if ("keys" in msg) {
    for (const [keyId, org, raw, retiredAt] of msg.keys)
      keys.set(keyId, { org, raw: Buffer.from(raw), retiredAt });
    reader = openEntryReader(msg.path, msg.sqlite);
    return;
  }
  const rows = reader!.range(msg.disputeId, msg.from, msg.to);
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
});
