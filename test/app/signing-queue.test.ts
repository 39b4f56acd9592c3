import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Signers, SigningQueue } from "../../src/app/signing-queue.ts";
import { generateSigningKey, keyIdOf, verify } from "../../src/ledger/ed25519.ts";
import { entryLeafHash } from "../../src/ledger/merkle.ts";
import type { SigningKey } from "../../src/store/keystore.ts";
import type { EntryRow } from "../../src/store/ledger-repo.ts";

/**
 * The signing of a transaction's entries: here one by one for a few, on the workers and this
 * thread together for a batch. Whoever signs, every row must end up with its own author's
 * signature over its text and the leaf hash of the two, and the rows must come back in
 * sequence order, each exactly once.
 */
function keyFor(org: string): SigningKey {
  const { privateKey, publicRaw } = generateSigningKey();
  return { org, keyId: keyIdOf(publicRaw), privateKey, publicRaw };
}

function row(seq: number, org: string): EntryRow {
  return {
    seq,
    type: "statement.made",
    org_id: org,
    key_id: "",
    occurred_at: "2023-05-02T00:00:00.000Z",
    recorded_at: "2023-05-02T00:00:00.000Z",
    visibility: "public",
    // Non-ASCII text: lengths in UTF-16 units and in bytes differ, and the worker must cut right.
    body: JSON.stringify({ seq, text: `entrée ${seq} — ${"é".repeat(seq % 7)}` }),
    signature: new Uint8Array(0),
    leaf_hash: new Uint8Array(0),
  };
}

const union = keyFor("union");
const studios = keyFor("studios");
const signers = new Signers();
afterAll(() => signers.close());

/** `signed` (what finish handed over) is `rows`, in order, each signed by its author. */
function expectSigned(rows: EntryRow[], signed: EntryRow[]): void {
  expect(signed.map((r) => r.seq)).toEqual(rows.map((r) => r.seq));
  for (const r of rows) {
    const key = r.org_id === "union" ? union : studios;
    const other = key === union ? studios : union;
    const bytes = Buffer.from(r.body, "utf8");
    expect(verify(bytes, r.signature, key.publicRaw)).toBe(true);
    expect(verify(bytes, r.signature, other.publicRaw)).toBe(false);
    expect(Buffer.from(r.leaf_hash).equals(entryLeafHash(bytes, r.signature))).toBe(true);
  }
}

describe("SigningQueue", () => {
  it("signs a transaction of a few entries here, at once, without starting the workers", async () => {
    const own = new Signers();
    const queue = new SigningQueue(own, false);
    const rows = [row(0, "union"), row(1, "studios")];
    for (const r of rows) {
      queue.add(r, r.org_id === "union" ? union : studios);
      // Signed as it is added: a single append waits for nobody.
      expect(r.signature.length).toBe(64);
    }
    expectSigned(rows, await queue.finish());
    expect(await queue.finish()).toEqual([]);
    expect(own.started).toBe(false);
  });

  it("signs a batch on the workers and here, every row by its author, rows in order", async () => {
    const queue = new SigningQueue(signers, true);
    const rows = Array.from({ length: 1000 }, (_, i) => row(i, i % 3 === 0 ? "studios" : "union"));
    for (const r of rows) {
      queue.add(r, r.org_id === "union" ? union : studios);
      await queue.hear();
    }
    expectSigned(rows, await queue.finish());
  });

  it("shares what is left at the end: the workers start from the front, this thread from the back", async () => {
    const queue = new SigningQueue(signers, true);
    const rows = Array.from({ length: 300 }, (_, i) => row(i, "union"));
    // Never heard from until the end: the workers hold two jobs each, the rest waits here.
    for (const r of rows) queue.add(r, union);
    expectSigned(rows, await queue.finish());
    expect(queue.signedHere).toBeGreaterThan(0);
    expect(queue.signedHere).toBeLessThanOrEqual(300 - 128);
  });

  it("finishes what was added since it last finished (a batch that reads the store midway)", async () => {
    const queue = new SigningQueue(signers, true);
    const first = Array.from({ length: 200 }, (_, i) => row(i, "union"));
    for (const r of first) queue.add(r, union);
    expectSigned(first, await queue.finish());
    const second = Array.from({ length: 70 }, (_, i) => row(200 + i, "studios"));
    for (const r of second) queue.add(r, studios);
    expectSigned(second, await queue.finish());
  });

  it.runIf(existsSync("/proc/self/task"))(
    "runs its workers below the deciding thread's priority (nice 10)",
    async () => {
      const queue = new SigningQueue(signers, true);
      for (let i = 0; i < 100; i++) queue.add(row(i, "union"), union);
      await queue.finish();
      const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
      // Fields after the command's closing parenthesis; nice is the 19th field of the line.
      const nice = readdirSync("/proc/self/task").map((task) =>
        niceOf(readFileSync(`/proc/self/task/${task}/stat`, "utf8")),
      );
      expect(nice.filter((n) => n === 10).length).toBeGreaterThanOrEqual(signers.workers().size);
      expect(niceOf(readFileSync("/proc/thread-self/stat", "utf8"))).toBe(0);
    },
  );

  it("sends nothing more once closed: what was in flight settles, what waited stays unsigned", async () => {
    const queue = new SigningQueue(signers, true);
    const rows = Array.from({ length: 640 }, (_, i) => row(i, "union"));
    for (const r of rows) queue.add(r, union);
    queue.close();
    await expect(queue.finish()).rejects.toThrow(/closed/);
    const inFlight = signers.workers().size * 2 * 64;
    await vi.waitFor(() => expect(rows[inFlight - 1]!.signature.length).toBe(64));
    // Turns of the event loop in which a queue still open would hand out its next jobs.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(rows.filter((r) => r.signature.length > 0).length).toBe(inFlight);
  });
});
