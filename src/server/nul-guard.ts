import type { FastifyRequest } from "fastify";
import { ParleyError } from "../domain/errors.ts";

/**
 * Refuses any request whose path, query or body carries the NUL character (U+0000). No text
 * of Parley's has a use for it, and PostgreSQL cannot store it in a text column (SQLite can):
 * refusing it at the edge keeps both stores answering alike, with a 400 naming the field
 * instead of a 500. (Inside a signed entry's JSON it would be escaped anyway; this is about
 * every other column.)
 */
export async function rejectNul(req: FastifyRequest): Promise<void> {
  const where = nulAt(req.params, "params") ?? nulAt(req.query, "querystring") ?? nulAt(req.body, "body");
  if (where !== null) {
    throw new ParleyError("VALIDATION_FAILED", `${where}: may not contain the NUL character (U+0000)`);
  }
}

/** The path of the first string holding a NUL, or null. */
function nulAt(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (depth > 64 || value === null || typeof value !== "object") return null;
  for (const [key, v] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (key.includes("\u0000")) return at;
    const found = nulAt(v, at, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
