import { z } from "zod";
import { NewMember, ROLES } from "../../app/accounts.ts";
import { fail } from "../../domain/errors.ts";
import { Id } from "../../domain/values.ts";
import { adminsOfOrg } from "../auth.ts";
import type { Api } from "../server.ts";

const Org = z.object({ org: Id });

export function orgRoutes(api: Api): void {
  api.get(
    "/api/v1/orgs",
    { schema: { summary: "The organizations registered on this server", tags: ["organizations"] } },
    async (req) => ({ organizations: await req.server.parley.organizations() }),
  );

  api.get(
    "/api/v1/orgs/:org/members",
    {
      schema: {
        summary: "The organization's members and their roles (its admins only)",
        tags: ["organizations"],
        params: Org,
      },
      preValidation: adminsOfOrg,
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
      preValidation: adminsOfOrg,
    },
    async (req, reply) => {
      if (!(await req.server.parley.organization(req.params.org))) fail("ORG_UNKNOWN");
      const added = await req.server.accounts.addMember(req.params.org, req.body);
      return reply.code(201).send({ ...added, role: req.body.role });
    },
  );
}
