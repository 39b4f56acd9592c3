import type { z } from "zod";
import { containsFloat } from "../ledger/jcs.ts";
import type { AnyDraft } from "./entry.ts";
import { fail } from "./errors.ts";
import { type EntryType, isEntryType, PAYLOADS, type Payload } from "./events.ts";
import { own } from "./evolve.ts";
import { type DisputeState, sideOf } from "./state.ts";
import { compareDecimal, Instant, Visibility } from "./values.ts";

/** What someone asks to record. Everything in it is untrusted until decide has parsed it. */
export interface Command {
  actor: { org: string; user: string };
  type: string;
  /** Absent: the entry occurred when it is recorded (the writer fills in its transaction's instant). */
  occurredAt: unknown;
  visibility: unknown;
  payload: unknown;
}

/** A referenced earlier entry, as the application resolved it from the ledger. */
export interface RefInfo {
  seq: number;
  type: EntryType;
  org: string;
  visibility: string;
  payload: unknown;
}

export interface DecideContext {
  now: string;
  /** Entries referenced by the command, by sequence number; absent means unknown. */
  refs: ReadonlyMap<number, RefInfo>;
}

/** Clock skew tolerated between a client's "now" and ours before occurredAt counts as future. */
const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * decide(command, state) -> the drafts to append, or a ParleyError with a stable code.
 * `state` is the dispute as the acting organization sees it, as of the command's occurredAt.
 */
export function decide(command: Command, state: DisputeState, ctx: DecideContext): AnyDraft[] {
  if (!isEntryType(command.type)) {
    fail("VALIDATION_FAILED", `unknown entry type ${JSON.stringify(String(command.type).slice(0, 60))}`);
  }
  const type = command.type;
  const floatAt = containsFloat(command.payload);
  if (floatAt) fail("FLOAT_IN_PAYLOAD", `a floating-point number at ${floatAt.replace(/^\$/, "payload")}`);
  const occurredAt = parse(Instant, command.occurredAt, "occurredAt");
  if (Date.parse(occurredAt) > Date.parse(ctx.now) + FUTURE_SKEW_MS) fail("OCCURRED_IN_FUTURE");
  const visibility = parse(Visibility, command.visibility, "visibility");
  const payload = parse(PAYLOADS[type] as z.ZodType<Payload<typeof type>>, command.payload, "payload");
  const draft = { type, occurredAt, visibility, payload } as AnyDraft;
  check(draft, command.actor.org, state, ctx);
  if (draft.type === "entry.published") draft.visibility = "public";
  return [draft];
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join("."),
    message: i.message,
  }));
  const first = issues[0];
  fail("VALIDATION_FAILED", first ? `${first.path}: ${first.message}` : `${where} is invalid`, { issues });
}

