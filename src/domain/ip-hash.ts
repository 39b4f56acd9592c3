import { createHmac } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";

/**
 * Commenters' IP addresses are never stored: only a keyed hash of them, good for telling "the same
 * sender as those comments" (rate limits, a moderator spotting one person behind many names) and
 * for nothing else. The key (the salt) is random, kept per period (a day by default) and dropped
 * when the retention period is over; from then on nobody, the operator included, can tell which
 * address a stored hash came from by hashing candidates, and the hashes themselves are dropped
 * from comments older than the retention cutoff. Pure: salts and times come in as arguments.
 */

/**
 * The part of an address that stands for one sender. An IPv4 address is itself (an IPv4-mapped
 * IPv6 address, "::ffff:203.0.113.7", as a dual-stack socket reports IPv4 peers, is the IPv4
 * address). An IPv6 address stands for its /64 network: a provider hands each household or phone
 * at least a /64 and the devices in it pick and change addresses inside it at will (privacy
 * extensions), so one sender spans a whole /64, and limiting per address would let a bot rotate
 * through 2^64 of them. Anything that is not an IP address is kept as given, in lower case.
 */
export function ipGroup(ip: string): string {
  const bare = ip.trim().replace(/^\[(.*)\]$/, "$1");
  if (isIPv4(bare)) return bare;
  const withoutZone = bare.replace(/%.*$/, "");
  if (!isIPv6(withoutZone)) return bare.toLowerCase();
  const groups = ipv6Groups(withoutZone);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".");
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (one with "::" or a dotted IPv4 tail included). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((g) => Number.parseInt(g, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...new Array<number>(missing).fill(0), ...right];
}

/** The hash stored beside a comment: HMAC-SHA256 of the address's group under the period's salt, base64url. */
export function hashIp(ip: string, salt: string | Buffer): string {
  if (salt.length === 0) throw new RangeError("the IP salt is empty");
  return createHmac("sha256", salt)
    .update(`parley ip v1\n${ipGroup(ip)}`)
    .digest("base64url");
}

const HOUR_MS = 3_600_000;

function checkPeriod(periodHours: number): void {
  if (!Number.isInteger(periodHours) || periodHours < 1 || periodHours > 24 * 366) {
    throw new RangeError(`a salt period is a whole number of hours from 1 to 8784, not ${periodHours}`);
  }
}

function instantMs(iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${iso}`);
  return ms;
}

/**
 * The salt period `now` falls in, named by its first hour in UTC ("2023-09-14T00"). Periods are
 * counted from 1970-01-01T00Z, so with a period of 24 hours (or 1, 2, 3, 4, 6, 8 or 12) they
 * start at UTC midnight; every process computes the same id for the same instant, which is what
 * lets several processes share one salt per period.
 */
export function saltPeriod(now: string, periodHours: number): string {
  checkPeriod(periodHours);
  const length = periodHours * HOUR_MS;
  const start = Math.floor(instantMs(now) / length) * length;
  return new Date(start).toISOString().slice(0, 13);
}

/** The instant a salt period ends (its successor's first instant), ISO UTC. */
export function saltPeriodEnd(period: string, periodHours: number): string {
  checkPeriod(periodHours);
  return new Date(instantMs(`${period}:00:00Z`) + periodHours * HOUR_MS).toISOString();
}

/**
 * Every salt period from the one `from` falls in to the one `to` falls in, oldest first. A rate
 * limit looks back over a window that may straddle a rotation: hashing the sender's address
 * under the salt of each period of the window finds their comments from before it too.
 */
export function saltPeriodsBetween(from: string, to: string, periodHours: number): string[] {
  checkPeriod(periodHours);
  const periods: string[] = [];
  const last = instantMs(`${saltPeriod(to, periodHours)}:00:00Z`);
  for (let t = instantMs(`${saltPeriod(from, periodHours)}:00:00Z`); t <= last; t += periodHours * HOUR_MS) {
    periods.push(new Date(t).toISOString().slice(0, 13));
  }
  return periods;
}

/**
 * The instant before which IP hashes are dropped from comments: `days` whole days of 24 hours
 * before `now`.
 */
export function retentionCutoff(now: string, days: number): string {
  if (!Number.isInteger(days) || days < 0) {
    throw new RangeError(`a retention is a whole number of days, not ${days}`);
  }
  return new Date(instantMs(now) - days * 24 * HOUR_MS).toISOString();
}

/**
 * Whether a period's salt may be dropped: the period ended at or before the retention cutoff, so
 * every hash made with it belongs to a comment old enough to have lost its hash already.
 */
export function saltExpired(
  period: string,
  periodHours: number,
  now: string,
  retentionDays: number,
): boolean {
  return saltPeriodEnd(period, periodHours) <= retentionCutoff(now, retentionDays);
}
