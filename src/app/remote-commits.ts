import type { Kysely } from "kysely";
import { type CommitFeed, type CommitNotice, listenForCommits } from "../store/commit-feed.ts";
import type { Database } from "../store/schema.ts";
import type { Appended } from "./writer.ts";

/**
 * Entries other processes committed, told to this one's listeners as if it had written them
 * (PostgreSQL only; see store/commit-feed.ts). A notice says which entries; they are read from
 * the store, one notice at a time, so listeners hear of them in commit order.
 */
export class RemoteCommits {
  private feed: CommitFeed | null = null;
  private queue: Promise<void> = Promise.resolve();
  private listening = false;
  private heard = () => {};
  /** Settled when the feed first listens. */
  private readonly firstHeard = new Promise<void>((resolve) => (this.heard = resolve));

  constructor(
    private readonly location: string,
    private readonly db: Kysely<Database>,
    private readonly on: {
      /** Told of every notice, and of every start and stop of listening, before any entry is read. */
      anyCommit(): void;
      deliver(slug: string, appended: Appended[]): void;
      /** Whether anyone is listening for the entries now (a live stream): if not, they are not read. */
      wanted(): boolean;
      /** An account's access changed (its id), or anything may have (null: listening started or stopped). */
      accessChanged(accountId: string | null): void;
    },
  ) {}

  /** Starts listening (once); resolves when first listening, or after `waitMs` regardless. */
  start(waitMs = 0): Promise<void> {
    this.feed ??= listenForCommits(this.location, {
      onCommit: (notice) => {
        this.on.anyCommit();
        this.queue = this.queue.then(() => this.tell(notice)).catch(() => {});
      },
      onAccess: (accountId) => this.on.accessChanged(accountId),
      onListening: (listening) => {
        // Entries committed while no one listened are not told: a live stream finds the gap
        // at the next entry it is told of and reads the missed ones from the store. Caches
        // revalidate.
        this.on.anyCommit();
        this.on.accessChanged(null);
        this.listening = listening;
        if (listening) this.heard();
      },
    });
    if (this.listening || waitMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      timer.unref();
      void this.firstHeard.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Whether every other process's commit is being heard (a moment after it commits). */
  isListening(): boolean {
    return this.listening;
  }

  async close(): Promise<void> {
    await this.feed?.close();
    this.feed = null;
    await this.queue;
  }

  private async tell(notice: CommitNotice): Promise<void> {
    // Every commit of every other process comes here: reading its entries for no one was a
    // query per commit in each process. A stream that subscribes later reads what it missed.
    if (!this.on.wanted()) return;
    const rows = await this.db
      .selectFrom("ledger_entries as e")
      .innerJoin("disputes as d", "d.id", "e.dispute_id")
      .innerJoin("proj_timeline as t", (j) =>
        j.onRef("t.dispute_id", "=", "e.dispute_id").onRef("t.seq", "=", "e.seq"),
      )
      .select([
        "e.seq",
        "e.type",
        "e.org_id",
        "t.side_id",
        "e.visibility",
        "e.occurred_at",
        "e.recorded_at",
        "e.body",
        "e.signature",
      ])
      .where("d.slug", "=", notice.slug)
      .where("e.seq", ">=", notice.from)
      .where("e.seq", "<=", notice.to)
      // Said of the timeline too: PostgreSQL then reads that range of its index rather than
      // hashing all of the dispute's rows.
      .where("t.seq", ">=", notice.from)
      .where("t.seq", "<=", notice.to)
      .orderBy("e.seq")
      .execute();
    if (rows.length === 0) return;
    this.on.deliver(
      notice.slug,
      rows.map((r) => ({
        seq: r.seq,
        type: r.type,
        org: r.org_id,
        side: r.side_id,
        visibility: r.visibility,
        occurredAt: r.occurred_at,
        recordedAt: r.recorded_at,
        body: r.body,
        signature: r.signature,
      })),
    );
  }
}
