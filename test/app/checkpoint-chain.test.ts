import { describe, expect, it } from "vitest";
import { Parley } from "../../src/app/parley.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { chainLine, chainLink } from "../../src/ledger/chain.ts";
import { parseCheckpoint } from "../../src/ledger/checkpoint.ts";
import { PRESS, smallDispute } from "../support/fixture.ts";
import { tamper } from "../support/tamper.ts";

const statement = (text: string) => ({
  actor: PRESS,
  type: "statement.made",
  occurredAt: "2023-10-01T17:00:00Z",
  visibility: "public",
  payload: { by: "daily-press", channel: "other", text },
});

describe("checkpoints form a chain", () => {
  it("each checkpoint names the one before it", async () => {
    const { app } = await smallDispute();
    await app.execute("test-2023", statement("one more"));
    const rows = await app.db.selectFrom("checkpoints").select(["size", "note"]).orderBy("size").execute();
    expect(rows.length).toBe(3);
    expect(chainLink(parseCheckpoint(rows[0]!.note).extensions)).toBeNull();
    expect(chainLink(parseCheckpoint(rows[1]!.note).extensions)).toBe(chainLine(rows[0]!));
    expect(chainLink(parseCheckpoint(rows[2]!.note).extensions)).toBe(chainLine(rows[1]!));
    await app.close();
  });

  it("removing a checkpoint from the middle is reported, though every remaining root is right", async () => {
    const { app, dbPath } = await smallDispute();
    await app.execute("test-2023", statement("one more"));
    const sizes = (await app.db.selectFrom("checkpoints").select("size").orderBy("size").execute()).map(
      (r) => r.size,
    );
    await app.close();
    await tamper(dbPath, async (db) => {
      expect(await db.run("DELETE FROM checkpoints WHERE size = ?", sizes[1])).toBe(1);
    });
    const reopened = await Parley.open(dbPath);
    const report = await verifyStore(reopened);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ dispute: "test-2023", table: "checkpoints", seq: sizes[2] }),
    );
    expect(report.problems.every((p) => p.table === "checkpoints")).toBe(true);
    await reopened.close();
  });
});
