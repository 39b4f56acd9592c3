import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ParleyError } from "../../src/domain/errors.ts";
import { keyIdOf, sign, verify } from "../../src/ledger/ed25519.ts";
import { CHECKPOINT_KEY, KeyStore } from "../../src/store/keystore.ts";

const freshDir = () => join(mkdtempSync(join(tmpdir(), "parley-keys-")), "parley.db.keys");
const modeOf = (path: string) => statSync(path).mode & 0o777;

function errorOf(f: () => unknown): ParleyError {
  try {
    f();
  } catch (err) {
    if (err instanceof ParleyError) return err;
    throw err;
  }
  throw new Error("expected a ParleyError, but the call succeeded");
}

describe("KeyStore", () => {
  it("creates key files with mode 0600 in a directory with mode 0700", () => {
    const dir = freshDir();
    expect(existsSync(dir)).toBe(false);
    const keys = new KeyStore(dir);
    keys.ensure("wga-west");
    keys.ensure(CHECKPOINT_KEY);
    expect(modeOf(dir)).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual([`${CHECKPOINT_KEY}.key`, "wga-west.key"]);
    for (const f of readdirSync(dir)) expect(modeOf(join(dir, f))).toBe(0o600);
  });

  it("tightens an existing key directory that others could read", () => {
    const dir = freshDir();
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    new KeyStore(dir).ensure("amptp");
    expect(modeOf(dir)).toBe(0o700);
  });

  it("forLocation() puts the keys next to the database unless PARLEY_KEYS_DIR says otherwise", () => {
    const saved = { keys: process.env.PARLEY_KEYS_DIR, data: process.env.PARLEY_DATA_DIR };
    try {
      delete process.env.PARLEY_KEYS_DIR;
      process.env.PARLEY_DATA_DIR = "/srv/parley";
      expect(KeyStore.forLocation("/srv/parley/parley.db").dir).toBe("/srv/parley/parley.db.keys");
      // A PostgreSQL database has no folder of its own: its keys go in the data folder, by database and schema.
      expect(KeyStore.forLocation("postgres://u:secret@db.example:5432/parley").dir).toBe(
        "/srv/parley/keys/parley",
      );
      expect(KeyStore.forLocation("postgres://db.example/parley?schema=wga").dir).toBe(
        "/srv/parley/keys/parley.wga",
      );
      process.env.PARLEY_KEYS_DIR = "/elsewhere/keys";
      expect(KeyStore.forLocation("/srv/parley/parley.db").dir).toBe("/elsewhere/keys");
    } finally {
      for (const [name, value] of [
        ["PARLEY_KEYS_DIR", saved.keys],
        ["PARLEY_DATA_DIR", saved.data],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("loads the same key again in a new KeyStore instance", () => {
    const dir = freshDir();
    const first = new KeyStore(dir).ensure("wga-west");
    const again = new KeyStore(dir);
    const loaded = again.require("wga-west");
    expect(loaded.keyId).toBe(first.keyId);
    expect(loaded.publicRaw.equals(first.publicRaw)).toBe(true);
    expect(loaded.keyId).toBe(keyIdOf(loaded.publicRaw));
    // ensure() does not replace an existing key either.
    expect(again.ensure("wga-west").keyId).toBe(first.keyId);
    // The private half loaded from disk signs what the first instance's public half verifies.
    const message = Buffer.from("a pass on wages");
    expect(verify(message, sign(message, loaded.privateKey), first.publicRaw)).toBe(true);
  });

  it("gives each organization its own key", () => {
    const keys = new KeyStore(freshDir());
    expect(keys.ensure("wga-west").keyId).not.toBe(keys.ensure("amptp").keyId);
  });

  it("refuses a key file that others may read: KEY_INSECURE", () => {
    const dir = freshDir();
    new KeyStore(dir).ensure("amptp");
    chmodSync(join(dir, "amptp.key"), 0o644);
    const err = errorOf(() => new KeyStore(dir).get("amptp"));
    expect(err.code).toBe("KEY_INSECURE");
    expect(errorOf(() => new KeyStore(dir).require("amptp")).code).toBe("KEY_INSECURE");
    expect(errorOf(() => new KeyStore(dir).ensure("amptp")).code).toBe("KEY_INSECURE");
    // Group-readable alone is enough to refuse it.
    chmodSync(join(dir, "amptp.key"), 0o640);
    expect(errorOf(() => new KeyStore(dir).get("amptp")).code).toBe("KEY_INSECURE");
    // Put right, it loads again.
    chmodSync(join(dir, "amptp.key"), 0o600);
    expect(new KeyStore(dir).get("amptp")?.org).toBe("amptp");
  });

  it("require() of an organization without a key fails with KEY_MISSING; get() returns null", () => {
    const dir = freshDir();
    const keys = new KeyStore(dir);
    expect(errorOf(() => keys.require("wga-west")).code).toBe("KEY_MISSING");
    expect(keys.get("wga-west")).toBeNull();
    keys.ensure("amptp");
    expect(errorOf(() => keys.require("wga-west")).code).toBe("KEY_MISSING");
    // Nothing was created by asking.
    expect(existsSync(join(dir, "wga-west.key"))).toBe(false);
  });

  it("refuses organization ids that could name a file outside the directory", () => {
    const keys = new KeyStore(freshDir());
    expect(errorOf(() => keys.ensure("../escape")).code).toBe("VALIDATION_FAILED");
    expect(errorOf(() => keys.get("a/b")).code).toBe("VALIDATION_FAILED");
  });
});
