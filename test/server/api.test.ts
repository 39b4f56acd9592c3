import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileLines } from "../../src/app/export-verify.ts";
import type { Parley } from "../../src/app/parley.ts";
import { verifyStore } from "../../src/app/verify-store.ts";
import { ENTRY_TYPES } from "../../src/domain/events.ts";
import { verifyExport } from "../../src/ledger/export-file.ts";
import { MARKERS, smallDispute } from "../support/fixture.ts";
import { PASSWORD, PEOPLE, serveSmallDispute, startServer, type TestServer } from "../support/server.ts";

const SLUG = "test-2023";
let parley: Parley;
let server: TestServer;
serveSmallDispute((served) => ({ parley, server } = served));

const statement = (text: string) => ({
  type: "statement.made",
  occurredAt: "2023-09-26T17:00:00Z",
  visibility: "public",
  payload: { by: "wga-west", channel: "press-release", text },
});

describe("health", () => {
  it("answers /healthz and /readyz, with a request id", async () => {
    const h = await server.call("GET", "/healthz");
    expect(h.status).toBe(200);
    expect(h.json).toEqual({ ok: true });
    expect(h.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await server.call("GET", "/readyz")).json).toEqual({ ready: true });
  });

  it("keeps a request id the client sent", async () => {
    const h = await server.call("GET", "/healthz", { headers: { "x-request-id": "trace-123" } });
    expect(h.headers.get("x-request-id")).toBe("trace-123");
  });
});

