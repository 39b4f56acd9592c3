import type { Kysely } from "kysely";
import type { SearchQuery } from "../domain/search-query.ts";
import { isSqlite } from "./dialect.ts";
import type { Database } from "./schema.ts";
import { PostgresSearchIndex } from "./search-index-postgres.ts";
import { SqliteSearchIndex } from "./search-index-sqlite.ts";

/**
 * Full-text search over a dispute's entries: a read model, derived from the ledger and kept
 * up to date lazily (an append pays nothing; the next search indexes what was appended since,
 * see `catchUp`). SQLite implements it with FTS5 (search-index-sqlite.ts), PostgreSQL with a
 * tsvector column, a GIN index and ts_headline for snippets (search-index-postgres.ts); the
 * application cannot tell which it has.
 *
 * The index knows nothing of visibility: it finds every entry that matches, with the timeline
 * facts the one visibility rule needs, and the application filters them (app/search.ts). It
 * ranks nothing either: any ranking from the index's own statistics would count entries the
 * viewer may not read.
 */
export interface SearchIndex {
  /** Indexes the dispute's entries recorded since the last call; returns the last seq indexed (-1: none). */
  catchUp(disputeId: number): Promise<number>;
  /** Forgets the dispute's index and derives it again from the ledger; returns the entries indexed. */
  rebuild(disputeId: number): Promise<number>;
  /**
   * Every indexed entry up to seq `upTo` holding all phrases of the query, in no particular
   * order, each with how often the query matches in it and how long it is (what ranking needs).
   */
  matches(disputeId: number, query: SearchQuery, filters: SearchFilters): Promise<SearchMatch[]>;
  /** For each entry given that matches: a short passage around its best matches, matches marked. */
  snippets(disputeId: number, query: SearchQuery, seqs: number[]): Promise<Map<number, Snippet>>;
}

export interface SearchFilters {
  types: string[];
  from?: string | undefined;
  to?: string | undefined;
  /** Entries recorded after this one are left out (a search's later pages see what its first saw). */
  upTo: number;
}

/** A matching entry: what the visibility rule (timeline-query.ts `readableNow`) reads, and what ranking does. */
export interface SearchMatch {
  seq: number;
  type: string;
  org_id: string;
  side_id: string | null;
  occurred_at: string;
  visibility: string;
  subject: string | null;
  published_seq: number | null;
  /** Occurrences of the query's phrases in the entry's text. */
  hits: number;
  /** Words in the entry's text. */
  words: number;
}

export interface Snippet {
  text: string;
  /** [start, end) of each match in `text`, in UTF-16 code units (JavaScript string indices). */
  highlights: [number, number][];
}

/**
 * The search index of the database's dialect: full-text search is one of the places where the
 * two stores part (FTS5 on SQLite, tsvector on PostgreSQL), with the same behaviour behind it.
 */
export function searchIndexFor(db: Kysely<Database>): SearchIndex {
  return isSqlite(db as Kysely<unknown>) ? new SqliteSearchIndex(db) : new PostgresSearchIndex(db);
}
