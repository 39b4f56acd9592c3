import type { Generated } from "kysely";

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
   * The index itself is proj_search, an FTS5 table on SQLite that Kysely does not type.
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
}
