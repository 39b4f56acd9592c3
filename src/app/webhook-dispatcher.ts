import { createHmac } from "node:crypto";
import type { CompiledQuery, Kysely } from "kysely";
import { preparedOnce } from "../store/dialect.ts";
import type { Database } from "../store/schema.ts";
import type { Parley } from "./parley.ts";
import { canReadNow } from "./visibility.ts";
import { newId, webhookViewer } from "./webhooks.ts";
import type { Appended } from "./writer.ts";

export interface DispatcherOptions {
  /** How long one attempt may take, response headers included (default 10 s). */
  timeoutMs?: number;
  /** The wait before the second attempt; each later wait doubles (default 1 s). */
  backoffBaseMs?: number;
  /** The longest wait between attempts (default 10 min). */
  backoffCapMs?: number;
  /** Attempts before a delivery is marked failed (default 8). */
  maxAttempts?: number;
  /** Requests in flight at once, across all webhooks (default 8). */
  concurrency?: number;
  /** Wall-clock time for the delivery log and for when retries are due. */
  clock?: () => Date;
  /** The dispatcher's own failures (its database reads and writes); a receiver's are in the log. */
  onError?: (err: unknown, context: string) => void;
  /** How often to look for due deliveries no process holds (another's, left by a crash) (default 30 s). */
  sweepMs?: number;
}

/** What one attempt came to; `status` is the delivery's status after it. */
export interface AttemptReport {
  id: string;
  webhookId: string;
  dispute: string;
  seq: number;
  attempt: number;
  status: "pending" | "delivered" | "failed";
  statusCode: number | null;
  error: string | null;
}

/** A webhook that takes deliveries, and the organization whose view it gets. */
type ActiveHook = { id: string; org_id: string };

/** setTimeout's longest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A claimed delivery is left alone by other processes for the attempt's timeout and this. */
const CLAIM_MARGIN_MS = 5_000;
/** A timer may fire a moment before its due time by the wall clock: that still counts as due. */
const TIMER_SLACK_MS = 100;

/**
 * Posts new entries to the webhooks of the organizations that may see them. It listens to
 * `parley.subscribe`, which runs after the append has committed, and only queues there: the
 * deliveries are recorded and sent later, so a slow or failing receiver can neither slow
 * down nor fail an append. Each delivery is a row, so those pending when the server stops
 * are resumed by the next `start`.
 *
 * Deliveries are at least once (a crash between a receiver's 2xx and the row's update sends
 * it again: receivers dedupe by X-Parley-Delivery) and in no particular order (the payload's
 * `seq` orders them). Several processes may serve one database (PostgreSQL): each records
 * the deliveries of its own commits, and an attempt first claims its row (moving its due time
 * past the attempt's timeout, if it is still due and untouched), so no two processes send the
 * same attempt. A sweep every `sweepMs` picks up due rows no one holds: those of a process that
 * died. Entries appended by another process with no dispatcher (the CLI), or committed just
 * before this process died, are never queued.
 */
export class WebhookDispatcher {
  private readonly db: Kysely<Database>;
  /** The active webhooks' query, asked after commits: compiled once, prepared once per connection. */
  private readonly activeQuery: CompiledQuery<ActiveHook>;
  private readonly timeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly maxAttempts: number;
  private readonly concurrency: number;
  private readonly clock: () => Date;
  private readonly onError: (err: unknown, context: string) => void;

