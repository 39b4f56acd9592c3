import type { Insertable, Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

/**
 * Queries of the news posts' tables: no rules here (who may do what, and when a post is live,
 * are decided in domain/post.ts and app/posts.ts). Written with the query builder only, so
 * the same code runs on PostgreSQL. Revision rows and their tags and citations are only ever
 * inserted; a post's own row is the one thing updated.
 */
export type Db = Kysely<Database> | Transaction<Database>;

/** A post with its current revision and its author's display name. */
export interface PostRow {
  id: string;
  slug: string;
  dispute: string;
  org_id: string;
  author_id: string;
  author_name: string;
  /** Set for a post written elsewhere: the name its byline shows instead of author_name. */
  byline: string | null;
  status: string;
  revision: number;
  comments_open: number;
  publish_at: string | null;
  published_at: string | null;
  updated_at: string | null;
  created_at: string;
  title: string;
  body: string;
  excerpt: string;
}

export type PostSummaryRow = Omit<PostRow, "body">;

export interface RevisionRow {
  revision: number;
  title: string;
  body: string;
  author_id: string;
  author_name: string;
  created_at: string;
}

/** Where a list of live posts goes on from: past this publication instant and slug, newest first. */
export interface LiveCursor {
  publishAt: string;
  slug: string;
}

const SUMMARY_COLUMNS = [
  "p.id",
  "p.slug",
  "p.dispute",
  "p.org_id",
  "p.author_id",
  "a.name as author_name",
  "p.byline",
  "p.status",
  "p.revision",
  "p.comments_open",
  "p.publish_at",
  "p.published_at",
  "p.updated_at",
  "p.created_at",
  "r.title",
  "r.excerpt",
] as const;

/** Posts joined to their current revision and author. */
function current(db: Db) {
  return db
    .selectFrom("posts as p")
    .innerJoin("post_revisions as r", (j) =>
      j.onRef("r.post_id", "=", "p.id").onRef("r.revision", "=", "p.revision"),
    )
    .innerJoin("accounts as a", "a.id", "p.author_id");
}

export async function postBySlug(db: Db, slug: string): Promise<PostRow | undefined> {
  return current(db)
    .select([...SUMMARY_COLUMNS, "r.body"])
    .where("p.slug", "=", slug)
    .executeTakeFirst();
}

export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  const row = await db.selectFrom("posts").select("id").where("slug", "=", slug).executeTakeFirst();
  return row !== undefined;
}

/** Every slug that is `base` or `base-` followed by anything: the candidates a new number must avoid. */
export async function slugsLike(db: Db, base: string): Promise<Set<string>> {
  // Slugs hold only [a-z0-9-], so the base carries no LIKE wildcard.
  const rows = await db
    .selectFrom("posts")
    .select("slug")
    .where((eb) => eb.or([eb("slug", "=", base), eb("slug", "like", `${base}-%`)]))
    .execute();
  return new Set(rows.map((r) => r.slug));
}

export async function insertPost(db: Db, row: Insertable<Database["posts"]>): Promise<void> {
  await db.insertInto("posts").values(row).execute();
}

export async function insertRevision(
  db: Db,
  revision: Database["post_revisions"],
  tags: readonly string[],
  citations: readonly number[],
): Promise<void> {
  await db.insertInto("post_revisions").values(revision).execute();
  const key = { post_id: revision.post_id, revision: revision.revision };
  if (tags.length > 0) {
    await db
      .insertInto("post_tags")
      .values(tags.map((tag, position) => ({ ...key, position, tag })))
      .execute();
  }
  if (citations.length > 0) {
    await db
      .insertInto("post_citations")
      .values(citations.map((seq, position) => ({ ...key, position, seq })))
      .execute();
  }
}

export type PostChanges = Partial<
  Pick<
    Database["posts"],
    "slug" | "status" | "revision" | "publish_at" | "published_at" | "updated_at" | "created_at"
  > & { comments_open: number }
>;

/**
 * Updates a post's row; with `expectRevision`, only while the row is still at that revision.
 * Returns whether a row was updated.
 */
