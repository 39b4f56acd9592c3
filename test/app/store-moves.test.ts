import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { COPIED_TABLES, DERIVED_TABLES } from "../../src/app/store-copy.ts";
import { backupStore, moveStore, restoreStore } from "../../src/app/store-moves.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { ParleyError } from "../../src/domain/errors.ts";
import { openStore } from "../../src/store/db.ts";
import { keysDirOf, smallDispute, tempDb, tempDir, WGA } from "../support/fixture.ts";

/**
 * Backups, restores and moves between stores. Each case starts from this run's store (SQLite
 * in the sqlite run, PostgreSQL in the postgres run) and crosses to the other kind and back.
 */
const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "parley.js");

let source: string;
let app: Parley;

beforeAll(async () => {
  ({ app, dbPath: source } = await smallDispute(tempDb(), { extra: 40 }));
});
afterAll(async () => {
  await app.close();
});

const statement = (i: number) => ({
  actor: WGA,
  type: "statement.made",
  occurredAt: "2023-09-26T17:00:00Z",
  visibility: "public",
  payload: { by: "wga-west", channel: "press-release", text: `statement ${i}` },
});

/** What two stores hold, table by table, as comparable values. */
async function contents(location: string): Promise<Record<string, unknown[]>> {
  const store = await openStore(location, { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const spec of COPIED_TABLES) {
      const rows = await store.db
        .selectFrom(spec.name)
        .selectAll()
        .$call((q) => spec.key.reduce((ordered, k) => ordered.orderBy(k as never), q))
        .execute();
      out[spec.name] = rows.map((r) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [
            k,
            v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v,
          ]),
        ),
      );
    }
    return out;
  } finally {
    await store.close();
  }
}

describe("parley migrate", () => {
  it("moves every row to the other kind of store and back, keys included, and the copies verify", async () => {
    const sqliteFile = join(tempDir(), "moved.db");
    const there = await moveStore(source, sqliteFile);
    expect(there.verify.ok).toBe(true);
    expect(there.keysMissing).toEqual([]);
    expect(there.rows.ledger_entries).toBeGreaterThan(40);
    const back = tempDb();
    const again = await moveStore(sqliteFile, back);
    expect(again.verify.ok).toBe(true);
    const original = await contents(source);
    expect(await contents(sqliteFile)).toEqual(original);
    expect(await contents(back)).toEqual(original);
    // The private keys came along: the copy signs new entries under the same keys.
    expect(readdirSync(keysDirOf(back)).sort()).toEqual(readdirSync(keysDirOf(source)).sort());
  });

  it("refuses a target that holds a record unless forced, and then replaces it", async () => {
    const target = join(tempDir(), "target.db");
    await moveStore(source, target);
    const refused = await moveStore(source, target).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ParleyError);
    expect((refused as ParleyError).code).toBe("STORE_NOT_EMPTY");
    const forced = await moveStore(source, target, { force: true });
    expect(forced.verify.ok).toBe(true);
    expect(await contents(target)).toEqual(await contents(source));
  });

  it("refuses to mix another key for an organization into the target's key folder", async () => {
    const target = join(tempDir(), "keys-differ.db");
    const keys = keysDirOf(target);
    await import("node:fs").then((fs) => fs.mkdirSync(keys, { recursive: true, mode: 0o700 }));
    writeFileSync(join(keys, `${WGA.org}.key`), "another key\n", { mode: 0o600 });
    const refused = await moveStore(source, target).catch((e: unknown) => e);
    expect((refused as ParleyError).code).toBe("KEYS_DIFFER");
  });

  it("copies every table there is but the derived search index", async () => {
    const store = await openStore(tempDb());
    try {
      const tables = (await store.db.introspection.getTables())
        .map((t) => t.name)
        .filter((n) => !n.startsWith("kysely_") && !n.startsWith("proj_search_") && !n.includes("search_"));
      const named = new Set<string>([...COPIED_TABLES.map((t) => t.name), ...DERIVED_TABLES]);
      expect(tables.filter((t) => !named.has(t))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe("parley backup and restore", () => {
  it("snapshots the store consistently while appends go on, and restores it", async () => {
    const file = join(tempDir(), "backup.db");
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 400; i++) await app.execute("test-2023", statement(i));
    })();
    const backup = await backupStore(source, file);
    writing = false;
    await writer;
    expect(backup.verify.ok).toBe(true);
    expect(backup.keyDir).toBe(keysDirOf(source));
    // A snapshot of one instant: its ledger ends exactly at its latest checkpoint, which the
    // live store signed with the same root at that size.
    const copy = await openStore(file, { readonly: true });
    try {
      const cp = await copy.db
        .selectFrom("checkpoints")
        .select(["size", "root"])
        .orderBy("size", "desc")
        .executeTakeFirstOrThrow();
      const entries = await copy.db
        .selectFrom("ledger_entries")
        .select(sql<number>`count(*)`.as("n"))
        .where("dispute_id", "=", 1)
        .executeTakeFirstOrThrow();
      expect(Number(entries.n)).toBe(cp.size);
      const live = await app.db
        .selectFrom("checkpoints")
        .select("root")
        .where("size", "=", cp.size)
        .executeTakeFirstOrThrow();
      expect(Buffer.from(live.root).equals(Buffer.from(cp.root))).toBe(true);
    } finally {
      await copy.close();
    }
    // A backup carries no private key.
    expect(existsSync(keysDirOf(file))).toBe(false);

    const restored = tempDb();
    const r = await restoreStore(file, restored);
    expect(r.verify.ok).toBe(true);
    expect(r.keysMissing).toContain(WGA.org);
    expect(await contents(restored)).toEqual(await contents(file));
    const store = await openStore(restored, { readonly: true });
    try {
      expect((await verifyStore(store)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("never overwrites a file or a store that holds a record without --force", async () => {
    const file = join(tempDir(), "taken.db");
    writeFileSync(file, "not a backup");
    expect(await backupStore(source, file).catch((e: ParleyError) => e.code)).toBe("STORE_NOT_EMPTY");
    const good = join(tempDir(), "good.db");
    await backupStore(source, good);
    expect(await restoreStore(good, source).catch((e: ParleyError) => e.code)).toBe("STORE_NOT_EMPTY");
    expect(await restoreStore(join(tempDir(), "none.db"), tempDb()).catch((e: ParleyError) => e.code)).toBe(
      "STORE_MISSING",
    );
  });
});

describe("the CLI", () => {
  const parley = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("migrate, backup and restore: success, a missing option, and a refused target", () => {
    const file = join(tempDir(), "cli.db");
    const moved = parley(["migrate", "--from", source, "--to", `sqlite:${file}`]);
    expect(moved.err + moved.out).toMatch(/OK: the store verifies/);
    expect(moved.code).toBe(0);
    const again = parley(["migrate", "--from", source, "--to", `sqlite:${file}`]);
    expect([again.code, again.err]).toEqual([1, expect.stringContaining("STORE_NOT_EMPTY")]);
    expect(parley(["migrate", "--to", file]).code).toBe(2);

    const backup = join(tempDir(), "cli-backup.db");
    const b = parley(["backup", backup, "--db", source]);
    expect(b.code).toBe(0);
    expect(b.out).toMatch(/Private keys are never in a backup/);
    const restored = join(tempDir(), "cli-restored.db");
    const r = parley(["restore", backup, "--db", restored]);
    expect(r.code).toBe(0);
    expect(parley(["verify", "--db", restored]).code).toBe(0);
    expect(parley(["restore", backup, "--db", restored]).code).toBe(1);
  });
});