function check(d: AnyDraft, org: string, s: DisputeState, ctx: DecideContext): void {
  if (d.type === "dispute.opened") {
    if (s.opened) fail("DISPUTE_ALREADY_OPENED");
    // FIX (two sides): the schema asks for two sides but accepted the same side id twice,
    // which folds into a dispute with one side, where nobody ever owes the other a move.
    const [a, b] = d.payload.sides;
    if (a && b && a.id === b.id) fail("VALIDATION_FAILED", "a dispute has two sides with different ids");
    return;
  }
  if (!s.opened) fail("DISPUTE_NOT_OPENED");
  const side = sideOf(s, org);
  if (d.type !== "party.joined" && d.type !== "organization.registered") known(s, org);

  switch (d.type) {
    case "party.joined": {
      const p = d.payload;
      if (p.org.id !== org) fail("ORG_SELF_ONLY");
      if (!own(s.sides, p.side)) fail("SIDE_UNKNOWN", `unknown side ${p.side}`);
      if (own(s.orgs, p.org.id)?.side) fail("ORG_EXISTS", `${p.org.id} already sits on a side`);
      return;
    }
    case "organization.registered":
      if (own(s.orgs, d.payload.org.id)) fail("ORG_EXISTS");
      if (d.payload.org.id !== org) party(side, org);
      return;
    case "representation.updated":
      party(side, org);
      return;
    case "issue.opened":
      party(side, org);
      if (own(s.issues, d.payload.issue)) fail("ISSUE_EXISTS");
      return;
    case "issue.withdrawn": {
      const issue = openIssue(s, d.payload.issue);
      if (issue.raisedBy !== party(side, org)) fail("ISSUE_NOT_OWN");
      return;
    }
    case "issue.dropped":
      party(side, org);
      openIssue(s, d.payload.issue);
      return;
    case "pass.made": {
      party(side, org);
      const seen = new Set<string>();
      for (const item of d.payload.issues) {
        openIssue(s, item.issue);
        if (seen.has(item.issue)) fail("VALIDATION_FAILED", `issue ${item.issue} appears twice in one pass`);
        seen.add(item.issue);
      }
      return;
    }
    case "ta.signed": {
      const mySide = party(side, org);
      const ref = d.payload.countersigns;
      if (ref === undefined) {
        for (const id of d.payload.issues) openIssue(s, id);
        return;
      }
      const ta = own(s.tas, String(ref));
      if (!ta) fail("TA_UNKNOWN", `no tentative agreement at entry ${ref}`);
      if (ta.completedAt) fail("TA_ALREADY_COMPLETE");
      if (ta.signedBy.includes(mySide)) fail("TA_ALREADY_SIGNED");
      const same =
        ta.issues.length === d.payload.issues.length && ta.issues.every((i) => d.payload.issues.includes(i));
      if (!same) fail("VALIDATION_FAILED", "a countersignature must cover exactly the issues of the TA");
      return;
    }
    case "agreement.voted": {
      party(side, org);
      const ag = s.opened.agreement;
      if (ag.status === "ratified" || ag.status === "rejected") fail("AGREEMENT_ALREADY_DECIDED");
      if (ag.status !== "tentative") fail("AGREEMENT_NOT_TENTATIVE");
      return;
    }
    case "meeting.requested": {
      if (d.payload.kind === "table") party(side, org);
      if (own(s.meetings, d.payload.meeting)) fail("MEETING_EXISTS");
      for (const t of d.payload.proposedTimes) ordered(t.start, t.end);
      for (const o of d.payload.with) known(s, o);
      return;
    }
    case "meeting.answered": {
      const m = meeting(s, d.payload.meeting);
      if (m.status !== "requested" && m.status !== "countered") fail("MEETING_NOT_AWAITING_ANSWER");
      const mySide = party(side, org);
      if (m.awaiting !== null && m.awaiting !== mySide) fail("MEETING_OWN_REQUEST");
      for (const t of d.payload.proposedTimes) ordered(t.start, t.end);
      return;
    }
    case "meeting.scheduled": {
      ordered(d.payload.start, d.payload.end);
      const m = own(s.meetings, d.payload.meeting);
      // Only the parties run the table: a session scheduled by anyone else would become "next meeting".
      if (d.payload.kind === "table" || m?.kind === "table") party(side, org);
      if (m) notClosed(m.status);
      for (const o of d.payload.with) known(s, o);
      return;
    }
    case "meeting.held": {
      const m = meeting(s, d.payload.meeting);
      if (m.kind === "table") party(side, org);
      notClosed(m.status);
      const start = d.payload.start ?? m.start;
      const end = d.payload.end ?? m.end;
      if (start && end) ordered(start, end);
      return;
    }
    case "meeting.postponed": {
      const m = meeting(s, d.payload.meeting);
      if (m.kind === "table") party(side, org);
      notClosed(m.status);
      if (d.payload.start && d.payload.end) ordered(d.payload.start, d.payload.end);
      return;
    }
    case "meeting.cancelled": {
      const m = meeting(s, d.payload.meeting);
      if (m.kind === "table") party(side, org);
      notClosed(m.status);
      return;
    }
    case "note.recorded":
      if (d.payload.meeting) meeting(s, d.payload.meeting);
      return;
    case "stoppage.started":
      if (own(s.stoppages, d.payload.stoppage)) fail("STOPPAGE_EXISTS");
      for (const o of [...d.payload.by, ...d.payload.against]) known(s, o);
      return;
    case "stoppage.joined": {
      const st = stoppage(s, d.payload.stoppage);
      if (st.end) fail("STOPPAGE_ENDED");
      known(s, d.payload.org);
      if (st.by.includes(d.payload.org)) fail("STOPPAGE_ALREADY_JOINED");
      if (d.payload.at < st.start)
        fail("STOPPAGE_ENDS_BEFORE_START", "an organization cannot join before the start");
      return;
    }
    case "stoppage.ended": {
      const st = stoppage(s, d.payload.stoppage);
      if (st.end) fail("STOPPAGE_ENDED");
      if (d.payload.end <= st.start) fail("STOPPAGE_ENDS_BEFORE_START");
      return;
    }
    case "statement.made":
      known(s, d.payload.by);
      return;
    case "comment.requested":
      if (own(s.requests, d.payload.request)) fail("REQUEST_EXISTS");
      known(s, d.payload.to);
      if (d.payload.deadline < d.occurredAt) fail("DEADLINE_BEFORE_ASKED");
      return;
    case "comment.answered": {
      const r = own(s.requests, d.payload.request) ?? fail("REQUEST_UNKNOWN");
      if (r.to !== org) fail("REQUEST_WRONG_RESPONDENT");
      if (r.response) fail("REQUEST_ALREADY_ANSWERED");
      return;
    }
    case "impact.reported": {
      const { value, low, high } = d.payload;
      const hasRange = low !== undefined && high !== undefined;
      if (value === undefined && !hasRange) {
        fail("VALIDATION_FAILED", "an impact figure needs a value or both low and high");
      }
      if ((low === undefined) !== (high === undefined)) {
        fail("VALIDATION_FAILED", "a range needs both low and high");
      }
      if (hasRange && compareDecimal(low, high) > 0) fail("IMPACT_RANGE_INVERTED");
      return;
    }
    case "entry.published": {
      const ref = ownRef(ctx, d.payload.entry, org);
      if (ref.visibility === "public" || own(s.published, String(ref.seq))) fail("ENTRY_ALREADY_PUBLIC");
      return;
    }
    case "entry.corrected": {
      const ref = ownRef(ctx, d.payload.entry, org);
      if (ref.type === "entry.corrected" || ref.type === "dispute.opened") fail("ENTRY_NOT_CORRECTABLE");
      if (d.payload.action === "correct" && !d.payload.text) {
        fail("VALIDATION_FAILED", "a correction states the corrected text");
      }
      return;
    }
  }
}

