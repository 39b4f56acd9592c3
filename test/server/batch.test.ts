import { describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { BATCH_MOST } from "../../src/server/routes/disputes.ts";
import { serveSmallDispute, type TestServer } from "../support/server.ts";

const SLUG = "test-2023";
const URL = `/api/v1/disputes/${SLUG}/entries/batch`;
let parley: Parley;
let server: TestServer;
serveSmallDispute((served) => ({ parley, server } = served));

const statement = (text: string, occurredAt = "2023-09-26T17:00:00Z") => ({
  type: "statement.made",
  occurredAt,
  visibility: "public",
  payload: { by: "wga-west", channel: "press-release", text },
});

const pass = (issue: string, occurredAt: string) => ({
  type: "pass.made",
  occurredAt,
  visibility: "table",
  payload: { kind: "proposal", issues: [{ issue, language: `Back-filled language on ${issue}.` }] },
});

/** The dispute's size and checkpoint count: what a refused batch must leave as it was. */
async function record() {
  const d = await parley.disputeRow(SLUG);
  const { n } = await parley.db
    .selectFrom("checkpoints")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("dispute_id", "=", d.id)
    .executeTakeFirstOrThrow();
  return { size: (await parley.latestCheckpoint(SLUG))!.size, checkpoints: Number(n) };
}

describe("POST /api/v1/disputes/{slug}/entries/batch", () => {
  it("records every entry in order, in one transaction under one checkpoint, signed and verifiable", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const before = await record();
    const entries = [
      statement("Back-filled: the first", "2023-06-01T17:00:00Z"),
      pass("wages", "2023-06-02T17:00:00Z"),
      statement("Back-filled: the last", "2023-06-03T17:00:00Z"),
    ];
    const r = await server.call("POST", URL, { body: { entries }, headers: auth });
    expect(r.status).toBe(201);
    expect(r.json.entries.map((e: { seq: number; type: string }) => [e.seq, e.type])).toEqual([
      [before.size, "statement.made"],
      [before.size + 1, "pass.made"],
      [before.size + 2, "statement.made"],
    ]);
    expect(r.json.entries[1].occurredAt).toBe("2023-06-02T17:00:00.000Z");
    expect(await record()).toEqual({ size: before.size + 3, checkpoints: before.checkpoints + 1 });
    const rows = await parley.db
      .selectFrom("ledger_entries")
      .select(["org_id", "body"])
      .where("seq", ">=", before.size)
      .orderBy("seq")
      .execute();
    expect(rows.map((row) => row.org_id)).toEqual(["wga-west", "wga-west", "wga-west"]);
    expect(JSON.parse(rows[2]!.body).payload.text).toBe("Back-filled: the last");
    expect((await verifyStore(parley)).ok).toBe(true);
  });

  it("records nothing when one entry is refused by the dispute's rules, and names that entry", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const before = await record();
    const entries = [
      statement("never recorded 1"),
      statement("never recorded 2"),
      pass("nope", "2023-06-04T17:00:00Z"),
    ];
    const r = await server.call("POST", URL, { body: { entries }, headers: auth });
    expect([r.status, r.json.error.code]).toEqual([404, "ISSUE_UNKNOWN"]);
    expect(r.json.error.message).toMatch(/^entry 2: /);
    expect(r.json.error.details).toEqual({ issue: "nope", entry: 2 });
    expect(await record()).toEqual(before);
  });

  it("refuses a malformed entry, a float, an empty or an oversized batch with 400, writing nothing", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const before = await record();
    const bad = await server.call("POST", URL, {
      body: { entries: [statement("fine"), { ...statement("x"), visibility: "secret" }] },
      headers: auth,
    });
    expect([bad.status, bad.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(bad.json.error.message).toMatch(/^body\.entries\.1\.visibility/);
    const impact = {
      type: "impact.reported",
      visibility: "public",
      payload: { impact: "i", what: "Lost wages", value: 1.5, unit: "USD", asOf: "2023-06-01" },
    };
    const float = await server.call("POST", URL, {
      body: { entries: [statement("fine"), impact] },
      headers: auth,
    });
    expect([float.status, float.json.error.code]).toEqual([400, "FLOAT_IN_PAYLOAD"]);
    expect(float.json.error.message).toContain("body.entries[1].payload.value");
    const empty = await server.call("POST", URL, { body: { entries: [] }, headers: auth });
    expect([empty.status, empty.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    const tooMany = Array.from({ length: BATCH_MOST + 1 }, (_, i) => statement(`#${i}`));
    const many = await server.call("POST", URL, { body: { entries: tooMany }, headers: auth });
    expect([many.status, many.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(await record()).toEqual(before);
  });

  it("refuses the anonymous, a member without the negotiator role, and an entry for another organization", async () => {
    const before = await record();
    const body = { entries: [statement("anon")] };
    const anon = await server.call("POST", URL, { body });
    expect([anon.status, anon.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
    const member = await server.call("POST", URL, { body, headers: await server.signIn("wgaMember") });
    expect([member.status, member.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    const other = await server.call("POST", URL, {
      body: { entries: [statement("mine"), { ...statement("theirs"), as: "amptp" }] },
      headers: await server.signIn("wgaNegotiator"),
    });
    expect([other.status, other.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    expect(await record()).toEqual(before);
  });

  it("takes its turn among single appends to the same dispute: no entry lost, reordered or forked", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const before = await record();
    const singles = Array.from({ length: 12 }, (_, i) =>
      server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
        body: statement(`single ${i}`),
        headers: auth,
      }),
    );
    const batches = [0, 1].map((b) =>
      server.call("POST", URL, {
        body: { entries: Array.from({ length: 40 }, (_, i) => statement(`batch ${b} #${i}`)) },
        headers: auth,
      }),
    );
    const [s, b] = [await Promise.all(singles), await Promise.all(batches)];
    expect(s.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(b.map((r) => r.status)).toEqual([201, 201]);
    for (const r of b) {
      // A batch's entries are one run, in the order sent.
      const seqs = r.json.entries.map((e: { seq: number }) => e.seq);
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => seqs[0] + i));
    }
    const all = [
      ...s.map((r) => r.json.seq),
      ...b.flatMap((r) => r.json.entries.map((e: { seq: number }) => e.seq)),
    ];
    expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: 92 }, (_, i) => before.size + i));
    expect((await verifyStore(parley)).ok).toBe(true);
  });
});
