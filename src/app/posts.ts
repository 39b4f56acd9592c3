import { randomBytes } from "node:crypto";
import { z } from "zod";
import { fail } from "../domain/errors.ts";
import {
  afterPublish,
  afterUnpublish,
  currentStatus,
  everLive,
  excerptOf,
  numberedSlug,
  PostDraft,
  PostEdit,
  PostSlug,
  type PostStatus,
  type PostTiming,
  PublishRequest,
  postLive,
  slugify,
  Tag,
} from "../domain/post.ts";
import { Id, Instant } from "../domain/values.ts";
import {
  currentLists,
  type Db,
  insertPost,
  insertRevision,
  livePosts,
  type PostLists,
  type PostRow,
  type PostSummaryRow,
  postBySlug,
  postsOf,
  revisionLists,
  revisionsOf,
  sharingTags,
  slugsLike,
  slugTaken,
  summariesByIds,
  updatePost,
} from "../store/posts-repo.ts";
import { describeEntry, entryOf, TYPE_LABELS } from "../web/describe.ts";
import type { Caller } from "./accounts.ts";
import { opaqueCursor } from "./cursor.ts";
import type { Parley } from "./parley.ts";
import { parseInput } from "./parse-input.ts";
import { leafHashOf, type TimelineItem } from "./timeline-query.ts";
import { PUBLIC } from "./visibility.ts";

/**
 * News posts: the use cases behind the newsroom's API and pages. Who may do what:
 * - writers for a dispute (any account of a press organization or of a party) create drafts;
 * - a post's editors (admins and negotiators of its organization, and the server's operators)
 *   publish, schedule, unpublish and edit it, and read its revisions;
 * - its author edits it while it is a draft and reads its revisions, while still a member of
 *   its organization;
 * - everyone else sees it only while it is live; before and after, it does not exist for them.
 */
export interface PostView {
  slug: string;
  dispute: string;
  org: string;
  orgName: string;
  /** Never the author's email. */
  author: { id: string; name: string };
  title: string;
  /** Markdown. */
  body: string;
  tags: string[];
  citations: number[];
  status: PostStatus;
  publishAt: string | null;
  /** The first publication instant, once it has happened. */
  publishedAt: string | null;
  /** The last revision saved after first publication (shown as "updated"). */
  updatedAt: string | null;
  createdAt: string;
  revision: number;
  live: boolean;
  commentsOpen: boolean;
}

export type PostSummary = Omit<PostView, "body"> & {
  /** The body's opening as plain text (not HTML), about 200 characters. */
  excerpt: string;
};

export interface RevisionView {
  revision: number;
  title: string;
  body: string;
  tags: string[];
  citations: number[];
  /** Who saved this version. */
  author: { id: string; name: string };
  createdAt: string;
  current: boolean;
}

/** A cited ledger entry as the public sees it, with what a reader needs to check it. */
export interface CitationView {
  seq: number;
  type: string;
  /** The entry type's human label ("Statement", "Pass"…). */
  label: string;
  occurredAt: string;
  summary: string;
  /** RFC 9162 leaf hash of the signed entry, hex. */
  leafHash: string;
  /** The inclusion proof of the entry in the dispute's current tree. */
  proofUrl: string;
  /** Set when the entry was later corrected or retracted, by entry `by`, at `at`. */
  correction: null | { action: "correct" | "retract"; by: number; at: string };
}

/**
 * For trusted callers only (the demo, an importer), never filled from HTTP input: the instant
 * the action is taken, instead of the clock, so that history can be written with its dates.
 */
export interface TrustedOptions {
  at?: string;
}

/**
 * What only an importer gives `create`, never from HTTP input: the post arrives whole, with
 * the name it was signed with, its publication and what belongs to it (its comments), written
 * in the one transaction that creates it, so that a post is imported entirely or not at all.
 */
export interface ImportOptions extends TrustedOptions {
  /** The original author's name, shown as the byline in place of the importing account's. */
  byline?: string;
  /** Publishes it as it is created: at this instant, or scheduled for it when it is ahead of `at`. */
  publishAt?: string;
  /** Runs inside the creating transaction, once the post's rows are written. */
  alongside?: (trx: Db, post: { id: string; slug: string }) => Promise<void>;
}

// A byline is shown where a title is (a line in a page, a feed's author): the same one-line rule.
const Byline = PostDraft.shape.title;

