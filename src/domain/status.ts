import {
  daysBetween,
  FIRST_HOLIDAY_YEAR,
  idleDays,
  localDate,
  stoppageDay,
  stoppageLastDay,
  workdaysBetween,
} from "./calendar.ts";
import { own as ownProperty } from "./evolve.ts";
import type { DisputeState, MeetingState, StoppageState } from "./state.ts";

/**
 * The dispute at a glance, as of an instant, from a state already folded (for one viewer) up
 * to that instant. Pure: the caller supplies the instant and any stoppages from other
 * disputes against the same employers.
 */
export interface Status {
  dispute: string;
  title: string;
  timeZone: string;
  asOf: string;
  asOfDate: string;
  agreement: {
    name: string;
    expiresAt: string | null;
    status: string;
    tentativeAt: string | null;
    vote: DisputeState extends never ? never : NonNullable<DisputeState["opened"]>["agreement"]["vote"];
    term: { start: string; end: string } | null;
  };
  sides: { id: string; name: string; shortName: string; organizations: PartyView[] }[];
  stoppages: StoppageView[];
  lastMeeting: MeetingView | null;
  nextMeeting: MeetingView | null;
  issues: IssueView[];
  moves: MoveView[];
  tentativeAgreements: {
    seq: number;
    issues: string[];
    wholeAgreement: boolean;
    signedBy: string[];
    complete: boolean;
    date: string;
  }[];
  requestsForComment: {
    id: string;
    from: string;
    to: string;
    askedAt: string;
    deadline: string;
    status: "pending" | "responded" | "declined" | "no-response";
  }[];
  impact: DisputeState["impact"][string][];
  statements: { count: number; recent: DisputeState["statements"]["recent"] };
  responseTimes: { side: string; count: number; averageDays: string; maxDays: string }[];
  entries: number;
}

export interface PartyView {
  id: string;
  name: string;
  shortName: string;
  kind: string;
  represents: string[];
}

export interface StoppageView {
  id: string;
  dispute: string;
  kind: string;
  organizations: string[];
  against: string[];
  start: string;
  end: string | null;
  day: number | null;
  lastDay: string | null;
  workdays: number | null;
  idleDays: number | null;
  workers: number | null;
  concurrent: boolean;
}

export interface MeetingView {
  id: string;
  kind: string;
  date: string;
  start: string;
  end: string | null;
  place: string | null;
  status: string;
}

export interface IssueView {
  id: string;
  title: string;
  status: string;
  awaiting: string | null;
  since: string | null;
  days: number | null;
  passes: number;
}

export interface MoveView {
  subject: "issue" | "meeting";
  id: string;
  title: string;
  awaiting: string;
  since: string;
  days: number;
}

/** A stoppage from another dispute, with the names it is shown under there. */
export interface ForeignStoppage {
  dispute: string;
  stoppage: StoppageState;
  organizations: string[];
  against: string[];
  againstIds: string[];
}

export function status(state: DisputeState, asOf: string, foreign: ForeignStoppage[] = []): Status {
  const opened = state.opened;
  if (!opened) throw new Error("status of a dispute that is not open");
  const tz = opened.timeZone;
  const asOfDate = localDate(asOf, tz);
  const name = (id: string) => sideName(state, id);
  const days = (since: string) => daysBetween(localDate(since, tz), asOfDate);

  const own = Object.values(state.stoppages).map((st) =>
    stoppageView(state.slug, st, st.by.map(name), st.against.map(name), asOf, tz, false),
  );
  const employers = new Set(Object.values(state.stoppages).flatMap((st) => st.against));
  for (const side of Object.values(state.sides)) for (const o of side.orgs) employers.add(o);
  // FIX (concurrency via representation): a stoppage against a company that an employer here
  // bargains for (the AMPTP for Netflix) is against the same employer, even when the other
  // dispute does not know the AMPTP represents it.
  for (const id of [...employers])
    for (const r of ownProperty(state.orgs, id)?.represents ?? []) employers.add(r);
  const concurrent = foreign
    .filter((f) => f.againstIds.some((id) => employers.has(id)))
    .map((f) => stoppageView(f.dispute, f.stoppage, f.organizations, f.against, asOf, tz, true))
    // "Who else is out": stoppages running now, or that ran alongside one of this dispute's own.
    .filter((v) => v.day !== null && (v.end === null || own.some((o) => overlaps(o, v))));

  const meetings = Object.values(state.meetings).filter((m) => m.kind === "table");
  const held = meetings.filter((m) => m.status === "held" && m.start && m.start <= asOf);
  const upcoming = meetings.filter((m) => m.status === "scheduled" && m.start && m.start > asOf);
  const last = held.sort((a, b) => (a.start! < b.start! ? 1 : -1))[0];
  const next = upcoming.sort((a, b) => (a.start! < b.start! ? -1 : 1))[0];

  const issues: IssueView[] = sortedIssues(state).map((i) => ({
    id: i.id,
    title: i.title,
    status: i.status,
    awaiting: i.awaiting ? name(i.awaiting) : null,
    since: i.since,
    days: i.since ? days(i.since) : null,
    passes: i.passes,
  }));

  const moves: MoveView[] = [
    ...sortedIssues(state)
      .filter((i) => i.awaiting && i.since)
      .map((i) => ({
        subject: "issue" as const,
        id: i.id,
        title: i.title,
        awaiting: name(i.awaiting!),
        since: i.since!,
        days: days(i.since!),
      })),
    ...Object.values(state.meetings)
      .filter((m) => m.awaiting && m.since)
      .map((m) => ({
        subject: "meeting" as const,
        id: m.id,
        title: m.purpose ?? m.id,
        awaiting: name(m.awaiting!),
        since: m.since!,
        days: days(m.since!),
      })),
  ].sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.id.localeCompare(b.id)));

  return {
    dispute: state.slug,
    title: opened.title,
    timeZone: tz,
    asOf,
    asOfDate,
    agreement: {
      name: opened.agreement.name,
      expiresAt: opened.agreement.expiresAt,
      status: opened.agreement.status,
      tentativeAt: opened.agreement.tentativeAt,
      vote: opened.agreement.vote,
      term: opened.agreement.term,
    },
    sides: sortedSides(state).map((s) => ({
      id: s.id,
      name: s.name,
      shortName: s.shortName,
      organizations: s.orgs.flatMap((id) => {
        const o = state.orgs[id];
        if (!o) return [];
        const represents = o.represents.map((r) => state.orgs[r]?.shortName ?? r);
        return [{ id: o.id, name: o.name, shortName: o.shortName, kind: o.kind, represents }];
      }),
    })),
    stoppages: [...own, ...concurrent].sort((a, b) => (a.start < b.start ? -1 : 1)),
    lastMeeting: last ? meetingView(last, tz) : null,
    nextMeeting: next ? meetingView(next, tz) : null,
    issues,
    moves,
    tentativeAgreements: by(Object.values(state.tas), (t) => [t.seq]).map((t) => ({
      seq: t.seq,
      issues: t.issues,
      wholeAgreement: t.wholeAgreement,
      signedBy: t.signedBy.map(name),
      complete: t.completedAt !== null,
      date: localDate(t.completedAt ?? t.signedAt, tz),
    })),
    requestsForComment: by(Object.values(state.requests), (r) => [r.askedAt, r.id]).map((r) => ({
      id: r.id,
      from: orgName(state, r.from),
      to: orgName(state, r.to),
      askedAt: r.askedAt,
      deadline: r.deadline,
      status: r.response ? r.response.kind : r.deadline < asOf ? "no-response" : "pending",
    })),
    impact: by(Object.values(state.impact), (f) => [f.asOf, f.id]),
    statements: { count: state.statements.count, recent: state.statements.recent },
    responseTimes: by(Object.entries(state.responses), ([side]) => [
      state.sides[side]?.order ?? 99,
      side,
    ]).map(([side, r]) => ({
      side: name(side),
      count: r.count,
      averageDays: minutesAsDays(r.count === 0 ? 0 : Math.round(r.totalMinutes / r.count)),
      maxDays: minutesAsDays(r.maxMinutes),
    })),
    entries: state.entries,
  };
}

