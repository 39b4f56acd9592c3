// Bare node:crypto Ed25519 verification on all cores (libuv's pool), the ceiling verify is held to.
import { generateKeyPairSync, sign, verify } from "node:crypto";

export async function bareVerifyPerSecond(seconds = 3): Promise<number> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const messages = Array.from({ length: 256 }, (_, i) => Buffer.from(`message ${i} `.repeat(20)));
  const sigs = messages.map((m) => sign(null, m, privateKey));
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
