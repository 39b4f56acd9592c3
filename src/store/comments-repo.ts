import { randomBytes } from "node:crypto";
import { type Insertable, type Selectable, sql, type Updateable } from "kysely";
import type { Db } from "./posts-repo.ts";
import type { Database } from "./schema.ts";

/**
 * Queries of the comments' tables. No rules here (what becomes of a comment, who may moderate,
 * what the public may see are decided in domain/comment-policy.ts and app/comments.ts). Written
 * with the query builder only, so the same code runs on PostgreSQL.
 */
export type CommentRow = Selectable<Database["comments"]>;
export type NewComment = Insertable<Database["comments"]>;
export type CommentChanges = Updateable<Database["comments"]>;

/** A comment with what moderation needs to know of its post. */
export type CommentWithPost = CommentRow & {
  post_slug: string;
  post_org: string;
  post_title: string;
};

/** Counts come back as numbers from SQLite and as strings (bigint) from PostgreSQL. */
const count = (v: unknown) => Number(v ?? 0);

const SECRET_BYTES = 32;

/**
 * The named secret, made at random on first use. Of two processes making it at once, the
 * first insert wins and both read it back.
 */
export async function secretNamed(db: Db, name: string, now: string): Promise<Buffer> {
  const existing = await db
    .selectFrom("comment_secrets")
    .select("secret")
    .where("name", "=", name)
    .executeTakeFirst();
  if (existing) return Buffer.from(existing.secret);
  await db
    .insertInto("comment_secrets")
    .values({ name, secret: randomBytes(SECRET_BYTES), created_at: now })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  const made = await db
    .selectFrom("comment_secrets")
    .select("secret")
    .where("name", "=", name)
    .executeTakeFirstOrThrow();
  return Buffer.from(made.secret);
}

/** The salts of these periods that still exist, by period. */
export async function saltsOf(db: Db, periods: readonly string[]): Promise<Map<string, Buffer>> {
  if (periods.length === 0) return new Map();
  const rows = await db
    .selectFrom("comment_salts")
    .select(["period", "salt"])
    .where("period", "in", [...periods])
    .execute();
  return new Map(rows.map((r) => [r.period, Buffer.from(r.salt)]));
}

/** The period's salt, made at random on first use. */
export async function saltFor(db: Db, period: string, now: string): Promise<Buffer> {
  const existing = (await saltsOf(db, [period])).get(period);
  if (existing) return existing;
  await db
    .insertInto("comment_salts")
    .values({ period, salt: randomBytes(SECRET_BYTES), created_at: now })
    .onConflict((oc) => oc.column("period").doNothing())
    .execute();
  return (await saltsOf(db, [period])).get(period)!;
}

export async function saltPeriods(db: Db): Promise<string[]> {
  const rows = await db.selectFrom("comment_salts").select("period").orderBy("period").execute();
  return rows.map((r) => r.period);
}

export async function deleteSalts(db: Db, periods: readonly string[]): Promise<number> {
  if (periods.length === 0) return 0;
  const result = await db
    .deleteFrom("comment_salts")
    .where("period", "in", [...periods])
    .executeTakeFirst();
  return count(result.numDeletedRows);
}

/** Drops the IP hashes of comments received before `cutoff`; returns how many. */
export async function dropIpHashesBefore(db: Db, cutoff: string): Promise<number> {
  const result = await db
    .updateTable("comments")
    .set({ ip_hash: null, ip_period: null })
    .where("ip_hash", "is not", null)
    .where("created_at", "<", cutoff)
    .executeTakeFirst();
  return count(result.numUpdatedRows);
}

export async function postIdOf(db: Db, slug: string): Promise<string | undefined> {
  const row = await db.selectFrom("posts").select("id").where("slug", "=", slug).executeTakeFirst();
  return row?.id;
}

export async function insertComment(db: Db, row: NewComment): Promise<void> {
  await db.insertInto("comments").values(row).execute();
}

export async function updateComment(db: Db, id: string, changes: CommentChanges): Promise<void> {
  await db.updateTable("comments").set(changes).where("id", "=", id).execute();
}

export async function deleteComment(db: Db, id: string): Promise<void> {
  await db.deleteFrom("comments").where("id", "=", id).execute();
}

export async function commentById(db: Db, id: string): Promise<CommentRow | undefined> {
  return db.selectFrom("comments").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Comments with their post's slug, organization and current title, in the order of `ids`. */
export async function commentsWithPost(db: Db, ids: readonly string[]): Promise<CommentWithPost[]> {
  if (ids.length === 0) return [];
  const rows = await withPost(db)
    .where("c.id", "in", [...ids])
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r) => r !== undefined);
}

