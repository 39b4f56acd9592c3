import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { ENTRY_TYPES } from "../../src/domain/events.ts";
import { smallDispute } from "../support/fixture.ts";
import { startServer } from "../support/server.ts";
import { tableCounter } from "../support/tamper.ts";

/**
 * Random and malformed bodies thrown at every write route: whatever arrives, the answer is a
 * 2xx or a 4xx in the API's error shape, never a 500; nothing is half-written; and the ledger
 * still verifies afterwards.
 */
const SLUG = "test-2023";
let parley: Parley;
let server: Awaited<ReturnType<typeof startServer>>;
let auth: Record<string, string>;
let dbPath: string;

beforeAll(async () => {
  const built = await smallDispute();
  parley = built.app;
  dbPath = built.dbPath;
  server = await startServer(parley);
  auth = await server.signIn("wgaNegotiator");
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
});

const oddStrings = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom(
    "",
    "\u0000",
    "\ud800",
    "\u202e",
    "💥".repeat(50),
    "2023-02-30T00:00:00Z",
    "9999-12-31T23:59:59Z",
  ),
);
const instants = fc.oneof(
  fc
    .date({ min: new Date("1800-01-01"), max: new Date("2300-01-01"), noInvalidDate: true })
    .map((d) => d.toISOString()),
  oddStrings,
);
const entryBodies = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...ENTRY_TYPES), oddStrings),
    occurredAt: instants,
    visibility: fc.oneof(fc.constantFrom("private", "members", "table", "public"), oddStrings),
    payload: fc.oneof(fc.jsonValue(), fc.anything()),
    as: fc.oneof(fc.constantFrom("wga-west", "amptp"), oddStrings),
  },
  { requiredKeys: [] },
);
const rawBodies = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  entryBodies.map((b) => JSON.stringify(b)),
  fc.constantFrom("{", "[]", "null", '{"type":', "\u0000", '{"__proto__":{"admin":true}}'),
);

/**
 * Valid bodies with at most one leaf replaced by something odd, or removed: random input that
 * passes the route's per-type checks often enough to reach the domain's rules and the ledger
 * (random payloads alone hardly ever get past them).
 */
const VALID = [
  {
    type: "statement.made",
    occurredAt: "2023-09-26T17:00:00Z",
    visibility: "public",
    payload: { by: "wga-west", channel: "social", text: "Still out." },
  },
  { type: "note.recorded", visibility: "private", payload: { text: "Caucus: hold." } },
  {
    type: "pass.made",
    occurredAt: "2023-09-26T17:00:00Z",
    visibility: "table",
    payload: {
      kind: "counterproposal",
      issues: [{ issue: "wages", language: "5%.", terms: [{ key: "year-1", value: "5", unit: "%" }] }],
    },
  },
  {
    type: "meeting.requested",
    occurredAt: "2023-09-26T17:00:00Z",
    visibility: "table",
    as: "wga-west",
    payload: {
      meeting: "fuzz",
      kind: "table",
      purpose: "Talk.",
      proposedTimes: [{ start: "2023-09-29T17:00:00Z", end: "2023-09-29T19:00:00Z" }],
    },
  },
];
type Path = (string | number)[];
function leaves(v: unknown, at: Path = []): Path[] {
  if (v === null || typeof v !== "object") return [at];
  return Object.entries(v).flatMap(([k, x]) => leaves(x, [...at, Array.isArray(v) ? Number(k) : k]));
}
function replaced(body: object, path: Path, value: unknown): object {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}
const nearlyValid = fc.constantFrom(...VALID).chain((body) =>
  fc.oneof(
    fc.constant(body),
    fc
      .tuple(
        fc.constantFrom(...leaves(body)),
        fc.option(fc.oneof(oddStrings, instants, fc.jsonValue()), { nil: undefined }),
      )
      .map(([path, value]) => replaced(body, path, value)),
  ),
);

async function size(): Promise<number> {
  return (await parley.latestCheckpoint(SLUG))!.size;
}

/** A path segment for any string: a lone surrogate, which has no UTF-8, goes as the malformed bytes it would be. */
function pathSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%ED%A0%80";
  }
}

function expectClean(res: { status: number; json: { error?: { code?: unknown } } | null }) {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) expect(res.json?.error?.code).toMatch(/^[A-Z_]+$/);
}

