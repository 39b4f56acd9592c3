import type { Kysely } from "kysely";
import { fail } from "../domain/errors.ts";
import { CheckpointError, parseCheckpoint, verifySignatureLine } from "../ledger/checkpoint.ts";
import type { Database } from "../store/schema.ts";
import type { Parley } from "./parley.ts";

/**
 * Witnesses' cosignatures. An organization cosigns a checkpoint with a C2SP signed-note
 * signature line over the checkpoint's body, named by its organization id and made with its
 * own Ed25519 key (the one in signing_keys). Appended to the note, the line makes a note that
 * verifies under the server's key and under the witness's alike, so a reader holding both
 * public keys needs nothing else to check that this organization saw this tree head.
 */
export interface Cosignature {
  org: string;
  /** The organization's key in signing_keys that the line verifies under. */
  keyId: string;
  /** The signature line, without its newline. */
  line: string;
}

export interface CosignedCheckpoint {
  size: number;
  /** Base64, as in the note. */
  root: string;
  note: string;
  cosignatures: Cosignature[];
}

async function checkpointRow(parley: Parley, disputeId: number, size: number) {
  return parley.db
    .selectFrom("checkpoints")
    .select(["size", "root", "note"])
    .where("dispute_id", "=", disputeId)
    .where("size", "=", size)
    .executeTakeFirst();
}

/**
 * The cosignatures of one checkpoint, ordered by organization: so one store's exports and
 * checkpoint routes carry the same note whoever asks and in whatever order witnesses came.
 */
export function storedCosignatures(db: Kysely<Database>, disputeId: number, size: number) {
  return db
    .selectFrom("cosignatures")
    .select(["org_id", "key_id", "line"])
    .where("dispute_id", "=", disputeId)
    .where("size", "=", size)
    .orderBy("org_id")
    .execute();
}

/** The checkpoint of `size` (default: the latest) with every cosignature it has received. */
export async function checkpointWithCosignatures(
  parley: Parley,
  slug: string,
  size?: number,
): Promise<CosignedCheckpoint> {
  const d = await parley.disputeRow(slug);
  let cp: { size: number; root: Uint8Array; note: string } | undefined;
  if (size === undefined) {
    cp = await parley.latestCheckpoint(slug);
    // Every opened dispute has a checkpoint: one without any was never opened.
    if (!cp) fail("DISPUTE_UNKNOWN");
  } else {
    cp = await checkpointRow(parley, d.id, size);
    if (!cp) fail("CHECKPOINT_UNKNOWN", `${slug} has no checkpoint of size ${size}`);
  }
  const rows = await storedCosignatures(parley.db, d.id, cp.size);
  return {
    size: cp.size,
    root: Buffer.from(cp.root).toString("base64"),
    note: cp.note,
    cosignatures: rows.map((r) => ({ org: r.org_id, keyId: r.key_id, line: r.line })),
  };
}

/**
 * Records `org`'s cosignature of the checkpoint of `size` once it verifies against one of
 * the organization's registered keys. Idempotent: an organization's first cosignature of a
 * checkpoint stands, and is what every later call returns.
 */
export async function addCosignature(
  parley: Parley,
  slug: string,
  size: number,
  org: string,
  signature: string,
): Promise<Cosignature & { size: number }> {
  const d = await parley.disputeRow(slug);
  const cp = await checkpointRow(parley, d.id, size);
  if (!cp) fail("CHECKPOINT_UNKNOWN", `${slug} has no checkpoint of size ${size}`);
  // A line copied out of a note keeps its newline; the stored line has none.
  const line = signature.endsWith("\n") ? signature.slice(0, -1) : signature;
  const body = parseCheckpoint(cp.note).body;
  const keys = await parley.db
    .selectFrom("signing_keys")
    .select(["key_id", "public_key"])
    .where("org_id", "=", org)
    .orderBy("key_id")
    .execute();
  let keyId: string | null = null;
  let problem = keys.length === 0 ? `${org} has no registered key` : `the line is not signed by ${org}'s key`;
  for (const k of keys) {
    try {
      verifySignatureLine(body, line, { name: org, publicRaw: Buffer.from(k.public_key) });
      keyId = k.key_id;
      break;
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      // "Not this key" says less than "malformed" or "does not verify": keep the telling one.
      if (err.code !== "CHECKPOINT_NOT_SIGNED") problem = err.message;
    }
  }
  if (keyId === null) {
    fail("COSIGNATURE_INVALID", `cosignature of ${slug} at size ${size} by ${org}: ${problem}`);
  }
  await parley.db
    .insertInto("cosignatures")
    .values({ dispute_id: d.id, size, org_id: org, key_id: keyId, line, created_at: parley.now() })
    .onConflict((oc) => oc.columns(["dispute_id", "size", "org_id"]).doNothing())
    .execute();
  const stored = await parley.db
    .selectFrom("cosignatures")
    .select(["org_id", "key_id", "line"])
    .where("dispute_id", "=", d.id)
    .where("size", "=", size)
    .where("org_id", "=", org)
    .executeTakeFirstOrThrow();
  return { size, org: stored.org_id, keyId: stored.key_id, line: stored.line };
}