  private started = false;
  private closed = false;
  private unsubscribe: (() => void) | null = null;
  /** Commits not yet turned into delivery rows, and the loop that is doing so. */
  private readonly incoming: { slug: string; appended: Appended[] }[] = [];
  private intake: Promise<void> | null = null;
  /** Every delivery this process holds: waiting on a timer, ready, or in flight. */
  private readonly held = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly ready: string[] = [];
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(report: AttemptReport) => void>();
  private readonly sweepMs: number;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly parley: Parley,
    opts: DispatcherOptions = {},
  ) {
    this.db = parley.db;
    this.activeQuery = preparedOnce(
      this.db.selectFrom("webhooks").select(["id", "org_id"]).where("disabled_at", "is", null).compile(),
    );
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 1_000;
    this.backoffCapMs = opts.backoffCapMs ?? 10 * 60_000;
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 8);
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
    this.clock = opts.clock ?? (() => new Date());
    this.onError = opts.onError ?? ((err, context) => console.error(`webhooks: ${context}:`, err));
    this.sweepMs = opts.sweepMs ?? 30_000;
  }

  /** Starts listening for new entries, then resumes the deliveries a previous run left pending. */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    // Listening first: an entry committed while the pending rows are read is not missed.
    this.unsubscribe = this.parley.subscribe((slug, appended) => this.accept(slug, appended));
    await this.resumePending();
    this.sweeper = setInterval(() => {
      this.resumePending().catch((err) => this.onError(err, "looking for due deliveries"));
    }, this.sweepMs);
    this.sweeper.unref();
  }

  /** Schedules every pending delivery this process does not hold yet, at its due time. */
  private async resumePending(): Promise<void> {
    const pending = await this.db
      .selectFrom("webhook_deliveries")
      .select(["id", "next_attempt_at"])
      .where("status", "=", "pending")
      .orderBy("next_attempt_at")
      .execute();
    const now = this.clock().getTime();
    for (const p of pending) this.schedule(p.id, Date.parse(p.next_attempt_at) - now);
  }

  /** Calls `listener` after every attempt; returns the unsubscribe. */
  onAttempt(listener: (report: AttemptReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stops listening and cancels the timers, records what was already committed (so the next
   * start sends it), and waits for the attempts in flight, each bounded by the timeout.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    while (this.intake || this.inFlight.size > 0) {
      await Promise.all([this.intake, ...this.inFlight.values()]);
    }
  }

  /** The subscriber: it runs inside the append's call, so it only queues. */
  private accept(slug: string, appended: Appended[]): void {
    if (this.closed) return;
    this.incoming.push({ slug, appended });
    this.intake ??= this.drainIncoming();
  }

  private async drainIncoming(): Promise<void> {
    // The append's caller resumes before any of this work is done.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      // The commits queued by now share one reading of the active webhooks: a busy process
      // commits faster than that query comes back, and read per commit it was one more
      // statement per transaction (with ten disputes, one in five).
      while (this.incoming.length > 0) {
        const commits = this.incoming.splice(0);
        let hooks: ActiveHook[];
        try {
          hooks = await this.activeHooks();
        } catch (err) {
          for (const c of commits) this.onError(err, `recording deliveries for ${c.slug}`);
          continue;
        }
        if (hooks.length === 0) continue;
        for (const c of commits) {
          try {
            await this.record(c.slug, c.appended, hooks);
          } catch (err) {
            this.onError(err, `recording deliveries for ${c.slug}`);
          }
        }
      }
    } finally {
      this.intake = null;
    }
  }

  /** The webhooks deliveries are made for. */
  private async activeHooks(): Promise<ActiveHook[]> {
    return (await this.db.executeQuery(this.activeQuery)).rows;
  }

  /** One pending delivery per active webhook and per entry its organization may see. */
  private async record(slug: string, appended: Appended[], hooks: ActiveHook[]): Promise<void> {
    const now = this.clock().toISOString();
    const sides = new Map<string, string | null>();
    const rows: Database["webhook_deliveries"][] = [];
    for (const hook of hooks) {
      const viewer = webhookViewer(hook.org_id);
      if (!sides.has(hook.org_id)) sides.set(hook.org_id, await this.parley.viewerSide(slug, viewer));
      const side = sides.get(hook.org_id) ?? null;
      for (const a of appended) {
        // As the live stream does: a publication is an entry of its own, delivered as such.
        if (!canReadNow(viewer, { ...a, published: false }, side)) continue;
        rows.push({
          id: newId("dl"),
          webhook_id: hook.id,
          dispute: slug,
          seq: a.seq,
          attempts: 0,
          status: "pending",
          last_status_code: null,
          last_error: null,
          next_attempt_at: now,
          created_at: now,
          delivered_at: null,
        });
      }
    }
    // Well under SQLite's limit on bound parameters per statement.
    for (let i = 0; i < rows.length; i += 500) {
      await this.db
        .insertInto("webhook_deliveries")
        .values(rows.slice(i, i + 500))
        .execute();
    }
    for (const row of rows) this.schedule(row.id, 0);
  }

  private schedule(id: string, delayMs: number): void {
    if (this.closed || this.held.has(id)) return;
    this.held.add(id);
    if (delayMs <= 0) {
      this.ready.push(id);
      this.pump();
      return;
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(id);
        this.ready.push(id);
        this.pump();
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
    timer.unref();
    this.timers.set(id, timer);
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.concurrency && this.ready.length > 0) {
      const id = this.ready.shift()!;
      this.inFlight.set(id, this.run(id));
    }
  }

  private async run(id: string): Promise<void> {
    let retryIn: number | null = null;
    try {
      retryIn = await this.attempt(id);
    } catch (err) {
      // Left pending in the store: the next start picks it up.
      this.onError(err, `delivery ${id}`);
    }
    this.inFlight.delete(id);
    this.held.delete(id);
    if (retryIn !== null) this.schedule(id, retryIn);
    this.pump();
  }

  /** One attempt at a delivery; the wait before the next one, or null if it is settled. */
  private async attempt(id: string): Promise<number | null> {
    const d = await this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhooks as w", "w.id", "d.webhook_id")
      .select(["d.dispute", "d.seq", "d.attempts", "d.status", "d.webhook_id", "w.url", "w.secret"])
      .select("w.disabled_at")
      .where("d.id", "=", id)
      .executeTakeFirst();
    if (d?.status !== "pending") return null;
    const report = (r: Omit<AttemptReport, "id" | "webhookId" | "dispute" | "seq">) =>
      this.emit({ id, webhookId: d.webhook_id, dispute: d.dispute, seq: d.seq, ...r });

    const giveUp = async (error: string) => {
      await this.db
        .updateTable("webhook_deliveries")
        .set({ status: "failed", last_error: error })
        .where("id", "=", id)
        .execute();
      report({ attempt: d.attempts, status: "failed", statusCode: null, error });
      return null;
    };
    if (d.disabled_at !== null) return giveUp("the webhook was disabled");
    if (!(await this.claim(id, d.attempts))) return null;
    const entry = await this.db
      .selectFrom("ledger_entries as e")
      .innerJoin("disputes as x", "x.id", "e.dispute_id")
      .select(["e.type", "e.body", "e.signature"])
      .where("x.slug", "=", d.dispute)
      .where("e.seq", "=", d.seq)
      .executeTakeFirst();
    if (!entry) return giveUp(`entry ${d.seq} of ${d.dispute} is not in the store`);

    const body = payload(d.dispute, d.seq, entry);
    const attempt = d.attempts + 1;
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Parley-Webhooks/1",
          "x-parley-event": "entry",
          "x-parley-delivery": id,
          "x-parley-signature": signatureHeader(d.secret, body),
        },
        body,
        // A redirect is the receiver's mistake to fix, not a new address to post entries to.
        redirect: "manual",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      statusCode = res.status;
      // The answer's body is of no use; cancelling it frees the connection.
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
    } catch (err) {
      error = describeFailure(err, this.timeoutMs);
    }

    const now = this.clock();
    if (error === null) {
      await this.db
        .updateTable("webhook_deliveries")
        .set({
          status: "delivered",
          attempts: attempt,
          last_status_code: statusCode,
          last_error: null,
          delivered_at: now.toISOString(),
        })
        .where("id", "=", id)
        .execute();
      report({ attempt, status: "delivered", statusCode, error });
      return null;
    }
    const final = attempt >= this.maxAttempts;
    const wait = Math.min(this.backoffCapMs, this.backoffBaseMs * 2 ** (attempt - 1));
    await this.db
      .updateTable("webhook_deliveries")
      .set({
        status: final ? "failed" : "pending",
        attempts: attempt,
        last_status_code: statusCode,
        last_error: error,
        next_attempt_at: final ? now.toISOString() : new Date(now.getTime() + wait).toISOString(),
      })
      .where("id", "=", id)
      .execute();
    report({ attempt, status: final ? "failed" : "pending", statusCode, error });
    return final ? null : wait;
  }

  /**
   * Takes the delivery for one attempt, if it is still due and no one took it since it was
   * read (its attempts unchanged): one conditional UPDATE, which only one process can win.
   * Its due time moves past the attempt's end, so a sweep elsewhere leaves it alone meanwhile.
   */
  private async claim(id: string, attempts: number): Promise<boolean> {
    const now = this.clock().getTime();
    const r = await this.db
      .updateTable("webhook_deliveries")
      .set({ next_attempt_at: new Date(now + this.timeoutMs + CLAIM_MARGIN_MS).toISOString() })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .where("attempts", "=", attempts)
      .where("next_attempt_at", "<=", new Date(now + TIMER_SLACK_MS).toISOString())
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private emit(report: AttemptReport): void {
    for (const listener of this.listeners) {
      try {
        listener(report);
      } catch (err) {
        this.onError(err, "an attempt listener");
      }
    }
  }
}

/**
 * `{dispute, seq, type, entry, signature}`: `entry` is the entry's signed canonical JSON
 * verbatim and `signature` the authoring organization's Ed25519 signature of it (base64), so a
 * receiver can check the entry itself; the HMAC header vouches only that Parley sent it.
 */
function payload(dispute: string, seq: number, e: { type: string; body: string; signature: Uint8Array }) {
  const signature = Buffer.from(e.signature).toString("base64");
  return `{"dispute":${JSON.stringify(dispute)},"seq":${seq},"type":${JSON.stringify(e.type)},"entry":${e.body},"signature":${JSON.stringify(signature)}}`;
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes under the webhook's secret. */
export function signatureHeader(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** fetch hides the reason (refused, reset, unknown host) in `cause`. */
function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause =
    err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const text = [err instanceof Error ? err.message : String(err), cause?.code ?? cause?.message]
    .filter(Boolean)
    .join(": ");
  return text.slice(0, 500);
}
