import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as opensslSign,
  verify as opensslVerify,
} from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  generateSigningKey,
  keyIdOf,
  privateKeyFromPem,
  privateKeyToPem,
  rawPublicKey,
  sign,
  verify,
} from "../../src/ledger/ed25519.ts";

// RFC 8032 §7.1, TEST 2: a one-byte message, so the known answer exercises real input.
const RFC8032 = {
  seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
  publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
  message: "72",
  signature:
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da" +
    "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
};

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410), to load the RFC's private key.
const privateKeyFromSeed = (seedHex: string) =>
  createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seedHex, "hex")]),
    format: "der",
    type: "pkcs8",
  });

const flip = (buf: Uint8Array, byte: number) => {
  const out = Buffer.from(buf);
  out[byte]! ^= 0x01;
  return out;
};

describe("Ed25519 primitives", () => {
  const data = Buffer.from('{"dispute":"wga-2023","seq":1}');

  it("matches the RFC 8032 known answer through the raw-key path", () => {
    const privateKey = privateKeyFromSeed(RFC8032.seed);
    expect(rawPublicKey(privateKey).toString("hex")).toBe(RFC8032.publicKey);
    const message = Buffer.from(RFC8032.message, "hex");
    expect(sign(message, privateKey).toString("hex")).toBe(RFC8032.signature);
    expect(
      verify(message, Buffer.from(RFC8032.signature, "hex"), Buffer.from(RFC8032.publicKey, "hex")),
    ).toBe(true);
  });

  it("round-trips a signature and rejects another key", () => {
    const alice = generateSigningKey();
    const bob = generateSigningKey();
    const signature = sign(data, alice.privateKey);
    expect(signature).toHaveLength(64);
    expect(verify(data, signature, alice.publicRaw)).toBe(true);
    expect(verify(data, signature, bob.publicRaw)).toBe(false);
  });

  it("rejects every single-byte change to the data or the signature", () => {
    const { privateKey, publicRaw } = generateSigningKey();
    const signature = sign(data, privateKey);
    for (let i = 0; i < data.length; i++)
      expect(verify(flip(data, i), signature, publicRaw), `data[${i}]`).toBe(false);
    for (let i = 0; i < 64; i++) expect(verify(data, flip(signature, i), publicRaw), `sig[${i}]`).toBe(false);
  });

  it("returns false, never throws, for malformed signatures and keys", () => {
    const { privateKey, publicRaw } = generateSigningKey();
    const signature = sign(data, privateKey);
    for (const bad of [
      Buffer.alloc(0),
      signature.subarray(0, 63),
      Buffer.concat([signature, Buffer.of(0)]),
    ]) {
      expect(verify(data, bad, publicRaw)).toBe(false);
    }
    expect(verify(data, signature, publicRaw.subarray(0, 31))).toBe(false);
    expect(verify(data, signature, Buffer.concat([publicRaw, Buffer.of(0)]))).toBe(false);
    // 32 bytes that decode to no point of the curve.
    expect(verify(data, signature, Buffer.alloc(32, 0xff))).toBe(false);
    expect(verify(data, "not bytes" as unknown as Uint8Array, publicRaw)).toBe(false);
  });

  it("accepts bytes in any Uint8Array view, not only Buffers", () => {
    const { privateKey, publicRaw } = generateSigningKey();
    const signature = sign(data, privateKey);
    // Views into a larger buffer at an offset, as rows and worker messages deliver them.
    const pool = new Uint8Array(8 + data.length + 64 + 32);
    pool.set(data, 8);
    pool.set(signature, 8 + data.length);
    pool.set(publicRaw, 8 + data.length + 64);
    const at = (from: number, length: number) => new Uint8Array(pool.buffer, from, length);
    expect(verify(at(8, data.length), at(8 + data.length, 64), at(8 + data.length + 64, 32))).toBe(true);
  });

  it("refuses a signature that holds for any message under a small-order key, as OpenSSL does not", () => {
    // The identity point as the public key, and R = identity, S = 0 as the signature:
    // [S]B = R + [k]A holds for every message k, so no private key is needed to make it.
    const identity = Buffer.alloc(32);
    identity[0] = 1;
    const forged = Buffer.alloc(64);
    forged[0] = 1;
    const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), identity]);
    const asOpenSsl = createPublicKey({ key: spki, format: "der", type: "spki" });
    for (const message of [data, Buffer.from("any other message")]) {
      expect(opensslVerify(null, message, asOpenSsl, forged)).toBe(true);
      expect(verify(message, forged, identity)).toBe(false);
    }
  });

  it("derives the raw public key from either half of a key pair", () => {
    const { privateKey, publicKey, publicRaw } = generateSigningKey();
    expect(publicRaw).toHaveLength(32);
    expect(rawPublicKey(publicKey)).toEqual(publicRaw);
    expect(rawPublicKey(privateKey)).toEqual(publicRaw);
    expect(verify(data, sign(data, privateKey), rawPublicKey(privateKey))).toBe(true);
  });

  it("agrees with node:crypto on valid, tampered and wrong-key signatures", () => {
    const alice = generateSigningKey();
    const bob = generateSigningKey();
    for (let i = 0; i < 16; i++) {
      const message = Buffer.from(`entry ${i}`);
      const signature = sign(message, alice.privateKey);
      for (const [m, s, k] of [
        [message, signature, alice],
        [flip(message, 0), signature, alice],
        [message, flip(signature, 10), alice],
        [message, signature, bob],
      ] as const) {
        expect(verify(m, s, k.publicRaw)).toBe(opensslVerify(null, m, k.publicKey, s));
      }
    }
  });

  it("round-trips private keys through PKCS#8 PEM", () => {
    const { privateKey, publicRaw } = generateSigningKey();
    const pem = privateKeyToPem(privateKey);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const restored = privateKeyFromPem(pem);
    expect(rawPublicKey(restored)).toEqual(publicRaw);
    // Ed25519 is deterministic: the same key signs the same bytes identically.
    expect(sign(data, restored)).toEqual(sign(data, privateKey));
  });

  it("refuses PEM keys of another algorithm", () => {
    const ecKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const pem = ecKey.export({ format: "pem", type: "pkcs8" }).toString();
    expect(() => privateKeyFromPem(pem)).toThrow(TypeError);
    expect(() => privateKeyToPem(ecKey)).toThrow(TypeError);
  });
});

