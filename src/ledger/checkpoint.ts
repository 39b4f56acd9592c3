import { createHash, type KeyObject } from "node:crypto";
import { PUBLIC_KEY_SIZE, rawPublicKey, sign, verify } from "./ed25519.ts";
import { HASH_SIZE } from "./merkle.ts";

/**
 * Checkpoints as C2SP signed notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint):
 *
 *     <origin>\n<size>\n<base64 root>\n[<extension>\n...]\n— <name> <base64(key id ‖ sig)>\n...
 *
 * Parsing is strict: a checkpoint is evidence handed between adversaries, and any leniency
 * (CRLF, unpadded base64, "007" as a size) lets two different texts mean the same tree head.
 */

export type CheckpointErrorCode =
  | "CHECKPOINT_MALFORMED"
  /** No signature line from the expected key. */
  | "CHECKPOINT_NOT_SIGNED"
  /** A signature line from the expected key does not verify. */
  | "CHECKPOINT_BAD_SIGNATURE"
  | "CHECKPOINT_WRONG_ORIGIN";

export class CheckpointError extends Error {
  readonly code: CheckpointErrorCode;

  constructor(code: CheckpointErrorCode, message: string) {
    super(message);
    this.name = "CheckpointError";
    this.code = code;
  }
}

export type Signer = { name: string; privateKey: KeyObject; publicRaw: Buffer };
export type Verifier = { name: string; publicRaw: Buffer };
export type NoteSignature = { name: string; keyHash: Buffer; signature: Buffer };
export type ParsedCheckpoint = {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
  /** The signed text: every body line including the final newline, without the blank line. */
  body: string;
  signatures: NoteSignature[];
};

const SIG_PREFIX = "\u2014 ";
const ED25519_TYPE = 0x01;
const KEY_HASH_SIZE = 4;
// The spec asks verifiers to cap signatures and to accept at least 16.
const MAX_SIGNATURES = 100;

export function checkpointBody(
  origin: string,
  size: number,
  root: Uint8Array,
  extensions: readonly string[] = [],
): string {
  checkLine(origin, "origin");
  if (origin === "") throw malformed("origin must not be empty");
  if (!Number.isSafeInteger(size) || size < 0)
    throw malformed(`size must be a non-negative safe integer, got ${size}`);
  if (root.length !== HASH_SIZE) throw malformed(`root must be ${HASH_SIZE} bytes, got ${root.length}`);
  for (const line of extensions) {
    checkLine(line, "extension");
    if (line === "") throw malformed("extension lines must not be empty");
  }
  const tail = extensions.map((line) => `${line}\n`).join("");
  return `${origin}\n${size}\n${Buffer.from(root).toString("base64")}\n${tail}`;
}

const checkedPair = new WeakMap<KeyObject, Buffer>();

/** `extensions` are optional lines after the root (the tlog-checkpoint spec's extension lines). */
export function signCheckpoint(
  origin: string,
  size: number,
  root: Uint8Array,
  signer: Signer,
  extensions: readonly string[] = [],
): string {
  checkKeyName(signer.name);
  checkPair(signer);
  const body = checkpointBody(origin, size, root, extensions);
  return `${body}\n${signatureLine(body, signer)}\n`;
}

/**
 * One signature line (without its newline) by `signer` over a note's body, as `parseCheckpoint`
 * returns it. This is how a witness cosigns a checkpoint: appended to the note, the line makes
 * a note that verifies under either key, and on its own it can be checked with
 * `verifySignatureLine` by anyone holding the body and the witness's public key.
 */
export function signatureLine(body: string, signer: Signer): string {
  checkKeyName(signer.name);
  checkBody(body);
  checkPair(signer);
  const signature = sign(Buffer.from(body, "utf8"), signer.privateKey);
  const blob = Buffer.concat([keyHash(signer.name, signer.publicRaw), signature]);
  return `${SIG_PREFIX}${signer.name} ${blob.toString("base64")}`;
}

/**
 * Checks one signature line (without its newline) against a note's body: it must carry the
 * verifier's name and key hash (else CHECKPOINT_NOT_SIGNED) and verify (else
 * CHECKPOINT_BAD_SIGNATURE); a line that is not a signature line is CHECKPOINT_MALFORMED.
 */
export function verifySignatureLine(body: string, line: string, verifier: Verifier): void {
  checkKeyName(verifier.name);
  checkBody(body);
  checkLine(line, "signature line");
  const s = parseSignatureLine(line);
  if (s.name !== verifier.name || !s.keyHash.equals(keyHash(verifier.name, verifier.publicRaw))) {
    throw new CheckpointError("CHECKPOINT_NOT_SIGNED", `the line is not signed by ${verifier.name}'s key`);
  }
  if (!verify(Buffer.from(body, "utf8"), s.signature, verifier.publicRaw)) {
    throw new CheckpointError("CHECKPOINT_BAD_SIGNATURE", `signature from ${verifier.name} does not verify`);
  }
}

