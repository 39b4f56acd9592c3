import type { KeyObject } from "node:crypto";
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { privateKeyFromPem, sign } from "../ledger/ed25519.ts";
import { entryLeafHash } from "../ledger/merkle.ts";

/**
 * The per-entry work of a batch append that needs nothing but the entry's canonical text: the
 * author's Ed25519 signature and the leaf hash. A batch hands it to worker threads, one per
 * core but the main thread's, which sign while the main thread decides the next commands
 * (signing-queue.ts). The main thread writes
 * the text itself: it needs it for the row anyway, and a string crosses to a worker for a
 * fraction of what copying the entry as objects would cost. A job's texts travel as one string
 * with their lengths: one string to copy instead of an object and two strings per entry.
 */
export interface SignJob {
  id: number;
  /** The entries' canonical texts, one after the other. */
  texts: string;
  /** Each entry's text length (UTF-16 code units) and signing organization, in order. */
  lengths: number[];
  orgs: string[];
  /** PEM of each signing organization's private key; never leaves the process. */
  keys: Record<string, string>;
}

export interface SignResult {
  id: number;
  /** 64 bytes per entry, in order. */
  signatures: Uint8Array;
  /** 32 bytes per entry, in order. */
  leaves: Uint8Array;
  error?: string;
}

/**
 * Each organization's private key, parsed once, with the PEM it came from. One per organization:
 * a new PEM (the key was rotated) replaces the old key, so no retired private key lingers here.
 */
const keyObjects = new Map<string, { pem: string; key: KeyObject }>();

/**
 * The thread deciding a batch is its critical path, and on two cores it shares them with this
 * worker, V8's helpers and SQLite's checkpointer: a signing worker yields to it (nice 10 on
 * this thread alone) and takes the time it leaves. Whatever the worker has not signed when the
 * batch is decided, the deciding thread signs itself (signing-queue.ts). README, "Where the
 * time goes", has what it measured.
 */
try {
  setPriority(0, 10);
} catch {
  // A system that refuses is no worse off than before.
}
parentPort?.on("message", (job: SignJob) => {
  try {
    const n = job.lengths.length;
    const signatures = new Uint8Array(64 * n);
    const leaves = new Uint8Array(32 * n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const org = job.orgs[i]!;
      const text = job.texts.slice(at, at + job.lengths[i]!);
      at += text.length;
      const pem = job.keys[org];
      if (!pem) throw new Error(`no key for ${org}`);
      let cached = keyObjects.get(org);
      if (cached?.pem !== pem) {
        cached = { pem, key: privateKeyFromPem(pem) };
        keyObjects.set(org, cached);
      }
      const key = cached.key;
      const bytes = Buffer.from(text, "utf8");
      const signature = sign(bytes, key);
      signatures.set(signature, i * 64);
      leaves.set(entryLeafHash(bytes, signature), i * 32);
    }
    const result: SignResult = { id: job.id, signatures, leaves };
    parentPort?.postMessage(result, [signatures.buffer, leaves.buffer]);
  } catch (err) {
    parentPort?.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
  }
});
