import { type Kysely, type RawBuilder, sql } from "kysely";
import type { SearchQuery } from "../domain/search-query.ts";
import { searchText } from "../domain/search-text.ts";
import { markedToSnippet } from "./marked-snippet.ts";
import type { Database } from "./schema.ts";
import type { SearchFilters, SearchMatch, Snippet } from "./search-index.ts";
import { ChunkedSearchIndex } from "./search-index-chunks.ts";

/**
 * The search index on PostgreSQL: proj_search (migration 0012_search_postgres) holds one row
 * per entry with any text: the text as written (for snippets), its length in words (for
 * ranking) and a tsvector with a GIN index; proj_search_marks holds, per dispute, the last seq
 * indexed, as on SQLite.
 *
 * The tsvector comes from the text folded here in JavaScript (lower case, accents removed, see
 * `fold`), not in SQL: PostgreSQL's unaccent is an extension a user's database may not have or
 * allow, and in a database with the C locale lower() leaves every letter beyond ASCII as it is.
 * The configuration parley_search is English with Snowball stemming and no stop words (FTS5's
 * porter drops none either, so "we" or "no strike" find what they find there).
 *
 * Positions: as folded, a text's words are exactly the tokens PostgreSQL's parser finds, each
 * one lexeme (no stop words), so a lexeme's position in the tsvector is its word's number in
 * the text. Hits and highlights are phrase occurrences counted and located from those positions.
 *
 * A query is never handed to to_tsquery as text. Each phrase, folded, goes to to_tsvector,
 * which cuts and stems it into lexemes at positions; the tsquery is then written here from
 * those lexemes, each quoted (quotes and backslashes doubled), joined with <N> by their
 * distances, the last one `:*` for a prefix, phrases joined with &. Nothing a user types can
 * become an operator.
 */

/** Entries indexed per transaction, as on SQLite: a catch-up never holds locks for long. */
const CHUNK = 1000;
/** Rows per INSERT statement (one array parameter per column). */
const INSERT_ROWS = 250;
/** Match markers: private-use characters, which searchText strips from every indexed text. */
const OPEN = "\uE000";
const CLOSE = "\uE001";
/** The text search configuration (migration 0012_search_postgres). */
const CONFIG = sql`'parley_search'::regconfig`;
/**
 * ts_headline's options: one passage of 15 to 20 words from the start of its best match, as
 * FTS5's snippet gives 20 tokens; ShortWord=0 keeps short words at its edges. (Not fragment
 * mode, MaxFragments: on PostgreSQL 15 it drops a number that ends the text, "MARKER-4410".)
 */
const HEADLINE = `StartSel="${OPEN}", StopSel="${CLOSE}", MaxWords=20, MinWords=15, ShortWord=0`;
/** Words of context in a snippet, as on SQLite. */
const SNIPPET_WORDS = 20;
/** Words as FTS5's unicode61 cuts them, near enough, as on SQLite: runs of letters and digits. */
const WORDS = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}/gu;
const HAS_MARK = /\p{M}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const ELLIPSIS = "…";
/** What a tsvector keeps: positions up to 16,383, 256 of them per lexeme; words up to 2047 bytes. */
const MAX_POSITION = 16_383;
const MAX_POSITIONS = 256;
const MAX_WORD_BYTES = 2047;

/**
 * The text as the index reads it: lower case, diacritics removed (é → e; a combining accent
 * dropped), and every character that is neither a letter nor a digit made a space. Words are
 * then runs of letters and digits, as FTS5's unicode61 cuts them, whatever PostgreSQL's parser
 * would have made of the punctuation: "example.com/path" holds "path", "it's" and "foo-bar"
 * are two words each, nothing is taken for an HTML tag (which ts_headline would drop from a
 * snippet), and no space beyond ASCII glues two words (in the C locale every non-ASCII
 * character is a letter to that parser).
 *
 * Each character is folded on its own, and `origin` gives, for every UTF-16 position of the
 * folded text (and its end), the position in the original it came from: a passage cut from
 * the folded text is shown in the original's own letters.
 */
