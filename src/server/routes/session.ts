import { z } from "zod";
import { PasswordChange, ROLES, TOKEN_SCOPES } from "../../app/accounts.ts";
import { endSession, requireCaller, SESSION_COOKIE, setSessionCookie } from "../auth.ts";
import type { Api } from "../server.ts";

const Me = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  memberships: z.array(z.object({ org: z.string(), role: z.enum(ROLES) })),
  /** Runs this server: registers organizations, appoints any organization's members. */
  operator: z.boolean(),
});

export function sessionRoutes(api: Api, loginsPerMinute: number): void {
  api.post(
    "/api/v1/session",
    {
      schema: {
        summary: "Sign in with email and password; sets the session cookie",
        tags: ["accounts"],
        body: z.object({ email: z.string().max(254), password: z.string().max(1024) }).strict(),
        response: { 200: z.object({ csrf: z.string(), expiresAt: z.string() }) },
      },
      // Per address, on top of each account's lockout after repeated failures.
      config: { rateLimit: { max: loginsPerMinute, timeWindow: "1 minute" } },
    },
    async (req, reply) => {
      const s = await req.server.accounts.login(req.body.email, req.body.password);
      setSessionCookie(req, reply, s);
      return { csrf: s.csrf, expiresAt: s.expiresAt };
    },
  );

  api.delete(
    "/api/v1/session",
    { schema: { summary: "Sign out: revokes the session", tags: ["accounts"] } },
    async (req, reply) => {
      await endSession(req, reply);
      return reply.code(204).send();
    },
  );

  api.get(
    "/api/v1/me",
    {
      schema: {
        summary: "The signed-in account and its memberships",
        tags: ["accounts"],
        response: { 200: Me },
      },
    },
    async (req) => {
      const c = requireCaller(req);
      return { id: c.id, email: c.email, name: c.name, memberships: c.memberships, operator: c.operator };
    },
  );

  api.post(
    "/api/v1/me/password",
    {
      schema: {
        summary:
          "Change your password, given the current one; signs out every other session (API tokens stay)",
        tags: ["accounts"],
        body: PasswordChange,
      },
      // The anonymous are told to sign in before anything about the body.
      preValidation: async (req) => {
        requireCaller(req);
      },
      // A wrong current password also counts toward the account's lockout (Accounts).
      config: { rateLimit: { max: loginsPerMinute, timeWindow: "1 minute" } },
    },
    async (req, reply) => {
      const c = requireCaller(req);
      // The session asking stays signed in; a script's token has no session of its own to keep.
      const keep = c.via.kind === "session" ? req.cookies[SESSION_COOKIE] : undefined;
      await req.server.accounts.changePassword(c.id, req.body, keep);
      return reply.code(204).send();
    },
  );

  api.get(
    "/api/v1/tokens",
    {
      schema: {
        summary: "Your personal tokens, API and calendar keys alike (never their secrets)",
        tags: ["accounts"],
      },
    },
    async (req) => ({ tokens: await req.server.accounts.tokens(requireCaller(req).id) }),
  );

  api.post(
    "/api/v1/tokens",
    {
      schema: {
        summary: "Create a personal token; its secret is shown in this response only",
        description:
          "scope `api` (the default): a Bearer token that acts as you. Scope `calendar`: a key that only reads your calendar feeds, for the `key` parameter of a calendar URL, since calendar apps subscribe by URL alone; it opens nothing else.",
        tags: ["accounts"],
        body: z
          .object({ name: z.string().trim().min(1).max(100), scope: z.enum(TOKEN_SCOPES).default("api") })
          .strict(),
        response: {
          201: z.object({ id: z.string(), name: z.string(), scope: z.enum(TOKEN_SCOPES), token: z.string() }),
        },
      },
    },
    async (req, reply) => {
      const { name, scope } = req.body;
      const created = await req.server.accounts.createToken(requireCaller(req).id, name, scope);
      return reply.code(201).send(created);
    },
  );

  api.delete(
    "/api/v1/tokens/:id",
    {
      schema: {
        summary: "Revoke one of your personal tokens",
        tags: ["accounts"],
        params: z.object({ id: z.string().max(100) }),
      },
    },
    async (req, reply) => {
      await req.server.accounts.revokeToken(requireCaller(req).id, req.params.id);
      return reply.code(204).send();
    },
  );
}
