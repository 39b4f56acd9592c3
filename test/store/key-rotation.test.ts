import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ParleyError } from "../../src/domain/errors.ts";
import { sign, verify } from "../../src/ledger/ed25519.ts";
import { openStore } from "../../src/store/db.ts";
import { CHECKPOINT_KEY, KeyStore, type RotationStep } from "../../src/store/keystore.ts";
import type { Database } from "../../src/store/schema.ts";
import { tempDb } from "../support/fixture.ts";

/**
 * KeyStore.rotate against a real (in-memory) database. A crash is stood in for by a throw from
 * the `interrupt` hook after a step, with nothing cleaned up; the "restart" is a new KeyStore
 * on the same directory, which knows only what is on disk and in the database.
 */
const ORG = "wga-west";
const freshDir = () => join(mkdtempSync(join(tmpdir(), "parley-rotate-")), "parley.db.keys");
const modeOf = (path: string) => statSync(path).mode & 0o777;

let db: Kysely<Database>;
let close: () => Promise<void>;
let tick = 0;
/** A clock that moves one second per reading, so each step's time is told apart. */
const now = () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString();

beforeEach(async () => {
  const store = await openStore(tempDb());
  db = store.db;
  close = store.close;
  tick = 0;
});
afterEach(async () => {
  await close();
});

/** An organization with a key on disk and its public half registered, as registerOrganization leaves it. */
async function registered(dir: string) {
  const key = new KeyStore(dir).ensure(ORG);
  await db
    .insertInto("signing_keys")
    .values({ key_id: key.keyId, org_id: ORG, public_key: key.publicRaw, created_at: now() })
    .execute();
  return key;
}

const rows = () =>
  db.selectFrom("signing_keys").selectAll().where("org_id", "=", ORG).orderBy("created_at").execute();

/**
 * What must hold after any crash: the key the organization signs with (its `<org>.key`) is
 * registered to it and not retired, and it signs what its registered public half verifies.
 */
async function usable(dir: string) {
  const key = new KeyStore(dir).require(ORG);
  const row = (await rows()).find((r) => r.key_id === key.keyId);
  expect(row, "the key in use is registered").toBeDefined();
  expect(row!.retired_at).toBeNull();
  const message = Buffer.from("a pass on staffing");
  expect(verify(message, sign(message, key.privateKey), row!.public_key)).toBe(true);
  return key;
}

function errorOf(f: () => unknown): Promise<ParleyError> {
  return Promise.resolve()
    .then(f)
    .then(
      () => {
        throw new Error("expected a ParleyError, but the call succeeded");
      },
      (err) => {
        if (err instanceof ParleyError) return err;
        throw err;
      },
    );
}

