import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  BulkModeration,
  COMMENT_STATUSES,
  CommentId,
  CommentSettingsSchema,
  NOTIFY_FIELD,
  QueueQuery,
  ThreadQuery,
} from "../../app/comments.ts";
import { COMMENT_FIELD, commentFormError } from "../../domain/comment.ts";
import { ParleyError } from "../../domain/errors.ts";
import { PostSlug } from "../../domain/post.ts";
import { operatorsOnly, requireCaller } from "../auth.ts";
import type { Api } from "../server.ts";

/**
 * The answers' shapes. Serialized through them, an answer carries only the fields named here:
 * whatever else a view might hold never reaches a client, and the public answers name no field
 * that could carry an address.
 */
const PublicCommentFields = {
  id: z.string(),
  parentId: z.string().nullable(),
  depth: z.number().int(),
  name: z.string(),
  website: z.string().nullable(),
  html: z.string().describe("the comment as sanitized HTML"),
  avatar: z.string().describe("a data: URL of an image drawn here (no third party sees the reader)"),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  removed: z
    .boolean()
    .describe(
      "an empty place kept for the approved replies under a comment no longer shown; its fields are empty",
    ),
};
const PublicCommentAnswer = z.object(PublicCommentFields);

type ThreadNode = z.infer<typeof PublicCommentAnswer> & { replies: ThreadNode[] };
const ThreadCommentAnswer: z.ZodType<ThreadNode> = z.object({
  ...PublicCommentFields,
  get replies() {
    return z.array(ThreadCommentAnswer);
  },
});

const ThreadAnswer = z.object({
  comments: z.array(ThreadCommentAnswer),
  total: z.number().int().describe("approved comments on the post"),
  threads: z.number().int(),
  order: z.enum(["oldest", "newest"]),
  page: z.number().int(),
  perPage: z.number().int(),
  pages: z.number().int(),
  form: z.object({
    open: z.boolean(),
    closesAt: z.string().nullable(),
    maxDepth: z.number().int(),
    token: z.string().describe(`for the form's \`${COMMENT_FIELD.formToken}\` field`),
  }),
});

const ModerationCommentAnswer = z.object({
  id: z.string(),
  post: z.object({ slug: z.string(), title: z.string() }),
  parentId: z.string().nullable(),
  depth: z.number().int(),
  status: z.enum(COMMENT_STATUSES),
  reasons: z.array(z.string()).describe("why the rules held it or marked it as spam"),
  name: z.string(),
  email: z.string().describe("for the post's moderators only"),
  website: z.string().nullable(),
  body: z.string().describe("the text as typed"),
  html: z.string(),
  avatar: z.string(),
  byModerator: z.boolean(),
  notifyReplies: z.boolean(),
  createdAt: z.string(),
  approvedAt: z.string().nullable(),
  editedAt: z.string().nullable(),
});

const LogAnswer = z.object({
  action: z.string(),
  actor: z.object({ id: z.string(), name: z.string() }).nullable(),
  at: z.string(),
  note: z.string().nullable(),
});

const ExportAnswer = z.object({
  comments: z.array(
    z.object({
      id: z.string(),
      post: z.object({ slug: z.string(), title: z.string() }),
      parentId: z.string().nullable(),
      status: z.enum(["published", "awaiting moderation", "removed"]),
      name: z.string(),
      website: z.string().nullable(),
      text: z.string(),
      createdAt: z.string(),
      editedAt: z.string().nullable(),
    }),
  ),
});

const formField = (description: string) => z.unknown().optional().describe(description);

/** The comment form as JSON; its fields are checked by the form's own parser, field by field. */
const SubmitBody = z.looseObject({
  [COMMENT_FIELD.comment]: formField("the comment (required; plain text, links and *emphasis*)"),
  [COMMENT_FIELD.name]: formField("the commenter's name (required; shown)"),
  [COMMENT_FIELD.email]: formField("the commenter's address (required; never shown)"),
  [COMMENT_FIELD.website]: formField("an http(s) address (optional; shown as the name's link)"),
  [COMMENT_FIELD.parent]: formField("the id of the comment replied to"),
  [COMMENT_FIELD.formToken]: formField("the `form.token` of GET …/comments"),
  [COMMENT_FIELD.remember]: formField('"on" to keep the details in the browser (pages only)'),
  [NOTIFY_FIELD]: formField('"on" to be mailed replies to this comment once approved'),
  [COMMENT_FIELD.honeypot]: formField("leave out: filled in only by bots"),
});

