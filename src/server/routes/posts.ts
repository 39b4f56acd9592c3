import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { PostListQuery } from "../../app/posts.ts";
import { POST_STATUSES, PostDraft, PostEdit, PostSlug, PublishRequest } from "../../domain/post.ts";
import { requireCaller } from "../auth.ts";
import type { Api } from "../server.ts";

const Slug = z.object({ slug: PostSlug });

const Author = z.object({ id: z.string(), name: z.string() });

/**
 * The answers' shapes. Serialized through them, an answer carries only the fields named
 * here: whatever else a view might hold (an email above all) never reaches a client.
 */
const PostFields = {
  slug: z.string(),
  dispute: z.string(),
  org: z.string(),
  orgName: z.string(),
  author: Author,
  title: z.string(),
  tags: z.array(z.string()),
  citations: z.array(z.number().int()).describe("sequence numbers of the cited public entries"),
  status: z.enum(POST_STATUSES),
  publishAt: z.string().nullable(),
  publishedAt: z.string().nullable().describe("the first publication instant, once it has happened"),
  updatedAt: z.string().nullable().describe("the last revision saved after first publication"),
  createdAt: z.string(),
  revision: z.number().int(),
  live: z.boolean(),
  commentsOpen: z.boolean(),
};
const PostAnswer = z.object({ ...PostFields, body: z.string().describe("markdown") });
const PostSummaryAnswer = z.object({
  ...PostFields,
  excerpt: z.string().describe("the body's opening as plain text"),
});
const RevisionAnswer = z.object({
  revision: z.number().int(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  citations: z.array(z.number().int()),
  author: Author,
  createdAt: z.string(),
  current: z.boolean(),
});
const CitationAnswer = z.object({
  seq: z.number().int(),
  type: z.string(),
  label: z.string(),
  occurredAt: z.string(),
  summary: z.string(),
  leafHash: z.string().describe("the entry's RFC 9162 leaf hash, hex"),
  proofUrl: z.string().describe("its inclusion proof in the dispute's current tree"),
  correction: z
    .object({ action: z.enum(["correct", "retract"]), by: z.number().int(), at: z.string() })
    .nullable()
    .describe("set when the entry was later corrected or retracted"),
});

/** Writes need a signed-in caller: refused (401) before the body is looked at. */
async function signedIn(req: FastifyRequest): Promise<void> {
  requireCaller(req);
}

export function postRoutes(api: Api): void {
  api.get(
    "/api/v1/posts",
    {
      schema: {
        summary: "Published news posts, newest first, a page at a time",
        description: "Only posts that are live now. Pass `next` as `before` for the following page.",
        tags: ["posts"],
        querystring: PostListQuery,
        response: { 200: z.object({ posts: z.array(PostSummaryAnswer), next: z.string().nullable() }) },
      },
    },
    async (req) => req.server.posts.listPublished(req.query),
  );

  api.post(
    "/api/v1/posts",
    {
      schema: {
        summary: "Write a draft post about a dispute",
        description:
          "For one of the caller's organizations: a press outlet, or a party to the dispute. Citations must be public entries of that dispute (CITATION_UNKNOWN otherwise). The address is made from the title unless `slug` is given; a made one that is taken gets -2, -3…",
        tags: ["posts"],
        body: PostDraft,
        response: { 201: PostAnswer },
      },
      preValidation: signedIn,
    },
    async (req, reply) => reply.code(201).send(await req.server.posts.create(requireCaller(req), req.body)),
  );

  api.get(
    "/api/v1/posts/:slug",
    {
      schema: {
        summary: "One post",
        description:
          "A draft, scheduled or unpublished post exists only for its author and its organization's editors (POST_UNKNOWN for everyone else).",
        tags: ["posts"],
        params: Slug,
        response: { 200: PostAnswer },
      },
    },
    async (req) => req.server.posts.get(req.caller, req.params.slug),
  );

  api.patch(
    "/api/v1/posts/:slug",
    {
      schema: {
        summary: "Edit a post: a new revision, based on the one given",
        description:
          "Its organization's editors may edit it at any time; its author while it is a draft. An edit based on an older revision than the post's is refused (POST_STALE).",
        tags: ["posts"],
        params: Slug,
        body: PostEdit,
        response: { 200: PostAnswer },
      },
      preValidation: signedIn,
    },
    async (req) => req.server.posts.edit(requireCaller(req), req.params.slug, req.body),
  );

  api.post(
    "/api/v1/posts/:slug/publish",
    {
      schema: {
        summary: "Publish a post now, or schedule it (its organization's editors)",
        tags: ["posts"],
        params: Slug,
        body: PublishRequest,
        response: { 200: PostAnswer },
      },
      preValidation: async (req) => {
        await signedIn(req);
        // Publishing now needs nothing more, so a request without a body means `{}`.
        req.body ??= {};
      },
    },
    async (req) => req.server.posts.publish(requireCaller(req), req.params.slug, req.body),
  );

  api.post(
    "/api/v1/posts/:slug/unpublish",
    {
      schema: {
        summary: "Take a post off the site, or call off its schedule (its organization's editors)",
        tags: ["posts"],
        params: Slug,
        response: { 200: PostAnswer },
      },
      preValidation: signedIn,
    },
    async (req) => req.server.posts.unpublish(requireCaller(req), req.params.slug),
  );

  api.get(
    "/api/v1/posts/:slug/revisions",
    {
      schema: {
        summary: "Every saved version of a post, newest first (its author and its organization's editors)",
        tags: ["posts"],
        params: Slug,
        response: { 200: z.object({ revisions: z.array(RevisionAnswer) }) },
      },
      preValidation: signedIn,
    },
    async (req) => ({ revisions: await req.server.posts.revisions(requireCaller(req), req.params.slug) }),
  );

  api.get(
    "/api/v1/posts/:slug/citations",
    {
      schema: {
        summary: "The ledger entries a post cites, as the public sees them, each with its proof",
        tags: ["posts"],
        params: Slug,
        response: { 200: z.object({ citations: z.array(CitationAnswer) }) },
      },
    },
    async (req) => {
      const post = await req.server.posts.get(req.caller, req.params.slug);
      return { citations: await req.server.posts.citations(post) };
    },
  );

  api.get(
    "/api/v1/my/posts",
    {
      schema: {
        summary: "Every post the caller may edit: its organizations' (as an editor) and its own drafts",
        tags: ["posts"],
        response: { 200: z.object({ posts: z.array(PostSummaryAnswer) }) },
      },
      preValidation: signedIn,
    },
    async (req) => ({ posts: await req.server.posts.listForCaller(requireCaller(req)) }),
  );
}
