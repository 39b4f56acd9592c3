import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";

/** Ed25519 signing on node:crypto, with keys exchanged as 32 raw bytes. */

export const PUBLIC_KEY_SIZE = 32;
export const SIGNATURE_SIZE = 64;

// SubjectPublicKeyInfo DER for Ed25519 (RFC 8410) is this fixed 12-byte header + the raw key.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function generateSigningKey(): { privateKey: KeyObject; publicKey: KeyObject; publicRaw: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privateKey, publicKey, publicRaw: rawPublicKey(publicKey) };
}

export function publicKeyFromRaw(raw32: Uint8Array): KeyObject {
  if (raw32.length !== PUBLIC_KEY_SIZE) {
    throw new RangeError(`an Ed25519 public key is ${PUBLIC_KEY_SIZE} bytes, got ${raw32.length}`);
  }
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw32]), format: "der", type: "spki" });
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

export function sign(data: Uint8Array, privateKey: KeyObject): Buffer {
  requireEd25519(privateKey);
  return cryptoSign(null, data, privateKey);
}

/** False for any failure, including malformed signatures and keys of another type. */
export function verify(data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (!canVerify(signature, publicKey)) return false;
  try {
    return cryptoVerify(null, data, publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * The callback form of crypto.verify runs on libuv's thread pool, so a verifier with many
 * signatures in flight uses every core instead of blocking the event loop on each one.
 */
export function verifyAsync(data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): Promise<boolean> {
  if (!canVerify(signature, publicKey)) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      cryptoVerify(null, data, publicKey, signature, (err, ok) => resolve(err === null && ok));
    } catch {
      resolve(false);
    }
  });
}

// Building a KeyObject parses DER; a verifier of a long log sees the same few keys repeatedly.
// The bound keeps a stream of attacker-chosen keys from growing the cache without limit.
const KEY_CACHE_LIMIT = 1024;
const keyCache = new Map<string, KeyObject>();

export function publicKeyObject(raw: Uint8Array): KeyObject {
  const cacheKey = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("hex");
  const hit = keyCache.get(cacheKey);
  if (hit !== undefined) return hit;
  const key = publicKeyFromRaw(raw);
  if (keyCache.size >= KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next();
    if (!oldest.done) keyCache.delete(oldest.value);
  }
  keyCache.set(cacheKey, key);
  return key;
}

function canVerify(signature: Uint8Array, publicKey: KeyObject): boolean {
  return (
    signature instanceof Uint8Array &&
    signature.length === SIGNATURE_SIZE &&
    publicKey.type === "public" &&
    publicKey.asymmetricKeyType === "ed25519"
  );
}

function requireEd25519(key: KeyObject): void {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new TypeError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  }
}
