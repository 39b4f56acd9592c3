import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { CompiledQuery, Kysely, SqliteDialect } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenedStore, openStore } from "../../src/store/db.ts";
import { directRunner } from "../../src/store/direct-sqlite.ts";
import type { Database } from "../../src/store/schema.ts";

describe("the direct SQLite runner", () => {
  let dir: string;
  let store: OpenedStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-direct-"));
    store = await openStore(join(dir, "s.db"));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (slug: string) =>
    CompiledQuery.raw("INSERT INTO disputes (slug, origin, created_at) VALUES (?, ?, ?)", [
      slug,
      `parley.test/${slug}`,
      "2023-05-02T00:00:00.000Z",
    ]);
  const count = async () =>
    Number(
      (
        await store.db
          .selectFrom("disputes")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("exists for a SQLite store openStore opened, and for no other Kysely instance", () => {
    expect(directRunner(store.db)).toBeDefined();
    const plain = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(":memory:") }) });
    expect(directRunner(plain)).toBeUndefined();
  });

  it("joins the transaction Kysely opened: committed with it, and rolled back with it", async () => {
    const direct = directRunner(store.db)!;
    const before = await count();
    await store.db.transaction().execute(async () => {
      await direct.executeQuery(insert("kept"));
    });
    expect(await count()).toBe(before + 1);
    await expect(
      store.db.transaction().execute(async () => {
        await direct.executeQuery(insert("dropped"));
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await count()).toBe(before + 1);
    const slugs = await store.db.selectFrom("disputes").select("slug").execute();
    expect(slugs.map((r) => r.slug)).toContain("kept");
    expect(slugs.map((r) => r.slug)).not.toContain("dropped");
  });

  it("returns a reading statement's rows, bound to its parameters", async () => {
    const direct = directRunner(store.db)!;
    const { rows } = await direct.executeQuery<{ slug: string }>(
      CompiledQuery.raw("SELECT slug FROM disputes WHERE slug = ?", ["kept"]),
    );
    expect(rows).toEqual([{ slug: "kept" }]);
    const version = await direct.executeQuery<{ data_version: number }>(
      CompiledQuery.raw("PRAGMA data_version"),
    );
    expect(typeof version.rows[0]!.data_version).toBe("number");
  });

  it("throws SQLite's error for a bad statement, and the transaction around it rolls back", async () => {
    const direct = directRunner(store.db)!;
    const before = await count();
    await expect(
      store.db.transaction().execute(async () => {
        await direct.executeQuery(insert("first"));
        await direct.executeQuery(insert("first")); // slug is unique
      }),
    ).rejects.toThrow(/UNIQUE/);
    expect(await count()).toBe(before);
  });
});
