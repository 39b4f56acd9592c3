import { z } from "zod";
import { CalendarDate, Decimal, Id, Instant, Line, Organization, Text, TimeZone, Url } from "./values.ts";

/**
 * The event catalogue: one zod schema per entry type. An entry's payload is validated against
 * its schema both when it is recorded and when a ledger is replayed or imported, so a schema
 * here is a promise about signed bytes: change one only by adding a new version.
 */

const Term = z.strictObject({
  key: Id,
  value: Decimal,
  unit: Line(40),
  note: Line(200).optional(),
});

const PassOnIssue = z.strictObject({
  issue: Id,
  language: Text(50_000),
  terms: z.array(Term).max(100).default([]),
});

const TimeSlot = z.strictObject({ start: Instant, end: Instant });

const Attendee = z.strictObject({ name: Line(120), org: Id });

const Vote = z.strictObject({
  yes: z.number().int().nonnegative(),
  no: z.number().int().nonnegative(),
  eligible: z.number().int().nonnegative().optional(),
  turnout: Decimal.optional(),
});

export const PAYLOADS = {
  "dispute.opened": z.strictObject({
    title: Line(200),
    timeZone: TimeZone,
    agreement: z.strictObject({ name: Line(200), expiresAt: Instant.nullable() }),
    sides: z
      .array(z.strictObject({ id: Id, name: Line(120), shortName: Line(40) }))
      .length(2, "a dispute has two sides; several organizations may bargain together on one side"),
  }),
  /** An organization takes its seat on a side, naming whom it bargains for. Self-signed. */
  "party.joined": z.strictObject({
    org: Organization,
    side: Id,
    represents: z.array(Organization).max(500).default([]),
  }),
  /** An organization that is not at the table but acts in the record (press, other unions…). */
  "organization.registered": z.strictObject({ org: Organization }),
  "representation.updated": z.strictObject({
    add: z.array(Organization).max(500).default([]),
    remove: z.array(Id).max(500).default([]),
  }),

  "issue.opened": z.strictObject({ issue: Id, title: Line(200), article: Line(80).optional() }),
  "issue.withdrawn": z.strictObject({ issue: Id, reason: Text(5_000).optional() }),
  "issue.dropped": z.strictObject({ issue: Id, reason: Text(5_000).optional() }),
  /** A proposal or counterproposal; several issues at once make a package. */
  "pass.made": z.strictObject({
    kind: z.enum(["proposal", "counterproposal"]),
    summary: Text(5_000).optional(),
    issues: z.array(PassOnIssue).min(1).max(200),
  }),
  /** One side's signature on a TA; the other side countersigns by referencing it. */
  "ta.signed": z.strictObject({
    issues: z.array(Id).min(1).max(200),
    wholeAgreement: z.boolean().default(false),
    language: Text(50_000).optional(),
    countersigns: z.number().int().nonnegative().optional(),
  }),
  "agreement.voted": z.strictObject({
    result: z.enum(["ratified", "rejected"]),
    vote: Vote,
    votingOpened: CalendarDate.optional(),
    votingClosed: CalendarDate,
    term: z.strictObject({ start: CalendarDate, end: CalendarDate }).optional(),
  }),

  "meeting.requested": z.strictObject({
    meeting: Id,
    kind: z.enum(["table", "side"]),
    purpose: Text(2_000),
    proposedTimes: z.array(TimeSlot).max(20).default([]),
    with: z.array(Id).max(20).default([]),
  }),
  "meeting.answered": z.strictObject({
    meeting: Id,
    answer: z.enum(["accepted", "declined", "countered"]),
    proposedTimes: z.array(TimeSlot).max(20).default([]),
    note: Text(2_000).optional(),
  }),
  "meeting.scheduled": z.strictObject({
    meeting: Id,
    kind: z.enum(["table", "caucus", "side"]),
    start: Instant,
    end: Instant,
    timeZone: TimeZone.optional(),
    place: Line(200).optional(),
    link: Url.optional(),
    with: z.array(Id).max(20).default([]),
    purpose: Text(2_000).optional(),
  }),
  "meeting.held": z.strictObject({
    meeting: Id,
    start: Instant.optional(),
    end: Instant.optional(),
    attendees: z.array(Attendee).max(200).default([]),
    summary: Text(20_000).optional(),
  }),
  "meeting.postponed": z.strictObject({
    meeting: Id,
    reason: Text(2_000).optional(),
    start: Instant.optional(),
    end: Instant.optional(),
  }),
  "meeting.cancelled": z.strictObject({ meeting: Id, reason: Text(2_000).optional() }),
  /** A caucus note or any other free-form record, typically private. */
  "note.recorded": z.strictObject({ meeting: Id.optional(), text: Text(50_000) }),

  "stoppage.started": z.strictObject({
    stoppage: Id,
    kind: z.enum(["strike", "lockout"]),
    by: z.array(Id).min(1).max(20),
    against: z.array(Id).min(1).max(500),
    start: Instant,
    workers: z.number().int().positive().optional(),
  }),
  "stoppage.joined": z.strictObject({
    stoppage: Id,
    org: Id,
    at: Instant,
    workers: z.number().int().positive().optional(),
  }),
  "stoppage.ended": z.strictObject({ stoppage: Id, end: Instant }),

  "statement.made": z.strictObject({
    by: Id,
    speaker: Line(120).optional(),
    channel: z.enum(["press-release", "member-update", "social", "interview", "press-conference", "other"]),
    text: Text(20_000),
    url: Url.optional(),
  }),
  "comment.requested": z.strictObject({
    request: Id,
    to: Id,
    question: Text(5_000),
    deadline: Instant,
  }),
  "comment.answered": z.strictObject({
    request: Id,
    response: z.enum(["responded", "declined"]),
    text: Text(20_000).optional(),
  }),

  "impact.reported": z.strictObject({
    figure: Id,
    what: Line(200),
    value: Decimal.optional(),
    low: Decimal.optional(),
    high: Decimal.optional(),
    unit: Line(40),
    asOf: CalendarDate,
    method: Text(2_000),
    source: z.strictObject({ name: Line(200), url: Url.optional() }),
  }),

  /** Makes an earlier entry of the same organization public from this point on. */
  "entry.published": z.strictObject({ entry: z.number().int().nonnegative(), note: Text(2_000).optional() }),
  /** A correction or retraction of an earlier entry of the same organization. */
  "entry.corrected": z.strictObject({
    entry: z.number().int().nonnegative(),
    action: z.enum(["correct", "retract"]),
    reason: Text(2_000),
    text: Text(50_000).optional(),
  }),
} as const;

export type EntryType = keyof typeof PAYLOADS;
export const ENTRY_TYPES = Object.keys(PAYLOADS) as EntryType[];
export type Payload<T extends EntryType> = z.infer<(typeof PAYLOADS)[T]>;

/** Every type's schema version; bump alongside a new schema, keep the old one for replay. */
export const SCHEMA_VERSION = 1;

export function isEntryType(type: string): type is EntryType {
  return Object.hasOwn(PAYLOADS, type);
}
