import { z } from "zod";
import { NewWebhook, Webhooks } from "../../app/webhooks.ts";
import { Id } from "../../domain/values.ts";
import { adminsOfOrg, requireCaller } from "../auth.ts";
import type { Api } from "../server.ts";

const Org = z.object({ org: Id });
const OrgHook = Org.extend({ id: Id });

const Webhook = z.object({
  id: z.string(),
  url: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
});

const Delivery = z.object({
  id: z.string(),
  dispute: z.string(),
  seq: z.number(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});

const DELIVERY_DESCRIPTION =
  "Each new entry the organization may see (as its negotiators do) is POSTed as JSON " +
  "`{dispute, seq, type, entry, signature}` (`entry` the signed entry, `signature` its author's Ed25519 " +
  "signature) with `X-Parley-Event: entry`, `X-Parley-Delivery: <id>` (the same on every retry) and " +
  "`X-Parley-Signature: sha256=<hex HMAC-SHA256 of the body under the webhook's secret>`. A 2xx answer " +
  "delivers it; anything else is retried with exponential backoff, then marked failed.";

export function webhookRoutes(api: Api): void {
  const webhooks = new Webhooks(api.parley.db, () => new Date(api.parley.now()));

  api.post(
    "/api/v1/orgs/:org/webhooks",
    {
      schema: {
        summary: "Register a webhook for the organization; its secret is shown in this response only",
        description: DELIVERY_DESCRIPTION,
        tags: ["webhooks"],
        params: Org,
        body: NewWebhook,
        response: { 201: z.object({ id: z.string(), url: z.string(), secret: z.string() }) },
      },
      preValidation: adminsOfOrg,
    },
    async (req, reply) => {
      const created = await webhooks.create(req.params.org, requireCaller(req).id, req.body);
      return reply.code(201).send(created);
    },
  );

  api.get(
    "/api/v1/orgs/:org/webhooks",
    {
      schema: {
        summary: "The organization's webhooks, disabled ones included (never their secrets)",
        tags: ["webhooks"],
        params: Org,
        response: { 200: z.object({ webhooks: z.array(Webhook) }) },
      },
      preValidation: adminsOfOrg,
    },
    async (req) => {
      return { webhooks: await webhooks.list(req.params.org) };
    },
  );

  api.delete(
    "/api/v1/orgs/:org/webhooks/:id",
    {
      schema: {
        summary: "Disable a webhook: nothing more is sent to it; its delivery log stays",
        tags: ["webhooks"],
        params: OrgHook,
      },
      preValidation: adminsOfOrg,
    },
    async (req, reply) => {
      await webhooks.disable(req.params.org, req.params.id);
      return reply.code(204).send();
    },
  );

  api.get(
    "/api/v1/orgs/:org/webhooks/:id/deliveries",
    {
      schema: {
        summary: "A webhook's delivery log, newest first",
        tags: ["webhooks"],
        params: OrgHook,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict(),
        response: { 200: z.object({ deliveries: z.array(Delivery) }) },
      },
      preValidation: adminsOfOrg,
    },
    async (req) => {
      return { deliveries: await webhooks.deliveries(req.params.org, req.params.id, req.query.limit) };
    },
  );
}