export function fold(text: string): { folded: string; origin: number[] } {
  let folded = "";
  const origin: number[] = [];
  let at = 0;
  for (const c of text) {
    const f = foldChar(c);
    for (let k = 0; k < f.length; k++) origin.push(at);
    folded += f;
    at += c.length;
  }
  origin.push(at);
  return { folded, origin };
}

function foldChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x80) {
    if (code >= 0x61 && code <= 0x7a) return c;
    if (code >= 0x41 && code <= 0x5a) return String.fromCharCode(code + 0x20);
    return code >= 0x30 && code <= 0x39 ? c : " ";
  }
  if (HAS_MARK.test(c)) return "";
  if (!LETTER_OR_DIGIT.test(c)) return " ";
  const lower = c.toLowerCase();
  const decomposed = lower.normalize("NFD");
  // Only a letter with a diacritic loses anything (a Hangul syllable, which decomposes into
  // jamo, stays as it is).
  return HAS_MARK.test(decomposed) ? decomposed.replace(MARKS, "") : lower;
}

/** One position of a phrase: the lexemes PostgreSQL made of the word there. */
interface Slot {
  offset: number;
  lexemes: string[];
  prefix: boolean;
}

/** A query as PostgreSQL lexemes: the tsquery text, and each phrase's slots (to count hits). */
export interface LexemeQuery {
  tsquery: string;
  phrases: Slot[][];
  exact: string[];
  prefixes: string[];
}

/** A lexeme as tsquery input: in single quotes, a quote doubled, a backslash escaped. */
export function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/**
 * Writes the tsquery of phrases given as lexemes at positions: each phrase its lexemes in
 * order, `<N>` apart as they were in the phrase; phrases joined with `&`. Null when a phrase
 * has no lexeme at all: all phrases must match, and that one matches nothing.
 */
export function buildTsquery(phrases: Slot[][]): string | null {
  const parts: string[] = [];
  for (const slots of phrases) {
    if (slots.length === 0) return null;
    let q = "";
    let prev = 0;
    for (const [i, s] of slots.entries()) {
      const one = s.lexemes.map((l) => `${quoteLexeme(l)}${s.prefix ? ":*" : ""}`);
      const term = one.length === 1 ? one[0]! : `(${one.join(" | ")})`;
      q = i === 0 ? term : `(${q} <${s.offset - prev}> ${term})`;
      prev = s.offset;
    }
    parts.push(q);
  }
  return parts.join(" & ");
}

/**
 * Where the phrases occur in one entry, from the positions of their lexemes in its tsvector
 * (`found`: lexeme and positions, for the query's lexemes only): each occurrence as the
 * numbers of its first and last words.
 */
