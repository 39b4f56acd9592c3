import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO, DEMO_PASSWORD, type DemoPerson, demoServer } from "../support/web.ts";

type Server = Awaited<ReturnType<typeof demoServer>>;
let s: Server;

const STRONG = "correct horse battery staple";
const ADMIN = { email: "admin@wga.demo", name: "WGA West admin" };
const AMPTP_ADMIN = { email: "admin@amptp.demo", name: "AMPTP admin" };
const OPERATOR = { email: "operator@parley.demo", name: "Server operator" };

/** The text of an element with this id, tags stripped. */
function textOf(html: string, id: string): string | null {
  const m = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m ? m[2]!.replace(/<[^>]+>/g, "").trim() : null;
}

/** The opening tag of the control with this id. */
function tagOf(html: string, id: string): string {
  const m = new RegExp(`<(input|select|textarea)[^>]*\\bid="${id}"[^>]*>`).exec(html);
  if (!m) throw new Error(`no control #${id}`);
  return m[0];
}

/** A control reported invalid, pointing at its error message, whose text is returned. */
function fieldError(html: string, id: string): string | null {
  const tag = tagOf(html, id);
  if (!tag.includes('aria-invalid="true"')) return null;
  const described = /aria-describedby="([^"]+)"/.exec(tag)?.[1]?.split(" ") ?? [];
  expect(described).toContain(`${id}-error`);
  return textOf(html, `${id}-error`);
}

/** The stable code an error page or form summary names. */
function codeOf(html: string): string | null {
  return /<code>([A-Z_]+)<\/code>/.exec(html)?.[1] ?? null;
}

/**
 * A session for this account. The sign-in form allows 10 attempts a minute per address (its
 * own limit, whatever the server's), more than this file needs: sessions come from the same
 * service the form uses, and the form itself is used once (in the password tests).
 */
async function sessionOf(email: string, password: string): Promise<string> {
  const { token } = await s.accounts.login(email, password);
  return `parley_session=${token}`;
}

const sessions = new Map<DemoPerson, string>();
async function as(who: DemoPerson): Promise<string> {
  if (!sessions.has(who)) sessions.set(who, await sessionOf(DEMO[who], DEMO_PASSWORD));
  return sessions.get(who)!;
}

async function signsIn(email: string, password: string): Promise<boolean> {
  try {
    await s.accounts.login(email, password);
    return true;
  } catch {
    return false;
  }
}

/** Posts a form from the page at `from`, with that page's CSRF token. */
async function submit(from: string, action: string, fields: Record<string, string>, cookie: string) {
  const page = await s.page(from, cookie);
  expect(page.status).toBe(200);
  return s.post(action, { ...fields, _csrf: s.csrfOf(page.html) }, cookie);
}

async function api(path: string, token: string) {
  return fetch(s.base + path, { headers: { authorization: `Bearer ${token}` } });
}

async function memberId(org: string, email: string): Promise<string> {
  const m = (await s.accounts.members(org)).find((x) => x.email === email);
  if (!m) throw new Error(`${email} is not in ${org}`);
  return m.id;
}

async function roleIn(org: string, email: string): Promise<string | undefined> {
  return (await s.accounts.members(org)).find((x) => x.email === email)?.role;
}

let admin: string; // the only admin of wga-west
let amptpAdmin: string;
let operator: string;

beforeAll(async () => {
  s = await demoServer();
  await s.accounts.add({ ...ADMIN, password: STRONG, org: "wga-west", role: "admin" });
  await s.accounts.add({ ...AMPTP_ADMIN, password: STRONG, org: "amptp", role: "admin" });
  await s.accounts.add({ ...OPERATOR, password: STRONG, operator: true });
  admin = await sessionOf(ADMIN.email, STRONG);
  amptpAdmin = await sessionOf(AMPTP_ADMIN.email, STRONG);
  operator = await sessionOf(OPERATOR.email, STRONG);
});

afterAll(async () => {
  await s?.app.close();
  await s?.parley.close();
});

