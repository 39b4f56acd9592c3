import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { keyIdOf } from "../../src/ledger/ed25519.ts";
import { smallDispute } from "../support/fixture.ts";
import { PASSWORD, startServer } from "../support/server.ts";

const SLUG = "test-2023";
const KEYS = "/api/v1/orgs/wga-west/keys";
const ROTATE = `${KEYS}/rotate`;
/** smallDispute's fixed clock: every time the server records is this one. */
const NOW = "2026-01-01T00:00:00.000Z";

let parley: Parley;
let server: Awaited<ReturnType<typeof startServer>>;
const as: Record<"wgaAdmin" | "wgaNegotiator" | "outsiderAdmin", Record<string, string>> = {
  wgaAdmin: {},
  wgaNegotiator: {},
  outsiderAdmin: {},
};

beforeAll(async () => {
  parley = (await smallDispute()).app;
  server = await startServer(parley);
  await server.accounts.add({
    email: "admin@wga.example",
    name: "Admin",
    password: PASSWORD,
    org: "wga-west",
    role: "admin",
  });
  as.wgaAdmin = await server.signInAs("admin@wga.example");
  as.wgaNegotiator = await server.signIn("wgaNegotiator");
  as.outsiderAdmin = await server.signIn("outsiderAdmin");
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
});

/** The key ids of the WGA's entries, in sequence order. */
const wgaKeyIds = async () =>
  (
    await parley.db
      .selectFrom("ledger_entries")
      .select("key_id")
      .where("org_id", "=", "wga-west")
      .orderBy("seq")
      .execute()
  ).map((r) => r.key_id);

describe("GET /api/v1/orgs/{org}/keys and POST …/keys/rotate", () => {
  let original: string;

  it("lists the organization's one key to anyone, the key its entries carry", async () => {
    const r = await server.call("GET", KEYS);
    expect(r.status).toBe(200);
    expect(r.json.org).toBe("wga-west");
    expect(r.json.keys).toHaveLength(1);
    const [key] = r.json.keys;
    expect(key.retiredAt).toBeNull();
    expect(keyIdOf(Buffer.from(key.publicKey, "base64"))).toBe(key.keyId);
    expect(new Set(await wgaKeyIds())).toEqual(new Set([key.keyId]));
    original = key.keyId;
  });

  it("turns away the anonymous (401), a member who is no admin of it and another org's admin (403)", async () => {
    const anonymous = await server.call("POST", ROTATE);
    expect([anonymous.status, anonymous.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
    for (const who of ["wgaNegotiator", "outsiderAdmin"] as const) {
      const r = await server.call("POST", ROTATE, { headers: as[who] });
      expect({ who, status: r.status, code: r.json.error.code }).toEqual({
        who,
        status: 403,
        code: "ROLE_REQUIRED",
      });
    }
    // Nothing was rotated.
    expect((await server.call("GET", KEYS)).json.keys.map((k: { keyId: string }) => k.keyId)).toEqual([
      original,
    ]);
    expect(parley.keys.require("wga-west").keyId).toBe(original);
  });

  it("lets the organization's admin rotate: 201 with the new key, which signs the next entry at once", async () => {
    const r = await server.call("POST", ROTATE, { headers: as.wgaAdmin });
    expect(r.status).toBe(201);
    expect(r.json.keyId).not.toBe(original);
    expect(keyIdOf(Buffer.from(r.json.publicKey, "base64"))).toBe(r.json.keyId);
    expect(r.json.retired).toEqual([{ keyId: original, retiredAt: NOW }]);

    const listed = await server.call("GET", KEYS);
    expect(listed.json.keys).toEqual([
      { keyId: original, publicKey: expect.any(String), createdAt: NOW, retiredAt: NOW },
      { keyId: r.json.keyId, publicKey: r.json.publicKey, createdAt: NOW, retiredAt: null },
    ]);

    const before = (await wgaKeyIds()).length;
    const entry = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
      headers: as.wgaNegotiator,
      body: {
        type: "statement.made",
        occurredAt: "2023-09-26T17:00:00Z",
        visibility: "public",
        payload: { by: "wga-west", channel: "other", text: "Signed with the new key" },
      },
    });
    expect(entry.status).toBe(201);
    const ids = await wgaKeyIds();
    expect(ids).toHaveLength(before + 1);
    expect(ids[ids.length - 1]).toBe(r.json.keyId);
    expect(new Set(ids.slice(0, -1))).toEqual(new Set([original]));
    // Everything, under either key, still verifies.
    const report = await verifyStore(parley);
    expect(report.problems).toEqual([]);
  });

  it("answers 404 for the keys of an organization that does not exist; only its admins could rotate it, and it has none", async () => {
    const r = await server.call("GET", "/api/v1/orgs/no-such-org/keys");
    expect([r.status, r.json.error.code]).toEqual([404, "ORG_UNKNOWN"]);
    const rotate = await server.call("POST", "/api/v1/orgs/no-such-org/keys/rotate", {
      headers: as.wgaAdmin,
    });
    expect([rotate.status, rotate.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    await expect(parley.rotateKey("no-such-org")).rejects.toMatchObject({ code: "ORG_UNKNOWN" });
  });

  it("documents both routes in the OpenAPI document", async () => {
    const doc = (await server.call("GET", "/api/v1/openapi.json")).json;
    expect(Object.keys(doc.paths["/api/v1/orgs/{org}/keys"])).toEqual(["get"]);
    expect(Object.keys(doc.paths["/api/v1/orgs/{org}/keys/rotate"])).toEqual(["post"]);
  });
});
