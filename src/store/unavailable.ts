/**
 * Whether an error says the database could not be used for a moment, rather than that the
 * request was wrong or Parley is: PostgreSQL restarting, shutting down or refusing connections,
 * a connection that broke, or SQLite still locked by another writer after the busy timeout.
 * Such a request wrote nothing (its transaction never committed) and may simply be sent again.
 */
const POSTGRES_CODES = new Set([
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, in recovery)
  "53300", // too_many_connections
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);
const NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "SQLITE_BUSY"]);
const MESSAGES = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /timeout exceeded when trying to connect/,
  /^terminating connection/,
];

export function isStoreUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  const code = typeof e.code === "string" ? e.code : "";
  // Class 08: connection exceptions.
  if (POSTGRES_CODES.has(code) || code.startsWith("08") || NODE_CODES.has(code)) return true;
  const message = typeof e.message === "string" ? e.message : "";
  return MESSAGES.some((m) => m.test(message));
}
