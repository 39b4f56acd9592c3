import { parentPort } from "node:worker_threads";
import { checkLines, type LineVerdict, type SignerKeyInfo } from "../ledger/export-file.ts";

/**
 * Checks lines of an export file for `parley verify FILE` and `parley import`: each line's
 * schema, canonical bytes, signature and leaf hash (ledger/export-file.ts, checkLine), on a
 * worker thread so that every core verifies signatures while the main thread reads on.
 */
export interface ExportCheckJob {
  id: number;
  dispute: string;
  /** Each signer's key id, organization, raw public key and retirement time. */
  keys: [string, string, Uint8Array, string | null][];
  lines: string[];
}

export interface ExportCheckResult {
  id: number;
  verdicts: LineVerdict[];
}

/** A handful of keys, rebuilt for each batch: cheaper than anything that would cache them. */
function keysOf(job: ExportCheckJob): Map<string, SignerKeyInfo> {
  const keys = new Map<string, SignerKeyInfo>();
  for (const [keyId, org, raw, retiredAt] of job.keys)
    keys.set(keyId, { org, raw: Buffer.from(raw), retiredAt });
  return keys;
}

parentPort?.on("message", (job: ExportCheckJob) => {
  try {
    const verdicts = checkLines(job.lines, { dispute: job.dispute, keys: keysOf(job) });
    const result: ExportCheckResult = { id: job.id, verdicts };
    parentPort?.postMessage(result);
  } catch (err) {
    parentPort?.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
