import type { Organization } from "./values.ts";

/**
 * The state of one dispute as one viewer sees it: a fold of the entries that viewer may see,
 * in occurrence order. It holds what deciding and "at a glance" need; the full history stays
 * in the ledger and the timeline projection. Its size grows with what it keeps one record of
 * each (meetings, issues, requests, figures, corrections), not with the passes or statements,
 * of which it keeps a count, each side's latest, or the most recent few.
 */
export interface DisputeState {
  slug: string;
  /** Sequence numbers folded so far, and the latest occurrence, for caches and snapshots. */
  entries: number;
  lastSeq: number;
  lastOccurredAt: string | null;
  opened: null | {
    title: string;
    timeZone: string;
    openedBy: string;
    openedAt: string;
    agreement: AgreementState;
  };
  /** `order` is the side's place in the opening entry, so lists show sides as the record does. */
  sides: Record<string, { id: string; name: string; shortName: string; order: number; orgs: string[] }>;
  orgs: Record<string, OrgState>;
  issues: Record<string, IssueState>;
  tas: Record<string, TaState>;
  meetings: Record<string, MeetingState>;
  stoppages: Record<string, StoppageState>;
  requests: Record<string, RequestState>;
  impact: Record<string, ImpactState>;
  statements: { count: number; recent: StatementState[] };
  /** Per side, how long it took to answer the other side's moves, in whole minutes. */
  responses: Record<string, ResponseStats>;
  /** Entries corrected or retracted, by sequence number: the latest action wins. */
  corrections: Record<string, { by: number; action: "correct" | "retract"; at: string }>;
  published: Record<string, { by: number; at: string }>;
  notes: number;
}

export interface AgreementState {
  name: string;
  expiresAt: string | null;
  status: "bargaining" | "tentative" | "ratified" | "rejected";
  tentativeAt: string | null;
  vote: null | { yes: number; no: number; eligible?: number; turnout?: string; closed: string };
  term: null | { start: string; end: string };
}

export interface OrgState extends Organization {
  side: string | null;
  represents: string[];
  representedBy: string[];
}

export type IssueStatus = "open" | "tentatively-agreed" | "withdrawn" | "dropped";

export interface IssueState {
  id: string;
  title: string;
  article: string | null;
  raisedBy: string | null;
  openedAt: string;
  status: IssueStatus;
  passes: number;
  /** Each side's latest pass on this issue: sequence number and when. */
  lastPass: Record<string, { seq: number; at: string }>;
  awaiting: string | null;
  since: string | null;
  closedAt: string | null;
  ta: number | null;
}

export interface TaState {
  seq: number;
  issues: string[];
  wholeAgreement: boolean;
  signedBy: string[];
  signedAt: string;
  completedAt: string | null;
}

export type MeetingStatus =
  | "requested"
  | "accepted"
  | "declined"
  | "countered"
  | "scheduled"
  | "held"
  | "postponed"
  | "cancelled";

export interface MeetingState {
  id: string;
  kind: "table" | "caucus" | "side";
  status: MeetingStatus;
  purpose: string | null;
  requestedBy: string | null;
  requestedAt: string | null;
  proposedTimes: { start: string; end: string }[];
  with: string[];
  start: string | null;
  end: string | null;
  place: string | null;
  awaiting: string | null;
  since: string | null;
  heldAt: string | null;
  attendees: number;
  updatedAt: string;
}

export interface StoppageState {
  id: string;
  kind: "strike" | "lockout";
  by: string[];
  against: string[];
  start: string;
  end: string | null;
  workers: number | null;
  joined: { org: string; at: string; workers: number | null }[];
}

export interface RequestState {
  id: string;
  from: string;
  to: string;
  askedAt: string;
  deadline: string;
  question: string;
  response: null | { kind: "responded" | "declined"; at: string };
}

export interface ImpactState {
  id: string;
  what: string;
  value: string | null;
  low: string | null;
  high: string | null;
  unit: string;
  asOf: string;
  method: string;
  source: { name: string; url?: string | undefined };
  reportedBy: string;
  seq: number;
  correction?: Correction;
}

export interface StatementState {
  seq: number;
  by: string;
  at: string;
  channel: string;
  text: string;
  correction?: Correction;
}

/** A later entry of the author correcting (with new text) or retracting an earlier one. */
export interface Correction {
  action: "correct" | "retract";
  seq: number;
  text?: string;
}

export interface ResponseStats {
  count: number;
  totalMinutes: number;
  maxMinutes: number;
  /** The most recent responses, newest last, bounded so the state stays small. */
  recent: { subject: string; from: string; to: string; minutes: number }[];
}

export const RECENT_LIMIT = 20;

export function initialState(slug: string): DisputeState {
  return {
    slug,
    entries: 0,
    lastSeq: -1,
    lastOccurredAt: null,
    opened: null,
    sides: {},
    orgs: {},
    issues: {},
    tas: {},
    meetings: {},
    stoppages: {},
    requests: {},
    impact: {},
    statements: { count: 0, recent: [] },
    responses: {},
    corrections: {},
    published: {},
    notes: 0,
  };
}

export function sideOf(state: DisputeState, org: string): string | null {
  return Object.hasOwn(state.orgs, org) ? (state.orgs[org]?.side ?? null) : null;
}

export function otherSide(state: DisputeState, side: string): string | null {
  return Object.keys(state.sides).find((s) => s !== side) ?? null;
}
