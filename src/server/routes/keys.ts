import { z } from "zod";
import { fail } from "../../domain/errors.ts";
import { Id } from "../../domain/values.ts";
import { adminsOfOrg } from "../auth.ts";
import type { Api } from "../server.ts";

const Org = z.object({ org: Id });

/** A signing key as routes show it: what a verifier needs of each key an entry names. */
export const SigningKey = z.object({
  keyId: z.string(),
  /** The raw 32-byte Ed25519 public key, in standard base64. */
  publicKey: z.string(),
  createdAt: z.string(),
  /** When a rotation replaced it; null for the organization's current key. */
  retiredAt: z.string().nullable(),
});

const Rotated = z.object({
  org: z.string(),
  keyId: z.string(),
  publicKey: z.string(),
  createdAt: z.string(),
  retired: z.array(z.object({ keyId: z.string(), retiredAt: z.string() })),
});

/** An organization's signing keys: every one of them to read, and a new one for its admins. */
export function keyRoutes(api: Api): void {
  api.get(
    "/api/v1/orgs/:org/keys",
    {
      schema: {
        summary: "Every signing key of the organization, retired ones included, oldest first",
        description:
          "Public by design: whoever holds a copy of the record needs each key an entry names, " +
          "and when it was retired, to check it. An entry signed with a key and recorded after " +
          "that key's retirement does not verify.",
        tags: ["organizations"],
        params: Org,
        response: { 200: z.object({ org: z.string(), keys: z.array(SigningKey) }) },
      },
    },
    async (req) => {
      const parley = req.server.parley;
      if (!(await parley.organization(req.params.org)))
        fail("ORG_UNKNOWN", `unknown organization ${req.params.org}`);
      return { org: req.params.org, keys: await parley.signingKeys(req.params.org) };
    },
  );

  api.post(
    "/api/v1/orgs/:org/keys/rotate",
    {
      schema: {
        summary: "Replace the organization's signing key (its admins only)",
        description:
          "The organization signs with the new key from now on. Its old key is retired: its " +
          "private half is destroyed, its public half stays listed with the retirement time, so " +
          "everything it signed before goes on verifying.",
        tags: ["organizations"],
        params: Org,
        response: { 201: Rotated },
      },
      // Before the organization is looked up, as on every admin route. Only a registered
      // organization can have admins, so an unknown one is refused here (401/403); the 404 of
      // Parley.rotateKey guards its other callers.
      preValidation: adminsOfOrg,
    },
    async (req, reply) => reply.code(201).send(await req.server.parley.rotateKey(req.params.org)),
  );
}
