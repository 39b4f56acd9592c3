import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { MARKERS, smallDispute } from "../support/fixture.ts";
import { startServer } from "../support/server.ts";

const SLUG = "test-2023";
let parley: Parley;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  parley = (await smallDispute(undefined, { extra: 7 })).app;
  server = await startServer(parley);
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
});

type Item = { seq: number; type: string; subject: string | null; published: unknown; occurredAt: string };
const page = async (query: string, headers?: Record<string, string>) =>
  server.call("GET", `/api/v1/disputes/${SLUG}/timeline${query}`, headers ? { headers } : {});

async function everything(query: string, headers?: Record<string, string>): Promise<Item[]> {
  const all: Item[] = [];
  let next: string | null = null;
  do {
    const sep = query ? "&" : "?";
    const r = await page(next ? `${query}${sep}after=${next}` : query, headers);
    expect(r.status).toBe(200);
    all.push(...r.json.items);
    next = r.json.next;
  } while (next);
  return all;
}

describe("the timeline", () => {
  it("gives the public its entries in occurrence order, without private, members-only or table text", async () => {
    const r = await page("?limit=200");
    expect(r.status).toBe(200);
    const items: Item[] = r.json.items;
    expect(items.length).toBeGreaterThan(5);
    const order = items.map((i) => `${i.occurredAt}#${String(i.seq).padStart(6, "0")}`);
    expect(order).toEqual([...order].sort());
    for (const marker of Object.values(MARKERS)) expect(r.text).not.toContain(marker);
    expect(items.every((i) => i.type !== "note.recorded")).toBe(true);
  });

  it("shows the public an entry made public later, with its publication", async () => {
    const items: Item[] = (await page("?limit=200")).json.items;
    const published = items.find((i) => i.published !== null);
    expect(published).toMatchObject({ type: "pass.made", published: { seq: expect.any(Number) } });
  });

  it("shows a negotiator the table and its own side's private notes, not the other side's", async () => {
    const text = (await page("?limit=200", await server.signIn("wgaNegotiator"))).text;
    expect(text).toContain(MARKERS.table);
    expect(text).toContain(MARKERS.wgaPrivate);
    expect(text).not.toContain(MARKERS.amptpPrivate);
  });

  it("pages with a cursor: the pages together are the whole timeline, each entry once", async () => {
    const whole: Item[] = (await page("?limit=200")).json.items;
    const paged = await everything("?limit=3");
    expect(paged.map((i) => i.seq)).toEqual(whole.map((i) => i.seq));
  });

  it("filters by type, issue, organization and date", async () => {
    const passes = await everything("?type=pass.made", await server.signIn("wgaNegotiator"));
    expect(passes.length).toBe(2);
    const several = await everything("?type=pass.made&type=statement.made");
    expect(new Set(several.map((i) => i.type))).toEqual(new Set(["pass.made", "statement.made"]));
    const ai = await everything("?issue=ai", await server.signIn("amptpNegotiator"));
    expect(ai.length).toBeGreaterThan(0);
    expect(ai.every((i) => (i.subject ?? "").split(",").includes("ai"))).toBe(true);
    const press = await everything("?org=daily-press");
    expect(press.length).toBeGreaterThanOrEqual(7);
    const april = await everything("?from=2023-04-01T00:00:00Z&to=2023-04-30T23:59:59Z");
    expect(april.every((i) => i.occurredAt.startsWith("2023-04"))).toBe(true);
    expect(april.length).toBeGreaterThan(0);
  });

  it("filters by visibility, only ever narrowing what the caller may read", async () => {
    const wga = await server.signIn("wgaNegotiator");
    const notes = await everything("?visibility=private", wga);
    expect(notes.map((i) => i.type)).toEqual(["note.recorded"]);
    const privateText = (await page("?visibility=private&limit=200", wga)).text;
    expect(privateText).toContain(MARKERS.wgaPrivate);
    expect(privateText).not.toContain(MARKERS.amptpPrivate);
    // The public asking for private or table entries gets none, only what it could read anyway.
    const hidden = await page("?visibility=private&visibility=members&limit=200");
    expect(hidden.status).toBe(200);
    expect(hidden.json.items).toEqual([]);
    for (const marker of Object.values(MARKERS)) expect(hidden.text).not.toContain(marker);
    // A pass recorded at the table and made public later is readable by the public, and it is public now.
    const table = await everything("?visibility=table");
    expect(table.map((i) => [i.type, i.published !== null])).toEqual([["pass.made", true]]);
    const pub = await everything("?visibility=public");
    expect(pub.some((i) => i.type === "pass.made" && i.published !== null)).toBe(true);
    expect(pub.length).toBe((await everything("")).length);
    const both = await everything("?visibility=table&visibility=members", wga);
    expect(new Set(both.map((i) => (i as Item & { visibility: string }).visibility))).toEqual(
      new Set(["table", "members"]),
    );
  });

  it("refuses a made-up cursor, an unknown type and an absurd limit with 400", async () => {
    for (const q of [
      "?after=not-a-cursor",
      "?type=pass.invented",
      "?limit=100000",
      "?from=yesterday",
      "?visibility=secret",
    ]) {
      const r = await page(q);
      expect([q, r.status, r.json.error.code]).toEqual([q, 400, "VALIDATION_FAILED"]);
    }
  });
});
