import { describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { serveSmallDispute, type TestServer } from "../support/server.ts";

let parley: Parley;
let server: TestServer;
serveSmallDispute((served) => ({ parley, server } = served));

const entry = (visibility: string, text: string) => ({
  type: "statement.made",
  occurredAt: "2023-09-26T17:00:00Z",
  visibility,
  payload: { by: "wga-west", channel: "press-release", text },
});

describe("validators on the public JSON of a dispute", () => {
  it("answers the public with an ETag and shared caching, then 304 while nothing public changed", async () => {
    const first = await server.call("GET", "/api/v1/disputes/test-2023");
    expect(first.status).toBe(200);
    const tag = first.headers.get("etag")!;
    expect(tag).toMatch(/^W\/"[\w-]+\.\d+\.[\dT:-]+"$/);
    expect(first.headers.get("cache-control")).toBe("public, max-age=0, s-maxage=60");
    const again = await server.call("GET", "/api/v1/disputes/test-2023", {
      headers: { "if-none-match": tag },
    });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    // Another URL (a past date) is another answer with its own tag.
    const past = await server.call("GET", "/api/v1/disputes/test-2023?asOf=2023-04-01", {
      headers: { "if-none-match": tag },
    });
    expect(past.status).toBe(200);
    expect(past.headers.get("etag")).not.toBe(tag);
  });

  it("keeps the tag through a private entry and moves it with a public one", async () => {
    const tag = (await server.call("GET", "/api/v1/disputes/test-2023/moves")).headers.get("etag")!;
    const headers = await server.signIn("wgaNegotiator");
    const secret = await server.call("POST", "/api/v1/disputes/test-2023/entries", {
      headers,
      body: entry("private", "caucus only"),
    });
    expect(secret.status).toBe(201);
    const still = await server.call("GET", "/api/v1/disputes/test-2023/moves", {
      headers: { "if-none-match": tag },
    });
    expect(still.status).toBe(304);
    const open = await server.call("POST", "/api/v1/disputes/test-2023/entries", {
      headers,
      body: entry("public", "to the press"),
    });
    expect(open.status).toBe(201);
    const moved = await server.call("GET", "/api/v1/disputes/test-2023/moves", {
      headers: { "if-none-match": tag },
    });
    expect(moved.status).toBe(200);
    expect(moved.headers.get("etag")).not.toBe(tag);
  });

  it("gives a signed-in caller neither a validator nor shared caching, and an unknown dispute its error", async () => {
    const headers = await server.signIn("wgaNegotiator");
    const mine = await server.call("GET", "/api/v1/disputes/test-2023", {
      headers: { cookie: headers.cookie },
    });
    expect(mine.status).toBe(200);
    expect(mine.headers.get("etag")).toBeNull();
    expect(mine.headers.get("cache-control") ?? "").not.toMatch(/public/);
    const unknown = await server.call("GET", "/api/v1/disputes/no-such-dispute", {
      headers: { "if-none-match": "*" },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("DISPUTE_UNKNOWN");
  });
});
