import { parentPort } from "node:worker_threads";
import { checkLines, type LineVerdict } from "../ledger/export-file.ts";
import { keysFromWire, type WireKeys } from "./wire-keys.ts";

/**
 * Checks lines of an export file for `parley verify FILE` and `parley import`: each line's
 * schema, canonical bytes, signature and leaf hash (ledger/export-file.ts, checkLine), on a
 * worker thread so that every core verifies signatures while the main thread reads on.
 */
export interface ExportCheckJob {
  id: number;
  dispute: string;
  /** The header's signers, rebuilt for each batch: a handful, cheaper than caching them. */
  keys: WireKeys;
  lines: string[];
}

export interface ExportCheckResult {
  id: number;
  verdicts: LineVerdict[];
}

parentPort?.on("message", (job: ExportCheckJob) => {
  try {
    const verdicts = checkLines(job.lines, { dispute: job.dispute, keys: keysFromWire(job.keys) });
    const result: ExportCheckResult = { id: job.id, verdicts };
    parentPort?.postMessage(result);
  } catch (err) {
    parentPort?.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
