import { z } from "zod";
import { MemberRole, NewMember, ROLES } from "../../app/accounts.ts";
import { fail } from "../../domain/errors.ts";
import { Id, Organization } from "../../domain/values.ts";
import { adminsOfOrg, membersManagers, operatorsOnly } from "../auth.ts";
import type { Api } from "../server.ts";
import { SigningKey } from "./keys.ts";

const Org = z.object({ org: Id });
/** Account ids are made by the server (`acct_` and base64url); nothing else can name one. */
const OrgMember = z.object({ org: Id, account: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "an account id") });

export function orgRoutes(api: Api): void {
  api.get(
    "/api/v1/orgs",
    { schema: { summary: "The organizations registered on this server", tags: ["organizations"] } },
    async (req) => ({ organizations: await req.server.parley.organizations() }),
  );

  api.post(
    "/api/v1/orgs",
    {
      schema: {
        summary: "Register an organization, with a signing key of its own (the server's operators only)",
        description:
          "An operator then appoints its first admin with POST /api/v1/orgs/{org}/members; from there its admins manage it.",
        tags: ["organizations"],
        body: Organization,
      },
      preValidation: operatorsOnly,
    },
    async (req, reply) => {
      const parley = req.server.parley;
      if (await parley.organization(req.body.id)) fail("ORG_EXISTS", `${req.body.id} is already registered`);
      await parley.registerOrganization(req.body);
      const org = (await parley.organization(req.body.id))!;
      return reply.code(201).send({ ...org, keys: await parley.signingKeys(org.id) });
    },
  );

  api.get(
    "/api/v1/orgs/:org",
    {
      schema: {
        summary: "One organization and the public keys its entries and cosignatures verify under",
        tags: ["organizations"],
        params: Org,
        response: {
          200: z.object({
            id: z.string(),
            name: z.string(),
            shortName: z.string(),
            kind: z.string(),
            keys: z.array(SigningKey),
          }),
        },
      },
    },
    async (req) => {
      const org = await req.server.parley.organization(req.params.org);
      if (!org) fail("ORG_UNKNOWN", `unknown organization ${req.params.org}`);
      return { ...org, keys: await req.server.parley.signingKeys(org.id) };
    },
  );

  api.get(
    "/api/v1/orgs/:org/members",
    {
      schema: {
        summary: "The organization's members and their roles (its admins and the server's operators)",
        tags: ["organizations"],
        params: Org,
      },
      preValidation: membersManagers,
    },
    async (req) => ({ members: await req.server.accounts.members(req.params.org) }),
  );

  api.post(
    "/api/v1/orgs/:org/members",
    {
      schema: {
        summary: "Add a member: an existing account by email, or a new account (name and password)",
        tags: ["organizations"],
        params: Org,
        body: NewMember,
        response: { 201: z.object({ id: z.string(), created: z.boolean(), role: z.enum(ROLES) }) },
      },
      preValidation: membersManagers,
    },
    async (req, reply) => {
      if (!(await req.server.parley.organization(req.params.org))) fail("ORG_UNKNOWN");
      const added = await req.server.accounts.addMember(req.params.org, req.body);
      return reply.code(201).send({ ...added, role: req.body.role });
    },
  );

  // Memberships are read afresh on every request (Accounts.caller), so a change here holds
  // from the member's next request on, whether it comes with a session or an API token.
  api.patch(
    "/api/v1/orgs/:org/members/:account",
    {
      schema: {
        summary:
          "Change a member's role (its admins and the server's operators; the last admin keeps the role)",
        tags: ["organizations"],
        params: OrgMember,
        body: MemberRole,
        response: { 200: z.object({ id: z.string(), org: z.string(), role: z.enum(ROLES) }) },
      },
      preValidation: membersManagers,
    },
    async (req) => req.server.accounts.setRole(req.params.org, req.params.account, req.body),
  );

  api.delete(
    "/api/v1/orgs/:org/members/:account",
    {
      schema: {
        summary:
          "Remove a member from the organization (its admins and the server's operators; never its last admin)",
        tags: ["organizations"],
        params: OrgMember,
      },
      preValidation: membersManagers,
    },
    async (req, reply) => {
      await req.server.accounts.removeMember(req.params.org, req.params.account);
      return reply.code(204).send();
    },
  );

  api.get(
    "/api/v1/orgs/:org/members/:account/tokens",
    {
      schema: {
        summary: "A member's personal tokens, never their secrets (the organization's admins)",
        tags: ["organizations"],
        params: OrgMember,
      },
      preValidation: adminsOfOrg,
    },
    async (req) => ({ tokens: await req.server.accounts.memberTokens(req.params.org, req.params.account) }),
  );

  api.delete(
    "/api/v1/orgs/:org/members/:account/tokens/:id",
    {
      schema: {
        summary: "Revoke one of a member's tokens (the organization's admins), e.g. a leaked one",
        tags: ["organizations"],
        params: OrgMember.extend({ id: z.string().max(100) }),
      },
      preValidation: adminsOfOrg,
    },
    async (req, reply) => {
      const { org, account, id } = req.params;
      await req.server.accounts.revokeMemberToken(org, account, id);
      return reply.code(204).send();
    },
  );
}
