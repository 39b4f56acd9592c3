import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import {
  COMMENT_FIELD,
  type CommentFieldError,
  CommentForm,
  emailKey,
  normalizeWebsite,
  parseCommentForm,
  type TypedComment,
  WEBSITE_MAX,
} from "../domain/comment.ts";
import {
  type CommentFacts,
  canReplyAt,
  commentsCloseAt,
  commentsOpen,
  decideComment,
  duplicateKey,
  ModerationSettingsSchema,
} from "../domain/comment-policy.ts";
import { fail } from "../domain/errors.ts";
import { issueFormToken, verifyFormToken } from "../domain/form-token.ts";
import { hashIp, retentionCutoff, saltExpired, saltPeriod, saltPeriodsBetween } from "../domain/ip-hash.ts";
import { Instant } from "../domain/values.ts";
import {
  approvedBefore,
  approvedCount,
  approvedCounts,
  type CommentRow,
  type CommentWithPost,
  commentById,
  commentsOfEmail,
  commentsWithPost,
  deleteComment,
  deleteLog,
  deleteSalts,
  dropIpHashesBefore,
  hasCommentsOfEmail,
  hasReplies,
  insertComment,
  insertLog,
  logOf,
  postIdOf,
  queueCount,
  queueRows,
  readSettings,
  receivedFromEmail,
  receivedFromIp,
  saltFor,
  saltPeriods,
  saltsOf,
  sameCommentExists,
  secretNamed,
  type ThreadRow,
  threadCount,
  threadPosition,
  threadRoots,
  threadRows,
  updateComment,
  writeSettings,
} from "../store/comments-repo.ts";
import type { Db } from "../store/posts-repo.ts";
import { avatarUrl } from "../web/avatar.ts";
import { renderCommentText } from "../web/comment-text.ts";
import { Accounts, type Caller } from "./accounts.ts";
import { heldCommentMail, type Mail, type MailSender, privacyLinkMail, replyMail } from "./mailer.ts";
import type { Parley } from "./parley.ts";
import { parseInput } from "./parse-input.ts";
import { EDITOR_ROLES, editsFor, type Posts } from "./posts.ts";

/**
 * Readers' comments under news posts: the use cases behind the comment form, the thread on a
 * post's page, the moderation queue and a commenter's privacy requests.
 *
 * Who may do what:
 * - anyone may comment on a live post while its comments are open (the rules of
 *   domain/comment-policy.ts decide what becomes of it) and read its approved comments;
 * - a post's moderators (the admins and negotiators of its organization, and the server's
 *   operators) read every comment under it with the commenter's address, approve, hold, mark as
 *   spam, trash, restore, edit and reply; every such action is logged in its transaction;
 * - operators change the site's moderation settings;
 * - whoever holds a link mailed to a commenter's address exports or erases that address's
 *   comments, or stops mails about replies to one comment.
 *
 * Addresses (email and IP) never leave this service but in the moderation queue. Mail goes out
 * after the transaction that called for it commits; a failed send is logged, never a failed
 * request.
 */

/** A comment as everyone may see it: never its address, IP hash or moderation status. */
export interface PublicComment {
  id: string;
  parentId: string | null;
  depth: number;
  name: string;
  /** An http(s) URL, or null. */
  website: string | null;
  /** Safe HTML (web/comment-text.ts). */
  html: string;
  /** A data: URL (web/avatar.ts); "" for a removed comment. */
  avatar: string;
  createdAt: string;
  editedAt: string | null;
  /**
   * True for a comment that is no longer shown (trashed, or erased by its author) but stays as
   * an empty place so that the approved replies under it keep their thread: name, website,
   * html and avatar are then empty.
   */
  removed: boolean;
}

export interface ThreadComment extends PublicComment {
  /** Approved replies (and removed ones with approved replies under them), oldest first. */
  replies: ThreadComment[];
}

export interface Thread {
  /** This page's threads, each top-level comment with its replies. */
  comments: ThreadComment[];
  /** Approved comments on the post, on every page. */
  total: number;
  /** Threads on the post, on every page. */
  threads: number;
  order: "oldest" | "newest";
  page: number;
  perPage: number;
  pages: number;
}

export type CommentStatus = "approved" | "held" | "spam" | "trash";
export const COMMENT_STATUSES = ["approved", "held", "spam", "trash"] as const;

/** A comment as its moderators see it: with the commenter's address. */
export interface ModerationComment {
  id: string;
  post: { slug: string; title: string };
  parentId: string | null;
  depth: number;
  status: CommentStatus;
  /** Why the rules held it or marked it as spam. */
  reasons: string[];
  name: string;
  email: string;
  website: string | null;
  /** The text as typed. */
  body: string;
  html: string;
  avatar: string;
  /** Whether a moderator wrote it (a reply from the queue). */
  byModerator: boolean;
  notifyReplies: boolean;
  createdAt: string;
  approvedAt: string | null;
  editedAt: string | null;
}

export interface LogEntry {
  action: ModerationAction | "reply" | "edit" | "erase";
  /** The moderator; null when the commenter erased their comment. */
  actor: { id: string; name: string } | null;
  at: string;
  note: string | null;
}

export const MODERATION_ACTIONS = ["approve", "hold", "spam", "trash", "restore"] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

export type SubmitResult =
  | { outcome: "approved" | "held"; comment: PublicComment | null }
  | { fieldErrors: CommentFieldError[]; typed: TypedComment };

/** What the comment form needs beside the post. */
export interface CommentFormState {
  open: boolean;
  /** When comments close by the site's settings, if they do. */
  closesAt: string | null;
  maxDepth: number;
  /** The signed issue time for the form's hidden field. */
  token: string;
}

