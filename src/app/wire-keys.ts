import type { SignerKeyInfo } from "../ledger/export-file.ts";

/**
 * Signers' public keys as they are posted to a worker thread (verify-worker.ts,
 * export-check-worker.ts): key id, organization, raw public key, retirement time or null.
 */
export type WireKeys = [string, string, Uint8Array, string | null][];

export function keysToWire(keys: Map<string, SignerKeyInfo>): WireKeys {
  return [...keys].map(([keyId, k]) => [keyId, k.org, k.raw, k.retiredAt]);
}

export function keysFromWire(wire: WireKeys): Map<string, SignerKeyInfo> {
  const keys = new Map<string, SignerKeyInfo>();
  for (const [keyId, org, raw, retiredAt] of wire) keys.set(keyId, { org, raw: Buffer.from(raw), retiredAt });
  return keys;
}
