import { type Kysely, sql } from "kysely";
import type { SearchQuery } from "../domain/search-query.ts";
import type { Database } from "./schema.ts";
import type { SearchFilters, SearchIndex, SearchMatch, Snippet } from "./search-index.ts";

/** What indexing one chunk did: the mark after it, rows written, entries read. */
export interface ChunkStep {
  mark: number;
  indexed: number;
  entries: number;
}

/**
 * The catch-up both dialects share: proj_search_marks holds, per dispute, the last seq indexed;
 * a search first indexes what was recorded since, a chunk per transaction. Each dialect says
 * how one chunk is indexed (and how a search runs).
 */
export abstract class ChunkedSearchIndex implements SearchIndex {
  constructor(protected readonly db: Kysely<Database>) {}

  /** Indexes the next entries above the mark and moves the mark past them. Call inside a transaction. */
  protected abstract indexChunk(db: Kysely<Database>, disputeId: number): Promise<ChunkStep>;
  abstract rebuild(disputeId: number): Promise<number>;
  abstract matches(disputeId: number, query: SearchQuery, filters: SearchFilters): Promise<SearchMatch[]>;
  abstract snippets(disputeId: number, query: SearchQuery, seqs: number[]): Promise<Map<number, Snippet>>;

  async catchUp(disputeId: number): Promise<number> {
    // The common case, nothing new since the last search, costs one read and no write.
    const { mark, last } = await this.progress(this.db, disputeId);
    if (mark >= last) return mark;
    if (this.db.isTransaction) return (await this.indexAbove(this.db, disputeId, last)).mark;
    let done = mark;
    while (done < last) {
      // Each chunk is a transaction of its own: its rows and the mark move together, so a crash
      // can neither lose an entry nor index one twice, and a search running alongside finds
      // nothing left to do. Between chunks, appends get their turn (SQLite's one connection).
      const step = await this.db.transaction().execute((trx) => this.indexChunk(trx, disputeId));
      // The mark as this chunk found it, even with nothing left to index: another process
      // (PostgreSQL) may have taken it past `last` meanwhile.
      done = step.mark;
      if (step.entries === 0) break;
    }
    return done;
  }

  /** The last seq indexed and the last recorded (-1 for none). */
  protected async progress(db: Kysely<Database>, disputeId: number): Promise<{ mark: number; last: number }> {
    const { rows } = await sql<{ mark: number | null; last: number | null }>`
      SELECT (SELECT seq FROM proj_search_marks WHERE dispute_id = ${disputeId}) AS mark,
             (SELECT max(seq) FROM ledger_entries WHERE dispute_id = ${disputeId}) AS last`.execute(db);
    return { mark: rows[0]?.mark ?? -1, last: rows[0]?.last ?? -1 };
  }

  /** Indexes chunk after chunk up to `last`, in the caller's transaction. */
  protected async indexAbove(db: Kysely<Database>, disputeId: number, last: number) {
    let indexed = 0;
    for (;;) {
      const step = await this.indexChunk(db, disputeId);
      indexed += step.indexed;
      if (step.mark >= last || step.entries === 0) return { mark: step.mark, indexed };
    }
  }
}