/** The site's settings: the moderation rules, and how long IP hashes are kept. */
export const CommentSettingsSchema = ModerationSettingsSchema.extend({
  /**
   * Days an IP hash is kept beside its comment (and a salt after its period ends). At least
   * the longest rate-limit window (7 days), which looks back over the hashes.
   */
  ipRetentionDays: z.number().int().min(7).max(3_650).default(30),
});
export type CommentSettings = z.output<typeof CommentSettingsSchema>;

/** The form field of the "tell me of replies by mail" box (a checkbox sends "on"). */
export const NOTIFY_FIELD = "notify";

export const ThreadQuery = z.strictObject({
  order: z.enum(["oldest", "newest"]).default("oldest"),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  perPage: z.coerce.number().int().min(1).max(200).default(50),
});
export type ThreadQuery = z.input<typeof ThreadQuery>;

export const QueueQuery = z.strictObject({
  status: z.enum(COMMENT_STATUSES).optional(),
  search: z.string().trim().max(200).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  perPage: z.coerce.number().int().min(1).max(200).default(50),
});
export type QueueQuery = z.input<typeof QueueQuery>;

/** A comment's id as this service makes them. */
export const CommentId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "a comment id")
  .meta({ description: "a comment's id" });

export const BulkModeration = z.strictObject({
  ids: z
    .array(CommentId)
    .min(1)
    .max(100)
    .transform((ids) => [...new Set(ids)]),
  action: z.enum(MODERATION_ACTIONS),
});

const CommentText = CommentForm.shape[COMMENT_FIELD.comment];
const Email = CommentForm.shape[COMMENT_FIELD.email];

/** Salts rotate daily, at UTC midnight. */
const SALT_PERIOD_HOURS = 24;
/** Export and erasure links work this long after they are mailed. */
const PRIVACY_LINK_HOURS = 24;
const SETTINGS_KEY = "site";

/** Where log lines go: pino's signature, so a Fastify logger fits. */
export interface CommentLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const consoleLog: CommentLog = {
  info: (obj, msg) => console.info(msg, obj),
  error: (obj, msg) => console.error(msg, obj),
};

export interface CommentsOptions {
  /** The server secret behind form tokens, avatars, IP hashes and mail links (see commentSecret). */
  secret: Buffer;
  now: () => string;
  mailer?: MailSender | null;
  /** The site's public address, for links in mails (default http://127.0.0.1:3000). */
  publicUrl?: string;
  log?: CommentLog;
}

/**
 * The secret stored for this site, made on first use: in the database, so that every process of
 * a site shares it (a form issued by one is accepted by another, avatars stay the same).
 */
export async function commentSecret(parley: Parley): Promise<Buffer> {
  return secretNamed(parley.db, "comments", parley.now());
}

/** One key per use, so that a MAC made for one purpose is never valid for another. */
function subkey(secret: Buffer, purpose: string): Buffer {
  if (secret.length < 16) throw new RangeError("the comments secret is too short");
  return createHmac("sha256", secret).update(`parley comments ${purpose}`).digest();
}

interface LivePost {
  id: string;
  slug: string;
  title: string;
  org: string;
  commentsOpen: boolean;
  publishedAt: string | null;
}

/** An email the service means to send once the transaction that called for it commits. */
type Pending = () => Promise<Mail[]>;

export class Comments {
  private readonly keys: { form: Buffer; avatar: Buffer; ip: Buffer; link: Buffer; seal: Buffer };
  private readonly now: () => string;
  private readonly mailer: MailSender | null;
  private readonly publicUrl: string;
  private readonly logger: CommentLog;
  private readonly accounts: Accounts;
  private readonly sending = new Set<Promise<void>>();
  /** Changes that public pages show: part of the key their caches use. */
  private changes = 0;

  constructor(
    private readonly parley: Parley,
    private readonly posts: Posts,
    opts: CommentsOptions,
  ) {
    this.keys = {
      form: subkey(opts.secret, "form"),
      avatar: subkey(opts.secret, "avatar"),
      ip: subkey(opts.secret, "ip"),
      link: subkey(opts.secret, "link"),
      seal: subkey(opts.secret, "seal"),
    };
    this.now = opts.now;
    this.mailer = opts.mailer ?? null;
    this.publicUrl = new URL(opts.publicUrl ?? "http://127.0.0.1:3000").origin;
    this.logger = opts.log ?? consoleLog;
    this.accounts = new Accounts(parley.db, () => new Date(this.now()));
  }

  private get db() {
    return this.parley.db;
  }

  private instant(): string {
    return new Date(this.now()).toISOString();
  }

  /** Changes with every change a reader could see (a comment shown, hidden, edited or erased). */
  version(): number {
    return this.changes;
  }

  /** Resolves once every mail asked for so far has been sent or has failed (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }

  // ---- readers ----

  /** A token for the comment form of a post (its hidden field). */
  formToken(postSlug: string): string {
    return issueFormToken(postSlug, this.instant(), this.keys.form);
  }

  /** Whether the form is to be shown under a live post, with its token. */
  async form(postSlug: string, caller: Caller | null = null): Promise<CommentFormState> {
    const now = this.instant();
    const post = await this.visiblePost(postSlug, caller);
    const settings = await this.settings();
    return {
      open: commentsOpen(post, settings, now),
      closesAt: post.publishedAt ? commentsCloseAt(post.publishedAt, settings) : null,
      maxDepth: settings.maxDepth,
      token: issueFormToken(post.slug, now, this.keys.form),
    };
  }

