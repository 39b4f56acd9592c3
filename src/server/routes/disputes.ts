import { PassThrough } from "node:stream";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { Caller } from "../../app/accounts.ts";
import { checkpointWithCosignatures } from "../../app/cosignatures.ts";
import { writeExport } from "../../app/export.ts";
import { TimelineQuery } from "../../app/timeline-query.ts";
import type { Command } from "../../domain/decide.ts";
import { fail } from "../../domain/errors.ts";
import { PAYLOADS } from "../../domain/events.ts";
import { Id, Visibility } from "../../domain/values.ts";
import { containsFloat } from "../../ledger/jcs.ts";
import { requireCaller } from "../auth.ts";
import { EntryBody, type SentEntryBody } from "../entry-body.ts";
import type { Api } from "../server.ts";
import { viewerOf } from "../viewer.ts";

const Slug = z.object({ slug: Id });
const serialized = new WeakMap<object, Buffer>();
/** Each entry request's body as sent, by request (see the entries route). */
const sentBodies = new WeakMap<object, SentEntryBody>();
/** A date (the end of that day in the dispute's time zone) or an ISO instant. */
const When = z.string().max(40);

/** The most entries one batch may hold, and the largest body it may take to send them. */
export const BATCH_MOST = 1_000;
const BATCH_BODY_LIMIT = 4 * 1024 * 1024;
const BatchBody = z.strictObject({
  entries: z
    .array(EntryBody)
    .min(1)
    .max(BATCH_MOST)
    .describe("the entries in the order they are to be recorded, each as the body of POST …/entries"),
});
/** Each batch request's body as sent, by request. */
const sentBatches = new WeakMap<object, { entries: SentEntryBody[] }>();

/** Whom the caller records for: `as`, or its one negotiator membership; only negotiators record. */
function recorder(as: string | undefined, caller: Caller): { org: string; user: string } {
  const membership = as
    ? caller.memberships.find((m) => m.org === as)
    : caller.memberships.find((m) => m.role === "negotiator");
  if (!membership)
    fail("ROLE_REQUIRED", as ? `you are not a member of ${as}` : "you record for no organization");
  if (membership.role !== "negotiator") fail("ROLE_REQUIRED", "recording entries takes the negotiator role");
  return { org: membership.org, user: caller.id };
}

/**
 * Writes are refused to whoever may not record (401, 403) before the body is validated, so
 * that no one else learns even what a valid request looks like; the handler asks again with
 * the validated `as`. `entries` are the entry bodies as sent, each naming its `as` or none.
 */
function recordersOnly(req: FastifyRequest, entries: unknown[]): void {
  const caller = requireCaller(req);
  for (const entry of entries) {
    const as = (entry as { as?: unknown } | null)?.as;
    recorder(typeof as === "string" ? as : undefined, caller);
  }
}

/** The command an entry body asks for, recorded for its `as` (or the caller's one membership). */
function commandOf({ as, occurredAt, type, visibility, payload }: SentEntryBody, caller: Caller): Command {
  return { type, visibility, payload, occurredAt, actor: recorder(as, caller) };
}

/** Decimal strings only: a float is refused with its own code before anything else looks. */
function refuseFloats(body: unknown): void {
  const at = containsFloat(body);
  if (at !== null) fail("FLOAT_IN_PAYLOAD", `a floating-point number at ${at.replace(/^\$/, "body")}`);
}