function withPost(db: Db) {
  return db
    .selectFrom("comments as c")
    .innerJoin("posts as p", "p.id", "c.post_id")
    .innerJoin("post_revisions as r", (j) =>
      j.onRef("r.post_id", "=", "p.id").onRef("r.revision", "=", "p.revision"),
    )
    .selectAll("c")
    .select(["p.slug as post_slug", "p.org_id as post_org", "r.title as post_title"]);
}

/** Whether any comment replies to this one, whatever its status. */
export async function hasReplies(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom("comments").select("id").where("parent_id", "=", id).executeTakeFirst();
  return row !== undefined;
}

/**
 * Whether a comment from this address under this name was approved before: the address alone
 * is typed by anyone, so the trust WordPress gives an address asks for the name it came with.
 */
export async function approvedBefore(db: Db, emailKey: string, name: string): Promise<boolean> {
  const row = await db
    .selectFrom("comments")
    .select("id")
    .where("email_key", "=", emailKey)
    .where("status", "=", "approved")
    .where("name", "=", name)
    .executeTakeFirst();
  return row !== undefined;
}

/** When the comments sent since `since` under any of these IP hashes arrived, whatever became of them. */
export async function receivedFromIp(db: Db, hashes: readonly string[], since: string): Promise<string[]> {
  if (hashes.length === 0) return [];
  const rows = await db
    .selectFrom("comments")
    .select("created_at")
    .where("ip_hash", "in", [...hashes])
    .where("created_at", ">", since)
    .execute();
  return rows.map((r) => r.created_at);
}

export async function receivedFromEmail(db: Db, emailKey: string, since: string): Promise<string[]> {
  const rows = await db
    .selectFrom("comments")
    .select("created_at")
    .where("email_key", "=", emailKey)
    .where("created_at", ">", since)
    .execute();
  return rows.map((r) => r.created_at);
}

export async function sameCommentExists(
  db: Db,
  q: { postId: string; emailKey: string; dupKey: string },
): Promise<boolean> {
  const row = await db
    .selectFrom("comments")
    .select("id")
    .where("email_key", "=", q.emailKey)
    .where("post_id", "=", q.postId)
    .where("dup_key", "=", q.dupKey)
    .executeTakeFirst();
  return row !== undefined;
}

/** A top-level comment under which at least one approved comment stands (itself or a reply). */
function shownThreads(db: Db, postId: string) {
  return db
    .selectFrom("comments as t")
    .where("t.post_id", "=", postId)
    .where("t.depth", "=", 1)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("comments as a")
          .select("a.id")
          .whereRef("a.root_id", "=", "t.id")
          .where("a.status", "=", "approved"),
      ),
    );
}

/** The top-level comments of one page of threads, oldest or newest first. */
export async function threadRoots(
  db: Db,
  q: { postId: string; newestFirst: boolean; limit: number; offset: number },
): Promise<string[]> {
  const dir = q.newestFirst ? "desc" : "asc";
  const rows = await shownThreads(db, q.postId)
    .select("t.id")
    .orderBy("t.created_at", dir)
    .orderBy("t.id", dir)
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  return rows.map((r) => r.id);
}

export async function threadCount(db: Db, postId: string): Promise<number> {
  const row = await shownThreads(db, postId)
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirst();
  return count(row?.n);
}

/** The columns a thread shows: never the email, the IP hash or what moderators alone read. */
const THREAD_COLUMNS = [
  "id",
  "parent_id",
  "root_id",
  "depth",
  "status",
  "name",
  "website",
  "html",
  "avatar",
  "created_at",
  "edited_at",
] as const;

export type ThreadRow = Pick<CommentRow, (typeof THREAD_COLUMNS)[number]>;