export function occurrences(phrases: Slot[][], found: [string, number[]][]): [number, number][] {
  const out: [number, number][] = [];
  for (const slots of phrases) {
    const at = slots.map((s) => {
      const set = new Set<number>();
      for (const [lexeme, positions] of found) {
        if (s.lexemes.some((l) => (s.prefix ? lexeme.startsWith(l) : lexeme === l))) {
          for (const p of positions) set.add(p);
        }
      }
      return set;
    });
    const first = slots[0]!.offset;
    const length = slots[slots.length - 1]!.offset - first;
    for (const p of at[0]!) {
      if (slots.every((s, i) => at[i]!.has(p + s.offset - first))) out.push([p, p + length]);
    }
  }
  return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/**
 * The positions of the query's lexemes in an entry's tsvector, as JSON [[lexeme, [positions]]]:
 * a handful of numbers, not its text.
 */
function foundIn(q: LexemeQuery) {
  const prefixes = q.prefixes.map((p) => sql`OR starts_with(v.lexeme, ${p})`);
  return sql<[string, number[]][]>`(
    SELECT coalesce(json_agg(json_build_array(v.lexeme, v.positions)), '[]'::json)
    FROM unnest(s.tsv) AS v
    WHERE v.lexeme = ANY(${q.exact}::text[]) ${sql.join(prefixes, sql` `)})`;
}

export class PostgresSearchIndex extends ChunkedSearchIndex {
  /** The last query's lexemes: a search asks for matches, then for snippets of the same. */
  private lastQuery: { key: string; lexemes: LexemeQuery | null } | null = null;

  async rebuild(disputeId: number): Promise<number> {
    const run = async (db: Kysely<Database>) => {
      await this.lockMark(db, disputeId);
      await sql`DELETE FROM proj_search WHERE dispute_id = ${disputeId}`.execute(db);
      await sql`UPDATE proj_search_marks SET seq = -1 WHERE dispute_id = ${disputeId}`.execute(db);
      const { last } = await this.progress(db, disputeId);
      return (await this.indexAbove(db, disputeId, last)).indexed;
    };
    return this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run);
  }

  async matches(disputeId: number, query: SearchQuery, f: SearchFilters): Promise<SearchMatch[]> {
    const q = await this.lexemes(query);
    if (q === null) return [];
    const and: RawBuilder<unknown>[] = [];
    if (f.types.length > 0) and.push(sql`AND t.type = ANY(${f.types}::text[])`);
    if (f.from !== undefined) and.push(sql`AND t.occurred_at >= ${f.from}`);
    if (f.to !== undefined) and.push(sql`AND t.occurred_at <= ${f.to}`);
    // The index first, the timeline facts for what it found after (MATERIALIZED: left to
    // itself, a planner without fresh statistics walks the whole timeline and tries each entry).
    const { rows } = await sql<Omit<SearchMatch, "hits"> & { found: [string, number[]][] }>`
      WITH m AS MATERIALIZED (
        SELECT s.seq, s.words, ${foundIn(q)} AS found
        FROM proj_search s
        WHERE s.dispute_id = ${disputeId} AND s.seq <= ${f.upTo} AND s.tsv @@ ${q.tsquery}::tsquery
      )
      SELECT t.seq, t.type, t.org_id, t.side_id, t.occurred_at, t.visibility, t.subject, t.published_seq,
             m.words, m.found
      FROM m JOIN proj_timeline t ON t.dispute_id = ${disputeId} AND t.seq = m.seq
      ${sql.join(and, sql` `)}`.execute(this.db);
    return rows.map(({ found, ...facts }) => ({ ...facts, hits: occurrences(q.phrases, found).length }));
  }

  async snippets(disputeId: number, query: SearchQuery, seqs: number[]): Promise<Map<number, Snippet>> {
    const out = new Map<number, Snippet>();
    if (seqs.length === 0) return out;
    const q = await this.lexemes(query);
    if (q === null) return out;
    const { rows } = await sql<{ seq: number; text: string; words: number; found: [string, number[]][] }>`
      SELECT s.seq, s.text, s.words, ${foundIn(q)} AS found FROM proj_search s
      WHERE s.dispute_id = ${disputeId} AND s.seq = ANY(${seqs}::int[]) AND s.tsv @@ ${q.tsquery}::tsquery`.execute(
      this.db,
    );
    if (rows.length === 0) return out;
    // ts_headline chooses the passage, over the folded text (the one the query's lexemes come
    // from); it is then cut from the original text, with its own case and accents, and its
    // matches marked where the phrases occur (see passage).
    const folds = rows.map((r) => fold(r.text));
    const { rows: marked } = await sql<{ i: number; marked: string }>`
      SELECT u.i::int AS i, ts_headline(${CONFIG}, u.t, ${q.tsquery}::tsquery, ${HEADLINE}) AS marked
      FROM unnest(${folds.map((x) => x.folded)}::text[]) WITH ORDINALITY AS u(t, i)`.execute(this.db);
    for (const m of marked) {
      const row = rows[m.i - 1]!;
      // A tsvector keeps no position past 16,383 and at most 256 per lexeme: beyond those, the
      // occurrences it gives are not to be trusted, and ts_headline's own marks stand.
      const exact = row.words < MAX_POSITION && row.found.every(([, p]) => p.length < MAX_POSITIONS);
      out.set(
        row.seq,
        passage(row.text, folds[m.i - 1]!, m.marked, exact ? occurrences(q.phrases, row.found) : null),
      );
    }
    return out;
  }

  /**
   * The query's phrases as lexemes at positions, from to_tsvector over each phrase folded as
   * the indexed text is; cached for the next call with the same query.
   */
  private async lexemes(query: SearchQuery): Promise<LexemeQuery | null> {
    const key = JSON.stringify(query.phrases);
    if (this.lastQuery?.key === key) return this.lastQuery.lexemes;
    const texts = query.phrases.map((p) => fold(p.text).folded);
    const { rows } = await sql<{ i: number; lexeme: string; positions: number[] }>`
      SELECT u.i::int AS i, v.lexeme, v.positions
      FROM unnest(${texts}::text[]) WITH ORDINALITY AS u(t, i), unnest(to_tsvector(${CONFIG}, u.t)) AS v`.execute(
      this.db,
    );
    const phrases: Slot[][] = query.phrases.map((p, i) => {
      const byOffset = new Map<number, string[]>();
      for (const r of rows) {
        if (r.i !== i + 1) continue;
        for (const at of r.positions) byOffset.set(at, [...(byOffset.get(at) ?? []), r.lexeme]);
      }
      const offsets = [...byOffset.keys()].sort((a, b) => a - b);
      return offsets.map((offset, k) => ({
        offset,
        lexemes: byOffset.get(offset)!.sort(),
        // The prefix is the phrase's last word: the lexeme at its last position.
        prefix: p.prefix && k === offsets.length - 1,
      }));
    });
    const tsquery = buildTsquery(phrases);
    const slots = phrases.flat();
    const lexemes =
      tsquery === null
        ? null
        : {
            tsquery,
            phrases,
            exact: [...new Set(slots.filter((s) => !s.prefix).flatMap((s) => s.lexemes))],
            prefixes: [...new Set(slots.filter((s) => s.prefix).flatMap((s) => s.lexemes))],
          };
    this.lastQuery = { key, lexemes };
    return lexemes;
  }

  /**
   * Locks the dispute's mark row to the end of the transaction (making it first, at -1, if it
   * is missing) and returns the mark as it is once the lock is held. In READ COMMITTED a
   * waiting SELECT ... FOR UPDATE reads the row as the transaction it waited for left it.
   */
  private async lockMark(db: Kysely<Database>, disputeId: number): Promise<number> {
    await sql`INSERT INTO proj_search_marks (dispute_id, seq) VALUES (${disputeId}, -1)
              ON CONFLICT (dispute_id) DO NOTHING`.execute(db);
    const { rows } = await sql<{ seq: number }>`
      SELECT seq FROM proj_search_marks WHERE dispute_id = ${disputeId} FOR UPDATE`.execute(db);
    return rows[0]!.seq;
  }

  /**
   * Several processes may catch up at once: a chunk first locks the dispute's mark row, so a
   * second catch-up waits for the first chunk to commit, then reads the mark it left and
   * indexes what follows, if anything. (ON CONFLICT DO NOTHING on the rows too, so that even a
   * race this lock missed could not fail a search or index an entry twice.)
   */
  protected async indexChunk(db: Kysely<Database>, disputeId: number) {
    const mark = await this.lockMark(db, disputeId);
    const entries = await db
      .selectFrom("ledger_entries")
      .select(["seq", "type", "body"])
      .where("dispute_id", "=", disputeId)
      .where("seq", ">", mark)
      .orderBy("seq")
      .limit(CHUNK)
      .execute();
    if (entries.length === 0) return { mark, indexed: 0, entries: 0 };
    const rows: { seq: number; text: string; words: number; folded: string }[] = [];
    for (const e of entries) {
      // PostgreSQL's text holds no NUL (the schemas refuse control characters anyway).
      const text = searchText(e.type, (JSON.parse(e.body) as { payload?: unknown }).payload).replaceAll(
        "\0",
        " ",
      );
      if (text !== "")
        rows.push({ seq: e.seq, text, words: text.match(WORDS)?.length ?? 0, folded: fold(text).folded });
    }
    for (let i = 0; i < rows.length; i += INSERT_ROWS) {
      const batch = rows.slice(i, i + INSERT_ROWS);
      await sql`
        INSERT INTO proj_search (dispute_id, seq, text, words, tsv)
        SELECT ${disputeId}, u.seq, u.text, u.words, to_tsvector(${CONFIG}, u.folded)
        FROM unnest(${batch.map((r) => r.seq)}::int[], ${batch.map((r) => r.text)}::text[],
                    ${batch.map((r) => r.words)}::int[], ${batch.map((r) => r.folded)}::text[])
             AS u(seq, text, words, folded)
        ON CONFLICT (dispute_id, seq) DO NOTHING`.execute(db);
    }
    const next = entries[entries.length - 1]!.seq;
    await sql`UPDATE proj_search_marks SET seq = ${next} WHERE dispute_id = ${disputeId}`.execute(db);
    return { mark: next, indexed: rows.length, entries: entries.length };
  }
}