describe("write routes under random input", () => {
  it("POST entries: a 201 adds exactly one entry, anything else adds none", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          entryBodies.map((b) => JSON.stringify(b)),
          rawBodies,
        ),
        async (body) => {
          const before = await size();
          const res = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, { body, headers: auth });
          expectClean(res);
          expect(await size()).toBe(before + (res.status === 201 ? 1 : 0));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("POST entries, nearly valid: past the checks some are written, and a 400 names the field", async () => {
    let written = 0;
    await fc.assert(
      fc.asyncProperty(nearlyValid, async (body) => {
        const before = await size();
        const res = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, { body, headers: auth });
        expectClean(res);
        if (res.json?.error?.code === "VALIDATION_FAILED") expect(res.json.error.message).toMatch(/^body\b/);
        if (res.status === 201) written++;
        expect(await size()).toBe(before + (res.status === 201 ? 1 : 0));
      }),
      { numRuns: 100 },
    );
    expect(written).toBeGreaterThan(0);
  });

  it("POST session and POST tokens: no 500s", async () => {
    await fc.assert(
      fc.asyncProperty(rawBodies, async (body) => {
        expectClean(await server.call("POST", "/api/v1/session", { body }));
        expectClean(await server.call("POST", "/api/v1/tokens", { body, headers: auth }));
      }),
      { numRuns: 60 },
    );
  });

  it("odd paths and query strings: no 500s", async () => {
    // encodeURIComponent refuses lone surrogates; malformed escapes are sent as they are below.
    const inUrl = oddStrings.map((s) => s.toWellFormed());
    for (const raw of ["%ED%A0%80", "%FF", "%", "%2e%2e%2f%2e%2e", "a%00b"]) {
      expectClean(await server.call("GET", `/api/v1/disputes/${raw}?asOf=${raw}`));
      expectClean(await server.call("GET", `/api/v1/disputes/${SLUG}/timeline?after=${raw}&type=${raw}`));
    }
    await fc.assert(
      fc.asyncProperty(inUrl, inUrl, async (a, b) => {
        const q = `?asOf=${encodeURIComponent(a)}&after=${encodeURIComponent(b)}&limit=${encodeURIComponent(b)}`;
        expectClean(await server.call("GET", `/api/v1/disputes/${encodeURIComponent(a)}${q}`));
        expectClean(await server.call("GET", `/api/v1/disputes/${SLUG}/timeline${q}`));
        expectClean(
          await server.call("GET", `/api/v1/disputes/${SLUG}/passes/${encodeURIComponent(a)}/redlines`),
        );
      }),
      { numRuns: 60 },
    );
  });

  it("every write route in the OpenAPI document: never a 500, and a refusal adds no row anywhere", async () => {
    // Bearer tokens, so that no random request can sign these callers out. The negotiator
    // records; an operator who is also WGA West's admin reaches the organization routes.
    await server.accounts.add({
      email: "fuzz-admin@wga.example",
      name: "Fuzz Admin",
      password: "a long fuzzing password",
      org: "wga-west",
      role: "admin",
      operator: true,
    });
    const bearer = async (headers: Record<string, string>) => {
      const made = await server.call("POST", "/api/v1/tokens", { body: { name: "fuzz" }, headers });
      return { authorization: `Bearer ${made.json.token}` };
    };
    const negotiator = await bearer(auth);
    const admin = await bearer(await server.signInAs("fuzz-admin@wga.example", "a long fuzzing password"));
    const doc = (await server.call("GET", "/api/v1/openapi.json")).json;
    const writes: { method: string; path: string }[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>))
      for (const method of Object.keys(ops))
        if (["post", "put", "patch", "delete"].includes(method))
          writes.push({ method: method.toUpperCase(), path });
    expect(writes.length).toBeGreaterThanOrEqual(15);
    const params: Record<string, fc.Arbitrary<string>> = {
      slug: fc.oneof(fc.constant(SLUG), oddStrings),
      org: fc.oneof(fc.constant("wga-west"), oddStrings),
      account: oddStrings,
      id: oddStrings,
      size: fc.oneof(fc.nat({ max: 200 }).map(String), oddStrings),
    };
    const route = fc.constantFrom(...writes).chain(({ method, path }) => {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      return fc.tuple(...names.map((n) => params[n] ?? oddStrings)).map((values) => ({
        method,
        route: path,
        url: names.reduce((u, n, i) => u.replace(`{${n}}`, pathSegment(values[i]!)), path),
      }));
    });
    const seen = new Set<string>();
    const counter = await tableCounter(dbPath);
    try {
      await fc.assert(
        fc.asyncProperty(route, rawBodies, async ({ method, route, url }, body) => {
          seen.add(`${method} ${route}`);
          const before = await counter.counts();
          const headers = route.startsWith("/api/v1/orgs") ? admin : negotiator;
          const res = await server.call(method, url, { body, headers });
          expectClean(res);
          if (res.status >= 400) expect(await counter.counts()).toEqual(before);
        }),
        { numRuns: 400 },
      );
    } finally {
      await counter.close();
    }
    expect(seen.size).toBeGreaterThan(writes.length / 2);
  });

  it("leaves a ledger that verifies", async () => {
    const report = await verifyStore(parley);
    expect(report.problems).toEqual([]);
  });
});
