import { type Kysely, type RawBuilder, sql } from "kysely";
import type { SearchQuery } from "../domain/search-query.ts";
import { searchText } from "../domain/search-text.ts";
import { markedToSnippet } from "./marked-snippet.ts";
import type { Database } from "./schema.ts";
import type { SearchFilters, SearchMatch, Snippet } from "./search-index.ts";
import { ChunkedSearchIndex } from "./search-index-chunks.ts";

/**
 * The search index on SQLite: the FTS5 table proj_search (migration 0005_search) holds one
 * row per entry with any text, its rowid made of the dispute and the entry's seq, so that a
 * dispute's rows are one rowid range (FTS5 narrows a MATCH to a range itself); and
 * proj_search_marks holds, per dispute, the last seq indexed.
 */

/** Sequence numbers per dispute in the rowid space; dispute ids stay below 2^21 so rowids are safe integers. */
const SEQ_SPACE = 2 ** 32;
const MAX_DISPUTE_ID = 2 ** 21;
/** Entries indexed per transaction: a catch-up never holds the one connection (appends wait on it) for long. */
const CHUNK = 1000;
/** Rows per INSERT statement. */
const INSERT_ROWS = 100;
/** Match markers: private-use characters, which searchText strips from every indexed text. */
const OPEN = "\uE000";
const CLOSE = "\uE001";
/** Words of context in a snippet (FTS5 allows up to 64). */
const SNIPPET_WORDS = 20;
/** Words as unicode61 cuts them, near enough: runs of letters and digits. */
const WORDS = /[\p{L}\p{N}]+/gu;

function base(disputeId: number): number {
  if (!Number.isSafeInteger(disputeId) || disputeId < 0 || disputeId >= MAX_DISPUTE_ID) {
    throw new Error(`dispute id ${disputeId} is outside the search index's rowid space`);
  }
  return disputeId * SEQ_SPACE;
}

/**
 * The query in FTS5's syntax: each phrase a string in double quotes (a quote inside doubled),
 * so nothing of it is read as an operator, column filter or bracket; `*` after the string
 * makes its last word a prefix. Phrases side by side must all match.
 */
export function fts5Match(query: SearchQuery): string {
  return query.phrases.map((p) => `"${p.text.replaceAll('"', '""')}"${p.prefix ? " *" : ""}`).join(" ");
}

function count(text: string, c: string): number {
  let n = 0;
  for (let i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) n += 1;
  return n;
}

export class SqliteSearchIndex extends ChunkedSearchIndex {
  async rebuild(disputeId: number): Promise<number> {
    const run = async (db: Kysely<Database>) => {
      const lo = base(disputeId);
      await sql`DELETE FROM proj_search WHERE rowid BETWEEN ${lo} AND ${lo + SEQ_SPACE - 1}`.execute(db);
      await db.deleteFrom("proj_search_marks").where("dispute_id", "=", disputeId).execute();
      const { last } = await this.progress(db, disputeId);
      return (await this.indexAbove(db, disputeId, last)).indexed;
    };
    return this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run);
  }

  async matches(disputeId: number, query: SearchQuery, f: SearchFilters): Promise<SearchMatch[]> {
    const lo = base(disputeId);
    const hi = lo + Math.min(f.upTo, SEQ_SPACE - 1);
    const and: RawBuilder<unknown>[] = [];
    if (f.types.length > 0)
      and.push(sql`AND t.type IN (SELECT value FROM json_each(${JSON.stringify(f.types)}))`);
    if (f.from !== undefined) and.push(sql`AND t.occurred_at >= ${f.from}`);
    if (f.to !== undefined) and.push(sql`AND t.occurred_at <= ${f.to}`);
    // One pass over the matches, measuring each from its highlighted text as it goes. (Asking
    // FTS5 about a list of rowids instead re-runs the query per rowid: with a prefix, ~2 ms each.)
    const { rows } = await sql<Omit<SearchMatch, "hits"> & { marked: string }>`
      SELECT t.seq, t.type, t.org_id, t.side_id, t.occurred_at, t.visibility, t.subject, t.published_seq,
             proj_search.words, highlight(proj_search, 0, ${OPEN}, ${CLOSE}) AS marked
      FROM proj_search
      JOIN proj_timeline t ON t.dispute_id = ${disputeId} AND t.seq = proj_search.rowid - ${lo}
      WHERE proj_search MATCH ${fts5Match(query)} AND proj_search.rowid BETWEEN ${lo} AND ${hi}
      ${sql.join(and, sql` `)}`.execute(this.db);
    return rows.map(({ marked, ...facts }) => ({ ...facts, hits: count(marked, OPEN) }));
  }

  async snippets(disputeId: number, query: SearchQuery, seqs: number[]): Promise<Map<number, Snippet>> {
    const out = new Map<number, Snippet>();
    if (seqs.length === 0) return out;
    const lo = base(disputeId);
    // One JSON parameter, however many entries: no statement outgrows SQLite's parameter limit.
    const rowids = JSON.stringify(seqs.map((s) => lo + s));
    const { rows } = await sql<{ rowid: number; marked: string }>`
      SELECT rowid, snippet(proj_search, 0, ${OPEN}, ${CLOSE}, '…', ${SNIPPET_WORDS}) AS marked
      FROM proj_search
      WHERE proj_search MATCH ${fts5Match(query)} AND rowid IN (SELECT value FROM json_each(${rowids}))`.execute(
      this.db,
    );
    for (const r of rows) out.set(r.rowid - lo, markedToSnippet(r.marked, OPEN, CLOSE));
    return out;
  }

  protected async indexChunk(db: Kysely<Database>, disputeId: number) {
    const lo = base(disputeId);
    const { mark } = await this.progress(db, disputeId);
    const entries = await db
      .selectFrom("ledger_entries")
      .select(["seq", "type", "body"])
      .where("dispute_id", "=", disputeId)
      .where("seq", ">", mark)
      .orderBy("seq")
      .limit(CHUNK)
      .execute();
    if (entries.length === 0) return { mark, indexed: 0, entries: 0 };
    const rows: RawBuilder<unknown>[] = [];
    for (const e of entries) {
      const text = searchText(e.type, (JSON.parse(e.body) as { payload?: unknown }).payload);
      if (text !== "") rows.push(sql`(${lo + e.seq}, ${text}, ${text.match(WORDS)?.length ?? 0})`);
    }
    for (let i = 0; i < rows.length; i += INSERT_ROWS) {
      const values = sql.join(rows.slice(i, i + INSERT_ROWS));
      await sql`INSERT INTO proj_search (rowid, text, words) VALUES ${values}`.execute(db);
    }
    const next = entries[entries.length - 1]!.seq;
    await db
      .insertInto("proj_search_marks")
      .values({ dispute_id: disputeId, seq: next })
      .onConflict((oc) => oc.column("dispute_id").doUpdateSet({ seq: next }))
      .execute();
    return { mark: next, indexed: rows.length, entries: entries.length };
  }
}