  /**
   * A reader's comment from the form (a urlencoded body or JSON). Field errors come back with
   * what was typed, for the form to show again; a refusal by the rules throws its code (with
   * `retryAfterSeconds` for a rate limit) and writes nothing. A comment the rules mark as spam
   * is stored as spam, and its sender is told it awaits moderation like any held comment.
   * The user agent is not stored: no rule needs it, and it would help tell readers apart.
   */
  async submit(input: {
    postSlug: string;
    form: unknown;
    ip: string;
    userAgent?: string;
  }): Promise<SubmitResult> {
    const parsed = parseCommentForm(input.form);
    if (!parsed.ok) return { fieldErrors: parsed.errors, typed: parsed.typed };
    const now = this.instant();
    const post = await this.visiblePost(input.postSlug, null);
    const settings = await this.settings();
    const c = parsed.comment;
    const key = emailKey(c.email);
    const dupKey = duplicateKey(c.comment);
    const notify = isTicked((input.form as Record<string, unknown> | null)?.[NOTIFY_FIELD]);
    // Pure work, done before the transaction holds the store.
    const html = renderCommentText(c.comment);
    const avatar = avatarUrl(c.email, this.keys.avatar);
    const formIssuedAt = verifyFormToken(parsed.formToken, post.slug, this.keys.form, now);
    const id = newCommentId();

    const { row, decision, parent, tellParent } = await this.db.transaction().execute(async (trx) => {
      let parent: CommentRow | undefined;
      if (c.parent !== null) {
        parent = await commentById(trx, c.parent);
        if (!parent || parent.post_id !== post.id || parent.status !== "approved") {
          fail("COMMENT_UNKNOWN", "the comment replied to is not on this post");
        }
      }
      const period = saltPeriod(now, SALT_PERIOD_HOURS);
      const ipHash = hashIp(input.ip, this.ipKey(await saltFor(trx, period, now)));
      const facts: CommentFacts = {
        post: { publishedAt: post.publishedAt, commentsOpen: post.commentsOpen },
        parentDepth: parent ? parent.depth : null,
        approvedBefore: await approvedBefore(trx, key, c.name),
        recentFromIp: settings.perIp
          ? await this.receivedFromIp(trx, input.ip, windowStart(now, settings.perIp.windowMinutes), now)
          : [],
        recentFromEmail: settings.perEmail
          ? await receivedFromEmail(trx, key, windowStart(now, settings.perEmail.windowMinutes))
          : [],
        duplicate: await sameCommentExists(trx, { postId: post.id, emailKey: key, dupKey }),
        honeypot: parsed.honeypot,
        formIssuedAt,
      };
      const decision = decideComment(c, facts, settings, now);
      if ("reject" in decision) {
        // The rules refuse a missing, forged or expired token as they refuse a hurried form;
        // a client is told which, since only the first needs a fresh form.
        const code =
          decision.reject === "COMMENT_TOO_FAST" && formIssuedAt === null
            ? "COMMENT_FORM_EXPIRED"
            : decision.reject;
        fail(
          code,
          decision.message,
          decision.retryAfterSeconds === undefined
            ? undefined
            : { retryAfterSeconds: decision.retryAfterSeconds },
        );
      }
      const approved = decision.outcome === "approved";
      const tellParent = approved && parent !== undefined && wantsReplyMail(parent, key);
      const row: CommentRow = {
        id,
        post_id: post.id,
        parent_id: parent?.id ?? null,
        root_id: parent?.root_id ?? id,
        depth: parent ? parent.depth + 1 : 1,
        status: decision.outcome,
        trashed_from: null,
        reasons: JSON.stringify(decision.reasons),
        name: c.name,
        email: c.email,
        email_key: key,
        website: c.website,
        body: c.comment,
        html,
        avatar,
        ip_hash: ipHash,
        ip_period: period,
        dup_key: dupKey,
        notify_replies: notify ? 1 : 0,
        reply_notified_at: tellParent ? now : null,
        account_id: null,
        created_at: now,
        approved_at: approved ? now : null,
        edited_at: null,
      };
      await insertComment(trx, row);
      return { row, decision, parent, tellParent };
    });

    if (decision.outcome === "approved") {
      this.changes += 1;
      if (tellParent && parent) this.mailLater(() => this.replyMails(post, parent, row), "reply notice");
      return { outcome: "approved", comment: publicOf(row) };
    }
    if (decision.outcome === "held") {
      this.mailLater(() => this.heldMails(post, row, decision.reasons), "held comment notice");
    }
    // Spam is told the same as held: a bot learns nothing of what caught it.
    return { outcome: "held", comment: null };
  }

  /**
   * The approved comments of a post, a page of threads at a time: each top-level comment with
   * every reply under it (a thread is never split across pages), replies oldest first.
   * The post must be one the caller may see (Posts.get): live, or the caller its editor.
   */
  async thread(postSlug: string, query: ThreadQuery = {}, caller: Caller | null = null): Promise<Thread> {
    const q = parseInput(ThreadQuery, query);
    const post = await this.visiblePost(postSlug, caller);
    const [total, threads] = await Promise.all([
      approvedCount(this.db, post.id),
      threadCount(this.db, post.id),
    ]);
    const roots = await threadRoots(this.db, {
      postId: post.id,
      newestFirst: q.order === "newest",
      limit: q.perPage,
      offset: (q.page - 1) * q.perPage,
    });
    const rows = await threadRows(this.db, roots);
    return {
      comments: buildThreads(roots, rows),
      total,
      threads,
      order: q.order,
      page: q.page,
      perPage: q.perPage,
      pages: Math.max(1, Math.ceil(threads / q.perPage)),
    };
  }