export function disputeRoutes(api: Api): void {
  api.get(
    "/api/v1/disputes",
    { schema: { summary: "Every dispute on this server", tags: ["disputes"] } },
    async (req) => ({
      disputes: (await req.server.parley.disputes()).map((d) => ({ slug: d.slug, origin: d.origin })),
    }),
  );

  api.post(
    "/api/v1/disputes",
    {
      schema: {
        summary: "Open a dispute: its first entry, signed by the caller's organization",
        tags: ["disputes"],
        body: z
          .object({
            slug: Id,
            occurredAt: z.string().max(40),
            visibility: Visibility.default("public"),
            payload: PAYLOADS["dispute.opened"],
            as: Id.optional(),
          })
          .strict(),
      },
      preValidation: async (req) => recordersOnly(req, [req.body]),
    },
    async (req, reply) => {
      const actor = recorder(req.body.as, requireCaller(req));
      const { slug, occurredAt, visibility, payload } = req.body;
      const opened = await req.server.parley.openDispute(slug, actor, { occurredAt, visibility, payload });
      return reply.code(201).send(opened);
    },
  );

  api.get(
    "/api/v1/disputes/:slug",
    {
      schema: {
        summary: "The dispute at a glance, as the caller may see it (the content of `parley status --json`)",
        tags: ["disputes"],
        params: Slug,
        querystring: z.object({ asOf: When.optional(), recordedBy: When.optional() }).strict(),
      },
    },
    async (req, reply) => {
      const { slug } = req.params;
      const viewer = await viewerOf(req.server.parley, slug, req.caller);
      const status = await req.server.parley.status(slug, viewer, req.query.asOf, req.query.recordedBy);
      // Parley hands out the same object while its cache holds: so does this its encoded JSON.
      let json = serialized.get(status);
      if (json === undefined) {
        json = Buffer.from(JSON.stringify(status));
        serialized.set(status, json);
      }
      return reply.type("application/json; charset=utf-8").send(json);
    },
  );

  // Parts of the summary that clients ask for alone; the status cache serves all of them.
  const parts = [
    {
      path: "moves",
      key: "moves",
      summary:
        "Whose move it is: each open issue and meeting request awaiting a side, since when, for how many days",
    },
    {
      path: "response-times",
      key: "responseTimes",
      summary: "Per side, how long it took to answer the other's moves (count, average and longest, in days)",
    },
  ] as const;
  for (const part of parts) {
    api.get(
      `/api/v1/disputes/:slug/${part.path}`,
      {
        schema: {
          summary: part.summary,
          tags: ["disputes"],
          params: Slug,
          querystring: z.object({ asOf: When.optional() }).strict(),
        },
      },
      async (req) => {
        const { slug } = req.params;
        const viewer = await viewerOf(req.server.parley, slug, req.caller);
        const status = await req.server.parley.status(slug, viewer, req.query.asOf);
        return { dispute: status.dispute, asOf: status.asOf, [part.key]: status[part.key] };
      },
    );
  }

  api.get(
    "/api/v1/disputes/:slug/timeline",
    {
      schema: {
        summary: "The dispute's entries in occurrence order, as the caller may see them, a page at a time",
        tags: ["disputes"],
        params: Slug,
        querystring: TimelineQuery,
      },
    },
    async (req) => {
      const { slug } = req.params;
      const viewer = await viewerOf(req.server.parley, slug, req.caller);
      return req.server.parley.timeline(slug, viewer, req.query);
    },
  );

  api.get(
    "/api/v1/disputes/:slug/passes/:seq/redlines",
    {
      schema: {
        summary:
          "Word-level redlines of a pass: against the same side's previous pass on each issue and the other side's latest",
        tags: ["disputes"],
        params: Slug.extend({ seq: z.coerce.number().int().min(0) }),
      },
    },
    async (req) => {
      const { slug, seq } = req.params;
      const viewer = await viewerOf(req.server.parley, slug, req.caller);
      return req.server.parley.redlines(slug, seq, viewer);
    },
  );

  api.post(
    "/api/v1/disputes/:slug/entries",
    {
      schema: {
        summary: "Record an entry (a pass, a meeting, a statement…) as the caller's organization",
        description:
          "The body is one of the entry types below, told apart by `type`, each with its payload. It is checked here, then by the dispute's rules (a 422 names the rule), signed with the organization's key and appended to the dispute's ledger.",
        tags: ["disputes"],
        params: Slug,
        body: EntryBody,
      },
      preValidation: async (req) => {
        recordersOnly(req, [req.body]);
        refuseFloats(req.body);
        // Kept before validation replaces req.body with its parsed form; the handler, which
        // runs only once validation passed, reads it as a valid body as sent.
        sentBodies.set(req, req.body as SentEntryBody);
      },
    },
    async (req, reply) => {
      // The domain gets what the client sent, not the edge's parse (defaults filled, instants
      // normalized): it parses the payload itself, so the signed entry is what it alone makes
      // of the request, as when the edge did not look inside payloads.
      const recorded = await req.server.parley.execute(
        req.params.slug,
        commandOf(sentBodies.get(req)!, requireCaller(req)),
      );
      return reply.code(201).send(recorded);
    },
  );

  api.post(
    "/api/v1/disputes/:slug/entries/batch",
    {
      schema: {
        summary: `Record up to ${BATCH_MOST.toLocaleString("en-US")} entries at once, all or none (back-fill)`,
        description:
          "Each entry is checked as by POST …/entries, then all are decided in order (each seeing the ones before it), signed and appended in one transaction under one checkpoint. If any is refused, none is recorded, and the error names it (`details.entry`, counted from 0). For back-filling a record kept elsewhere: give each entry its `occurredAt`.",
        tags: ["disputes"],
        params: Slug,
        body: BatchBody,
      },
      bodyLimit: BATCH_BODY_LIMIT,
      preValidation: async (req) => {
        // Every organization the batch would record for; with no entries, the caller's own.
        const entries = (req.body as { entries?: unknown } | null)?.entries;
        recordersOnly(req, Array.isArray(entries) && entries.length > 0 ? entries : [null]);
        refuseFloats(req.body);
        sentBatches.set(req, req.body as { entries: SentEntryBody[] });
      },
    },
    async (req, reply) => {
      const caller = requireCaller(req);
      const commands = sentBatches.get(req)!.entries.map((body) => commandOf(body, caller));
      const recorded = await req.server.parley.executeBatch(req.params.slug, commands);
      return reply.code(201).send({ entries: recorded });
    },
  );

  api.get(
    "/api/v1/disputes/:slug/export",
    {
      schema: {
        summary:
          "The caller's export (JSON Lines): in full what it may see, leaf hashes of the rest, the checkpoint and keys",
        description:
          "The file `parley export` writes for the same viewer; `parley verify FILE` checks it with nothing else.",
        tags: ["ledger"],
        params: Slug,
      },
    },
    async (req, reply) => {
      const { slug } = req.params;
      const parley = req.server.parley;
      await parley.disputeRow(slug); // unknown: a 404 before any line is sent
      const viewer = await viewerOf(parley, slug, req.caller);
      const out = new PassThrough();
      writeExport(parley, slug, viewer, out).then(
        () => out.end(),
        (err: unknown) => {
          req.log.error({ err }, "export failed part way");
          out.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
      return reply
        .type("application/x-ndjson; charset=utf-8")
        .header("content-disposition", `attachment; filename="${slug}.jsonl"`)
        .send(out);
    },
  );

  api.get(
    "/api/v1/disputes/:slug/checkpoint",
    {
      schema: {
        summary: "The latest signed checkpoint (C2SP signed note), with its witnesses' cosignatures",
        tags: ["ledger"],
        params: Slug,
      },
    },
    async (req) => checkpointWithCosignatures(req.server.parley, req.params.slug),
  );

  api.get(
    "/api/v1/disputes/:slug/proofs/inclusion",
    {
      schema: {
        summary: "An RFC 9162 inclusion proof for one entry",
        tags: ["ledger"],
        params: Slug,
        querystring: z.object({
          seq: z.coerce.number().int().min(0),
          size: z.coerce.number().int().min(1).optional(),
        }),
      },
    },
    async (req) => {
      const p = await req.server.parley.inclusionProof(req.params.slug, req.query.seq, req.query.size);
      return { ...p, proof: p.proof.map((h) => Buffer.from(h).toString("base64")) };
    },
  );

  api.get(
    "/api/v1/disputes/:slug/proofs/consistency",
    {
      schema: {
        summary: "An RFC 9162 consistency proof between two tree sizes",
        tags: ["ledger"],
        params: Slug,
        querystring: z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0) }),
      },
    },
    async (req) => {
      const p = await req.server.parley.consistencyProof(req.params.slug, req.query.from, req.query.to);
      return { ...p, proof: p.proof.map((h) => Buffer.from(h).toString("base64")) };
    },
  );
}