/**
 * One signature line (without its newline) read on its own, as `parseCheckpoint` would read it
 * inside a note: a stored cosignature is such a line, and `verify --db` reports each way one
 * can be wrong, so it needs the line's parts rather than `verifySignatureLine`'s verdict.
 */
export function readSignatureLine(line: string): NoteSignature {
  checkLine(line, "signature line");
  return parseSignatureLine(line);
}

/**
 * The note with only the signature lines of `verifier`'s key: a cosigned note carries the
 * witnesses' lines too, but the note the log itself signed (the one later checkpoints chain
 * to by hash) is the body with the log's own lines alone.
 */
export function noteSignedBy(note: string, verifier: Verifier): string {
  checkKeyName(verifier.name);
  const parsed = parseCheckpoint(note);
  const expected = keyHash(verifier.name, verifier.publicRaw);
  // The signature block is the text after the body's blank line, one signature per line.
  const lines = note.slice(parsed.body.length + 1, -1).split("\n");
  const mine = lines.filter((line) => {
    const s = parseSignatureLine(line);
    return s.name === verifier.name && s.keyHash.equals(expected);
  });
  if (mine.length === 0)
    throw new CheckpointError("CHECKPOINT_NOT_SIGNED", `no signature from ${verifier.name}`);
  return `${parsed.body}\n${mine.map((line) => `${line}\n`).join("")}`;
}

/**
 * A mismatched pair would publish one key's id over another key's signature: a line nobody
 * can verify. Deriving the public half costs as much as signing, so each key is checked once.
 */
function checkPair(signer: Signer): void {
  if (checkedPair.get(signer.privateKey)?.equals(signer.publicRaw)) return;
  if (!rawPublicKey(signer.privateKey).equals(signer.publicRaw)) {
    throw new TypeError("signer.publicRaw is not the public half of signer.privateKey");
  }
  checkedPair.set(signer.privateKey, Buffer.from(signer.publicRaw));
}

export function parseCheckpoint(note: string): ParsedCheckpoint {
  checkText(note);
  if (!note.endsWith("\n")) throw malformed("note must end with a newline");
  // The note text may itself contain blank lines; the last one separates the signatures.
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw malformed("missing the blank line before the signatures");
  const body = note.slice(0, split + 1);
  const sigBlock = note.slice(split + 2);
  if (sigBlock === "") throw malformed("no signature lines");

  const sigLines = sigBlock.slice(0, -1).split("\n");
  if (sigLines.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);
  const signatures = sigLines.map(parseSignatureLine);

  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3) throw malformed("a checkpoint body needs origin, size and root lines");
  if (lines.some((line) => line === "")) throw malformed("checkpoint body lines must not be empty");
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText))
    throw malformed(`size ${JSON.stringify(sizeText)} is not canonical decimal`);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw malformed(`size ${sizeText} exceeds 2^53 - 1`);
  const root = decodeBase64(rootText, "root");
  if (root.length !== HASH_SIZE) throw malformed(`root must be ${HASH_SIZE} bytes, got ${root.length}`);

  return { origin, size, root, extensions, body, signatures };
}

/**
 * Accepts the note only if a signature from the verifier's name and key verifies; per the
 * spec, lines from other keys are ignored and a failing line from this key rejects the note.
 */
export function verifyCheckpoint(
  note: string,
  verifier: Verifier,
  options: { origin?: string } = {},
): { origin: string; size: number; root: Buffer } {
  checkKeyName(verifier.name);
  const parsed = parseCheckpoint(note);
  const expectedHash = keyHash(verifier.name, verifier.publicRaw);
  const mine = parsed.signatures.filter((s) => s.name === verifier.name && s.keyHash.equals(expectedHash));
  if (mine.length === 0)
    throw new CheckpointError("CHECKPOINT_NOT_SIGNED", `no signature from ${verifier.name}`);
  const bodyBytes = Buffer.from(parsed.body, "utf8");
  for (const s of mine) {
    if (!verify(bodyBytes, s.signature, verifier.publicRaw)) {
      throw new CheckpointError(
        "CHECKPOINT_BAD_SIGNATURE",
        `signature from ${verifier.name} does not verify`,
      );
    }
  }
  if (options.origin !== undefined && parsed.origin !== options.origin) {
    throw new CheckpointError(
      "CHECKPOINT_WRONG_ORIGIN",
      `checkpoint is for ${JSON.stringify(parsed.origin)}, expected ${JSON.stringify(options.origin)}`,
    );
  }
  return { origin: parsed.origin, size: parsed.size, root: parsed.root };
}