  /**
   * The page of `thread` a shown comment is on (for a permalink), or null when the comment is
   * not shown on this post.
   */
  async pageOf(postSlug: string, commentId: string, query: ThreadQuery = {}): Promise<number | null> {
    const q = parseInput(ThreadQuery, query);
    const post = await this.visiblePost(postSlug, null);
    const row = await commentById(this.db, parseInput(CommentId, commentId));
    if (!row || row.post_id !== post.id || row.status !== "approved") return null;
    const before = await threadPosition(this.db, {
      postId: post.id,
      rootId: row.root_id,
      newestFirst: q.order === "newest",
    });
    return before === null ? null : Math.floor(before / q.perPage) + 1;
  }

  /** Approved comments per post, by post slug, in one query (0 for a post without any). */
  async counts(postSlugs: readonly string[]): Promise<Map<string, number>> {
    return approvedCounts(this.db, [...new Set(postSlugs)]);
  }

  // ---- importers ----

  /**
   * Comments approved elsewhere (a WordPress export), written under a post with their own
   * dates, names, addresses and threading. Trusted, for the operator's import only: the
   * readers' rules (form token, rate limits, moderation, closing) do not apply, no IP hash is
   * stored (there is no address of ours to hash), and no mail goes out. A reply names its
   * parent by `ref`, and the parent comes earlier in the list. All of them or none, in one
   * transaction: the caller's `db` when it passes its own (to write a post and its comments
   * together), else one of this call's. Returns the new ids by `ref`.
   */
  async importApproved(
    postSlug: string,
    comments: readonly ImportedComment[],
    opts: { db?: Db } = {},
  ): Promise<Map<string, string>> {
    const items = parseInput(ImportedComments, comments);
    // Pure work, done before the transaction holds the store.
    const rows = items.map((c) => ({
      c,
      id: newCommentId(),
      key: c.email === "" ? "" : emailKey(c.email),
      html: renderCommentText(c.text),
      // An address-less commenter is drawn from their name, still under the secret.
      avatar: avatarUrl(c.email === "" ? `name:${c.name}` : c.email, this.keys.avatar),
    }));
    const write = async (db: Db) => {
      const postId = await postIdOf(db, postSlug);
      if (postId === undefined) fail("POST_UNKNOWN");
      const made = new Map<string, { id: string; root: string; depth: number }>();
      for (const { c, id, key, html, avatar } of rows) {
        if (made.has(c.ref)) fail("VALIDATION_FAILED", `comment ${c.ref} is listed twice`);
        const parent = c.parentRef === null ? undefined : made.get(c.parentRef);
        if (c.parentRef !== null && !parent) {
          fail(
            "COMMENT_UNKNOWN",
            `comment ${c.ref} replies to ${c.parentRef}, which is not listed before it`,
          );
        }
        const root = parent?.root ?? id;
        const depth = parent ? parent.depth + 1 : 1;
        await insertComment(db, {
          id,
          post_id: postId,
          parent_id: parent?.id ?? null,
          root_id: root,
          depth,
          status: "approved",
          trashed_from: null,
          reasons: "[]",
          name: c.name,
          email: c.email,
          email_key: key,
          website: c.website,
          body: c.text,
          html,
          avatar,
          ip_hash: null,
          ip_period: null,
          dup_key: duplicateKey(c.text),
          notify_replies: 0,
          // Its parent's author asked nothing of this site: no reply mail, now or on a later approval.
          reply_notified_at: parent ? c.at : null,
          account_id: null,
          created_at: c.at,
          approved_at: c.at,
          edited_at: null,
        });
        made.set(c.ref, { id, root, depth });
      }
      return new Map([...made].map(([ref, m]) => [ref, m.id]));
    };
    const ids = opts.db ? await write(opts.db) : await this.db.transaction().execute(write);
    if (ids.size > 0) this.changes += 1;
    return ids;
  }

  // ---- moderators ----

  /** Whether the caller moderates posts of this organization. */
  moderates(caller: Caller | null, org: string): boolean {
    return caller !== null && editsFor(caller, org);
  }

  /**
   * The comments under the posts the caller moderates, newest first: all of them, or those of
   * one status, matching `search` (in the name, text, website or address) when given.
   */
  async queue(
    caller: Caller,
    query: QueueQuery = {},
  ): Promise<{ comments: ModerationComment[]; total: number; page: number; perPage: number }> {
    const orgs = caller.operator
      ? null
      : caller.memberships.filter((m) => EDITOR_ROLES.has(m.role)).map((m) => m.org);
    if (orgs !== null && orgs.length === 0) fail("MODERATOR_ONLY");
    const q = parseInput(QueueQuery, query);
    const filter = {
      orgs,
      statuses: q.status ? [q.status] : [...COMMENT_STATUSES],
      search: q.search,
      limit: q.perPage,
      offset: (q.page - 1) * q.perPage,
    };
    const [rows, total] = await Promise.all([queueRows(this.db, filter), queueCount(this.db, filter)]);
    return { comments: rows.map(moderationOf), total, page: q.page, perPage: q.perPage };
  }

  /**
   * Approves, holds, marks as spam, trashes or restores comments, all or none: a comment that
   * does not exist or that the caller does not moderate refuses the whole request. Restore
   * takes a trashed comment back to what it was, and a comment marked as spam to the held
   * ones. Returns the ids of the comments whose status changed (each logged).
   */
  async moderate(
    caller: Caller,
    ids: readonly string[],
    action: ModerationAction,
  ): Promise<{ changed: string[] }> {
    const request = parseInput(BulkModeration, { ids, action });
    const now = this.instant();
    const mails: Pending[] = [];
    const changed = await this.db.transaction().execute(async (trx) => {
      const rows = await this.moderatedComments(trx, caller, request.ids);
      const changed: string[] = [];
      for (const row of rows) {
        const next = statusAfter(row, request.action);
        if (next === row.status) continue;
        const approving = next === "approved";
        const tellParent =
          approving && row.reply_notified_at === null && (await this.parentWantsMail(trx, row));
        await updateComment(trx, row.id, {
          status: next,
          trashed_from: next === "trash" ? row.status : null,
          ...(approving ? { approved_at: now } : {}),
          ...(tellParent ? { reply_notified_at: now } : {}),
        });
        await insertLog(trx, {
          comment_id: row.id,
          action: request.action,
          actor_id: caller.id,
          at: now,
          note: null,
        });
        if (tellParent) mails.push(() => this.replyMailsFor(row));
        changed.push(row.id);
      }
      return changed;
    });
    if (changed.length > 0) this.changes += 1;
    for (const m of mails) this.mailLater(m, "reply notice");
    return { changed };
  }

