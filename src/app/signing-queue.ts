import { availableParallelism } from "node:os";
import { privateKeyToPem, sign } from "../ledger/ed25519.ts";
import { entryLeafHash } from "../ledger/merkle.ts";
import type { SigningKey } from "../store/keystore.ts";
import type { EntryRow } from "../store/ledger-repo.ts";
import type { SignJob, SignResult } from "./sign-worker.ts";
import { WorkerPool } from "./worker-pool.ts";

/** Entries signed together, in sequence order. */
interface SignedPart {
  rows: EntryRow[];
  keys: SigningKey[];
  /** Settles once a worker's signatures are on the rows (absent for a part signed here, or not yet sent). */
  signing?: Promise<void>;
}

/** Entries per job for a signing worker: a message is amortized, and the last job is not long to wait for. */
const SIGN_CHUNK = 64;
/** What is left when the transaction ends is cut this fine, for this thread and the workers to share. */
const SIGN_PIECE = 16;
/** Jobs each worker holds at once: one to sign and one to start on as soon as it is done. */
const IN_FLIGHT_PER_WORKER = 2;
/**
 * Signing workers: one per core but the one this thread keeps busy deciding, which it does for
 * the whole of a batch. A worker for every core made three busy threads on two cores.
 */
const SIGNING_WORKERS = Math.max(1, availableParallelism() - 1);

/**
 * The signing workers of a process, with each organization's private key as PEM for them. The
 * PEM of a rotated key is dropped (`forget`): correctness does not hang on it (a PEM is only
 * used for the key it was made from); keeping no copy of a retired private key does.
 */
export class Signers {
  private pool: WorkerPool<Omit<SignJob, "id">, SignResult> | null = null;
  private readonly pems = new Map<string, { keyId: string; pem: string }>();

  /** Whether the workers have been started (by the first batch). */
  get started(): boolean {
    return this.pool !== null;
  }

  workers(): WorkerPool<Omit<SignJob, "id">, SignResult> {
    this.pool ??= new WorkerPool(new URL("./sign-worker.ts", import.meta.url), undefined, SIGNING_WORKERS);
    return this.pool;
  }

  pem(key: SigningKey): string {
    const cached = this.pems.get(key.org);
    if (cached?.keyId === key.keyId) return cached.pem;
    const pem = privateKeyToPem(key.privateKey);
    this.pems.set(key.org, { keyId: key.keyId, pem });
    return pem;
  }

  forget(org: string): void {
    this.pems.delete(org);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }
}

/**
 * The entries of one transaction on their way to being signed. One entry, or a few, are signed
 * here at once: handing them to a worker and hearing back costs more than the signature. A
 * batch's entries go to the workers in jobs of SIGN_CHUNK while this thread decides the next
 * commands, at most IN_FLIGHT_PER_WORKER jobs per worker at a time; the rest wait here. When the
 * transaction has decided everything (`finish`), this thread signs the waiting jobs from the
 * back while the workers go on from the front, so neither side idles at the end.
 *
 * A worker's answer arrives as an event: the transaction hears it whenever it waits for the
 * event loop, which a batch does once per job (`hear`).
 */
export class SigningQueue {
  /** Every part since the last `finish`, in sequence order. */
  private parts: SignedPart[] = [];
  /** Entries not yet made into a part. */
  private gathering: { row: EntryRow; key: SigningKey }[] = [];
  /** Parts made but not yet sent to a worker, in sequence order. */
  private unsent: SignedPart[] = [];
  private inFlight = 0;
  private closed = false;
  /** Whether a job was sent (or is waiting) since the transaction last let the workers' answers in. */
  private cutSinceHeard = false;
  /** Entries this thread signed of a batch's, sharing the end with the workers. */
  signedHere = 0;

  constructor(
    private readonly signers: Signers,
    private readonly onWorkers: boolean,
  ) {}

  /** Adds an entry, whose text is its row's body; its signature and leaf hash go on the row. */
  add(row: EntryRow, key: SigningKey): void {
    if (!this.onWorkers) {
      signHere(row, key);
      this.parts.push({ rows: [row], keys: [key] });
      return;
    }
    this.gathering.push({ row, key });
    if (this.gathering.length >= SIGN_CHUNK) {
      this.cut(SIGN_CHUNK);
      this.send();
      this.cutSinceHeard = true;
    }
  }

  /**
   * Lets the workers' answers in, once per job gathered: each answer marks its part done and
   * sends the next waiting job. The store is synchronous, so without this a batch would not
   * hear from its workers until it had decided every command. Null when there is nothing to
   * hear: most commands of a batch, which then need not wait for a promise at all.
   */
  hear(): Promise<void> | null {
    if (!this.cutSinceHeard) return null;
    this.cutSinceHeard = false;
    return heard();
  }

  /**
   * Signs everything added since the last call, sharing what is left between the workers and
   * this thread, and hands over those rows, signed, in sequence order.
   */
  async finish(): Promise<EntryRow[]> {
    if (this.closed) throw new Error("the transaction's signing was closed");
    this.cut(SIGN_PIECE);
    this.send();
    for (let part = this.unsent.pop(); part; part = this.unsent.pop()) {
      for (const [i, row] of part.rows.entries()) signHere(row, part.keys[i]!);
      this.signedHere += part.rows.length;
      // Lets the workers' answers in, and so sends them what is left from the front.
      await heard();
    }
    for (const part of this.parts) await part.signing;
    return this.parts.splice(0).flatMap((part) => part.rows);
  }

  /** Ends the transaction's use of the workers (it failed or is done): what is still unsent is never sent. */
  close(): void {
    this.closed = true;
    this.unsent = [];
  }

  private cut(size: number): void {
    const gathered = this.gathering;
    this.gathering = [];
    for (let from = 0; from < gathered.length; from += size) {
      const piece = gathered.slice(from, from + size);
      const part: SignedPart = { rows: piece.map((e) => e.row), keys: piece.map((e) => e.key) };
      this.parts.push(part);
      this.unsent.push(part);
    }
  }

  private send(): void {
    // A transaction that signs here never starts the workers.
    if (this.unsent.length === 0) return;
    const workers = this.signers.workers();
    while (this.inFlight < workers.size * IN_FLIGHT_PER_WORKER && this.unsent.length > 0) {
      const part = this.unsent.shift()!;
      const keys: Record<string, string> = {};
      for (const key of part.keys) keys[key.org] ??= this.signers.pem(key);
      this.inFlight += 1;
      part.signing = workers
        .run({
          texts: part.rows.map((row) => row.body).join(""),
          lengths: part.rows.map((row) => row.body.length),
          orgs: part.keys.map((key) => key.org),
          keys,
        })
        .then(
          (r) => {
            part.rows.forEach((row, i) => {
              row.signature = r.signatures.subarray(i * 64, i * 64 + 64);
              row.leaf_hash = r.leaves.subarray(i * 32, i * 32 + 32);
            });
            this.inFlight -= 1;
            this.send();
          },
          (err: unknown) => {
            this.inFlight -= 1;
            throw err;
          },
        );
      // A transaction that fails before awaiting its signatures must not leave a rejection unheard.
      part.signing.catch(() => {});
    }
  }
}

/** Waits for one turn of the event loop, in which the workers' answers are heard. */
function heard(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Signs an entry on this thread, with its leaf hash. */
function signHere(row: EntryRow, key: SigningKey): void {
  const bytes = Buffer.from(row.body, "utf8");
  row.signature = sign(bytes, key.privateKey);
  row.leaf_hash = entryLeafHash(bytes, row.signature);
}