/** The vkey form used by Go's note package and witness configs: name+hex(key id)+base64(type ‖ key). */
export function verifierKey(name: string, publicRaw: Uint8Array): string {
  checkKeyName(name);
  const typedKey = Buffer.concat([Buffer.from([ED25519_TYPE]), publicRaw]);
  return `${name}+${keyHash(name, publicRaw).toString("hex")}+${typedKey.toString("base64")}`;
}

export function parseVerifierKey(vkey: string): Verifier {
  // Names cannot hold "+" and the hash is hex, but the base64 key can contain "+".
  const first = vkey.indexOf("+");
  const second = vkey.indexOf("+", first + 1);
  if (first < 0 || second < 0) throw malformed("a verifier key is name+keyhash+key");
  const name = vkey.slice(0, first);
  const hashHex = vkey.slice(first + 1, second);
  const keyText = vkey.slice(second + 1);
  checkKeyName(name);
  const typedKey = decodeBase64(keyText, "verifier key");
  if (typedKey.length !== 1 + PUBLIC_KEY_SIZE || typedKey[0] !== ED25519_TYPE) {
    throw malformed("verifier key is not an Ed25519 key");
  }
  const publicRaw = typedKey.subarray(1);
  if (!/^[0-9a-f]{8}$/.test(hashHex) || hashHex !== keyHash(name, publicRaw).toString("hex")) {
    throw malformed("verifier key hash does not match its name and key");
  }
  return { name, publicRaw };
}

/** C2SP key ID for Ed25519: SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[:4]. */
export function keyHash(name: string, publicRaw: Uint8Array): Buffer {
  if (publicRaw.length !== PUBLIC_KEY_SIZE) {
    throw malformed(`an Ed25519 public key is ${PUBLIC_KEY_SIZE} bytes, got ${publicRaw.length}`);
  }
  return createHash("sha256")
    .update(name, "utf8")
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(publicRaw)
    .digest()
    .subarray(0, KEY_HASH_SIZE);
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIG_PREFIX))
    throw malformed("a signature line must start with an em dash and a space");
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(" ");
  if (space < 0) throw malformed("a signature line needs a name and a signature");
  const name = rest.slice(0, space);
  checkKeyName(name);
  const blob = decodeBase64(rest.slice(space + 1), "signature");
  // Other signature types (cosignatures, post-quantum) are longer: keep them so they can be ignored.
  if (blob.length <= KEY_HASH_SIZE) throw malformed("a signature must hold a key id and signature bytes");
  return { name, keyHash: blob.subarray(0, KEY_HASH_SIZE), signature: blob.subarray(KEY_HASH_SIZE) };
}

const WHITE_SPACE = /\p{White_Space}/u;
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The spec forbids ASCII controls other than newline (CR is the usual intruder), and a lone
 * surrogate has no UTF-8 encoding, so its signed bytes would not be what was shown.
 */
function hasForbiddenChar(text: string, allowNewline: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && !(allowNewline && c === 0x0a)) return true;
  }
  return LONE_SURROGATE.test(text);
}

function checkText(text: string): void {
  if (hasForbiddenChar(text, true)) {
    throw malformed("note contains a control character other than newline, or invalid UTF-16");
  }
}

/** A note's text as signed: non-empty and newline-terminated, as `parseCheckpoint` yields it. */
function checkBody(body: string): void {
  checkText(body);
  if (!body.endsWith("\n") || body === "\n")
    throw malformed("a note body is non-empty and ends with a newline");
}

function checkLine(text: string, what: string): void {
  if (hasForbiddenChar(text, false)) {
    throw malformed(`${what} must be a single line without control characters`);
  }
}

function checkKeyName(name: string): void {
  checkLine(name, "key name");
  if (name === "" || WHITE_SPACE.test(name) || name.includes("+")) {
    throw malformed(`key name ${JSON.stringify(name)} must be non-empty, without spaces or "+"`);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard padded base64 only, and only its canonical form (unused bits zero). */
function decodeBase64(text: string, what: string): Buffer {
  if (!BASE64.test(text)) throw malformed(`${what} is not standard base64`);
  const bytes = Buffer.from(text, "base64");
  if (bytes.toString("base64") !== text) throw malformed(`${what} is not canonical base64`);
  return bytes;
}

function malformed(message: string): CheckpointError {
  return new CheckpointError("CHECKPOINT_MALFORMED", message);
}
