import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { z } from "zod";
import { fail } from "../domain/errors.ts";
import type { Database } from "../store/schema.ts";
import type { Viewer } from "./visibility.ts";

/**
 * Webhooks: an organization's admins register URLs, and each new entry that the organization
 * may see is POSTed to each of its active webhooks, signed with HMAC-SHA256 under a secret
 * shown once at registration, retried with exponential backoff, and logged.
 */

/**
 * http or https only (fetch would not send credentials embedded in a URL, so those are refused
 * here rather than failing every delivery). Loopback and private addresses are accepted: an
 * installation may well post to its own network, and only an admin can register one.
 */
export const WebhookUrl = z
  .url({ protocol: /^https?$/, normalize: true, error: "an http or https URL" })
  .max(2048)
  .refine((u) => {
    // zod runs this even when the URL check failed; that failure is already reported.
    const parsed = URL.canParse(u) ? new URL(u) : null;
    return parsed === null || (parsed.username === "" && parsed.password === "");
  }, "a URL without a user name or password");

export const NewWebhook = z.object({ url: WebhookUrl }).strict();
export type NewWebhook = z.input<typeof NewWebhook>;

export interface WebhookInfo {
  id: string;
  url: string;
  createdBy: string;
  createdAt: string;
  disabledAt: string | null;
}

export interface DeliveryInfo {
  id: string;
  dispute: string;
  seq: number;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** When the next attempt is due; null once the delivery is settled. */
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** Ids fit the API's `Id` (lowercase, digits, dashes), so they can be path parameters. */
export const newId = (prefix: string) => `${prefix}-${randomBytes(12).toString("hex")}`;

/**
 * The organization as its webhooks see the record: as its negotiators do. Registering a
 * webhook takes the admin role, and an admin manages the organization's memberships, so it
 * could make itself a negotiator anyway: seeing what negotiators see grants it nothing new,
 * while a member-level view would leave out the table, which is what such integrations
 * (the bargaining team's own tools) are for.
 */
export function webhookViewer(org: string): Viewer {
  return { kind: "org", org, role: "negotiator" };
}

/** Registration, listing, disabling, and the delivery log, all scoped to one organization. */
export class Webhooks {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date,
  ) {}

  /** Registers a webhook; the secret is returned here once and never again. */
  async create(
    org: string,
    createdBy: string,
    input: NewWebhook,
  ): Promise<{ id: string; url: string; secret: string }> {
    const parsed = NewWebhook.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail("VALIDATION_FAILED", issue ? `${issue.path.join(".")}: ${issue.message}` : undefined);
    }
    const known = await this.db
      .selectFrom("organizations")
      .select("id")
      .where("id", "=", org)
      .executeTakeFirst();
    if (!known) fail("ORG_UNKNOWN", `unknown organization ${org}`);
    const hook = {
      id: newId("wh"),
      url: parsed.data.url,
      secret: `whsec_${randomBytes(32).toString("base64url")}`,
    };
    await this.db
      .insertInto("webhooks")
      .values({
        ...hook,
        org_id: org,
        created_by: createdBy,
        created_at: this.clock().toISOString(),
        disabled_at: null,
      })
      .execute();
    return hook;
  }

  /** The organization's webhooks, disabled ones included (their logs stay readable), never secrets. */
  async list(org: string): Promise<WebhookInfo[]> {
    const rows = await this.db
      .selectFrom("webhooks")
      .select(["id", "url", "created_by", "created_at", "disabled_at"])
      .where("org_id", "=", org)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      url: r.url,
      createdBy: r.created_by,
      createdAt: r.created_at,
      disabledAt: r.disabled_at,
    }));
  }

  /** Stops deliveries to a webhook; those still pending are given up when next due. */
  async disable(org: string, id: string): Promise<void> {
    const r = await this.db
      .updateTable("webhooks")
      .set({ disabled_at: this.clock().toISOString() })
      .where("id", "=", id)
      .where("org_id", "=", org)
      .where("disabled_at", "is", null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) fail("WEBHOOK_UNKNOWN");
  }

  /** A webhook's deliveries, newest first. Another organization's webhook is unknown here. */
  async deliveries(org: string, id: string, limit: number): Promise<DeliveryInfo[]> {
    const hook = await this.db
      .selectFrom("webhooks")
      .select("id")
      .where("id", "=", id)
      .where("org_id", "=", org)
      .executeTakeFirst();
    if (!hook) fail("WEBHOOK_UNKNOWN");
    const rows = await this.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("webhook_id", "=", id)
      .orderBy("created_at", "desc")
      .orderBy("seq", "desc")
      .orderBy("dispute")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      dispute: r.dispute,
      seq: r.seq,
      status: r.status,
      attempts: r.attempts,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      nextAttemptAt: r.status === "pending" ? r.next_attempt_at : null,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
    }));
  }
}
