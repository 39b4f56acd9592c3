import type { FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import { type Caller, PasswordChange, ROLES, TOKEN_SCOPES } from "../../app/accounts.ts";
import { ERRORS, type ErrorCode, fail, ParleyError } from "../../domain/errors.ts";
import { Id } from "../../domain/values.ts";
import type { Assets } from "../../web/assets.ts";
import {
  AccountPage,
  type AccountPageProps,
  type FormState,
  TokenCreatedPage,
} from "../../web/pages/account.tsx";
import { MembersPage, type MembersPageProps } from "../../web/pages/members.tsx";
import { requireCaller, SESSION_COOKIE } from "../auth.ts";
import { STATUS_OF } from "../errors.ts";
import type { Api } from "../server.ts";
import { viewerOf } from "../viewer.ts";
import type { PageRoutes } from "./plugin.ts";
import { pageContext, sendPage } from "./render.ts";

/**
 * The account pages: one's own account (memberships, disputes, personal tokens, password) and
 * an organization's members for its admins. Everything goes through `req.server.accounts`, the
 * service the JSON API uses (routes/session.ts and routes/orgs.ts), with the same rules: the
 * same password rule, the same LAST_ADMIN guard, member tokens for the organization's admins
 * only, members for its admins and the server's operators.
 */

/** Password changes per client address per minute, as the API's sign-in limit. */
const PASSWORD_CHANGES_PER_MINUTE = 10;

/** The one strength rule for a new password: the API's own (accounts.ts). */
const NewPassword = PasswordChange.shape.next;

/** The API's token body (routes/session.ts), with messages for a person rather than a script. */
const TokenForm = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the token a name, such as the script or calendar app it is for.")
    .max(100, "At most 100 characters."),
  scope: z.enum(TOKEN_SCOPES, "Choose API or calendar.").default("api"),
});

/** Account ids are made by the server (`acct_` and base64url); nothing else can name one. */
const AccountId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "an account id");
const TokenId = z.string().max(100);

const OrgParams = z.object({ org: Id });
const MemberParams = z.object({ org: Id, id: AccountId });
const TokenParams = z.object({ id: TokenId });
const MemberTokenParams = z.object({ org: Id, id: AccountId, token: TokenId });
const Notice = z.object({ done: z.string().max(40).optional() });

/** What the pages may say after a redirect: a fixed message per key, never the query text. */
const ACCOUNT_NOTICES: Record<string, string> = {
  password:
    "Your password was changed. Every other session was signed out; this one stays signed in. Your personal tokens still work.",
  revoked: "The token was revoked: it no longer opens anything.",
};
const MEMBER_NOTICES: Record<string, string> = {
  created: "The new account was created and added.",
  added: "The existing account was added to the organization.",
  role: "The member's role was changed.",
  removed: "The member was removed from the organization; the account itself stays.",
  revoked: "The member's token was revoked: it no longer opens anything.",
};

type Form = Record<string, unknown>;

