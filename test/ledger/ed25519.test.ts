import { createHash, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  generateSigningKey,
  keyIdOf,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyFromRaw,
  publicKeyObject,
  rawPublicKey,
  sign,
  verify,
  verifyAsync,
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
    const publicKey = publicKeyFromRaw(Buffer.from(RFC8032.publicKey, "hex"));
    expect(verify(message, Buffer.from(RFC8032.signature, "hex"), publicKey)).toBe(true);
  });

  it("round-trips a signature and rejects another key", () => {
    const alice = generateSigningKey();
    const bob = generateSigningKey();
    const signature = sign(data, alice.privateKey);
    expect(signature).toHaveLength(64);
    expect(verify(data, signature, alice.publicKey)).toBe(true);
    expect(verify(data, signature, bob.publicKey)).toBe(false);
  });

  it("rejects every single-byte change to the data or the signature", () => {
    const { privateKey, publicKey } = generateSigningKey();
    const signature = sign(data, privateKey);
    for (let i = 0; i < data.length; i++)
      expect(verify(flip(data, i), signature, publicKey), `data[${i}]`).toBe(false);
    for (let i = 0; i < 64; i++) expect(verify(data, flip(signature, i), publicKey), `sig[${i}]`).toBe(false);
  });

  it("returns false, never throws, for malformed signatures and unsuitable keys", () => {
    const { privateKey, publicKey } = generateSigningKey();
    const signature = sign(data, privateKey);
    for (const bad of [
      Buffer.alloc(0),
      signature.subarray(0, 63),
      Buffer.concat([signature, Buffer.of(0)]),
    ]) {
      expect(verify(data, bad, publicKey)).toBe(false);
    }
    expect(verify(data, signature, privateKey)).toBe(false);
    const ecdsa = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    expect(verify(data, signature, ecdsa)).toBe(false);
  });

  it("converts between raw bytes and KeyObjects losslessly", () => {
    const { privateKey, publicKey, publicRaw } = generateSigningKey();
    expect(publicRaw).toHaveLength(32);
    expect(rawPublicKey(publicKey)).toEqual(publicRaw);
    expect(rawPublicKey(privateKey)).toEqual(publicRaw);
    const rebuilt = publicKeyFromRaw(publicRaw);
    expect(rebuilt.equals(publicKey)).toBe(true);
    expect(verify(data, sign(data, privateKey), rebuilt)).toBe(true);
    expect(() => publicKeyFromRaw(publicRaw.subarray(0, 31))).toThrow(RangeError);
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

describe("verifyAsync", () => {
  it("agrees with verify on valid, tampered, wrong-key and malformed inputs", async () => {
    const alice = generateSigningKey();
    const bob = generateSigningKey();
    const messages = Array.from({ length: 16 }, (_, i) => Buffer.from(`entry ${i}`));
    const cases = messages.flatMap((message) => {
      const signature = sign(message, alice.privateKey);
      return [
        { message, signature, key: alice.publicKey },
        { message: flip(message, 0), signature, key: alice.publicKey },
        { message, signature: flip(signature, 10), key: alice.publicKey },
        { message, signature, key: bob.publicKey },
        { message, signature: signature.subarray(0, 10), key: alice.publicKey },
      ];
    });
    const asyncResults = await Promise.all(cases.map((c) => verifyAsync(c.message, c.signature, c.key)));
    const syncResults = cases.map((c) => verify(c.message, c.signature, c.key));
    expect(asyncResults).toEqual(syncResults);
    expect(syncResults.filter(Boolean)).toHaveLength(messages.length);
  });
});

describe("publicKeyObject", () => {
  it("builds each KeyObject once and returns it again for equal bytes", () => {
    const { publicRaw, privateKey } = generateSigningKey();
    const first = publicKeyObject(publicRaw);
    expect(publicKeyObject(Buffer.from(publicRaw))).toBe(first);
    expect(verify(Buffer.from("x"), sign(Buffer.from("x"), privateKey), first)).toBe(true);
  });

  it("keys the cache by the viewed bytes, not the backing buffer", () => {
    const a = generateSigningKey().publicRaw;
    const b = generateSigningKey().publicRaw;
    const pool = Buffer.concat([a, b]);
    expect(publicKeyObject(pool.subarray(32, 64))).toBe(publicKeyObject(b));
    expect(publicKeyObject(pool.subarray(0, 32))).not.toBe(publicKeyObject(b));
    expect(rawPublicKey(publicKeyObject(pool.subarray(0, 32)))).toEqual(a);
  });
});
