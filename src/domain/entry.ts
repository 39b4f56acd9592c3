import type { EntryType, Payload } from "./events.ts";
import type { Visibility } from "./values.ts";

/**
 * One ledger entry as the domain sees it. The same object, canonicalized (RFC 8785), is what
 * the authoring organization signs; `refs` lists the sequence numbers of earlier entries this
 * one points at, derived from the payload so the two can never disagree.
 */
export interface Entry<T extends EntryType = EntryType> {
  dispute: string;
  seq: number;
  type: T;
  version: number;
  actor: { org: string; user: string };
  keyId: string;
  occurredAt: string;
  recordedAt: string;
  visibility: Visibility;
  refs: number[];
  payload: Payload<T>;
  nonce: string;
}

export type AnyEntry = { [T in EntryType]: Entry<T> }[EntryType];

/** The parts of an entry the domain decides on; the ledger adds seq, keyId, recordedAt and nonce. */
export interface Draft<T extends EntryType = EntryType> {
  type: T;
  occurredAt: string;
  visibility: Visibility;
  payload: Payload<T>;
}

export type AnyDraft = { [T in EntryType]: Draft<T> }[EntryType];

export function refsOf(draft: AnyDraft): number[] {
  switch (draft.type) {
    case "ta.signed":
      return draft.payload.countersigns === undefined ? [] : [draft.payload.countersigns];
    case "entry.published":
    case "entry.corrected":
      return [draft.payload.entry];
    default:
      return [];
  }
}

/** Total order of the timeline: when it happened, then when it was recorded. */
export function occurrenceOrder(
  a: { occurredAt: string; seq: number },
  b: { occurredAt: string; seq: number },
): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  return a.seq - b.seq;
}
