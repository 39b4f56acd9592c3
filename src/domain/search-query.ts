import { fail } from "./errors.ts";
import { stripPrivateUse } from "./search-text.ts";

/**
 * A search as people type it, parsed into what every index understands: phrases that must
 * all occur. `wage floor` is two one-word phrases, `"wage floor"` one of two words in a row,
 * `negot*` a prefix (on the last word of its phrase). Everything else is plain text: quotes
 * are the only syntax, so no query language (FTS5's AND/OR/NEAR, column filters, brackets)
 * is ever reachable from user input; each index quotes the phrases in its own syntax.
 */
export interface SearchPhrase {
  /** The words, as typed; punctuation inside them is left to the index's tokenizer. */
  text: string;
  /** Whether the last word is a prefix (`negot*`). */
  prefix: boolean;
}

export interface SearchQuery {
  phrases: SearchPhrase[];
}

export const MAX_QUERY_LENGTH = 500;
export const MAX_PHRASES = 12;
/** A shorter prefix (`a*`) would walk most of the vocabulary for a result no one can use. */
export const MIN_PREFIX_LENGTH = 2;

const WORD = /[\p{L}\p{N}]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function parseSearchQuery(input: string): SearchQuery {
  if (input.length > MAX_QUERY_LENGTH) fail("VALIDATION_FAILED", `q: at most ${MAX_QUERY_LENGTH} characters`);
  const text = stripPrivateUse(input.toWellFormed()).replace(CONTROL, " ");
  const phrases: SearchPhrase[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/u.test(c)) {
      i += 1;
      continue;
    }
    let raw: string;
    let prefix = false;
    if (c === '"') {
      // A phrase runs to the next quote; an unclosed one, to the end of the query.
      const close = text.indexOf('"', i + 1);
      const end = close < 0 ? text.length : close;
      raw = text.slice(i + 1, end);
      i = end + 1;
      if (close >= 0 && text[i] === "*") {
        prefix = true;
        while (text[i] === "*") i += 1;
      }
    } else {
      let end = i;
      while (end < text.length && text[end] !== '"' && !/\s/u.test(text[end]!)) end += 1;
      raw = text.slice(i, end);
      i = end;
      const bare = raw.replace(/\*+$/, "");
      prefix = bare.length < raw.length;
      raw = bare;
    }
    const words = raw.trim().replace(/\s+/gu, " ");
    // A phrase of punctuation alone has no word to find: it is dropped, as a tokenizer would.
    if (!WORD.test(words)) continue;
    if (prefix && lastWordLength(words) < MIN_PREFIX_LENGTH) {
      fail("VALIDATION_FAILED", `q: a prefix needs at least ${MIN_PREFIX_LENGTH} letters before the *`);
    }
    phrases.push({ text: words, prefix });
  }
  if (phrases.length === 0) fail("VALIDATION_FAILED", "q: give at least one word to search for");
  if (phrases.length > MAX_PHRASES) fail("VALIDATION_FAILED", `q: at most ${MAX_PHRASES} words or phrases`);
  return { phrases };
}

/** Letters and digits in the last run of them: what a prefix actually matches on. */
function lastWordLength(words: string): number {
  const runs = words.match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...(runs[runs.length - 1] ?? "")].length;
}