describe("errors", () => {
  it("answers an unknown route with the error shape", async () => {
    const r = await server.call("GET", "/api/v1/nothing-here");
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      error: { code: "ROUTE_UNKNOWN", message: "no route GET /api/v1/nothing-here" },
    });
  });

  it("refuses malformed JSON, other content types and oversize bodies with 4xx codes", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const url = `/api/v1/disputes/${SLUG}/entries`;
    const malformed = await server.call("POST", url, { body: "{not json", headers: auth });
    expect([malformed.status, malformed.json.error.code]).toEqual([400, "MALFORMED_JSON"]);
    const text = await server.call("POST", url, {
      body: "hello",
      headers: { ...auth, "content-type": "text/plain" },
    });
    expect([text.status, text.json.error.code]).toEqual([415, "MEDIA_TYPE_UNSUPPORTED"]);
    const huge = await server.call("POST", url, { body: statement("x".repeat(300_000)), headers: auth });
    expect([huge.status, huge.json.error.code]).toEqual([413, "BODY_TOO_LARGE"]);
  });

  it("names the field that fails validation, and writes nothing", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const before = (await parley.latestCheckpoint(SLUG))!.size;
    const r = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
      body: { ...statement("x"), visibility: "secret" },
      headers: auth,
    });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("VALIDATION_FAILED");
    expect(r.json.error.message).toMatch(/^body\.visibility/);
    const unknown = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
      body: { ...statement("x"), extra: 1 },
      headers: auth,
    });
    expect([unknown.status, unknown.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    // `weight` is no field of a statement: the float's own code shows its check runs first.
    const float = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
      body: { ...statement("x"), payload: { ...statement("x").payload, weight: 0.5 } },
      headers: auth,
    });
    expect([float.status, float.json.error.code]).toEqual([400, "FLOAT_IN_PAYLOAD"]);
    expect(float.json.error.message).toBe("a floating-point number at body.payload.weight");
    expect((await parley.latestCheckpoint(SLUG))!.size).toBe(before);
  });

  it("checks each type's payload down to the field, before any rule or signature", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const before = (await parley.latestCheckpoint(SLUG))!.size;
    const post = (body: unknown) =>
      server.call("POST", `/api/v1/disputes/${SLUG}/entries`, { body, headers: auth });
    const refused = async (body: unknown) => {
      const r = await post(body);
      expect([r.status, r.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
      return {
        message: r.json.error.message as string,
        paths: r.json.error.details.issues.map((i: { path: string }) => i.path),
      };
    };
    const pass = (issue: object) => ({
      type: "pass.made",
      occurredAt: "2023-09-26T18:00:00Z",
      visibility: "table",
      payload: { kind: "proposal", issues: [issue] },
    });

    const noLanguage = await refused(pass({ issue: "wages" }));
    expect(noLanguage.message).toMatch(/^body\.payload\.issues\.0\.language: /);
    expect(noLanguage.paths).toEqual(["body.payload.issues.0.language"]);
    const term = await refused(
      pass({ issue: "wages", language: "x", terms: [{ key: "y1", value: "6 %", unit: "%" }] }),
    );
    expect(term.paths).toEqual(["body.payload.issues.0.terms.0.value"]);
    // Refinements too, which JSON Schema cannot say: a day that does not exist.
    const meeting = {
      type: "meeting.scheduled",
      visibility: "table",
      payload: { meeting: "s9", kind: "side", start: "2023-02-30T17:00:00Z", end: "2023-03-01T18:00:00Z" },
    };
    expect((await refused(meeting)).message).toBe("body.payload.start: not a real calendar instant");
    // Another type's fields are unknown keys here.
    const mixed = await refused({
      ...statement("x"),
      payload: { ...statement("x").payload, kind: "proposal" },
    });
    expect(mixed.paths).toEqual(["body.payload"]);
    expect(mixed.message).toMatch(/"kind"/);
    // An unknown or missing type is named as such, with the types there are.
    for (const type of ["statement.mad", undefined, 7]) {
      const r = await refused({ ...statement("x"), type });
      expect(r.paths).toEqual(["body.type"]);
      expect(r.message).toMatch(/^body\.type: .*'pass\.made'/);
    }
    const late = await refused({ ...statement("x"), occurredAt: "2023-09-26T25:00:00Z" });
    expect(late.paths).toEqual(["body.occurredAt"]);
    expect((await parley.latestCheckpoint(SLUG))!.size).toBe(before);
  });

  it("signs what the domain makes of the payload as sent, defaults and instants included", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const bodies = [
      // `terms` left out: the catalogue's default([]) fills it in.
      {
        type: "pass.made",
        occurredAt: "2023-09-27T17:00:00Z",
        visibility: "table",
        payload: { kind: "proposal", issues: [{ language: "Raise minimums 5%.", issue: "wages" }] },
      },
      // `with` left out, and instants in two short forms that are recorded with milliseconds.
      {
        type: "meeting.scheduled",
        occurredAt: "2023-09-27T17:00:00Z",
        visibility: "private",
        payload: {
          meeting: "defaults",
          kind: "side",
          start: "2023-09-28T17:00:00Z",
          end: "2023-09-28T18:00:00.5Z",
        },
      },
    ];
    const stored = async (seq: number) => {
      const row = await parley.db
        .selectFrom("ledger_entries")
        .select("body")
        .where("seq", "=", seq)
        .executeTakeFirstOrThrow();
      return JSON.parse(row.body);
    };
    // Everything but what differs between two recordings of one command.
    const signedPart = ({ seq: _s, nonce: _n, recordedAt: _r, ...rest }: Record<string, unknown>) =>
      JSON.stringify(rest);
    const recorded = [];
    for (const body of bodies) {
      const http = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, { body, headers: auth });
      expect(http.status).toBe(201);
      const viaHttp = await stored(http.json.seq);
      const direct = await parley.execute(SLUG, { ...body, actor: viaHttp.actor });
      expect(signedPart(viaHttp)).toBe(signedPart(await stored(direct.seq)));
      recorded.push(viaHttp.payload);
    }
    // And the domain did fill the defaults and normalize the instants.
    expect(recorded[0].issues).toEqual([{ issue: "wages", language: "Raise minimums 5%.", terms: [] }]);
    expect(recorded[1]).toMatchObject({
      start: "2023-09-28T17:00:00.000Z",
      end: "2023-09-28T18:00:00.500Z",
      with: [],
    });
  });

  it("maps a domain rule to 422 and an unknown dispute to 404", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const closed = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
      body: {
        type: "pass.made",
        occurredAt: "2023-09-26T18:00:00Z",
        visibility: "table",
        payload: { kind: "proposal", issues: [{ issue: "nope", language: "x" }] },
      },
      headers: auth,
    });
    expect([closed.status, closed.json.error.code]).toEqual([404, "ISSUE_UNKNOWN"]);
    const none = await server.call("GET", "/api/v1/disputes/no-such-dispute");
    expect([none.status, none.json.error.code]).toEqual([404, "DISPUTE_UNKNOWN"]);
  });
});

