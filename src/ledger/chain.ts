import { createHash } from "node:crypto";

/**
 * Checkpoints are chained: each names the one before it (its size and the SHA-256 of its
 * note) in an extension line. Roots alone prove that successive checkpoints describe one
 * growing tree, but not that none was taken away; the chain does.
 */
const PREFIX = "parley-prev ";

export function chainLine(previous: { size: number; note: string }): string {
  return `${PREFIX}${previous.size} ${createHash("sha256").update(previous.note, "utf8").digest("base64")}`;
}

/** The link a checkpoint carries, if any (the first checkpoint of a ledger has none). */
export function chainLink(extensions: readonly string[]): string | null {
  return extensions.find((line) => line.startsWith(PREFIX)) ?? null;
}
