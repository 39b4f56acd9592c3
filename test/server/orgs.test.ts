import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { keyIdOf, verify } from "../../src/ledger/ed25519.ts";
import { MARKERS, smallDispute } from "../support/fixture.ts";
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
  admin = await server.signInAs("admin@wga.example");
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

describe("one organization", () => {
  it("shows anyone the organization and the keys its signed entries verify under", async () => {
    const anon = await server.call("GET", "/api/v1/orgs/wga-west");
    expect(anon.status).toBe(200);
    expect(anon.json).toMatchObject({ id: "wga-west", shortName: "WGA West", kind: "union" });
    const keys = anon.json.keys as { keyId: string; publicKey: string }[];
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(keyIdOf(Buffer.from(k.publicKey, "base64"))).toBe(k.keyId);
    // A verifier holding only this answer can check an entry the guild signed.
    const entry = await parley.db
      .selectFrom("ledger_entries")
      .select(["key_id", "body", "signature"])
      .where("org_id", "=", "wga-west")
      .where("visibility", "=", "public")
      .executeTakeFirstOrThrow();
    const key = keys.find((k) => k.keyId === entry.key_id);
    expect(key).toBeDefined();
    const raw = Buffer.from(key!.publicKey, "base64");
    expect(verify(Buffer.from(entry.body), entry.signature, raw)).toBe(true);
    // The same for a signed-in caller: nothing here depends on who asks.
    const signedIn = await server.call("GET", "/api/v1/orgs/wga-west", { headers: admin });
    expect(signedIn.json).toEqual(anon.json);
  });

  it("answers 400 for a malformed id and 404 for an unknown organization", async () => {
    const bad = await server.call("GET", "/api/v1/orgs/Not_An_Id");
    expect([bad.status, bad.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    const none = await server.call("GET", "/api/v1/orgs/no-such-union");
    expect([none.status, none.json.error.code]).toEqual([404, "ORG_UNKNOWN"]);
  });
});

describe("changing and removing members", () => {
  const WRITER = "writer@wga.example";
  let writer: string;
  const member = (id: string) => `/api/v1/orgs/wga-west/members/${id}`;
  const roleIn = async (org: string, id: string) =>
    (
      await parley.db
        .selectFrom("memberships")
        .select("role")
        .where("org_id", "=", org)
        .where("account_id", "=", id)
        .executeTakeFirst()
    )?.role;
  const accountId = async (email: string) =>
    (await parley.db.selectFrom("accounts").select("id").where("email", "=", email).executeTakeFirstOrThrow())
      .id;
  const signInWriter = async () => {
    const r = await server.call("POST", "/api/v1/session", { body: { email: WRITER, password: PASSWORD } });
    return { cookie: r.headers.get("set-cookie")!.split(";")[0]!, "x-csrf-token": r.json.csrf as string };
  };

  beforeAll(async () => {
    const r = await server.call("POST", "/api/v1/orgs/wga-west/members", {
      body: { email: WRITER, name: "Writer", password: PASSWORD, role: "member" },
      headers: admin,
    });
    writer = r.json.id;
  });

  it("lets an admin change a role, in effect from the member's next request", async () => {
    const own = await signInWriter();
    expect((await server.call("GET", "/api/v1/orgs/wga-west/members", { headers: own })).status).toBe(403);
    const promoted = await server.call("PATCH", member(writer), { body: { role: "admin" }, headers: admin });
    expect([promoted.status, promoted.json]).toEqual([200, { id: writer, org: "wga-west", role: "admin" }]);
    // The session opened before the change now carries the new role.
    expect((await server.call("GET", "/api/v1/orgs/wga-west/members", { headers: own })).status).toBe(200);
    const demoted = await server.call("PATCH", member(writer), { body: { role: "member" }, headers: admin });
    expect(demoted.json.role).toBe("member");
    expect((await server.call("GET", "/api/v1/orgs/wga-west/members", { headers: own })).status).toBe(403);
  });

  it("refuses a bad role, an unknown member and anyone but the organization's admins, changing nothing", async () => {
    const bad = await server.call("PATCH", member(writer), { body: { role: "owner" }, headers: admin });
    expect([bad.status, bad.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    const extra = await server.call("PATCH", member(writer), {
      body: { role: "admin", org: "amptp" },
      headers: admin,
    });
    expect([extra.status, extra.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    const nobody = await server.call("PATCH", member("acct_nobody"), {
      body: { role: "admin" },
      headers: admin,
    });
    expect([nobody.status, nobody.json.error.code]).toEqual([404, "MEMBER_UNKNOWN"]);
    // An account that exists but belongs to the other side is no member here to promote.
    const outsider = await accountId(PEOPLE.amptpNegotiator.email);
    const notHere = await server.call("PATCH", member(outsider), { body: { role: "admin" }, headers: admin });
    expect([notHere.status, notHere.json.error.code]).toEqual([404, "MEMBER_UNKNOWN"]);
    expect(await roleIn("wga-west", outsider)).toBeUndefined();
    for (const who of ["wgaNegotiator", "outsiderAdmin"] as const) {
      const r = await server.call("PATCH", member(writer), {
        body: { role: "admin" },
        headers: await server.signIn(who),
      });
      expect([who, r.status, r.json.error.code]).toEqual([who, 403, "ROLE_REQUIRED"]);
    }
    const anon = await server.call("PATCH", member(writer), { body: { role: "admin" } });
    expect([anon.status, anon.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
    expect(await roleIn("wga-west", writer)).toBe("member");
  });

  it("never leaves an organization without an admin", async () => {
    // The other union's one admin can neither step down nor leave.
    const sole = await server.signIn("outsiderAdmin");
    const soleId = (await server.call("GET", "/api/v1/me", { headers: sole })).json.id;
    const path = `/api/v1/orgs/other-union/members/${soleId}`;
    const demote = await server.call("PATCH", path, { body: { role: "member" }, headers: sole });
    expect([demote.status, demote.json.error.code]).toEqual([409, "LAST_ADMIN"]);
    const leave = await server.call("DELETE", path, { headers: sole });
    expect([leave.status, leave.json.error.code]).toEqual([409, "LAST_ADMIN"]);
    expect(await roleIn("other-union", soleId)).toBe("admin");
    // With a second admin, one may step down; then the remaining one is the last.
    await server.call("PATCH", member(writer), { body: { role: "admin" }, headers: admin });
    const own = await signInWriter();
    const stepDown = await server.call("PATCH", member(writer), {
      body: { role: "negotiator" },
      headers: own,
    });
    expect([stepDown.status, stepDown.json.role]).toEqual([200, "negotiator"]);
    const adminId = await accountId("admin@wga.example");
    const last = await server.call("PATCH", member(adminId), { body: { role: "member" }, headers: admin });
    expect([last.status, last.json.error.code]).toEqual([409, "LAST_ADMIN"]);
    expect(await roleIn("wga-west", adminId)).toBe("admin");
    // Restores what the next test expects.
    await server.call("PATCH", member(writer), { body: { role: "member" }, headers: admin });
  });

  it("removes a member: the session and token the member already holds lose the membership at once", async () => {
    const own = await signInWriter();
    const token = await server.call("POST", "/api/v1/tokens", { body: { name: "script" }, headers: own });
    const bearer = { authorization: `Bearer ${token.json.token}` };
    const timeline = `/api/v1/disputes/test-2023/timeline?limit=200`;
    expect((await server.call("GET", timeline, { headers: own })).text).toContain(MARKERS.wgaMembers);

    const refused = await server.call("DELETE", member(writer), {
      headers: await server.signIn("wgaNegotiator"),
    });
    expect([refused.status, refused.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    expect(await roleIn("wga-west", writer)).toBe("member");

    const removed = await server.call("DELETE", member(writer), { headers: admin });
    expect(removed.status).toBe(204);
    for (const headers of [own, bearer]) {
      const me = await server.call("GET", "/api/v1/me", { headers });
      expect([me.status, me.json.memberships]).toEqual([200, []]);
      expect((await server.call("GET", timeline, { headers })).text).not.toContain(MARKERS.wgaMembers);
    }
    const list = await server.call("GET", "/api/v1/orgs/wga-west/members", { headers: admin });
    expect(list.json.members.map((m: { id: string }) => m.id)).not.toContain(writer);
    const again = await server.call("DELETE", member(writer), { headers: admin });
    expect([again.status, again.json.error.code]).toEqual([404, "MEMBER_UNKNOWN"]);
    // The account itself stays: it can still sign in, a member of nothing.
    expect(
      (await server.call("POST", "/api/v1/session", { body: { email: WRITER, password: PASSWORD } })).status,
    ).toBe(200);
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

describe("the server's operators", () => {
  const NEW_ORG = { id: "new-guild", name: "A New Guild", shortName: "New Guild", kind: "union" };
  let operator: Record<string, string>;

  beforeAll(async () => {
    await server.accounts.add({ email: "op@parley.example", name: "Op", password: PASSWORD, operator: true });
    operator = await server.signInAs("op@parley.example");
  });

  it("register an organization, with its key, and appoint its first admin, who then manages it", async () => {
    const me = await server.call("GET", "/api/v1/me", { headers: operator });
    expect([me.json.operator, me.json.memberships]).toEqual([true, []]);
    const created = await server.call("POST", "/api/v1/orgs", { body: NEW_ORG, headers: operator });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ ...NEW_ORG, keys: [{ keyId: expect.any(String) }] });
    const first = await server.call("POST", "/api/v1/orgs/new-guild/members", {
      body: { email: "chair@new-guild.example", name: "Chair", password: PASSWORD, role: "admin" },
      headers: operator,
    });
    expect(first.status).toBe(201);
    const login = await server.call("POST", "/api/v1/session", {
      body: { email: "chair@new-guild.example", password: PASSWORD },
    });
    const chair = {
      cookie: login.headers.get("set-cookie")!.split(";")[0]!,
      "x-csrf-token": login.json.csrf,
    };
    const members = await server.call("GET", "/api/v1/orgs/new-guild/members", { headers: chair });
    expect(members.json.members.map((m: { email: string }) => m.email)).toEqual(["chair@new-guild.example"]);
  });

  it("refuses a second registration of an id, and a malformed organization, writing nothing", async () => {
    const again = await server.call("POST", "/api/v1/orgs", { body: NEW_ORG, headers: operator });
    expect([again.status, again.json.error.code]).toEqual([409, "ORG_EXISTS"]);
    const bad = await server.call("POST", "/api/v1/orgs", {
      body: { ...NEW_ORG, id: "Not An Id", kind: "guild" },
      headers: operator,
    });
    expect([bad.status, bad.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect((await parley.organizations()).some((o) => o.id === "Not An Id")).toBe(false);
  });

  it("is not something an organization's admin, or the anonymous, may do", async () => {
    const byAdmin = await server.call("POST", "/api/v1/orgs", {
      body: { ...NEW_ORG, id: "admins-guild" },
      headers: admin,
    });
    expect([byAdmin.status, byAdmin.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    const anonymous = await server.call("POST", "/api/v1/orgs", { body: { ...NEW_ORG, id: "anon-guild" } });
    expect(anonymous.status).toBe(401);
    expect(await parley.organization("admins-guild")).toBeUndefined();
  });
});

describe("a member's tokens, for the organization's admins", () => {
  it("lists a member's tokens without secrets and revokes a leaked one, which stops working at once", async () => {
    const writer = await server.signIn("wgaNegotiator");
    const made = await server.call("POST", "/api/v1/tokens", {
      body: { name: "deploy script" },
      headers: writer,
    });
    const bearer = { authorization: `Bearer ${made.json.token}` };
    expect((await server.call("GET", "/api/v1/me", { headers: bearer })).status).toBe(200);
    const me = (await server.call("GET", "/api/v1/me", { headers: writer })).json;
    const listed = await server.call("GET", `/api/v1/orgs/wga-west/members/${me.id}/tokens`, {
      headers: admin,
    });
    expect(listed.status).toBe(200);
    expect(listed.json.tokens.map((t: { name: string }) => t.name)).toContain("deploy script");
    expect(listed.text).not.toContain(made.json.token);
    const revoked = await server.call(
      "DELETE",
      `/api/v1/orgs/wga-west/members/${me.id}/tokens/${made.json.id}`,
      {
        headers: admin,
      },
    );
    expect(revoked.status).toBe(204);
    expect((await server.call("GET", "/api/v1/me", { headers: bearer })).status).toBe(401);
  });

  it("refuses other organizations' admins, members themselves, unknown members and tokens", async () => {
    const wgaMember = (await server.call("GET", "/api/v1/me", { headers: await server.signIn("wgaMember") }))
      .json;
    const path = `/api/v1/orgs/wga-west/members/${wgaMember.id}/tokens`;
    const outsider = await server.call("GET", path, { headers: await server.signIn("outsiderAdmin") });
    expect([outsider.status, outsider.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    const self = await server.call("GET", path, { headers: await server.signIn("wgaMember") });
    expect(self.status).toBe(403);
    // An account of another organization is no member here, whatever its tokens.
    const amptp = (await server.call("GET", "/api/v1/me", { headers: await server.signIn("amptpMember") }))
      .json;
    const foreign = await server.call("GET", `/api/v1/orgs/wga-west/members/${amptp.id}/tokens`, {
      headers: admin,
    });
    expect([foreign.status, foreign.json.error.code]).toEqual([404, "MEMBER_UNKNOWN"]);
    const noToken = await server.call("DELETE", `${path}/tok_nothing`, { headers: admin });
    expect([noToken.status, noToken.json.error.code]).toEqual([404, "TOKEN_UNKNOWN"]);
  });
});
