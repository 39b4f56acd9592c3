import type { Writable } from "node:stream";
import type { Insertable, Transaction } from "kysely";
import { fail } from "../domain/errors.ts";
import { sideOf } from "../domain/state.ts";
import type { Organization } from "../domain/values.ts";
import { noteSignedBy, parseCheckpoint } from "../ledger/checkpoint.ts";
import { keyIdOf } from "../ledger/ed25519.ts";
import { ExportHeader } from "../ledger/export-file.ts";
import { canonicalBytes } from "../ledger/jcs.ts";
import { CompactRange, entryLeafHash } from "../ledger/merkle.ts";
import { AppendStatements } from "../store/append-statements.ts";
import { CHECKPOINT_KEY } from "../store/keystore.ts";
import { type EntryRow, entriesInOrder, latestCheckpoint, type NodeRow } from "../store/ledger-repo.ts";
import type { Database } from "../store/schema.ts";
import { storedCosignatures } from "./cosignatures.ts";
import { fileLines, verifyExportFile } from "./export-verify.ts";
import type { Parley } from "./parley.ts";
import { rebuildProjectionsIn } from "./rebuild.ts";
import { parseEntry } from "./views.ts";
import { canSee, type Viewer } from "./visibility.ts";

/** The name a viewer is recorded under in an export header. */
function viewerName(viewer: Viewer): string {
  return viewer.kind === "org"
    ? `${viewer.role}:${viewer.org}`
    : viewer.kind === "operator"
      ? "all"
      : "public";
}

/**
 * Writes what `viewer` may see of a dispute: those entries in full, the leaf hashes of the
 * rest, and the latest checkpoint. Streams, so a long ledger never sits in memory.
 */
export async function writeExport(
  app: Parley,
  slug: string,
  viewer: Viewer,
  out: Writable,
): Promise<{ full: number; hidden: number }> {
  const d = await app.disputeRow(slug);
  const cp =
    (await latestCheckpoint(app.db, d.id)) ?? fail("DISPUTE_UNKNOWN", "the dispute has no checkpoint yet");
  if (viewer.kind === "org" && !(await app.organization(viewer.org))) {
    fail("ORG_UNKNOWN", `unknown organization ${viewer.org}`);
  }
  const all = await app.view(slug, { kind: "operator" });
  const side = viewer.kind === "org" ? sideOf(all, viewer.org) : null;
  const signers = new Set(
    (
      await app.db
        .selectFrom("ledger_entries")
        .select("key_id")
        .distinct()
        .where("dispute_id", "=", d.id)
        .execute()
    ).map((r) => r.key_id),
  );
  // Oldest first, on every store (PostgreSQL returns an updated row, a retired key, last).
  const keys = await app.db
    .selectFrom("signing_keys")
    .selectAll()
    .orderBy("created_at")
    .orderBy("key_id")
    .execute();
  const cpKey =
    keys.find((k) => k.org_id === CHECKPOINT_KEY) ?? fail("KEY_MISSING", "no checkpoint key recorded");
  const published = new Set(Object.keys(all.published).map(Number));
  const cosignatures = await storedCosignatures(app.db, d.id, cp.size);
  const keyById = new Map(keys.map((k) => [k.key_id, k]));
  const header: ExportHeader = {
    format: "parley-export",
    version: 2,
    dispute: slug,
    origin: d.origin,
    viewer: viewerName(viewer),
    exportedAt: app.now(),
    size: cp.size,
    // The log's own note ends with its signature line; each witness's line follows it.
    checkpoint: `${cp.note}${cosignatures.map((c) => `${c.line}\n`).join("")}`,
    checkpointKey: {
      name: d.origin.slice(0, d.origin.length - slug.length - 1),
      publicKey: Buffer.from(cpKey.public_key).toString("base64"),
    },
    keys: keys
      .filter((k) => signers.has(k.key_id))
      .map((k) => ({
        keyId: k.key_id,
        org: k.org_id,
        publicKey: Buffer.from(k.public_key).toString("base64"),
        // Left out for a current key: the header is then what it was before rotation existed.
        ...(k.retired_at === null ? {} : { retiredAt: k.retired_at }),
      })),
    // A cosignature whose key is missing from signing_keys (a damaged store, which `verify
    // --db` reports) still travels; a reader then sees its line as one from an unknown key.
    witnesses: cosignatures.flatMap((c) => {
      const k = keyById.get(c.key_id);
      return k
        ? [{ keyId: c.key_id, org: c.org_id, publicKey: Buffer.from(k.public_key).toString("base64") }]
        : [];
    }),
  };
  await write(out, `${JSON.stringify(header)}\n`);
  let full = 0;
  let hidden = 0;
  for await (const row of entriesInOrder(app.db, d.id)) {
    if (row.seq >= cp.size) break;
    // An author's side comes from the dispute's parties, not a per-entry map: the export streams.
    const authored = { visibility: row.visibility, org: row.org_id, side: sideOf(all, row.org_id) };
    const line =
      canSee(viewer, authored, side) || published.has(row.seq)
        ? {
            seq: row.seq,
            entry: JSON.parse(row.body),
            signature: Buffer.from(row.signature).toString("base64"),
          }
        : { seq: row.seq, leafHash: Buffer.from(row.leaf_hash).toString("base64") };
    if ("entry" in line) full += 1;
    else hidden += 1;
    await write(out, `${JSON.stringify(line)}\n`);
  }
  await write(out, `${JSON.stringify({ end: true, count: full + hidden })}\n`);
  return { full, hidden };
}

