import { z } from "zod";

// The .meta() below is documentation only (parsing is unchanged): JSON Schema, and so the
// OpenAPI document made from these schemas, cannot express refinements or transforms, so
// each schema with some says in words what they do. Clones (.optional(), .refine()…)
// inherit it.

/** Identifiers chosen by people (slugs): readable in URLs and stable in signed bytes. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and dashes, starting with a letter or digit")
  // Else the API reference makes a sample up from the pattern: 57 random letters.
  .meta({ examples: ["wga"] });

const INSTANT_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/**
 * `s` as toISOString writes it (with milliseconds), if it names a real instant in that form;
 * else null (2023-02-30, 24:00, a 60th second). The same answer as asking Date.parse and
 * comparing (the tests check both agree), at a fraction of the cost: every entry of a batch
 * passes through here. Read digit by digit, since a regular expression's match would
 * allocate an array and seven strings each time.
 */
export function normalInstant(s: string): string | null {
  // YYYY-MM-DDTHH:MM:SS, then Z, or a dot, one to three digits and Z.
  const length = s.length;
  if (length < 20 || length > 24 || s.charCodeAt(length - 1) !== Z) return null;
  if (s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH || s.charCodeAt(10) !== T) return null;
  if (s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON) return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  if (length === 20) return `${s.slice(0, 19)}.000Z`;
  const fraction = length - 21;
  if (fraction < 1 || s.charCodeAt(19) !== DOT || digits(s, 20, fraction) < 0) return null;
  return fraction === 3 ? s : `${s.slice(0, 20 + fraction)}${"0".repeat(3 - fraction)}Z`;
}

const Z = 90;
const T = 84;
const DASH = 45;
const COLON = 58;
const DOT = 46;

/** The number the `count` ASCII digits of `s` from `at` spell, or -1 if one is not a digit. */
function digits(s: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/**
 * An instant in UTC, e.g. 2023-05-02T07:01:00Z. It is normalized to the one form
 * toISOString gives (always milliseconds) so that instants compare correctly as strings,
 * in SQL and in code alike.
 */
export const Instant = z
  .string()
  .regex(INSTANT_FORM, "an ISO-8601 UTC instant ending in Z")
  // On the string itself: zod leaves a transforming schema's examples out of the JSON Schema of
  // what is sent (they describe its output), and without one the API reference made a sample
  // up from the pattern (3349-35-04T20:87:75Z).
  .meta({ examples: ["2023-05-02T07:01:00Z"] })
  .refine((s) => s >= "1900-01-01" && s < "2200-01-01", "outside the years 1900–2199")
  .transform((s, ctx) => {
    const normal = normalInstant(s);
    if (normal === null) {
      ctx.addIssue({ code: "custom", message: "not a real calendar instant", input: s });
      return z.NEVER;
    }
    return normal;
  })
  .meta({
    format: "date-time",
    description:
      "an ISO-8601 UTC instant ending in Z, a real one in the years 1900–2199; recorded with milliseconds (2023-05-02T07:01:00.000Z)",
  });

/** A calendar date, e.g. 2023-09-14. */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
  .refine((s) => {
    const t = Date.parse(`${s}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s;
  }, "not a real calendar date")
  .refine((s) => s >= "1900-01-01" && s < "2200-01-01", "outside the years 1900–2199")
  .meta({
    format: "date",
    description: "a real calendar date, YYYY-MM-DD, in the years 1900–2199",
    examples: ["2023-09-14"],
  });

/** Money, percentages and ratios travel as decimal strings: floats never enter signed bytes. */
export const Decimal = z
  .string()
  .max(40)
  .regex(/^-?(0|[1-9]\d*)(\.\d+)?$/, 'a decimal number written as a string, e.g. "3.5"')
  .meta({
    description: 'a decimal number written as a string, e.g. "3.5" (never a JSON number)',
    examples: ["3.5"],
  });

export const TimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return tz.includes("/") || tz === "UTC";
    } catch {
      return false;
    }
  }, "an IANA time zone such as America/Los_Angeles")
  .meta({
    description: "an IANA time zone such as America/Los_Angeles, or UTC",
    examples: ["America/Los_Angeles"],
  });

/** Free text: bounded, and without control characters that could hide content in terminals. */
export const Text = (max: number) =>
  z
    .string()
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), "contains control characters")
    .refine((s) => s.isWellFormed(), "contains unpaired surrogates")
    .meta({ description: "text without control characters (tabs and line breaks allowed)" });

export const Line = (max = 200) =>
  Text(max)
    .refine((s) => !/[\r\n]/.test(s) && s.trim().length > 0, "one non-empty line")
    .meta({ description: "one non-empty line of text, without control characters" });

export const Url = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//.test(u), "an http(s) link")
  .meta({ description: "an http(s) link" });

export const Visibility = z.enum(["private", "members", "table", "public"]);
export type Visibility = z.infer<typeof Visibility>;

export const OrgKind = z.enum(["union", "employer-association", "employer", "press", "other"]);
export type OrgKind = z.infer<typeof OrgKind>;

export const Organization = z.strictObject({
  id: Id,
  name: Line(200),
  shortName: Line(40),
  kind: OrgKind,
});
export type Organization = z.infer<typeof Organization>;

/** Compares two decimal strings exactly (no conversion to floating point). */
export function compareDecimal(a: string, b: string): number {
  const neg = (s: string) => s.startsWith("-");
  if (neg(a) !== neg(b)) return neg(a) ? -1 : 1;
  const sign = neg(a) ? -1 : 1;
  const [ai = "", af = ""] = a.replace(/^-/, "").split(".");
  const [bi = "", bf = ""] = b.replace(/^-/, "").split(".");
  if (ai.length !== bi.length) return sign * (ai.length < bi.length ? -1 : 1);
  if (ai !== bi) return sign * (ai < bi ? -1 : 1);
  const width = Math.max(af.length, bf.length);
  const fa = af.padEnd(width, "0");
  const fb = bf.padEnd(width, "0");
  if (fa === fb) return 0;
  return sign * (fa < fb ? -1 : 1);
}
