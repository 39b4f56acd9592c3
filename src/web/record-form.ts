import { Temporal } from "temporal-polyfill";
import type { z } from "zod";
import type { EntryType } from "../domain/events.ts";
import { PAYLOADS } from "../domain/events.ts";
import { Visibility } from "../domain/values.ts";

/**
 * From an HTML form of the record pages to the command the app executes, and from what went
 * wrong back to the fields: pure, no I/O. Field names follow the payload's paths
 * (`issues.0.terms.1.value`, `source.name`), so a schema issue's path names its field; rows a
 * reader left blank are dropped, and the indices of the rows kept are remembered so that an
 * issue about the payload's second term still points at the row the reader filled in.
 */

/** The entry types that have a form, in the order the index lists them. */
export const RECORD_TYPES = [
  "pass.made",
  "ta.signed",
  "issue.opened",
  "meeting.requested",
  "meeting.answered",
  "meeting.scheduled",
  "meeting.held",
  "meeting.postponed",
  "meeting.cancelled",
  "note.recorded",
  "stoppage.started",
  "stoppage.joined",
  "stoppage.ended",
  "statement.made",
  "comment.requested",
  "comment.answered",
  "impact.reported",
  "entry.published",
  "entry.corrected",
] as const satisfies readonly EntryType[];
export type RecordType = (typeof RECORD_TYPES)[number];

export function isRecordType(type: string): type is RecordType {
  return (RECORD_TYPES as readonly string[]).includes(type);
}

/** A urlencoded form body as @fastify/formbody parses it: a repeated name gives an array. */
export type FormBody = Record<string, string | string[] | undefined>;

/** The hidden field holding the time a fresh form offered as "now" (see the record route). */
export const OFFERED_NOW = "occurredAtOffered";

/** A message for one field (its form name), or for the whole form when `field` is null. */
export interface FieldError {
  field: string | null;
  message: string;
}

export interface MapContext {
  /** The dispute's IANA zone: datetime-local fields are read as wall-clock time there. */
  timeZone: string;
  /** Today in that zone (YYYY-MM-DD), for ids made from a date when none is given. */
  today: string;
  /** The issues of a tentative agreement, by its entry number: a countersignature covers them. */
  taIssues?: (seq: number) => readonly string[] | undefined;
}

/** The command a form asks for, before the app decides on it. */
export interface Submission {
  type: RecordType;
  /** The organization to record for (`as`), when the form says. */
  as: string | null;
  visibility: string;
  /** An instant, or null for "now". */
  occurredAt: string | null;
  payload: Record<string, unknown>;
  /** The form field an issue about the payload at `path` belongs to (null: the whole form). */
  fieldOf(path: readonly PropertyKey[]): string | null;
}

export type Checked =
  | { ok: true; submission: Submission }
  | { ok: false; submission: Submission; errors: FieldError[] };

// ---- dates and times ----

const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/** A datetime-local value (wall-clock time in `timeZone`) as a UTC instant, or null if it is not one. */
export function localToInstant(value: string, timeZone: string): string | null {
  if (!LOCAL.test(value)) return null;
  try {
    return Temporal.PlainDateTime.from(value).toZonedDateTime(timeZone).toInstant().toString();
  } catch {
    return null;
  }
}

/** An instant as a datetime-local value in `timeZone`, to the minute. */
export function instantToLocal(instant: string, timeZone: string): string {
  return Temporal.Instant.from(instant)
    .toZonedDateTimeISO(timeZone)
    .toPlainDateTime()
    .toString({ smallestUnit: "minute" });
}

/** An id made from words: "Viewership data (streaming)" -> "viewership-data-streaming". */
export function slugify(text: string): string | undefined {
  const slug = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 64)
    .replace(/-+$/, "");
  return slug === "" ? undefined : slug;
}

// ---- reading a form ----

const TERM_FIELDS = ["key", "value", "unit", "note"] as const;

class Reader {
  readonly errors: FieldError[] = [];
  constructor(
    private readonly body: FormBody,
    private readonly timeZone: string,
  ) {}

  /** The field's (first) value, line breaks normalized; "" when absent. */
  one(name: string): string {
    const v = this.body[name];
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === "string" ? first.replace(/\r\n?/g, "\n") : "";
  }

  /** Free text, kept as typed; undefined when blank. */
  text(name: string): string | undefined {
    const v = this.one(name);
    return v.trim() === "" ? undefined : v;
  }

