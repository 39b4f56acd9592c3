import type { FastifyRequest } from "fastify";
import { ParleyError } from "../domain/errors.ts";

/**
 * Refuses any request whose path, query or body carries the NUL character (U+0000). No text
 * of Parley's has a use for it, and PostgreSQL cannot store it in a text column (SQLite can):
 * refusing it at the edge keeps both stores answering alike, with a 400 instead of a 500.
 * (Inside a signed entry's JSON it would be escaped anyway; this is about every other column.)
 */
export async function rejectNul(req: FastifyRequest): Promise<void> {
  if (hasNul(req.params) || hasNul(req.query) || hasNul(req.body)) {
    throw new ParleyError("VALIDATION_FAILED", "text may not contain the NUL character (U+0000)");
  }
}

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (depth > 64 || value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some((v) => hasNul(v, depth + 1));
  for (const [key, v] of Object.entries(value))
    if (hasNul(key, depth + 1) || hasNul(v, depth + 1)) return true;
  return false;
}