describe("sessions and tokens", () => {
  it("signs in with a cookie that is HttpOnly and SameSite=Lax, and out again", async () => {
    const r = await server.call("POST", "/api/v1/session", {
      body: { email: PEOPLE.wgaMember.email.toUpperCase(), password: PASSWORD },
    });
    expect(r.status).toBe(200);
    const cookie = r.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^parley_session=pss_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const headers = { cookie: cookie.split(";")[0]!, "x-csrf-token": r.json.csrf };
    expect((await server.call("GET", "/api/v1/me", { headers })).json).toMatchObject({
      email: PEOPLE.wgaMember.email,
      memberships: [{ org: "wga-west", role: "member" }],
    });
    expect((await server.call("DELETE", "/api/v1/session", { headers })).status).toBe(204);
    const after = await server.call("GET", "/api/v1/me", { headers });
    expect([after.status, after.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
  });

  it("refuses a wrong password with one code whether or not the email exists", async () => {
    const wrong = await server.call("POST", "/api/v1/session", {
      body: { email: PEOPLE.wgaMember.email, password: "not the password" },
    });
    const nobody = await server.call("POST", "/api/v1/session", {
      body: { email: "nobody@example.org", password: "not the password" },
    });
    expect([wrong.status, wrong.json.error.code]).toEqual([401, "AUTH_FAILED"]);
    expect([nobody.status, nobody.json.error.code]).toEqual([401, "AUTH_FAILED"]);
  });

  it("locks an account after five wrong passwords, even for the right one", async () => {
    const wrong = { email: PEOPLE.reporter.email, password: "guess guess guess" };
    const codes: string[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await server.call("POST", "/api/v1/session", { body: wrong })).json.error.code);
    expect(codes).toEqual(["AUTH_FAILED", "AUTH_FAILED", "AUTH_FAILED", "AUTH_FAILED", "ACCOUNT_LOCKED"]);
    const right = await server.call("POST", "/api/v1/session", {
      body: { email: PEOPLE.reporter.email, password: PASSWORD },
    });
    expect([right.status, right.json.error.code]).toEqual([429, "ACCOUNT_LOCKED"]);
    await parley.db
      .updateTable("accounts")
      .set({ locked_until: null })
      .where("email", "=", PEOPLE.reporter.email)
      .execute();
  });

  it("limits sign-in attempts per address", async () => {
    const limited = await startServer((await smallDispute()).app, { loginsPerMinute: 2 });
    try {
      const body = { email: "nobody@example.org", password: "whatever it is" };
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await limited.call("POST", "/api/v1/session", { body })).status);
      expect(statuses).toEqual([401, 401, 429]);
      const last = await limited.call("POST", "/api/v1/session", { body });
      expect(last.json.error.code).toBe("RATE_LIMITED");
    } finally {
      await limited.app.close();
      await limited.app.parley.close();
    }
  });

  it("refuses a cookie-authenticated write without the CSRF token", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const r = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
      body: statement("no csrf"),
      headers: { cookie: auth.cookie },
    });
    expect([r.status, r.json.error.code]).toEqual([403, "CSRF_FAILED"]);
  });

  it("creates an API token shown once, works with it, and stops working once revoked", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const created = await server.call("POST", "/api/v1/tokens", { body: { name: "script" }, headers: auth });
    expect(created.status).toBe(201);
    const bearer = { authorization: `Bearer ${created.json.token}` };
    const listed = await server.call("GET", "/api/v1/tokens", { headers: bearer });
    expect(listed.json.tokens.find((t: { id: string }) => t.id === created.json.id)).toMatchObject({
      name: "script",
    });
    expect(JSON.stringify(listed.json)).not.toContain(created.json.token);
    const write = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
      body: statement("Written by a script"),
      headers: bearer,
    });
    expect(write.status).toBe(201);
    expect(write.json).toMatchObject({ type: "statement.made", visibility: "public" });
    expect(
      (await server.call("DELETE", `/api/v1/tokens/${created.json.id}`, { headers: bearer })).status,
    ).toBe(204);
    const after = await server.call("GET", "/api/v1/me", { headers: bearer });
    expect([after.status, after.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
  });
});

