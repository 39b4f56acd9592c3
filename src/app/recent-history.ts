import type { AnyEntry } from "../domain/entry.ts";
import type { DisputeState } from "../domain/state.ts";
import { BASE_SCOPE, parseSnapshot, snapshotTexts } from "./snapshot-text.ts";
import { applyResolved } from "./views.ts";
import type { Authored, Viewer } from "./visibility.ts";

/** Where an entry sits in every fold: by occurrence, ties broken by sequence number. */
export interface Position {
  occurredAt: string;
  seq: number;
}

function isBefore(a: Position, b: Position): boolean {
  return a.occurredAt < b.occurredAt || (a.occurredAt === b.occurredAt && a.seq < b.seq);
}

/** An appended entry with what folding it for any viewer needs, so no refold reads the store. */
export interface RecentEntry {
  entry: AnyEntry;
  authored: Authored;
  /** For an `entry.published`: the entry it makes public, resolved when it was appended. */
  published: { authored: Authored; entry: AnyEntry } | undefined;
}

/**
 * The states of the hot scopes (by scope name) once everything up to `at` was folded, as the
 * snapshots' texts (snapshot-text.ts: some inherit from the base scope's, which is then among
 * them). The beginning of a ledger is a mark too: there every scope's state is `any`, the empty one.
 */
export interface Mark {
  at: Position;
  states: Map<string, string>;
  any?: string;
}

/** Before every entry. */
export const BEGINNING: Position = { occurredAt: "", seq: -1 };

/** Entries appended in occurrence order between two marks. */
const MARK_EVERY = 128;
/** Marks kept: a back-fill reaching up to (MARKS_KEPT - 1) × MARK_EVERY entries back is refolded here. */
const MARKS_KEPT = 4;

/**
 * The last few hundred entries of a dispute in occurrence order, with the hot scopes' states
 * saved (as text) at a few points among them. An entry that occurred before entries already
 * recorded (a back-fill, or two requests racing by a millisecond) changes every state after
 * its place; without this, each scope would be refolded from a stored snapshot up to a
 * thousand entries back. With it, a scope is rebuilt from the newest mark before that place
 * plus the entries since, all in memory. Nothing here touches the store.
 *
 * Invariant: `entries` holds, in fold order, every entry of the ledger placed after the
 * oldest mark; each mark's states are the folds of everything up to its position. The writer
 * starts it from the store (`reset`: the newest stored snapshot and the entries since).
 */
export class RecentHistory {
  private entries: RecentEntry[] = [];
  private marks: Mark[] = [];
  /** Entries added since the newest mark. */
  private sinceMark = 0;

  constructor(
    private readonly every = MARK_EVERY,
    private readonly kept = MARKS_KEPT,
  ) {}

  /** Starts again from a mark and every entry placed after it, in fold order. */
  reset(base: Mark, entries: RecentEntry[]): void {
    this.marks = [base];
    this.entries = entries;
    this.sinceMark = entries.length;
  }

  /** Whether an entry placed at `at` falls where the marks can rebuild every state. */
  covers(at: Position): boolean {
    const oldest = this.marks[0];
    return oldest !== undefined && isBefore(oldest.at, at);
  }

  /**
   * Records an appended entry in its place; one placed before others invalidates the marks
   * after it. Returns false, keeping nothing, when no mark precedes it: the caller must then
   * `reset` from the store.
   */
  add(recent: RecentEntry): boolean {
    const at = positionOf(recent.entry);
    if (!this.covers(at)) {
      this.clear();
      return false;
    }
    const last = this.entries[this.entries.length - 1];
    if (!last || isBefore(positionOf(last.entry), at)) {
      // The common case: after everything so far, so after every mark too.
      this.entries.push(recent);
      this.sinceMark += 1;
      return true;
    }
    this.entries.splice(this.indexAfter(at), 0, recent);
    // Marks after its place were folded without it: they are untrue now.
    while (isBefore(at, this.marks[this.marks.length - 1]!.at)) this.marks.pop();
    this.sinceMark = this.entries.length - this.indexAfter(this.marks[this.marks.length - 1]!.at);
    return true;
  }

  /**
   * Saves the states of the whole ledger as a mark at its last entry, when enough entries
   * were added since the newest mark. `states` must be current: only the hot ones.
   */
  markIfDue(states: () => Map<string, DisputeState>): void {
    if (this.sinceMark < this.every) return;
    this.markWith(() => snapshotTexts(states()));
  }

  /**
   * Saves a mark at the last entry with the texts of the hot states there, as snapshotTexts
   * writes them. The writer passes those of the snapshots it takes at a snapshot point: a
   * mark there costs nothing more.
   */
  markWith(texts: () => Map<string, string>): void {
    const last = this.entries[this.entries.length - 1];
    if (this.marks.length === 0 || !last) return;
    this.marks.push({ at: positionOf(last.entry), states: texts() });
    this.sinceMark = 0;
    if (this.marks.length > this.kept) this.marks.shift();
    const oldest = this.marks[0]!.at;
    let drop = 0;
    while (drop < this.entries.length && !isBefore(oldest, positionOf(this.entries[drop]!.entry))) drop += 1;
    if (drop > 0) this.entries = this.entries.slice(drop);
  }

  /**
   * A scope's state as of an instant (every entry that occurred by then), or as of now when
   * `asOf` is absent: its newest usable mark plus the entries after it. Null when no mark
   * before that instant holds the scope; the caller then folds from the store.
   */
  state(name: string, viewer: Viewer, side: string | null, asOf?: string): DisputeState | null {
    let i = this.marks.length - 1;
    while (
      i >= 0 &&
      ((asOf !== undefined && this.marks[i]!.at.occurredAt > asOf) || !holds(this.marks[i]!, name))
    )
      i -= 1;
    const mark = this.marks[i];
    const text = mark && (mark.states.get(name) ?? mark.any);
    if (!mark || text === undefined) return null;
    const state = parseSnapshot(text, mark.states.get(BASE_SCOPE));
    for (let k = this.indexAfter(mark.at); k < this.entries.length; k++) {
      const { entry, authored, published } = this.entries[k]!;
      if (asOf !== undefined && entry.occurredAt > asOf) break;
      applyResolved(state, viewer, side, authored, entry, published);
    }
    return state;
  }

  clear(): void {
    this.entries = [];
    this.marks = [];
    this.sinceMark = 0;
  }

  /** The index of the first kept entry placed after `at` (binary search). */
  private indexAfter(at: Position): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (isBefore(at, positionOf(this.entries[mid]!.entry))) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function holds(mark: Mark, name: string): boolean {
  return mark.any !== undefined || mark.states.has(name);
}

export function positionOf(entry: { occurredAt: string; seq: number }): Position {
  return { occurredAt: entry.occurredAt, seq: entry.seq };
}
