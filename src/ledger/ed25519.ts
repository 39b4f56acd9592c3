import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import sodium from "sodium-native";

/**
 * Ed25519: keys made, stored and parsed by node:crypto (KeyObjects), signatures made and
 * checked by libsodium, keys exchanged as 32 raw bytes.
 */

export const PUBLIC_KEY_SIZE = 32;
export const SIGNATURE_SIZE = 64;

// SubjectPublicKeyInfo DER for Ed25519 (RFC 8410) is this fixed 12-byte header + the raw key.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function generateSigningKey(): { privateKey: KeyObject; publicKey: KeyObject; publicRaw: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privateKey, publicKey, publicRaw: rawPublicKey(publicKey) };
}

/** The 32 raw public-key bytes; a private key yields its public half. */
export function rawPublicKey(key: KeyObject): Buffer {
  requireEd25519(key);
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const der = pub.export({ format: "der", type: "spki" });
  if (
    der.length !== SPKI_PREFIX.length + PUBLIC_KEY_SIZE ||
    !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)
  ) {
    throw new Error("unexpected SPKI encoding for an Ed25519 key");
  }
  return Buffer.from(der.subarray(SPKI_PREFIX.length));
}

export function privateKeyFromPem(pem: string): KeyObject {
  const key = createPrivateKey({ key: pem, format: "pem" });
  requireEd25519(key);
  return key;
}

export function privateKeyToPem(key: KeyObject): string {
  requireEd25519(key);
  if (key.type !== "private") throw new TypeError("expected a private key");
  return key.export({ format: "pem", type: "pkcs8" }).toString();
}

/**
 * A short, stable key id placed in each entry: 128 bits of SHA-256 is ample to tell an
 * organization's keys apart, and the entry is verified against the full key anyway.
 */
export function keyIdOf(publicRaw: Uint8Array): string {
  if (publicRaw.length !== PUBLIC_KEY_SIZE) {
    throw new RangeError(`an Ed25519 public key is ${PUBLIC_KEY_SIZE} bytes, got ${publicRaw.length}`);
  }
  const digest = createHash("sha256").update(publicRaw).digest();
  return `ed25519:${digest.subarray(0, 16).toString("base64url")}`;
}

/** libsodium's secret key (seed ‖ public key) of each private key `sign` has used. */
const sodiumSecretKeys = new WeakMap<KeyObject, Buffer>();

/**
 * The Ed25519 signature of `data`, made by libsodium: the very bytes node:crypto's `sign`
 * makes (Ed25519 is deterministic; the tests compare the two), in about 0.6 of its time on
 * this project's machine. Every entry and every checkpoint is signed here, and a batch's
 * signatures were its largest single cost (README, "Signing and the tree").
 */
export function sign(data: Uint8Array, privateKey: KeyObject): Buffer {
  let secret = sodiumSecretKeys.get(privateKey);
  if (!secret) {
    requireEd25519(privateKey);
    if (privateKey.type !== "private") throw new TypeError("expected a private key");
    const seed = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url");
    secret = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.crypto_sign_seed_keypair(Buffer.alloc(PUBLIC_KEY_SIZE), secret, seed);
    seed.fill(0);
    sodiumSecretKeys.set(privateKey, secret);
  }
  const signature = Buffer.alloc(SIGNATURE_SIZE);
  sodium.crypto_sign_detached(signature, asBuffer(data), secret);
  return signature;
}

/**
 * Whether `signature` is `publicRaw`'s signature of `data`; false for any failure, including
 * malformed signatures and keys. Verification runs on libsodium (sodium-native), not
 * node:crypto: on the same machine it checks a signature in about half the time OpenSSL takes
 * (`npm run bench` measures both), and it is the stricter of the two. It refuses keys and
 * signature points of small order, under which OpenSSL accepts a signature made without any
 * private key (test/ledger/ed25519.test.ts shows one).
 */
export function verify(data: Uint8Array, signature: Uint8Array, publicRaw: Uint8Array): boolean {
  if (
    !(signature instanceof Uint8Array) ||
    signature.length !== SIGNATURE_SIZE ||
    !(publicRaw instanceof Uint8Array) ||
    publicRaw.length !== PUBLIC_KEY_SIZE
  ) {
    return false;
  }
  try {
    return sodium.crypto_sign_verify_detached(asBuffer(signature), asBuffer(data), asBuffer(publicRaw));
  } catch {
    return false;
  }
}

/** sodium-native takes Buffers; a view over the same memory costs no copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function requireEd25519(key: KeyObject): void {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new TypeError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  }
}