describe("KeyStore.rotate", () => {
  it("makes a new key current, destroys the old private key, keeps its public half with its retirement time", async () => {
    const dir = freshDir();
    const old = await registered(dir);
    const keys = new KeyStore(dir);
    expect(keys.require(ORG).keyId).toBe(old.keyId);

    const r = await keys.rotate(ORG, db, now);
    expect(r.key.keyId).not.toBe(old.keyId);
    // The instance's cache moved at once, and a new process reads the same from disk.
    expect(keys.require(ORG).keyId).toBe(r.key.keyId);
    expect((await usable(dir)).keyId).toBe(r.key.keyId);
    // One private key file, the new one, still 0600: the old private key is gone, no copy kept.
    expect(readdirSync(dir)).toEqual([`${ORG}.key`]);
    expect(modeOf(join(dir, `${ORG}.key`))).toBe(0o600);

    const [first, second] = await rows();
    expect(first).toMatchObject({ key_id: old.keyId, retired_at: r.retired[0]!.retiredAt });
    expect(Buffer.from(first!.public_key).equals(old.publicRaw)).toBe(true);
    expect(second).toMatchObject({ key_id: r.key.keyId, created_at: r.createdAt, retired_at: null });
    expect(r.retired).toEqual([{ keyId: old.keyId, retiredAt: expect.any(String) }]);
    // Retired after the new key was registered: the switch came between the two.
    expect(r.retired[0]!.retiredAt > r.createdAt).toBe(true);
  });

  it("rotates again: every earlier key stays registered, retired in turn, one current key", async () => {
    const dir = freshDir();
    const old = await registered(dir);
    const keys = new KeyStore(dir);
    const a = await keys.rotate(ORG, db, now);
    const b = await keys.rotate(ORG, db, now);
    expect(new Set([old.keyId, a.key.keyId, b.key.keyId]).size).toBe(3);
    expect(b.retired.map((k) => k.keyId)).toEqual([a.key.keyId]);
    const all = await rows();
    expect(all.map((k) => k.key_id)).toEqual([old.keyId, a.key.keyId, b.key.keyId]);
    expect(all.map((k) => k.retired_at === null)).toEqual([false, false, true]);
    // The first retirement is not moved by the second rotation.
    expect(all[0]!.retired_at).toBe(a.retired[0]!.retiredAt);
  });

  it("runs concurrent rotations one after the other", async () => {
    const dir = freshDir();
    const old = await registered(dir);
    const keys = new KeyStore(dir);
    const [a, b] = await Promise.all([keys.rotate(ORG, db, now), keys.rotate(ORG, db, now)]);
    expect(a.retired.map((k) => k.keyId)).toEqual([old.keyId]);
    expect(b.retired.map((k) => k.keyId)).toEqual([a.key.keyId]);
    expect((await usable(dir)).keyId).toBe(b.key.keyId);
  });

  it("registers the old key's public half if it was missing, so what it signed still verifies", async () => {
    const dir = freshDir();
    const old = new KeyStore(dir).ensure(ORG); // on disk, never registered
    const r = await new KeyStore(dir).rotate(ORG, db, now);
    // Both were registered in the same instant: compared as a map, not in order.
    const current = Object.fromEntries((await rows()).map((k) => [k.key_id, k.retired_at === null]));
    expect(current).toEqual({ [old.keyId]: false, [r.key.keyId]: true });
  });

  it("refuses the checkpoint key, and an organization with no key to rotate", async () => {
    const dir = freshDir();
    const keys = new KeyStore(dir);
    keys.ensure(CHECKPOINT_KEY);
    expect((await errorOf(() => keys.rotate(CHECKPOINT_KEY, db, now))).code).toBe("VALIDATION_FAILED");
    expect((await errorOf(() => keys.rotate(ORG, db, now))).code).toBe("KEY_MISSING");
    expect(existsSync(join(dir, `${ORG}.key`))).toBe(false);
    // A refused rotation does not block the next one.
    await registered(dir);
    expect((await keys.rotate(ORG, db, now)).retired).toHaveLength(1);
  });

  it("when the new key cannot be registered, keeps the old key in use and leaves no new key file", async () => {
    const dir = freshDir();
    const old = await registered(dir);
    const keys = new KeyStore(dir);
    await close();
    await expect(keys.rotate(ORG, db, now)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([`${ORG}.key`]);
    expect(keys.require(ORG).keyId).toBe(old.keyId);
    expect(new KeyStore(dir).require(ORG).keyId).toBe(old.keyId);
    // Reopened for afterEach to close.
    const store = await openStore(tempDb());
    db = store.db;
    close = store.close;
  });
});

describe("a crash during KeyStore.rotate", () => {
  const steps: RotationStep[] = ["written", "registered", "switched"];
  for (const step of steps) {
    it(`after "${step}": the organization still has a usable, registered key, and the next rotation tidies up`, async () => {
      const dir = freshDir();
      const old = await registered(dir);
      let fresh = "";
      const crash = new Error(`crash after ${step}`);
      await expect(
        new KeyStore(dir).rotate(ORG, db, now, (s) => {
          if (s === step) {
            fresh = readdirSync(dir).join(",");
            throw crash;
          }
        }),
      ).rejects.toBe(crash);

      // After the restart: the key in use is registered and current, whichever it is.
      const inUse = await usable(dir);
      const before = await rows();
      if (step === "switched") {
        expect(inUse.keyId).not.toBe(old.keyId);
        expect(fresh).toBe(`${ORG}.key`);
        // The old key is not yet marked retired: weaker checks until the next rotation, never a false alarm.
        expect(before.map((k) => k.retired_at)).toEqual([null, null]);
      } else {
        expect(inUse.keyId).toBe(old.keyId);
        // The new key waits beside the current one, unused.
        expect(fresh).toBe(`${ORG}.key,${ORG}.next.key`);
        expect(before).toHaveLength(step === "written" ? 1 : 2);
      }

      const r = await new KeyStore(dir).rotate(ORG, db, now);
      expect((await usable(dir)).keyId).toBe(r.key.keyId);
      expect(readdirSync(dir)).toEqual([`${ORG}.key`]);
      const after = await rows();
      // Every key other than the new one is retired, the one in use at the crash included.
      expect(after.filter((k) => k.retired_at === null).map((k) => k.key_id)).toEqual([r.key.keyId]);
      expect(after.map((k) => k.key_id)).toContain(inUse.keyId);
      expect(after.map((k) => k.key_id)).toContain(old.keyId);
    });
  }
});