describe("GET /account", () => {
  it("shows the account, its memberships and the disputes it takes part in", async () => {
    const cookie = await as("wgaNegotiator");
    const { status, html } = await s.page("/account", cookie);
    expect(status).toBe(200);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain("WGA West negotiator");
    expect(html).toContain(DEMO.wgaNegotiator);
    expect(html).toContain("Writers Guild of America West");
    expect(html).toMatch(/<td>Negotiator /);
    expect(html).toContain('href="/d/wga-2023"');
    expect(html).not.toContain('href="/d/sag-aftra-2023"'); // WGA West sits at no side of it
    // Not an admin: no members page to manage.
    expect(html).not.toContain("/orgs/wga-west/members");
  });

  it("links an admin to the members page of the organization they administer", async () => {
    const { html } = await s.page("/account", admin);
    expect(html).toContain('href="/orgs/wga-west/members"');
    expect(html).toMatch(/<td>Admin /);
  });

  it("lists no dispute for an organization at no table", async () => {
    const { html } = await s.page("/account", await as("reporter"));
    expect(html).toContain("Parley Demo Newsroom");
    expect(html).not.toMatch(/href="\/d\//);
    expect(html).toContain("None of your organizations sits at a dispute");
  });

  it("sends the anonymous to sign in first", async () => {
    const { status, headers } = await s.page("/account");
    expect(status).toBe(303);
    expect(headers.get("location")).toBe("/signin?next=%2Faccount");
  });

  it("never echoes an unknown notice key", async () => {
    const cookie = await as("wgaMember");
    const { status, html } = await s.page("/account?done=%3Cscript%3Ealert(1)%3C%2Fscript%3E", cookie);
    expect(status).toBe(200);
    expect(html).not.toContain("alert(1)");
    expect(html).not.toContain('class="success"');
  });
});

describe("personal tokens", () => {
  it("shows a new token's secret once, on the POST's own response, and never again", async () => {
    const cookie = await as("wgaMember");
    const res = await submit("/account", "/account/tokens", { name: "my script", scope: "api" }, cookie);
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("cache-control")).toContain("no-store");
    const secret = /<textarea[^>]*id="token-secret"[^>]*>(pat_[A-Za-z0-9_-]+)<\/textarea>/.exec(
      res.html,
    )?.[1];
    expect(secret).toBeDefined();
    expect(res.html).toContain("Copy it now.");
    // The secret works as the API token it is.
    const me = await api("/api/v1/me", secret!);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { email: string }).email).toBe(DEMO.wgaMember);
    // The account page lists it by name, with its scope and last use, never its secret.
    const later = await s.page("/account", cookie);
    expect(later.html).toContain("my script");
    expect(later.html).not.toContain(secret!);
    expect(later.html).not.toContain(secret!.slice(4, 24));
    expect(later.html).toMatch(
      /<th scope="row">my script<\/th><td>API<\/td><td[^>]*>[^<]+UTC<\/td><td[^>]*>[^<]+UTC<\/td>/,
    );
  });

  it("gives a calendar key with the calendar addresses of the account's disputes", async () => {
    const cookie = await as("amptpMember");
    const res = await submit("/account", "/account/tokens", { name: "phone", scope: "calendar" }, cookie);
    expect(res.status).toBe(201);
    const secret = /<textarea[^>]*id="token-secret"[^>]*>(cal_[A-Za-z0-9_-]+)<\/textarea>/.exec(
      res.html,
    )?.[1];
    expect(secret).toBeDefined();
    expect(res.html).toContain(`/api/v1/disputes/wga-2023/calendar.ics?key=${secret}`);
    const feed = await fetch(`${s.base}/api/v1/disputes/wga-2023/calendar.ics?key=${secret}`);
    expect(feed.status).toBe(200);
    expect((await api("/api/v1/me", secret!)).status).toBe(401); // a calendar key opens no API
    expect((await s.page("/account", cookie)).html).not.toContain(secret!);
  });

  it("refuses a nameless token next to its field, creating nothing", async () => {
    const cookie = await as("amptpNegotiator");
    const before = await s.accounts.tokens(await memberId("amptp", DEMO.amptpNegotiator));
    const res = await submit("/account", "/account/tokens", { name: "   ", scope: "api" }, cookie);
    expect(res.status).toBe(400);
    expect(codeOf(res.html)).toBe("VALIDATION_FAILED");
    expect(fieldError(res.html, "token-name")).toContain("Give the token a name");
    expect(fieldError(res.html, "token-scope")).toBeNull();
    expect(res.html).not.toContain("pat_");
    const after = await s.accounts.tokens(await memberId("amptp", DEMO.amptpNegotiator));
    expect(after).toHaveLength(before.length);
  });

  it("refuses an unknown scope", async () => {
    const cookie = await as("amptpNegotiator");
    const res = await submit("/account", "/account/tokens", { name: "x", scope: "root" }, cookie);
    expect(res.status).toBe(400);
    expect(fieldError(res.html, "token-scope")).toContain("Choose API or calendar");
  });

  it("refuses a token form without the session's CSRF token, and the anonymous", async () => {
    const cookie = await as("amptpNegotiator");
    const id = await memberId("amptp", DEMO.amptpNegotiator);
    const before = (await s.accounts.tokens(id)).length;
    const forged = await s.post("/account/tokens", { name: "forged", scope: "api", _csrf: "nope" }, cookie);
    expect(forged.status).toBe(403);
    expect(codeOf(forged.html)).toBe("CSRF_FAILED");
    const missing = await s.post("/account/tokens", { name: "forged", scope: "api" }, cookie);
    expect(missing.status).toBe(403);
    const anonymous = await s.post("/account/tokens", { name: "anon", scope: "api" });
    expect(anonymous.status).toBe(401);
    expect(codeOf(anonymous.html)).toBe("AUTH_REQUIRED");
    expect(await s.accounts.tokens(id)).toHaveLength(before);
  });

  it("revokes a token (303 back to the account), which then opens nothing", async () => {
    const cookie = await as("wgaNegotiator");
    const id = await memberId("wga-west", DEMO.wgaNegotiator);
    const t = await s.accounts.createToken(id, "to revoke");
    expect((await api("/api/v1/me", t.token)).status).toBe(200);
    const res = await submit("/account", `/account/tokens/${t.id}/revoke`, {}, cookie);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account?done=revoked");
    expect((await api("/api/v1/me", t.token)).status).toBe(401);
    const page = await s.page("/account?done=revoked", cookie);
    expect(page.html).toContain("The token was revoked");
    expect(page.html).toMatch(/<th scope="row">to revoke<\/th>[\s\S]*?Revoked [^<]+UTC/);
  });

  it("cannot revoke someone else's token, nor without the CSRF token", async () => {
    const cookie = await as("wgaNegotiator");
    const other = await s.accounts.createToken(await memberId("amptp", DEMO.amptpNegotiator), "theirs");
    const res = await submit("/account", `/account/tokens/${other.id}/revoke`, {}, cookie);
    expect(res.status).toBe(404);
    expect(codeOf(res.html)).toBe("TOKEN_UNKNOWN");
    const mine = await s.accounts.createToken(await memberId("wga-west", DEMO.wgaNegotiator), "mine");
    const forged = await s.post(`/account/tokens/${mine.id}/revoke`, { _csrf: "nope" }, cookie);
    expect(forged.status).toBe(403);
    expect(codeOf(forged.html)).toBe("CSRF_FAILED");
    const anonymous = await s.post(`/account/tokens/${mine.id}/revoke`, {});
    expect(anonymous.status).toBe(401);
    expect((await api("/api/v1/me", other.token)).status).toBe(200);
    expect((await api("/api/v1/me", mine.token)).status).toBe(200);
  });
});

