import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { addCosignature } from "../../src/app/cosignatures.ts";
import { Parley } from "../../src/app/parley.ts";
import { OPERATOR, PUBLIC, type Viewer } from "../../src/app/visibility.ts";
import type { Command } from "../../src/domain/decide.ts";
import { parseCheckpoint, signatureLine } from "../../src/ledger/checkpoint.ts";
import { KeyStore } from "../../src/store/keystore.ts";

let schemas = 0;

/**
 * A fresh, empty store for one test. In the SQLite run: a database file in its own temporary
 * folder, keys beside it. In the PostgreSQL run (vitest.config.ts): a schema of its own on
 * the run's server, keys in a folder of their own under the run's data folder.
 */
export function tempDb(): string {
  const postgres = inject("postgres");
  if (!postgres) return join(mkdtempSync(join(tmpdir(), "parley-test-")), "parley.db");
  process.env.PARLEY_DATA_DIR = postgres.dataDir;
  schemas += 1;
  const url = new URL(postgres.url);
  url.searchParams.set("schema", `${postgres.schemaPrefix}${process.pid.toString(36)}_${schemas}`);
  return url.toString();
}

/** A fresh temporary folder, for a test's own files (never beside tempDb(), which may be a URL). */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "parley-test-"));
}

/** The folder holding a store's private keys (KeyStore.forLocation). */
export function keysDirOf(location: string): string {
  return KeyStore.forLocation(location).dir;
}

/** Whether this run's stores are PostgreSQL (for the few tests about one store's own files). */
export function onPostgres(): boolean {
  return inject("postgres") !== undefined;
}

export const WGA = { org: "wga-west", user: "negotiator-w" };
export const AMPTP = { org: "amptp", user: "negotiator-a" };
export const PRESS = { org: "daily-press", user: "reporter" };

/** Every kind of viewer of `smallDispute` that sees a different record from the others. */
export const SMALL_DISPUTE_VIEWERS: Viewer[] = [
  OPERATOR,
  PUBLIC,
  { kind: "org", org: WGA.org, role: "negotiator" },
  { kind: "org", org: AMPTP.org, role: "negotiator" },
  { kind: "org", org: WGA.org, role: "member" },
];

export const VISIBILITIES = ["public", "table", "private", "members"] as const;

/** Markers planted in private and members-only entries: no other viewer may ever see them. */
export const MARKERS = {
  wgaPrivate: "MARKER-WGA-PRIVATE-7f3a",
  amptpPrivate: "MARKER-AMPTP-PRIVATE-91c2",
  wgaMembers: "MARKER-WGA-MEMBERS-4410",
  table: "MARKER-TABLE-ONLY-55d0",
};

const at = (day: string, time = "17:00:00") => `2023-${day}T${time}Z`;

/** Registers the test organizations and opens a two-sided dispute, signed by the WGA side. */
export async function openTestDispute(app: Parley, slug: string, title = "Test dispute") {
  await app.registerOrganization({
    id: "wga-west",
    name: "Writers Guild of America West",
    shortName: "WGA West",
    kind: "union",
  });
  await app.registerOrganization({
    id: "amptp",
    name: "Alliance of Motion Picture and Television Producers",
    shortName: "AMPTP",
    kind: "employer-association",
  });
  await app.registerOrganization({
    id: "daily-press",
    name: "Daily Press",
    shortName: "Daily Press",
    kind: "press",
  });
  return app.openDispute(slug, WGA, {
    occurredAt: at("03-20"),
    visibility: "public",
    payload: {
      title,
      timeZone: "America/Los_Angeles",
      agreement: { name: "Test MBA", expiresAt: "2023-05-02T06:59:00Z" },
      sides: [
        { id: "wga", name: "Writers Guild of America", shortName: "WGA" },
        { id: "amptp", name: "AMPTP", shortName: "AMPTP" },
      ],
    },
  });
}

/**
 * A small dispute with every visibility level, a published entry, a TA, a strike, and
 * `extra` filler statements (to push a ledger past snapshot boundaries when needed).
 */