/** A form field as one string: a repeated or missing field is "". */
function field(body: unknown, name: string): string {
  const value = (body as Form | null | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

function statusOf(code: ErrorCode): number {
  return STATUS_OF[ERRORS[code].kind];
}

function noticeOf(notices: Record<string, string>, done: string | undefined): string | null {
  return done !== undefined && Object.hasOwn(notices, done) ? notices[done]! : null;
}

/** What is wrong with a new password, in the words of the API's rule, or null if nothing. */
function passwordProblem(value: string): string | null {
  const parsed = NewPassword.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return issue?.code === "too_small"
    ? `Too short: use ${issue.message}.`
    : "Too long: use at most 1024 characters.";
}

/** A redirect to a page of this site, after a change (the Post/Redirect/Get pattern). */
function seeOther(reply: FastifyReply, path: string): FastifyReply {
  return reply.redirect(path, 303);
}

// ---- one's own account -------------------------------------------------------------------

async function accountProps(req: FastifyRequest, assets: Assets, caller: Caller) {
  const accounts = req.server.accounts;
  const parley = req.server.parley;
  const memberships = [];
  for (const m of caller.memberships) {
    const org = await parley.organization(m.org);
    memberships.push({
      org: m.org,
      orgName: org?.name ?? m.org,
      role: m.role,
      manages: m.role === "admin" || caller.operator,
    });
  }
  const mine = new Set(caller.memberships.map((m) => m.org));
  const disputes = [];
  for (const d of await parley.disputes()) {
    const parties = await parley.parties(d.slug);
    if (![...mine].some((org) => parties.has(org))) continue;
    const state = await parley.view(d.slug, await viewerOf(parley, d.slug, caller));
    if (!state.opened) continue;
    const sides = Object.values(state.sides)
      .filter((s) => s.orgs.some((org) => mine.has(org)))
      .map((s) => s.name);
    disputes.push({ slug: d.slug, title: state.opened.title, side: sides.join(", ") });
  }
  return {
    ctx: pageContext(req, assets.urls),
    account: { name: caller.name, email: caller.email, operator: caller.operator },
    memberships,
    disputes,
    tokens: await accounts.tokens(caller.id),
  } satisfies Omit<AccountPageProps, "notice">;
}

async function sendAccount(
  req: FastifyRequest,
  reply: FastifyReply,
  assets: Assets,
  caller: Caller,
  extra: Partial<AccountPageProps>,
  status = 200,
) {
  const props: AccountPageProps = { ...(await accountProps(req, assets, caller)), notice: null, ...extra };
  return sendPage(reply, h(AccountPage, props), status);
}

// ---- an organization's members -----------------------------------------------------------

/**
 * Who may manage an organization's members: its admins and the server's operators (the API's
 * membersManagers). Checked before the body is read, after the organization is known: the
 * directory of organizations is public, so a 404 for an unknown one tells no one anything.
 */
async function membersManagers(req: FastifyRequest): Promise<void> {
  const caller = requireCaller(req);
  const org = String((req.params as { org?: unknown }).org);
  if (!(await req.server.parley.organization(org))) fail("ORG_UNKNOWN", `unknown organization ${org}`);
  if (caller.operator) return;
  if (!isAdmin(caller, org)) fail("ROLE_REQUIRED", `this takes the admin role in ${org}`);
}

/** A member's tokens are for the organization's admins only (the API's adminsOfOrg). */
async function adminsOfOrg(req: FastifyRequest): Promise<void> {
  await membersManagers(req);
  const org = String((req.params as { org?: unknown }).org);
  if (!isAdmin(requireCaller(req), org)) fail("ROLE_REQUIRED", `this takes the admin role in ${org}`);
}

function isAdmin(caller: Caller, org: string): boolean {
  return caller.memberships.some((m) => m.org === org && m.role === "admin");
}

async function membersProps(req: FastifyRequest, assets: Assets, orgId: string) {
  const caller = requireCaller(req);
  const accounts = req.server.accounts;
  const org = await req.server.parley.organization(orgId);
  if (!org) fail("ORG_UNKNOWN", `unknown organization ${orgId}`);
  const members = (await accounts.members(orgId)).map((m) => ({ ...m, you: m.id === caller.id }));
  // A member's tokens are shown to the organization's own admins, not to an operator.
  let tokens: MembersPageProps["tokens"] = null;
  if (isAdmin(caller, orgId)) {
    tokens = {};
    for (const m of members) tokens[m.id] = await accounts.memberTokens(orgId, m.id);
  }
  return {
    ctx: pageContext(req, assets.urls),
    org: { id: org.id, name: org.name, shortName: org.shortName },
    members,
    tokens,
  } satisfies Omit<MembersPageProps, "notice">;
}

async function sendMembers(
  req: FastifyRequest,
  reply: FastifyReply,
  assets: Assets,
  orgId: string,
  extra: Partial<MembersPageProps>,
  status = 200,
) {
  const props: MembersPageProps = { ...(await membersProps(req, assets, orgId)), notice: null, ...extra };
  return sendPage(reply, h(MembersPage, props), status);
}

/** Errors of a member action that the members page answers in place, next to the member. */
const ROW_ERRORS = new Set<ErrorCode>(["LAST_ADMIN", "MEMBER_UNKNOWN", "VALIDATION_FAILED", "TOKEN_UNKNOWN"]);

export const accountPages: PageRoutes = (pages: Api, assets: Assets) => {
  pages.get("/account", { schema: { hide: true, querystring: Notice } }, async (req, reply) => {
    const caller = requireCaller(req);
    return sendAccount(req, reply, assets, caller, {
      notice: noticeOf(ACCOUNT_NOTICES, req.query.done),
    });
  });

  pages.post("/account/tokens", { schema: { hide: true } }, async (req, reply) => {
    const caller = requireCaller(req);
    const values = { name: field(req.body, "name"), scope: field(req.body, "scope") || "api" };
    const parsed = TokenForm.safeParse(values);
    if (!parsed.success) {
      const errors: FormState["errors"] = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
      const tokenForm: FormState = {
        values,
        errors,
        summary: { code: "VALIDATION_FAILED", message: "The token was not created: see the fields below." },
      };
      return sendAccount(req, reply, assets, caller, { tokenForm }, 400);
    }
    const created = await req.server.accounts.createToken(caller.id, parsed.data.name, parsed.data.scope);
    // Shown on this response only, never behind a redirect: the secret must not be in a URL.
    const origin = `${req.protocol}://${req.headers.host ?? "localhost"}`;
    const calendarUrls =
      created.scope === "calendar"
        ? (await accountProps(req, assets, caller)).disputes.map((d) => ({
            title: d.title,
            url: `${origin}/api/v1/disputes/${encodeURIComponent(d.slug)}/calendar.ics?key=${encodeURIComponent(created.token)}`,
          }))
        : [];
    return sendPage(
      reply,
      h(TokenCreatedPage, { ctx: pageContext(req, assets.urls), token: created, calendarUrls }),
      201,
    );
  });

  pages.post(
    "/account/tokens/:id/revoke",
    { schema: { hide: true, params: TokenParams } },
    async (req, reply) => {
      const caller = requireCaller(req);
      await req.server.accounts.revokeToken(caller.id, req.params.id);
      return seeOther(reply, "/account?done=revoked");
    },
  );

  pages.post(
    "/account/password",
    {
      schema: { hide: true },
      // A wrong current password also counts toward the account's lockout (Accounts).
      config: { rateLimit: { max: PASSWORD_CHANGES_PER_MINUTE, timeWindow: "1 minute" } },
    },
    async (req, reply) => {
      const caller = requireCaller(req);
      const current = field(req.body, "current");
      const next = field(req.body, "next");
      const confirm = field(req.body, "confirm");
      const errors: FormState["errors"] = {};
      if (current === "") errors.current = "Enter your current password.";
      const weak = passwordProblem(next);
      if (weak) errors.next = weak;
      if (confirm !== next) errors.confirm = "This differs from the new password: type the same one twice.";
      const failed = (code: ErrorCode, message: string) =>
        sendAccount(
          req,
          reply,
          assets,
          caller,
          { passwordForm: { values: {}, errors, summary: { code, message } } },
          statusOf(code),
        );
      if (Object.keys(errors).length > 0) {
        return failed("VALIDATION_FAILED", "Your password was not changed: see the fields below.");
      }
      // The session asking stays signed in; a script's token has no session of its own to keep.
      const keep = caller.via.kind === "session" ? req.cookies[SESSION_COOKIE] : undefined;
      try {
        await req.server.accounts.changePassword(caller.id, { current, next }, keep);
      } catch (err) {
        if (!(err instanceof ParleyError)) throw err;
        if (err.code === "PASSWORD_WRONG") {
          errors.current = "This is not your current password.";
          return failed(err.code, "Your password was not changed: the current password is wrong.");
        }
        if (err.code === "ACCOUNT_LOCKED" || err.kind === "validation") {
          return failed(err.code, `Your password was not changed: ${err.message}`);
        }
        throw err;
      }
      return seeOther(reply, "/account?done=password");
    },
  );

  // ---- /orgs/:org/members ----

  pages.get(
    "/orgs/:org/members",
    { schema: { hide: true, params: OrgParams, querystring: Notice }, preValidation: membersManagers },
    async (req, reply) =>
      sendMembers(req, reply, assets, req.params.org, {
        notice: noticeOf(MEMBER_NOTICES, req.query.done),
      }),
  );

  pages.post(
    "/orgs/:org/members",
    { schema: { hide: true, params: OrgParams }, preValidation: membersManagers },
    async (req, reply) => {
      const { org } = req.params;
      const values = {
        email: field(req.body, "email").trim(),
        name: field(req.body, "name"),
        role: field(req.body, "role"),
      };
      const password = field(req.body, "password");
      const errors: FormState["errors"] = {};
      if (!z.email().max(254).safeParse(values.email).success) {
        errors.email = "Enter the person's email address, such as name@example.org.";
      }
      if (!(ROLES as readonly string[]).includes(values.role)) errors.role = "Choose a role.";
      if (values.name.length > 200) errors.name = "At most 200 characters.";
      const weak = password === "" ? null : passwordProblem(password);
      if (weak) errors.password = weak;
      const failed = (code: ErrorCode, message: string) =>
        sendMembers(
          req,
          reply,
          assets,
          org,
          { addForm: { values, errors, summary: { code, message } } },
          statusOf(code),
        );
      if (Object.keys(errors).length > 0) {
        return failed("VALIDATION_FAILED", "No one was added: see the fields below.");
      }
      let added: { id: string; created: boolean };
      try {
        added = await req.server.accounts.addMember(org, {
          email: values.email,
          role: values.role,
          ...(values.name.trim() !== "" ? { name: values.name } : {}),
          ...(password !== "" ? { password } : {}),
        });
      } catch (err) {
        if (!(err instanceof ParleyError)) throw err;
        if (err.code === "ACCOUNT_EXISTS") {
          errors.email = "This person is already a member of this organization.";
          return failed(err.code, "No one was added: they are a member already.");
        }
        if (err.code === "VALIDATION_FAILED") {
          // No account has this email yet: a new one needs a name and a first password.
          if (values.name.trim() === "") errors.name = "A new account needs the person's name.";
          if (password === "") errors.password = "A new account needs a first password.";
          return failed(err.code, `No one was added: ${err.message}.`);
        }
        throw err;
      }
      return seeOther(reply, `/orgs/${org}/members?done=${added.created ? "created" : "added"}`);
    },
  );

  /**
   * A member action, then back to the members page; its failure is answered on that page, next
   * to the member it concerns (`inRow`) or at its top. Someone who gave up their own admin role
   * or membership can no longer see the page, and goes to their account instead.
   */
  const memberAction = async (
    req: FastifyRequest,
    reply: FastifyReply,
    target: { org: string; member: string; inRow: boolean; leavesAdmin: boolean },
    action: () => Promise<void>,
    done: string,
  ) => {
    const caller = requireCaller(req);
    try {
      await action();
    } catch (err) {
      if (!(err instanceof ParleyError) || !ROW_ERRORS.has(err.code)) throw err;
      // LAST_ADMIN's own message names the organization; the registry's says what to do instead.
      const message =
        err.code === "LAST_ADMIN" ? `${err.message}. ${ERRORS.LAST_ADMIN.message}` : err.message;
      const rowError = { id: target.member, inRow: target.inRow, code: err.code, message };
      return sendMembers(req, reply, assets, target.org, { rowError }, statusOf(err.code));
    }
    const leftOut = target.member === caller.id && target.leavesAdmin && !caller.operator;
    return seeOther(reply, leftOut ? "/account" : `/orgs/${target.org}/members?done=${done}`);
  };

  pages.post(
    "/orgs/:org/members/:id/role",
    { schema: { hide: true, params: MemberParams }, preValidation: membersManagers },
    async (req, reply) => {
      const { org, id } = req.params;
      const role = field(req.body, "role");
      const target = { org, member: id, inRow: true, leavesAdmin: role !== "admin" };
      const change = async () => {
        if (!(ROLES as readonly string[]).includes(role)) {
          fail("VALIDATION_FAILED", "Choose one of the roles: admin, negotiator or member.");
        }
        await req.server.accounts.setRole(org, id, { role });
      };
      return memberAction(req, reply, target, change, "role");
    },
  );

  pages.post(
    "/orgs/:org/members/:id/remove",
    { schema: { hide: true, params: MemberParams }, preValidation: membersManagers },
    async (req, reply) => {
      const { org, id } = req.params;
      const target = { org, member: id, inRow: true, leavesAdmin: true };
      return memberAction(req, reply, target, () => req.server.accounts.removeMember(org, id), "removed");
    },
  );

  pages.post(
    "/orgs/:org/members/:id/tokens/:token/revoke",
    { schema: { hide: true, params: MemberTokenParams }, preValidation: adminsOfOrg },
    async (req, reply) => {
      const { org, id, token } = req.params;
      const target = { org, member: id, inRow: false, leavesAdmin: false };
      const revoke = () => req.server.accounts.revokeMemberToken(org, id, token);
      return memberAction(req, reply, target, revoke, "revoked");
    },
  );
};
