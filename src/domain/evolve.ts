import type { AnyEntry, Entry } from "./entry.ts";
import {
  type DisputeState,
  initialState,
  otherSide,
  RECENT_LIMIT,
  type ResponseStats,
  sideOf,
} from "./state.ts";
import type { Organization } from "./values.ts";

/**
 * evolve(state, entry) -> state. It is total: any sequence of schema-valid entries folds
 * without throwing, because a viewer's fold may lack entries it is not allowed to see, and
 * back-filled history may arrive out of order. Rules are enforced by decide, not here.
 *
 * For speed over long ledgers the state is updated in place and returned; a caller that
 * needs the previous state keeps a structuredClone of it.
 */
export function evolve(state: DisputeState, entry: AnyEntry): DisputeState {
  state.entries += 1;
  if (entry.seq > state.lastSeq) state.lastSeq = entry.seq;
  if (state.lastOccurredAt === null || entry.occurredAt > state.lastOccurredAt) {
    state.lastOccurredAt = entry.occurredAt;
  }
  apply(state, entry);
  return state;
}

export function fold(slug: string, entries: Iterable<AnyEntry>): DisputeState {
  const state = initialState(slug);
  for (const e of entries) evolve(state, e);
  return state;
}

/**
 * FIX (own-property lookups): state records are plain objects keyed by ids people choose, and
 * "constructor" is a valid Id. A bare `record[id]` then found Object.prototype.constructor:
 * evolve threw on a `party.joined` of org "constructor" (which decide accepted) and wrote
 * fields such as `status` or `end` onto the global Object function. Every lookup by id goes
 * through own(); writes (`record[id] = …`) already create own properties.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function apply(s: DisputeState, e: AnyEntry): void {
  const at = e.occurredAt;
  const side = sideOf(s, e.actor.org);
  switch (e.type) {
    case "dispute.opened": {
      const p = e.payload;
      s.opened = {
        title: p.title,
        timeZone: p.timeZone,
        openedBy: e.actor.org,
        openedAt: at,
        agreement: {
          name: p.agreement.name,
          expiresAt: p.agreement.expiresAt,
          status: "bargaining",
          tentativeAt: null,
          vote: null,
          term: null,
        },
      };
      p.sides.forEach((sd, order) => {
        s.sides[sd.id] = { ...sd, order, orgs: [] };
      });
      return;
    }
    case "party.joined": {
      const p = e.payload;
      upsertOrg(s, p.org, p.side);
      const sd = own(s.sides, p.side);
      if (sd && !sd.orgs.includes(p.org.id)) sd.orgs.push(p.org.id);
      for (const r of p.represents) represent(s, p.org.id, r);
      return;
    }
    case "organization.registered":
      upsertOrg(s, e.payload.org, null);
      return;
    case "representation.updated": {
      const rep = own(s.orgs, e.actor.org);
      if (!rep) return;
      for (const r of e.payload.add) represent(s, rep.id, r);
      for (const id of e.payload.remove) {
        rep.represents = rep.represents.filter((x) => x !== id);
        const o = own(s.orgs, id);
        if (o) o.representedBy = o.representedBy.filter((x) => x !== rep.id);
      }
      return;
    }
    case "issue.opened": {
      const p = e.payload;
      if (own(s.issues, p.issue)) return;
      s.issues[p.issue] = {
        id: p.issue,
        title: p.title,
        article: p.article ?? null,
        raisedBy: side,
        openedAt: at,
        status: "open",
        passes: 0,
        lastPass: {},
        awaiting: null,
        since: null,
        closedAt: null,
        ta: null,
      };
      return;
    }
    case "issue.withdrawn":
    case "issue.dropped": {
      const issue = own(s.issues, e.payload.issue);
      if (issue?.status !== "open") return;
      issue.status = e.type === "issue.withdrawn" ? "withdrawn" : "dropped";
      issue.awaiting = null;
      issue.since = null;
      issue.closedAt = at;
      return;
    }
    case "pass.made": {
      if (!side) return;
      const other = otherSide(s, side);
      for (const item of e.payload.issues) {
        const issue = own(s.issues, item.issue);
        if (!issue) continue;
        issue.passes += 1;
        issue.lastPass[side] = { seq: e.seq, at };
        if (issue.status !== "open") continue;
        if (issue.awaiting === side && issue.since) {
          recordResponse(s, side, `issue:${issue.id}`, issue.since, at);
        }
        issue.awaiting = other;
        issue.since = at;
      }
      return;
    }
    case "ta.signed":
      applyTa(s, e, side);
      return;
    case "agreement.voted": {
      const ag = s.opened?.agreement;
      if (!ag) return;
      const p = e.payload;
      ag.status = p.result;
      ag.vote = {
        yes: p.vote.yes,
        no: p.vote.no,
        ...(p.vote.eligible === undefined ? {} : { eligible: p.vote.eligible }),
        ...(p.vote.turnout === undefined ? {} : { turnout: p.vote.turnout }),
        closed: p.votingClosed,
      };
      ag.term = p.term ?? null;
      return;
    }
    case "meeting.requested": {
      const p = e.payload;
      if (own(s.meetings, p.meeting)) return;
      const awaiting = side && p.kind === "table" ? otherSide(s, side) : null;
      s.meetings[p.meeting] = {
        id: p.meeting,
        kind: p.kind,
        status: "requested",
        purpose: p.purpose,
        requestedBy: side ?? e.actor.org,
        requestedAt: at,
        proposedTimes: p.proposedTimes,
        with: p.with,
        start: null,
        end: null,
        place: null,
        awaiting,
        since: awaiting ? at : null,
        heldAt: null,
        attendees: 0,
        updatedAt: at,
      };
      return;
    }
    case "meeting.answered": {
      const m = own(s.meetings, e.payload.meeting);
      if (!m) return;
      if (m.awaiting && side === m.awaiting && m.since) {
        recordResponse(s, side, `meeting:${m.id}`, m.since, at);
      }
      m.status = e.payload.answer;
      if (e.payload.proposedTimes.length > 0) m.proposedTimes = e.payload.proposedTimes;
      // A counter hands the move back to the requester; acceptance or refusal ends it.
      const counteredTo = e.payload.answer === "countered" && side ? otherSide(s, side) : null;
      m.awaiting = counteredTo;
      m.since = counteredTo ? at : null;
      m.updatedAt = at;
      return;
    }
    case "meeting.scheduled": {
      const p = e.payload;
      const m = own(s.meetings, p.meeting);
      if (m) {
        if (m.awaiting && side === m.awaiting && m.since) {
          recordResponse(s, side, `meeting:${m.id}`, m.since, at);
        }
        Object.assign(m, {
          kind: p.kind,
          status: "scheduled",
          start: p.start,
          end: p.end,
          place: p.place ?? p.link ?? m.place,
          with: p.with.length > 0 ? p.with : m.with,
          awaiting: null,
          since: null,
          updatedAt: at,
        });
        if (p.purpose) m.purpose = p.purpose;
        return;
      }
      s.meetings[p.meeting] = {
        id: p.meeting,
        kind: p.kind,
        status: "scheduled",
        purpose: p.purpose ?? null,
        requestedBy: side ?? e.actor.org,
        requestedAt: null,
        proposedTimes: [],
        with: p.with,
        start: p.start,
        end: p.end,
        place: p.place ?? p.link ?? null,
        awaiting: null,
        since: null,
        heldAt: null,
        attendees: 0,
        updatedAt: at,
      };
      return;
    }
    case "meeting.held": {
      const m = own(s.meetings, e.payload.meeting);
      if (!m) return;
      m.status = "held";
      m.start = e.payload.start ?? m.start ?? at;
      m.end = e.payload.end ?? m.end;
      m.heldAt = m.start;
      m.attendees = e.payload.attendees.length;
      m.awaiting = null;
      m.since = null;
      m.updatedAt = at;
      return;
    }
    case "meeting.postponed": {
      const m = own(s.meetings, e.payload.meeting);
      if (!m) return;
      m.status = e.payload.start ? "scheduled" : "postponed";
      m.start = e.payload.start ?? null;
      m.end = e.payload.end ?? null;
      // FIX (stale whose-move): only a "requested" or "countered" meeting awaits an answer.
      // Postponing a request left `awaiting` set, so the other side "owed" an answer it could
      // no longer give (MEETING_NOT_AWAITING_ANSWER), or owed one on a meeting now scheduled.
      m.awaiting = null;
      m.since = null;
      m.updatedAt = at;
      return;
    }
    case "meeting.cancelled": {
      const m = own(s.meetings, e.payload.meeting);
      if (!m) return;
      m.status = "cancelled";
      m.awaiting = null;
      m.since = null;
      m.updatedAt = at;
      return;
    }
    case "note.recorded":
      s.notes += 1;
      return;
    case "stoppage.started": {
      const p = e.payload;
      if (own(s.stoppages, p.stoppage)) return;
      s.stoppages[p.stoppage] = {
        id: p.stoppage,
        kind: p.kind,
        by: [...p.by],
        against: [...p.against],
        start: p.start,
        end: null,
        workers: p.workers ?? null,
        joined: [],
      };
      return;
    }
    case "stoppage.joined": {
      const st = own(s.stoppages, e.payload.stoppage);
      if (!st || st.by.includes(e.payload.org)) return;
      st.by.push(e.payload.org);
      st.joined.push({ org: e.payload.org, at: e.payload.at, workers: e.payload.workers ?? null });
      return;
    }
    case "stoppage.ended": {
      const st = own(s.stoppages, e.payload.stoppage);
      if (st) st.end = e.payload.end;
      return;
    }
    case "statement.made": {
      s.statements.count += 1;
      s.statements.recent.push({
        seq: e.seq,
        by: e.payload.by,
        at,
        channel: e.payload.channel,
        text: e.payload.text,
      });
      if (s.statements.recent.length > RECENT_LIMIT) s.statements.recent.shift();
      return;
    }
    case "comment.requested": {
      const p = e.payload;
      if (own(s.requests, p.request)) return;
      s.requests[p.request] = {
        id: p.request,
        from: e.actor.org,
        to: p.to,
        askedAt: at,
        deadline: p.deadline,
        question: p.question,
        response: null,
      };
      return;
    }
    case "comment.answered": {
      const r = own(s.requests, e.payload.request);
      if (r && !r.response) r.response = { kind: e.payload.response, at };
      return;
    }
    case "impact.reported": {
      const p = e.payload;
      s.impact[p.figure] = {
        id: p.figure,
        what: p.what,
        value: p.value ?? null,
        low: p.low ?? null,
        high: p.high ?? null,
        unit: p.unit,
        asOf: p.asOf,
        method: p.method,
        source: p.source,
        reportedBy: e.actor.org,
        seq: e.seq,
      };
      return;
    }
    case "entry.published":
      s.published[String(e.payload.entry)] = { by: e.seq, at };
      return;
    case "entry.corrected": {
      const target = e.payload.entry;
      s.corrections[String(target)] = { by: e.seq, action: e.payload.action, at };
      // What the glance shows follows the correction: the corrected words, or a retraction.
      const statement = s.statements.recent.find((st) => st.seq === target);
      if (statement) {
        statement.correction = {
          action: e.payload.action,
          seq: e.seq,
          ...(e.payload.text ? { text: e.payload.text } : {}),
        };
      }
      for (const figure of Object.values(s.impact)) {
        if (figure.seq === target)
          figure.correction = {
            action: e.payload.action,
            seq: e.seq,
            ...(e.payload.text ? { text: e.payload.text } : {}),
          };
      }
      return;
    }
  }
}

function upsertOrg(s: DisputeState, org: Organization, side: string | null): void {
  const existing = own(s.orgs, org.id);
  if (existing) {
    Object.assign(existing, org);
    if (side) existing.side = side;
    return;
  }
  s.orgs[org.id] = { ...org, side, represents: [], representedBy: [] };
}

function represent(s: DisputeState, representative: string, org: Organization): void {
  if (!own(s.orgs, org.id)) upsertOrg(s, org, null);
  const rep = own(s.orgs, representative);
  const target = own(s.orgs, org.id);
  if (!rep || !target) return;
  if (!rep.represents.includes(org.id)) rep.represents.push(org.id);
  if (!target.representedBy.includes(representative)) target.representedBy.push(representative);
}

function applyTa(s: DisputeState, e: Entry<"ta.signed">, side: string | null): void {
  if (!side) return;
  const at = e.occurredAt;
  const ref = e.payload.countersigns;
  const existing = ref === undefined ? undefined : own(s.tas, String(ref));
  const ta = existing ?? {
    seq: e.seq,
    issues: [...e.payload.issues],
    wholeAgreement: e.payload.wholeAgreement,
    signedBy: [],
    signedAt: at,
    completedAt: null,
  };
  if (!existing) s.tas[String(e.seq)] = ta;
  if (!ta.signedBy.includes(side)) ta.signedBy.push(side);
  const other = otherSide(s, side);
  const complete = other !== null && ta.signedBy.includes(other);
  for (const id of ta.issues) {
    const issue = own(s.issues, id);
    if (issue?.status !== "open") continue;
    if (complete) {
      issue.status = "tentatively-agreed";
      issue.ta = ta.seq;
      issue.awaiting = null;
      issue.since = null;
      issue.closedAt = at;
    } else {
      // The first signature puts the countersignature on the other side's desk.
      issue.awaiting = other;
      issue.since = at;
    }
  }
  if (complete && !ta.completedAt) {
    ta.completedAt = at;
    const ag = s.opened?.agreement;
    if (ta.wholeAgreement && ag && ag.status === "bargaining") {
      ag.status = "tentative";
      ag.tentativeAt = at;
    }
  }
}

function recordResponse(s: DisputeState, side: string, subject: string, from: string, to: string): void {
  const minutes = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
  const stats: ResponseStats = s.responses[side] ?? { count: 0, totalMinutes: 0, maxMinutes: 0, recent: [] };
  stats.count += 1;
  stats.totalMinutes += minutes;
  stats.maxMinutes = Math.max(stats.maxMinutes, minutes);
  stats.recent.push({ subject, from, to, minutes });
  if (stats.recent.length > RECENT_LIMIT) stats.recent.shift();
  s.responses[side] = stats;
}