/** Every comment of these threads, whatever its status, oldest first. */
export async function threadRows(db: Db, rootIds: readonly string[]): Promise<ThreadRow[]> {
  if (rootIds.length === 0) return [];
  return db
    .selectFrom("comments")
    .select(THREAD_COLUMNS)
    .where("root_id", "in", [...rootIds])
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

/** Approved comments per post, by post slug (0 for a post without any). */
export async function approvedCounts(db: Db, slugs: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>(slugs.map((s) => [s, 0]));
  if (slugs.length === 0) return out;
  const rows = await db
    .selectFrom("comments as c")
    .innerJoin("posts as p", "p.id", "c.post_id")
    .select(["p.slug", (eb) => eb.fn.countAll().as("n")])
    .where("p.slug", "in", [...slugs])
    .where("c.status", "=", "approved")
    .groupBy("p.slug")
    .execute();
  for (const r of rows) out.set(r.slug, count(r.n));
  return out;
}

export async function approvedCount(db: Db, postId: string): Promise<number> {
  const row = await db
    .selectFrom("comments")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("post_id", "=", postId)
    .where("status", "=", "approved")
    .executeTakeFirst();
  return count(row?.n);
}

/**
 * How many of the post's shown threads come before the one `rootId` starts, in the order asked;
 * null when it starts none of them.
 */
export async function threadPosition(
  db: Db,
  q: { postId: string; rootId: string; newestFirst: boolean },
): Promise<number | null> {
  const root = await shownThreads(db, q.postId)
    .select(["t.created_at", "t.id"])
    .where("t.id", "=", q.rootId)
    .executeTakeFirst();
  if (!root) return null;
  const row = await shownThreads(db, q.postId)
    .select((eb) => eb.fn.countAll().as("n"))
    .where((eb) =>
      q.newestFirst
        ? eb.or([
            eb("t.created_at", ">", root.created_at),
            eb.and([eb("t.created_at", "=", root.created_at), eb("t.id", ">", root.id)]),
          ])
        : eb.or([
            eb("t.created_at", "<", root.created_at),
            eb.and([eb("t.created_at", "=", root.created_at), eb("t.id", "<", root.id)]),
          ]),
    )
    .executeTakeFirst();
  return count(row?.n);
}

export interface QueueFilter {
  /** Posts of these organizations only; every post when null (operators). */
  orgs: readonly string[] | null;
  statuses: readonly string[];
  /** Lower-cased; matched anywhere in the name, text, website or address. */
  search?: string | undefined;
  limit: number;
  offset: number;
}

/** "%" and "_" typed by a moderator are meant literally. */
function likePattern(search: string): string {
  return `%${search.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

function queue(db: Db, f: QueueFilter) {
  let q = withPost(db).where("c.status", "in", [...f.statuses]);
  if (f.orgs !== null) q = q.where("p.org_id", "in", f.orgs.length > 0 ? [...f.orgs] : [""]);
  if (f.search !== undefined && f.search !== "") {
    const pattern = likePattern(f.search.toLowerCase());
    q = q.where((eb) =>
      eb.or(
        (["c.name", "c.body", "c.website", "c.email_key"] as const).map(
          (column) => sql<boolean>`lower(coalesce(${eb.ref(column)}, '')) like ${pattern} escape '!'`,
        ),
      ),
    );
  }
  return q;
}

/** The moderation queue, newest first. */
export async function queueRows(db: Db, f: QueueFilter): Promise<CommentWithPost[]> {
  return queue(db, f)
    .orderBy("c.created_at", "desc")
    .orderBy("c.id", "desc")
    .limit(f.limit)
    .offset(f.offset)
    .execute();
}

export async function queueCount(db: Db, f: QueueFilter): Promise<number> {
  const row = await queue(db, f)
    .clearSelect()
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirst();
  return count(row?.n);
}

export async function insertLog(db: Db, row: Insertable<Database["moderation_log"]>): Promise<void> {
  await db.insertInto("moderation_log").values(row).execute();
}

export interface LogRow {
  action: string;
  actor_id: string | null;
  actor_name: string | null;
  at: string;
  note: string | null;
}

export async function logOf(db: Db, commentId: string): Promise<LogRow[]> {
  return db
    .selectFrom("moderation_log as l")
    .leftJoin("accounts as a", "a.id", "l.actor_id")
    .select(["l.action", "l.actor_id", "a.name as actor_name", "l.at", "l.note"])
    .where("l.comment_id", "=", commentId)
    .orderBy("l.at")
    .orderBy("l.id")
    .execute();
}

export async function deleteLog(db: Db, commentId: string): Promise<void> {
  await db.deleteFrom("moderation_log").where("comment_id", "=", commentId).execute();
}

export async function readSettings(db: Db, key: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("comment_settings")
    .select("settings")
    .where("key", "=", key)
    .executeTakeFirst();
  return row?.settings;
}

export async function writeSettings(
  db: Db,
  row: { key: string; settings: string; updated_at: string; updated_by: string | null },
): Promise<void> {
  await db
    .insertInto("comment_settings")
    .values(row)
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        settings: row.settings,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
      }),
    )
    .execute();
}

/** Every comment left with this address (erased ones aside), oldest first, with its post. */
export async function commentsOfEmail(db: Db, emailKey: string): Promise<CommentWithPost[]> {
  return withPost(db)
    .where("c.email_key", "=", emailKey)
    .where("c.status", "!=", "erased")
    .orderBy("c.created_at")
    .orderBy("c.id")
    .execute();
}

export async function hasCommentsOfEmail(db: Db, emailKey: string): Promise<boolean> {
  const row = await db
    .selectFrom("comments")
    .select("id")
    .where("email_key", "=", emailKey)
    .where("status", "!=", "erased")
    .executeTakeFirst();
  return row !== undefined;
}