/**
 * "The same keys": every signer of the file, and the checkpoint key, must be a private key
 * this store holds, so that it can go on signing for them. Their public halves and the
 * organizations are then recorded in this store's directory. A key the file lists as retired
 * is the exception: nothing signs with it again, and rotation destroyed its private half, so
 * its public half is recorded with its retirement time; the store must then hold a current
 * key for that organization instead, which is recorded too (no entry of the file may carry it).
 */
async function adoptKeys(app: Parley, trx: Transaction<Database>, header: ExportHeader): Promise<void> {
  const cp = app.keys.get(CHECKPOINT_KEY);
  if (!cp || cp.keyId !== keyIdOf(Buffer.from(header.checkpointKey.publicKey, "base64"))) {
    fail("KEY_MISSING", "this store's checkpoint key is not the one that signed the export");
  }
  const rows: Insertable<Database["signing_keys"]>[] = [
    { key_id: cp.keyId, org_id: CHECKPOINT_KEY, public_key: cp.publicRaw, created_at: app.now() },
  ];
  const current = new Set<string>();
  for (const k of header.keys) {
    if (k.retiredAt !== undefined) {
      const raw = Buffer.from(k.publicKey, "base64");
      rows.push({
        key_id: k.keyId,
        org_id: k.org,
        public_key: raw,
        created_at: app.now(),
        retired_at: k.retiredAt,
      });
      continue;
    }
    const mine = app.keys.get(k.org);
    if (!mine || mine.keyId !== k.keyId)
      fail("KEY_MISSING", `this store does not hold ${k.org}'s key ${k.keyId}`);
    rows.push({ key_id: mine.keyId, org_id: k.org, public_key: mine.publicRaw, created_at: app.now() });
    current.add(k.org);
  }
  for (const org of new Set(header.keys.filter((k) => !current.has(k.org)).map((k) => k.org))) {
    const mine = app.keys.get(org);
    if (!mine)
      fail("KEY_MISSING", `this store holds no key of ${org}, whose keys in the file are all retired`);
    if (header.keys.some((k) => k.keyId === mine.keyId))
      fail("KEY_MISSING", `this store's key of ${org}, ${mine.keyId}, is one the file says was retired`);
    rows.push({ key_id: mine.keyId, org_id: org, public_key: mine.publicRaw, created_at: app.now() });
  }
  await trx
    .insertInto("signing_keys")
    .values(rows)
    .onConflict((oc) => oc.column("key_id").doNothing())
    .execute();
}

/** Writes, waiting for the stream to drain when it asks to; each wait removes its listeners. */
function write(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(text)) {
      resolve();
      return;
    }
    const drained = () => {
      out.off("error", failed);
      resolve();
    };
    const failed = (err: Error) => {
      out.off("drain", drained);
      reject(err);
    };
    out.once("drain", drained);
    out.once("error", failed);
  });
}

/**
 * Loads an export made by `parley export --viewer all` into a store that holds the same
 * signing keys: the file is verified first, then its entries are stored byte for byte (so
 * the tree and checkpoint are the same) and the read models are rebuilt; nothing is written
 * if any check fails, including a file that changed between the check and the load.
 */
