import type { KeyObject } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";
import type { Kysely } from "kysely";
import { ParleyError } from "../domain/errors.ts";
import {
  generateSigningKey,
  keyIdOf,
  privateKeyFromPem,
  privateKeyToPem,
  rawPublicKey,
} from "../ledger/ed25519.ts";
import { isPostgresLocation } from "./db.ts";
import { parsePostgresLocation } from "./postgres.ts";
import type { Database } from "./schema.ts";

export interface SigningKey {
  org: string;
  keyId: string;
  privateKey: KeyObject;
  publicRaw: Buffer;
}

/** What a rotation did: the organization's new current key, and the keys it retired. */
export interface Rotation {
  key: SigningKey;
  createdAt: string;
  /** The key it replaced, and any left unretired by an earlier rotation that crashed. */
  retired: { keyId: string; retiredAt: string }[];
}

/** The durable steps of a rotation, in order; see KeyStore.rotate. */
export type RotationStep = "written" | "registered" | "switched";

/** The key that signs checkpoints is kept under this name beside the organizations' keys. */
export const CHECKPOINT_KEY = "_checkpoint";

/**
 * Private keys are PEM files in a directory of their own (mode 0700, each file 0600), next to
 * the database by default (`<db>.keys/`) or wherever PARLEY_KEYS_DIR points. Keeping them out
 * of the database means a copy of the database (a backup, an export) never carries a private
 * key. A key file readable by others is refused, as ssh does, rather than silently used.
 */
export class KeyStore {
  readonly dir: string;
  private readonly cache = new Map<string, SigningKey>();
  /** The last rotation begun: each waits for the one before (two would share `<org>.next.key`). */
  private rotations: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * The key folder of a store: PARLEY_KEYS_DIR when set; else `<file>.keys` beside a SQLite
   * file; else, for a PostgreSQL database, `keys/<database>[.<schema>]` in the data folder
   * (PARLEY_DATA_DIR, default ./data). Every process serving one database must see the same
   * folder (one machine's disk, or a mounted secret).
   */
  static forLocation(location: string): KeyStore {
    if (process.env.PARLEY_KEYS_DIR) return new KeyStore(process.env.PARLEY_KEYS_DIR);
    if (!isPostgresLocation(location)) return new KeyStore(`${location}.keys`);
    const { database, schema } = parsePostgresLocation(location);
    const name = schema ? `${database}.${schema}` : database;
    return new KeyStore(
      resolve(process.env.PARLEY_DATA_DIR ?? "data", "keys", name.replace(/[^\w.-]/g, "_")),
    );
  }

  /** The organization's key, created on first use. */
  ensure(org: string): SigningKey {
    const existing = this.get(org);
    if (existing) return existing;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const { privateKey } = generateSigningKey();
    writeFileSync(this.file(org), privateKeyToPem(privateKey), { mode: 0o600, flag: "wx" });
    return this.get(org)!;
  }

  get(org: string): SigningKey | null {
    const cached = this.cache.get(org);
    if (cached) return cached;
    const file = this.file(org);
    if (!existsSync(file)) return null;
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ParleyError(
        "KEY_INSECURE",
        `refusing key file ${file}: mode ${mode.toString(8)} lets others read it; chmod 600`,
      );
    }
    const privateKey = privateKeyFromPem(readFileSync(file, "utf8"));
    const publicRaw = rawPublicKey(privateKey);
    const key = { org, keyId: keyIdOf(publicRaw), privateKey, publicRaw };
    this.cache.set(org, key);
    return key;
  }

  require(org: string): SigningKey {
    return (
      this.get(org) ??
      (() => {
        throw new ParleyError("KEY_MISSING", `no signing key for ${org} in ${this.dir}`);
      })()
    );
  }