  /** A one-line value or an id, trimmed; undefined when blank. */
  line(name: string): string | undefined {
    const v = this.one(name).trim();
    return v === "" ? undefined : v;
  }

  /** Every non-blank value of a repeated field (checkboxes, multiple selects), once each. */
  many(name: string): string[] {
    const v = this.body[name];
    const all = (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((s) => String(s).trim());
    return [...new Set(all.filter((s) => s !== ""))];
  }

  /** A checkbox: ticked or not. */
  flag(name: string): boolean {
    return this.many(name).some((v) => v === "on" || v === "true" || v === "yes");
  }

  /** A whole number; a message at the field for anything else. */
  int(name: string, what = "a whole number, such as 11500"): number | undefined {
    const v = this.line(name);
    if (v === undefined) return undefined;
    const digits = v.replace(/[,\s_]/g, "");
    if (/^\d{1,15}$/.test(digits)) return Number(digits);
    this.errors.push({ field: name, message: `Enter ${what}.` });
    return undefined;
  }

  /** A date and time as the reader gave it where the dispute happens, as a UTC instant. */
  instant(name: string): string | undefined {
    const v = this.line(name);
    if (v === undefined) return undefined;
    const instant = localToInstant(v, this.timeZone);
    if (instant === null) {
      this.errors.push({ field: name, message: "Enter a date and time, such as 2023-09-20T10:00." });
      return undefined;
    }
    return instant;
  }

  /** The local date of a datetime-local field, if it has a valid one. */
  localDate(name: string): string | undefined {
    const v = this.line(name);
    return v !== undefined && localToInstant(v, this.timeZone) !== null ? v.slice(0, 10) : undefined;
  }

  /**
   * The rows of a repeated group (`prefix.N.field`), in the order of N, without the blank ones:
   * each with its index in the form.
   */
  rows(prefix: string, fields: readonly string[]): number[] {
    return this.indices(prefix).filter((i) =>
      fields.some((f) => this.one(`${prefix}.${i}.${f}`).trim() !== ""),
    );
  }

  /** Every index N of a repeated group (`prefix.N.…`) in the form, blank or not, in order. */
  indices(prefix: string): number[] {
    const found = new Set<number>();
    const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d{1,3})\\.`);
    for (const key of Object.keys(this.body)) {
      const m = pattern.exec(key);
      if (m) found.add(Number(m[1]));
    }
    return [...found].sort((a, b) => a - b);
  }
}

/** Drops the keys whose value is undefined: the payload then says only what the reader said. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

interface Mapping {
  payload: Record<string, unknown>;
  /** For each array of rows (by its payload path), the form index of each payload element. */
  arrays: Map<string, number[]>;
  /** Field names that differ from the payload's path. */
  rename: Record<string, string>;
}

function mapPayload(type: RecordType, r: Reader, ctx: MapContext): Mapping {
  const arrays = new Map<string, number[]>();
  const rename: Record<string, string> = {};
  const date = (field: string) => r.localDate(field) ?? r.localDate("occurredAt") ?? ctx.today;
  const times = (prefix: string) => {
    const rows = r.rows(prefix, ["start", "end"]);
    arrays.set(prefix, rows);
    return rows.map((i) =>
      defined({ start: r.instant(`${prefix}.${i}.start`), end: r.instant(`${prefix}.${i}.end`) }),
    );
  };
  const map = (payload: Record<string, unknown>): Mapping => ({ payload: defined(payload), arrays, rename });

  switch (type) {
    case "issue.opened": {
      const title = r.line("title");
      return map({
        issue: r.line("issue") ?? (title ? slugify(title) : undefined),
        title,
        article: r.line("article"),
      });
    }
    case "pass.made": {
      // A block counts if anything in it is filled in, a term alone included (its issue is then missing).
      const written = new Set(r.rows("issues", ["issue", "language"]));
      const blocks = r
        .indices("issues")
        .filter((i) => written.has(i) || r.rows(`issues.${i}.terms`, TERM_FIELDS).length > 0);
      arrays.set("issues", blocks);
      // "At least one issue" belongs to the first block's issue.
      rename.issues = `issues.${r.indices("issues")[0] ?? 0}.issue`;
      const issues = blocks.map((i, k) => {
        const terms = r.rows(`issues.${i}.terms`, TERM_FIELDS);
        arrays.set(`issues.${k}.terms`, terms);
        return defined({
          issue: r.line(`issues.${i}.issue`),
          language: r.text(`issues.${i}.language`),
          terms: terms.map((t) => {
            const f = `issues.${i}.terms.${t}`;
            return defined({
              key: r.line(`${f}.key`),
              value: r.line(`${f}.value`),
              unit: r.line(`${f}.unit`),
              note: r.line(`${f}.note`),
            });
          }),
        });
      });
      return map({ kind: r.line("kind"), summary: r.text("summary"), issues });
    }
    case "ta.signed": {
      const countersigns = r.int("countersigns", "the number of a tentative agreement");
      let issues = r.many("issues");
      if (issues.length === 0 && countersigns !== undefined)
        issues = [...(ctx.taIssues?.(countersigns) ?? [])];
      return map({
        issues,
        wholeAgreement: r.flag("wholeAgreement"),
        language: r.text("language"),
        countersigns,
      });
    }
    case "meeting.requested": {
      const kind = r.line("kind");
      return map({
        meeting: r.line("meeting") ?? `${kind ?? "meeting"}-request-${date("occurredAt")}`,
        kind,
        purpose: r.text("purpose"),
        proposedTimes: times("proposedTimes"),
        with: r.many("with"),
      });
    }
    case "meeting.answered":
      return map({
        meeting: r.line("meeting"),
        answer: r.line("answer"),
        proposedTimes: times("proposedTimes"),
        note: r.text("note"),
      });
    case "meeting.scheduled": {
      const kind = r.line("kind");
      const existing = r.line("meeting");
      if (!existing) rename.meeting = "newMeeting";
      return map({
        meeting: existing ?? r.line("newMeeting") ?? `${kind ?? "meeting"}-${date("start")}`,
        kind,
        start: r.instant("start"),
        end: r.instant("end"),
        place: r.line("place"),
        link: r.line("link"),
        with: r.many("with"),
        purpose: r.text("purpose"),
      });
    }
    case "meeting.held": {
      const rows = r.rows("attendees", ["name"]);
      arrays.set("attendees", rows);
      return map({
        meeting: r.line("meeting"),
        start: r.instant("start"),
        end: r.instant("end"),
        attendees: rows.map((i) =>
          defined({ name: r.line(`attendees.${i}.name`), org: r.line(`attendees.${i}.org`) }),
        ),
        summary: r.text("summary"),
      });
    }
    case "meeting.postponed":
      return map({
        meeting: r.line("meeting"),
        reason: r.text("reason"),
        start: r.instant("start"),
        end: r.instant("end"),
      });
    case "meeting.cancelled":
      return map({ meeting: r.line("meeting"), reason: r.text("reason") });
    case "note.recorded":
      return map({ meeting: r.line("meeting"), text: r.text("text") });
    case "stoppage.started": {
      const kind = r.line("kind");
      return map({
        stoppage: r.line("stoppage") ?? `${kind ?? "stoppage"}-${date("start")}`,
        kind,
        by: r.many("by"),
        against: r.many("against"),
        start: r.instant("start"),
        workers: r.int("workers"),
      });
    }
    case "stoppage.joined":
      return map({
        stoppage: r.line("stoppage"),
        org: r.line("org"),
        at: r.instant("at"),
        workers: r.int("workers"),
      });
    case "stoppage.ended":
      return map({ stoppage: r.line("stoppage"), end: r.instant("end") });
    case "statement.made":
      return map({
        by: r.line("by"),
        speaker: r.line("speaker"),
        channel: r.line("channel"),
        text: r.text("text"),
        url: r.line("url"),
      });
    case "comment.requested": {
      const to = r.line("to");
      return map({
        request: r.line("request") ?? (to ? `rfc-${to}-${date("occurredAt")}`.slice(0, 64) : undefined),
        to,
        question: r.text("question"),
        deadline: r.instant("deadline"),
      });
    }
    case "comment.answered":
      return map({ request: r.line("request"), response: r.line("response"), text: r.text("text") });
    case "impact.reported": {
      const what = r.line("what");
      // Always an object, so that a missing name is reported at the name's field.
      const name = r.line("source.name");
      const url = r.line("source.url");
      return map({
        figure: r.line("figure") ?? (what ? slugify(what) : undefined),
        what,
        value: r.line("value"),
        low: r.line("low"),
        high: r.line("high"),
        unit: r.line("unit"),
        asOf: r.line("asOf"),
        method: r.text("method"),
        source: defined({ name, url }),
      });
    }
    case "entry.published":
      return map({ entry: r.int("entry", "an entry number"), note: r.text("note") });
    case "entry.corrected":
      return map({
        entry: r.int("entry", "an entry number"),
        action: r.line("action"),
        reason: r.text("reason"),
        text: r.text("text"),
      });
  }
}

/** Where a payload path lands in the form (see Mapping). */
function fieldFinder(m: Mapping) {
  return (path: readonly PropertyKey[]): string | null => {
    const names: string[] = [];
    const prefix: string[] = [];
    for (const seg of path) {
      if (typeof seg === "number") {
        const rows = m.arrays.get(prefix.join("."));
        // An element of a multi-valued field (checkboxes) belongs to the field as a whole.
        if (!rows) break;
        names.push(String(rows[seg] ?? seg));
      } else {
        names.push(String(seg));
      }
      prefix.push(String(seg));
    }
    if (names.length === 0) return null;
    const name = names.join(".");
    return m.rename[name] ?? name;
  };
}

/** A schema's message as a person filling in a form needs it. */
export function friendlyMessage(issue: z.core.$ZodIssue): string {
  const msg = issue.message;
  if (issue.code === "invalid_type") {
    if (/received undefined/.test(msg)) return "This is required.";
    if (issue.expected === "number") return "Enter a whole number.";
    if (issue.expected === "array") return "Choose at least one.";
  }
  if (issue.code === "too_small" && issue.minimum === 1) {
    return issue.origin === "array" ? "Choose at least one." : "This is required.";
  }
  if (issue.code === "too_big" && issue.origin === "string")
    return `Keep it to ${issue.maximum} characters or fewer.`;
  if (issue.code === "too_big" && issue.origin === "array") return `Give ${issue.maximum} or fewer.`;
  if (issue.code === "invalid_value") return `Choose one of: ${issue.values.map(String).join(", ")}.`;
  if (issue.code === "invalid_format" && issue.format === "url")
    return "Enter a link starting with https://.";
  if (msg.startsWith("a decimal number"))
    return "Enter a number such as 3.5 or -17000, without thousands separators.";
  if (msg.startsWith("lowercase letters")) {
    return "Use lowercase letters, digits and dashes, such as staffing-minimums.";
  }
  if (msg === "one non-empty line") return "Write it on one line.";
  if (msg === "an http(s) link") return "Enter a link starting with https://.";
  if (msg === "a date as YYYY-MM-DD") return "Enter a date, such as 2023-09-14.";
  return msg.charAt(0).toUpperCase() + msg.slice(1) + (/[.!?]$/.test(msg) ? "" : ".");
}

/** One message per field (the first), in the order they were found. */
function firstPerField(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.field === null) return true;
    if (seen.has(e.field)) return false;
    seen.add(e.field);
    return true;
  });
}

/**
 * Reads a form into the command it asks for and checks it with the catalogue's own schema,
 * as the domain will: every problem comes back at its field.
 */
export function checkSubmission(type: RecordType, body: FormBody, ctx: MapContext): Checked {
  const r = new Reader(body, ctx.timeZone);
  const occurredAt = r.instant("occurredAt") ?? null;
  const mapping = mapPayload(type, r, ctx);
  const visibility = type === "entry.published" ? "public" : (r.line("visibility") ?? "");
  const submission: Submission = {
    type,
    as: r.line("as") ?? null,
    visibility,
    occurredAt,
    payload: mapping.payload,
    fieldOf: fieldFinder(mapping),
  };
  const errors = [...r.errors];
  if (!Visibility.safeParse(visibility).success) {
    errors.push({ field: "visibility", message: "Choose who may see it." });
  }
  const parsed = (PAYLOADS[type] as z.ZodType).safeParse(mapping.payload);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push({ field: submission.fieldOf(issue.path), message: friendlyMessage(issue) });
    }
  }
  return errors.length === 0
    ? { ok: true, submission }
    : { ok: false, submission, errors: firstPerField(errors) };
}

/** A refusal of the app (a ParleyError's code, message and details), as it reads to the form. */
export interface Refusal {
  code: string;
  message: string;
  details?: Record<string, unknown> | undefined;
}

/**
 * Where a refusal by the dispute's rules belongs in the form: the domain names its code and,
 * for schema failures, the path; the rest is known per code.
 */
export function refusalErrors(s: Submission, err: Refusal): FieldError[] {
  const p = s.payload;
  const at = (...path: PropertyKey[]) => s.fieldOf(path);
  const one = (field: string | null): FieldError[] => [{ field, message: err.message }];
  const indexOf = (list: unknown, pick: (x: Record<string, unknown>) => unknown, value: unknown) =>
    Array.isArray(list) ? list.findIndex((x) => pick(x as Record<string, unknown>) === value) : -1;

  const issues = err.details?.issues;
  if (err.code === "VALIDATION_FAILED" && Array.isArray(issues) && issues.length > 0) {
    return firstPerField(
      issues.map((i: { path?: unknown; message?: unknown }) => {
        const path = String(i.path ?? "").split(".");
        const field =
          path[0] === "payload"
            ? at(...path.slice(1).map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg)))
            : path[0] === "occurredAt" || path[0] === "visibility"
              ? path[0]
              : null;
        return { field, message: String(i.message ?? err.message) };
      }),
    );
  }
  switch (err.code) {
    case "OCCURRED_IN_FUTURE":
      return [{ field: "occurredAt", message: "This lies in the future: give the time it happened." }];
    case "ISSUE_UNKNOWN":
    case "ISSUE_CLOSED":
    case "ISSUE_EXISTS": {
      if (s.type === "pass.made") {
        const k = indexOf(p.issues, (x) => x.issue, err.details?.issue);
        return one(at("issues", Math.max(k, 0), "issue"));
      }
      return one(s.type === "ta.signed" ? "issues" : "issue");
    }
    case "TA_UNKNOWN":
    case "TA_ALREADY_SIGNED":
    case "TA_ALREADY_COMPLETE":
      return one("countersigns");
    case "MEETING_ENDS_BEFORE_START": {
      if (s.type === "meeting.requested" || s.type === "meeting.answered") {
        const times = (p.proposedTimes ?? []) as { start?: string; end?: string }[];
        const k = times.findIndex((t) => t.start !== undefined && t.end !== undefined && t.end <= t.start);
        return one(at("proposedTimes", Math.max(k, 0), "end"));
      }
      return one("end");
    }
    case "MEETING_UNKNOWN":
    case "MEETING_EXISTS":
    case "MEETING_CLOSED":
    case "MEETING_NOT_AWAITING_ANSWER":
    case "MEETING_OWN_REQUEST":
      return one(at("meeting"));
    case "STOPPAGE_ENDS_BEFORE_START":
      return one(s.type === "stoppage.joined" ? "at" : "end");
    case "STOPPAGE_ALREADY_JOINED":
      return one("org");
    case "STOPPAGE_UNKNOWN":
    case "STOPPAGE_EXISTS":
    case "STOPPAGE_ENDED":
      return one("stoppage");
    case "REQUEST_UNKNOWN":
    case "REQUEST_EXISTS":
    case "REQUEST_ALREADY_ANSWERED":
    case "REQUEST_WRONG_RESPONDENT":
      return one("request");
    case "DEADLINE_BEFORE_ASKED":
      return one("deadline");
    case "IMPACT_RANGE_INVERTED":
      return one("low");
    case "ENTRY_UNKNOWN":
    case "ENTRY_NOT_OWN":
    case "ENTRY_ALREADY_PUBLIC":
    case "ENTRY_NOT_CORRECTABLE":
      return one("entry");
    case "ORG_UNKNOWN": {
      const org = err.details?.org;
      for (const key of ["by", "against", "with", "to", "org"]) {
        const v = p[key];
        if (v === org || (Array.isArray(v) && v.includes(org))) return one(key);
      }
      const k = indexOf(p.attendees, (x) => x.org, org);
      return one(k >= 0 ? at("attendees", k, "org") : null);
    }
    case "VALIDATION_FAILED": {
      const m = /^issue (\S+) appears twice/.exec(err.message);
      if (m && Array.isArray(p.issues)) {
        const list = p.issues as { issue?: string }[];
        const k = list.findLastIndex((x) => x.issue === m[1]);
        return one(at("issues", Math.max(k, 0), "issue"));
      }
      if (s.type === "ta.signed") return one("issues");
      if (s.type === "impact.reported") return one(/range/.test(err.message) ? "high" : "value");
      if (s.type === "entry.corrected") return one("text");
      return one(null);
    }
    default:
      return one(null);
  }
}
