import { createHash, randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { z } from "zod";
import { fail } from "../domain/errors.ts";
import { Id } from "../domain/values.ts";
import { accessNoticeQuery } from "../store/commit-feed.ts";
import { isSqlite, preparedOnce } from "../store/dialect.ts";
import type { Database } from "../store/schema.ts";
import type { CallerCache } from "./caller-cache.ts";
import { parseInput } from "./parse-input.ts";
import { burnPasswordCheck, checkPassword, hashPassword } from "./passwords.ts";
import type { Viewer } from "./visibility.ts";

/**
 * Accounts, memberships, sessions and API tokens. An account belongs to organizations with a
 * role in each: admin (members, tokens), negotiator (records the organization's moves) or
 * member (reads what the organization may read). Secrets are random, shown once, and stored
 * only as their SHA-256.
 */
export const ROLES = ["admin", "negotiator", "member"] as const;
export const TOKEN_SCOPES = ["api", "calendar"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
export type Role = (typeof ROLES)[number];

/** The one strength rule for a password, wherever one is chosen: creation and change alike. */
const Password = z.string().min(12, "at least 12 characters").max(1024);

export const NewAccount = z
  .object({
    email: z.email().max(254),
    name: z.string().trim().min(1).max(200),
    password: Password,
    /** The organization it belongs to, and its role there; an operator may belong to none. */
    org: Id.optional(),
    role: z.enum(ROLES).optional(),
    operator: z.boolean().default(false),
  })
  .strict()
  .refine((a) => (a.org === undefined) === (a.role === undefined), {
    message: "an organization and a role go together",
    path: ["role"],
  })
  .refine((a) => a.org !== undefined || a.operator, {
    message: "an account belongs to an organization unless it is an operator",
    path: ["org"],
  });
export type NewAccount = z.input<typeof NewAccount>;

/** A member an admin adds: an existing account by its email, or a new one. */
export const NewMember = z
  .object({
    email: z.email().max(254),
    role: z.enum(ROLES),
    name: z.string().trim().min(1).max(200).optional(),
    password: Password.optional(),
  })
  .strict();

/** An admin's change to a member's role. */
export const MemberRole = z.object({ role: z.enum(ROLES) }).strict();

/** A signed-in account's change of its own password: the current one proves it is the owner. */
export const PasswordChange = z.object({ current: z.string().max(1024), next: Password }).strict();

export interface Membership {
  org: string;
  role: Role;
}

export interface Caller {
  id: string;
  email: string;
  name: string;
  memberships: Membership[];
  /** Runs this server: registers organizations, appoints any organization's members. */
  operator: boolean;
  /** How the request proved who it is; a session also carries the CSRF token writes need. */
  via: { kind: "session"; csrf: string } | { kind: "token" };
}

/** What a session or token look-up found, as remembered between requests (caller-cache.ts). */
export type KnownCredential =
  | { kind: "session"; caller: Caller; expiresAt: string }
  | { kind: "token"; caller: Caller; tokenId: string; scope: string; lastUsedAt: string | null };

export interface AccountPolicy {
  sessionHours: number;
  /** Consecutive failed sign-ins that lock an account, and for how long. */
  lockAfter: number;
  lockMinutes: number;
}

const DEFAULT_POLICY: AccountPolicy = { sessionHours: 24 * 14, lockAfter: 5, lockMinutes: 15 };

const digest = (secret: string) => createHash("sha256").update(secret).digest("hex");
const secret = (prefix: string) => `${prefix}_${randomBytes(32).toString("base64url")}`;

export class Accounts {
  private readonly policy: AccountPolicy;
  private readonly accessListeners = new Set<(accountId: string) => void>();

  /**
   * `callers`: where a server remembers who is behind a credential between requests (the
   * process's one cache, Parley.callers); without it every look-up reads the store.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date,
    policy: Partial<AccountPolicy> = {},
    private readonly callers?: CallerCache<KnownCredential>,
  ) {
    this.policy = { ...DEFAULT_POLICY, ...policy };
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /**
   * Calls `listener` with an account's id whenever what it may do or see may have changed
   * here (a session or token revoked, a password or a membership changed): whoever holds an
   * open connection on its behalf (a live stream) checks it again. Returns the unsubscribe.
   */
  onAccessChange(listener: (accountId: string) => void): () => void {
    this.accessListeners.add(listener);
    return () => this.accessListeners.delete(listener);
  }

  private accessChanged(accountId: string): void {
    this.callers?.forget(accountId);
    for (const listener of this.accessListeners) listener(accountId);
  }

  async add(input: NewAccount): Promise<{ id: string }> {
    const a = parseInput(NewAccount, input);
    const email = a.email.toLowerCase();
    if (a.org !== undefined && !(await this.organizationExists(a.org))) {
      fail("ORG_UNKNOWN", `unknown organization ${a.org}`);
    }
    const taken = await this.db
      .selectFrom("accounts")
      .select("id")
      .where("email", "=", email)
      .executeTakeFirst();
    if (taken) fail("ACCOUNT_EXISTS");
    const id = `acct_${randomBytes(9).toString("base64url")}`;
    const password_hash = await hashPassword(a.password);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("accounts")
        .values({ id, email, name: a.name, password_hash, created_at: this.now(), locked_until: null })
        .execute();
      if (a.org !== undefined && a.role !== undefined) {
        await trx
          .insertInto("memberships")
          .values({ account_id: id, org_id: a.org, role: a.role, created_at: this.now() })
          .execute();
      }
      if (a.operator)
        await trx.insertInto("operators").values({ account_id: id, created_at: this.now() }).execute();
    });
    return { id };
  }

  private async organizationExists(org: string): Promise<boolean> {
    return (
      (await this.db.selectFrom("organizations").select("id").where("id", "=", org).executeTakeFirst()) !==
      undefined
    );
  }

  /** Signs in: a new session (secret and CSRF token), or AUTH_FAILED / ACCOUNT_LOCKED. */
  async login(email: string, password: string): Promise<{ token: string; csrf: string; expiresAt: string }> {
    const row = await this.db
      .selectFrom("accounts")
      .selectAll()
      .where("email", "=", email.toLowerCase())
      .executeTakeFirst();
    if (!row) {
      await burnPasswordCheck(password);
      fail("AUTH_FAILED");
    }
    const now = this.now();
    if (row.locked_until && row.locked_until > now) fail("ACCOUNT_LOCKED");
    if (!(await checkPassword(password, row.password_hash))) await this.failedAttempt(row.id, "AUTH_FAILED");
    const token = secret("pss");
    const csrf = randomBytes(24).toString("base64url");
    const expiresAt = new Date(this.clock().getTime() + this.policy.sessionHours * 3_600_000).toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("accounts")
        .set({ failed_logins: 0, locked_until: null })
        .where("id", "=", row.id)
        .execute();
      await trx
        .insertInto("sessions")
        .values({
          token_hash: digest(token),
          account_id: row.id,
          csrf,
          created_at: now,
          expires_at: expiresAt,
          revoked_at: null,
        })
        .execute();
    });
    return { token, csrf, expiresAt };
  }

  /**
   * Counts a wrong password against the account, whichever route it came through, and locks
   * the account at the limit. The count is raised in the UPDATE itself: read first and written
   * back, a burst of parallel guesses would each see the same count and never reach the lock.
   * A lock is never cleared here: a guess of the same burst that lands after the lock was set
   * (it passed the check before) must not unlock the account.
   */
  private async failedAttempt(accountId: string, code: "AUTH_FAILED" | "PASSWORD_WRONG"): Promise<never> {
    const limit = this.policy.lockAfter;
    const now = this.now();
    const until = new Date(this.clock().getTime() + this.policy.lockMinutes * 60_000).toISOString();
    const row = await this.db
      .updateTable("accounts")
      .set({
        failed_logins: sql<number>`case when failed_logins + 1 >= ${limit} then 0 else failed_logins + 1 end`,
        locked_until: sql<
          string | null
        >`case when failed_logins + 1 >= ${limit} then ${until} else locked_until end`,
      })
      .where("id", "=", accountId)
      .returning("locked_until")
      .executeTakeFirst();
    fail(row?.locked_until && row.locked_until > now ? "ACCOUNT_LOCKED" : code);
  }

  /**
   * Changes the account's password, given the current one. A wrong one counts toward the
   * lockout as a failed sign-in does (else this would be a second, unlimited place to guess),
   * and a locked account cannot change it either. Every session but `keepSession` (the one
   * asking, if it is a session) is revoked, so whoever else was signed in with the old
   * password is out; API tokens stay, as they were made deliberately and are revoked one by one.
   */
  async changePassword(accountId: string, input: unknown, keepSession?: string): Promise<void> {
    const change = parseInput(PasswordChange, input);
    const row = await this.db
      .selectFrom("accounts")
      .select(["id", "password_hash", "locked_until"])
      .where("id", "=", accountId)
      .executeTakeFirst();
    if (!row) fail("ACCOUNT_UNKNOWN");
    if (row.locked_until && row.locked_until > this.now()) fail("ACCOUNT_LOCKED");
    if (!(await checkPassword(change.current, row.password_hash))) {
      await this.failedAttempt(row.id, "PASSWORD_WRONG");
    }
    // Hashed before the transaction: scrypt takes its time, and the transaction holds the
    // one SQLite connection.
    const password_hash = await hashPassword(change.next);
    const now = this.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("accounts")
        .set({ password_hash, failed_logins: 0, locked_until: null })
        .where("id", "=", row.id)
        .execute();
      let others = trx
        .updateTable("sessions")
        .set({ revoked_at: now })
        .where("account_id", "=", row.id)
        .where("revoked_at", "is", null);
      if (keepSession !== undefined) others = others.where("token_hash", "!=", digest(keepSession));
      await others.execute();
      await announceAccess(trx, row.id);
    });
    this.accessChanged(row.id);
  }

  async logout(token: string): Promise<void> {
    const ended = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable("sessions")
        .set({ revoked_at: this.now() })
        .where("token_hash", "=", digest(token))
        .where("revoked_at", "is", null)
        .returning("account_id")
        .executeTakeFirst();
      if (row) await announceAccess(trx, row.account_id);
      return row;
    });
    if (ended) this.accessChanged(ended.account_id);
  }

  /**
   * What a credential's look-up found: remembered, or read from the store with `read` (and
   * then remembered, unless some account's access changed meanwhile: see caller-cache.ts).
   * An unknown or revoked credential (null) is never remembered.
   */
  private async remembered(
    key: string,
    read: () => Promise<KnownCredential | null>,
  ): Promise<KnownCredential | null> {
    const hit = this.callers?.get(key);
    if (hit) return hit;
    const since = this.callers?.begin() ?? 0;
    const found = await read();
    if (found) this.callers?.put(key, found.caller.id, found, since);
    return found;
  }

  /** The caller behind a session secret, or null if it is unknown, expired or revoked. */
  async bySession(token: string): Promise<Caller | null> {
    const hash = digest(token);
    const known = await this.remembered(`session:${hash}`, async () => {
      const query = this.db
        .selectFrom("sessions as s")
        .innerJoin("accounts as a", "a.id", "s.account_id")
        .leftJoin("operators as o", "o.account_id", "a.id")
        .leftJoin("memberships as m", "m.account_id", "a.id")
        .select(["s.csrf", "s.expires_at", "s.revoked_at", ...CALLER_COLUMNS])
        .where("s.token_hash", "=", hash)
        .orderBy("m.org_id");
      const { rows } = await this.db.executeQuery(preparedOnce(query.compile()));
      const s = rows[0];
      if (!s || s.revoked_at !== null) return null;
      return {
        kind: "session",
        caller: callerOf(rows, { kind: "session", csrf: s.csrf }),
        expiresAt: s.expires_at,
      };
    });
    if (known?.kind !== "session" || known.expiresAt <= this.now()) return null;
    return known.caller;
  }

  /** The caller behind an API token, or null if it is unknown or revoked. */
  async byToken(token: string, scope: TokenScope = "api"): Promise<Caller | null> {
    const hash = digest(token);
    const known = await this.remembered(`token:${hash}`, async () => {
      const query = this.db
        .selectFrom("api_tokens as t")
        .innerJoin("accounts as a", "a.id", "t.account_id")
        .leftJoin("operators as o", "o.account_id", "a.id")
        .leftJoin("memberships as m", "m.account_id", "a.id")
        .select(["t.id as token_id", "t.scope", "t.last_used_at", "t.revoked_at", ...CALLER_COLUMNS])
        .where("t.token_hash", "=", hash)
        .orderBy("m.org_id");
      const { rows } = await this.db.executeQuery(preparedOnce(query.compile()));
      const t = rows[0];
      if (!t || t.revoked_at !== null) return null;
      return {
        kind: "token",
        caller: callerOf(rows, { kind: "token" }),
        tokenId: t.token_id,
        scope: t.scope,
        lastUsedAt: t.last_used_at,
      };
    });
    // A token serves its own scope only: a calendar key opens no API, an API token is no feed key.
    if (known?.kind !== "token" || known.scope !== scope) return null;
    // Last use is kept to the minute: a write per request would double a script's commits.
    const now = this.now();
    if (known.lastUsedAt === null || known.lastUsedAt.slice(0, 16) !== now.slice(0, 16)) {
      known.lastUsedAt = now;
      await this.db
        .updateTable("api_tokens")
        .set({ last_used_at: now })
        .where("id", "=", known.tokenId)
        .execute();
    }
    return known.caller;
  }

  /**
   * A personal token: the secret is returned here once and never again. An "api" token acts
   * as its account; a "calendar" one only reads the account's calendar feeds.
   */
  async createToken(
    accountId: string,
    name: string,
    scope: TokenScope = "api",
  ): Promise<{ id: string; token: string; name: string; scope: TokenScope }> {
    const token = secret(scope === "api" ? "pat" : "cal");
    const id = `tok_${randomBytes(9).toString("base64url")}`;
    await this.db
      .insertInto("api_tokens")
      .values({
        id,
        token_hash: digest(token),
        account_id: accountId,
        name,
        scope,
        created_at: this.now(),
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    return { id, token, name, scope };
  }

  async tokens(accountId: string) {
    const rows = await this.db
      .selectFrom("api_tokens")
      .select(["id", "name", "scope", "created_at", "last_used_at", "revoked_at"])
      .where("account_id", "=", accountId)
      .orderBy("created_at")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      scope: r.scope as TokenScope,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    }));
  }

  async revokeToken(accountId: string, id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable("api_tokens")
        .set({ revoked_at: this.now() })
        .where("id", "=", id)
        .where("account_id", "=", accountId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) fail("TOKEN_UNKNOWN");
      await announceAccess(trx, accountId);
    });
    this.accessChanged(accountId);
  }

  /**
   * A member's tokens, for the organization's admins: in an incident they must see which of
   * its people's scripts hold access, and cut one off, without asking the person.
   */
  async memberTokens(org: string, accountId: string) {
    await this.membership(this.db, org, accountId);
    return this.tokens(accountId);
  }

  async revokeMemberToken(org: string, accountId: string, id: string): Promise<void> {
    await this.membership(this.db, org, accountId);
    await this.revokeToken(accountId, id);
  }

  /**
   * Adds a person to an organization: an existing account (by email) gains the membership;
   * otherwise a new account is made, which needs a name and a password.
   */
  async addMember(org: string, input: unknown): Promise<{ id: string; created: boolean }> {
    const m = parseInput(NewMember, input);
    const existing = await this.db
      .selectFrom("accounts")
      .select("id")
      .where("email", "=", m.email.toLowerCase())
      .executeTakeFirst();
    if (!existing) {
      if (m.name === undefined || m.password === undefined) {
        fail("VALIDATION_FAILED", "a new account needs a name and a password");
      }
      const { id } = await this.add({
        email: m.email,
        name: m.name,
        password: m.password,
        org,
        role: m.role,
      });
      return { id, created: true };
    }
    const member = await this.db
      .selectFrom("memberships")
      .select("role")
      .where("account_id", "=", existing.id)
      .where("org_id", "=", org)
      .executeTakeFirst();
    if (member) fail("ACCOUNT_EXISTS", `${m.email.toLowerCase()} is already a member of ${org}`);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("memberships")
        .values({ account_id: existing.id, org_id: org, role: m.role, created_at: this.now() })
        .execute();
      await announceAccess(trx, existing.id);
    });
    this.accessChanged(existing.id);
    return { id: existing.id, created: false };
  }

  async members(org: string) {
    const rows = await this.db
      .selectFrom("memberships as m")
      .innerJoin("accounts as a", "a.id", "m.account_id")
      .select(["a.id", "a.email", "a.name", "m.role", "m.created_at"])
      .where("m.org_id", "=", org)
      .orderBy("a.email")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.name,
      role: r.role as Role,
      since: r.created_at,
    }));
  }

  /**
   * Gives a member another role. Taking the admin role from the organization's last admin is
   * refused (LAST_ADMIN): no one would be left to manage its members.
   */
  async setRole(
    org: string,
    accountId: string,
    input: unknown,
  ): Promise<{ id: string; org: string; role: Role }> {
    const { role } = parseInput(MemberRole, input);
    await this.db.transaction().execute(async (trx) => {
      await adminsTakeTurns(trx, org);
      const was = await this.membership(trx, org, accountId);
      await trx
        .updateTable("memberships")
        .set({ role })
        .where("account_id", "=", accountId)
        .where("org_id", "=", org)
        .execute();
      if (was === "admin" && role !== "admin") await this.keepAnAdmin(trx, org);
      await announceAccess(trx, accountId);
    });
    this.accessChanged(accountId);
    return { id: accountId, org, role };
  }

  /** Ends a membership; the account itself stays, with any other memberships it has. */
  async removeMember(org: string, accountId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await adminsTakeTurns(trx, org);
      const was = await this.membership(trx, org, accountId);
      await trx
        .deleteFrom("memberships")
        .where("account_id", "=", accountId)
        .where("org_id", "=", org)
        .execute();
      if (was === "admin") await this.keepAnAdmin(trx, org);
      await announceAccess(trx, accountId);
    });
    this.accessChanged(accountId);
  }

  private async membership(trx: Kysely<Database>, org: string, accountId: string): Promise<Role> {
    const m = await trx
      .selectFrom("memberships")
      .select("role")
      .where("account_id", "=", accountId)
      .where("org_id", "=", org)
      .executeTakeFirst();
    if (!m) fail("MEMBER_UNKNOWN", `${accountId} is not a member of ${org}`);
    return m.role as Role;
  }

  /**
   * Called after the change, inside its transaction: throwing rolls the change back. Counting
   * after the write rather than before means the count includes this change. Two admins
   * stepping down at once cannot both succeed: see adminsTakeTurns.
   */
  private async keepAnAdmin(trx: Kysely<Database>, org: string): Promise<void> {
    const { admins } = await trx
      .selectFrom("memberships")
      .select((eb) => eb.fn.countAll<number>().as("admins"))
      .where("org_id", "=", org)
      .where("role", "=", "admin")
      .executeTakeFirstOrThrow();
    if (Number(admins) === 0) fail("LAST_ADMIN", `${org} would be left without an admin`);
  }
}

