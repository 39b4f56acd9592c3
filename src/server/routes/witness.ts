import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { addCosignature, checkpointWithCosignatures } from "../../app/cosignatures.ts";
import { fail } from "../../domain/errors.ts";
import { Id } from "../../domain/values.ts";
import { requireCaller } from "../auth.ts";
import type { Api } from "../server.ts";

const SlugSize = z.object({ slug: Id, size: z.coerce.number().int().min(0) });

const Cosignature = z.object({ org: z.string(), keyId: z.string(), line: z.string() });

/** The checkpoint with its cosignatures: the response of both checkpoint routes. */
export const CosignedCheckpoint = z.object({
  size: z.number(),
  root: z.string(),
  note: z.string(),
  cosignatures: z.array(Cosignature),
});

const WITNESS_ROLES = new Set(["admin", "negotiator"]);

const COSIGN_DESCRIPTION =
  "`signature` is a C2SP signed-note signature line over the checkpoint's body (the note up to its " +
  "blank line), named by the organization's id and made with its Ed25519 key: " +
  "`— <org> base64(key hash ‖ signature)`, the key hash as in the note's own line. It is checked " +
  "against the organization's registered public key; an organization's first cosignature of a " +
  "checkpoint stands, and sending it again answers the same. `parley witness --cosign` makes and sends it.";

/** Only accounts that can speak for some organization may cosign; checked before the body is. */
async function speaksForAnOrganization(req: FastifyRequest): Promise<void> {
  const caller = requireCaller(req);
  if (!caller.memberships.some((m) => WITNESS_ROLES.has(m.role))) {
    fail("ROLE_REQUIRED", "cosigning takes the admin or negotiator role in the witnessing organization");
  }
}

export function witnessRoutes(api: Api): void {
  api.get(
    "/api/v1/disputes/:slug/checkpoints/:size",
    {
      schema: {
        summary: "The signed checkpoint of one tree size, with the witnesses' cosignatures",
        tags: ["ledger"],
        params: SlugSize,
        response: { 200: CosignedCheckpoint },
      },
    },
    async (req) => checkpointWithCosignatures(req.server.parley, req.params.slug, req.params.size),
  );

  api.post(
    "/api/v1/disputes/:slug/checkpoints/:size/cosignatures",
    {
      schema: {
        summary:
          "Cosign a checkpoint as a witness, for an organization the caller is an admin or negotiator of",
        description: COSIGN_DESCRIPTION,
        tags: ["ledger"],
        params: SlugSize,
        body: z.object({ org: Id, signature: z.string().min(1).max(1000) }).strict(),
        response: { 201: Cosignature.extend({ size: z.number() }) },
      },
      preValidation: speaksForAnOrganization,
    },
    async (req, reply) => {
      const caller = requireCaller(req);
      const { org, signature } = req.body;
      if (!caller.memberships.some((m) => m.org === org && WITNESS_ROLES.has(m.role))) {
        fail("ROLE_REQUIRED", `cosigning for ${org} takes the admin or negotiator role there`);
      }
      const stored = await addCosignature(
        req.server.parley,
        req.params.slug,
        req.params.size,
        org,
        signature,
      );
      return reply.code(201).send(stored);
    },
  );
}
