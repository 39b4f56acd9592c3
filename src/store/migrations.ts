import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import { bytesType, isSqlite, serialId } from "./dialect.ts";

/**
 * Migrations live in code (not files on disk) so the package runs the same from any folder.
 * Each is written with the schema builder only, so PostgreSQL can run them unchanged.
 */
const migrations: Record<string, Migration> = {
  "0001_ledger": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("organizations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("short_name", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("signing_keys")
        .addColumn("key_id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("public_key", bytesType(db), (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("disputes")
        .addColumn("id", ...serialId(db))
        .addColumn("slug", "text", (c) => c.notNull().unique())
        .addColumn("origin", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("ledger_entries")
        .addColumn("dispute_id", "integer", (c) => c.notNull().references("disputes.id"))
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("key_id", "text", (c) => c.notNull())
        .addColumn("occurred_at", "text", (c) => c.notNull())
        .addColumn("recorded_at", "text", (c) => c.notNull())
        .addColumn("visibility", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("signature", bytesType(db), (c) => c.notNull())
        .addColumn("leaf_hash", bytesType(db), (c) => c.notNull())
        .addPrimaryKeyConstraint("ledger_entries_pk", ["dispute_id", "seq"])
        .execute();
      // Replays walk a ledger in occurrence order (the timeline's order), page by page.
      await db.schema
        .createIndex("ledger_entries_occurred")
        .on("ledger_entries")
        .columns(["dispute_id", "occurred_at", "seq"])
        .execute();
      await db.schema
        .createTable("tree_nodes")
        .addColumn("dispute_id", "integer", (c) => c.notNull().references("disputes.id"))
        .addColumn("level", "integer", (c) => c.notNull())
        .addColumn("idx", "integer", (c) => c.notNull())
        .addColumn("hash", bytesType(db), (c) => c.notNull())
        .addPrimaryKeyConstraint("tree_nodes_pk", ["dispute_id", "level", "idx"])
        .execute();
      await db.schema
        .createTable("checkpoints")
        .addColumn("dispute_id", "integer", (c) => c.notNull().references("disputes.id"))
        .addColumn("size", "integer", (c) => c.notNull())
        .addColumn("root", bytesType(db), (c) => c.notNull())
        .addColumn("note", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("checkpoints_pk", ["dispute_id", "size"])
        .execute();
      await db.schema
        .createTable("proj_timeline")
        .addColumn("dispute_id", "integer", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("side_id", "text")
        .addColumn("occurred_at", "text", (c) => c.notNull())
        .addColumn("recorded_at", "text", (c) => c.notNull())
        .addColumn("visibility", "text", (c) => c.notNull())
        .addColumn("subject", "text")
        .addColumn("published_seq", "integer")
        .addColumn("published_at", "text")
        .addPrimaryKeyConstraint("proj_timeline_pk", ["dispute_id", "seq"])
        .execute();
      await db.schema
        .createIndex("proj_timeline_occurred")
        .on("proj_timeline")
        .columns(["dispute_id", "occurred_at", "seq"])
        .execute();
      await db.schema
        .createTable("proj_snapshots")
        .addColumn("dispute_id", "integer", (c) => c.notNull())
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("occurred_at", "text", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("entries", "integer", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("proj_snapshots_pk", ["dispute_id", "scope", "occurred_at", "seq"])
        .execute();
    },
  },
  "0002_accounts": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("accounts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("email", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("locked_until", "text")
        .execute();
      await db.schema
        .createTable("memberships")
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("memberships_pk", ["account_id", "org_id"])
        .execute();
      // Sessions and API tokens are stored by the SHA-256 of their secret: a copy of the
      // database lets no one sign in as anybody.
      await db.schema
        .createTable("sessions")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("csrf", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .execute();
      await db.schema
        .createTable("api_tokens")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_used_at", "text")
        .addColumn("revoked_at", "text")
        .execute();
    },
  },
  "0003_webhooks": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("webhooks")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
        .addColumn("url", "text", (c) => c.notNull())
        // In the clear: the server signs each delivery with it (see schema.ts).
        .addColumn("secret", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("disabled_at", "text")
        .execute();
      await db.schema.createIndex("webhooks_org").on("webhooks").columns(["org_id", "created_at"]).execute();
      await db.schema
        .createTable("webhook_deliveries")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("webhook_id", "text", (c) => c.notNull().references("webhooks.id"))
        .addColumn("dispute", "text", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("last_status_code", "integer")
        .addColumn("last_error", "text")
        .addColumn("next_attempt_at", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("delivered_at", "text")
        .execute();
      // The log an admin reads, newest first; and what a starting dispatcher resumes.
      await db.schema
        .createIndex("webhook_deliveries_log")
        .on("webhook_deliveries")
        .columns(["webhook_id", "created_at", "seq"])
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_due")
        .on("webhook_deliveries")
        .columns(["status", "next_attempt_at"])
        .execute();
    },
  },
  "0004_cosignatures": {
    async up(db: Kysely<unknown>) {
      // Witnesses' signatures over checkpoints. Not ledger: each row is checkable on its own
      // (the line against the checkpoint's note and the organization's key in signing_keys).
      await db.schema
        .createTable("cosignatures")
        .addColumn("dispute_id", "integer", (c) => c.notNull().references("disputes.id"))
        .addColumn("size", "integer", (c) => c.notNull())
        .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
        .addColumn("key_id", "text", (c) => c.notNull().references("signing_keys.key_id"))
        .addColumn("line", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("cosignatures_pk", ["dispute_id", "size", "org_id"])
        .addForeignKeyConstraint("cosignatures_checkpoint", ["dispute_id", "size"], "checkpoints", [
          "dispute_id",
          "size",
        ])
        .execute();
    },
  },
  "0005_search": {
    async up(db: Kysely<unknown>) {
      // How far each dispute's search index has got. Portable: both dialects keep it.
      await db.schema
        .createTable("proj_search_marks")
        .addColumn("dispute_id", "integer", (c) => c.primaryKey())
        .addColumn("seq", "integer", (c) => c.notNull())
        .execute();
      // The index itself depends on the dialect. On SQLite, an FTS5 table (rowid: the dispute
      // and seq; words: the text's length, stored for ranking; see store/search-index-sqlite.ts):
      // porter stems English words ("negotiating" finds "negotiations"), unicode61 folds case
      // and, with remove_diacritics 2, accents.
      // On PostgreSQL this migration creates nothing more: its index (a tsvector column with a
      // GIN index) comes with migration 0012_search_postgres.
      if (isSqlite(db)) {
        await sql`CREATE VIRTUAL TABLE proj_search USING fts5(
          text, words UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2'
        )`.execute(db);
      }
    },
  },
  "0006_operators": {
    async up(db: Kysely<unknown>) {
      // The accounts that run this server: they register organizations and may appoint any
      // organization's members (a new organization's first admin). Reading is not theirs:
      // what an operator sees of a dispute still follows from its memberships alone.
      await db.schema
        .createTable("operators")
        .addColumn("account_id", "text", (c) => c.primaryKey().references("accounts.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0007_key_retirement": {
    async up(db: Kysely<unknown>) {
      // When an organization's key stopped being its current one (KeyStore.rotate); null while
      // it is current. Verification reports an entry recorded after its key's retirement: that
      // is what a stolen old key, used to forge new entries, would produce.
      await db.schema.alterTable("signing_keys").addColumn("retired_at", "text").execute();
    },
  },
  "0008_token_scopes": {
    async up(db: Kysely<unknown>) {
      // What a token may do: "api" (everything its account may), or "calendar" (read the
      // account's calendar feeds, nothing else): the one kind of secret that travels in a URL,
      // because calendar apps subscribe by URL alone.
      await db.schema
        .alterTable("api_tokens")
        .addColumn("scope", "text", (c) => c.notNull().defaultTo("api"))
        .execute();
    },
  },
  "0009_posts": {
    async up(db: Kysely<unknown>) {
      // News posts are newsroom content, not ledger: edited, scheduled, unpublished. The row
      // holds what changes without a new version (status, dates, the comments flag, the
      // address before first publication) and points at its current revision.
      await db.schema
        .createTable("posts")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("slug", "text", (c) => c.notNull().unique())
        .addColumn("dispute", "text", (c) => c.notNull().references("disputes.slug"))
        .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
        .addColumn("author_id", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("revision", "integer", (c) => c.notNull())
        // 0 or 1: SQLite has no boolean type, and better-sqlite3 binds no booleans.
        .addColumn("comments_open", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("publish_at", "text")
        .addColumn("published_at", "text")
        .addColumn("updated_at", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      // Lists of live posts, newest first: the whole site's, and one dispute's.
      await db.schema.createIndex("posts_publish").on("posts").columns(["publish_at", "slug"]).execute();
      await db.schema
        .createIndex("posts_dispute_publish")
        .on("posts")
        .columns(["dispute", "publish_at", "slug"])
        .execute();
      await db.schema.createIndex("posts_org").on("posts").columns(["org_id", "created_at"]).execute();
      // Every saved version, never changed once written: the history editors read.
      await db.schema
        .createTable("post_revisions")
        .addColumn("post_id", "text", (c) => c.notNull().references("posts.id"))
        .addColumn("revision", "integer", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("excerpt", "text", (c) => c.notNull())
        .addColumn("author_id", "text", (c) => c.notNull().references("accounts.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("post_revisions_pk", ["post_id", "revision"])
        .execute();
      // Tags and citations are rows of their revision, as append-only as it is: the history
      // keeps them, and the current revision's rows are what lists filter and join on.
      await db.schema
        .createTable("post_tags")
        .addColumn("post_id", "text", (c) => c.notNull())
        .addColumn("revision", "integer", (c) => c.notNull())
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("tag", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("post_tags_pk", ["post_id", "revision", "position"])
        .addForeignKeyConstraint("post_tags_revision", ["post_id", "revision"], "post_revisions", [
          "post_id",
          "revision",
        ])
        .execute();
      await db.schema.createIndex("post_tags_tag").on("post_tags").columns(["tag", "post_id"]).execute();
      await db.schema
        .createTable("post_citations")
        .addColumn("post_id", "text", (c) => c.notNull())
        .addColumn("revision", "integer", (c) => c.notNull())
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("post_citations_pk", ["post_id", "revision", "position"])
        .addForeignKeyConstraint("post_citations_revision", ["post_id", "revision"], "post_revisions", [
          "post_id",
          "revision",
        ])
        .execute();
      // Which posts cite an entry (a later "cited by" list on the entry's page).
      await db.schema
        .createIndex("post_citations_seq")
        .on("post_citations")
        .columns(["seq", "post_id"])
        .execute();
    },
  },
  "0010_comments": {
    async up(db: Kysely<unknown>) {
      // Readers' comments under posts: newsroom content, not ledger, so rows change (status,
      // edits) and go (erasure). The text is rendered to safe HTML once, here at write time,
      // and so is the avatar: a post page serves hundreds of them on every view.
      await db.schema
        .createTable("comments")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("post_id", "text", (c) => c.notNull().references("posts.id"))
        .addColumn("parent_id", "text", (c) => c.references("comments.id"))
        // The top-level comment of its thread (its own id at the top): a page of threads is
        // fetched whole by it, without walking the tree.
        .addColumn("root_id", "text", (c) => c.notNull())
        .addColumn("depth", "integer", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        // What a trashed comment was, for restore.
        .addColumn("trashed_from", "text")
        // Why the policy held it or marked it as spam (a JSON list), for moderators.
        .addColumn("reasons", "text", (c) => c.notNull().defaultTo("[]"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("email", "text", (c) => c.notNull())
        .addColumn("email_key", "text", (c) => c.notNull())
        .addColumn("website", "text")
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("html", "text", (c) => c.notNull())
        .addColumn("avatar", "text", (c) => c.notNull())
        .addColumn("ip_hash", "text")
        .addColumn("ip_period", "text")
        .addColumn("dup_key", "text", (c) => c.notNull())
        .addColumn("notify_replies", "integer", (c) => c.notNull().defaultTo(0))
        // Set on a reply once its parent's author was (or was to be) told of it: never twice.
        .addColumn("reply_notified_at", "text")
        // The moderator's account behind a moderator's reply; null for readers.
        .addColumn("account_id", "text", (c) => c.references("accounts.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("approved_at", "text")
        .addColumn("edited_at", "text")
        .execute();
      // A post's page of threads (top-level comments by date) and its approved count.
      await db.schema
        .createIndex("comments_post_threads")
        .on("comments")
        .columns(["post_id", "status", "depth", "created_at"])
        .execute();
      // The comments of the threads on a page; with the status, whether a thread shows at all.
      await db.schema.createIndex("comments_root").on("comments").columns(["root_id", "status"]).execute();
      await db.schema.createIndex("comments_parent").on("comments").columns(["parent_id"]).execute();
      // The moderation queue, by status and date.
      await db.schema
        .createIndex("comments_queue")
        .on("comments")
        .columns(["status", "created_at"])
        .execute();
      // Rate limits, by sender and time; "approved before" and duplicates by address.
      await db.schema.createIndex("comments_ip").on("comments").columns(["ip_hash", "created_at"]).execute();
      await db.schema
        .createIndex("comments_email")
        .on("comments")
        .columns(["email_key", "created_at"])
        .execute();
      // One random salt per period for hashing IP addresses, made on first use and deleted
      // after the retention period: from then on no stored hash can be linked to an address.
      await db.schema
        .createTable("comment_salts")
        .addColumn("period", "text", (c) => c.primaryKey())
        .addColumn("salt", bytesType(db), (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      // Who did what to which comment, and when: one row per action, in its transaction.
      await db.schema
        .createTable("moderation_log")
        .addColumn("id", ...serialId(db))
        .addColumn("comment_id", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        // Null when the commenter acted (an erasure by mail link).
        .addColumn("actor_id", "text", (c) => c.references("accounts.id"))
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("note", "text")
        .execute();
      await db.schema
        .createIndex("moderation_log_comment")
        .on("moderation_log")
        .columns(["comment_id", "at"])
        .execute();
      // The site's moderation settings as JSON (one row, key "site"): checked by their schema
      // on every read and write, so a new setting needs no migration.
      await db.schema
        .createTable("comment_settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("settings", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("updated_by", "text", (c) => c.references("accounts.id"))
        .execute();
      // The key behind comment form tokens, avatars, IP hashes and mail links: made once, in
      // the database so that every server process of a site shares it.
      await db.schema
        .createTable("comment_secrets")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("secret", bytesType(db), (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0011_post_byline": {
    async up(db: Kysely<unknown>) {
      // A post brought in from elsewhere (a WordPress import) is written by the importing
      // account but was signed by someone who may have no account here: their name, shown as
      // the byline. Null for posts written in Parley, whose byline is their author's name.
      await db.schema.alterTable("posts").addColumn("byline", "text").execute();
    },
  },
  "0012_search_postgres": {
    async up(db: Kysely<unknown>) {
      // PostgreSQL's search index (store/search-index-postgres.ts). Nothing on SQLite: its
      // index is the FTS5 table 0005_search made, and FTS5 needs no more.
      if (isSqlite(db)) return;
      // English stemming without stop words (FTS5's porter drops none either): the english
      // configuration with its Snowball dictionary swapped for one without a stop word list.
      // Both live in Parley's schema, like its tables; creating them needs no extension and
      // no privilege beyond CREATE on the schema.
      await sql`CREATE TEXT SEARCH DICTIONARY parley_english_stem (TEMPLATE = pg_catalog.snowball, LANGUAGE = english)`.execute(
        db,
      );
      await sql`CREATE TEXT SEARCH CONFIGURATION parley_search (COPY = pg_catalog.english)`.execute(db);
      await sql`ALTER TEXT SEARCH CONFIGURATION parley_search
                ALTER MAPPING REPLACE pg_catalog.english_stem WITH parley_english_stem`.execute(db);
      // One row per entry with text: the text as written (snippets), its words (ranking), and
      // the tsvector of its folded form (lower case, no accents: folded in JavaScript).
      await db.schema
        .createTable("proj_search")
        .addColumn("dispute_id", "integer", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("text", "text", (c) => c.notNull())
        .addColumn("words", "integer", (c) => c.notNull())
        .addColumn("tsv", sql`tsvector`, (c) => c.notNull())
        .addPrimaryKeyConstraint("proj_search_pk", ["dispute_id", "seq"])
        .execute();
      await db.schema.createIndex("proj_search_tsv").on("proj_search").using("gin").column("tsv").execute();
    },
  },
  "0013_without_rowid": {
    async up(db: Kysely<unknown>) {
      // Every append writes a row to each of these tables; as rowid tables, each row lands in
      // two b-trees (the table and its primary key's index), as WITHOUT ROWID tables in one.
      // That is a page fewer per table in each commit's WAL. Their rows are small, as SQLite
      // advises for WITHOUT ROWID; ledger_entries, whose rows carry the entry's text, stays.
      // PostgreSQL has no such choice to make.
      if (!isSqlite(db)) return;
      // Kysely runs SQLite's migrations outside a transaction: a savepoint makes the rebuild
      // all or nothing, so a process killed halfway leaves the old tables in place.
      await sql`SAVEPOINT without_rowid`.execute(db);
      try {
        for (const table of ["tree_nodes", "checkpoints", "proj_timeline"])
          await rebuildWithoutRowid(db, table);
        await sql`RELEASE without_rowid`.execute(db);
      } catch (err) {
        await sql`ROLLBACK TO without_rowid`.execute(db);
        await sql`RELEASE without_rowid`.execute(db);
        throw err;
      }
    },
  },
};

/**
 * Rebuilds a SQLite table as a WITHOUT ROWID table with the very columns, constraints and
 * indexes it was created with (read back from sqlite_master, so they are written only once).
 */
async function rebuildWithoutRowid(db: Kysely<unknown>, table: string): Promise<void> {
  const { rows } = await sql<{ type: string; sql: string | null }>`
    SELECT type, sql FROM sqlite_master WHERE tbl_name = ${table} ORDER BY type = 'table' DESC`.execute(db);
  const create = rows[0]?.type === "table" ? rows[0].sql : null;
  if (!create) throw new Error(`no table ${table} to rebuild`);
  if (/\bwithout\s+rowid\s*$/i.test(create)) return;
  const quoted = `"${table}"`;
  if (!create.startsWith(`CREATE TABLE ${quoted} (`)) throw new Error(`unexpected definition of ${table}`);
  const rebuilt = `${table}_rebuilt`;
  await sql
    .raw(`CREATE TABLE "${rebuilt}" ${create.slice(`CREATE TABLE ${quoted} `.length)} WITHOUT ROWID`)
    .execute(db);
  await sql.raw(`INSERT INTO "${rebuilt}" SELECT * FROM ${quoted}`).execute(db);
  await sql.raw(`DROP TABLE ${quoted}`).execute(db);
  await sql.raw(`ALTER TABLE "${rebuilt}" RENAME TO ${quoted}`).execute(db);
  // Indexes SQLite made itself (for the primary key) have no SQL and are not needed any more.
  for (const index of rows.slice(1)) if (index.sql) await sql.raw(index.sql).execute(db);
}

class InlineProvider implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

/** Runs the migrations not yet run, all of them or (for tests of a migration) up to `upTo`. */
export async function migrate(db: Kysely<unknown>, upTo?: string): Promise<void> {
  // On PostgreSQL Kysely looks for its bookkeeping tables in every schema unless told which
  // one: with two Parleys in two schemas of one database, each would find the other's.
  const schema = isSqlite(db)
    ? undefined
    : (await sql<{ name: string }>`SELECT current_schema() AS name`.execute(db)).rows[0]?.name;
  const migrator = new Migrator({
    db,
    provider: new InlineProvider(),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await (upTo === undefined
    ? migrator.migrateToLatest()
    : migrator.migrateTo(upTo));
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