  /** Changes a comment's text (the moderators of its post); the thread shows it as edited. */
  async edit(caller: Caller, id: string, body: unknown): Promise<ModerationComment> {
    const text = parseText(body);
    const now = this.instant();
    await this.db.transaction().execute(async (trx) => {
      const [row] = await this.moderatedComments(trx, caller, [parseInput(CommentId, id)]);
      await updateComment(trx, row!.id, {
        body: text,
        html: renderCommentText(text),
        dup_key: duplicateKey(text),
        edited_at: now,
      });
      await insertLog(trx, { comment_id: row!.id, action: "edit", actor_id: caller.id, at: now, note: null });
    });
    this.changes += 1;
    const [row] = await commentsWithPost(this.db, [id]);
    return moderationOf(row!);
  }

  /**
   * A moderator's reply, shown at once under the moderator's account name. Replying to a held
   * comment approves it first (both logged); a comment marked as spam or trashed is restored
   * before anyone replies to it.
   */
  async reply(caller: Caller, parentId: string, body: unknown): Promise<PublicComment> {
    const text = parseText(body);
    const now = this.instant();
    const settings = await this.settings();
    const id = newCommentId();
    const html = renderCommentText(text);
    const avatar = avatarUrl(caller.email, this.keys.avatar);
    const mails: Pending[] = [];
    const row = await this.db.transaction().execute(async (trx) => {
      const [parent] = await this.moderatedComments(trx, caller, [parseInput(CommentId, parentId)]);
      if (parent!.status !== "approved" && parent!.status !== "held") {
        fail("COMMENT_UNKNOWN", "restore this comment before replying to it");
      }
      if (!canReplyAt(parent!.depth, settings)) fail("COMMENT_TOO_DEEP");
      if (parent!.status === "held") {
        const tellGrandparent =
          parent!.reply_notified_at === null && (await this.parentWantsMail(trx, parent!));
        await updateComment(trx, parent!.id, {
          status: "approved",
          approved_at: now,
          ...(tellGrandparent ? { reply_notified_at: now } : {}),
        });
        await insertLog(trx, {
          comment_id: parent!.id,
          action: "approve",
          actor_id: caller.id,
          at: now,
          note: null,
        });
        if (tellGrandparent) mails.push(() => this.replyMailsFor(parent!));
      }
      const key = emailKey(caller.email);
      const tellParent = wantsReplyMail(parent!, key);
      const row: CommentRow = {
        id,
        post_id: parent!.post_id,
        parent_id: parent!.id,
        root_id: parent!.root_id,
        depth: parent!.depth + 1,
        status: "approved",
        trashed_from: null,
        reasons: "[]",
        name: caller.name,
        email: caller.email,
        email_key: key,
        website: null,
        body: text,
        html,
        avatar,
        ip_hash: null,
        ip_period: null,
        dup_key: duplicateKey(text),
        notify_replies: 0,
        reply_notified_at: tellParent ? now : null,
        account_id: caller.id,
        created_at: now,
        approved_at: now,
        edited_at: null,
      };
      await insertComment(trx, row);
      await insertLog(trx, {
        comment_id: parent!.id,
        action: "reply",
        actor_id: caller.id,
        at: now,
        note: id,
      });
      if (tellParent) mails.push(() => this.replyMailsFor(row));
      return row;
    });
    this.changes += 1;
    for (const m of mails) this.mailLater(m, "reply notice");
    return publicOf(row);
  }

  /** One comment as its moderators see it (the moderators of its post). */
  async get(caller: Caller, id: string): Promise<ModerationComment> {
    const [row] = await this.moderatedComments(this.db, caller, [parseInput(CommentId, id)]);
    return moderationOf(row!);
  }

  /** What moderators did to a comment, oldest first (the moderators of its post). */
  async log(caller: Caller, commentId: string): Promise<LogEntry[]> {
    const [row] = await this.moderatedComments(this.db, caller, [parseInput(CommentId, commentId)]);
    return (await logOf(this.db, row!.id)).map((r) => ({
      action: r.action as LogEntry["action"],
      actor: r.actor_id === null ? null : { id: r.actor_id, name: r.actor_name ?? r.actor_id },
      at: r.at,
      note: r.note,
    }));
  }

  /**
   * The comments with these ids, each under a post the caller moderates. COMMENT_UNKNOWN for
   * one that does not exist (or was erased), MODERATOR_ONLY for one under someone else's post,
   * and for a caller who moderates nothing before anything is read.
   */
  private async moderatedComments(
    db: Db,
    caller: Caller,
    ids: readonly string[],
  ): Promise<CommentWithPost[]> {
    if (!caller.operator && !caller.memberships.some((m) => EDITOR_ROLES.has(m.role))) fail("MODERATOR_ONLY");
    const rows = await commentsWithPost(db, ids);
    for (const id of ids) {
      const row = rows.find((r) => r.id === id);
      if (!row || row.status === "erased") fail("COMMENT_UNKNOWN", `no comment ${id}`, { id });
      if (!this.moderates(caller, row.post_org)) fail("MODERATOR_ONLY", undefined, { id });
    }
    return rows;
  }

