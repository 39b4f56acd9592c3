import type { Snippet } from "./search-index.ts";

/**
 * Turns text with matches between `open` and `close` (characters the indexed text cannot hold:
 * see stripPrivateUse) into the text and the ranges of its matches.
 */
export function markedToSnippet(marked: string, open: string, close: string): Snippet {
  let text = "";
  const highlights: [number, number][] = [];
  let start: number | null = null;
  for (const c of marked) {
    if (c === open) {
      start ??= text.length;
    } else if (c === close) {
      if (start !== null && text.length > start) highlights.push([start, text.length]);
      start = null;
    } else {
      text += c;
    }
  }
  if (start !== null && text.length > start) highlights.push([start, text.length]);
  return { text, highlights };
}
