/**
 * Who is behind a session or API token, remembered between requests. Every authenticated
 * request otherwise reads its caller from the store: on PostgreSQL that one query was more
 * than half of the statements an append sent, and half of the database's work.
 *
 * What may be remembered is exactly what a store read would say now, so an entry is dropped
 * whenever that could have changed: this process's own changes (a token or session revoked, a
 * password or membership changed) drop the account's entries at once, and other processes'
 * changes when their word arrives (PostgreSQL's NOTIFY on the access channel, sent inside the
 * changing transaction: see store/commit-feed.ts). While that word cannot be heard (SQLite,
 * whose other processes send none; a PostgreSQL feed that is down) nothing is remembered and
 * every request reads the store, as before.
 *
 * A read already under way when an account changed might bring back what was true before the
 * change: `put` refuses it, since the generation it started in is over.
 */
export interface Remembered<T> {
  account: string;
  value: T;
  /** performance.now() when read from the store. */
  at: number;
}

/** An upper bound on how long an entry is trusted even if no word of a change came. */
export const CALLER_MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 10_000;

export class CallerCache<T> {
  private readonly entries = new Map<string, Remembered<T>>();
  private generation = 0;

  /** `trusted`: whether every change to accounts, wherever made, is heard right now. */
  constructor(
    private readonly trusted: () => boolean,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (!this.trusted() || this.clock() - hit.at >= CALLER_MAX_AGE_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  /** Marks the start of a store read whose result may be remembered with `put`. */
  begin(): number {
    return this.generation;
  }

  /** Remembers what a store read begun at `since` found, unless something changed meanwhile. */
  put(key: string, account: string, value: T, since: number): void {
    if (since !== this.generation || !this.trusted()) return;
    if (this.entries.size >= MAX_ENTRIES) {
      // The oldest entry goes: a Map iterates in insertion order.
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { account, value, at: this.clock() });
  }

  /** An account's access may have changed: forget its callers, and reads begun before now. */
  forget(account: string): void {
    this.generation += 1;
    for (const [key, hit] of this.entries) if (hit.account === account) this.entries.delete(key);
  }

  /** Anything may have changed (word of changes stopped, or resumed after a gap). */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
