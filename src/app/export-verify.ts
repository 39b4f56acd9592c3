import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { type ExportReport, type LineChecker, verifyExport } from "../ledger/export-file.ts";
import type { ExportCheckJob, ExportCheckResult } from "./export-check-worker.ts";
import { keysToWire } from "./wire-keys.ts";
import { WorkerPool } from "./worker-pool.ts";

/** An export file's lines, read as a stream: a file may be larger than memory. */
export function fileLines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
}

/**
 * Below this size a file is checked on the calling thread: starting workers (bundling their
 * code, opening threads) takes longer than checking a few thousand lines.
 */
const WORKERS_FROM_BYTES = 2 * 1024 * 1024;

/**
 * Verifies an export file (`parley verify FILE`, `parley import`), its lines checked on worker
 * threads when it is large enough to gain from them. The report is the same either way.
 */
export async function verifyExportFile(
  path: string,
  opts: { trustedCheckpointKey?: Buffer; workers?: boolean } = {},
): Promise<ExportReport> {
  const { workers = (await stat(path)).size >= WORKERS_FROM_BYTES, ...rest } = opts;
  if (!workers) return verifyExport(fileLines(path), rest);
  const pool = new WorkerPool<Omit<ExportCheckJob, "id">, ExportCheckResult>(
    new URL("./export-check-worker.ts", import.meta.url),
  );
  const checker: LineChecker = async (lines, ctx) => {
    return (await pool.run({ dispute: ctx.dispute, keys: keysToWire(ctx.keys), lines })).verdicts;
  };
  try {
    return await verifyExport(fileLines(path), { ...rest, checker });
  } finally {
    await pool.close();
  }
}