  // ---- settings ----

  /** The site's moderation settings (the defaults until an operator changes them). */
  async settings(): Promise<CommentSettings> {
    const stored = await readSettings(this.db, SETTINGS_KEY);
    if (stored === undefined) return CommentSettingsSchema.parse({});
    const parsed = CommentSettingsSchema.safeParse(JSON.parse(stored));
    // Only this service writes the row, through the schema: anything else is a damaged store.
    if (!parsed.success) throw new Error(`the stored comment settings are invalid: ${parsed.error.message}`);
    return parsed.data;
  }

  /** Replaces the site's settings (operators only); a field left out takes its default. */
  async updateSettings(caller: Caller, input: unknown): Promise<CommentSettings> {
    if (!caller.operator) fail("ROLE_REQUIRED", "the comment settings are the server operators'");
    const settings = parseInput(CommentSettingsSchema, input ?? {});
    await writeSettings(this.db, {
      key: SETTINGS_KEY,
      settings: JSON.stringify(settings),
      updated_at: this.instant(),
      updated_by: caller.id,
    });
    this.changes += 1;
    return settings;
  }

  // ---- privacy ----

  /**
   * Drops the IP hashes of comments older than the retention, and the salts of periods that
   * ended before it: from then on no stored hash can be tied to an address, not even by
   * hashing every address there is.
   */
  async purgeExpired(
    now: string = this.instant(),
  ): Promise<{ ipHashesDropped: number; saltsDeleted: number }> {
    const { ipRetentionDays } = await this.settings();
    const cutoff = retentionCutoff(now, ipRetentionDays);
    return this.db.transaction().execute(async (trx) => {
      const ipHashesDropped = await dropIpHashesBefore(trx, cutoff);
      const expired = (await saltPeriods(trx)).filter((p) =>
        saltExpired(p, SALT_PERIOD_HOURS, now, ipRetentionDays),
      );
      return { ipHashesDropped, saltsDeleted: await deleteSalts(trx, expired) };
    });
  }