export async function smallDispute(dbPath = tempDb(), opts: { extra?: number } = {}) {
  const app = await Parley.open(dbPath, { clock: () => new Date("2026-01-01T00:00:00Z") });
  await openTestDispute(app, "test-2023");
  const c = (
    actor: typeof WGA,
    type: string,
    occurredAt: string,
    visibility: string,
    payload: unknown,
  ): Command => ({
    actor,
    type,
    occurredAt,
    visibility,
    payload,
  });
  const org = (id: string, name: string, shortName: string, kind: string) => ({ id, name, shortName, kind });
  const commands: Command[] = [
    c(WGA, "party.joined", at("03-20"), "public", {
      org: org("wga-west", "Writers Guild of America West", "WGA West", "union"),
      side: "wga",
    }),
    c(AMPTP, "party.joined", at("03-20"), "public", {
      org: org(
        "amptp",
        "Alliance of Motion Picture and Television Producers",
        "AMPTP",
        "employer-association",
      ),
      side: "amptp",
      represents: [org("netflix", "Netflix", "Netflix", "employer")],
    }),
    c(PRESS, "organization.registered", at("03-20"), "public", {
      org: org("daily-press", "Daily Press", "Daily Press", "press"),
    }),
    c(WGA, "issue.opened", at("03-20", "18:00:00"), "public", { issue: "wages", title: "Wage minimums" }),
    c(WGA, "issue.opened", at("03-20", "18:00:00"), "public", {
      issue: "ai",
      title: "Artificial intelligence",
    }),
    c(WGA, "pass.made", at("03-21"), "table", {
      kind: "proposal",
      summary: MARKERS.table,
      issues: [
        {
          issue: "wages",
          language: "Raise minimums 6%, 5%, 5%.",
          terms: [{ key: "year-1", value: "6", unit: "%" }],
        },
        { issue: "ai", language: "AI is not a writer." },
      ],
    }),
    c(WGA, "note.recorded", at("03-22"), "private", { text: `Caucus: hold firm. ${MARKERS.wgaPrivate}` }),
    c(AMPTP, "note.recorded", at("03-22"), "private", {
      text: `Caucus: offer less. ${MARKERS.amptpPrivate}`,
    }),
    c(WGA, "statement.made", at("03-23"), "members", {
      by: "wga-west",
      channel: "member-update",
      text: `Update. ${MARKERS.wgaMembers}`,
    }),
    c(AMPTP, "pass.made", at("04-11"), "table", {
      kind: "counterproposal",
      issues: [
        {
          issue: "wages",
          language: "Raise minimums 4%, 3%, 2%.",
          terms: [{ key: "year-1", value: "4", unit: "%" }],
        },
      ],
    }),
    c(AMPTP, "meeting.scheduled", at("04-20"), "public", {
      meeting: "s1",
      kind: "table",
      start: at("04-21"),
      end: at("04-21", "20:00:00"),
    }),
    c(AMPTP, "meeting.held", at("04-21", "20:00:00"), "public", { meeting: "s1" }),
    c(WGA, "stoppage.started", at("05-02", "07:01:00"), "public", {
      stoppage: "strike",
      kind: "strike",
      by: ["wga-west"],
      against: ["amptp"],
      start: at("05-02", "07:01:00"),
    }),
    c(PRESS, "comment.requested", at("05-03"), "public", {
      request: "rfc-1",
      to: "amptp",
      question: "Any comment?",
      deadline: at("05-04"),
    }),
    c(AMPTP, "entry.published", at("05-05"), "public", { entry: 10 }),
    c(AMPTP, "ta.signed", at("09-24"), "table", { issues: ["ai"], wholeAgreement: false }),
  ];
  for (let i = 0; i < (opts.extra ?? 0); i++) {
    commands.push(
      c(PRESS, "statement.made", at("09-25"), "public", {
        by: "daily-press",
        channel: "other",
        text: `Filler ${i}`,
      }),
    );
  }
  await app.executeBatch("test-2023", commands);
  return { app, dbPath };
}

/**
 * `org` cosigns the dispute's checkpoint of `size` (default: the latest) with its own key, as
 * `parley witness --cosign` would, and the store records it; returns the size and the line.
 */
export async function cosignCheckpoint(
  app: Parley,
  slug: string,
  org: string,
  size?: number,
): Promise<{ size: number; line: string }> {
  const cp =
    size === undefined
      ? (await app.latestCheckpoint(slug))!
      : await app.db
          .selectFrom("checkpoints")
          .select(["size", "note"])
          .where("size", "=", size)
          .where("dispute_id", "=", (await app.disputeRow(slug)).id)
          .executeTakeFirstOrThrow();
  const key = app.keys.require(org);
  const line = signatureLine(parseCheckpoint(cp.note).body, {
    name: org,
    privateKey: key.privateKey,
    publicRaw: key.publicRaw,
  });
  const stored = await addCosignature(app, slug, cp.size, org, line);
  return { size: cp.size, line: stored.line };
}
