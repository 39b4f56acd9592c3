import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParleyError } from "../../src/domain/errors.ts";
import { MAX_PHRASES, parseSearchQuery, type SearchQuery } from "../../src/domain/search-query.ts";
import { type OpenedStore, openStore } from "../../src/store/db.ts";
import { searchIndexFor } from "../../src/store/search-index.ts";
import { fts5Match } from "../../src/store/search-index-sqlite.ts";

const phrases = (q: string) => parseSearchQuery(q).phrases;

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof ParleyError) return err.code;
    throw err;
  }
  return "no error";
}

describe("parsing a search", () => {
  it("reads words, quoted phrases and trailing-star prefixes", () => {
    expect(phrases("  wage   floor ")).toEqual([
      { text: "wage", prefix: false },
      { text: "floor", prefix: false },
    ]);
    expect(phrases('"wage  floor" negot*')).toEqual([
      { text: "wage floor", prefix: false },
      { text: "negot", prefix: true },
    ]);
    expect(phrases('"artificial intell"*')).toEqual([{ text: "artificial intell", prefix: true }]);
    // An unclosed quote runs to the end; a quote in a word starts a phrase.
    expect(phrases('say"hold firm')).toEqual([
      { text: "say", prefix: false },
      { text: "hold firm", prefix: false },
    ]);
  });

  it("keeps operators and brackets as plain words, and drops what has no word", () => {
    expect(phrases("AND( a OR b ) NEAR/2 text:x ^start -not")).toEqual(
      ["AND(", "a", "OR", "b", "NEAR/2", "text:x", "^start", "-not"].map((text) => ({ text, prefix: false })),
    );
  });

  it("refuses a search with nothing to find, a one-letter prefix, too many phrases, or too long", () => {
    for (const q of [
      "",
      "   ",
      '""',
      '" "',
      "((( ))) *",
      "\uE000\uE001",
      "a*",
      `${"w ".repeat(MAX_PHRASES + 1)}`,
      "x".repeat(501),
    ]) {
      expect({ q, code: codeOf(() => parseSearchQuery(q)) }).toEqual({ q, code: "VALIDATION_FAILED" });
    }
    expect(phrases("ab*")).toEqual([{ text: "ab", prefix: true }]);
  });

  it("quotes every phrase for FTS5, doubling any quote inside", () => {
    expect(fts5Match(parseSearchQuery('wage "hold firm" negot*'))).toBe('"wage" "hold firm" "negot" *');
    const made: SearchQuery = { phrases: [{ text: 'a"b', prefix: false }] };
    expect(fts5Match(made)).toBe('"a""b"');
  });
});

describe("any string as a search", () => {
  let store: OpenedStore;
  beforeAll(async () => {
    store = await openStore(":memory:");
    // One indexed text, so snippets run on a real row (dispute 1, seq 0).
    await sql`INSERT INTO proj_search (rowid, text, words) VALUES (${2 ** 32}, 'AND or NEAR "quotes" négociation * (x)', 6)`.execute(
      store.db,
    );
  });
  afterAll(async () => store.close());

  /** Strings heavy in FTS5's syntax, next to arbitrary Unicode (lone surrogates included). */
  const syntax = fc.string({
    unit: fc.constantFrom(
      '"',
      "*",
      "(",
      ")",
      ":",
      "^",
      "+",
      "-",
      "{",
      "}",
      " ",
      "AND",
      "OR",
      "NOT",
      "NEAR",
      "a",
      "é",
      "\uE000",
      "\u0000",
      "\uD800",
      "ab",
    ),
    maxLength: 40,
  });
  const anything = fc.oneof(
    syntax,
    fc.string({ unit: "binary", maxLength: 600 }),
    fc.string({ maxLength: 80 }),
  );

  it("parses or fails with VALIDATION_FAILED, never anything else", () => {
    fc.assert(
      fc.property(anything, (q) => {
        let parsed: SearchQuery;
        try {
          parsed = parseSearchQuery(q);
        } catch (err) {
          return err instanceof ParleyError && err.code === "VALIDATION_FAILED";
        }
        return (
          parsed.phrases.length > 0 &&
          parsed.phrases.length <= MAX_PHRASES &&
          parsed.phrases.every((p) => !p.text.includes('"') && /[\p{L}\p{N}]/u.test(p.text))
        );
      }),
      { numRuns: 2000 },
    );
  });

  it("never makes FTS5 fail: whatever parses runs as a match and a snippet", async () => {
    const index = searchIndexFor(store.db);
    await fc.assert(
      fc.asyncProperty(anything, async (q) => {
        let parsed: SearchQuery;
        try {
          parsed = parseSearchQuery(q);
        } catch (err) {
          if (err instanceof ParleyError) return;
          throw err;
        }
        await index.matches(1, parsed, { types: [], upTo: 10 });
        await index.snippets(1, parsed, [0]);
      }),
      { numRuns: 400 },
    );
  });
});