  /**
   * Gives `org` a new key and retires the current one. The steps, each durable before the next:
   *   1. write the new private key to `<org>.next.key` (0600, fsynced): nothing uses it yet;
   *   2. register its public half in signing_keys (with the old key's, should that be missing);
   *   3. switch: rename it over `<org>.key`, one atomic step that also destroys the old private
   *      key (a retired key may sign nothing more, verification needs only its public half,
   *      which stays in signing_keys and in every export: a kept copy would serve a thief only);
   *   4. record the old key's retirement (retired_at) in signing_keys.
   * A crash anywhere leaves `<org>.key` a registered key: before 3 the old one, after it the new
   * one, registered in 2. Retirement comes after the switch, never before: a crash between them
   * must not leave the org signing with a key verification already counts as retired. What a
   * crash can leave behind is harmless and put right by the next rotation: a `.next` file that
   * never signed (deleted), a registered key that never signed, or an old key not yet marked
   * retired (both retired with the next rotation's time, later than true: forgeries in between
   * would go unreported, but a legitimate entry is never reported as one).
   * Rotations run one at a time in this process; `interrupt` is for tests: a throw there, after
   * each step, stands in for a crash (nothing is cleaned up).
   */
  rotate(
    org: string,
    db: Kysely<Database>,
    now: () => string,
    interrupt?: (step: RotationStep) => void,
  ): Promise<Rotation> {
    const run = this.rotations.then(() => this.rotateNow(org, db, now, interrupt));
    this.rotations = run.catch(() => undefined);
    return run;
  }

  private async rotateNow(
    org: string,
    db: Kysely<Database>,
    now: () => string,
    interrupt?: (step: RotationStep) => void,
  ): Promise<Rotation> {
    // The checkpoint key is recorded once per writer and every key of its name is trusted for
    // all checkpoints: rotating it needs a design of its own.
    if (org === CHECKPOINT_KEY)
      throw new ParleyError("VALIDATION_FAILED", "the checkpoint key is not rotated this way");
    const old = this.require(org);
    const next = this.nextFile(org);
    // Left by a rotation that crashed before its switch: it never signed anything.
    rmSync(next, { force: true });
    const { privateKey, publicRaw } = generateSigningKey();
    const key: SigningKey = { org, keyId: keyIdOf(publicRaw), privateKey, publicRaw };
    writeDurably(next, privateKeyToPem(privateKey));
    interrupt?.("written");
    const createdAt = now();
    try {
      await db.transaction().execute(async (trx) => {
        // The old key's public half, in case a crash while the org was registered kept it out:
        // whatever it signed must go on verifying once its private half is gone.
        await trx
          .insertInto("signing_keys")
          .values({ key_id: old.keyId, org_id: org, public_key: old.publicRaw, created_at: createdAt })
          .onConflict((oc) => oc.column("key_id").doNothing())
          .execute();
        await trx
          .insertInto("signing_keys")
          .values({ key_id: key.keyId, org_id: org, public_key: publicRaw, created_at: createdAt })
          .execute();
      });
    } catch (err) {
      // Not registered, so never to be used: the current key stays as it was.
      rmSync(next, { force: true });
      throw err;
    }
    interrupt?.("registered");
    renameSync(next, this.file(org));
    syncDirectory(this.dir);
    this.cache.set(org, key);
    interrupt?.("switched");
    // Taken after the switch: anything signed with the old key in this process (a batch that
    // began before it) was recorded at an instant no later than this one.
    const retiredAt = now();
    const retired = await db.transaction().execute(async (trx) => {
      const stale = await trx
        .selectFrom("signing_keys")
        .select("key_id")
        .where("org_id", "=", org)
        .where("key_id", "!=", key.keyId)
        .where("retired_at", "is", null)
        .orderBy("key_id")
        .execute();
      if (stale.length > 0) {
        await trx
          .updateTable("signing_keys")
          .set({ retired_at: retiredAt })
          .where("org_id", "=", org)
          .where("key_id", "!=", key.keyId)
          .where("retired_at", "is", null)
          .execute();
      }
      return stale.map((s) => ({ keyId: s.key_id, retiredAt }));
    });
    return { key, createdAt, retired };
  }

  private nextFile(org: string): string {
    return join(this.dir, `${this.name(org)}.next.key`);
  }

  private file(org: string): string {
    return join(this.dir, `${this.name(org)}.key`);
  }

  /** Organization ids have no dots, so `<org>.next.key` can never be another org's `<id>.key`. */
  private name(org: string): string {
    if (!/^[a-z0-9_][a-z0-9-]*$/.test(org))
      throw new ParleyError("VALIDATION_FAILED", `bad organization id ${org}`);
    return org;
  }
}

/** Creates `path` (0600, failing if it exists) and makes its contents durable before returning. */
function writeDurably(path: string, text: string): void {
  const fd = openSync(path, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A rename is durable only once the directory that holds the name is synced. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
