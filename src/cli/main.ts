import { createWriteStream } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { Accounts, ROLES, type Role } from "../app/accounts.ts";
import { importExport, writeExport } from "../app/export.ts";
import { verifyExportFile } from "../app/export-verify.ts";
import { Parley } from "../app/parley.ts";
import { rebuildProjections } from "../app/rebuild.ts";
import { verifyStore } from "../app/verify-store.ts";
import { PUBLIC, parseViewer } from "../app/visibility.ts";
import { DEMO_PASSWORD } from "../demo/accounts.ts";
import { loadDemo } from "../demo/load.ts";
import { fail, ParleyError } from "../domain/errors.ts";
import { OrgKind } from "../domain/values.ts";
import { serve } from "../server/serve.ts";
import { defaultLocation } from "../store/db.ts";
import { redact } from "../store/postgres.ts";
import { isStoreUnavailable } from "../store/unavailable.ts";
import { formatExportReport, formatStatus, formatStoreReport } from "./format.ts";
import { formatImportReport, importWordPress } from "./import-wordpress.ts";
import { registerStoreCommands } from "./store-commands.ts";
import { registerWitness } from "./witness.ts";

/** Exit codes: 0 done, 1 the operation failed or found a problem, 2 the command line was wrong. */
const FAILED = 1;
const USAGE = 2;

const dbOption = () =>
  new Option(
    "--db <location>",
    "SQLite database file or postgres:// URL (default: $PARLEY_DATABASE_URL, else $PARLEY_DB or ./data/parley.db)",
  );

