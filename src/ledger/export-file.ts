import { z } from "zod";
import { keyHash, type NoteSignature, parseCheckpoint } from "./checkpoint.ts";
import { keyIdOf, verify } from "./ed25519.ts";
import { canonicalBytes } from "./jcs.ts";
import { recordedAfter } from "./key-retirement.ts";
import { CompactRange, entryLeafHash } from "./merkle.ts";

/**
 * The export format, JSON Lines:
 *   1. a header: the dispute, the viewer it was made for, the public keys of every signer
 *      and the latest checkpoint (a C2SP signed note) with the key that signed it; from
 *      version 2, the note also carries each witness's cosignature line after the log's own,
 *      and `witnesses` lists the witnesses' public keys (kept apart from `keys`, which are the
 *      signers of entries: a witness signs tree heads, and may never author an entry);
 *   2. one line per leaf in sequence order: the entry and its signature where the viewer may
 *      see it, otherwise only its leaf hash (the entry's nonce keeps that hash unguessable);
 *   3. a trailer with the count, so a truncated file cannot pass for a shorter ledger.
 * A verifier needs nothing else: it checks every signature and recomputes the root.
 * A signer's key may carry `retiredAt`, the instant its organization replaced it (see
 * SignerKey); an entry it signed recorded after that is a problem.
 */
const B64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64");

const PublicKey = z.strictObject({ keyId: z.string(), org: z.string(), publicKey: B64 });

/**
 * A signer's key, with `retiredAt` once its organization rotated it. An optional field of the
 * same version rather than a version 3, because that stays sound both ways:
 *  - a file without it is exactly what every version-2 writer produced, and means what it
 *    always meant (no retirement known); a writer leaves it out for a current key, so the
 *    export of a store that never rotated a key is byte for byte what it was;
 *  - a version-2 reader from before this field refuses a header that carries it (headers are
 *    strict), which is loud, not a silent pass; a version 3 would have made it refuse every
 *    new file, those without any retired key too.
 * Nor does a version number add safety: the header is not signed (the checkpoint covers the
 * entries, not the key list), so a field left out or a version lowered are equally possible
 * edits. Retirement in a file is the exporting store's word, checked for consistency.
 */
const SignerKey = PublicKey.extend({
  retiredAt: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/, "a UTC instant")
    .refine((s) => Number.isFinite(Date.parse(s)), "a UTC instant")
    .optional(),
});

const HEADER_FIELDS = {
  format: z.literal("parley-export"),
  dispute: z.string().min(1).max(64),
  origin: z.string().min(1).max(200),
  viewer: z.string().min(1).max(80),
  exportedAt: z.string(),
  size: z.number().int().nonnegative(),
  checkpoint: z.string().max(10_000),
  checkpointKey: z.strictObject({ name: z.string().min(1).max(200), publicKey: B64 }),
  keys: z.array(SignerKey).max(10_000),
};

/**
 * Version 1 predates cosignatures; files written then must go on verifying. Version 2 adds
 * `witnesses` (required, possibly empty, so that "nobody cosigned" is stated rather than
 * implied by an absent field). The version is bumped rather than the field made optional in
 * version 1 because headers are strict: a version-1 reader would reject the new field anyway,
 * and a version number says why. A note holds at most 100 signatures, the log's among them.
 */
export const ExportHeader = z.discriminatedUnion("version", [
  z.strictObject({ ...HEADER_FIELDS, version: z.literal(1) }),
  z.strictObject({ ...HEADER_FIELDS, version: z.literal(2), witnesses: z.array(PublicKey).max(99) }),
]);
export type ExportHeader = z.infer<typeof ExportHeader>;
export type ExportWitness = z.infer<typeof PublicKey>;

/** The witnesses a header lists: none before version 2. */
export function headerWitnesses(header: ExportHeader): ExportWitness[] {
  return header.version === 1 ? [] : header.witnesses;
}

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
  /** `retiredAt` when the header says the key was retired. */
  signers: { org: string; keyId: string; retiredAt?: string }[];
  /** Each witness the header lists; `ok` when its cosignature of the checkpoint verifies. */
  witnesses: { org: string; keyId: string; ok: boolean }[];
  /**
   * Signature lines on the checkpoint from keys the file does not list: carried, not checked
   * (a signed note may hold lines for keys a reader does not know; C2SP has verifiers ignore
   * them). `keyHash` is the line's 4-byte key id, in hex.
   */
  unverifiedSignatures: { name: string; keyHash: string }[];
  problems: { line: number; seq?: number; what: string }[];
}

/** What a leaf line's checks need from the header: the dispute and the signers' keys. */
export interface LeafContext {
  dispute: string;
  keys: Map<string, SignerKeyInfo>;
}

export interface SignerKeyInfo {
  org: string;
  raw: Buffer;
  retiredAt: string | null;
}

/**
 * What one line after the header is, and what is wrong with it: everything about a line that
 * needs nothing but the line and the header, so that lines can be checked on any thread. The
 * order of the leaves, the tree and the trailer are the reader's (verifyExport).
 */
