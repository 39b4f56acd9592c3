import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenedStore, openStore } from "../../src/store/db.ts";
import { PreparedInsert } from "../../src/store/prepared-insert.ts";
import type { Database } from "../../src/store/schema.ts";

type Node = Database["tree_nodes"];

describe("PreparedInsert", () => {
  let store: OpenedStore;
  let insert: PreparedInsert<Node>;

  beforeAll(async () => {
    store = await openStore(join(mkdtempSync(join(tmpdir(), "parley-prepared-")), "p.db"));
    await store.db.insertInto("disputes").values({ slug: "d", origin: "o", created_at: "t" }).execute();
    insert = new PreparedInsert<Node>(store.db, "tree_nodes", ["dispute_id", "level", "idx", "hash"]);
  });
  afterAll(() => store.close());

  const stored = () =>
    store.db.selectFrom("tree_nodes").selectAll().orderBy("level").orderBy("idx").execute();
  const node = (level: number, idx: number): Node => ({
    dispute_id: 1,
    level,
    idx,
    hash: Buffer.from([level, idx % 256, idx >> 8]),
  });

  it("binds each row's values to its own columns, once compiled and again", async () => {
    await insert.run(store.db, [node(1, 0)]);
    await insert.run(store.db, [node(1, 1)]);
    const rows = await stored();
    expect(rows.map((r) => [r.level, r.idx, Buffer.from(r.hash).toString("hex")])).toEqual([
      [1, 0, "010000"],
      [1, 1, "010100"],
    ]);
  });

  it("splits many rows over several statements and keeps every one", async () => {
    // 4 columns: 1,200 rows per statement, so 2,500 rows take two, then 64 + 32 + 4.
    const many = Array.from({ length: 2500 }, (_, i) => node(2, i));
    await insert.run(store.db, many);
    const rows = (await stored()).filter((r) => r.level === 2);
    expect(rows).toHaveLength(2500);
    expect(rows.every((r, i) => r.idx === i && Buffer.from(r.hash).equals(node(2, i).hash))).toBe(true);
  });

  it("writes nothing from a statement that fails", async () => {
    const before = (await stored()).length;
    // The second row repeats the first's primary key.
    await expect(insert.run(store.db, [node(3, 0), node(3, 0)])).rejects.toThrow(/UNIQUE/);
    expect((await stored()).length).toBe(before);
  });
});