/** `create`: the command may start a new database (start, demo, import); the others read one. */
async function withApp<T>(
  db: string | undefined,
  fn: (app: Parley) => Promise<T>,
  create = false,
): Promise<T> {
  const app = await Parley.open(db ?? defaultLocation(), { mustExist: !create });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

const portOption = () =>
  new Option("--port <n>", "TCP port").default(3000).argParser((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("a port is 0–65535");
    return n;
  });
const hostOption = () => new Option("--host <address>", "address to listen on").default("127.0.0.1");
const publicUrlOption = () =>
  new Option(
    "--public-url <url>",
    "the site's public address, for canonical links, feeds and social cards (default: $PARLEY_PUBLIC_URL or http://HOST:PORT)",
  ).argParser((v) => {
    try {
      const url = new URL(v);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
      return url.origin;
    } catch {
      throw new InvalidArgumentError("an http or https address, such as https://parley.example.org");
    }
  });
const logLevelOption = () =>
  new Option("--log-level <level>", "pino log level: info logs every request")
    .choices(["trace", "debug", "info", "warn", "error", "fatal", "silent"])
    .default("info");

async function serveUntilStopped(
  app: Parley,
  o: { port: number; host: string; logLevel: string; publicUrl?: string },
): Promise<void> {
  let stopped!: () => void;
  const closed = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  try {
    const publicUrl = o.publicUrl ?? process.env.PARLEY_PUBLIC_URL;
    const s = await serve(app, {
      host: o.host,
      port: o.port,
      logLevel: o.logLevel,
      onClosed: stopped,
      ...(publicUrl ? { publicUrl } : {}),
    });
    print(
      `Parley is serving ${s.url}: the public site at ${s.url}/, the workspace at ${s.url}/workspace, the API reference at ${s.url}/api/docs. Ctrl-C stops it.`,
    );
  } catch (err) {
    await app.close();
    throw err;
  }
  await closed;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new ParleyError("VALIDATION_FAILED", "pipe the password on standard input");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function buildProgram(): Command {
  const program = new Command("parley")
    .description("The shared, signed record of a collective-bargaining negotiation and the strike around it.")
    .showHelpAfterError()
    .exitOverride();

  program
    .command("start")
    .description("Load the demo into an empty database, show the demo dispute's status and serve it")
    .addOption(dbOption())
    .addOption(portOption())
    .addOption(hostOption())
    .addOption(logLevelOption())
    .addOption(publicUrlOption())
    .option("--no-serve", "only load the demo and print the status")
    .action(
      async (o: {
        db?: string;
        port: number;
        host: string;
        logLevel: string;
        publicUrl?: string;
        serve: boolean;
      }) => {
        const app = await Parley.open(o.db ?? defaultLocation());
        try {
          if ((await app.disputes()).length === 0) {
            const { disputes, accounts } = await loadDemo(app);
            print(
              `Loaded the demo disputes ${disputes.join(", ")} into ${redact(o.db ?? defaultLocation())}.`,
            );
            print(`Demo accounts (password ${DEMO_PASSWORD}): ${accounts.join(", ")}.\n`);
          }
          print(formatStatus(await app.status("wga-2023", PUBLIC), "public"));
          print(formatStatus(await app.status("wga-2023", PUBLIC, "2023-09-14"), "public"));
        } catch (err) {
          await app.close();
          throw err;
        }
        if (!o.serve) {
          print(
            "Try: npx parley status wga-2023 --as-of 2023-08-22 --json · npx parley verify --db data/parley.db",
          );
          await app.close();
          return;
        }
        await serveUntilStopped(app, o);
      },
    );

  program
    .command("serve")
    .description("Serve the HTTP API (GET /api/docs for its reference) until SIGTERM or SIGINT")
    .addOption(dbOption())
    .addOption(portOption())
    .addOption(hostOption())
    .addOption(logLevelOption())
    .addOption(publicUrlOption())
    .action(async (o: { db?: string; port: number; host: string; logLevel: string; publicUrl?: string }) =>
      serveUntilStopped(await Parley.open(o.db ?? defaultLocation()), o),
    );

  program
    .command("org")
    .description("Manage the directory of organizations")
    .command("add")
    .description("Register an organization (and make its signing key)")
    .requiredOption("--id <id>", "lowercase letters, digits and dashes, e.g. wga-west")
    .requiredOption("--name <name>", "its full name")
    .requiredOption("--short-name <name>", "the name lists show, e.g. WGA West")
    .addOption(new Option("--kind <kind>", "what it is").choices(OrgKind.options).makeOptionMandatory())
    .addOption(dbOption())
    .action(async (o: { id: string; name: string; shortName: string; kind: OrgKind; db?: string }) =>
      withApp(
        o.db,
        async (app) => {
          if (await app.organization(o.id)) fail("ORG_EXISTS");
          await app.registerOrganization({ id: o.id, name: o.name, shortName: o.shortName, kind: o.kind });
          print(`registered ${o.id} (${o.shortName}), with its signing key`);
        },
        true,
      ),
    );

  program
    .command("user")
    .description("Manage accounts")
    .command("add")
    .description(
      "Create an account in an organization, or a server operator; the password is read from standard input",
    )
    .requiredOption("--email <email>", "the account's email, its sign-in name")
    .requiredOption("--name <name>", "the person's name")
    .option("--org <id>", "the organization the account belongs to (with --role)")
    .addOption(new Option("--role <role>", "its role there").choices(ROLES))
    .option("--operator", "the account runs this server: registers organizations, appoints their members")
    .addOption(dbOption())
    .action(
      async (o: {
        email: string;
        name: string;
        org?: string;
        role?: Role;
        operator?: boolean;
        db?: string;
      }) =>
        withApp(o.db, async (app) => {
          const password = (await readStdin()).replace(/\r?\n$/, "");
          const accounts = new Accounts(app.db, () => new Date(app.now()));
          const { id } = await accounts.add({
            email: o.email,
            name: o.name,
            password,
            ...(o.org === undefined ? {} : { org: o.org }),
            ...(o.role === undefined ? {} : { role: o.role }),
            operator: o.operator === true,
          });
          const what = [o.org === undefined ? null : `${o.role} of ${o.org}`, o.operator ? "operator" : null];
          print(`created account ${id} (${o.email.toLowerCase()}), ${what.filter(Boolean).join(", ")}`);
        }),
    );

  program
    .command("demo")
    .description("Create the demo disputes wga-2023 and sag-aftra-2023 from the public record")
    .addOption(dbOption())
    .action(async (o: { db?: string }) =>
      withApp(
        o.db,
        async (app) => {
          const { disputes } = await loadDemo(app);
          print(`created ${disputes.join(", ")}`);
        },
        true,
      ),
    );

  program
    .command("status")
    .description("Show a dispute at a glance: strike days, meetings, whose move on each issue")
    .argument("<slug>", "the dispute, e.g. wga-2023")
    .option("--as-of <date>", "a date (YYYY-MM-DD, end of that day in the dispute's zone) or a UTC instant")
    .option("--recorded-by <instant>", "only what had been recorded by then (the audit view)")
    .option("--viewer <who>", "public, all, or an organization id (its negotiators' view)", "public")
    .option("--json", "print one JSON object")
    .addOption(dbOption())
    .action(
      async (
        slug: string,
        o: { asOf?: string; recordedBy?: string; viewer: string; json?: boolean; db?: string },
      ) =>
        withApp(o.db, async (app) => {
          const viewer = parseViewer(o.viewer);
          const status = await app.status(slug, viewer, o.asOf, o.recordedBy);
          print(o.json ? JSON.stringify(status, null, 2) : formatStatus(status, o.viewer));
        }),
    );

  program
    .command("export")
    .description(
      "Write what a viewer may see of a dispute as JSON Lines: entries, hashes of the rest, the checkpoint",
    )
    .argument("<slug>", "the dispute")
    .option("--viewer <who>", "public, all, or an organization id", "public")
    .option("--out <file>", "write to a file instead of standard output")
    .addOption(dbOption())
    .action(async (slug: string, o: { viewer: string; out?: string; db?: string }) =>
      withApp(o.db, async (app) => {
        const out = o.out ? createWriteStream(o.out, { mode: 0o644 }) : process.stdout;
        const counts = await writeExport(app, slug, parseViewer(o.viewer), out);
        if (o.out) {
          await new Promise<void>((resolve, reject) =>
            out.end((err?: Error | null) => (err ? reject(err) : resolve())),
          );
          process.stderr.write(
            `wrote ${o.out}: ${counts.full} entries in full, ${counts.hidden} as hashes\n`,
          );
        }
      }),
    );

  program
    .command("verify")
    .description("Verify an export file offline, or with --db the whole live store")
    .argument("[target]", "the export file; with --db, an optional dispute slug")
    .option("--json", "print the report as JSON")
    .option(
      "--checkpoint-key <base64>",
      "only trust checkpoints signed by this Ed25519 public key (export files)",
    )
    .addOption(dbOption())
    .action(
      async (target: string | undefined, o: { json?: boolean; db?: string; checkpointKey?: string }) => {
        if (o.db !== undefined) {
          const app = await Parley.open(o.db, { mustExist: true });
          try {
            const report = await verifyStore(app, target);
            print(o.json ? JSON.stringify(report, null, 2) : formatStoreReport(report));
            if (!report.ok) process.exitCode = FAILED;
          } finally {
            await app.close();
          }
          return;
        }
        if (!target)
          throw new ParleyError("VALIDATION_FAILED", "give an export file, or --db PATH to verify a store");
        const trusted = o.checkpointKey ? Buffer.from(o.checkpointKey, "base64") : undefined;
        const report = await verifyExportFile(target, trusted ? { trustedCheckpointKey: trusted } : {});
        print(o.json ? JSON.stringify(report, null, 2) : formatExportReport(target, report));
        if (!report.ok) process.exitCode = FAILED;
      },
    );

  program
    .command("rebuild")
    .description("Rebuild the read models of every dispute (or one) from the ledger")
    .argument("[slug]", "only this dispute")
    .addOption(dbOption())
    .action(async (slug: string | undefined, o: { db?: string }) =>
      withApp(o.db, async (app) => {
        const disputes = slug ? [await app.disputeRow(slug)] : await app.disputes();
        for (const d of disputes) {
          const r = await rebuildProjections(app.db, d.id, d.slug);
          print(
            `${d.slug}: ${r.timeline} timeline rows, ${r.snapshots} snapshots, ${r.search} entries in the search index`,
          );
        }
        app.forget();
      }),
    );

  program
    .command("import")
    .description(
      "Load an export made with --viewer all, after verifying it, into a store holding the same keys",
    )
    .argument("<file>", "the export file")
    .addOption(dbOption())
    .action(async (file: string, o: { db?: string }) =>
      withApp(
        o.db,
        async (app) => {
          const r = await importExport(app, file);
          print(`imported ${r.dispute}: ${r.entries} entries`);
        },
        true,
      ),
    );

  program
    .command("import-wordpress")
    .description(
      "Bring a WordPress export's posts and approved comments into a dispute's newsroom, and report what was skipped",
    )
    .argument("<file>", "the WordPress export (WXR), e.g. picketline.WordPress.2023-09-30.xml")
    .requiredOption("--dispute <slug>", "the dispute the posts are about, e.g. wga-2023")
    .requiredOption("--as <email>", "the account the posts are written as: a writer for the dispute")
    .option(
      "--org <id>",
      "the organization they are written for (needed when the account writes for several)",
    )
    .option("--dry-run", "check the file and report what would be imported, writing nothing")
    .addOption(dbOption())
    .action(
      async (file: string, o: { dispute: string; as: string; org?: string; dryRun?: boolean; db?: string }) =>
        withApp(o.db, async (app) => {
          const report = await importWordPress(app, file, {
            dispute: o.dispute,
            as: o.as,
            org: o.org,
            dryRun: o.dryRun === true,
          });
          print(formatImportReport(report));
        }),
    );

  registerStoreCommands(program);
  registerWitness(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are successes; commander already printed its message.
      return err.exitCode === 0 ? 0 : USAGE;
    }
    if (err instanceof ParleyError) {
      process.stderr.write(`parley: ${err.code}: ${err.message}\n`);
      return FAILED;
    }
    const e = err as NodeJS.ErrnoException;
    if (isStoreUnavailable(e)) {
      // A database that is down or unreachable is the operator's to fix, not a bug: no stack.
      process.stderr.write(`parley: STORE_UNAVAILABLE: the database cannot be used: ${e.message}\n`);
      return FAILED;
    }
    if (["ENOENT", "EACCES", "EISDIR", "EADDRINUSE", "EADDRNOTAVAIL"].includes(e?.code ?? "")) {
      // Node's message already starts with the code ("ENOENT: no such file…").
      process.stderr.write(
        `parley: ${e.message.startsWith(`${e.code}:`) ? e.message : `${e.code}: ${e.message}`}\n`,
      );
      return FAILED;
    }
    process.stderr.write(
      `parley: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return FAILED;
  }
}