/** What a client may ask of the list of live posts. */
export const PostListQuery = z.strictObject({
  dispute: Id.optional().describe("only posts about this dispute"),
  tag: Tag.optional().describe("only posts with this tag"),
  before: z.string().max(200).optional().describe("the `next` cursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type PostListQuery = z.input<typeof PostListQuery>;

const cursor = opaqueCursor(z.object({ p: z.string().max(40), s: PostSlug }));

/** The roles that make an account an editor of its organization's posts and their comments. */
export const EDITOR_ROLES: ReadonlySet<string> = new Set(["admin", "negotiator"]);
const MAX_RELATED = 50;

function timing(row: Pick<PostRow, "status" | "publish_at" | "published_at">): PostTiming {
  return { status: row.status as PostStatus, publishAt: row.publish_at, publishedAt: row.published_at };
}

interface Access {
  sees: boolean;
  editor: boolean;
  author: boolean;
}

function accessOf(
  caller: Caller | null,
  row: Pick<PostRow, "org_id" | "author_id" | "status" | "publish_at" | "published_at">,
  now: string,
): Access {
  const editor = caller !== null && editsFor(caller, row.org_id);
  const author = caller !== null && authored(caller, row.org_id, row.author_id);
  return { editor, author, sees: editor || author || postLive(timing(row), now) };
}

/** Whether the caller edits `org`'s posts: its admins and negotiators, and the server's operators. */
export function editsFor(caller: Caller, org: string): boolean {
  return caller.operator || caller.memberships.some((m) => m.org === org && EDITOR_ROLES.has(m.role));
}

/** Author rights last only as long as the membership the post was written under. */
function authored(caller: Caller, org: string, authorId: string): boolean {
  return authorId === caller.id && caller.memberships.some((m) => m.org === org);
}

/**
 * What the caller may do with a post it can see, by the rules this service enforces: for pages
 * to offer only the controls that will work.
 */
export function postAccess(
  caller: Caller,
  post: Pick<PostView, "org" | "author" | "status">,
): { editor: boolean; author: boolean; mayEdit: boolean } {
  const editor = editsFor(caller, post.org);
  const author = authored(caller, post.org, post.author.id);
  return { editor, author, mayEdit: editor || (author && post.status === "draft") };
}

/** The row if `caller` may see it; POST_UNKNOWN alike for a post that does not exist and one hidden from it. */
function visible(
  caller: Caller | null,
  row: PostRow | undefined,
  now: string,
): { row: PostRow; access: Access } {
  const access = row ? accessOf(caller, row, now) : undefined;
  if (!row || !access?.sees) fail("POST_UNKNOWN");
  return { row, access };
}

/** For publishing and unpublishing: the post's editors only. */
function requireEditor(caller: Caller, row: PostRow | undefined, now: string, what: string): PostRow {
  const { row: seen, access } = visible(caller, row, now);
  if (access.editor) return seen;
  if (access.author) fail("ROLE_REQUIRED", `${what} takes the admin or negotiator role in ${seen.org_id}`);
  fail("POST_NOT_EDITABLE");
}

const draftTiming: PostTiming = { status: "draft", publishAt: null, publishedAt: null };

const sameList = <T>(a: readonly T[], b: readonly T[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

export class Posts {
  /** Writes made through this service: part of the key public page caches use. */
  private changes = 0;

  constructor(
    private readonly parley: Parley,
    private readonly now: () => string,
  ) {}

  /** Changes with every post written here (a page that shows posts must be rendered again). */
  version(): number {
    return this.changes;
  }

  private get db() {
    return this.parley.db;
  }

  /** The instant an action is taken: the trusted caller's, else the clock's, in one normalized form. */
  private instant(opts: TrustedOptions = {}): string {
    if (opts.at !== undefined) return parseInput(Instant, opts.at);
    return new Date(this.now()).toISOString();
  }

  /** Creates a draft for one of the caller's organizations. */
  async create(caller: Caller, input: unknown, opts: ImportOptions = {}): Promise<PostView> {
    const draft = parseInput(PostDraft, input);
    const now = this.instant(opts);
    const byline = opts.byline === undefined ? null : parseInput(Byline, opts.byline);
    const published =
      opts.publishAt === undefined
        ? undefined
        : afterPublish(draftTiming, parseInput(Instant, opts.publishAt), now);
    await this.parley.disputeRow(draft.dispute);
    if (!caller.memberships.some((m) => m.org === draft.org)) {
      fail("ROLE_REQUIRED", `you are not a member of ${draft.org}`);
    }
    const org = await this.parley.organization(draft.org);
    const parties = await this.parley.parties(draft.dispute);
    if (org?.kind !== "press" && !parties.has(draft.org)) {
      fail("ROLE_REQUIRED", `${draft.org} is neither a press organization nor a party to ${draft.dispute}`);
    }
    await this.requirePublic(draft.dispute, draft.citations);
    const id = `post_${randomBytes(9).toString("base64url")}`;
    const slug = await this.db.transaction().execute(async (trx) => {
      let slug: string;
      if (draft.slug !== undefined) {
        if (await slugTaken(trx, draft.slug)) fail("POST_SLUG_TAKEN", `another post is at ${draft.slug}`);
        slug = draft.slug;
      } else {
        slug = await freeSlug(trx, slugify(draft.title));
      }
      await insertPost(trx, {
        id,
        slug,
        dispute: draft.dispute,
        org_id: draft.org,
        author_id: caller.id,
        byline,
        status: published?.status ?? "draft",
        revision: 1,
        comments_open: 1,
        publish_at: published?.publishAt ?? null,
        published_at: published?.publishedAt ?? null,
        updated_at: null,
        created_at: now,
      });
      await insertRevision(
        trx,
        {
          post_id: id,
          revision: 1,
          title: draft.title,
          body: draft.body,
          excerpt: excerptOf(draft.body),
          author_id: caller.id,
          created_at: now,
        },
        draft.tags,
        draft.citations,
      );
      if (opts.alongside) await opts.alongside(trx, { id, slug });
      return slug;
    });
    this.changes += 1;
    return this.viewAt(slug, now);
  }

  /**
   * Saves a change made on revision `revision`. A change of title, body, tags or citations
   * is a new revision; the comments flag (editors only) and the address (until first
   * publication) change the post itself.
   */
  async edit(caller: Caller, slug: string, input: unknown, opts: TrustedOptions = {}): Promise<PostView> {
    const edit = parseInput(PostEdit, input);
    const now = this.instant(opts);
    const { row: seen } = visible(caller, await postBySlug(this.db, slug), now);
    // Read before the transaction, which holds SQLite's one connection; citations cannot
    // stop being public (the ledger is append-only), and a post's dispute never changes.
    if (edit.citations) await this.requirePublic(seen.dispute, edit.citations);
    const saved = await this.db.transaction().execute(async (trx) => {
      const { row, access } = visible(caller, await postBySlug(trx, slug), now);
      if (row.id !== seen.id) fail("POST_UNKNOWN");
      if (!access.editor) {
        if (!access.author) fail("POST_NOT_EDITABLE");
        if (currentStatus(timing(row), now) !== "draft") {
          fail("POST_NOT_EDITABLE", "its author may change a post only while it is a draft");
        }
        if (edit.commentsOpen !== undefined && edit.commentsOpen !== (row.comments_open === 1)) {
          fail(
            "ROLE_REQUIRED",
            `opening or closing comments takes the admin or negotiator role in ${row.org_id}`,
          );
        }
      }
      if (edit.revision !== row.revision) {
        fail("POST_STALE", `the post is at revision ${row.revision}, not ${edit.revision}`, {
          revision: row.revision,
        });
      }
      const changes: Parameters<typeof updatePost>[2] = {};
      if (edit.slug !== undefined && edit.slug !== row.slug) {
        if (everLive(timing(row), now)) fail("POST_STATE", "the address of a published post never changes");
        if (await slugTaken(trx, edit.slug)) fail("POST_SLUG_TAKEN", `another post is at ${edit.slug}`);
        changes.slug = edit.slug;
      }
      if (edit.commentsOpen !== undefined) changes.comments_open = edit.commentsOpen ? 1 : 0;
      const was = (await currentLists(trx, [row.id])).get(row.id)!;
      const next = {
        title: edit.title ?? row.title,
        body: edit.body ?? row.body,
        tags: edit.tags ?? was.tags,
        citations: edit.citations ?? was.citations,
      };
      const changed =
        next.title !== row.title ||
        next.body !== row.body ||
        !sameList(next.tags, was.tags) ||
        !sameList(next.citations, was.citations);
      if (changed) {
        changes.revision = row.revision + 1;
        if (everLive(timing(row), now)) changes.updated_at = now;
      }
      if (Object.keys(changes).length === 0) return row.slug;
      // The guarded update comes first: of two edits of the same revision, one finds the
      // row moved on and is refused before it writes a revision of its own.
      if (!(await updatePost(trx, row.id, changes, row.revision))) {
        fail("POST_STALE", "the post was changed meanwhile", { revision: row.revision + 1 });
      }
      if (changed) {
        await insertRevision(
          trx,
          {
            post_id: row.id,
            revision: row.revision + 1,
            title: next.title,
            body: next.body,
            excerpt: excerptOf(next.body),
            author_id: caller.id,
            created_at: now,
          },
          next.tags,
          next.citations,
        );
      }
      return changes.slug ?? row.slug;
    });
    this.changes += 1;
    return this.viewAt(saved, now);
  }

  /** Publishes now, or schedules for a future `at` (the post's editors). */
  async publish(caller: Caller, slug: string, input: unknown, opts: TrustedOptions = {}): Promise<PostView> {
    const request = parseInput(PublishRequest, input ?? {});
    const now = this.instant(opts);
    await this.db.transaction().execute(async (trx) => {
      const row = requireEditor(caller, await postBySlug(trx, slug), now, "publishing");
      const next = afterPublish(timing(row), request.at, now);
      await updatePost(trx, row.id, {
        status: next.status,
        publish_at: next.publishAt,
        published_at: next.publishedAt,
      });
    });
    this.changes += 1;
    return this.viewAt(slug, now);
  }

  /** Takes a post off the site (or calls off its schedule) (the post's editors). */
  async unpublish(caller: Caller, slug: string, opts: TrustedOptions = {}): Promise<PostView> {
    const now = this.instant(opts);
    await this.db.transaction().execute(async (trx) => {
      const row = requireEditor(caller, await postBySlug(trx, slug), now, "unpublishing");
      const next = afterUnpublish(timing(row), now);
      await updatePost(trx, row.id, {
        status: next.status,
        publish_at: next.publishAt,
        published_at: next.publishedAt,
      });
    });
    this.changes += 1;
    return this.viewAt(slug, now);
  }

  /** The post, if the caller (null: the public) may see it; else POST_UNKNOWN. */
  async get(caller: Caller | null, slug: string): Promise<PostView> {
    const now = this.instant();
    const { row } = visible(caller, await postBySlug(this.db, slug), now);
    return this.viewOf(row, now);
  }

  /** Every saved version, newest first: for the post's author and editors. */
  async revisions(caller: Caller, slug: string): Promise<RevisionView[]> {
    const now = this.instant();
    const { row, access } = visible(caller, await postBySlug(this.db, slug), now);
    if (!access.editor && !access.author) {
      fail("ROLE_REQUIRED", "a post's revisions are for its author and its organization's editors");
    }
    const lists = await revisionLists(this.db, row.id);
    return (await revisionsOf(this.db, row.id)).map((r) => ({
      revision: r.revision,
      title: r.title,
      body: r.body,
      tags: lists.get(r.revision)?.tags ?? [],
      citations: lists.get(r.revision)?.citations ?? [],
      author: { id: r.author_id, name: r.author_name },
      createdAt: r.created_at,
      current: r.revision === row.revision,
    }));
  }

  /** Live posts, newest publication first, a page at a time (`next` goes in `before`). */
  async listPublished(query: PostListQuery): Promise<{ posts: PostSummary[]; next: string | null }> {
    const q = parseInput(PostListQuery, query);
    const now = this.instant();
    if (q.dispute !== undefined) await this.parley.disputeRow(q.dispute);
    let after: { publishAt: string; slug: string } | undefined;
    if (q.before !== undefined) {
      const c = cursor.decode(q.before);
      if (!c) fail("VALIDATION_FAILED", "before: not a cursor this list gave out");
      after = { publishAt: c.p, slug: c.s };
    }
    const rows = await livePosts(this.db, {
      now,
      dispute: q.dispute,
      tag: q.tag,
      after,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    const next = rows.length > q.limit && last ? cursor.encode({ p: last.publish_at!, s: last.slug }) : null;
    return { posts: await this.summaries(page, now), next };
  }

  /** Every post the caller may edit: its organizations' as an editor, its own drafts as an author. */
  async listForCaller(caller: Caller): Promise<PostSummary[]> {
    const rows = await postsOf(this.db, {
      orgs: caller.memberships.filter((m) => EDITOR_ROLES.has(m.role)).map((m) => m.org),
      authorId: caller.id,
      authorOrgs: caller.memberships.map((m) => m.org),
      all: caller.operator,
    });
    return this.summaries(rows, this.instant());
  }

  /**
   * Live posts about the same dispute, those sharing most tags first, then the newest. It
   * does not ask who is looking (its answer holds only live posts): pages call it for a post
   * they have shown, after `get`. An unknown slug has none.
   */
  async related(slug: string, limit: number): Promise<PostSummary[]> {
    const wanted = Math.max(0, Math.min(MAX_RELATED, Math.trunc(limit)));
    const post = await postBySlug(this.db, slug);
    if (!post || wanted === 0) return [];
    const now = this.instant();
    const { tags } = (await currentLists(this.db, [post.id])).get(post.id)!;
    const sharing = await sharingTags(this.db, {
      now,
      dispute: post.dispute,
      tags,
      excludeId: post.id,
      limit: wanted,
    });
    const byId = new Map(
      (
        await summariesByIds(
          this.db,
          sharing.map((s) => s.id),
        )
      ).map((r) => [r.id, r]),
    );
    const first = sharing.map((s) => byId.get(s.id)).filter((r) => r !== undefined);
    const rest =
      first.length < wanted
        ? await livePosts(this.db, {
            now,
            dispute: post.dispute,
            excludeIds: [post.id, ...first.map((r) => r.id)],
            limit: wanted - first.length,
          })
        : [];
    return this.summaries([...first, ...rest], now);
  }

  /** The post's citations resolved as the public sees them, in the order cited. */
  async citations(post: Pick<PostView, "dispute" | "citations">): Promise<CitationView[]> {
    if (post.citations.length === 0) return [];
    const state = await this.parley.view(post.dispute, PUBLIC);
    const zone = state.opened?.timeZone ?? "UTC";
    const out: CitationView[] = [];
    for (const seq of post.citations) {
      const item = await this.publicEntry(post.dispute, seq);
      // Checked when saved and public for good since; a missing one would be a damaged store.
      if (!item) continue;
      const entry = entryOf(item);
      const correction = state.corrections[String(seq)];
      out.push({
        seq,
        type: item.type,
        label: TYPE_LABELS[entry.type] ?? item.type,
        occurredAt: item.occurredAt,
        summary: describeEntry(entry, state, zone),
        leafHash: leafHashOf(item),
        proofUrl: `/api/v1/disputes/${encodeURIComponent(post.dispute)}/proofs/inclusion?seq=${seq}`,
        correction: correction ? { action: correction.action, by: correction.by, at: correction.at } : null,
      });
    }
    return out;
  }

  /** Entry `seq` of the dispute if the public may read it, through the app's one visibility rule. */
  private async publicEntry(dispute: string, seq: number): Promise<TimelineItem | null> {
    return this.parley.entry(dispute, PUBLIC, seq);
  }

  /** The same refusal for an entry that is private and one that does not exist: neither is citable. */
  private async requirePublic(dispute: string, seqs: readonly number[]): Promise<void> {
    for (const seq of seqs) {
      if (!(await this.publicEntry(dispute, seq))) {
        fail("CITATION_UNKNOWN", `entry ${seq} is not a public entry of ${dispute}`, { seq });
      }
    }
  }

  private async viewAt(slug: string, now: string): Promise<PostView> {
    const row = await postBySlug(this.db, slug);
    if (!row) fail("POST_UNKNOWN");
    return this.viewOf(row, now);
  }

  private async viewOf(row: PostRow, now: string): Promise<PostView> {
    const lists = (await currentLists(this.db, [row.id])).get(row.id)!;
    const { excerpt: _excerpt, ...summary } = await this.summaryOf(row, lists, now);
    return { ...summary, body: row.body };
  }

  private async summaries(rows: readonly PostSummaryRow[], now: string): Promise<PostSummary[]> {
    const lists = await currentLists(
      this.db,
      rows.map((r) => r.id),
    );
    return Promise.all(rows.map((r) => this.summaryOf(r, lists.get(r.id)!, now)));
  }

  private async summaryOf(row: PostSummaryRow, lists: PostLists, now: string): Promise<PostSummary> {
    const t = timing(row);
    return {
      slug: row.slug,
      dispute: row.dispute,
      org: row.org_id,
      orgName: (await this.parley.organization(row.org_id))?.name ?? row.org_id,
      // The account stays the author (for rights); readers see who signed the text.
      author: { id: row.author_id, name: row.byline ?? row.author_name },
      title: row.title,
      excerpt: row.excerpt,
      tags: lists.tags,
      citations: lists.citations,
      status: currentStatus(t, now),
      publishAt: row.publish_at,
      publishedAt: everLive(t, now) ? row.published_at : null,
      updatedAt: row.updated_at,
      createdAt: row.created_at,
      revision: row.revision,
      live: postLive(t, now),
      commentsOpen: row.comments_open === 1,
    };
  }
}

/** `base` if free, else the first free "base-2", "base-3"… */
async function freeSlug(db: Db, base: string): Promise<string> {
  const taken = await slugsLike(db, base);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = numberedSlug(base, n);
    // A long base is cut to make room for the number, which takes it outside `taken`.
    const clash = candidate.startsWith(`${base}-`) ? taken.has(candidate) : await slugTaken(db, candidate);
    if (!clash) return candidate;
  }
}