export async function updatePost(
  db: Db,
  id: string,
  changes: PostChanges,
  expectRevision?: number,
): Promise<boolean> {
  let q = db.updateTable("posts").set(changes).where("id", "=", id);
  if (expectRevision !== undefined) q = q.where("revision", "=", expectRevision);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface PostLists {
  tags: string[];
  citations: number[];
}

/** The tags and citations of each post's current revision, by post id. */
export async function currentLists(db: Db, ids: readonly string[]): Promise<Map<string, PostLists>> {
  const out = new Map<string, PostLists>(ids.map((id) => [id, { tags: [], citations: [] }]));
  if (ids.length === 0) return out;
  const tags = await db
    .selectFrom("post_tags as t")
    .innerJoin("posts as p", (j) => j.onRef("p.id", "=", "t.post_id").onRef("p.revision", "=", "t.revision"))
    .select(["t.post_id", "t.tag"])
    .where("p.id", "in", [...ids])
    .orderBy("t.post_id")
    .orderBy("t.position")
    .execute();
  for (const r of tags) out.get(r.post_id)?.tags.push(r.tag);
  const citations = await db
    .selectFrom("post_citations as c")
    .innerJoin("posts as p", (j) => j.onRef("p.id", "=", "c.post_id").onRef("p.revision", "=", "c.revision"))
    .select(["c.post_id", "c.seq"])
    .where("p.id", "in", [...ids])
    .orderBy("c.post_id")
    .orderBy("c.position")
    .execute();
  for (const r of citations) out.get(r.post_id)?.citations.push(r.seq);
  return out;
}

/** The tags and citations of every revision of one post, by revision number. */
export async function revisionLists(db: Db, postId: string): Promise<Map<number, PostLists>> {
  const out = new Map<number, PostLists>();
  const lists = (revision: number) => {
    let l = out.get(revision);
    if (!l) {
      l = { tags: [], citations: [] };
      out.set(revision, l);
    }
    return l;
  };
  const tags = await db
    .selectFrom("post_tags")
    .select(["revision", "tag"])
    .where("post_id", "=", postId)
    .orderBy("revision")
    .orderBy("position")
    .execute();
  for (const r of tags) lists(r.revision).tags.push(r.tag);
  const citations = await db
    .selectFrom("post_citations")
    .select(["revision", "seq"])
    .where("post_id", "=", postId)
    .orderBy("revision")
    .orderBy("position")
    .execute();
  for (const r of citations) lists(r.revision).citations.push(r.seq);
  return out;
}

/** Live at `now`: published or scheduled, with its publication instant come. */
function live(db: Db, now: string) {
  return current(db)
    .where("p.status", "in", ["published", "scheduled"])
    .where("p.publish_at", "is not", null)
    .where("p.publish_at", "<=", now);
}

/** Live posts, newest publication first, filtered by dispute and tag, after a cursor. */
export async function livePosts(
  db: Db,
  q: {
    now: string;
    dispute?: string | undefined;
    tag?: string | undefined;
    after?: LiveCursor | undefined;
    excludeIds?: readonly string[];
    limit: number;
  },
): Promise<PostSummaryRow[]> {
  let query = live(db, q.now).select(SUMMARY_COLUMNS);
  if (q.dispute !== undefined) query = query.where("p.dispute", "=", q.dispute);
  if (q.tag !== undefined) {
    const tag = q.tag;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom("post_tags as t")
          .select("t.post_id")
          .whereRef("t.post_id", "=", "p.id")
          .whereRef("t.revision", "=", "p.revision")
          .where("t.tag", "=", tag),
      ),
    );
  }
  if (q.after) {
    const { publishAt, slug } = q.after;
    query = query
      .where("p.publish_at", "<=", publishAt)
      .where((eb) => eb.or([eb("p.publish_at", "<", publishAt), eb("p.slug", "<", slug)]));
  }
  if (q.excludeIds && q.excludeIds.length > 0) query = query.where("p.id", "not in", [...q.excludeIds]);
  return query.orderBy("p.publish_at", "desc").orderBy("p.slug", "desc").limit(q.limit).execute();
}

/**
 * Live posts of a dispute (but `excludeId`) sharing at least one of `tags` in their current
 * revision, most shared tags first, then newest: their ids and counts.
 */
export async function sharingTags(
  db: Db,
  q: { now: string; dispute: string; tags: readonly string[]; excludeId: string; limit: number },
): Promise<{ id: string; shared: number }[]> {
  if (q.tags.length === 0) return [];
  const rows = await db
    .selectFrom("post_tags as t")
    .innerJoin("posts as p", (j) => j.onRef("p.id", "=", "t.post_id").onRef("p.revision", "=", "t.revision"))
    .select([
      "p.id",
      (eb) => eb.fn.countAll<number>().as("shared"),
      (eb) => eb.fn.max("p.publish_at").as("at"),
    ])
    .where("t.tag", "in", [...q.tags])
    .where("p.dispute", "=", q.dispute)
    .where("p.id", "!=", q.excludeId)
    .where("p.status", "in", ["published", "scheduled"])
    .where("p.publish_at", "is not", null)
    .where("p.publish_at", "<=", q.now)
    .groupBy("p.id")
    .orderBy("shared", "desc")
    .orderBy("at", "desc")
    .limit(q.limit)
    .execute();
  return rows.map((r) => ({ id: r.id, shared: Number(r.shared) }));
}

export async function summariesByIds(db: Db, ids: readonly string[]): Promise<PostSummaryRow[]> {
  if (ids.length === 0) return [];
  return current(db)
    .select(SUMMARY_COLUMNS)
    .where("p.id", "in", [...ids])
    .execute();
}

/**
 * Posts of the organizations in `orgs`, plus the drafts `authorId` wrote for the
 * organizations in `authorOrgs`; every post when `all`. Newest first.
 */
export async function postsOf(
  db: Db,
  q: { orgs: readonly string[]; authorId: string; authorOrgs: readonly string[]; all: boolean },
): Promise<PostSummaryRow[]> {
  let query = current(db).select(SUMMARY_COLUMNS);
  if (!q.all) {
    if (q.orgs.length === 0 && q.authorOrgs.length === 0) return [];
    query = query.where((eb) => {
      const either = [];
      if (q.orgs.length > 0) either.push(eb("p.org_id", "in", [...q.orgs]));
      if (q.authorOrgs.length > 0) {
        either.push(
          eb.and([
            eb("p.author_id", "=", q.authorId),
            eb("p.status", "=", "draft"),
            eb("p.org_id", "in", [...q.authorOrgs]),
          ]),
        );
      }
      return eb.or(either);
    });
  }
  return query.orderBy("p.created_at", "desc").orderBy("p.slug").execute();
}

export async function revisionsOf(db: Db, postId: string): Promise<RevisionRow[]> {
  return db
    .selectFrom("post_revisions as r")
    .innerJoin("accounts as a", "a.id", "r.author_id")
    .select(["r.revision", "r.title", "r.body", "r.author_id", "a.name as author_name", "r.created_at"])
    .where("r.post_id", "=", postId)
    .orderBy("r.revision", "desc")
    .execute();
}
