import { isDeepStrictEqual } from "node:util";
import type { DisputeState } from "../domain/state.ts";

/**
 * How the snapshots taken at one point are stored, and read back.
 *
 * At a snapshot point every hot scope's state is written out, and most of them are mostly
 * alike: a negotiator sees all the operator sees but the other side's private entries, so of
 * the top-level fields of its state (issues, meetings, statements…) usually only a few differ
 * from the operator's. Such a scope's row holds only the fields that differ, marked as
 * inheriting the rest from the operator's row at the same point (`all`, which every point
 * has). A commit of a batch writes a few hundred kilobytes less for it, and the store keeps
 * that much less per thousand entries.
 *
 * The choice is made from the texts alone (a difference is stored when it is under half the
 * whole), so a replay that folds the same states writes the very same characters, and verify
 * can still compare stored and replayed rows as strings.
 */

/** The scope whose row the others may inherit from: the operator's, which sees everything. */
export const BASE_SCOPE = "all";
/** The member that marks a row as a difference; no state has a field of that name. */
const INHERITS = "$inherits";
const INHERITS_PREFIX = `{"${INHERITS}":`;

/** A state's top-level fields, each as JSON.stringify writes it (undefined: a field it leaves out). */
function fieldTexts(state: DisputeState): Map<string, string> {
  const out = new Map<string, string>();
  const record = state as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const text = JSON.stringify(record[key]);
    if (text !== undefined) out.set(key, text);
  }
  return out;
}

function objectText(members: Iterable<[string, string]>): string {
  let out = "";
  for (const [key, text] of members) out += `${out === "" ? "{" : ","}${JSON.stringify(key)}:${text}`;
  return out === "" ? "{}" : `${out}}`;
}

/**
 * The stored texts of the states of several scopes taken at one point, by scope name. Without
 * the base scope among them, every state is written whole. The base's text is exactly
 * JSON.stringify of its state.
 */
export function snapshotTexts(states: ReadonlyMap<string, DisputeState>): Map<string, string> {
  const out = new Map<string, string>();
  const baseState = states.get(BASE_SCOPE);
  const base = baseState ? fieldTexts(baseState) : null;
  for (const [scope, state] of states) {
    if (scope === BASE_SCOPE || !base) {
      out.set(scope, scope === BASE_SCOPE && base ? objectText(base) : JSON.stringify(state));
      continue;
    }
    const own = fieldTexts(state);
    const whole = objectText(own);
    // Inheriting needs the same fields on both sides: a field the base has and this state
    // lacks would come back from the base.
    const sameFields = own.size === base.size && [...own.keys()].every((k) => base.has(k));
    if (!sameFields) {
      out.set(scope, whole);
      continue;
    }
    const differing: [string, string][] = [[INHERITS, JSON.stringify(BASE_SCOPE)]];
    for (const [key, text] of own) if (base.get(key) !== text) differing.push([key, text]);
    const difference = objectText(differing);
    out.set(scope, difference.length * 2 < whole.length ? difference : whole);
  }
  return out;
}

/** The scope a stored text inherits from, or null for a state written whole. */
export function inheritsFrom(text: string): string | null {
  if (!text.startsWith(INHERITS_PREFIX)) return null;
  const from = (JSON.parse(text) as Record<string, unknown>)[INHERITS];
  return typeof from === "string" ? from : null;
}

/**
 * The state a stored text holds. `base`: the text of the row it inherits from (the base
 * scope's at the same point), needed when `inheritsFrom(text)` is not null.
 */
export function parseSnapshot(text: string, base?: string): DisputeState {
  const own = JSON.parse(text) as Record<string, unknown>;
  if (!Object.hasOwn(own, INHERITS)) return own as unknown as DisputeState;
  if (base === undefined) throw new Error("a snapshot that inherits was read without its base");
  const from = JSON.parse(base) as Record<string, unknown>;
  // The base's field order, which is the state's own: a state read back prints as it was folded.
  const state: Record<string, unknown> = {};
  for (const key of Object.keys(from)) state[key] = Object.hasOwn(own, key) ? own[key] : from[key];
  return state as unknown as DisputeState;
}

/**
 * Whether two stored texts hold the same state, whatever order their keys were written in or
 * whichever of them was stored as a difference. Equal text is the fast path, not the definition.
 */
export function sameSnapshot(
  a: { text: string; base?: string | undefined },
  b: { text: string; base?: string | undefined },
): boolean {
  if (a.text === b.text && a.base === b.base) return true;
  try {
    return isDeepStrictEqual(parseSnapshot(a.text, a.base), parseSnapshot(b.text, b.base));
  } catch {
    // A difference without its base, or text that is not JSON: not the state replayed.
    return false;
  }
}
