import { z } from "zod";
import { keyHash, parseCheckpoint } from "./checkpoint.ts";
import { keyIdOf, publicKeyObject, verifyAsync, verify as verifySync } from "./ed25519.ts";
import { canonicalBytes } from "./jcs.ts";
import { CompactRange, entryLeafHash } from "./merkle.ts";

/**
 * The export format, JSON Lines:
 *   1. a header: the dispute, the viewer it was made for, the public keys of every signer
 *      and the latest checkpoint (a C2SP signed note) with the key that signed it;
 *   2. one line per leaf in sequence order: the entry and its signature where the viewer may
 *      see it, otherwise only its leaf hash (the entry's nonce keeps that hash unguessable);
 *   3. a trailer with the count, so a truncated file cannot pass for a shorter ledger.
 * A verifier needs nothing else: it checks every signature and recomputes the root.
 */
const B64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64");

export const ExportHeader = z.strictObject({
  format: z.literal("parley-export"),
  version: z.literal(1),
  dispute: z.string().min(1).max(64),
  origin: z.string().min(1).max(200),
  viewer: z.string().min(1).max(80),
  exportedAt: z.string(),
  size: z.number().int().nonnegative(),
  checkpoint: z.string().max(10_000),
  checkpointKey: z.strictObject({ name: z.string().min(1).max(200), publicKey: B64 }),
  keys: z.array(z.strictObject({ keyId: z.string(), org: z.string(), publicKey: B64 })).max(10_000),
});
export type ExportHeader = z.infer<typeof ExportHeader>;

export const ExportLeaf = z.union([
  z.strictObject({
    seq: z.number().int().nonnegative(),
    entry: z.record(z.string(), z.unknown()),
    signature: B64,
  }),
  z.strictObject({ seq: z.number().int().nonnegative(), leafHash: B64 }),
]);
export type ExportLeaf = z.infer<typeof ExportLeaf>;

export const ExportTrailer = z.strictObject({ end: z.literal(true), count: z.number().int().nonnegative() });

export interface ExportReport {
  ok: boolean;
  dispute: string | null;
  viewer: string | null;
  size: number;
  full: number;
  hidden: number;
  root: string | null;
  checkpointKey: string | null;
  signers: { org: string; keyId: string }[];
  problems: { line: number; seq?: number; what: string }[];
}

const WINDOW = 1024;