/**
 * Makes changes to one organization's memberships take turns, so that each counts the admins
 * the one before it left. SQLite has one writer at a time and refuses a write to a transaction
 * whose reads went stale; PostgreSQL (READ COMMITTED) would let two transactions each count
 * the other's admin still there, so there the organization's row is locked first.
 */
async function adminsTakeTurns(trx: Kysely<Database>, org: string): Promise<void> {
  if (isSqlite(trx as Kysely<unknown>)) return;
  await trx.selectFrom("organizations").select("id").where("id", "=", org).forUpdate().execute();
}

/**
 * Tells the other processes on a PostgreSQL database that an account's access changed, so
 * that they forget its remembered callers: inside the changing transaction, so that the word
 * goes out with the commit and never for a rollback. SQLite's other processes remember none.
 */
async function announceAccess(trx: Kysely<Database>, accountId: string): Promise<void> {
  if (isSqlite(trx as Kysely<unknown>)) return;
  await trx.executeQuery(accessNoticeQuery(accountId));
}

/**
 * What a request's caller is read with, joined to its credential (every authenticated request
 * comes here, so it is one query, prepared once per connection on PostgreSQL): the account,
 * its operator flag, a row per membership.
 */
const CALLER_COLUMNS = [
  "a.id",
  "a.email",
  "a.name",
  "o.account_id as operator",
  "m.org_id",
  "m.role",
] as const;