export type LineVerdict =
  | { kind: "not-json" }
  | { kind: "trailer"; count: number }
  | { kind: "invalid" }
  /** A leaf shown as its hash; `leaf` is null if the hash is not 32 bytes. */
  | { kind: "hidden"; seq: number; leaf: Uint8Array | null }
  /** A leaf shown in full; `leaf` is null if the entry cannot be canonicalized, so has no hash. */
  | { kind: "entry"; seq: number; leaf: Uint8Array | null; problems: string[] };

/** Checks lines in order; verifyExport's default does it on the calling thread. */
export type LineChecker = (lines: string[], ctx: LeafContext) => LineVerdict[] | Promise<LineVerdict[]>;

export function checkLines(lines: string[], ctx: LeafContext): LineVerdict[] {
  return lines.map((line) => checkLine(line, ctx));
}

export function checkLine(text: string, ctx: LeafContext): LineVerdict {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "not-json" };
  }
  const t = ExportTrailer.safeParse(json);
  if (t.success) return { kind: "trailer", count: t.data.count };
  const parsed = ExportLeaf.safeParse(json);
  if (!parsed.success) return { kind: "invalid" };
  const { seq } = parsed.data;
  if ("leafHash" in parsed.data) {
    const hash = Buffer.from(parsed.data.leafHash, "base64");
    return { kind: "hidden", seq, leaf: hash.length === 32 ? hash : null };
  }
  const problems: string[] = [];
  const entry = parsed.data.entry;
  const signature = Buffer.from(parsed.data.signature, "base64");
  let bytes: Buffer;
  try {
    bytes = canonicalBytes(entry);
  } catch {
    return { kind: "entry", seq, leaf: null, problems: ["entry cannot be canonicalized"] };
  }
  if (entry.dispute !== ctx.dispute || entry.seq !== seq) {
    problems.push(`entry claims to be ${String(entry.dispute)}#${String(entry.seq)}`);
  }
  const key = typeof entry.keyId === "string" ? ctx.keys.get(entry.keyId) : undefined;
  const actor = entry.actor as { org?: unknown } | undefined;
  if (!key) problems.push(`unknown signing key ${String(entry.keyId)}`);
  else if (key.org !== actor?.org) problems.push(`key ${String(entry.keyId)} is not ${String(actor?.org)}'s`);
  else {
    if (!verify(bytes, signature, key.raw)) problems.push("signature does not verify");
    if (key.retiredAt !== null && recordedAfter(entry.recordedAt, key.retiredAt)) {
      problems.push(
        `signed with key ${entry.keyId} of ${key.org}, retired at ${key.retiredAt}, but recorded after that, at ${String(entry.recordedAt)}`,
      );
    }
  }
  return { kind: "entry", seq, leaf: entryLeafHash(bytes, signature), problems };
}

/** Lines handed to the checker at a time, and how many such batches may be out at once. */
const BATCH = 256;
const AHEAD = 8;

/**
 * Verifies an export read line by line. The header is read here; the lines after it go to
 * `checker` in batches (worker threads, from src/app/export-verify.ts, or this thread),
 * and their verdicts are taken in file order, so the report is the same either way.
 */
