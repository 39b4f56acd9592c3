#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so there is no build step to forget.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// `verify` streams a ledger of any length. V8 would otherwise let an allocation-heavy
// process's heap grow to hundreds of megabytes before collecting; a cap keeps its footprint
// flat (bench/run.ts measures verify under the same cap).
const VERIFY_HEAP_MB = 96;
const args = process.argv.slice(2);
if (args[0] === "verify" && !process.execArgv.some((a) => a.startsWith("--max-old-space-size"))) {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [`--max-old-space-size=${VERIFY_HEAP_MB}`, self, ...args], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(args);
