import { createHash, createPrivateKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CheckpointError,
  checkpointBody,
  keyHash,
  parseCheckpoint,
  parseVerifierKey,
  signatureLine,
  signCheckpoint,
  verifierKey,
  verifyCheckpoint,
  verifySignatureLine,
} from "../../src/ledger/checkpoint.ts";
import { generateSigningKey, rawPublicKey, sign } from "../../src/ledger/ed25519.ts";
import { EMPTY_ROOT } from "../../src/ledger/merkle.ts";

const ORIGIN = "parley.example/disputes/wga-2023";
const ROOT = createHash("sha256").update("some tree head").digest();
const log = { name: ORIGIN, ...generateSigningKey() };
const witness = { name: "witness.example/w1", ...generateSigningKey() };
const stranger = { name: "stranger.example", ...generateSigningKey() };

const NOTE = signCheckpoint(ORIGIN, 136, ROOT, log);

/** Replaces line i of a note (lines are split on "\n"; the final element is ""). */
function withLine(note: string, i: number, value: string): string {
  const lines = note.split("\n");
  lines[i] = value;
  return lines.join("\n");
}

/** A signature line for arbitrary key-hash and signature bytes. */
const sigLine = (name: string, ...parts: Uint8Array[]) =>
  `— ${name} ${Buffer.concat(parts).toString("base64")}\n`;

function errorOf(f: () => unknown): CheckpointError {
  try {
    f();
  } catch (err) {
    if (err instanceof CheckpointError) return err;
    throw err;
  }
  throw new Error("expected a CheckpointError, but the call succeeded");
}

describe("checkpoint format", () => {
  it("writes the body as origin, decimal size and base64 root, each ending in a newline", () => {
    expect(checkpointBody(ORIGIN, 136, ROOT)).toBe(`${ORIGIN}\n136\n${ROOT.toString("base64")}\n`);
    expect(checkpointBody(ORIGIN, 0, EMPTY_ROOT)).toBe(
      `${ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`,
    );
  });

  it("signs with one em-dash line holding base64(key hash ‖ 64-byte signature) over the body", () => {
    const body = checkpointBody(ORIGIN, 136, ROOT);
    expect(NOTE.startsWith(`${body}\n\u2014 ${ORIGIN} `)).toBe(true);
    expect(NOTE.endsWith("\n")).toBe(true);
    const blob = Buffer.from(
      NOTE.slice(body.length + 1)
        .trim()
        .split(" ")[2]!,
      "base64",
    );
    expect(blob).toHaveLength(68);
    expect(blob.subarray(0, 4)).toEqual(keyHash(ORIGIN, log.publicRaw));
    // Ed25519 is deterministic, so the signature is exactly that of the body bytes.
    expect(blob.subarray(4)).toEqual(sign(Buffer.from(body), log.privateKey));
  });

  it("computes the key hash as SHA-256(name ‖ LF ‖ 0x01 ‖ key)[:4]", () => {
    const expected = createHash("sha256")
      .update(Buffer.concat([Buffer.from(`${ORIGIN}\n`), Buffer.of(0x01), log.publicRaw]))
      .digest()
      .subarray(0, 4);
    expect(keyHash(ORIGIN, log.publicRaw)).toEqual(expected);
  });

  it("interoperates with Go's sumdb/note reference key and signature", () => {
    // The published example of golang.org/x/mod/sumdb/note (also quoted by c2sp.org/signed-note
    // implementations): a signer key, its verifier key, and the note it produces.
    const skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const text =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const sigBlob =
      "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";

    // The key's base64 itself contains "+", so only the first four "+" separate fields.
    const typedSeed = Buffer.from(skey.split("+").slice(4).join("+"), "base64");
    expect(typedSeed[0]).toBe(0x01);
    const privateKey = createPrivateKey({
      key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), typedSeed.subarray(1)]),
      format: "der",
      type: "pkcs8",
    });
    const publicRaw = rawPublicKey(privateKey);

    expect(verifierKey("PeterNeumann", publicRaw)).toBe(vkey);
    expect(parseVerifierKey(vkey)).toEqual({ name: "PeterNeumann", publicRaw });
    const blob = Buffer.concat([keyHash("PeterNeumann", publicRaw), sign(Buffer.from(text), privateKey)]);
    expect(blob.toString("base64")).toBe(sigBlob);

    // A well-formed note, but a two-line text is not a checkpoint body.
    const note = `${text}\n— PeterNeumann ${sigBlob}\n`;
    expect(errorOf(() => parseCheckpoint(note)).code).toBe("CHECKPOINT_MALFORMED");
  });
});