export async function verifyExport(
  lines: AsyncIterable<string>,
  opts: { trustedCheckpointKey?: Buffer; checker?: LineChecker } = {},
): Promise<ExportReport> {
  const checker = opts.checker ?? checkLines;
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
    witnesses: [],
    unverifiedSignatures: [],
    problems: [],
  };
  const problem = (line: number, what: string, seq?: number) => {
    report.ok = false;
    if (report.problems.length < 1000)
      report.problems.push(seq === undefined ? { line, what } : { line, seq, what });
  };
  let header: ExportHeader | null = null;
  const ctx: LeafContext = { dispute: "", keys: new Map() };
  const range = new CompactRange();
  // Set in `take`, a closure, which the checker cannot see from the initializer.
  let trailer = null as { count: number } | null;
  /** The last line read; once something follows the trailer, the line where reading stopped. */
  let n = 0;
  let stopped = false;

  const take = (line: number, v: LineVerdict): void => {
    if (v.kind === "not-json") {
      problem(line, "not JSON");
    } else if (trailer) {
      problem(line, "content after the trailer");
      stopped = true;
      n = line;
    } else if (v.kind === "trailer") {
      trailer = { count: v.count };
    } else if (v.kind === "invalid") {
      problem(line, "neither an entry nor a leaf hash");
    } else {
      if (v.seq !== range.size) problem(line, `expected leaf ${range.size}, found ${v.seq}`, v.seq);
      if (v.kind === "hidden" && v.leaf === null) problem(line, "leaf hash is not 32 bytes", v.seq);
      if (v.kind === "entry") for (const what of v.problems) problem(line, what, v.seq);
      if (v.leaf !== null) {
        if (v.kind === "hidden") report.hidden += 1;
        else report.full += 1;
        range.append(v.leaf);
      }
    }
  };
  const out: { lines: number[]; verdicts: Promise<LineVerdict[]> }[] = [];
  const takeOldest = async () => {
    const batch = out.shift()!;
    const verdicts = await batch.verdicts;
    for (let i = 0; i < verdicts.length && !stopped; i++) take(batch.lines[i]!, verdicts[i]!);
  };
  let batch: { lines: number[]; texts: string[] } = { lines: [], texts: [] };
  const send = () => {
    if (batch.texts.length === 0) return;
    const verdicts = Promise.resolve(checker(batch.texts, ctx));
    // Awaited in order by takeOldest; this keeps a failure from going unhandled meanwhile.
    verdicts.catch(() => {});
    out.push({ lines: batch.lines, verdicts });
    batch = { lines: [], texts: [] };
  };

  for await (const text of lines) {
    n += 1;
    if (text.trim() === "") continue;
    if (header) {
      batch.lines.push(n);
      batch.texts.push(text);
      if (batch.texts.length >= BATCH) send();
      if (out.length >= AHEAD) await takeOldest();
      if (stopped) break;
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      problem(n, "not JSON");
      continue;
    }
    const h = ExportHeader.safeParse(json);
    if (!h.success) {
      problem(n, `not a Parley export header: ${h.error.issues[0]?.message ?? "invalid"}`);
      break;
    }
    header = h.data;
    report.dispute = header.dispute;
    report.viewer = header.viewer;
    ctx.dispute = header.dispute;
    for (const k of header.keys) {
      const raw = Buffer.from(k.publicKey, "base64");
      if (raw.length !== 32 || keyIdOf(raw) !== k.keyId)
        problem(n, `key ${k.keyId} does not match its public key`);
      else ctx.keys.set(k.keyId, { org: k.org, raw, retiredAt: k.retiredAt ?? null });
      report.signers.push({
        org: k.org,
        keyId: k.keyId,
        ...(k.retiredAt === undefined ? {} : { retiredAt: k.retiredAt }),
      });
    }
  }
  send();
  while (out.length > 0 && !stopped) await takeOldest();
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
  const body = Buffer.from(cp.body, "utf8");
  let others = cp.signatures;
  if (raw.length !== 32) {
    problem(1, "checkpoint key is not an Ed25519 key");
  } else {
    const hash = keyHash(header.checkpointKey.name, raw);
    const isLog = (s: NoteSignature) => s.name === header.checkpointKey.name && s.keyHash.equals(hash);
    const mine = cp.signatures.filter(isLog);
    others = cp.signatures.filter((s) => !isLog(s));
    if (mine.length === 0) problem(1, "the checkpoint carries no signature from its key");
    for (const s of mine) {
      if (!verify(body, s.signature, raw)) problem(1, "the checkpoint signature does not verify");
    }
  }
  checkWitnesses(headerWitnesses(header), body, others, problem, report);
}

/**
 * Each signature line other than the log's: a line from a listed witness's key must verify,
 * and a line under a listed witness's name but another key hash is a forgery or a swapped
 * key. A listed witness without any line is a problem too: the header vouches for a
 * cosignature the note does not carry. Lines under names nobody listed are only reported.
 */
function checkWitnesses(
  witnesses: ExportWitness[],
  body: Buffer,
  lines: NoteSignature[],
  problem: (line: number, what: string) => void,
  report: ExportReport,
): void {
  const listed = witnesses.map((w) => {
    const raw = Buffer.from(w.publicKey, "base64");
    const valid = raw.length === 32 && keyIdOf(raw) === w.keyId;
    if (!valid) problem(1, `witness ${w.org}'s key ${w.keyId} does not match its public key`);
    return { ...w, raw, hash: valid ? keyHash(w.org, raw) : null, lines: 0, bad: 0 };
  });
  for (const s of lines) {
    const w = listed.find((k) => k.org === s.name && k.hash?.equals(s.keyHash));
    if (w) {
      w.lines += 1;
      if (!verify(body, s.signature, w.raw)) {
        w.bad += 1;
        problem(1, `witness ${w.org}'s cosignature (key ${w.keyId}) does not verify`);
      }
    } else if (listed.some((k) => k.org === s.name)) {
      problem(
        1,
        `a cosignature names witness ${s.name} but its key hash ${s.keyHash.toString("hex")} is not that of the key listed for ${s.name}`,
      );
    } else {
      report.unverifiedSignatures.push({ name: s.name, keyHash: s.keyHash.toString("hex") });
    }
  }
  for (const w of listed) {
    // A malformed listed key was reported above; its missing line says nothing more.
    if (w.hash && w.lines === 0) {
      problem(
        1,
        `witness ${w.org} is listed but the checkpoint carries no cosignature from its key ${w.keyId}`,
      );
    }
    report.witnesses.push({ org: w.org, keyId: w.keyId, ok: w.lines > 0 && w.bad === 0 });
  }
}