export async function importExport(app: Parley, path: string): Promise<{ dispute: string; entries: number }> {
  const report = await verifyExportFile(path);
  if (!report.ok) {
    fail("IMPORT_INVALID", `the file did not verify: ${report.problems[0]?.what ?? "unknown problem"}`, {
      problems: report.problems.slice(0, 20),
    });
  }
  if (report.hidden > 0) {
    fail(
      "IMPORT_INCOMPLETE",
      `${report.hidden} entries are present only as hashes; export with --viewer all`,
    );
  }
  const slug = report.dispute!;
  const existing = await app.db
    .selectFrom("disputes")
    .select("id")
    .where("slug", "=", slug)
    .executeTakeFirst();
  if (existing) fail("DISPUTE_EXISTS", `dispute ${slug} already exists here`);

  const statements = new AppendStatements(app.db);
  return app.db.transaction().execute(async (trx) => {
    const range = new CompactRange();
    const organizations: Organization[] = [];
    let header: ExportHeader | null = null;
    let disputeId = -1;
    let rows: EntryRow[] = [];
    let nodes: NodeRow[] = [];
    const flush = async () => {
      await statements.entries(trx, disputeId, rows);
      await statements.nodes(trx, disputeId, nodes);
      rows = [];
      nodes = [];
    };
    for await (const text of fileLines(path)) {
      if (text.trim() === "") continue;
      const json = JSON.parse(text);
      if (!header) {
        header = ExportHeader.parse(json);
        await adoptKeys(app, trx, header);
        const inserted = await trx
          .insertInto("disputes")
          .values({ slug, origin: header.origin, created_at: app.now() })
          .returning("id")
          .executeTakeFirstOrThrow();
        disputeId = inserted.id;
        continue;
      }
      if (json.end === true) break;
      const entry = parseEntry(JSON.stringify(json.entry));
      if (entry.type === "party.joined" || entry.type === "organization.registered") {
        organizations.push(entry.payload.org);
      }
      const bytes = canonicalBytes(entry);
      const signature = Buffer.from(json.signature, "base64");
      const leaf = entryLeafHash(bytes, signature);
      let idx = entry.seq;
      range.append(leaf).forEach((hash, i) => {
        idx = Math.floor(idx / 2);
        nodes.push({ level: i + 1, idx, hash });
      });
      rows.push({
        seq: entry.seq,
        type: entry.type,
        org_id: entry.actor.org,
        key_id: entry.keyId,
        occurred_at: entry.occurredAt,
        recorded_at: entry.recordedAt,
        visibility: entry.visibility,
        body: bytes.toString("utf8"),
        signature,
        leaf_hash: leaf,
      });
      if (rows.length >= 2000) await flush();
    }
    await flush();
    if (!header) fail("IMPORT_INVALID", "the file has no header");
    const checkpoint = parseCheckpoint(header.checkpoint);
    if (range.size !== checkpoint.size || !range.root().equals(checkpoint.root)) {
      fail("IMPORT_INVALID", "the file changed while it was being imported");
    }
    // The stored note is the one the log signed, without the witnesses' lines: the next
    // checkpoint names it by hash, as the exporting store's next checkpoint does.
    let note: string;
    try {
      note = noteSignedBy(header.checkpoint, {
        name: header.checkpointKey.name,
        publicRaw: Buffer.from(header.checkpointKey.publicKey, "base64"),
      });
    } catch {
      // The file verified before the load began: only a change since can leave the log unsigned.
      fail("IMPORT_INVALID", "the file changed while it was being imported");
    }
    await statements.insertCheckpoint(trx, {
      dispute_id: disputeId,
      size: checkpoint.size,
      root: checkpoint.root,
      note,
      created_at: app.now(),
    });
    // The directory learns each organization from how it introduced itself in the ledger.
    for (const org of organizations) {
      await trx
        .insertInto("organizations")
        .values({
          id: org.id,
          name: org.name,
          short_name: org.shortName,
          kind: org.kind,
          created_at: app.now(),
        })
        .onConflict((oc) => oc.column("id").doNothing())
        .execute();
    }
    await rebuildProjectionsIn(trx, disputeId, slug);
    return { dispute: slug, entries: range.size };
  });
}
