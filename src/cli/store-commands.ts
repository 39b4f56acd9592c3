import { type Command, Option } from "commander";
import { backupStore, type MoveReport, moveStore, restoreStore } from "../app/store-moves.ts";
import { defaultLocation } from "../store/db.ts";
import { redact } from "../store/postgres.ts";
import { formatStoreReport } from "./format.ts";

/** `parley backup`, `restore` and `migrate`: copies of a whole store (see app/store-moves.ts). */
export function registerStoreCommands(program: Command): void {
  const dbOption = () =>
    new Option(
      "--db <location>",
      "the store: a SQLite file or postgres:// URL (default as for every command)",
    );

  program
    .command("backup")
    .description(
      "Write a consistent snapshot of the store, while it serves, to a new SQLite file (private keys excluded)",
    )
    .argument("<file>", "the backup file to write, e.g. backups/parley-2023-09-14.db")
    .option("--force", "overwrite the file if it exists")
    .addOption(dbOption())
    .action(async (file: string, o: { db?: string; force?: boolean }) => {
      const from = location(o.db ?? defaultLocation());
      const r = await backupStore(from, file, { force: o.force === true });
      print(`backed up ${redact(from)} to ${r.file}`);
      finish({ ...r, keysMissing: [] });
      print(`Private keys are never in a backup: keep a copy of ${r.keyDir} too, as the secret it is.`);
    });

  program
    .command("restore")
    .description("Load a backup file into the store, and verify it; refuses a store that holds a record")
    .argument("<file>", "a file written by `parley backup`")
    .option("--force", "replace what the store holds")
    .addOption(dbOption())
    .action(async (file: string, o: { db?: string; force?: boolean }) => {
      const to = location(o.db ?? defaultLocation());
      const r = await restoreStore(location(file), to, { force: o.force === true });
      print(`restored ${file} into ${redact(to)}`);
      finish(r);
    });

  program
    .command("migrate")
    .description(
      "Move everything from one store to another (SQLite to PostgreSQL or back), with the private keys, and verify the copy",
    )
    .requiredOption("--from <location>", "the store to copy: sqlite:PATH, a file path, or postgres://…")
    .requiredOption("--to <location>", "the store to fill: sqlite:PATH, a file path, or postgres://…")
    .option("--force", "replace what the target holds")
    .action(async (o: { from: string; to: string; force?: boolean }) => {
      const r = await moveStore(location(o.from), location(o.to), {
        force: o.force === true,
        onTable: (table, rows) => process.stderr.write(`  ${table}: ${rows} rows\n`),
      });
      print(`copied ${redact(o.from)} to ${redact(o.to)}`);
      finish(r);
    });
}

/** `sqlite:PATH` names a SQLite file explicitly, as `postgres://` names a server. */
function location(given: string): string {
  return given.startsWith("sqlite:") ? given.slice("sqlite:".length) : given;
}

function finish(r: Omit<MoveReport, "rows"> & { rows?: Record<string, number> }): void {
  if (r.rows) {
    const total = Object.values(r.rows).reduce((a, b) => a + b, 0);
    print(
      `${total} rows in ${Object.keys(r.rows).length} tables; ${r.rows.ledger_entries ?? 0} ledger entries`,
    );
  }
  print(formatStoreReport(r.verify));
  if (r.keysMissing.length > 0) {
    print(
      `note: no private key in ${r.keyDir} for ${r.keysMissing.join(", ")}: copy them there (mode 600) before this store records anything for them`,
    );
  }
  if (!r.verify.ok) process.exitCode = 1;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
