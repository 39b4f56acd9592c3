import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { smallDispute } from "../support/fixture.ts";
import { PASSWORD, PEOPLE, startServer } from "../support/server.ts";

let parley: Parley;
let server: Awaited<ReturnType<typeof startServer>>;
let admin: Record<string, string>;

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
  const r = await server.call("POST", "/api/v1/session", {
    body: { email: "admin@wga.example", password: PASSWORD },
  });
  admin = { cookie: r.headers.get("set-cookie")!.split(";")[0]!, "x-csrf-token": r.json.csrf };
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
});

describe("organizations and members", () => {
  it("lists the directory to anyone", async () => {
    const r = await server.call("GET", "/api/v1/orgs");
    expect(r.status).toBe(200);
    expect(r.json.organizations.map((o: { id: string }) => o.id)).toEqual(
      expect.arrayContaining(["amptp", "daily-press", "wga-west"]),
    );
  });

  it("lets an admin add a new account and an existing one, and list the members", async () => {
    const created = await server.call("POST", "/api/v1/orgs/wga-west/members", {
      body: { email: "new@wga.example", name: "New Writer", password: PASSWORD, role: "member" },
      headers: admin,
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ created: true, role: "member" });
    const signIn = await server.call("POST", "/api/v1/session", {
      body: { email: "new@wga.example", password: PASSWORD },
    });
    expect(signIn.status).toBe(200);
    // The press outlet's reporter also joins the guild's members, with its existing account.
    const existing = await server.call("POST", "/api/v1/orgs/wga-west/members", {
      body: { email: PEOPLE.reporter.email, role: "member" },
      headers: admin,
    });
    expect(existing.json).toMatchObject({ created: false });
    const again = await server.call("POST", "/api/v1/orgs/wga-west/members", {
      body: { email: PEOPLE.reporter.email, role: "member" },
      headers: admin,
    });
    expect([again.status, again.json.error.code]).toEqual([409, "ACCOUNT_EXISTS"]);
    const list = await server.call("GET", "/api/v1/orgs/wga-west/members", { headers: admin });
    expect(list.json.members.map((m: { email: string }) => m.email)).toEqual(
      expect.arrayContaining([
        "admin@wga.example",
        "new@wga.example",
        PEOPLE.reporter.email,
        PEOPLE.wgaNegotiator.email,
      ]),
    );
    expect(JSON.stringify(list.json)).not.toContain("password");
  });

  it("refuses a new account without a password, and anyone but the organization's admins", async () => {
    const bad = await server.call("POST", "/api/v1/orgs/wga-west/members", {
      body: { email: "x@wga.example", role: "member", name: "X" },
      headers: admin,
    });
    expect([bad.status, bad.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    const negotiator = await server.call("GET", "/api/v1/orgs/wga-west/members", {
      headers: await server.signIn("wgaNegotiator"),
    });
    expect([negotiator.status, negotiator.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    const otherAdmin = await server.call("POST", "/api/v1/orgs/amptp/members", {
      body: { email: "spy@wga.example", role: "negotiator", name: "Spy", password: PASSWORD },
      headers: admin,
    });
    expect([otherAdmin.status, otherAdmin.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
  });
});

describe("opening a dispute", () => {
  const opening = (slug: string) => ({
    slug,
    occurredAt: "2024-03-01T17:00:00Z",
    payload: {
      title: "A new round",
      timeZone: "America/New_York",
      agreement: { name: "Next MBA", expiresAt: null },
      sides: [
        { id: "wga", name: "Writers Guild of America", shortName: "WGA" },
        { id: "amptp", name: "AMPTP", shortName: "AMPTP" },
      ],
    },
  });

  it("lets a negotiator open one, signed by its organization, and refuses the same slug twice", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const r = await server.call("POST", "/api/v1/disputes", { body: opening("wga-2026"), headers: auth });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ seq: 0, type: "dispute.opened" });
    const status = await server.call("GET", "/api/v1/disputes/wga-2026");
    expect(status.json).toMatchObject({ dispute: "wga-2026", title: "A new round" });
    const again = await server.call("POST", "/api/v1/disputes", { body: opening("wga-2026"), headers: auth });
    expect([again.status, again.json.error.code]).toEqual([409, "DISPUTE_EXISTS"]);
  });

  it("refuses a bad opening, a member without the negotiator role and the anonymous, opening nothing", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const bad = await server.call("POST", "/api/v1/disputes", {
      body: { ...opening("bad-one"), payload: { title: "No sides" } },
      headers: auth,
    });
    expect([bad.status, bad.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    const member = await server.call("POST", "/api/v1/disputes", {
      body: opening("by-member"),
      headers: await server.signIn("wgaMember"),
    });
    expect([member.status, member.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    const anon = await server.call("POST", "/api/v1/disputes", { body: opening("by-anon") });
    expect(anon.status).toBe(401);
    const slugs = (await server.call("GET", "/api/v1/disputes")).json.disputes.map(
      (d: { slug: string }) => d.slug,
    );
    expect(slugs).not.toEqual(expect.arrayContaining(["bad-one"]));
    expect(slugs).not.toContain("by-member");
    expect(slugs).not.toContain("by-anon");
  });
});