function callerOf(
  rows: {
    id: string;
    email: string;
    name: string;
    operator: string | null;
    org_id: string | null;
    role: string | null;
  }[],
  via: Caller["via"],
): Caller {
  const a = rows[0]!;
  // Frozen: a remembered caller is shared by every request that presents the credential.
  return Object.freeze({
    id: a.id,
    email: a.email,
    name: a.name,
    memberships: Object.freeze(
      rows.flatMap((m) =>
        m.org_id === null ? [] : [Object.freeze({ org: m.org_id, role: m.role as Role })],
      ),
    ) as Membership[],
    operator: a.operator !== null,
    via: Object.freeze(via),
  });
}

/**
 * How a caller sees a dispute: through the membership of an organization that sits on one
 * of its sides (a negotiator's if there is one), else through any membership (a press
 * outlet, a member company), else as the public. Only negotiators see table and private
 * entries; everyone else sees the public ones and their own organization's "members" ones.
 */
export function viewerFor(caller: Caller | null, parties: ReadonlySet<string>): Viewer {
  if (!caller || caller.memberships.length === 0) return { kind: "public" };
  const rank = (m: Membership) => (parties.has(m.org) ? 2 : 0) + (m.role === "negotiator" ? 1 : 0);
  const best = [...caller.memberships].sort((a, b) => rank(b) - rank(a))[0]!;
  return { kind: "org", org: best.org, role: best.role === "negotiator" ? "negotiator" : "member" };
}