  /** Purges now and then every `everyMs` until the returned function is called. */
  schedulePurge(everyMs = 3_600_000): () => void {
    const run = () => {
      this.purgeExpired().catch((err: unknown) =>
        this.logger.error({ err }, "comments: purging IP hashes failed"),
      );
    };
    run();
    const timer = setInterval(run, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Mails the address a link to a copy of its comments, if it has left any. Says nothing
   * either way: whoever asks learns nothing about the address.
   */
  async requestExport(email: string): Promise<void> {
    await this.requestPrivacyLink(email, "export");
  }

  /** Mails the address a link that erases its comments, if it has left any. */
  async requestErasure(email: string): Promise<void> {
    await this.requestPrivacyLink(email, "erase");
  }

  private async requestPrivacyLink(email: unknown, kind: "export" | "erase"): Promise<void> {
    const address = parseInput(Email, email);
    const key = emailKey(address);
    if (!(await hasCommentsOfEmail(this.db, key))) return;
    const expires = new Date(Date.parse(this.instant()) + PRIVACY_LINK_HOURS * 3_600_000).toISOString();
    const token = this.seal({ p: kind, k: key, x: expires });
    const url =
      kind === "export"
        ? `${this.publicUrl}/api/v1/comments/privacy/export?token=${token}`
        : `${this.publicUrl}/comments/erase?token=${token}`;
    this.mailLater(
      async () => [privacyLinkMail({ to: address, kind, url, validHours: PRIVACY_LINK_HOURS })],
      `${kind} link`,
    );
  }

  /**
   * The comments left with the address an export link was mailed to, as their author may
   * read them: never the address itself (whoever holds the link knows it) nor what the
   * rules made of a comment beyond "published", "awaiting moderation" or "removed".
   */
  async exportFor(token: string): Promise<{ comments: ExportedComment[] }> {
    const key = this.openLink(token, "export");
    const rows = await commentsOfEmail(this.db, key);
    return {
      comments: rows.map((r) => ({
        id: r.id,
        post: { slug: r.post_slug, title: r.post_title },
        parentId: r.parent_id,
        status:
          r.status === "approved" ? "published" : r.status === "trash" ? "removed" : "awaiting moderation",
        name: r.name,
        website: r.website,
        text: r.body,
        createdAt: r.created_at,
        editedAt: r.edited_at,
      })),
    };
  }

  /**
   * Erases the comments left with the address an erasure link was mailed to. A comment nobody
   * replied to is deleted outright; one with replies keeps its place in the thread, emptied of
   * its text, name, address, website and IP hash, so that the replies (other people's words)
   * still read as answers rather than being deleted with it or floating free. The deepest go
   * first, so a chain of one's own replies goes entirely.
   */
  async eraseFor(token: string): Promise<{ deleted: number; emptied: number }> {
    const key = this.openLink(token, "erase");
    const now = this.instant();
    const result = await this.db.transaction().execute(async (trx) => {
      const rows = (await commentsOfEmail(trx, key)).sort((a, b) => b.depth - a.depth);
      let deleted = 0;
      let emptied = 0;
      for (const row of rows) {
        if (await hasReplies(trx, row.id)) {
          await updateComment(trx, row.id, {
            status: "erased",
            trashed_from: null,
            reasons: "[]",
            name: "",
            email: "",
            email_key: "",
            website: null,
            body: "",
            html: "",
            avatar: "",
            ip_hash: null,
            ip_period: null,
            dup_key: "",
            notify_replies: 0,
            edited_at: now,
          });
          await insertLog(trx, { comment_id: row.id, action: "erase", actor_id: null, at: now, note: null });
          emptied += 1;
        } else {
          await deleteLog(trx, row.id);
          await deleteComment(trx, row.id);
          deleted += 1;
        }
      }
      return { deleted, emptied };
    });
    if (result.deleted + result.emptied > 0) this.changes += 1;
    return result;
  }

  /** The link in a reply mail that stops mails about replies to that one comment. */
  unsubscribeToken(commentId: string): string {
    return `u1.${commentId}.${this.mac(`unsubscribe\n${commentId}`)}`;
  }

  /** Stops mails about replies to the comment the token names (one click, no sign-in). */
  async unsubscribe(token: string): Promise<void> {
    const m =
      typeof token === "string" ? /^u1\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/.exec(token) : null;
    if (!m || !safeEqual(m[2]!, this.mac(`unsubscribe\n${m[1]}`))) fail("MAIL_LINK_INVALID");
    // A comment erased or deleted since has nothing left to stop: done all the same.
    await this.db.updateTable("comments").set({ notify_replies: 0 }).where("id", "=", m[1]!).execute();
  }

  // ---- internals ----

  private ipKey(salt: Buffer): Buffer {
    return createHmac("sha256", this.keys.ip).update(salt).digest();
  }

  /**
   * When the comments from this address's group came, since `since`: its hash under the salt of
   * every period the window spans, so a rotation inside the window hides nobody.
   */
  private async receivedFromIp(db: Db, ip: string, since: string, now: string): Promise<string[]> {
    const salts = await saltsOf(db, saltPeriodsBetween(since, now, SALT_PERIOD_HOURS));
    const hashes = [...salts.values()].map((salt) => hashIp(ip, this.ipKey(salt)));
    return receivedFromIp(db, hashes, since);
  }

  /**
   * The post comments go under, if the caller may see it. POST_UNKNOWN alike for one that does
   * not exist and one hidden from the caller.
   */
  private async visiblePost(slug: string, caller: Caller | null): Promise<LivePost> {
    // The posts' own rule says who sees a post (live: everyone; else its editors and author).
    const view = await this.posts.get(caller, slug);
    const id = await postIdOf(this.db, view.slug);
    if (id === undefined) fail("POST_UNKNOWN");
    return {
      id,
      slug: view.slug,
      title: view.title,
      org: view.org,
      // A post off the site takes no comments, whoever looks at it.
      commentsOpen: view.commentsOpen && view.live,
      publishedAt: view.publishedAt,
    };
  }

  private async parentWantsMail(db: Db, reply: CommentRow): Promise<boolean> {
    if (reply.parent_id === null) return false;
    const parent = await commentById(db, reply.parent_id);
    return parent !== undefined && wantsReplyMail(parent, reply.email_key);
  }

  /** Queues mails to send once the caller's transaction has committed; a failure is logged. */
  private mailLater(make: Pending, what: string): void {
    if (!this.mailer) {
      this.logger.info({ mail: what }, "comments: mail is not configured (PARLEY_SMTP_URL); not sent");
      return;
    }
    const mailer = this.mailer;
    const job = (async () => {
      try {
        for (const mail of await make()) await mailer.send(mail);
      } catch (err) {
        // Not the error's message: a mail server's answer often repeats the address.
        const e = err as { code?: unknown; responseCode?: unknown; command?: unknown };
        this.logger.error(
          { mail: what, code: e?.code, responseCode: e?.responseCode, command: e?.command },
          "comments: sending mail failed",
        );
      }
    })();
    this.sending.add(job);
    void job.finally(() => this.sending.delete(job));
  }

  private async heldMails(post: LivePost, row: CommentRow, reasons: readonly string[]): Promise<Mail[]> {
    const moderators = (await this.accounts.members(post.org)).filter((m) => EDITOR_ROLES.has(m.role));
    return moderators.map((m) =>
      heldCommentMail({
        to: m.email,
        postTitle: post.title,
        commenterName: row.name,
        text: row.body,
        reasons,
        queueUrl: `${this.publicUrl}/moderation/comments?status=held`,
      }),
    );
  }

  /** The mail to the author of the comment `reply` answers, if they still want it. */
  private async replyMailsFor(reply: CommentRow): Promise<Mail[]> {
    if (reply.parent_id === null) return [];
    const [parent] = await commentsWithPost(this.db, [reply.parent_id]);
    if (!parent) return [];
    return this.replyMails({ slug: parent.post_slug, title: parent.post_title }, parent, reply);
  }

  private async replyMails(
    post: Pick<LivePost, "slug" | "title">,
    parent: CommentRow,
    reply: CommentRow,
  ): Promise<Mail[]> {
    // Read again: the commenter may have unsubscribed or erased it since the reply came.
    const now = await commentById(this.db, parent.id);
    if (!now || !wantsReplyMail(now, reply.email_key)) return [];
    const token = this.unsubscribeToken(parent.id);
    return [
      replyMail({
        to: now.email,
        postTitle: post.title,
        replierName: reply.name,
        text: reply.body,
        // The public post page (src/web/pages/post.tsx postPath) with the reply's anchor.
        commentUrl: `${this.publicUrl}/news/${encodeURIComponent(post.slug)}#comment-${reply.id}`,
        unsubscribeUrl: `${this.publicUrl}/api/v1/comments/unsubscribe?token=${token}`,
        unsubscribePageUrl: `${this.publicUrl}/comments/unsubscribe?token=${token}`,
      }),
    ];
  }

  private mac(text: string): string {
    return createHmac("sha256", this.keys.link).update(text).digest("base64url");
  }

  /** An authenticated, encrypted token: whoever sees the link learns nothing from it, the address least. */
  private seal(payload: { p: string; k: string; x: string }): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keys.seal, iv);
    cipher.setAAD(Buffer.from(SEAL_LABEL));
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), "utf8"), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
  }

  /** The email key a privacy link was made for; MAIL_LINK_INVALID when forged, altered, expired or for another use. */
  private openLink(token: unknown, purpose: "export" | "erase"): string {
    const payload = typeof token === "string" && token.length < 2_000 ? this.unseal(token) : null;
    if (!payload || payload.p !== purpose || payload.x <= this.instant()) fail("MAIL_LINK_INVALID");
    return payload.k;
  }

  private unseal(token: string): { p: string; k: string; x: string } | null {
    const raw = Buffer.from(token, "base64url");
    // Node's decoder skips stray characters; a link is accepted only exactly as it was made.
    if (raw.length < 12 + 16 + 2 || raw.toString("base64url") !== token) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.keys.seal, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(SEAL_LABEL));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
      const parsed = SealedLink.safeParse(JSON.parse(text.toString("utf8")));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}

