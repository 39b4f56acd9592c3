import type { Kysely } from "kysely";
import { z } from "zod";
import { fail } from "../domain/errors.ts";
import { ENTRY_TYPES, type EntryType } from "../domain/events.ts";
import { MAX_QUERY_LENGTH, parseSearchQuery } from "../domain/search-query.ts";
import { Instant } from "../domain/values.ts";
import type { Database } from "../store/schema.ts";
import { type SearchMatch, type Snippet, searchIndexFor } from "../store/search-index.ts";
import { opaqueCursor } from "./cursor.ts";
import { readableNow } from "./timeline-query.ts";
import type { Viewer } from "./visibility.ts";

/**
 * Full-text search over a dispute's entries, as one viewer may read them.
 *
 * The one visibility rule (readableNow) runs over every match before anything is counted,
 * ranked, paged or cut into snippets: an entry the viewer may not read is not found, not in
 * `total`, and never sent to the snippet function. Ranking uses no statistic of the index as a
 * whole (FTS5's bm25() would weigh words by how many entries hold them, readable or not, so the
 * order of results could betray hidden text): see `rank`.
 *
 * An entry corrected or retracted since stays findable under its own words, as the ledger keeps
 * it; the correction (entry.corrected) is found under its reason and new text.
 */
export const SearchParams = z
  .object({
    q: z
      .string()
      .max(MAX_QUERY_LENGTH)
      .describe('words that must all occur; "a phrase" in quotes; negot* for a prefix'),
    type: z
      .union([z.enum(ENTRY_TYPES), z.array(z.enum(ENTRY_TYPES)).max(ENTRY_TYPES.length)])
      .optional()
      .describe("one entry type, or several (repeat the parameter)"),
    from: Instant.optional().describe("occurred at or after this instant"),
    to: Instant.optional().describe("occurred at or before this instant"),
    after: z.string().max(200).optional().describe("the `next` cursor of the previous page"),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export interface SearchItem {
  seq: number;
  type: string;
  org: string;
  side: string | null;
  occurredAt: string;
  visibility: string;
  subject: string | null;
  snippet: Snippet;
}

export interface SearchPage {
  items: SearchItem[];
  /** Matches the viewer may read, on every page together. */
  total: number;
  next: string | null;
}

/**
 * A page's cursor: how far into the viewer's own ranked matches it starts, and the last seq
 * the first page saw, so later pages rank the same set even while entries are appended. It
 * counts readable matches only, so no cursor can step onto or over a hidden entry.
 */
const cursor = opaqueCursor(
  z.object({
    u: z.number().int().min(-1),
    o: z.number().int().min(0).max(1_000_000),
  }),
);

export async function searchDispute(
  db: Kysely<Database>,
  disputeId: number,
  viewer: Viewer,
  viewerSide: string | null,
  params: {
    q: string;
    type?: EntryType | EntryType[] | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
    after?: string | undefined;
  },
): Promise<SearchPage> {
  const query = parseSearchQuery(params.q);
  const after = params.after === undefined ? null : cursor.decode(params.after);
  if (params.after !== undefined && !after)
    fail("VALIDATION_FAILED", "after: not a cursor this search gave out");
  const index = searchIndexFor(db);
  const mark = await index.catchUp(disputeId);
  const upTo = after ? Math.min(after.u, mark) : mark;
  const types = params.type === undefined ? [] : Array.isArray(params.type) ? params.type : [params.type];
  const matches = await index.matches(disputeId, query, { types, from: params.from, to: params.to, upTo });
  const ranked = rank(matches.filter((m) => readableNow(m, viewer, viewerSide)));
  const offset = after?.o ?? 0;
  const page = ranked.slice(offset, offset + params.limit);
  const snippets = await index.snippets(
    disputeId,
    query,
    page.map((m) => m.seq),
  );
  return {
    items: page.map((m) => ({
      seq: m.seq,
      type: m.type,
      org: m.org_id,
      side: m.side_id,
      occurredAt: m.occurred_at,
      visibility: m.visibility,
      subject: m.subject,
      snippet: snippets.get(m.seq) ?? { text: "", highlights: [] },
    })),
    total: ranked.length,
    next: offset + params.limit < ranked.length ? cursor.encode({ u: upTo, o: offset + params.limit }) : null,
  };
}

const K1 = 1.2;
const B = 0.75;

/**
 * Orders matches best first, then by seq. The score has BM25's shape (more occurrences count,
 * with diminishing returns; in longer texts, less), and every statistic it uses comes from
 * the matches given, which are the viewer's own: the average length is theirs, and the term
 * weights (BM25's IDF) are left out, as every match holds every phrase of the query anyway.
 */
export function rank<T extends Pick<SearchMatch, "seq" | "hits" | "words">>(matches: T[]): T[] {
  const average = Math.max(1, matches.reduce((sum, m) => sum + m.words, 0) / Math.max(1, matches.length));
  const scored = matches.map((m) => ({
    m,
    score: (m.hits * (K1 + 1)) / (m.hits + K1 * (1 - B + (B * m.words) / average)),
  }));
  scored.sort((a, b) => b.score - a.score || a.m.seq - b.m.seq);
  return scored.map((x) => x.m);
}
