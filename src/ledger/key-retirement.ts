/**
 * Key retirement: when an organization rotates its signing key, the old key is retired at an
 * instant, and nothing legitimate signs with it after that. Shared by `verify --db` (its
 * worker threads) and the export verifier, so both draw the line at the same place.
 */

/**
 * Whether an entry's recordedAt lies after a key's retirement. Compared as instants, not as
 * text: "…:00Z" and "…:00.000Z" are the same moment. A recordedAt that is no instant at all
 * counts as after: it cannot show the entry came before the retirement. A retirement time that
 * is no instant is reported once, against signing_keys, not against every entry of the key.
 */
export function recordedAfter(recordedAt: unknown, retiredAt: string): boolean {
  const retired = Date.parse(retiredAt);
  if (!Number.isFinite(retired)) return false;
  const t = typeof recordedAt === "string" ? Date.parse(recordedAt) : Number.NaN;
  return !(t <= retired);
}

/** A signing key as the order of an organization's keys needs it. */
export interface KeyAge {
  keyId: string;
  org: string;
  createdAt: string;
  retiredAt: string | null;
}

/**
 * An organization's keys in the order it had them: by creation, a retired key before one made
 * in the same instant (it came first), the current key last, then by id for a stable order.
 */
export function inSuccession<K extends KeyAge>(keys: K[]): K[] {
  const cmp = (x: string | null, y: string | null) =>
    x === y ? 0 : y === null || (x !== null && x < y) ? -1 : 1;
  return [...keys].sort(
    (a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.retiredAt, b.retiredAt) || cmp(a.keyId, b.keyId),
  );
}

/**
 * Whether key `a` certainly came before key `b` of the same organization: made earlier, or
 * made in the same instant but retired while `b` was not (or retired earlier). Keys that
 * cannot be told apart (made at once, neither retired: a rotation cut short) are not ordered.
 */
export function older(a: KeyAge, b: KeyAge): boolean {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  if (a.retiredAt === b.retiredAt) return false;
  return b.retiredAt === null || (a.retiredAt !== null && a.retiredAt < b.retiredAt);
}

/**
 * The order rule behind retirement, which needs no clock: an organization signs with one key
 * at a time, so in a dispute's sequence its entries' keys only ever move forward. An entry
 * signed with a key after an entry signed with that key's successor is what a stolen retired
 * key produces even when its recordedAt is backdated. Feed entries in sequence order.
 */
export class KeySuccession {
  private readonly keys = new Map<string, KeyAge>();
  /** Per organization, each key its entries have used so far, with the first entry that did. */
  private readonly seen = new Map<string, { key: KeyAge; seq: number }[]>();

  constructor(keys: KeyAge[]) {
    for (const k of keys) this.keys.set(k.keyId, k);
  }

  /** A newer key that an earlier entry was signed with, or null when this one is in order. */
  check(org: string, keyId: string, seq: number): { keyId: string; seq: number } | null {
    const key = this.keys.get(keyId);
    if (!key) return null; // an unknown key is reported by the signature check
    const used = this.seen.get(org) ?? [];
    const newer = used.find((u) => older(key, u.key));
    if (!used.some((u) => u.key.keyId === keyId)) this.seen.set(org, [...used, { key, seq }]);
    return newer ? { keyId: newer.key.keyId, seq: newer.seq } : null;
  }
}