describe("POST /account/password", () => {
  const PW = { email: "pw@wga.demo", name: "Password changer" };
  const NEXT = "a much better passphrase";
  let cookie: string;

  beforeAll(async () => {
    await s.accounts.add({ ...PW, password: STRONG, org: "wga-west", role: "member" });
    // Through the sign-in form, as a browser would.
    const res = await s.post("/signin", { email: PW.email, password: STRONG, next: "/account" });
    expect(res.status).toBe(303);
    cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  });

  it("says next to the field that the current password is wrong", async () => {
    const res = await submit(
      "/account",
      "/account/password",
      { current: "not my password", next: NEXT, confirm: NEXT },
      cookie,
    );
    expect(res.status).toBe(403);
    expect(codeOf(res.html)).toBe("PASSWORD_WRONG");
    expect(fieldError(res.html, "password-current")).toBe("This is not your current password.");
    expect(fieldError(res.html, "password-next")).toBeNull();
    expect(res.html).not.toContain(NEXT); // passwords are never sent back
  });

  it("refuses a weak new password with the password rule's message", async () => {
    const res = await submit(
      "/account",
      "/account/password",
      { current: STRONG, next: "short", confirm: "short" },
      cookie,
    );
    expect(res.status).toBe(400);
    expect(codeOf(res.html)).toBe("VALIDATION_FAILED");
    expect(fieldError(res.html, "password-next")).toContain("at least 12 characters");
    expect(fieldError(res.html, "password-confirm")).toBeNull();
  });

  it("refuses a confirmation that differs", async () => {
    const res = await submit(
      "/account",
      "/account/password",
      { current: STRONG, next: NEXT, confirm: `${NEXT}!` },
      cookie,
    );
    expect(res.status).toBe(400);
    expect(fieldError(res.html, "password-confirm")).toContain("differs from the new password");
    expect(fieldError(res.html, "password-next")).toBeNull();
    // Nothing changed: the old password still signs in.
    expect(await signsIn(PW.email, STRONG)).toBe(true);
  });

  it("refuses a change without the CSRF token, changing nothing", async () => {
    const res = await s.post("/account/password", { current: STRONG, next: NEXT, confirm: NEXT }, cookie);
    expect(res.status).toBe(403);
    expect(codeOf(res.html)).toBe("CSRF_FAILED");
    expect(await signsIn(PW.email, STRONG)).toBe(true);
  });

  it("changes it, keeps this session, signs out the others and says so", async () => {
    const other = await sessionOf(PW.email, STRONG);
    expect((await s.page("/account", other)).status).toBe(200);
    const res = await submit(
      "/account",
      "/account/password",
      { current: STRONG, next: NEXT, confirm: NEXT },
      cookie,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account?done=password");
    const page = await s.page("/account?done=password", cookie);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Your password was changed");
    expect((await s.page("/account", other)).status).toBe(303); // signed out
    expect(await signsIn(PW.email, STRONG)).toBe(false);
    expect(await signsIn(PW.email, NEXT)).toBe(true);
  });
});

describe("GET /orgs/:org/members", () => {
  it("shows the organization's members and their tokens to its admin", async () => {
    const memberAcct = await memberId("wga-west", DEMO.wgaMember);
    const t = await s.accounts.createToken(memberAcct, "member script");
    const { status, html } = await s.page("/orgs/wga-west/members", admin);
    expect(status).toBe(200);
    expect(html).toContain("Members of Writers Guild of America West");
    for (const email of [DEMO.wgaNegotiator, DEMO.wgaMember, ADMIN.email]) expect(html).toContain(email);
    expect(html).not.toContain(DEMO.amptpNegotiator);
    expect(html).toContain('WGA West admin<span class="muted"> (you)</span>');
    expect(html).toContain("Members' tokens");
    expect(html).toContain("member script");
    expect(html).toContain(`/orgs/wga-west/members/${memberAcct}/tokens/${t.id}/revoke`);
    expect(html).not.toContain(t.token);
    // Every POST form carries the CSRF token.
    const forms = html.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
    expect(forms.length).toBeGreaterThan(3);
    for (const f of forms) expect(f).toContain('name="_csrf"');
  });

  it("shows members, but not their tokens, to a server operator", async () => {
    const { status, html } = await s.page("/orgs/wga-west/members", operator);
    expect(status).toBe(200);
    expect(html).toContain(DEMO.wgaMember);
    expect(html).not.toContain("/tokens/");
    expect(html).toContain("shown to the organization's own admins only");
  });

  it("refuses a non-admin, an admin of another organization, and sends the anonymous to sign in", async () => {
    const negotiator = await s.page("/orgs/wga-west/members", await as("wgaNegotiator"));
    expect(negotiator.status).toBe(403);
    expect(codeOf(negotiator.html)).toBe("ROLE_REQUIRED");
    expect(negotiator.html).not.toContain(DEMO.wgaMember);
    const other = await s.page("/orgs/wga-west/members", amptpAdmin);
    expect(other.status).toBe(403);
    expect(codeOf(other.html)).toBe("ROLE_REQUIRED");
    const anonymous = await s.page("/orgs/wga-west/members");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/signin?next=%2Forgs%2Fwga-west%2Fmembers");
  });

  it("answers an unknown organization with ORG_UNKNOWN", async () => {
    const res = await s.page("/orgs/no-such-org/members", admin);
    expect(res.status).toBe(404);
    expect(codeOf(res.html)).toBe("ORG_UNKNOWN");
    const malformed = await s.page("/orgs/NOT_AN_ID/members", operator);
    expect(malformed.status).toBe(404);
    expect(codeOf(malformed.html)).toBe("ORG_UNKNOWN");
  });
});

describe("POST /orgs/:org/members", () => {
  const page = "/orgs/wga-west/members";

  it("adds a new account, which can then sign in", async () => {
    const res = await submit(
      page,
      page,
      { email: "new@wga.demo", name: "New writer", role: "member", password: STRONG },
      admin,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/orgs/wga-west/members?done=created");
    expect(await roleIn("wga-west", "new@wga.demo")).toBe("member");
    expect(await signsIn("new@wga.demo", STRONG)).toBe(true);
    const after = await s.page("/orgs/wga-west/members?done=created", admin);
    expect(after.html).toContain("The new account was created and added.");
    expect(after.html).toContain("New writer");
  });

  it("adds an existing account by its email alone", async () => {
    const res = await submit(
      page,
      page,
      { email: DEMO.reporter, name: "", role: "member", password: "" },
      admin,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/orgs/wga-west/members?done=added");
    expect(await roleIn("wga-west", DEMO.reporter)).toBe("member");
    expect(await roleIn("parley-news", DEMO.reporter)).toBe("negotiator");
  });

  it("says next to each field what a new account lacks, adding no one", async () => {
    const res = await submit(
      page,
      page,
      { email: "nobody@wga.demo", name: "", role: "member", password: "" },
      admin,
    );
    expect(res.status).toBe(400);
    expect(codeOf(res.html)).toBe("VALIDATION_FAILED");
    expect(fieldError(res.html, "add-name")).toContain("needs the person's name");
    expect(fieldError(res.html, "add-password")).toContain("needs a first password");
    expect(fieldError(res.html, "add-email")).toBeNull();
    expect(tagOf(res.html, "add-email")).toContain('value="nobody@wga.demo"'); // kept for the retry
    expect(await roleIn("wga-west", "nobody@wga.demo")).toBeUndefined();
  });

  it("refuses a weak first password and a malformed email", async () => {
    const res = await submit(
      page,
      page,
      { email: "not an email", name: "Someone", role: "member", password: "short" },
      admin,
    );
    expect(res.status).toBe(400);
    expect(fieldError(res.html, "add-email")).toContain("email address");
    expect(fieldError(res.html, "add-password")).toContain("at least 12 characters");
    expect(res.html).not.toContain('value="short"');
  });

  it("refuses someone who is a member already", async () => {
    const res = await submit(
      page,
      page,
      { email: DEMO.wgaMember, name: "", role: "admin", password: "" },
      admin,
    );
    expect(res.status).toBe(409);
    expect(codeOf(res.html)).toBe("ACCOUNT_EXISTS");
    expect(fieldError(res.html, "add-email")).toContain("already a member");
    expect(await roleIn("wga-west", DEMO.wgaMember)).toBe("member");
  });

  it("refuses a non-admin, an admin of another organization and a forged form", async () => {
    const fields = { email: "intruder@wga.demo", name: "Intruder", role: "admin", password: STRONG };
    const negotiator = await as("wgaNegotiator");
    const asNegotiator = await submit("/account", page, fields, negotiator);
    expect(asNegotiator.status).toBe(403);
    expect(codeOf(asNegotiator.html)).toBe("ROLE_REQUIRED");
    const asOther = await submit("/account", page, fields, amptpAdmin);
    expect(asOther.status).toBe(403);
    const forged = await s.post(page, { ...fields, _csrf: "nope" }, admin);
    expect(forged.status).toBe(403);
    expect(codeOf(forged.html)).toBe("CSRF_FAILED");
    const anonymous = await s.post(page, fields);
    expect(anonymous.status).toBe(401);
    expect(await roleIn("wga-west", "intruder@wga.demo")).toBeUndefined();
  });
});

describe("POST /orgs/:org/members/:id/role", () => {
  it("changes a member's role", async () => {
    const id = await memberId("wga-west", "new@wga.demo");
    const res = await submit(
      "/orgs/wga-west/members",
      `/orgs/wga-west/members/${id}/role`,
      { role: "negotiator" },
      admin,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/orgs/wga-west/members?done=role");
    expect(await roleIn("wga-west", "new@wga.demo")).toBe("negotiator");
  });

  it("refuses an unknown role", async () => {
    const id = await memberId("wga-west", "new@wga.demo");
    const res = await submit(
      "/orgs/wga-west/members",
      `/orgs/wga-west/members/${id}/role`,
      { role: "owner" },
      admin,
    );
    expect(res.status).toBe(400);
    expect(codeOf(res.html)).toBe("VALIDATION_FAILED");
    expect(await roleIn("wga-west", "new@wga.demo")).toBe("negotiator");
  });

  it("refuses to take the admin role from the last admin, next to that admin", async () => {
    const id = await memberId("wga-west", ADMIN.email);
    const res = await submit(
      "/orgs/wga-west/members",
      `/orgs/wga-west/members/${id}/role`,
      { role: "member" },
      admin,
    );
    expect(res.status).toBe(409);
    const select = tagOf(res.html, `role-${id}`);
    expect(select).toContain('aria-invalid="true"');
    expect(select).toContain(`aria-describedby="member-${id}-error"`);
    expect(textOf(res.html, `member-${id}-error`)).toContain("LAST_ADMIN");
    expect(await roleIn("wga-west", ADMIN.email)).toBe("admin");
  });

  it("refuses a member of another organization, an outsider admin and a forged form", async () => {
    const amptpMember = await memberId("amptp", DEMO.amptpMember);
    const res = await submit(
      "/orgs/wga-west/members",
      `/orgs/wga-west/members/${amptpMember}/role`,
      { role: "admin" },
      admin,
    );
    expect(res.status).toBe(404);
    expect(codeOf(res.html)).toBe("MEMBER_UNKNOWN");
    expect(await roleIn("wga-west", DEMO.amptpMember)).toBeUndefined();
    const wgaMember = await memberId("wga-west", DEMO.wgaMember);
    const outsider = await submit(
      "/account",
      `/orgs/wga-west/members/${wgaMember}/role`,
      { role: "admin" },
      amptpAdmin,
    );
    expect(outsider.status).toBe(403);
    expect(codeOf(outsider.html)).toBe("ROLE_REQUIRED");
    const forged = await s.post(
      `/orgs/wga-west/members/${wgaMember}/role`,
      { role: "admin", _csrf: "x" },
      admin,
    );
    expect(forged.status).toBe(403);
    expect(codeOf(forged.html)).toBe("CSRF_FAILED");
    expect(await roleIn("wga-west", DEMO.wgaMember)).toBe("member");
  });
});

describe("POST /orgs/:org/members/:id/remove", () => {
  it("removes a member; the account stays", async () => {
    const id = await memberId("wga-west", DEMO.reporter);
    const res = await submit("/orgs/wga-west/members", `/orgs/wga-west/members/${id}/remove`, {}, admin);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/orgs/wga-west/members?done=removed");
    expect(await roleIn("wga-west", DEMO.reporter)).toBeUndefined();
    expect(await roleIn("parley-news", DEMO.reporter)).toBe("negotiator");
    const page = await s.page("/orgs/wga-west/members?done=removed", admin);
    expect(page.html).toContain("The member was removed");
    expect(page.html).not.toContain(DEMO.reporter);
  });

  it("refuses to remove the last admin, saying so clearly", async () => {
    const id = await memberId("wga-west", ADMIN.email);
    const res = await submit("/orgs/wga-west/members", `/orgs/wga-west/members/${id}/remove`, {}, admin);
    expect(res.status).toBe(409);
    const error = textOf(res.html, `member-${id}-error`);
    expect(error).toContain("would be left without an admin");
    expect(error).toContain("make another member admin first");
    expect(error).toContain("LAST_ADMIN");
    expect(await roleIn("wga-west", ADMIN.email)).toBe("admin");
  });

  it("refuses a non-admin, an outsider admin, an unknown member and a forged form", async () => {
    const id = await memberId("wga-west", DEMO.wgaMember);
    const asMember = await submit(
      "/account",
      `/orgs/wga-west/members/${id}/remove`,
      {},
      await as("wgaMember"),
    );
    expect(asMember.status).toBe(403);
    const asOther = await submit("/account", `/orgs/wga-west/members/${id}/remove`, {}, amptpAdmin);
    expect(asOther.status).toBe(403);
    expect(codeOf(asOther.html)).toBe("ROLE_REQUIRED");
    const unknown = await submit(
      "/orgs/wga-west/members",
      "/orgs/wga-west/members/acct_nobody/remove",
      {},
      admin,
    );
    expect(unknown.status).toBe(404);
    expect(codeOf(unknown.html)).toBe("MEMBER_UNKNOWN");
    const forged = await s.post(`/orgs/wga-west/members/${id}/remove`, {}, admin);
    expect(forged.status).toBe(403);
    expect(codeOf(forged.html)).toBe("CSRF_FAILED");
    expect(await roleIn("wga-west", DEMO.wgaMember)).toBe("member");
  });

  it("sends an admin who hands over and then leaves to their account page", async () => {
    // A second admin first, so the first may go.
    const second = await memberId("wga-west", "new@wga.demo");
    const promoted = await submit(
      "/orgs/wga-west/members",
      `/orgs/wga-west/members/${second}/role`,
      { role: "admin" },
      admin,
    );
    expect(promoted.status).toBe(303);
    const leaver = await sessionOf("new@wga.demo", STRONG);
    const res = await submit(
      "/orgs/wga-west/members",
      `/orgs/wga-west/members/${second}/role`,
      { role: "member" },
      leaver,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account");
    expect((await s.page("/orgs/wga-west/members", leaver)).status).toBe(403);
  });
});

describe("POST /orgs/:org/members/:id/tokens/:token/revoke", () => {
  it("lets the organization's admin revoke a member's token", async () => {
    const id = await memberId("wga-west", DEMO.wgaMember);
    const t = await s.accounts.createToken(id, "leaked");
    const res = await submit(
      "/orgs/wga-west/members",
      `/orgs/wga-west/members/${id}/tokens/${t.id}/revoke`,
      {},
      admin,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/orgs/wga-west/members?done=revoked");
    expect((await api("/api/v1/me", t.token)).status).toBe(401);
    const page = await s.page("/orgs/wga-west/members?done=revoked", admin);
    expect(page.html).toContain("The member's token was revoked");
    expect(page.html).not.toContain(`/tokens/${t.id}/revoke`);
  });

  it("refuses an operator, an outsider admin, a non-admin, a wrong token and a forged form", async () => {
    const id = await memberId("wga-west", DEMO.wgaMember);
    const t = await s.accounts.createToken(id, "still good");
    const path = `/orgs/wga-west/members/${id}/tokens/${t.id}/revoke`;
    const asOperator = await submit("/account", path, {}, operator);
    expect(asOperator.status).toBe(403);
    expect(codeOf(asOperator.html)).toBe("ROLE_REQUIRED");
    expect((await submit("/account", path, {}, amptpAdmin)).status).toBe(403);
    expect((await submit("/account", path, {}, await as("wgaNegotiator"))).status).toBe(403);
    // A token of someone else, under this member's address: not theirs to revoke.
    const other = await s.accounts.createToken(await memberId("wga-west", DEMO.wgaNegotiator), "other");
    const wrong = await submit(
      "/orgs/wga-west/members",
      `/orgs/wga-west/members/${id}/tokens/${other.id}/revoke`,
      {},
      admin,
    );
    expect(wrong.status).toBe(404);
    expect(codeOf(wrong.html)).toBe("TOKEN_UNKNOWN");
    const forged = await s.post(path, { _csrf: "nope" }, admin);
    expect(forged.status).toBe(403);
    expect(codeOf(forged.html)).toBe("CSRF_FAILED");
    expect((await api("/api/v1/me", t.token)).status).toBe(200);
    expect((await api("/api/v1/me", other.token)).status).toBe(200);
  });
});
