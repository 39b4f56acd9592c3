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
