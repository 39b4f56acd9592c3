import type { FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import type { ThreadQuery } from "../../app/comments.ts";
import type { PostSummary } from "../../app/posts.ts";
import { PUBLIC } from "../../app/visibility.ts";
import { COMMENT_FIELD, type CommentField, type TypedComment } from "../../domain/comment.ts";
import { ParleyError } from "../../domain/errors.ts";
import type { Status } from "../../domain/status.ts";
import type { Assets } from "../../web/assets.ts";
import { COMMENTER_COOKIE } from "../../web/client/islands/comment-form.ts";
import { type CommentNotice, CommentSection, threadHref } from "../../web/pages/comments.tsx";
import { NewsPage, type PostListContext } from "../../web/pages/news.tsx";
import { PostPage } from "../../web/pages/post.tsx";
import { STATUS_OF } from "../errors.ts";
import type { Api } from "../server.ts";
import type { PageRoutes } from "./plugin.ts";
import { pageContext, sendPage } from "./render.ts";

const PUBLIC_PAGE = { public: true };
const PER_PAGE = 20;
const RELATED = 5;
/** Threads per page of comments: a post with 200 comments shows them on one page. */
export const THREADS_PER_PAGE = 50;
const REMEMBER_SECONDS = 365 * 24 * 3600;

const NewsQuery = z.object({
  tag: z.string().max(100).optional(),
  dispute: z.string().max(100).optional(),
  before: z.string().max(200).optional(),
});
const PostParams = z.object({ slug: z.string().max(200) });
const PostQuery = z.object({
  corder: z.enum(["oldest", "newest"]).optional(),
  cpage: z.coerce.number().int().min(1).max(100_000).optional(),
  replyto: z.string().max(64).optional(),
  /** After a send that a moderator must look at first: the page says so. */
  comment: z.enum(["held"]).optional(),
});
type PostQuery = z.infer<typeof PostQuery>;

/**
 * The newsroom on the public site: the list of live posts and each post's page with its
 * comments. Read as the public, whoever asks (a draft is not found here even by its author:
 * editors preview it in the workspace), and cached like every public page. A comment is sent to
 * the post's own address; a refused one comes back on the post's page with what was typed.
 */
export const newsPages: PageRoutes = (pages, assets) => {
  pages.get(
    "/news",
    { schema: { hide: true, querystring: NewsQuery }, config: PUBLIC_PAGE },
    async (req, reply) => {
      const { tag, dispute, before } = req.query;
      const filter = { ...(tag ? { tag } : {}), ...(dispute ? { dispute } : {}) };
      const { posts, next } = await req.server.posts.listPublished({
        ...filter,
        ...(before ? { before } : {}),
        limit: PER_PAGE,
      });
      const nextPath = next ? `/news?${new URLSearchParams({ ...filter, before: next })}` : null;
      return sendPage(
        reply,
        h(NewsPage, {
          ctx: pageContext(req, assets.urls),
          posts,
          context: await postListContext(req.server, posts),
          filter,
          next: nextPath,
        }),
      );
    },
  );

  pages.get(
    "/news/:slug",
    { schema: { hide: true, params: PostParams, querystring: PostQuery }, config: PUBLIC_PAGE },
    async (req, reply) =>
      postPage(req, reply, assets, req.params.slug, req.query, {
        notice: req.query.comment === "held" ? { kind: "held" } : null,
        typed: null,
      }),
  );

  pages.post("/news/:slug/comments", { schema: { hide: true, params: PostParams } }, async (req, reply) => {
    const { slug } = req.params;
    const comments = req.server.comments;
    const body = (req.body ?? {}) as Record<string, unknown>;
    let result: Awaited<ReturnType<typeof comments.submit>>;
    try {
      result = await comments.submit({
        postSlug: slug,
        form: body,
        ip: req.ip,
        ...(req.headers["user-agent"] ? { userAgent: req.headers["user-agent"] } : {}),
      });
    } catch (err) {
      // A post that is not live is a 404 like any; a comment the rules refuse comes back on
      // the post's page, with what was typed and why.
      if (!(err instanceof ParleyError) || err.code === "POST_UNKNOWN") throw err;
      const retry = err.details?.retryAfterSeconds;
      if (typeof retry === "number") reply.header("retry-after", String(retry));
      return postPage(
        req,
        reply,
        assets,
        slug,
        {},
        { notice: { kind: "refused", message: err.message, code: err.code }, typed: typedFrom(body) },
        STATUS_OF[err.kind],
      );
    }
    if ("fieldErrors" in result) {
      const errors: Partial<Record<CommentField, string>> = {};
      for (const e of result.fieldErrors) errors[e.field] ??= e.message;
      return postPage(
        req,
        reply,
        assets,
        slug,
        {},
        { notice: { kind: "invalid", errors }, typed: result.typed },
        400,
      );
    }
    remember(req, reply, body);
    if (result.outcome === "held" || !result.comment) {
      return reply.redirect(`/news/${encodeURIComponent(slug)}?comment=held#respond`, 303);
    }
    const page = (await comments.pageOf(slug, result.comment.id, { perPage: THREADS_PER_PAGE })) ?? 1;
    return reply.redirect(threadHref(slug, "oldest", page, `#comment-${result.comment.id}`), 303);
  });
};

/** A post's page with its comment section, as the public sees it. */
async function postPage(
  req: FastifyRequest,
  reply: FastifyReply,
  assets: Assets,
  slug: string,
  query: PostQuery,
  section: { notice: CommentNotice | null; typed: TypedComment | null },
  status = 200,
) {
  const { posts, comments, parley } = req.server;
  // As the public: a draft, a scheduled or an unpublished post is not found.
  const post = await posts.get(null, slug);
  const threadQuery: ThreadQuery = {
    order: query.corder ?? "oldest",
    page: query.cpage ?? 1,
    perPage: THREADS_PER_PAGE,
  };
  const [citations, dispute, related, thread, form] = await Promise.all([
    posts.citations(post),
    parley.status(post.dispute, PUBLIC),
    posts.related(post.slug, RELATED),
    comments.thread(post.slug, threadQuery),
    comments.form(post.slug),
  ]);
  const replyTo = query.replyto ? findComment(thread.comments, query.replyto) : null;
  return sendPage(
    reply,
    h(
      PostPage,
      { ctx: pageContext(req, assets.urls), post, citations, dispute, related },
      h(CommentSection, {
        postSlug: post.slug,
        timeZone: dispute.timeZone,
        thread,
        form,
        replyTo,
        ...section,
      }),
    ),
    status,
  );
}

function findComment<T extends { id: string; replies: T[] }>(list: T[], id: string): T | null {
  for (const c of list) {
    if (c.id === id) return c;
    const inner = findComment(c.replies, id);
    if (inner) return inner;
  }
  return null;
}

/** What the reader typed, to put back into the form of the response to this very request. */
function typedFrom(body: Record<string, unknown>): TypedComment {
  const text = (k: string) => (typeof body[k] === "string" ? (body[k] as string).slice(0, 20_000) : "");
  return {
    comment: text(COMMENT_FIELD.comment),
    name: text(COMMENT_FIELD.name),
    email: text(COMMENT_FIELD.email),
    website: text(COMMENT_FIELD.website),
    parent: text(COMMENT_FIELD.parent),
    remember: body[COMMENT_FIELD.remember] === "on",
  };
}

/**
 * "Save my name, email, and website in this browser": a cookie the comment form's island reads
 * to fill the form in (public pages are cached, so the server cannot). Off by default; a send
 * without the box ticked removes what an earlier one saved.
 */
function remember(req: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>) {
  const typed = typedFrom(body);
  if (!typed.remember) {
    if (req.cookies[COMMENTER_COOKIE] !== undefined) reply.clearCookie(COMMENTER_COOKIE, { path: "/" });
    return;
  }
  const value = JSON.stringify({ name: typed.name, email: typed.email, website: typed.website });
  // @fastify/cookie percent-encodes the value; the island decodes it.
  reply.setCookie(COMMENTER_COOKIE, value, {
    path: "/",
    maxAge: REMEMBER_SECONDS,
    sameSite: "strict",
    secure: (req.server.siteOrigin ?? "").startsWith("https:"),
    // Read by the form's island; it holds only what the reader typed into this browser.
    httpOnly: false,
  });
}

/** The disputes' titles and zones, and comment counts, for a list of posts. */
export async function postListContext(server: Api, posts: PostSummary[]): Promise<PostListContext> {
  const disputes: PostListContext["disputes"] = {};
  for (const slug of new Set(posts.map((p) => p.dispute))) {
    const status: Status = await server.parley.status(slug, PUBLIC);
    disputes[slug] = { title: status.title, timeZone: status.timeZone };
  }
  const counts = await server.comments.counts(posts.map((p) => p.slug));
  return { disputes, comments: Object.fromEntries(posts.map((p) => [p.slug, counts.get(p.slug) ?? 0])) };
}