function stoppageView(
  dispute: string,
  st: StoppageState,
  organizations: string[],
  against: string[],
  asOf: string,
  tz: string,
  concurrent: boolean,
): StoppageView {
  const end = st.end && st.end <= asOf ? st.end : null;
  const day = stoppageDay(st.start, end, asOf, tz);
  const first = localDate(st.start, tz);
  const last = end ? stoppageLastDay(st.start, end, tz) : day === null ? null : localDate(asOf, tz);
  // FIX (pre-1971 stoppages): workdays need the federal holiday tables, which start in 1971
  // and throw before; a back-filled older stoppage made the whole status throw.
  const countable = Number(first.slice(0, 4)) >= FIRST_HOLIDAY_YEAR;
  const workdays = countable && last && last >= first ? workdaysBetween(first, last) : null;
  return {
    id: st.id,
    dispute,
    kind: st.kind,
    organizations: [...new Set(organizations)],
    against: [...new Set(against)],
    start: st.start,
    end,
    day,
    lastDay: end ? last : null,
    workdays,
    idleDays: countable && st.workers && last && last >= first ? idleDays(st.workers, first, last) : null,
    workers: st.workers,
    concurrent,
  };
}

/**
 * Records come back from snapshots with their keys sorted (snapshots are canonical JSON), so
 * every list here is put in an order of its own rather than the order keys were inserted.
 */
function by<T>(items: T[], key: (item: T) => (string | number)[]): T[] {
  return items
    .map((item) => ({ item, k: key(item) }))
    .sort((a, b) => {
      for (let i = 0; i < a.k.length; i++) {
        const x = a.k[i]!;
        const y = b.k[i]!;
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    })
    .map((x) => x.item);
}

function sortedIssues(state: DisputeState) {
  return by(Object.values(state.issues), (i) => [i.openedAt, i.id]);
}

function sortedSides(state: DisputeState) {
  return by(Object.values(state.sides), (s) => [s.order, s.id]);
}

function overlaps(a: StoppageView, b: StoppageView): boolean {
  const aEnd = a.end ?? "9999";
  const bEnd = b.end ?? "9999";
  return a.start < bEnd && b.start < aEnd;
}

function meetingView(m: MeetingState, tz: string): MeetingView {
  return {
    id: m.id,
    kind: m.kind,
    date: localDate(m.start!, tz),
    start: m.start!,
    end: m.end,
    place: m.place,
    status: m.status,
  };
}

/** A side's short name; an organization not on a side is shown under its own short name. */
export function sideName(state: DisputeState, id: string): string {
  // FIX (own-property lookups, see own() in evolve.ts): "constructor" named no one.
  const side = ownProperty(state.sides, id);
  if (side) return side.shortName;
  const org = ownProperty(state.orgs, id);
  if (org?.side) return ownProperty(state.sides, org.side)?.shortName ?? org.shortName;
  return org?.shortName ?? id;
}

function orgName(state: DisputeState, id: string): string {
  return ownProperty(state.orgs, id)?.shortName ?? id;
}

/** Days with one decimal, as a string: derived figures follow the no-floats rule too. */
function minutesAsDays(minutes: number): string {
  const tenths = Math.round((minutes * 10) / 1440);
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}
