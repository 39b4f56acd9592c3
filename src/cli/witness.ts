import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { z } from "zod";
import { fail, ParleyError } from "../domain/errors.ts";
import { Id } from "../domain/values.ts";
import { chainLine, chainLink } from "../ledger/chain.ts";
import {
  CheckpointError,
  keyHash,
  type ParsedCheckpoint,
  parseCheckpoint,
  parseVerifierKey,
  type Signer,
  signatureLine,
  type Verifier,
  verifyCheckpoint,
} from "../ledger/checkpoint.ts";
import { PUBLIC_KEY_SIZE, privateKeyFromPem, rawPublicKey } from "../ledger/ed25519.ts";
import { HASH_SIZE } from "../ledger/merkle.ts";
import { ProofError, verifyConsistency } from "../ledger/proof.ts";

/**
 * `parley witness`: an independent party's check that a Parley server only ever extends a
 * dispute's log. Each run fetches the latest checkpoint, verifies the server's signature on it
 * with a key the witness was given out of band (never one the server hands out), and proves
 * it consistent with the checkpoint seen on the run before, which the state file keeps. A log
 * that shrank, changed its root at a size already seen, or cannot prove that it extends what
 * was seen has had its history rewritten: the run fails and the state is left as it was.
 */

export interface WitnessOptions {
  /** The server's base URL, e.g. https://parley.example */
  url: string;
  slug: string;
  /** The state file: JSON, created on the first run, replaced atomically on each success. */
  state: string;
  /**
   * The server's checkpoint key: base64 of the 32-byte Ed25519 public key (as `parley export`
   * writes it and `parley verify --checkpoint-key` takes it), or a name+hash+key verifier key.
   * Required on the first run; later runs trust the key the state file recorded.
   */
  checkpointKey?: string;
  cosign?: boolean;
  /** The witnessing organization: the name in the cosignature line. */
  org?: string;
  /** Its Ed25519 private key, a PEM file as in the server's key directory. */
  key?: string;
  /** An API token of an admin or negotiator of `org`. */
  token?: string;
  fetch?: typeof fetch;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** For the state's `seenAt`. */
  now?: () => Date;
}

export interface WitnessResult {
  origin: string;
  size: number;
  /** Base64. */
  root: string;
  /** The size seen on the run before, or null on the first run. */
  previous: number | null;
  /** The cosignature line sent and stored, if --cosign. */
  cosignature: string | null;
}

const WitnessState = z.object({
  version: z.literal(1),
  origin: z.string().min(1),
  checkpointKey: z.object({ name: z.string().min(1), publicKey: z.string() }),
  size: z.number().int().min(0),
  root: z.string(),
  note: z.string(),
  seenAt: z.string(),
});
type WitnessState = z.infer<typeof WitnessState>;

const CheckpointAnswer = z.object({ size: z.number().int().min(0), root: z.string(), note: z.string() });
const ConsistencyAnswer = z.object({
  size1: z.number().int(),
  size2: z.number().int(),
  proof: z.array(z.string()),
});

const DEFAULT_TIMEOUT_MS = 30_000;
const USAGE_ERROR = { exitCode: 2, code: "parley.witness.usage" };