describe("round trip", () => {
  it("parses what it signs", () => {
    const parsed = parseCheckpoint(NOTE);
    expect(parsed.origin).toBe(ORIGIN);
    expect(parsed.size).toBe(136);
    expect(parsed.root).toEqual(ROOT);
    expect(parsed.extensions).toEqual([]);
    expect(parsed.body).toBe(checkpointBody(ORIGIN, 136, ROOT));
    expect(parsed.signatures).toHaveLength(1);
    expect(parsed.signatures[0]!.name).toBe(ORIGIN);
    expect(parsed.signatures[0]!.keyHash).toEqual(keyHash(ORIGIN, log.publicRaw));
    expect(parsed.signatures[0]!.signature).toHaveLength(64);
  });

  it("verifies with the log's key and returns the tree head", () => {
    expect(verifyCheckpoint(NOTE, log)).toEqual({ origin: ORIGIN, size: 136, root: ROOT });
    expect(verifyCheckpoint(NOTE, parseVerifierKey(verifierKey(log.name, log.publicRaw)))).toEqual({
      origin: ORIGIN,
      size: 136,
      root: ROOT,
    });
  });

  it("handles the empty tree and the largest safe size", () => {
    expect(verifyCheckpoint(signCheckpoint(ORIGIN, 0, EMPTY_ROOT, log), log).size).toBe(0);
    const big = signCheckpoint(ORIGIN, Number.MAX_SAFE_INTEGER, ROOT, log);
    expect(verifyCheckpoint(big, log).size).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("parses and verifies extension lines, which the signature covers", () => {
    const body = `${checkpointBody(ORIGIN, 7, ROOT)}strike day 136\n`;
    const signature = sign(Buffer.from(body), log.privateKey);
    const note = `${body}\n${sigLine(log.name, keyHash(log.name, log.publicRaw), signature)}`;
    expect(parseCheckpoint(note).extensions).toEqual(["strike day 136"]);
    expect(verifyCheckpoint(note, log).size).toBe(7);
    const altered = note.replace("strike day 136", "strike day 137");
    expect(errorOf(() => verifyCheckpoint(altered, log)).code).toBe("CHECKPOINT_BAD_SIGNATURE");
  });

  it("checks the origin when asked to", () => {
    expect(verifyCheckpoint(NOTE, log, { origin: ORIGIN }).origin).toBe(ORIGIN);
    expect(errorOf(() => verifyCheckpoint(NOTE, log, { origin: "parley.example/other" })).code).toBe(
      "CHECKPOINT_WRONG_ORIGIN",
    );
  });
});

describe("tampering and wrong keys", () => {
  it("rejects a changed size, root or origin: the log's signature no longer verifies", () => {
    const otherRoot = createHash("sha256").update("another head").digest().toString("base64");
    for (const tampered of [
      withLine(NOTE, 1, "137"),
      withLine(NOTE, 1, "13"),
      withLine(NOTE, 2, otherRoot),
      withLine(NOTE, 0, `${ORIGIN}x`),
    ]) {
      expect(parseCheckpoint(tampered).signatures).toHaveLength(1);
      expect(errorOf(() => verifyCheckpoint(tampered, log)).code).toBe("CHECKPOINT_BAD_SIGNATURE");
    }
  });

  it("rejects every single-byte change to the signature", () => {
    const lines = NOTE.split("\n");
    const [dash, name, b64] = lines[4]!.split(" ") as [string, string, string];
    const blob = Buffer.from(b64, "base64");
    for (let i = 4; i < blob.length; i++) {
      const bad = Buffer.from(blob);
      bad[i]! ^= 0x80;
      const note = withLine(NOTE, 4, `${dash} ${name} ${bad.toString("base64")}`);
      expect(errorOf(() => verifyCheckpoint(note, log)).code, `byte ${i}`).toBe("CHECKPOINT_BAD_SIGNATURE");
    }
    // A changed key hash makes it some other key's signature, which is ignored.
    const otherKey = Buffer.from(blob);
    otherKey[0]! ^= 0x80;
    const note = withLine(NOTE, 4, `${dash} ${name} ${otherKey.toString("base64")}`);
    expect(errorOf(() => verifyCheckpoint(note, log)).code).toBe("CHECKPOINT_NOT_SIGNED");
  });

  it("rejects a note checked against the wrong key or the wrong name", () => {
    expect(errorOf(() => verifyCheckpoint(NOTE, { name: ORIGIN, publicRaw: stranger.publicRaw })).code).toBe(
      "CHECKPOINT_NOT_SIGNED",
    );
    expect(
      errorOf(() => verifyCheckpoint(NOTE, { name: "other.example", publicRaw: log.publicRaw })).code,
    ).toBe("CHECKPOINT_NOT_SIGNED");
  });

  it("rejects a signature by another key presented under the log's name and key hash", () => {
    const body = checkpointBody(ORIGIN, 136, ROOT);
    const forged = `${body}\n${sigLine(ORIGIN, keyHash(ORIGIN, log.publicRaw), sign(Buffer.from(body), stranger.privateKey))}`;
    expect(errorOf(() => verifyCheckpoint(forged, log)).code).toBe("CHECKPOINT_BAD_SIGNATURE");
  });

  it("rejects a signature of the wrong length under the log's name and key hash", () => {
    const long = sigLine(ORIGIN, keyHash(ORIGIN, log.publicRaw), Buffer.alloc(72, 4));
    const note = `${checkpointBody(ORIGIN, 136, ROOT)}\n${long}`;
    expect(errorOf(() => verifyCheckpoint(note, log)).code).toBe("CHECKPOINT_BAD_SIGNATURE");
  });

  it("ignores signature lines from unknown keys, before or after the log's", () => {
    const unknownBefore = sigLine("other.example", Buffer.alloc(4, 1), Buffer.alloc(64, 2));
    // Same name as the log but another key hash, and longer than Ed25519 (like a cosignature).
    const unknownAfter = sigLine(ORIGIN, Buffer.alloc(4, 3), Buffer.alloc(72, 4));
    const body = NOTE.slice(0, NOTE.indexOf("\n\n") + 2);
    const note = body + unknownBefore + NOTE.slice(body.length) + unknownAfter;
    expect(parseCheckpoint(note).signatures.map((s) => s.name)).toEqual(["other.example", ORIGIN, ORIGIN]);
    expect(verifyCheckpoint(note, log)).toEqual({ origin: ORIGIN, size: 136, root: ROOT });
  });

  it("verifies each signer of a cosigned checkpoint independently", () => {
    const witnessLine = signCheckpoint(ORIGIN, 136, ROOT, witness).split("\n\n")[1]!;
    const cosigned = NOTE + witnessLine;
    expect(verifyCheckpoint(cosigned, log).size).toBe(136);
    expect(verifyCheckpoint(cosigned, witness).size).toBe(136);
    expect(errorOf(() => verifyCheckpoint(cosigned, stranger)).code).toBe("CHECKPOINT_NOT_SIGNED");
  });

  it("rejects the note when one of the verifier's own signatures fails, even if another passes", () => {
    const body = checkpointBody(ORIGIN, 136, ROOT);
    const bad = sigLine(ORIGIN, keyHash(ORIGIN, log.publicRaw), Buffer.alloc(64, 9));
    expect(errorOf(() => verifyCheckpoint(NOTE + bad, log)).code).toBe("CHECKPOINT_BAD_SIGNATURE");
    expect(errorOf(() => verifyCheckpoint(`${body}\n${bad}${NOTE.slice(body.length + 1)}`, log)).code).toBe(
      "CHECKPOINT_BAD_SIGNATURE",
    );
  });
});

describe("strict parsing", () => {
  const rootB64 = ROOT.toString("base64");
  const b64Of = (bytes: Buffer) => bytes.toString("base64");
  const allOnes = b64Of(Buffer.alloc(32, 0xff)); // "////…8=", which has "/" to mangle
  const sigOf = NOTE.split("\n")[4]!;
  const blob = sigOf.split(" ")[2]!;

  const malformed: [string, string][] = [
    ["no blank line before the signatures", NOTE.replace("\n\n", "\n")],
    ["no signature lines", `${checkpointBody(ORIGIN, 136, ROOT)}\n`],
    ["no final newline", NOTE.slice(0, -1)],
    ["CRLF line endings", NOTE.replaceAll("\n", "\r\n")],
    ["a CR inside the origin", withLine(NOTE, 0, `${ORIGIN}\r`)],
    ["a tab in the body", withLine(NOTE, 0, `${ORIGIN}\t`)],
    ["a NUL in the body", withLine(NOTE, 0, `${ORIGIN}\u0000`)],
    ["a lone surrogate", withLine(NOTE, 0, `${ORIGIN}\uD800`)],
    ["an empty origin", withLine(NOTE, 0, "")],
    ["a missing root line", NOTE.replace(`${rootB64}\n`, "")],
    ["an empty extension line", NOTE.replace(`${rootB64}\n`, `${rootB64}\n\n`)],
    ["a leading zero in the size", withLine(NOTE, 1, "0136")],
    ["a size of 00", withLine(NOTE, 1, "00")],
    ["a signed size", withLine(NOTE, 1, "+136")],
    ["a negative size", withLine(NOTE, 1, "-1")],
    ["a fractional size", withLine(NOTE, 1, "136.0")],
    ["a size in exponent form", withLine(NOTE, 1, "1e3")],
    ["a hex size", withLine(NOTE, 1, "0x88")],
    ["a size with a space", withLine(NOTE, 1, " 136")],
    ["a size beyond 2^53 - 1", withLine(NOTE, 1, "9007199254740992")],
    ["a 31-byte root", withLine(NOTE, 2, b64Of(ROOT.subarray(1)))],
    ["a 33-byte root", withLine(NOTE, 2, b64Of(Buffer.concat([ROOT, Buffer.of(0)])))],
    ["an unpadded root", withLine(NOTE, 2, rootB64.replace(/=+$/, ""))],
    ["a base64url root", withLine(NOTE, 2, allOnes.replaceAll("/", "_"))],
    ["a root with non-zero padding bits", withLine(NOTE, 2, allOnes.replace("8=", "9="))],
    ["a root with a space", withLine(NOTE, 2, `${rootB64.slice(0, 10)} ${rootB64.slice(10)}`)],
    ["a hyphen instead of an em dash", withLine(NOTE, 4, sigOf.replace("\u2014", "-"))],
    ["an en dash instead of an em dash", withLine(NOTE, 4, sigOf.replace("\u2014", "\u2013"))],
    ["no space after the em dash", withLine(NOTE, 4, sigOf.replace("\u2014 ", "\u2014"))],
    ["a key name with a plus", withLine(NOTE, 4, `\u2014 a+b ${blob}`)],
    ["a key name with a no-break space", withLine(NOTE, 4, `\u2014 a\u00a0b ${blob}`)],
    ["an empty key name", withLine(NOTE, 4, `\u2014  ${blob}`)],
    ["two spaces before the signature", withLine(NOTE, 4, `\u2014 ${ORIGIN}  ${blob}`)],
    ["a trailing space", withLine(NOTE, 4, `${sigOf} `)],
    ["a signature that is not base64", withLine(NOTE, 4, `\u2014 ${ORIGIN} !!!!`)],
    ["a signature of only a key hash", withLine(NOTE, 4, `\u2014 ${ORIGIN} AAAAAA==`)],
    ["a name but no signature", withLine(NOTE, 4, `\u2014 ${ORIGIN}`)],
    ["a blank line between signatures", `${NOTE}\n${sigOf}\n`],
    ["a stray text line among the signatures", `${NOTE}not a signature\n`],
    ["more than 100 signatures", NOTE + `${sigOf}\n`.repeat(100)],
  ];

  for (const [what, note] of malformed) {
    it(`rejects ${what}`, () => {
      expect(note).not.toBe(NOTE);
      expect(errorOf(() => parseCheckpoint(note)).code).toBe("CHECKPOINT_MALFORMED");
      expect(errorOf(() => verifyCheckpoint(note, log)).code).toBe("CHECKPOINT_MALFORMED");
    });
  }

  it("accepts at least the 16 signatures the spec requires verifiers to handle", () => {
    const many = NOTE + `${sigLine("other.example", Buffer.alloc(4, 1), Buffer.alloc(64, 2))}`.repeat(15);
    expect(parseCheckpoint(many).signatures).toHaveLength(16);
    expect(verifyCheckpoint(many, log).size).toBe(136);
  });
});

describe("signing input checks", () => {
  const bad: [string, () => unknown][] = [
    ["an empty origin", () => signCheckpoint("", 1, ROOT, log)],
    ["a multi-line origin", () => signCheckpoint("a\nb", 1, ROOT, log)],
    ["a CR in the origin", () => signCheckpoint("a\rb", 1, ROOT, log)],
    ["a negative size", () => signCheckpoint(ORIGIN, -1, ROOT, log)],
    ["a fractional size", () => signCheckpoint(ORIGIN, 1.5, ROOT, log)],
    ["an unsafe size", () => signCheckpoint(ORIGIN, 2 ** 53, ROOT, log)],
    ["a short root", () => signCheckpoint(ORIGIN, 1, ROOT.subarray(1), log)],
    ["a key name with a space", () => signCheckpoint(ORIGIN, 1, ROOT, { ...log, name: "a b" })],
    ["a key name with a plus", () => signCheckpoint(ORIGIN, 1, ROOT, { ...log, name: "a+b" })],
    ["an empty key name", () => signCheckpoint(ORIGIN, 1, ROOT, { ...log, name: "" })],
  ];
  for (const [what, f] of bad) {
    it(`refuses ${what}`, () => {
      expect(errorOf(f).code).toBe("CHECKPOINT_MALFORMED");
    });
  }

  it("refuses a signer whose publicRaw is not its private key's", () => {
    expect(() => signCheckpoint(ORIGIN, 1, ROOT, { ...log, publicRaw: stranger.publicRaw })).toThrow(
      TypeError,
    );
  });
});

describe("verifier keys", () => {
  it("formats name+hex(key hash)+base64(0x01 ‖ key) and parses it back", () => {
    const vkey = verifierKey(log.name, log.publicRaw);
    const hash = keyHash(log.name, log.publicRaw).toString("hex");
    const key = Buffer.concat([Buffer.of(1), log.publicRaw]).toString("base64");
    expect(vkey).toBe(`${log.name}+${hash}+${key}`);
    expect(parseVerifierKey(vkey)).toEqual({ name: log.name, publicRaw: log.publicRaw });
  });

  it("parses a key whose base64 contains a plus (transparency-dev/formats test key)", () => {
    const vkey = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6";
    const parsed = parseVerifierKey(vkey);
    expect(parsed.name).toBe("TEST");
    expect(parsed.publicRaw).toEqual(
      Buffer.from("AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6", "base64").subarray(1),
    );
    expect(verifierKey(parsed.name, parsed.publicRaw)).toBe(vkey);
  });

  it("rejects verifier keys whose hash, type or shape is wrong", () => {
    const name = "log.example";
    const hash = keyHash(name, log.publicRaw).toString("hex");
    const key = Buffer.concat([Buffer.of(1), log.publicRaw]).toString("base64");
    const wrongType = Buffer.concat([Buffer.of(4), log.publicRaw]).toString("base64");
    for (const bad of [
      `${name}+00000000+${key}`,
      `other.example+${hash}+${key}`,
      `${name}+${hash}+${wrongType}`,
      // The hash in capitals, on a key whose hash has letters: a random key's hash is all
      // digits about one time in 43, and then its capitals are itself.
      "TEST+7997405C+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6",
      `${name}+${hash}`,
      `${name}+${hash}+${key.slice(4)}`,
      `${name}+${hash}+${key}+`,
    ]) {
      expect(errorOf(() => parseVerifierKey(bad)).code, bad).toBe("CHECKPOINT_MALFORMED");
    }
  });
});

describe("extension lines", () => {
  const key = generateSigningKey();
  const signer = { name: "parley.example", privateKey: key.privateKey, publicRaw: key.publicRaw };
  const root = createHash("sha256").update("tree").digest();

  it("are signed with the body and come back from parsing in order", () => {
    const note = signCheckpoint("parley.example/x", 7, root, signer, ["parley-prev 3 abc=", "second"]);
    expect(note.split("\n").slice(3, 5)).toEqual(["parley-prev 3 abc=", "second"]);
    expect(parseCheckpoint(note).extensions).toEqual(["parley-prev 3 abc=", "second"]);
    expect(verifyCheckpoint(note, signer).size).toBe(7);
    const edited = note.replace("parley-prev 3", "parley-prev 4");
    expect(() => verifyCheckpoint(edited, signer)).toThrow(CheckpointError);
  });

  it("must each be one non-empty line", () => {
    expect(() => signCheckpoint("o", 1, root, signer, ["two\nlines"])).toThrow(CheckpointError);
    expect(() => signCheckpoint("o", 1, root, signer, [""])).toThrow(CheckpointError);
  });
});

describe("cosignature lines", () => {
  const body = parseCheckpoint(NOTE).body;
  const line = signatureLine(body, witness);

  it("are the signed-note line a witness would add: appended to the note, it verifies under either key", () => {
    expect(line.startsWith(`\u2014 ${witness.name} `)).toBe(true);
    expect(line).not.toContain("\n");
    // The log's own line is built the same way.
    expect(NOTE).toBe(`${body}\n${signatureLine(body, log)}\n`);
    const cosigned = `${NOTE}${line}\n`;
    expect(verifyCheckpoint(cosigned, witness)).toEqual({ origin: ORIGIN, size: 136, root: ROOT });
    expect(verifyCheckpoint(cosigned, log).size).toBe(136);
  });

  it("verify on their own against the body and the witness's key", () => {
    expect(() => verifySignatureLine(body, line, witness)).not.toThrow();
  });

  it("are refused for another body, another key or another name", () => {
    const otherBody = checkpointBody(ORIGIN, 137, ROOT);
    expect(errorOf(() => verifySignatureLine(otherBody, line, witness)).code).toBe(
      "CHECKPOINT_BAD_SIGNATURE",
    );
    expect(errorOf(() => verifySignatureLine(body, line, stranger)).code).toBe("CHECKPOINT_NOT_SIGNED");
    expect(
      errorOf(() => verifySignatureLine(body, line, { name: "other.example", publicRaw: witness.publicRaw }))
        .code,
    ).toBe("CHECKPOINT_NOT_SIGNED");
    // The witness's name and key hash over a stranger's signature.
    const forged = sigLine(
      witness.name,
      keyHash(witness.name, witness.publicRaw),
      sign(Buffer.from(body), stranger.privateKey),
    ).trimEnd();
    expect(errorOf(() => verifySignatureLine(body, forged, witness)).code).toBe("CHECKPOINT_BAD_SIGNATURE");
  });

  it("are refused when altered or not a signature line", () => {
    const blob = Buffer.from(line.split(" ")[2]!, "base64");
    blob[10]! ^= 1;
    const flipped = `\u2014 ${witness.name} ${blob.toString("base64")}`;
    expect(errorOf(() => verifySignatureLine(body, flipped, witness)).code).toBe("CHECKPOINT_BAD_SIGNATURE");
    for (const bad of [`${line}\n`, line.slice(2), `${line} `, "\u2014 w AAAA", ""]) {
      expect(errorOf(() => verifySignatureLine(body, bad, witness)).code, JSON.stringify(bad)).toBe(
        "CHECKPOINT_MALFORMED",
      );
    }
  });

  it("are made only over a newline-terminated body, with a matching key pair", () => {
    expect(errorOf(() => signatureLine(body.slice(0, -1), witness)).code).toBe("CHECKPOINT_MALFORMED");
    expect(errorOf(() => signatureLine("", witness)).code).toBe("CHECKPOINT_MALFORMED");
    expect(() => signatureLine(body, { ...witness, publicRaw: stranger.publicRaw })).toThrow(TypeError);
  });
});
