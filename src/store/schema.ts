import type { Generated, Kysely } from "kysely";

/**
 * Table types for Kysely. Ledger tables (ledger_entries, tree_nodes, checkpoints) are
 * append-only: the code has no UPDATE or DELETE for them, and `parley verify` proves it.
 * Tables prefixed proj_ are read models, rebuilt from the ledger by `parley rebuild`.
 * Binary values (hashes, signatures, keys) are BLOBs: bytea on PostgreSQL.
 */
export interface Database {
  organizations: {
    id: string;
    name: string;
    short_name: string;
    kind: string;
    created_at: string;
  };
  signing_keys: {
    key_id: string;
    org_id: string;
    public_key: Uint8Array;
    created_at: string;
    /** When a rotation replaced it as the organization's current key; null while current. */
    retired_at: string | null;
  };
  disputes: {
    id: Generated<number>;
    slug: string;
    origin: string;
    created_at: string;
  };
  ledger_entries: {
    dispute_id: number;
    seq: number;
    type: string;
    org_id: string;
    key_id: string;
    occurred_at: string;
    recorded_at: string;
    visibility: string;
    body: string;
    signature: Uint8Array;
    leaf_hash: Uint8Array;
  };
  tree_nodes: {
    dispute_id: number;
    level: number;
    idx: number;
    hash: Uint8Array;
  };
  checkpoints: {
    dispute_id: number;
    size: number;
    root: Uint8Array;
    note: string;
    created_at: string;
  };
  proj_timeline: {
    dispute_id: number;
    seq: number;
    type: string;
    org_id: string;
    side_id: string | null;
    occurred_at: string;
    recorded_at: string;
    visibility: string;
    subject: string | null;
    published_seq: number | null;
    published_at: string | null;
  };
  proj_snapshots: {
    dispute_id: number;
    scope: string;
    occurred_at: string;
    seq: number;
    entries: number;
    state: string;
  };
  /**
   * The search index's progress: per dispute, the last seq it has indexed (store/search-index.ts).
   * The index itself is proj_search: an FTS5 table on SQLite, a table with a tsvector on PostgreSQL (migration 0012); Kysely types neither.
   */
  proj_search_marks: {
    dispute_id: number;
    seq: number;
  };
  accounts: {
    id: string;
    /** Lower-cased. */
    email: string;
    name: string;
    /** scrypt, with its parameters: see app/passwords.ts. */
    password_hash: string;
    created_at: string;
    failed_logins: Generated<number>;
    locked_until: string | null;
  };
  /** Accounts that run the server (see migration 0006_operators). */
  operators: {
    account_id: string;
    created_at: string;
  };
  memberships: {
    account_id: string;
    org_id: string;
    role: string;
    created_at: string;
  };
  sessions: {
    token_hash: string;
    account_id: string;
    csrf: string;
    created_at: string;
    expires_at: string;
    revoked_at: string | null;
  };
  api_tokens: {
    id: string;
    /** "api" or "calendar" (migration 0008_token_scopes). */
    scope: Generated<string>;
    token_hash: string;
    account_id: string;
    name: string;
    created_at: string;
    last_used_at: string | null;
    revoked_at: string | null;
  };
  webhooks: {
    id: string;
    org_id: string;
    url: string;
    /**
     * The HMAC-SHA256 key, in the clear. Unlike a password or an API token it cannot be stored
     * as a hash: the server has to hold the key itself to compute each delivery's signature.
     * So a copy of the database lets its holder sign deliveries that receivers would accept.
     */
    secret: string;
    /** The account that registered it. */
    created_by: string;
    created_at: string;
    /** Set when an admin disables it; rows are kept so its delivery log stays readable. */
    disabled_at: string | null;
  };
  webhook_deliveries: {
    id: string;
    webhook_id: string;
    /** The dispute's slug and the entry's sequence number: the body is read from the ledger. */
    dispute: string;
    seq: number;
    attempts: number;
    status: "pending" | "delivered" | "failed";
    last_status_code: number | null;
    last_error: string | null;
    next_attempt_at: string;
    created_at: string;
    delivered_at: string | null;
  };
  cosignatures: {
    dispute_id: number;
    /** The checkpoint cosigned: (dispute_id, size) is a row of checkpoints. */
    size: number;
    /** The witnessing organization, also the name in the signature line. */
    org_id: string;
    /** Its key in signing_keys that the line verifies under. */
    key_id: string;
    /** The C2SP signed-note signature line over the checkpoint's body, without its newline. */
    line: string;
    created_at: string;
  };
  /**
   * News posts (migration 0009_posts): newsroom content, not ledger. A post's row holds its
   * status and dates and points at its current revision; each save adds a revision.
   */
  posts: {
    id: string;
    /** Its address, unique across the site; fixed once the post has been published. */
    slug: string;
    /** The dispute's slug. */
    dispute: string;
    org_id: string;
    /** The account that created it. */
    author_id: string;
    /**
     * The name shown as the byline instead of the author's, for a post written elsewhere
     * (migration 0011_post_byline); null for posts written here.
     */
    byline: string | null;
    /** draft | scheduled | published | unpublished (domain/post.ts); live is computed from it and publish_at. */
    status: string;
    /** The current revision's number. */
    revision: number;
    /** 1 while readers may comment, else 0. */
    comments_open: Generated<number>;
    publish_at: string | null;
    /** The first publication instant (the scheduled one while that is still to come). */
    published_at: string | null;
    /** The last revision saved after first publication. */
    updated_at: string | null;
    created_at: string;
  };
  /** Every saved version of a post; never updated or deleted. */
  post_revisions: {
    post_id: string;
    revision: number;
    title: string;
    /** Markdown. */
    body: string;
    /** The body's opening as plain text (domain/post.ts excerptOf), kept for lists and feeds. */
    excerpt: string;
    /** The account that saved this version. */
    author_id: string;
    created_at: string;
  };
  /** A revision's tags, in the order given. */
  post_tags: {
    post_id: string;
    revision: number;
    position: number;
    tag: string;
  };
  /** A revision's citations: sequence numbers of public entries of the post's dispute. */
  post_citations: {
    post_id: string;
    revision: number;
    position: number;
    seq: number;
  };
  /**
   * Readers' comments under posts (migration 0010_comments). The email and the IP hash are for
   * moderators and the rules only: no public answer carries them.
   */
  comments: {
    /** Random, url-safe. */
    id: string;
    post_id: string;
    parent_id: string | null;
    /** The thread's top-level comment (its own id at the top). */
    root_id: string;
    /** 1 at the top, 2 for a reply, and so on. */
    depth: number;
    /** approved | held | spam | trash | erased (its commenter had it erased; kept for its replies). */
    status: string;
    /** What a trashed comment was, for restore. */
    trashed_from: string | null;
    /** JSON list of why the policy held it or marked it as spam. */
    reasons: Generated<string>;
    name: string;
    /** As typed (domain lower-cased); "" once erased. */
    email: string;
    /** emailKey(email): one commenter, for trust, rate limits and duplicates. */
    email_key: string;
    website: string | null;
    /** The text as typed. */
    body: string;
    /** The text as safe HTML (web/comment-text.ts), made at write time. */
    html: string;
    /** The avatar as a data: URL (web/avatar.ts), made at write time. */
    avatar: string;
    /** Keyed hash of the sender's address; null once older than the retention. */
    ip_hash: string | null;
    /** The salt period the hash was made in. */
    ip_period: string | null;
    /** duplicateKey(body). */
    dup_key: string;
    /** 1 when its author asked to be told of replies. */
    notify_replies: Generated<number>;
    /** On a reply: when its parent's author was told (never twice). */
    reply_notified_at: string | null;
    /** The moderator's account behind a moderator's reply. */
    account_id: string | null;
    created_at: string;
    approved_at: string | null;
    edited_at: string | null;
  };
  /** One random salt per period for hashing IP addresses; dropped after the retention. */
  comment_salts: {
    /** saltPeriod(), e.g. "2023-09-14T00". */
    period: string;
    salt: Uint8Array;
    created_at: string;
  };
  /** Every moderation action: who, what, which comment, when. */
  moderation_log: {
    id: Generated<number>;
    comment_id: string;
    /** approve | hold | spam | trash | restore | edit | reply | erase */
    action: string;
    /** The moderator; null for the commenter's own erasure. */
    actor_id: string | null;
    at: string;
    note: string | null;
  };
  /** The site's moderation settings as JSON (key "site"). */
  comment_settings: {
    key: string;
    settings: string;
    updated_at: string;
    updated_by: string | null;
  };
  /** The comments' server secret (form tokens, avatars, IP hashes, mail links). */
  comment_secrets: {
    name: string;
    secret: Uint8Array;
    created_at: string;
  };
}

/**
 * What runs a compiled statement: a Kysely instance or transaction, PostgreSQL's write buffer
 * (write-buffer.ts), or SQLite's direct runner (direct-sqlite.ts).
 */
export type StatementRunner = Pick<Kysely<Database>, "executeQuery">;