export async function verifyExport(
  lines: AsyncIterable<string>,
  opts: { trustedCheckpointKey?: Buffer } = {},
): Promise<ExportReport> {
  const report: ExportReport = {
    ok: true,
    dispute: null,
    viewer: null,
    size: 0,
    full: 0,
    hidden: 0,
    root: null,
    checkpointKey: null,
    signers: [],
    problems: [],
  };
  const problem = (line: number, what: string, seq?: number) => {
    report.ok = false;
    if (report.problems.length < 1000)
      report.problems.push(seq === undefined ? { line, what } : { line, seq, what });
  };
  let header: ExportHeader | null = null;
  const keys = new Map<string, { org: string; raw: Buffer }>();
  const range = new CompactRange();
  const inFlight: Promise<void>[] = [];
  let trailer: { count: number } | null = null;
  let n = 0;
  for await (const text of lines) {
    n += 1;
    if (text.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      problem(n, "not JSON");
      continue;
    }
    if (trailer) {
      problem(n, "content after the trailer");
      break;
    }
    if (!header) {
      const h = ExportHeader.safeParse(json);
      if (!h.success) {
        problem(n, `not a Parley export header: ${h.error.issues[0]?.message ?? "invalid"}`);
        break;
      }
      header = h.data;
      report.dispute = header.dispute;
      report.viewer = header.viewer;
      for (const k of header.keys) {
        const raw = Buffer.from(k.publicKey, "base64");
        if (raw.length !== 32 || keyIdOf(raw) !== k.keyId)
          problem(n, `key ${k.keyId} does not match its public key`);
        else keys.set(k.keyId, { org: k.org, raw });
        report.signers.push({ org: k.org, keyId: k.keyId });
      }
      continue;
    }
    const t = ExportTrailer.safeParse(json);
    if (t.success) {
      trailer = t.data;
      continue;
    }
    const leaf = ExportLeaf.safeParse(json);
    if (!leaf.success) {
      problem(n, "neither an entry nor a leaf hash");
      continue;
    }
    const { seq } = leaf.data;
    if (seq !== range.size) problem(n, `expected leaf ${range.size}, found ${seq}`, seq);
    if ("leafHash" in leaf.data) {
      const hash = Buffer.from(leaf.data.leafHash, "base64");
      if (hash.length !== 32) {
        problem(n, "leaf hash is not 32 bytes", seq);
        continue;
      }
      report.hidden += 1;
      range.append(hash);
      continue;
    }
    const entry = leaf.data.entry;
    const signature = Buffer.from(leaf.data.signature, "base64");
    let bytes: Buffer;
    try {
      bytes = canonicalBytes(entry);
    } catch {
      problem(n, "entry cannot be canonicalized", seq);
      continue;
    }
    if (entry.dispute !== header.dispute || entry.seq !== seq) {
      problem(n, `entry claims to be ${String(entry.dispute)}#${String(entry.seq)}`, seq);
    }
    const key = typeof entry.keyId === "string" ? keys.get(entry.keyId) : undefined;
    const actor = entry.actor as { org?: unknown } | undefined;
    if (!key) problem(n, `unknown signing key ${String(entry.keyId)}`, seq);
    else if (key.org !== actor?.org)
      problem(n, `key ${String(entry.keyId)} is not ${String(actor?.org)}'s`, seq);
    else {
      inFlight.push(
        verifyAsync(bytes, signature, publicKeyObject(key.raw)).then((ok) => {
          if (!ok) problem(n, "signature does not verify", seq);
        }),
      );
    }
    report.full += 1;
    range.append(entryLeafHash(bytes, signature));
    if (inFlight.length >= WINDOW) {
      await Promise.all(inFlight);
      inFlight.length = 0;
    }
  }
  await Promise.all(inFlight);
  report.size = range.size;
  report.root = range.size > 0 ? range.root().toString("base64") : null;
  if (!header) {
    if (report.ok) problem(n, "empty file: no export header");
    return report;
  }
  if (!trailer) problem(n, "no trailer: the file is truncated");
  else if (trailer.count !== range.size)
    problem(n, `trailer counts ${trailer.count} leaves, the file has ${range.size}`);
  checkCheckpoint(header, range, opts.trustedCheckpointKey, problem, report);
  return report;
}

function checkCheckpoint(
  header: ExportHeader,
  range: CompactRange,
  trusted: Buffer | undefined,
  problem: (line: number, what: string) => void,
  report: ExportReport,
): void {
  const raw = Buffer.from(header.checkpointKey.publicKey, "base64");
  report.checkpointKey = raw.length === 32 ? keyIdOf(raw) : null;
  if (trusted && !trusted.equals(raw)) problem(1, "the checkpoint key is not the trusted key");
  let cp: ReturnType<typeof parseCheckpoint>;
  try {
    cp = parseCheckpoint(header.checkpoint);
  } catch (err) {
    problem(1, `checkpoint is malformed: ${(err as Error).message}`);
    return;
  }
  if (cp.origin !== header.origin) problem(1, `checkpoint origin ${cp.origin} is not ${header.origin}`);
  if (cp.size !== header.size || cp.size !== range.size) {
    problem(1, `checkpoint covers ${cp.size} leaves, the file has ${range.size}`);
  } else if (!cp.root.equals(range.root())) {
    problem(1, "the root recomputed from the file differs from the signed checkpoint");
  }
  if (raw.length !== 32) {
    problem(1, "checkpoint key is not an Ed25519 key");
    return;
  }
  const hash = keyHash(header.checkpointKey.name, raw);
  const mine = cp.signatures.filter((s) => s.name === header.checkpointKey.name && s.keyHash.equals(hash));
  if (mine.length === 0) problem(1, "the checkpoint carries no signature from its key");
  // Checked synchronously: one signature, and the report must be final when we return.
  const key = publicKeyObject(raw);
  const body = Buffer.from(cp.body, "utf8");
  for (const s of mine) {
    if (!verifySync(body, s.signature, key)) problem(1, "the checkpoint signature does not verify");
  }
}
