import { formatDecimal } from "./figures.ts";

/** A structured term of a pass on one issue, as the signed payload carries it. */
export interface Term {
  key: string;
  value: string;
  unit: string;
  note?: string | undefined;
}

/** One pass that states figures on the issue: a column of the table. */
export interface TermsPass {
  seq: number;
  terms: Term[];
}

export interface TermsTable<P extends TermsPass> {
  /** One row per term key, in the order the keys first appear, pass by pass. */
  keys: string[];
  /** One column per pass that states at least one figure, oldest first. */
  columns: P[];
  /** The value of a key in a pass, if that pass states it. */
  cell(pass: P, key: string): Term | undefined;
  /** Whether a pass's value for a key differs from the latest earlier pass that stated that key. */
  changed(pass: P, key: string): boolean;
}

/**
 * The structured terms of an issue side by side across passes, so a reader sees how a figure
 * (a wage increase, a staffing minimum) moved from pass to pass. Pure: passes in, table out.
 */
export function termsTable<P extends TermsPass>(passes: P[]): TermsTable<P> {
  const columns = passes.filter((p) => p.terms.length > 0);
  const keys: string[] = [];
  const byPass = new Map<number, Map<string, Term>>();
  for (const p of columns) {
    const cells = new Map<string, Term>();
    for (const t of p.terms) {
      if (!keys.includes(t.key)) keys.push(t.key);
      if (!cells.has(t.key)) cells.set(t.key, t);
    }
    byPass.set(p.seq, cells);
  }
  const cell = (pass: P, key: string) => byPass.get(pass.seq)?.get(key);
  return {
    keys,
    columns,
    cell,
    changed(pass, key) {
      const now = cell(pass, key);
      if (!now) return false;
      const at = columns.indexOf(pass);
      for (let i = at - 1; i >= 0; i--) {
        const before = cell(columns[i]!, key);
        if (before) return before.value !== now.value || before.unit !== now.unit;
      }
      return false;
    },
  };
}

/** "5%", "20% of domestic subscribers", "16,415 USD", "10 consecutive weeks". */
export function formatTerm(value: string, unit: string): string {
  const figure = formatDecimal(value);
  if (unit === "") return figure;
  return unit.startsWith("%") ? `${figure}${unit}` : `${figure} ${unit}`;
}

/** A term key as a row label: "increase-year-1" → "Increase year 1". */
export function termLabel(key: string): string {
  const words = key.replace(/-/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
