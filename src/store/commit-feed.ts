import { randomBytes } from "node:crypto";
import { CompiledQuery } from "kysely";
import pg from "pg";
import { preparedOnce } from "./dialect.ts";
import { type PostgresLocation, parsePostgresLocation } from "./postgres.ts";

/**
 * Word of commits between processes sharing one PostgreSQL database. The process that commits
 * appends to a dispute says so with NOTIFY inside its transaction (PostgreSQL delivers it at the
 * commit, in commit order, and never for a rolled-back transaction); every process LISTENs and
 * so learns of entries it did not write: its live streams send them on, its caches move on.
 * SQLite has one process per database file, and no such feed.
 */

export const CHANNEL = "parley_commits";
/**
 * Word that an account's access may have changed (a token or session revoked, a password or
 * membership changed), sent inside the changing transaction; the payload is the account's id.
 * Processes that remember callers between requests (app/caller-cache.ts) forget that account's.
 */
export const ACCESS_CHANNEL = "parley_access";

/** What a commit says of itself: which process, which dispute, which entries (from..to, inclusive). */
export interface CommitNotice {
  by: string;
  slug: string;
  from: number;
  to: number;
}

/** This process among the others: notices it sent itself are ignored by its own listener. */
export const PROCESS_TOKEN = randomBytes(9).toString("base64url");

const NOTIFY = preparedOnce(CompiledQuery.raw("SELECT pg_notify($1, $2)"));

/** The statement a committing transaction runs to announce its entries. */
export function noticeQuery(notice: Omit<CommitNotice, "by">): CompiledQuery {
  const payload: CommitNotice = { by: PROCESS_TOKEN, ...notice };
  return { ...NOTIFY, parameters: [CHANNEL, JSON.stringify(payload)] };
}

/** The statement a transaction that changes an account's access runs to say so. */
export function accessNoticeQuery(accountId: string): CompiledQuery {
  return { ...NOTIFY, parameters: [ACCESS_CHANNEL, accountId] };
}

export interface CommitFeed {
  close(): Promise<void>;
}

/** How long to wait before listening again after the connection broke, doubling up to the cap. */
const RETRY_FIRST_MS = 100;
const RETRY_CAP_MS = 5_000;

export interface FeedHandlers {
  /** Another process committed entries. */
  onCommit(notice: CommitNotice): void;
  /** Some process (this one too) changed an account's access. */
  onAccess(accountId: string): void;
  /**
   * Whether notices are being heard: while not, and for whatever was said before listening
   * resumed, whoever keeps state from them must read the store instead.
   */
  onListening(listening: boolean): void;
}

/**
 * Listens for other processes' commits and changes of access on a connection of its own, and
 * reconnects when it breaks (a database restart).
 */
export function listenForCommits(location: string, handlers: FeedHandlers): CommitFeed {
  const { onCommit, onAccess, onListening } = handlers;
  const where: PostgresLocation = parsePostgresLocation(location);
  let client: pg.Client | null = null;
  let closed = false;
  let retry = RETRY_FIRST_MS;
  let timer: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: where.connectionString });
    client = c;
    c.on("notification", (msg) => {
      if (!msg.payload) return;
      if (msg.channel === ACCESS_CHANNEL) return onAccess(msg.payload);
      if (msg.channel !== CHANNEL) return;
      const notice = parseNotice(msg.payload);
      if (notice && notice.by !== PROCESS_TOKEN) onCommit(notice);
    });
    c.on("error", () => reconnect());
    c.on("end", () => reconnect());
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}; LISTEN ${ACCESS_CHANNEL}`);
      onListening(true);
      retry = RETRY_FIRST_MS;
    } catch {
      reconnect();
    }
  };
  const reconnect = () => {
    if (closed || timer) return;
    onListening(false);
    client?.removeAllListeners();
    client?.end().catch(() => {});
    client = null;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, retry);
    timer.unref();
    retry = Math.min(RETRY_CAP_MS, retry * 2);
  };
  void connect();
  return {
    async close() {
      closed = true;
      onListening(false);
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      c?.removeAllListeners();
      await c?.end().catch(() => {});
    },
  };
}

function parseNotice(payload: string): CommitNotice | null {
  try {
    const n = JSON.parse(payload) as Partial<CommitNotice>;
    if (typeof n.by !== "string" || typeof n.slug !== "string") return null;
    if (!Number.isSafeInteger(n.from) || !Number.isSafeInteger(n.to)) return null;
    return n as CommitNotice;
  } catch {
    return null;
  }
}