describe("sign (libsodium)", () => {
  it("writes node:crypto's very signature, for any key and message, again after its key is cached", () => {
    for (let i = 0; i < 20; i++) {
      const { privateKey, publicRaw } = generateSigningKey();
      const message = Buffer.from(`entry ${i}\n${"é".repeat(i * 37)}`);
      const expected = opensslSign(null, message, privateKey);
      expect(sign(message, privateKey).equals(expected)).toBe(true);
      expect(sign(message, privateKey).equals(expected)).toBe(true);
      expect(verify(message, sign(message, privateKey), publicRaw)).toBe(true);
    }
  });

  it("signs a Uint8Array view as the bytes it shows, not its whole buffer", () => {
    const { privateKey } = generateSigningKey();
    const whole = Buffer.from("xxentryxx");
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 2, 5);
    expect(sign(view, privateKey).equals(opensslSign(null, Buffer.from("entry"), privateKey))).toBe(true);
  });

  it("refuses a public key and a key of another algorithm", () => {
    const { publicKey } = generateSigningKey();
    expect(() => sign(Buffer.from("x"), publicKey)).toThrow(TypeError);
    const ecKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    expect(() => sign(Buffer.from("x"), ecKey)).toThrow(TypeError);
  });
});

describe("keyIdOf", () => {
  it("is ed25519: plus 16 bytes of SHA-256 of the raw key in base64url", () => {
    const { publicRaw } = generateSigningKey();
    const id = keyIdOf(publicRaw);
    expect(id).toMatch(/^ed25519:[A-Za-z0-9_-]{22}$/);
    const digest = createHash("sha256").update(publicRaw).digest();
    expect(Buffer.from(id.slice("ed25519:".length), "base64url")).toEqual(digest.subarray(0, 16));
  });

  it("is stable for a key and distinct across keys", () => {
    const a = generateSigningKey().publicRaw;
    const b = generateSigningKey().publicRaw;
    expect(keyIdOf(a)).toBe(keyIdOf(Buffer.from(a)));
    expect(keyIdOf(a)).not.toBe(keyIdOf(b));
    expect(() => keyIdOf(a.subarray(1))).toThrow(RangeError);
  });
});
