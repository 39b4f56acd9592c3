import type { KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ParleyError } from "../domain/errors.ts";
import {
  generateSigningKey,
  keyIdOf,
  privateKeyFromPem,
  privateKeyToPem,
  rawPublicKey,
} from "../ledger/ed25519.ts";

export interface SigningKey {
  org: string;
  keyId: string;
  privateKey: KeyObject;
  publicRaw: Buffer;
}

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

  constructor(dir: string) {
    this.dir = dir;
  }

  static beside(dbPath: string): KeyStore {
    return new KeyStore(process.env.PARLEY_KEYS_DIR ?? `${dbPath}.keys`);
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

  private file(org: string): string {
    if (!/^[a-z0-9_][a-z0-9-]*$/.test(org))
      throw new ParleyError("VALIDATION_FAILED", `bad organization id ${org}`);
    return join(this.dir, `${org}.key`);
  }
}