export async function witness(o: WitnessOptions): Promise<WitnessResult> {
  const slug = Id.safeParse(o.slug);
  if (!slug.success) fail("VALIDATION_FAILED", `--slug: ${JSON.stringify(o.slug)} is not a dispute slug`);
  // Everything that can be refused locally is, before the network or the state is touched.
  const signer = o.cosign ? loadSigner(o) : null;
  const given = o.checkpointKey === undefined ? null : parseCheckpointKey(o.checkpointKey);
  const before = readState(o.state);
  if (before && given) {
    const recorded = Buffer.from(before.checkpointKey.publicKey, "base64");
    if (!recorded.equals(given.publicRaw)) {
      fail(
        "WITNESS_STATE_INVALID",
        `${o.state} trusts the checkpoint key ${before.checkpointKey.publicKey}, and --checkpoint-key names another; ` +
          "a witness that accepted a new key would accept any history: start a new state file to trust it",
      );
    }
  }
  if (!before && !given) {
    fail("VALIDATION_FAILED", `${o.state} does not exist yet: the first run needs --checkpoint-key`);
  }

  const http = new Http(o.url, o.fetch ?? fetch, o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const disputePath = `/api/v1/disputes/${encodeURIComponent(slug.data)}`;
  const answer = CheckpointAnswer.safeParse(await http.get(`${disputePath}/checkpoint`));
  if (!answer.success)
    fail("REMOTE_FAILED", `${http.describe(`${disputePath}/checkpoint`)}: not a checkpoint`);
  const note = answer.data.note;

  const verifier = before
    ? { name: before.checkpointKey.name, publicRaw: Buffer.from(before.checkpointKey.publicKey, "base64") }
    : trustedVerifier(note, given!);
  const current = checkCheckpoint(note, verifier, before?.origin ?? null, slug.data);
  if (current.size !== answer.data.size || current.root.toString("base64") !== answer.data.root) {
    fail("CHECKPOINT_INVALID", "the server's size and root differ from those in its signed note");
  }

  if (before) await checkConsistency(http, disputePath, before, current);

  writeStateAtomically(o.state, {
    version: 1,
    origin: current.origin,
    checkpointKey: { name: verifier.name, publicKey: Buffer.from(verifier.publicRaw).toString("base64") },
    size: current.size,
    root: current.root.toString("base64"),
    note,
    seenAt: (o.now?.() ?? new Date()).toISOString(),
  });

  // The state moves on even if cosigning then fails: the checkpoint was checked either way,
  // and the next run cosigns the checkpoint it sees then.
  let cosignature: string | null = null;
  if (signer) {
    const line = signatureLine(current.body, signer);
    const path = `${disputePath}/checkpoints/${current.size}/cosignatures`;
    const res = await http.send("POST", path, { org: signer.name, signature: line }, o.token!);
    if (res.status !== 201) fail("REMOTE_FAILED", `the server refused the cosignature: ${res.failure}`);
    cosignature = line;
  }
  return {
    origin: current.origin,
    size: current.size,
    root: current.root.toString("base64"),
    previous: before?.size ?? null,
    cosignature,
  };
}

/** Registers `parley witness` on the program (exit codes as in main.ts: 0, 1 failed, 2 usage). */
export function registerWitness(program: Command): void {
  program
    .command("witness")
    .description(
      "Check a server's latest checkpoint against the last one this witness saw (a rewritten history exits 1), and optionally cosign it",
    )
    .requiredOption("--url <url>", "the Parley server, e.g. https://parley.example", parseUrl)
    .requiredOption("--slug <slug>", "the dispute")
    .requiredOption("--state <file>", "where this witness keeps the last checkpoint it saw (JSON)")
    .option(
      "--checkpoint-key <key>",
      "the server's checkpoint public key (base64, as `parley export` writes it, or name+hash+key); needed on the first run",
    )
    .option("--cosign", "cosign the checkpoint for --org, signed with --key and sent with --token")
    .option("--org <id>", "the witnessing organization (with --cosign)")
    .option("--key <pemfile>", "the organization's Ed25519 private key, PEM (with --cosign)")
    .addOption(
      new Option("--token <token>", "an API token of an admin or negotiator of --org (with --cosign)").env(
        "PARLEY_TOKEN",
      ),
    )
    .action(async (o: Omit<WitnessOptions, "fetch">, cmd: Command) => {
      // Wrong or missing arguments are a bad command line (exit 2), as commander's own are.
      const usage = (message: string) => cmd.error(`error: ${message}`, USAGE_ERROR);
      if (o.cosign) {
        const missing = (["org", "key", "token"] as const).filter((k) => !o[k]);
        if (missing.length > 0) usage(`--cosign needs ${missing.map((k) => `--${k}`).join(", ")}`);
      } else if (o.org || o.key) {
        usage("--org and --key are for --cosign");
      }
      if (!o.checkpointKey && !existsSync(o.state)) {
        usage(`${o.state} does not exist yet: the first run needs --checkpoint-key`);
      }
      if (o.checkpointKey) {
        try {
          parseCheckpointKey(o.checkpointKey);
        } catch (err) {
          usage(`--checkpoint-key: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      const r = await witness(o);
      const seen =
        r.previous === null
          ? "first checkpoint seen; the state file now trusts this log"
          : r.previous === r.size
            ? `unchanged since size ${r.previous}`
            : `consistent with size ${r.previous} seen before`;
      process.stdout.write(`${r.origin}: size ${r.size}, root ${r.root}: ${seen}\n`);
      if (r.cosignature) process.stdout.write(`cosigned as ${o.org}: ${r.cosignature}\n`);
    });
}

function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidArgumentError("use http or https");
  return value;
}

/** The raw 32-byte key in canonical base64, or a verifier key that also names the signer. */
export function parseCheckpointKey(text: string): { name: string | null; publicRaw: Buffer } {
  if (/^[^+\s]+\+[0-9a-f]{8}\+/.test(text)) {
    const v = parseVerifierKey(text);
    return { name: v.name, publicRaw: Buffer.from(v.publicRaw) };
  }
  const raw = Buffer.from(text, "base64");
  if (raw.length !== PUBLIC_KEY_SIZE || raw.toString("base64") !== text) {
    throw new ParleyError(
      "VALIDATION_FAILED",
      `a checkpoint key is the base64 of a ${PUBLIC_KEY_SIZE}-byte Ed25519 public key, or name+hash+key`,
    );
  }
  return { name: null, publicRaw: raw };
}

/**
 * The signer's name is in the note's signature line; a bare key does not carry it. The line
 * whose key hash is this key's hash under its own name is the one to check.
 */
function trustedVerifier(note: string, key: { name: string | null; publicRaw: Buffer }): Verifier {
  if (key.name !== null) return { name: key.name, publicRaw: key.publicRaw };
  const parsed = parsedOrInvalid(note);
  const mine = parsed.signatures.find((s) => s.keyHash.equals(keyHash(s.name, key.publicRaw)));
  if (!mine) fail("CHECKPOINT_INVALID", "the checkpoint carries no signature by the given --checkpoint-key");
  return { name: mine.name, publicRaw: key.publicRaw };
}

function checkCheckpoint(
  note: string,
  verifier: Verifier,
  origin: string | null,
  slug: string,
): ParsedCheckpoint {
  try {
    verifyCheckpoint(note, verifier, origin === null ? {} : { origin });
  } catch (err) {
    if (err instanceof CheckpointError) fail("CHECKPOINT_INVALID", `${err.code}: ${err.message}`);
    throw err;
  }
  const parsed = parseCheckpoint(note);
  // Origins are <host>/<slug>: a first run must not adopt another dispute's log.
  if (origin === null && !parsed.origin.endsWith(`/${slug}`)) {
    fail("CHECKPOINT_INVALID", `the checkpoint is for ${JSON.stringify(parsed.origin)}, not for ${slug}`);
  }
  return parsed;
}

function parsedOrInvalid(note: string): ParsedCheckpoint {
  try {
    return parseCheckpoint(note);
  } catch (err) {
    if (err instanceof CheckpointError) fail("CHECKPOINT_INVALID", `${err.code}: ${err.message}`);
    throw err;
  }
}

async function checkConsistency(
  http: Http,
  disputePath: string,
  before: WitnessState,
  current: ParsedCheckpoint,
): Promise<void> {
  const oldRoot = Buffer.from(before.root, "base64");
  const rewritten = (what: string) =>
    fail("HISTORY_REWRITTEN", `${current.origin}: ${what}: the history was rewritten`, {
      seenSize: before.size,
      seenRoot: before.root,
      size: current.size,
      root: current.root.toString("base64"),
    });
  if (current.size < before.size) {
    rewritten(`the checkpoint has size ${current.size}, smaller than size ${before.size} seen before`);
  }
  if (current.size === before.size) {
    if (!current.root.equals(oldRoot)) {
      rewritten(
        `size ${current.size} now has root ${current.root.toString("base64")}, not ${before.root} as seen before`,
      );
    }
    if (parsedOrInvalid(before.note).body !== current.body) {
      rewritten(`the server signed two different checkpoints of size ${current.size}`);
    }
    return;
  }
  // The chain line names the checkpoint before this one; if that is the one seen, it must be it.
  const link = chainLink(current.extensions);
  const expected = chainLine({ size: before.size, note: before.note });
  if (link !== null && link.split(" ")[1] === String(before.size) && link !== expected) {
    rewritten(
      `the checkpoint of size ${current.size} follows another checkpoint of size ${before.size} than the one seen`,
    );
  }
  const path = `${disputePath}/proofs/consistency?from=${before.size}&to=${current.size}`;
  const answer = ConsistencyAnswer.safeParse(await http.get(path));
  if (!answer.success || answer.data.size1 !== before.size || answer.data.size2 !== current.size) {
    fail("REMOTE_FAILED", `${http.describe(path)}: not the consistency proof asked for`);
  }
  try {
    verifyConsistency(
      before.size,
      current.size,
      answer.data.proof.map((h) => Buffer.from(h, "base64")),
      oldRoot,
      current.root,
    );
  } catch (err) {
    if (!(err instanceof ProofError)) throw err;
    rewritten(
      `the tree of size ${current.size} does not extend the tree of size ${before.size} seen before (${err.code}: ${err.message})`,
    );
  }
}

function readState(file: string): WitnessState | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail("WITNESS_STATE_INVALID", `${file} is not JSON`);
  }
  const parsed = WitnessState.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(
      "WITNESS_STATE_INVALID",
      `${file}: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"}`,
    );
  }
  const s = parsed.data;
  if (Buffer.from(s.root, "base64").length !== HASH_SIZE)
    fail("WITNESS_STATE_INVALID", `${file}: root is not a hash`);
  if (Buffer.from(s.checkpointKey.publicKey, "base64").length !== PUBLIC_KEY_SIZE) {
    fail("WITNESS_STATE_INVALID", `${file}: checkpointKey.publicKey is not an Ed25519 key`);
  }
  return s;
}

/** Written beside the target, flushed, then renamed over it: a crash leaves the old state or the new. */
function writeStateAtomically(file: string, state: WitnessState): void {
  const tmp = join(dirname(file), `.${randomBytes(6).toString("hex")}.witness-state.tmp`);
  const fd = openSync(tmp, "wx", 0o644);
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}

function loadSigner(o: WitnessOptions): Signer {
  if (!o.org || !o.key || !o.token) fail("VALIDATION_FAILED", "--cosign needs --org, --key and --token");
  if (!Id.safeParse(o.org).success)
    fail("VALIDATION_FAILED", `--org: ${JSON.stringify(o.org)} is not an organization id`);
  // As the server's own key store does: a private key others can read is not used.
  const mode = statSync(o.key).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    fail(
      "KEY_INSECURE",
      `refusing key file ${o.key}: mode ${mode.toString(8)} lets others read it; chmod 600`,
    );
  }
  try {
    const privateKey = privateKeyFromPem(readFileSync(o.key, "utf8"));
    return { name: o.org, privateKey, publicRaw: rawPublicKey(privateKey) };
  } catch {
    fail("VALIDATION_FAILED", `${o.key} is not an Ed25519 private key in PEM`);
  }
}

/** JSON over fetch; every way a request can fail becomes REMOTE_FAILED with the URL in it. */
class Http {
  private readonly base: string;

  constructor(
    base: string,
    private readonly fetchFn: typeof fetch,
    private readonly timeoutMs: number,
  ) {
    this.base = base.replace(/\/+$/, "");
  }

  describe(path: string): string {
    return `${this.base}${path}`;
  }

  async get(path: string): Promise<unknown> {
    const res = await this.send("GET", path);
    if (res.status !== 200) fail("REMOTE_FAILED", `GET ${this.describe(path)}: ${res.failure}`);
    return res.json;
  }

  async send(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; json: unknown; failure: string }> {
    const url = this.describe(path);
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // A redirect must not carry the token somewhere else.
        redirect: token === undefined ? "follow" : "error",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      fail("REMOTE_FAILED", `cannot reach ${url}: ${networkReason(err, this.timeoutMs)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      fail("REMOTE_FAILED", `${method} ${url} answered ${res.status} with something other than JSON`);
    }
    const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const failure =
      typeof error?.code === "string"
        ? `${res.status} ${error.code}: ${String(error.message)}`
        : `HTTP ${res.status}`;
    return { status: res.status, json, failure };
  }
}

function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  // undici says "fetch failed" and puts the reason (ECONNREFUSED, ENOTFOUND…) in `cause`.
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return err instanceof Error ? err.message : String(err);
}