/** The side the acting organization sits on; only parties may do what asks for it. */
function party(side: string | null, org: string): string {
  return side ?? fail("ORG_NOT_A_PARTY", `${org} does not sit at the table`);
}

// FIX (own-property lookups): see own() in evolve.ts; "constructor" was always "known".
function known(s: DisputeState, id: string): void {
  if (!own(s.orgs, id)) fail("ORG_UNKNOWN", `unknown organization ${id}`, { org: id });
}

function openIssue(s: DisputeState, id: string) {
  const issue = own(s.issues, id);
  if (!issue) fail("ISSUE_UNKNOWN", `unknown issue ${id}`, { issue: id });
  if (issue.status !== "open") fail("ISSUE_CLOSED", `issue ${id} is ${issue.status}`, { issue: id });
  return issue;
}

function meeting(s: DisputeState, id: string) {
  return own(s.meetings, id) ?? fail("MEETING_UNKNOWN", `unknown meeting ${id}`, { meeting: id });
}

function stoppage(s: DisputeState, id: string) {
  return own(s.stoppages, id) ?? fail("STOPPAGE_UNKNOWN", `unknown stoppage ${id}`, { stoppage: id });
}

function notClosed(status: string): void {
  if (status === "held" || status === "cancelled" || status === "declined") {
    fail("MEETING_CLOSED", `the meeting is ${status}`);
  }
}

function ordered(start: string, end: string): void {
  if (end <= start) fail("MEETING_ENDS_BEFORE_START");
}

function ownRef(ctx: DecideContext, seq: number, org: string): RefInfo {
  const ref = ctx.refs.get(seq) ?? fail("ENTRY_UNKNOWN", `no entry ${seq}`);
  if (ref.org !== org) fail("ENTRY_NOT_OWN");
  return ref;
}