const CommentText = z.object({ body: z.string().max(20_000).describe("the text as typed") }).strict();
const Token = z.object({ token: z.string().max(2_000) });
const PrivacyRequest = z
  .object({
    email: z.string().max(300),
    kind: z.enum(["export", "erase"]),
  })
  .strict();

const PRIVACY_ANSWER = {
  status: "If comments were left with this address, a link has been mailed to it.",
};

/** Writes need a signed-in caller: refused (401) before the body is looked at. */
async function signedIn(req: FastifyRequest): Promise<void> {
  requireCaller(req);
}

/** A rate-limited comment tells the client when to try again (an HTTP Retry-After). */
function withRetryAfter(reply: FastifyReply, err: unknown): never {
  const retry = err instanceof ParleyError ? err.details?.retryAfterSeconds : undefined;
  if (typeof retry === "number") reply.header("retry-after", String(retry));
  throw err;
}

export function commentRoutes(api: Api): void {
  api.get(
    "/api/v1/posts/:slug/comments",
    {
      schema: {
        summary: "A post's approved comments, a page of threads at a time",
        description:
          "Each top-level comment comes with every reply under it (a thread is never split across pages). `form` says whether the post takes comments now and carries the token the comment form sends back.",
        tags: ["comments"],
        params: z.object({ slug: PostSlug }),
        querystring: ThreadQuery,
        response: { 200: ThreadAnswer },
      },
    },
    async (req) => {
      const comments = req.server.comments;
      const thread = await comments.thread(req.params.slug, req.query, req.caller);
      return { ...thread, form: await comments.form(req.params.slug, req.caller) };
    },
  );

  api.post(
    "/api/v1/posts/:slug/comments",
    {
      schema: {
        summary: "Leave a comment on a post",
        description:
          "201 with the comment when it is shown at once; 202 when it awaits moderation. Field errors are VALIDATION_FAILED with `details.fields` ([{field, message}]); a form sent sooner than a person writes is COMMENT_TOO_FAST, one without a valid token (missing, forged, for another post or over a day old) COMMENT_FORM_EXPIRED: send it again with a fresh `form.token`; COMMENT_RATE_LIMITED comes with Retry-After.",
        tags: ["comments"],
        params: z.object({ slug: PostSlug }),
        body: SubmitBody,
        response: {
          201: z.object({ status: z.literal("approved"), comment: PublicCommentAnswer }),
          202: z.object({ status: z.literal("awaiting moderation") }),
        },
      },
    },
    async (req, reply) => {
      const result = await req.server.comments
        .submit({
          postSlug: req.params.slug,
          form: req.body,
          ip: req.ip,
          ...(req.headers["user-agent"] ? { userAgent: req.headers["user-agent"] } : {}),
        })
        .catch((err: unknown) => withRetryAfter(reply, err));
      if ("fieldErrors" in result) throw commentFormError(result.fieldErrors);
      if (result.outcome === "approved" && result.comment) {
        return reply.code(201).send({ status: "approved" as const, comment: result.comment });
      }
      return reply.code(202).send({ status: "awaiting moderation" as const });
    },
  );

  api.get(
    "/api/v1/moderation/comments",
    {
      schema: {
        summary: "The moderation queue: comments under the posts the caller moderates, newest first",
        description:
          "For the admins and negotiators of a post's organization and the server's operators (MODERATOR_ONLY for anyone else). The only answer that carries commenters' addresses.",
        tags: ["comments"],
        querystring: QueueQuery,
        response: {
          200: z.object({
            comments: z.array(ModerationCommentAnswer),
            total: z.number().int(),
            page: z.number().int(),
            perPage: z.number().int(),
          }),
        },
      },
      preValidation: signedIn,
    },
    async (req) => req.server.comments.queue(requireCaller(req), req.query),
  );

  api.post(
    "/api/v1/moderation/comments",
    {
      schema: {
        summary: "Approve, hold, mark as spam, trash or restore comments, all or none",
        tags: ["comments"],
        body: BulkModeration,
        response: {
          200: z.object({ changed: z.array(z.string()).describe("the comments whose status changed") }),
        },
      },
      preValidation: signedIn,
    },
    async (req) => req.server.comments.moderate(requireCaller(req), req.body.ids, req.body.action),
  );

  api.patch(
    "/api/v1/moderation/comments/:id",
    {
      schema: {
        summary: "Edit a comment's text (its post's moderators)",
        tags: ["comments"],
        params: z.object({ id: CommentId }),
        body: CommentText,
        response: { 200: ModerationCommentAnswer },
      },
      preValidation: signedIn,
    },
    async (req) => req.server.comments.edit(requireCaller(req), req.params.id, req.body.body),
  );

  api.post(
    "/api/v1/moderation/comments/:id/replies",
    {
      schema: {
        summary: "Reply as a moderator: shown at once, under the account's name",
        description: "Replying to a held comment approves it.",
        tags: ["comments"],
        params: z.object({ id: CommentId }),
        body: CommentText,
        response: { 201: PublicCommentAnswer },
      },
      preValidation: signedIn,
    },
    async (req, reply) =>
      reply.code(201).send(await req.server.comments.reply(requireCaller(req), req.params.id, req.body.body)),
  );

  api.get(
    "/api/v1/moderation/comments/:id/log",
    {
      schema: {
        summary: "What moderators did to a comment, and when",
        tags: ["comments"],
        params: z.object({ id: CommentId }),
        response: { 200: z.object({ log: z.array(LogAnswer) }) },
      },
      preValidation: signedIn,
    },
    async (req) => ({ log: await req.server.comments.log(requireCaller(req), req.params.id) }),
  );

  api.get(
    "/api/v1/comment-settings",
    {
      schema: {
        summary: "The site's moderation settings (the server's operators)",
        tags: ["comments"],
        response: { 200: CommentSettingsSchema },
      },
      preValidation: operatorsOnly,
    },
    async (req) => req.server.comments.settings(),
  );

  api.put(
    "/api/v1/comment-settings",
    {
      schema: {
        summary: "Replace the site's moderation settings (the server's operators)",
        description: "A setting left out takes its default.",
        tags: ["comments"],
        body: CommentSettingsSchema,
        response: { 200: CommentSettingsSchema },
      },
      preValidation: operatorsOnly,
    },
    async (req) => req.server.comments.updateSettings(requireCaller(req), req.body),
  );

  api.post(
    "/api/v1/comments/privacy-requests",
    {
      schema: {
        summary: "Ask for a copy of one's comments, or their erasure, by a link mailed to the address",
        description:
          "Always 202 with the same answer, whether or not the address left any comment: it tells nobody anything about the address.",
        tags: ["comments"],
        body: PrivacyRequest,
        response: { 202: z.object({ status: z.string() }) },
      },
      // Mail goes only to addresses that left comments, so this bounds how often one of them
      // can be mailed by someone else, not who can be mailed.
      config: { rateLimit: { max: 10, timeWindow: "1 minute" } },
    },
    async (req, reply) => {
      const comments = req.server.comments;
      if (req.body.kind === "export") await comments.requestExport(req.body.email);
      else await comments.requestErasure(req.body.email);
      return reply.code(202).send(PRIVACY_ANSWER);
    },
  );

  api.get(
    "/api/v1/comments/privacy/export",
    {
      schema: {
        summary: "The comments left with an address, by the link mailed to it",
        tags: ["comments"],
        querystring: Token,
        response: { 200: ExportAnswer },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      return req.server.comments.exportFor(req.query.token);
    },
  );

  api.post(
    "/api/v1/comments/privacy/erase",
    {
      schema: {
        summary: "Erase the comments left with an address, by the link mailed to it",
        description:
          "A comment without replies is deleted; one with replies stays as an empty place in its thread, without its text, name, address or website.",
        tags: ["comments"],
        querystring: Token,
        response: { 200: z.object({ deleted: z.number().int(), emptied: z.number().int() }) },
      },
    },
    async (req) => req.server.comments.eraseFor(req.query.token),
  );

  // One-click unsubscribe (RFC 8058): mail programs POST `List-Unsubscribe=One-Click` as a form,
  // a body the JSON API otherwise refuses; it is accepted, and ignored, on this route alone.
  api.register(async (scope: FastifyInstance) => {
    scope.addContentTypeParser(
      ["application/x-www-form-urlencoded", "multipart/form-data"],
      { parseAs: "string", bodyLimit: 4_096 },
      (_req, _body, done) => done(null, {}),
    );
    (scope as unknown as Api).post(
      "/api/v1/comments/unsubscribe",
      {
        schema: {
          summary: "Stop mails about replies to one comment (the link in each such mail)",
          description:
            "One click, no sign-in: the token in the link names the comment and proves the mail came from here.",
          tags: ["comments"],
          querystring: Token,
          response: { 200: z.object({ unsubscribed: z.literal(true) }) },
        },
      },
      async (req) => {
        await req.server.comments.unsubscribe((req.query as { token: string }).token);
        return { unsubscribed: true as const };
      },
    );
  });
}
