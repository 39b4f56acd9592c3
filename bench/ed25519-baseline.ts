// Bare Ed25519 verification on all cores: the ceilings `verify --db` is measured against.
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { rawPublicKey } from "../src/ledger/ed25519.ts";

function samples() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const messages = Array.from({ length: 256 }, (_, i) => Buffer.from(`message ${i} `.repeat(20)));
  const sigs = messages.map((m) => sign(null, m, privateKey));
  return { publicKey, publicRaw: rawPublicKey(publicKey), messages, sigs };
}

/** node:crypto's (OpenSSL's) verification, 1,024 at a time on libuv's pool: the baseline. */
export async function bareVerifyPerSecond(seconds = 3): Promise<number> {
  const { publicKey, messages, sigs } = samples();
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const one = (i: number): Promise<void> =>
    new Promise((resolve, reject) =>
      verify(null, messages[i % 256]!, publicKey, sigs[i % 256]!, (err, ok) =>
        err || !ok ? reject(err ?? new Error("bad")) : resolve(),
      ),
    );
  while (performance.now() < deadline) {
    await Promise.all(Array.from({ length: 1024 }, (_, i) => one(i)));
    done += 1024;
  }
  return Math.round(done / ((performance.now() - started) / 1000));
}

// Each thread verifies the same 256 signatures in a loop until the deadline, and reports its count.
const SODIUM_LOOP = `
const { parentPort, workerData } = require("node:worker_threads");
const sodium = require(workerData.sodium);
const { messages, sigs, publicRaw, until } = workerData;
const m = messages.map((x) => Buffer.from(x)), s = sigs.map((x) => Buffer.from(x)), k = Buffer.from(publicRaw);
let done = 0;
while (Date.now() < until) {
  for (let i = 0; i < 256; i++) if (!sodium.crypto_sign_verify_detached(s[i], m[i], k)) throw new Error("bad");
  done += 256;
}
parentPort.postMessage(done);
`;

/**
 * libsodium's verification (what `verify --db` uses), one worker thread per core with
 * nothing else to do: the ceiling for the verifier as built, so the bench can show what its
 * own work (reading, parsing, hashing, replaying) costs on top of the signatures.
 */
export async function bareSodiumVerifyPerSecond(seconds = 3): Promise<number> {
  const { publicRaw, messages, sigs } = samples();
  const sodium = createRequire(import.meta.url).resolve("sodium-native");
  const started = Date.now();
  const until = started + seconds * 1000;
  const counts = await Promise.all(
    Array.from(
      { length: availableParallelism() },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(SODIUM_LOOP, {
            eval: true,
            workerData: { sodium, messages, sigs, publicRaw, until },
          });
          w.once("message", resolve);
          w.once("error", reject);
        }),
    ),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  return Math.round(total / ((Date.now() - started) / 1000));
}