describe("changing the password", () => {
  const NEXT = "a different long passphrase";
  const signInAs = async (email: string, password: string) => {
    const r = await server.call("POST", "/api/v1/session", { body: { email, password } });
    expect(r.status).toBe(200);
    return { cookie: r.headers.get("set-cookie")!.split(";")[0]!, "x-csrf-token": r.json.csrf as string };
  };
  const newAccount = async (email: string) =>
    server.accounts.add({ email, name: email, password: PASSWORD, org: "wga-west", role: "member" });

  it("changes it, keeps this session and the API tokens, and signs every other session out", async () => {
    const email = "changer@wga.example";
    await newAccount(email);
    const here = await signInAs(email, PASSWORD);
    const elsewhere = await signInAs(email, PASSWORD);
    const token = await server.call("POST", "/api/v1/tokens", { body: { name: "script" }, headers: here });
    const bearer = { authorization: `Bearer ${token.json.token}` };

    const r = await server.call("POST", "/api/v1/me/password", {
      body: { current: PASSWORD, next: NEXT },
      headers: here,
    });
    expect(r.status).toBe(204);
    expect((await server.call("GET", "/api/v1/me", { headers: here })).status).toBe(200);
    expect((await server.call("GET", "/api/v1/me", { headers: bearer })).status).toBe(200);
    const other = await server.call("GET", "/api/v1/me", { headers: elsewhere });
    expect([other.status, other.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
    const old = await server.call("POST", "/api/v1/session", { body: { email, password: PASSWORD } });
    expect([old.status, old.json.error.code]).toEqual([401, "AUTH_FAILED"]);
    expect((await server.call("POST", "/api/v1/session", { body: { email, password: NEXT } })).status).toBe(
      200,
    );
  });

  it("refuses a weak new password, a write without the CSRF token and the anonymous, changing nothing", async () => {
    const email = "keeper@wga.example";
    await newAccount(email);
    const auth = await signInAs(email, PASSWORD);
    const weak = await server.call("POST", "/api/v1/me/password", {
      body: { current: PASSWORD, next: "short" },
      headers: auth,
    });
    expect([weak.status, weak.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(weak.json.error.message).toMatch(/^body\.next/);
    const extra = await server.call("POST", "/api/v1/me/password", {
      body: { current: PASSWORD, next: NEXT, email: "someone@else.example" },
      headers: auth,
    });
    expect([extra.status, extra.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    const noCsrf = await server.call("POST", "/api/v1/me/password", {
      body: { current: PASSWORD, next: NEXT },
      headers: { cookie: auth.cookie },
    });
    expect([noCsrf.status, noCsrf.json.error.code]).toEqual([403, "CSRF_FAILED"]);
    const anon = await server.call("POST", "/api/v1/me/password", {
      body: { current: PASSWORD, next: NEXT },
    });
    expect([anon.status, anon.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
    // Still the old password, and the session that asked is still signed in.
    await signInAs(email, PASSWORD);
    expect((await server.call("GET", "/api/v1/me", { headers: auth })).status).toBe(200);
  });

  it("counts a wrong current password toward the lockout, as a failed sign-in", async () => {
    const email = "guesser@wga.example";
    await newAccount(email);
    const auth = await signInAs(email, PASSWORD);
    const wrong = { current: "not the password at all", next: NEXT };
    const codes: string[] = [];
    for (let i = 0; i < 4; i++)
      codes.push(
        (await server.call("POST", "/api/v1/me/password", { body: wrong, headers: auth })).json.error.code,
      );
    expect(codes).toEqual(["PASSWORD_WRONG", "PASSWORD_WRONG", "PASSWORD_WRONG", "PASSWORD_WRONG"]);
    // The fifth failure, at the sign-in form, locks the account: one count for both.
    const login = await server.call("POST", "/api/v1/session", { body: { email, password: "still not it" } });
    expect([login.status, login.json.error.code]).toEqual([429, "ACCOUNT_LOCKED"]);
    // Locked, even the right password changes nothing: no way around the lockout here.
    const right = await server.call("POST", "/api/v1/me/password", {
      body: { current: PASSWORD, next: NEXT },
      headers: auth,
    });
    expect([right.status, right.json.error.code]).toEqual([429, "ACCOUNT_LOCKED"]);
    await parley.db.updateTable("accounts").set({ locked_until: null }).where("email", "=", email).execute();
    await signInAs(email, PASSWORD);
  });

  it("locks the account even when the guesses arrive all at once", async () => {
    const email = "burst@wga.example";
    await newAccount(email);
    const auth = await signInAs(email, PASSWORD);
    const wrong = { current: "not the password at all", next: NEXT };
    const codes = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const r = await server.call("POST", "/api/v1/me/password", { body: wrong, headers: auth });
        return r.json.error.code as string;
      }),
    );
    expect(codes).toContain("ACCOUNT_LOCKED");
    const login = await server.call("POST", "/api/v1/session", { body: { email, password: PASSWORD } });
    expect([login.status, login.json.error.code]).toEqual([429, "ACCOUNT_LOCKED"]);
  });
});

describe("reads and writes through the visibility rule", () => {
  const statusText = async (headers?: Record<string, string>) =>
    (await server.call("GET", `/api/v1/disputes/${SLUG}`, headers ? { headers } : {})).text;

  it("gives the public the status without any private, members-only or table text", async () => {
    const r = await server.call("GET", `/api/v1/disputes/${SLUG}?asOf=2023-09-14`);
    expect(r.status).toBe(200);
    expect(r.json.stoppages[0]).toMatchObject({ start: expect.any(String) });
    for (const marker of Object.values(MARKERS)) expect(r.text).not.toContain(marker);
  });

  it("shows each side's negotiators the table, and only their own side's private entries", async () => {
    const wga = await statusText(await server.signIn("wgaNegotiator"));
    const amptp = await statusText(await server.signIn("amptpNegotiator"));
    const member = await statusText(await server.signIn("wgaMember"));
    const press = await statusText(await server.signIn("reporter"));
    expect(wga).not.toContain(MARKERS.amptpPrivate);
    expect(amptp).not.toContain(MARKERS.wgaPrivate);
    expect(amptp).not.toContain(MARKERS.wgaMembers);
    for (const text of [member, press]) {
      expect(text).not.toContain(MARKERS.wgaPrivate);
      expect(text).not.toContain(MARKERS.amptpPrivate);
      expect(text).not.toContain(MARKERS.table);
    }
    expect(press).not.toContain(MARKERS.wgaMembers);
  });

  it("lets a negotiator record an entry as their organization, signed and verifiable", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const r = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
      body: statement("Recorded over HTTP"),
      headers: auth,
    });
    expect(r.status).toBe(201);
    const row = await parley.db
      .selectFrom("ledger_entries")
      .select(["org_id", "body"])
      .where("seq", "=", r.json.seq)
      .executeTakeFirstOrThrow();
    expect(row.org_id).toBe("wga-west");
    expect(JSON.parse(row.body).actor.user).toMatch(/^acct_/);
    expect((await verifyStore(parley)).ok).toBe(true);
  });

  it("records an entry without occurredAt as happening when the server records it", async () => {
    const { occurredAt: _, ...now } = statement("Said just now");
    const r = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
      body: now,
      headers: await server.signIn("wgaNegotiator"),
    });
    expect(r.status).toBe(201);
    expect(r.json.occurredAt).toBe(parley.now());
    const row = await parley.db
      .selectFrom("ledger_entries")
      .select(["occurred_at", "recorded_at"])
      .where("seq", "=", r.json.seq)
      .executeTakeFirstOrThrow();
    expect(row.occurred_at).toBe(row.recorded_at);
  });

  it("refuses writes from the anonymous public and from a member without the negotiator role", async () => {
    const anon = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, { body: statement("anon") });
    expect([anon.status, anon.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
    const member = await server.call("POST", `/api/v1/disputes/${SLUG}/entries`, {
      body: statement("member"),
      headers: await server.signIn("wgaMember"),
    });
    expect([member.status, member.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
  });

  it("serves the checkpoint and proofs that verify against it", async () => {
    const cp = await server.call("GET", `/api/v1/disputes/${SLUG}/checkpoint`);
    expect(cp.status).toBe(200);
    expect(cp.json.note).toContain(`\n${cp.json.size}\n${cp.json.root}\n`);
    const inc = await server.call(
      "GET",
      `/api/v1/disputes/${SLUG}/proofs/inclusion?seq=1&size=${cp.json.size}`,
    );
    expect(inc.status).toBe(200);
    expect(inc.json.proof.length).toBeGreaterThan(0);
    const bad = await server.call("GET", `/api/v1/disputes/${SLUG}/proofs/inclusion?seq=-1`);
    expect([bad.status, bad.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
  });
});

describe("OpenAPI", () => {
  it("documents every API route, generated from the route schemas", async () => {
    const doc = await server.call("GET", "/api/v1/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe("3.1.0");
    const paths = Object.keys(doc.json.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/v1/session",
        "/api/v1/disputes/{slug}",
        "/api/v1/disputes/{slug}/entries",
      ]),
    );
    const docs = await fetch(`${server.base}/api/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger");
  });

  it("documents the body of each entry type, payload included, told apart by `type`", async () => {
    const doc = await server.call("GET", "/api/v1/openapi.json");
    const body =
      doc.json.paths["/api/v1/disputes/{slug}/entries"].post.requestBody.content["application/json"].schema;
    expect(body.discriminator).toEqual({ propertyName: "type" });
    // biome-ignore lint/suspicious/noExplicitAny: a JSON Schema read as it comes
    type Schema = Record<string, any>;
    const branches: Schema[] = body.oneOf;
    expect(branches.map((b) => b.title)).toEqual(ENTRY_TYPES);
    for (const b of branches) {
      // @fastify/swagger writes a const as a one-value enum.
      expect(b.properties.type.enum ?? [b.properties.type.const]).toEqual([b.title]);
      expect(b.properties.visibility.enum).toEqual(["private", "members", "table", "public"]);
      expect(b.properties.occurredAt).toMatchObject({
        type: "string",
        format: "date-time",
        // The reference's sample: a real instant, not one made up from the pattern.
        examples: ["2023-05-02T07:01:00Z"],
      });
      expect(b.required).toEqual(["type", "visibility", "payload"]); // occurredAt and as optional
      expect(b.additionalProperties).toBe(false);
      expect({ type: b.title, description: b.description }).toEqual({
        type: b.title,
        description: expect.stringMatching(/^[A-Z].{10,}[.…]$/),
      });
      expect(b.properties.payload).toMatchObject({ type: "object", additionalProperties: false });
    }
    const payload = (type: string): Schema => branches.find((b) => b.title === type)!.properties.payload;

    const issue = payload("pass.made").properties.issues.items;
    expect(issue.properties.language).toMatchObject({ type: "string", maxLength: 50_000 });
    expect(issue.required).toEqual(["issue", "language"]); // terms has a default
    expect(issue.properties.terms.default).toEqual([]);
    expect(issue.properties.terms.items.properties.value.pattern).toBe("^-?(0|[1-9]\\d*)(\\.\\d+)?$");

    const meeting = payload("meeting.scheduled");
    expect(meeting.required).toEqual(["meeting", "kind", "start", "end"]);
    for (const at of ["start", "end"])
      expect(meeting.properties[at]).toMatchObject({ type: "string", format: "date-time", pattern: /Z\$$/ });
    // What the refinements check, JSON Schema cannot say: the schemas say it in words.
    expect(meeting.properties.start.description).toMatch(/real one in the years 1900–2199/);
    expect(meeting.properties.timeZone.description).toMatch(/IANA time zone/);
    expect(meeting.properties.place.description).toMatch(/one non-empty line/);
    expect(meeting.properties.link).toMatchObject({ format: "uri", description: "an http(s) link" });
    expect(payload("dispute.opened").properties.agreement.properties.expiresAt.anyOf).toEqual([
      expect.objectContaining({ format: "date-time" }),
      { type: "null" },
    ]);
  });
});

describe("whose move and response times", () => {
  it("lists the moves each side owes, as the caller may see them, as of a date", async () => {
    // As of Apr 12 the AMPTP's table counter of Apr 11 has handed the move on wages to the WGA.
    const wga = await server.call("GET", `/api/v1/disputes/${SLUG}/moves?asOf=2023-04-12`, {
      headers: await server.signIn("wgaNegotiator"),
    });
    expect(wga.status).toBe(200);
    expect(wga.json.moves).toEqual(
      expect.arrayContaining([expect.objectContaining({ subject: "issue", id: "wages", awaiting: "WGA" })]),
    );
    // The passes were at the table: the public does not know whose move it is on wages.
    const pub = await server.call("GET", `/api/v1/disputes/${SLUG}/moves?asOf=2023-04-12`);
    expect(pub.json.moves.some((m: { id: string }) => m.id === "wages")).toBe(false);
  });

  it("gives response times per side, and 400 for an unknown parameter", async () => {
    const r = await server.call("GET", `/api/v1/disputes/${SLUG}/response-times`, {
      headers: await server.signIn("amptpNegotiator"),
    });
    expect(r.status).toBe(200);
    expect(r.json.responseTimes.map((t: { side: string }) => t.side)).toContain("AMPTP");
    const bad = await server.call("GET", `/api/v1/disputes/${SLUG}/response-times?since=yesterday`);
    expect([bad.status, bad.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
  });
});

describe("the viewer's export", () => {
  it("is the JSON Lines file of `parley export` for the caller, and verifies offline", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-http-export-"));
    const pub = await server.call("GET", `/api/v1/disputes/${SLUG}/export`);
    expect(pub.status).toBe(200);
    expect(pub.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    for (const marker of Object.values(MARKERS)) expect(pub.text).not.toContain(marker);
    const wga = await server.call("GET", `/api/v1/disputes/${SLUG}/export`, {
      headers: await server.signIn("wgaNegotiator"),
    });
    expect(wga.text).toContain(MARKERS.wgaPrivate);
    expect(wga.text).not.toContain(MARKERS.amptpPrivate);
    for (const [name, text] of [
      ["public", pub.text],
      ["wga", wga.text],
    ] as const) {
      const file = join(dir, `${name}.jsonl`);
      writeFileSync(file, text);
      const report = await verifyExport(fileLines(file));
      expect({ name, ok: report.ok }).toEqual({ name, ok: true });
    }
    const none = await server.call("GET", "/api/v1/disputes/no-such-dispute/export");
    expect([none.status, none.json.error.code]).toEqual([404, "DISPUTE_UNKNOWN"]);
  });
});

describe("the NUL character", () => {
  it("is refused in any field with a 400 naming it, on both stores alike, and nothing is written", async () => {
    const headers = await server.signIn("wgaNegotiator");
    const before = (await parley.latestCheckpoint("test-2023"))!.size;
    const res = await server.call("POST", "/api/v1/disputes/test-2023/entries", {
      headers,
      body: statement("before\u0000after"),
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({
      code: "VALIDATION_FAILED",
      message: "body.payload.text: may not contain the NUL character (U+0000)",
    });
    expect((await parley.latestCheckpoint("test-2023"))!.size).toBe(before);
    const inPath = await server.call("GET", "/api/v1/disputes/test%002023");
    expect([inPath.status, inPath.json.error.message]).toEqual([
      400,
      expect.stringMatching(/^params\.slug:/),
    ]);
  });
});
