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
    /** Told of every notice, and of every start and stop of listening, before any entry is read. */
    private readonly onAnyCommit: () => void,
    private readonly deliver: (slug: string, appended: Appended[]) => void,
  ) {}

  /** Starts listening (once); resolves when first listening, or after `waitMs` regardless. */
  start(waitMs = 0): Promise<void> {
    this.feed ??= listenForCommits(
      this.location,
      (notice) => {
        this.onAnyCommit();
        this.queue = this.queue.then(() => this.tell(notice)).catch(() => {});
      },
      (listening) => {
        // Entries committed while no one listened are not told: a live stream finds the gap
        // at the next entry it is told of and reads the missed ones from the store. Caches
        // revalidate.
        this.onAnyCommit();
        this.listening = listening;
        if (listening) this.heard();
      },
    );
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
    this.deliver(
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
