import ical, { type ICalCalendar, ICalEventStatus } from "ical-generator";
import { Temporal } from "temporal-polyfill";
import type { DisputeState, MeetingState } from "../domain/state.ts";

/**
 * iCalendar (RFC 5545) views of a dispute's meetings. The input is a state already folded for
 * one viewer (`parley.view`), so a feed can only hold what that viewer may see: this module
 * never decides visibility itself. No I/O and no clock: the same state gives the same bytes,
 * which is what lets calendar clients match events across refreshes.
 */

const KIND_LABEL: Record<MeetingState["kind"], string> = {
  table: "Table session",
  caucus: "Caucus",
  side: "Side meeting",
};

/** A meeting goes on a calendar only once it has both ends: a request with proposed times does not. */
export function calendarMeetings(state: DisputeState): (MeetingState & { start: string; end: string })[] {
  return Object.values(state.meetings)
    .filter((m): m is MeetingState & { start: string; end: string } => m.start !== null && m.end !== null)
    .sort((a, b) =>
      a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
}

/** Every meeting of the dispute that has times, as one calendar. */
export function disputeCalendar(state: DisputeState): string {
  return render(state, calendarMeetings(state));
}

/** One meeting's .ics, or null when this viewer's state has no such meeting or it has no times yet. */
export function meetingCalendar(state: DisputeState, meetingId: string): string | null {
  // Meeting ids are user input and `meetings` is a plain object: "constructor" must not resolve.
  if (!Object.hasOwn(state.meetings, meetingId)) return null;
  const m = state.meetings[meetingId]!;
  if (m.start === null || m.end === null) return null;
  return render(state, [{ ...m, start: m.start, end: m.end }]);
}

export function meetingUid(slug: string, meetingId: string): string {
  return `${meetingId}@${slug}.parley`;
}

function render(state: DisputeState, meetings: (MeetingState & { start: string; end: string })[]): string {
  const title = state.opened?.title ?? state.slug;
  const zone = state.opened?.timeZone ?? "UTC";
  const instants = meetings.flatMap((m) => [Temporal.Instant.from(m.start), Temporal.Instant.from(m.end)]);
  const first = instants.reduce<Temporal.Instant | null>(
    (a, b) => (a === null || Temporal.Instant.compare(b, a) < 0 ? b : a),
    null,
  );
  const last = instants.reduce<Temporal.Instant | null>(
    (a, b) => (a === null || Temporal.Instant.compare(b, a) > 0 ? b : a),
    null,
  );

  const cal: ICalCalendar = ical({
    prodId: { company: "Parley", product: "Parley", language: "EN" },
    name: title,
    // A calendar-level zone *name* would make ical-generator write DTSTAMP (and any other UTC
    // property) as the server's local wall time without a Z. So the name stays null, each event
    // carries the zone, and the calendar contributes only the VTIMEZONE generator.
    timezone: {
      name: null,
      generator: (tz) => (first && last ? vtimezone(tz, first, last) : null),
    },
  });

  for (const m of meetings) {
    const start = Temporal.Instant.from(m.start).toZonedDateTimeISO(zone);
    const end = Temporal.Instant.from(m.end).toZonedDateTimeISO(zone);
    // RFC 5545 reads a repeated wall time (the hour the clocks fall back) as its first
    // occurrence, so a meeting in the second one would be an hour early under TZID: such an
    // event is written in UTC instead, which every client reads exactly.
    const local = wallTimeIsExact(start) && wallTimeIsExact(end);
    cal.createEvent({
      id: meetingUid(state.slug, m.id),
      // ical-generator formats a Date under TZID in the process's own zone; a ZonedDateTime
      // in the dispute's zone is formatted by its own wall time, whatever TZ the server has.
      start: local ? start : start.toInstant(),
      end: local ? end : end.toInstant(),
      timezone: local ? zone : null,
      // The last change in the record, not the render time, so that feeds are reproducible.
      stamp: new Date(m.updatedAt),
      summary: `${KIND_LABEL[m.kind]}: ${title}`,
      location: m.place,
      description: m.purpose,
      status: statusOf(m),
    });
  }
  return cal.toString();
}

function statusOf(m: MeetingState): ICalEventStatus {
  switch (m.status) {
    case "cancelled":
    case "declined":
      return ICalEventStatus.CANCELLED;
    case "scheduled":
    case "held":
      return ICalEventStatus.CONFIRMED;
    default:
      return ICalEventStatus.TENTATIVE;
  }
}

function wallTimeIsExact(z: Temporal.ZonedDateTime): boolean {
  const back = z.toPlainDateTime().toZonedDateTime(z.timeZoneId, { disambiguation: "earlier" });
  return back.epochNanoseconds === z.epochNanoseconds;
}

/**
 * A VTIMEZONE for `zone` that is exact between `from` and `to`, built from the runtime's tz
 * data through Temporal (no network, no bundled tables). Each transition is its own observance
 * with an explicit DTSTART rather than an RRULE: rules change (the US moved its DST dates in
 * 2007), and explicit onsets cannot be misread. The first observance is the transition in force
 * at `from`, so every event in the range falls under one.
 */
export function vtimezone(zone: string, from: Temporal.Instant, to: Temporal.Instant): string {
  const lines = ["BEGIN:VTIMEZONE", `TZID:${zone}`];
  // "previous" is strictly before: nudged by 1 ns, a meeting starting at a transition keeps it.
  const inForce = from.add({ nanoseconds: 1 }).toZonedDateTimeISO(zone).getTimeZoneTransition("previous");
  if (inForce === null) {
    const offset = icalOffset(from.toZonedDateTimeISO(zone).offsetNanoseconds);
    lines.push(
      "BEGIN:STANDARD",
      "DTSTART:19700101T000000",
      `TZOFFSETFROM:${offset}`,
      `TZOFFSETTO:${offset}`,
      "END:STANDARD",
    );
  } else {
    // A range of a few years has a few transitions a year; the bound only guards against a loop.
    let t: Temporal.ZonedDateTime | null = inForce;
    for (let i = 0; t !== null && Temporal.Instant.compare(t.toInstant(), to) <= 0 && i < 10_000; i++) {
      lines.push(...observance(t));
      t = t.getTimeZoneTransition("next");
    }
  }
  lines.push("END:VTIMEZONE");
  return lines.join("\r\n");
}

function observance(t: Temporal.ZonedDateTime): string[] {
  const instant = t.toInstant();
  const before = Temporal.Instant.fromEpochNanoseconds(instant.epochNanoseconds - 1n).toZonedDateTimeISO(
    t.timeZoneId,
  ).offsetNanoseconds;
  const after = t.offsetNanoseconds;
  // DTSTART is the onset in the wall time that was in force until then (RFC 5545 3.6.5).
  const onset = Temporal.Instant.fromEpochNanoseconds(instant.epochNanoseconds + BigInt(before))
    .toZonedDateTimeISO("UTC")
    .toPlainDateTime();
  // Clients compute times from the offsets; STANDARD or DAYLIGHT is a label. Clocks going
  // forward is the label's usual meaning, and needs no table of which zones observe DST.
  const kind = after > before ? "DAYLIGHT" : "STANDARD";
  const name = zoneAbbreviation(t.timeZoneId, instant);
  return [
    `BEGIN:${kind}`,
    `DTSTART:${basic(onset)}`,
    `TZOFFSETFROM:${icalOffset(before)}`,
    `TZOFFSETTO:${icalOffset(after)}`,
    ...(name ? [`TZNAME:${name}`] : []),
    `END:${kind}`,
  ];
}

function basic(d: Temporal.PlainDateTime): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.year, 4)}${p(d.month)}${p(d.day)}T${p(d.hour)}${p(d.minute)}${p(d.second)}`;
}

/** RFC 5545 utc-offset: ±HHMM, with seconds only when the offset has them (old local mean times). */
function icalOffset(ns: number): string {
  const sign = ns < 0 ? "-" : "+";
  const total = Math.round(Math.abs(ns) / 1e9);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${sign}${p(h)}${p(m)}${s ? p(s) : ""}`;
}

function zoneAbbreviation(zone: string, at: Temporal.Instant): string | null {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
    .formatToParts(new Date(at.epochMilliseconds))
    .find((p) => p.type === "timeZoneName");
  // TZNAME is TEXT: keep it to characters that need no escaping.
  return part && /^[A-Za-z0-9+\-:]+$/.test(part.value) ? part.value : null;
}
