import type { FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import type { Caller } from "../../app/accounts.ts";
import {
  COMMENT_STATUSES,
  CommentId,
  type CommentSettings,
  CommentSettingsSchema,
  type CommentStatus,
  type LogEntry,
  MODERATION_ACTIONS,
  type ModerationAction,
  type ModerationComment,
} from "../../app/comments.ts";
import { canReplyAt } from "../../domain/comment-policy.ts";
import { fail, ParleyError } from "../../domain/errors.ts";
import type { Assets } from "../../web/assets.ts";
import { plural } from "../../web/format.ts";
import type { FormState } from "../../web/pages/account.tsx";
import { threadHref } from "../../web/pages/comments.tsx";
import {
  ACTION_DONE,
  EditCommentPage,
  HistoryPage,
  QUEUE_PATH,
  QUEUE_TABS,
  type QueueItem,
  QueuePage,
  type QueueState,
  queueHref,
  ReplyCommentPage,
  SETTINGS_FIELDS,
  SETTINGS_PATH,
  type SettingsField,
  SettingsPage,
} from "../../web/pages/moderation.tsx";
import { postPath } from "../../web/pages/post.tsx";
import { requireCaller } from "../auth.ts";
import { STATUS_OF } from "../errors.ts";
import type { Api } from "../server.ts";
import { viewerOf } from "../viewer.ts";
import { THREADS_PER_PAGE } from "./news.ts";
import type { PageRoutes } from "./plugin.ts";
import { pageContext, sendPage } from "./render.ts";

/**
 * The moderation queue and its pages (edit, reply, history), and the site's moderation
 * settings. Every read and write goes through the Comments service (`req.server.comments`),
 * which holds the rules (one read, of a single comment, still comes from the store after the
 * service has allowed it: see moderatedComment); what these routes check themselves (is the
 * caller a moderator at all, an operator) only refuses early, before a form's body is looked at.
 */

const PER_PAGE = 20;
/** Threads per page of a post's comments (src/server/pages/news.ts), for permalinks that land on the right page. */

/** Where the moderator is in the queue; every page of the group carries it for the way back. */
const StateQuery = z.object({
  status: z.enum(COMMENT_STATUSES).default("held"),
  search: z.string().trim().max(200).default(""),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

const DONE = [...MODERATION_ACTIONS, "edited", "replied"] as const;
/** After a redirect: a key for a fixed message and a count, never text from the query. */
const QueueQuery = StateQuery.extend({
  done: z.enum(DONE).optional(),
  n: z.coerce.number().int().min(0).max(1_000).optional(),
});

const IdParams = z.object({ id: CommentId });

const BulkForm = z.object({
  ids: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : [v].flat())),
  action: z.string().optional(),
});

const SettingsQuery = z.object({ saved: z.enum(["1"]).optional() });

function stateOf(q: z.infer<typeof StateQuery>): QueueState {
  return { status: q.status, search: q.search, page: q.page };
}

/** A form field as one string (the first, if repeated), line breaks as "\n". */
function field(body: unknown, name: string): string {
  const raw = (body as Record<string, unknown> | null | undefined)?.[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === "string" ? value.replace(/\r\n?/g, "\n") : "";
}

/**
 * The caller, if they moderate some organization's posts (or the whole site): asked of the
 * service's own rule, organization by organization. Anyone else is refused before any comment
 * or form is read.
 */
function requireModerator(req: FastifyRequest): Caller {
  const caller = requireCaller(req);
  const comments = req.server.comments;
  if (!caller.operator && !caller.memberships.some((m) => comments.moderates(caller, m.org))) {
    fail("MODERATOR_ONLY");
  }
  return caller;
}

function requireOperator(req: FastifyRequest): Caller {
  const caller = requireCaller(req);
  if (!caller.operator) fail("ROLE_REQUIRED", "The moderation settings are the server operators'.");
  return caller;
}

// ---- reading what the pages show ----------------------------------------------------------

interface PostFacts {
  timeZone: string;
  /** On the public site now: its comments have permalinks there. */
  live: boolean;
}

/** Each post's dispute zone and whether it is live, read as the moderator sees the post. */
async function postFacts(
  req: FastifyRequest,
  caller: Caller,
  slugs: string[],
): Promise<Map<string, PostFacts>> {
  const { posts, parley } = req.server;
  const zones = new Map<string, string>();
  const out = new Map<string, PostFacts>();
  for (const slug of new Set(slugs)) {
    let post: Awaited<ReturnType<typeof posts.get>>;
    try {
      post = await posts.get(caller, slug);
    } catch (err) {
      if (!(err instanceof ParleyError)) throw err;
      out.set(slug, { timeZone: "UTC", live: false });
      continue;
    }
    let zone = zones.get(post.dispute);
    if (zone === undefined) {
      const state = await parley.view(post.dispute, await viewerOf(parley, post.dispute, caller));
      zone = state.opened?.timeZone ?? "UTC";
      zones.set(post.dispute, zone);
    }
    out.set(slug, { timeZone: zone, live: post.live });
  }
  return out;
}

/** A shown comment's permalink on its post's page (the right page of threads), or null. */
async function permalink(req: FastifyRequest, c: ModerationComment, facts: PostFacts | undefined) {
  if (c.status !== "approved" || !facts?.live) return null;
  let page = 1;
  try {
    page = (await req.server.comments.pageOf(c.post.slug, c.id, { perPage: THREADS_PER_PAGE })) ?? 1;
  } catch (err) {
    // Unpublished since the facts were read: no page to link to.
    if (err instanceof ParleyError) return null;
    throw err;
  }
  return threadHref(c.post.slug, "oldest", page, `#comment-${c.id}`);
}

/** A comment and its moderation log, for its moderators only (the service checks). */
async function moderatedComment(
  req: FastifyRequest,
  caller: Caller,
  id: string,
): Promise<{ comment: ModerationComment; log: LogEntry[] }> {
  const c = req.server.comments;
  const [comment, log] = await Promise.all([c.get(caller, id), c.log(caller, id)]);
  return { comment, log };
}

/** The notice a redirect's key stands for. */
function noticeOf(q: z.infer<typeof QueueQuery>): string | null {
  switch (q.done) {
    case undefined:
      return null;
    case "edited":
      return "Comment saved.";
    case "replied":
      return "Reply published.";
    default: {
      const n = q.n ?? 0;
      return n === 0 ? "No comment changed." : `${plural(n, "comment")} ${ACTION_DONE[q.done]}.`;
    }
  }
}

async function sendQueue(
  req: FastifyRequest,
  reply: FastifyReply,
  assets: Assets,
  caller: Caller,
  s: { state: QueueState; notice: string | null; bulk?: FormState },
  status = 200,
): Promise<FastifyReply> {
  const comments = req.server.comments;
  const { state } = s;
  const search = state.search === "" ? {} : { search: state.search };
  const [shown, ...tabs] = await Promise.all([
    comments.queue(caller, { status: state.status, page: state.page, perPage: PER_PAGE, ...search }),
    ...QUEUE_TABS.map((t) => comments.queue(caller, { status: t.status, perPage: 1, ...search })),
  ]);
  const counts = Object.fromEntries(QUEUE_TABS.map((t, i) => [t.status, tabs[i]!.total])) as Record<
    CommentStatus,
    number
  >;
  const facts = await postFacts(
    req,
    caller,
    shown.comments.map((c) => c.post.slug),
  );
  const items: QueueItem[] = [];
  for (const c of shown.comments) {
    const f = facts.get(c.post.slug);
    items.push({ ...c, timeZone: f?.timeZone ?? "UTC", link: await permalink(req, c, f) });
  }
  return sendPage(
    reply,
    h(QueuePage, {
      ctx: pageContext(req, assets.urls),
      state,
      counts,
      comments: items,
      total: shown.total,
      perPage: PER_PAGE,
      notice: s.notice,
      ...(s.bulk ? { bulk: s.bulk } : {}),
    }),
    status,
  );
}

/** What the pages about one comment need beside it. */
async function oneComment(req: FastifyRequest, caller: Caller, id: string) {
  const { comment, log } = await moderatedComment(req, caller, id);
  const facts = (await postFacts(req, caller, [comment.post.slug])).get(comment.post.slug);
  return {
    comment,
    log,
    facts,
    timeZone: facts?.timeZone ?? "UTC",
    link: await permalink(req, comment, facts),
  };
}

/** A text refused by the service, said beside its field: "body: write a comment" → "Write a comment." */
function textError(err: ParleyError): string {
  const message = err.message.replace(/^body:\s*/, "");
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

const NOT_SAVED = "Nothing was saved: see the field below.";

/** Why a moderator cannot reply to this comment now, or null. */
function replyBlocked(comment: ModerationComment, settings: CommentSettings): string | null {
  if (comment.status === "spam") return "This comment is marked as spam: restore it before replying to it.";
  if (comment.status === "trash") return "This comment is in the trash: restore it before replying to it.";
  if (!canReplyAt(comment.depth, settings)) {
    return `Replies cannot nest any deeper here: the site allows ${plural(settings.maxDepth, "level")} of comments.`;
  }
  return null;
}

// ---- settings -------------------------------------------------------------------------------

type SettingsValues = Record<SettingsField, string>;

function settingsValues(s: CommentSettings): SettingsValues {
  const n = (v: number | null | undefined) => (v === null || v === undefined ? "" : String(v));
  return {
    hold: s.hold,
    holdLinks: n(s.holdLinks),
    holdWords: s.holdWords.join("\n"),
    spamWords: s.spamWords.join("\n"),
    minFillSeconds: n(s.minFillSeconds),
    perIpCount: n(s.perIp?.count),
    perIpMinutes: n(s.perIp?.windowMinutes),
    perEmailCount: n(s.perEmail?.count),
    perEmailMinutes: n(s.perEmail?.windowMinutes),
    maxDepth: n(s.maxDepth),
    closeAfterDays: n(s.closeAfterDays),
    ipRetentionDays: n(s.ipRetentionDays),
  };
}

/** What each setting takes, said to a person: the schema's own messages are for scripts. */
const SETTING_RULES: Record<string, string> = {
  hold: "Choose which comments wait for a moderator.",
  holdLinks: "Write a whole number from 1 to 1,000, or leave it empty to never hold a comment for its links.",
  holdWords: "Write at most 1,000 words or phrases, one per line, each of at most 100 characters.",
  spamWords: "Write at most 1,000 words or phrases, one per line, each of at most 100 characters.",
  minFillSeconds: "Write a whole number of seconds from 0 to 3,600 (0 turns the check off).",
  perIp:
    "Write a number of comments from 1 to 10,000 and a window of 1 to 10,080 minutes (7 days), or leave both empty for no limit.",
  perEmail:
    "Write a number of comments from 1 to 10,000 and a window of 1 to 10,080 minutes (7 days), or leave both empty for no limit.",
  maxDepth: "Write a whole number from 1 to 20.",
  closeAfterDays: "Write a whole number of days from 1 to 36,500, or leave it empty to never close comments.",
  ipRetentionDays: "Write a whole number of days from 7 to 3,650.",
};

const NUMBER = /^\d{1,9}$/;

/** The typed form as the settings' input, with the fields that are not numbers where numbers go. */
function settingsInput(v: SettingsValues): {
  input: Record<string, unknown>;
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const whole = (name: string, text: string, optional: boolean): number | null => {
    const t = text.trim();
    if (t === "" && optional) return null;
    if (!NUMBER.test(t)) errors[name] ??= SETTING_RULES[name]!;
    return NUMBER.test(t) ? Number(t) : null;
  };
  const pair = (name: "perIp" | "perEmail") => {
    const count = v[`${name}Count`].trim();
    const minutes = v[`${name}Minutes`].trim();
    if (count === "" && minutes === "") return null;
    const c = whole(name, count, false);
    const m = whole(name, minutes, false);
    return c === null || m === null ? null : { count: c, windowMinutes: m };
  };
  const words = (text: string) => text.split("\n").map((w) => w.trim());
  const input = {
    hold: v.hold,
    holdLinks: whole("holdLinks", v.holdLinks, true),
    holdWords: words(v.holdWords),
    spamWords: words(v.spamWords),
    minFillSeconds: whole("minFillSeconds", v.minFillSeconds, false),
    perIp: pair("perIp"),
    perEmail: pair("perEmail"),
    maxDepth: whole("maxDepth", v.maxDepth, false),
    closeAfterDays: whole("closeAfterDays", v.closeAfterDays, true),
    ipRetentionDays: whole("ipRetentionDays", v.ipRetentionDays, false),
  };
  return { input, errors };
}

/** Schema issues (`path` like "perIp.count") as messages beside their settings. */
function settingErrors(issues: readonly { path: PropertyKey[] | string }[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const first = String(Array.isArray(issue.path) ? (issue.path[0] ?? "") : issue.path.split(".")[0]);
    errors[first] ??= SETTING_RULES[first] ?? "Check this setting.";
  }
  return errors;
}

// ---- the routes -------------------------------------------------------------------------------

export const moderationPages: PageRoutes = (pages: Api, assets: Assets) => {
  pages.get(QUEUE_PATH, { schema: { hide: true, querystring: QueueQuery } }, async (req, reply) => {
    const caller = requireModerator(req);
    return sendQueue(req, reply, assets, caller, { state: stateOf(req.query), notice: noticeOf(req.query) });
  });

  pages.post(QUEUE_PATH, { schema: { hide: true, querystring: StateQuery } }, async (req, reply) => {
    const caller = requireModerator(req);
    const state = stateOf(req.query);
    const form = BulkForm.safeParse(req.body ?? {});
    const ids = form.success ? form.data.ids : [];
    const action = form.success ? (form.data.action ?? "") : "";
    const errors: Record<string, string> = {};
    if (!(MODERATION_ACTIONS as readonly string[]).includes(action)) {
      errors.action = "Choose what to do with the selected comments.";
    }
    if (ids.length === 0) errors.ids = "Select at least one comment: tick the box beside its writer's name.";
    if (Object.keys(errors).length > 0) {
      const bulk: FormState = {
        values: { action },
        errors,
        summary: { code: "VALIDATION_FAILED", message: "Nothing was changed." },
      };
      return sendQueue(req, reply, assets, caller, { state, notice: null, bulk }, 400);
    }
    // All or none: a comment that is gone or not the caller's to moderate refuses the lot.
    const { changed } = await req.server.comments.moderate(caller, ids, action as ModerationAction);
    return reply.redirect(queueHref(state, { done: action, n: String(changed.length) }), 303);
  });

  const one = `${QUEUE_PATH}/:id`;

  pages.get(
    `${one}/edit`,
    { schema: { hide: true, params: IdParams, querystring: StateQuery } },
    async (req, reply) => {
      const caller = requireModerator(req);
      const c = await oneComment(req, caller, req.params.id);
      return sendPage(
        reply,
        h(EditCommentPage, {
          ctx: pageContext(req, assets.urls),
          comment: c.comment,
          timeZone: c.timeZone,
          link: c.link,
          back: stateOf(req.query),
          form: { values: { body: c.comment.body }, errors: {} },
        }),
      );
    },
  );

  pages.post(
    `${one}/edit`,
    { schema: { hide: true, params: IdParams, querystring: StateQuery } },
    async (req, reply) => {
      const caller = requireModerator(req);
      // Whether the caller may edit this comment is settled before the body is looked at.
      const c = await oneComment(req, caller, req.params.id);
      // The service checks the text against the comment form's own schema.
      const body = field(req.body, "body");
      const back = stateOf(req.query);
      try {
        await req.server.comments.edit(caller, c.comment.id, body);
      } catch (err) {
        if (!(err instanceof ParleyError) || err.code !== "VALIDATION_FAILED") throw err;
        return sendPage(
          reply,
          h(EditCommentPage, {
            ctx: pageContext(req, assets.urls),
            comment: c.comment,
            timeZone: c.timeZone,
            link: c.link,
            back,
            form: {
              values: { body },
              errors: { body: textError(err) },
              summary: { code: err.code, message: NOT_SAVED },
            },
          }),
          STATUS_OF[err.kind],
        );
      }
      return reply.redirect(queueHref(back, { done: "edited" }, `#comment-${c.comment.id}`), 303);
    },
  );

  pages.get(
    `${one}/reply`,
    { schema: { hide: true, params: IdParams, querystring: StateQuery } },
    async (req, reply) => {
      const caller = requireModerator(req);
      const c = await oneComment(req, caller, req.params.id);
      const settings = await req.server.comments.settings();
      return sendPage(
        reply,
        h(ReplyCommentPage, {
          ctx: pageContext(req, assets.urls),
          comment: c.comment,
          timeZone: c.timeZone,
          link: c.link,
          back: stateOf(req.query),
          form: { values: { body: "" }, errors: {} },
          blocked: replyBlocked(c.comment, settings),
        }),
      );
    },
  );

  pages.post(
    `${one}/reply`,
    { schema: { hide: true, params: IdParams, querystring: StateQuery } },
    async (req, reply) => {
      const caller = requireModerator(req);
      const c = await oneComment(req, caller, req.params.id);
      // The service checks the text against the comment form's own schema.
      const body = field(req.body, "body");
      const back = stateOf(req.query);
      try {
        await req.server.comments.reply(caller, c.comment.id, body);
      } catch (err) {
        if (!(err instanceof ParleyError)) throw err;
        const refusal = err.code === "COMMENT_TOO_DEEP" || err.code === "COMMENT_UNKNOWN";
        if (err.code !== "VALIDATION_FAILED" && !refusal) throw err;
        return sendPage(
          reply,
          h(ReplyCommentPage, {
            ctx: pageContext(req, assets.urls),
            comment: c.comment,
            timeZone: c.timeZone,
            link: c.link,
            back,
            form: {
              values: { body },
              errors: refusal ? {} : { body: textError(err) },
              summary: {
                code: err.code,
                message: refusal ? `Not published: ${textError(err).toLowerCase()}` : NOT_SAVED,
              },
            },
            blocked: null,
          }),
          STATUS_OF[err.kind],
        );
      }
      return reply.redirect(queueHref(back, { done: "replied" }, `#comment-${c.comment.id}`), 303);
    },
  );

  pages.get(
    `${one}/history`,
    { schema: { hide: true, params: IdParams, querystring: StateQuery } },
    async (req, reply) => {
      const caller = requireModerator(req);
      const c = await oneComment(req, caller, req.params.id);
      const slug = c.comment.post.slug;
      return sendPage(
        reply,
        h(HistoryPage, {
          ctx: pageContext(req, assets.urls),
          comment: c.comment,
          timeZone: c.timeZone,
          link: c.link,
          back: stateOf(req.query),
          log: c.log,
          replyLink: (id) => (c.facts?.live ? `${postPath(slug)}#comment-${encodeURIComponent(id)}` : null),
        }),
      );
    },
  );

  pages.get(SETTINGS_PATH, { schema: { hide: true, querystring: SettingsQuery } }, async (req, reply) => {
    requireOperator(req);
    const settings = await req.server.comments.settings();
    return sendPage(
      reply,
      h(SettingsPage, {
        ctx: pageContext(req, assets.urls),
        form: { values: settingsValues(settings), errors: {} },
        notice: req.query.saved === "1" ? "Settings saved: they apply to the next comment." : null,
      }),
    );
  });

  pages.post(SETTINGS_PATH, { schema: { hide: true } }, async (req, reply) => {
    const caller = requireOperator(req);
    const values = {} as SettingsValues;
    for (const name of SETTINGS_FIELDS) values[name] = field(req.body, name);
    const { input, errors } = settingsInput(values);
    const checked = CommentSettingsSchema.safeParse(input);
    if (!checked.success) Object.assign(errors, { ...settingErrors(checked.error.issues), ...errors });
    const refuse = (errs: Record<string, string>) =>
      sendPage(
        reply,
        h(SettingsPage, {
          ctx: pageContext(req, assets.urls),
          form: {
            values,
            errors: errs,
            summary: {
              code: "VALIDATION_FAILED",
              message: "The settings were not saved: see the fields below.",
            },
          },
          notice: null,
        }),
        400,
      );
    if (Object.keys(errors).length > 0) return refuse(errors);
    try {
      await req.server.comments.updateSettings(caller, input);
    } catch (err) {
      if (!(err instanceof ParleyError) || err.code !== "VALIDATION_FAILED") throw err;
      const issues = (err.details?.issues as { path: string }[] | undefined) ?? [];
      return refuse(settingErrors(issues));
    }
    return reply.redirect(`${SETTINGS_PATH}?saved=1`, 303);
  });
};
