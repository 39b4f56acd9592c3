import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { MARKERS, smallDispute } from "../support/fixture.ts";
import { PEOPLE, type Person, startServer } from "../support/server.ts";

const SLUG = "test-2023";
const PATH = `/api/v1/disputes/${SLUG}/search`;
type Who = "anonymous" | Person;

/** The markers each caller may read: as in the authorization matrix. */
const MAY_SEE: Record<Who, string[]> = {
  anonymous: [],
  reporter: [],
  outsiderAdmin: [],
  amptpMember: [],
  wgaMember: [MARKERS.wgaMembers],
  wgaNegotiator: [MARKERS.wgaPrivate, MARKERS.wgaMembers, MARKERS.table],
  amptpNegotiator: [MARKERS.amptpPrivate, MARKERS.table],
};

let parley: Parley;
let server: Awaited<ReturnType<typeof startServer>>;
const headers: Partial<Record<Who, Record<string, string>>> = { anonymous: {} };

beforeAll(async () => {
  parley = (await smallDispute(undefined, { extra: 4 })).app;
  server = await startServer(parley);
  for (const who of Object.keys(PEOPLE) as Person[]) headers[who] = await server.signIn(who);
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
});

const get = (query: string, who: Who = "anonymous") =>
  server.call("GET", `${PATH}${query}`, { headers: headers[who]! });

describe("GET /api/v1/disputes/{slug}/search", () => {
  it("answers with ranked items, their snippets and highlights, a total and a cursor", async () => {
    const r = await get("?q=filler&limit=3");
    expect(r.status).toBe(200);
    expect(r.json.total).toBe(4);
    expect(r.json.items).toHaveLength(3);
    expect(typeof r.json.next).toBe("string");
    const [item] = r.json.items;
    expect(item).toMatchObject({ type: "statement.made", org: "daily-press", visibility: "public" });
    const [[start, end]] = item.snippet.highlights;
    expect(item.snippet.text.slice(start, end)).toBe("Filler");
    const rest = await get(`?q=filler&limit=3&after=${r.json.next}`);
    expect([rest.json.items.length, rest.json.next]).toEqual([1, null]);
  });

  it("filters by several types", async () => {
    const both = await get("?q=raise&type=pass.made&type=statement.made", "wgaNegotiator");
    expect(both.status).toBe(200);
    expect(both.json.items.map((i: { type: string }) => i.type)).toEqual(["pass.made", "pass.made"]);
  });

  it("gives each caller exactly the markers it may read, nothing else, and counts accordingly", async () => {
    for (const who of Object.keys(MAY_SEE) as Who[]) {
      const texts: string[] = [];
      for (const q of ["marker", "caucus", "update", "7f3a", "91c2", "4410", "55d0", '"table only"']) {
        const r = await get(`?q=${encodeURIComponent(q)}`, who);
        expect({ who, q, status: r.status }).toEqual({ who, q, status: 200 });
        texts.push(r.text);
      }
      const all = texts.join("\n");
      for (const marker of Object.values(MARKERS)) {
        expect({ who, marker, shown: all.includes(marker) }).toEqual({
          who,
          marker,
          shown: MAY_SEE[who].includes(marker),
        });
      }
      expect({ who, total: JSON.parse(texts[0]!).total }).toEqual({ who, total: MAY_SEE[who].length });
    }
  });

  it("refuses a bad search with 400 and a stable code, never a 500", async () => {
    for (const q of [
      "",
      "?q=",
      "?q=%20%20",
      `?q=${encodeURIComponent('"" ((( *')}`,
      "?q=a*",
      "?q=x&limit=0",
      "?q=x&limit=101",
      "?q=x&after=not-a-cursor",
      "?q=x&type=pass.invented",
      "?q=x&from=yesterday",
      "?q=x&sort=new",
      `?q=${"x".repeat(501)}`,
    ]) {
      const r = await get(q);
      expect({ q, status: r.status, code: r.json?.error?.code }).toEqual({
        q,
        status: 400,
        code: "VALIDATION_FAILED",
      });
    }
  });

  it("takes query syntax as plain words", async () => {
    for (const q of [
      'AND( "',
      "NEAR(a b)",
      "text:raise",
      "raise OR",
      '"unclosed raise',
      "^raise -x +y {a b}",
    ]) {
      const r = await get(`?q=${encodeURIComponent(q)}`, "wgaNegotiator");
      expect({ q, status: r.status }).toEqual({ q, status: 200 });
    }
    expect((await get(`?q=${encodeURIComponent("raise OR")}`, "wgaNegotiator")).json.total).toBe(0);
    expect((await get(`?q=${encodeURIComponent('"unclosed raise')}`, "wgaNegotiator")).json.total).toBe(0);
    expect((await get(`?q=${encodeURIComponent("text:raise")}`, "wgaNegotiator")).json.total).toBe(0);
  });

  it("answers 404 for an unknown dispute, signed in or not", async () => {
    for (const who of ["anonymous", "wgaNegotiator"] as const) {
      const r = await server.call("GET", "/api/v1/disputes/no-such-dispute/search?q=raise", {
        headers: headers[who]!,
      });
      expect({ who, status: r.status, code: r.json.error.code }).toEqual({
        who,
        status: 404,
        code: "DISPUTE_UNKNOWN",
      });
    }
  });

  it("is in the OpenAPI document, with its parameters, among the dispute routes", async () => {
    const doc = (await server.call("GET", "/api/v1/openapi.json")).json;
    const op = doc.paths["/api/v1/disputes/{slug}/search"]?.get;
    expect(op?.tags).toEqual(["disputes"]);
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["q", "type", "from", "to", "after", "limit", "slug"]),
    );
  });
});
