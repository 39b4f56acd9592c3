import type { FastifyReply, FastifyRequest } from "fastify";
import type { Accounts, Caller } from "../app/accounts.ts";
import { fail } from "../domain/errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is asking: null for the anonymous public. */
    caller: Caller | null;
    /** The secret the caller proved itself with, for connections that must check it again. */
    credential: Credential | null;
  }
}

export type Credential = { kind: "token" | "session"; secret: string };

export const SESSION_COOKIE = "parley_session";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Finds the caller of each request: an API token in `Authorization: Bearer`, else a session
 * cookie (whose writes checkCsrf then guards).
 */
export function authenticate(accounts: Accounts) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    req.caller = null;
    req.credential = null;
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const caller = m ? await accounts.byToken(m[1]!) : null;
      if (!caller) fail("AUTH_REQUIRED", "the API token is malformed, unknown or revoked");
      req.caller = caller;
      req.credential = { kind: "token", secret: m![1]! };
      return;
    }
    const session = req.cookies[SESSION_COOKIE];
    if (!session) return;
    const caller = await accounts.bySession(session);
    // An expired or revoked session reads as the public; a write then asks to sign in.
    if (!caller) return;
    req.caller = caller;
    req.credential = { kind: "session", secret: session };
  };
}

/**
 * A write that rides on a session cookie must prove it comes from Parley's own pages or
 * scripts: the session's CSRF token in X-CSRF-Token, or, from an HTML form, in its `_csrf`
 * field. It runs once the body is parsed (a form's token is in it) and before any handler or
 * route hook. A token-authenticated script has no cookie to be tricked into sending.
 */
export function checkCsrf(csrfExempt: ReadonlySet<string>) {
  return async (req: FastifyRequest): Promise<void> => {
    if (req.credential?.kind !== "session" || !UNSAFE.has(req.method)) return;
    if (csrfExempt.has(req.routeOptions.url ?? "")) return;
    const via = req.caller?.via;
    const header = req.headers["x-csrf-token"];
    const field = (req.body as { _csrf?: unknown } | null | undefined)?._csrf;
    const sent = typeof header === "string" ? header : field;
    if (via?.kind !== "session" || typeof sent !== "string" || sent !== via.csrf) {
      // Refused as the anonymous would be: nothing of the session is used for this request.
      req.caller = null;
      req.credential = null;
      fail("CSRF_FAILED");
    }
  };
}

/**
 * The caller behind a credential now, or null if it no longer stands (revoked, expired, the
 * account gone): what a long-lived connection checks to learn whether it may go on.
 */
export function reauthenticate(accounts: Accounts, credential: Credential): Promise<Caller | null> {
  return credential.kind === "token"
    ? accounts.byToken(credential.secret)
    : accounts.bySession(credential.secret);
}

/** Sets the session cookie of a sign-in: the API's and the sign-in form's alike. */
export function setSessionCookie(
  req: FastifyRequest,
  reply: FastifyReply,
  session: { token: string; expiresAt: string },
): void {
  reply.setCookie(SESSION_COOKIE, session.token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: req.protocol === "https",
    expires: new Date(session.expiresAt),
  });
}

/** Signs the caller out: revokes the session the request came with and clears its cookie. */
export async function endSession(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  requireCaller(req);
  const token = req.cookies[SESSION_COOKIE];
  if (token) await req.server.accounts.logout(token);
  reply.clearCookie(SESSION_COOKIE, { path: "/" });
}

export function requireCaller(req: FastifyRequest): Caller {
  if (!req.caller) fail("AUTH_REQUIRED");
  return req.caller;
}

/** A preValidation hook for what only the server's operators may do (checked before the body). */
export async function operatorsOnly(req: FastifyRequest): Promise<void> {
  if (!requireCaller(req).operator) fail("ROLE_REQUIRED", "this takes the server operator role");
}

/**
 * Members are managed by the organization's admins, and by the server's operators, who must
 * be able to appoint a new organization's first admin.
 */
export async function membersManagers(req: FastifyRequest): Promise<void> {
  if (requireCaller(req).operator) return;
  await adminsOfOrg(req);
}

/**
 * A preValidation hook for routes under /orgs/:org that only the organization's admins may
 * use: checked before the body, so that no one else learns even what a valid request is.
 */
export async function adminsOfOrg(req: FastifyRequest): Promise<void> {
  const caller = requireCaller(req);
  const org = (req.params as { org?: unknown }).org;
  if (!caller.memberships.some((m) => m.org === org && m.role === "admin")) {
    fail("ROLE_REQUIRED", `this takes the admin role in ${String(org)}`);
  }
}