export interface ExportedComment {
  id: string;
  post: { slug: string; title: string };
  parentId: string | null;
  status: "published" | "awaiting moderation" | "removed";
  name: string;
  website: string | null;
  text: string;
  createdAt: string;
  editedAt: string | null;
}

/** A comment approved on another site, as an importer hands it over. */
export interface ImportedComment {
  /** Its id in the source, unique in one call: what replies name as their parent. */
  ref: string;
  parentRef: string | null;
  name: string;
  /** "" when the source has none (anonymous comments); never shown. */
  email: string;
  website: string | null;
  /** Plain text, as a reader would have typed it. */
  text: string;
  /** When it was written, a UTC instant. */
  at: string;
}

const ImportRef = z.string().min(1).max(100);
const ImportedComments = z
  .array(
    z.strictObject({
      ref: ImportRef,
      parentRef: ImportRef.nullable(),
      name: CommentForm.shape[COMMENT_FIELD.name],
      email: z.union([z.literal(""), Email]),
      website: z
        .string()
        .max(WEBSITE_MAX)
        .nullable()
        .refine((w) => w === null || normalizeWebsite(w) === w, "an absolute http(s) address"),
      text: CommentText,
      at: Instant,
    }),
  )
  .max(100_000);

const SEAL_LABEL = "parley comment mail link v1";
const SealedLink = z.object({ p: z.string(), k: z.string(), x: z.string() });

function newCommentId(): string {
  return `c${randomBytes(9).toString("base64url")}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isTicked(v: unknown): boolean {
  return v === "on" || v === true || v === "true" || v === "1";
}

function windowStart(now: string, minutes: number): string {
  return new Date(Date.parse(now) - minutes * 60_000).toISOString();
}

/** Whether the author of `parent` is to hear of a reply from `replierKey`: not of their own. */
function wantsReplyMail(parent: CommentRow, replierKey: string): boolean {
  return (
    parent.notify_replies === 1 &&
    parent.status !== "erased" &&
    parent.email_key !== "" &&
    parent.email_key !== replierKey
  );
}

function parseText(body: unknown): string {
  const parsed = CommentText.safeParse(body);
  if (parsed.success) return parsed.data;
  fail("VALIDATION_FAILED", `body: ${parsed.error.issues[0]?.message ?? "write a comment"}`);
}

function statusAfter(row: CommentRow, action: ModerationAction): string {
  switch (action) {
    case "approve":
      return "approved";
    case "hold":
      return "held";
    case "spam":
      return "spam";
    case "trash":
      return "trash";
    case "restore":
      if (row.status === "trash") return row.trashed_from ?? "held";
      if (row.status === "spam") return "held";
      return row.status;
  }
}

function publicOf(row: ThreadRow): PublicComment {
  const removed = row.status !== "approved";
  return {
    id: row.id,
    parentId: row.parent_id,
    depth: row.depth,
    name: removed ? "" : row.name,
    website: removed ? null : row.website,
    html: removed ? "" : row.html,
    avatar: removed ? "" : row.avatar,
    createdAt: row.created_at,
    editedAt: removed ? null : row.edited_at,
    removed,
  };
}

function moderationOf(row: CommentWithPost): ModerationComment {
  return {
    id: row.id,
    post: { slug: row.post_slug, title: row.post_title },
    parentId: row.parent_id,
    depth: row.depth,
    status: row.status as CommentStatus,
    reasons: JSON.parse(row.reasons) as string[],
    name: row.name,
    email: row.email,
    website: row.website,
    body: row.body,
    html: row.html,
    avatar: row.avatar,
    byModerator: row.account_id !== null,
    notifyReplies: row.notify_replies === 1,
    createdAt: row.created_at,
    approvedAt: row.approved_at,
    editedAt: row.edited_at,
  };
}

/**
 * The threads started by `roots`, in that order, from all their comments (oldest first): the
 * approved ones, and in place of any other one an empty "removed" comment when approved
 * replies stand under it. Anything else (held, spam, trashed and erased comments without
 * approved replies under them) is left out.
 */
function buildThreads(roots: readonly string[], rows: readonly ThreadRow[]): ThreadComment[] {
  const children = new Map<string, ThreadRow[]>();
  const byId = new Map<string, ThreadRow>();
  for (const row of rows) {
    byId.set(row.id, row);
    if (row.parent_id === null) continue;
    const list = children.get(row.parent_id);
    if (list) list.push(row);
    else children.set(row.parent_id, [row]);
  }
  const shown = (row: ThreadRow): ThreadComment | null => {
    const replies = (children.get(row.id) ?? []).map(shown).filter((r) => r !== null);
    if (row.status !== "approved" && replies.length === 0) return null;
    return { ...publicOf(row), replies };
  };
  return roots
    .map((id) => byId.get(id))
    .filter((row) => row !== undefined)
    .map(shown)
    .filter((t) => t !== null);
}