/**
 * The snippet of an entry. ts_headline's passage (over the folded text, its matches marked) is
 * found in the folded text and cut from the original at the same place. ts_headline starts it
 * at the first match; as FTS5 does, it is moved to have its matches in the middle of its
 * SNIPPET_WORDS words where the text allows, with an ellipsis at each end that leaves words
 * out. The highlights are the phrases' occurrences (`found`, by word numbers), one range each,
 * as FTS5 marks them: ts_headline marks every word of the query wherever it stands, also
 * outside a phrase. Without occurrences, or should they disagree with ts_headline's marks
 * (they never should), its marks are kept.
 */
export function passage(
  text: string,
  { folded, origin }: { folded: string; origin: number[] },
  marked: string,
  found: [number, number][] | null,
): Snippet {
  const cut = markedToSnippet(marked, OPEN, CLOSE);
  const a = folded.indexOf(cut.text);
  // Not found only if ts_headline gave something other than a stretch of the text it was
  // given (it drops HTML tags, which `fold` keeps from forming): its passage as it is, then.
  if (a < 0 || cut.text.trim() === "") return cut;
  const from = origin[a]!;
  const to = origin[a + cut.text.length]!;
  const marks = cut.highlights.map(([s, e]): [number, number] => [origin[a + s]!, origin[a + e]!]);
  // The folded text's words, numbered from 1 as PostgreSQL numbers positions (it skips a word
  // longer than 2047 bytes), each as its range in the original.
  const words: [number, number][] = [];
  for (const m of folded.matchAll(WORDS)) {
    if (Buffer.byteLength(m[0]) <= MAX_WORD_BYTES)
      words.push([origin[m.index]!, origin[m.index + m[0].length]!]);
  }
  let highlights = marks;
  if (found !== null) {
    const ranges = merge(
      found.flatMap(([p, q]) =>
        words[p - 1] && words[q - 1] ? [[words[p - 1]![0], words[q - 1]![1]]] : [],
      ) as [number, number][],
    );
    const starts = new Set(marks.map(([s]) => s));
    const agree = ranges.every(([s, e]) => s >= to || e <= from || starts.has(s));
    if (agree && ranges.some(([s, e]) => s < to && e > from)) highlights = ranges;
  }
  const before = words.filter(([s]) => s < from);
  const inside = words.filter(([s]) => s >= from && s < to);
  const shown = highlights.filter(([s, e]) => s < to && e > from);
  const firstMatch = Math.min(to, ...shown.map(([s]) => s));
  const lastMatch = Math.max(from, ...shown.map(([, e]) => e));
  const spanned = inside.filter(([s]) => s < lastMatch).length;
  const lead = Math.min(before.length, Math.max(0, Math.floor((SNIPPET_WORDS - spanned) / 2)));
  const keep = Math.max(SNIPPET_WORDS - lead, spanned);
  let start = Math.min(firstMatch, lead > 0 ? before[before.length - lead]![0] : (inside[0]?.[0] ?? from));
  let end = Math.max(lastMatch, inside[Math.min(keep, inside.length) - 1]?.[1] ?? to);
  // Up to the text's edge when no word is left beyond (a closing full stop, say).
  if (words[0] === undefined || words[0][0] >= start) start = 0;
  if (words[words.length - 1] === undefined || words[words.length - 1]![1] <= end) end = text.length;
  const head = start > 0 ? ELLIPSIS : "";
  const tail = end < text.length ? ELLIPSIS : "";
  const shift = head.length - start;
  return {
    text: `${head}${text.slice(start, end)}${tail}`,
    highlights: highlights
      .filter(([s, e]) => s >= start && e <= end)
      .map(([s, e]): [number, number] => [s + shift, e + shift]),
  };
}

/** Ranges in order, overlapping ones made one (FTS5 marks overlapping occurrences as one). */
function merge(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const r of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && r[0] < last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
