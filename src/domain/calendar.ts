/**
 * Calendar facts of a dispute (DESIGN.md, invariant 5): strike day N, last day, workdays and
 * idle days, computed in the dispute's IANA time zone with Temporal.
 *
 * Everything here is pure: no I/O and no clock ("now" is always an argument).
 *
 * Representations:
 * - instant: an ISO-8601 string with a `Z` or a numeric offset, e.g. "2023-05-02T07:01:00Z".
 *   Results are always returned in UTC (`Z`), with as many fractional digits as needed.
 * - date: a calendar date "YYYY-MM-DD" (no time, no zone).
 * - timeZone: an IANA name such as "America/Los_Angeles" (fixed offsets like "+02:00" are
 *   rejected: a dispute's calendar follows a place, including its DST changes).
 *
 * Malformed input throws a RangeError whose message names the function, the bad value and
 * what was expected.
 */
import { Temporal } from "temporal-polyfill";

// ---------------------------------------------------------------------------------------------
// Parsing and validation
// ---------------------------------------------------------------------------------------------

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : `${typeof value} ${String(value)}`;
}

function parseDate(value: string, fn: string, what = "date"): Temporal.PlainDate {
  if (typeof value === "string" && DATE_PATTERN.test(value)) {
    try {
      return Temporal.PlainDate.from(value, { overflow: "reject" });
    } catch {
      // fall through to the uniform error below (e.g. "2023-02-30")
    }
  }
  throw new RangeError(
    `${fn}: invalid ${what} ${describe(value)}; expected a real calendar date as YYYY-MM-DD`,
  );
}

function parseInstant(value: string, fn: string, what = "instant"): Temporal.Instant {
  if (typeof value === "string" && INSTANT_PATTERN.test(value)) {
    try {
      return Temporal.Instant.from(value);
    } catch {
      // fall through (e.g. month 13, hour 25)
    }
  }
  throw new RangeError(
    `${fn}: invalid ${what} ${describe(value)}; expected an ISO-8601 instant with Z or an offset, ` +
      `e.g. "2023-05-02T07:01:00Z"`,
  );
}

function parseTimeZone(value: string, fn: string): string {
  if (typeof value === "string" && value.length > 0 && !/^[+-]/.test(value)) {
    try {
      return Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(value).timeZoneId;
    } catch {
      // fall through
    }
  }
  throw new RangeError(
    `${fn}: invalid time zone ${describe(value)}; expected an IANA name such as "America/Los_Angeles"`,
  );
}

function formatInstant(instant: Temporal.Instant): string {
  return instant.toString();
}

function startOf(date: Temporal.PlainDate, timeZone: string): Temporal.Instant {
  // Temporal picks the first valid instant of the day, so a day whose midnight is skipped by a
  // DST change (e.g. America/Santiago) starts at 01:00 local.
  return date.toZonedDateTime({ timeZone }).toInstant();
}

function dateOf(instant: Temporal.Instant, timeZone: string): Temporal.PlainDate {
  return instant.toZonedDateTimeISO(timeZone).toPlainDate();
}

function dayCount(from: Temporal.PlainDate, to: Temporal.PlainDate): number {
  return from.until(to, { largestUnit: "days" }).days;
}

// ---------------------------------------------------------------------------------------------
// Local days
// ---------------------------------------------------------------------------------------------

/** The calendar date ("YYYY-MM-DD") of `instant` in `timeZone`. */
export function localDate(instant: string, timeZone: string): string {
  const at = parseInstant(instant, "localDate");
  const zone = parseTimeZone(timeZone, "localDate");
  return dateOf(at, zone).toString();
}

/** The first instant (UTC ISO string) of the local day `date` in `timeZone`; DST-aware. */
export function startOfLocalDay(date: string, timeZone: string): string {
  const day = parseDate(date, "startOfLocalDay");
  const zone = parseTimeZone(timeZone, "startOfLocalDay");
  return formatInstant(startOf(day, zone));
}

/**
 * The last instant (UTC ISO string, millisecond precision) of the local day `date` in
 * `timeZone`: the next local day's start minus 1 ms. "As of 2023-09-14" in a dispute means
 * this instant. DST days are 23 or 25 hours long and are handled by the zone rules.
 */
export function endOfLocalDay(date: string, timeZone: string): string {
  const day = parseDate(date, "endOfLocalDay");
  const zone = parseTimeZone(timeZone, "endOfLocalDay");
  return formatInstant(startOf(day.add({ days: 1 }), zone).subtract({ milliseconds: 1 }));
}

/** Calendar days from `fromDate` to `toDate` (negative when `toDate` is earlier). */
export function daysBetween(fromDate: string, toDate: string): number {
  const from = parseDate(fromDate, "daysBetween", "fromDate");
  const to = parseDate(toDate, "daysBetween", "toDate");
  return dayCount(from, to);
}

// ---------------------------------------------------------------------------------------------
// Stoppages
// ---------------------------------------------------------------------------------------------

/**
 * How an end instant is counted. Strikes and lockouts are conventionally called to begin and
 * end at "12:01 a.m." of a day: the extra minute only avoids the ambiguity of "midnight"
 * (the end of one day or the start of the next?), it is not a minute of striking. The WGA
 * strike that ended at 00:01 on Sep 27, 2023 is reported as 148 days with Sep 26 as its last
 * day, and SAG-AFTRA's, ended 00:01 Nov 9, as 118 days with Nov 8 last.
 *
 * Rule: an end instant no more than END_GRACE after the start of its local day counts as that
 * start of day, so the previous local day is the last day of the stoppage. Any later end (a
 * strike called off at 10:00 or 18:00) leaves its own day as a partial, counted last day, just
 * as a partial first day is counted as day 1. Formally:
 *
 *   lastDay = localDate(end) - 1 day   if end - startOfLocalDay(localDate(end)) <= END_GRACE
 *             localDate(end)           otherwise
 *
 * and never earlier than the first day (a stoppage that began counts at least one day).
 * Equivalently: the last day is the local date of the last instant the stoppage was in
 * effect (end - 1 ms) after snapping a "12:01 a.m." end back to midnight.
 */
const END_GRACE = Temporal.Duration.from({ minutes: 1 });

function lastDayOf(start: Temporal.Instant, end: Temporal.Instant, zone: string): Temporal.PlainDate {
  const firstDay = dateOf(start, zone);
  const endDay = dateOf(end, zone);
  const intoDay = startOf(endDay, zone).until(end);
  const last = Temporal.Duration.compare(intoDay, END_GRACE) <= 0 ? endDay.subtract({ days: 1 }) : endDay;
  return Temporal.PlainDate.compare(last, firstDay) < 0 ? firstDay : last;
}

function parseStoppage(
  start: string,
  end: string | null,
  timeZone: string,
  fn: string,
): { start: Temporal.Instant; end: Temporal.Instant | null; zone: string } {
  const s = parseInstant(start, fn, "start");
  const e = end === null ? null : parseInstant(end, fn, "end");
  const zone = parseTimeZone(timeZone, fn);
  if (e !== null && Temporal.Instant.compare(e, s) <= 0) {
    throw new RangeError(`${fn}: end ${describe(end)} must be after start ${describe(start)}`);
  }
  return { start: s, end: e, zone };
}

/**
 * Day N of a stoppage as of the instant `asOf`, counted by local calendar days in `timeZone`:
 * the local day containing `start` is day 1, each following local day adds one (whatever its
 * length in hours). Returns null when `asOf` is before `start`. Once it has ended
 * (`asOf >= end`) the value stays at the total length, which is the day number of
 * `stoppageLastDay` (see END_GRACE for how an end at 00:01 counts). Between the end-of-day
 * boundary and a "12:01 a.m." end the value is already the total.
 */
export function stoppageDay(
  start: string,
  end: string | null,
  asOf: string,
  timeZone: string,
): number | null {
  const s = parseStoppage(start, end, timeZone, "stoppageDay");
  const at = parseInstant(asOf, "stoppageDay", "asOf");
  if (Temporal.Instant.compare(at, s.start) < 0) return null;
  const firstDay = dateOf(s.start, s.zone);
  const day = dayCount(firstDay, dateOf(at, s.zone)) + 1;
  if (s.end === null) return day;
  const total = dayCount(firstDay, lastDayOf(s.start, s.end, s.zone)) + 1;
  return Math.min(day, total);
}

/**
 * The local date ("YYYY-MM-DD") of the last day of a stoppage, or null while it is running
 * (`end` is null). An end within the first minute of a local day (the "12:01 a.m."
 * convention) makes the previous day the last one; see END_GRACE.
 */
export function stoppageLastDay(start: string, end: string | null, timeZone: string): string | null {
  const s = parseStoppage(start, end, timeZone, "stoppageLastDay");
  if (s.end === null) return null;
  return lastDayOf(s.start, s.end, s.zone).toString();
}

// ---------------------------------------------------------------------------------------------
// US federal holidays (5 U.S.C. 6103)
// ---------------------------------------------------------------------------------------------

/**
 * First year whose federal holidays are modelled. From Jan 1, 1971 the Uniform Monday Holiday
 * Act moved Washington's Birthday, Memorial Day and Veterans Day to Mondays and added Columbus
 * Day, and Executive Order 11582 set today's observance rules. Earlier years throw rather
 * than return a guess.
 */
export const FIRST_HOLIDAY_YEAR = 1971;

export interface FederalHoliday {
  /** the statutory name, as in 5 U.S.C. 6103(a) */
  readonly name: string;
  /** the date the holiday falls on by statute */
  readonly actual: string;
  /** the date it is observed by Monday–Friday federal employees (5 U.S.C. 6103(b)) */
  readonly observed: string;
}

function nthWeekday(year: number, month: number, weekday: number, n: number): Temporal.PlainDate {
  const first = Temporal.PlainDate.from({ year, month, day: 1 });
  const offset = (weekday - first.dayOfWeek + 7) % 7;
  return first.add({ days: offset + 7 * (n - 1) });
}

function lastWeekday(year: number, month: number, weekday: number): Temporal.PlainDate {
  const last = Temporal.PlainDate.from({ year, month, day: 1 }).add({ months: 1 }).subtract({ days: 1 });
  const offset = (last.dayOfWeek - weekday + 7) % 7;
  return last.subtract({ days: offset });
}

const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;
const SUNDAY = 7;

function observedDate(actual: Temporal.PlainDate): Temporal.PlainDate {
  if (actual.dayOfWeek === SATURDAY) return actual.subtract({ days: 1 });
  if (actual.dayOfWeek === SUNDAY) return actual.add({ days: 1 });
  return actual;
}

const holidayCache = new Map<number, readonly FederalHoliday[]>();

function holidaysOf(year: number): readonly FederalHoliday[] {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const fixed = (month: number, day: number) => Temporal.PlainDate.from({ year, month, day });
  const rules: [string, Temporal.PlainDate][] = [];
  rules.push(["New Year's Day", fixed(1, 1)]);
  if (year >= 1986) rules.push(["Birthday of Martin Luther King, Jr.", nthWeekday(year, 1, MONDAY, 3)]);
  rules.push(["Washington's Birthday", nthWeekday(year, 2, MONDAY, 3)]);
  rules.push(["Memorial Day", lastWeekday(year, 5, MONDAY)]);
  // Enacted June 17, 2021; its first observance was Friday June 18, 2021 (June 19 was a Saturday).
  if (year >= 2021) rules.push(["Juneteenth National Independence Day", fixed(6, 19)]);
  rules.push(["Independence Day", fixed(7, 4)]);
  rules.push(["Labor Day", nthWeekday(year, 9, MONDAY, 1)]);
  rules.push(["Columbus Day", nthWeekday(year, 10, MONDAY, 2)]);
  // Fourth Monday in October from 1971 through 1977, back on November 11 from 1978.
  rules.push(["Veterans Day", year <= 1977 ? nthWeekday(year, 10, MONDAY, 4) : fixed(11, 11)]);
  rules.push(["Thanksgiving Day", nthWeekday(year, 11, THURSDAY, 4)]);
  rules.push(["Christmas Day", fixed(12, 25)]);
  const list = rules.map(([name, actual]) => ({
    name,
    actual: actual.toString(),
    observed: observedDate(actual).toString(),
  }));
  holidayCache.set(year, list);
  return list;
}

function requireHolidayYear(year: number, fn: string, value: string): void {
  if (year < FIRST_HOLIDAY_YEAR) {
    throw new RangeError(
      `${fn}: ${describe(value)} is before ${FIRST_HOLIDAY_YEAR}; federal holiday rules are modelled from ${FIRST_HOLIDAY_YEAR}`,
    );
  }
}

/**
 * The eleven US federal holidays of `year` (5 U.S.C. 6103(a)) with their statutory and
 * observed dates. Observed: Saturday -> the Friday before, Sunday -> the Monday after
 * (6103(b)), so New Year's Day of `year` may be observed on Dec 31 of the year before.
 * Historical rules: Birthday of Martin Luther King, Jr. from 1986; Juneteenth from 2021;
 * Veterans Day on the fourth Monday of October 1971–1977. Not included: Inauguration Day
 * (6103(c): only for employees in and around the District of Columbia) and one-off closures
 * by executive order (days of mourning, extra days at Christmas).
 */
export function usFederalHolidays(year: number): readonly FederalHoliday[] {
  if (!Number.isSafeInteger(year) || year > 9999) {
    throw new RangeError(`usFederalHolidays: invalid year ${describe(year)}; expected an integer up to 9999`);
  }
  requireHolidayYear(year, "usFederalHolidays", String(year));
  return holidaysOf(year);
}

/**
 * The name of the US federal holiday observed on `date`, or null. The answer is about the
 * OBSERVED day, when federal offices are closed: 2021-12-31 (a Friday) returns "New Year's
 * Day" because New Year's Day 2022 fell on a Saturday and was observed then, and it counts
 * as a holiday for workdays; 2022-01-01 itself (a Saturday) returns null. Dates before
 * FIRST_HOLIDAY_YEAR throw. See `usFederalHolidays` for the rules and what is excluded.
 */
export function isUsFederalHoliday(date: string): string | null {
  const day = parseDate(date, "isUsFederalHoliday");
  requireHolidayYear(day.year, "isUsFederalHoliday", date);
  const key = day.toString();
  // An observed date lies in its holiday's year, or on Dec 31 for the next year's New Year's Day.
  for (const year of [day.year, day.year + 1]) {
    for (const holiday of holidaysOf(year)) {
      if (holiday.observed === key) return holiday.name;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Workdays and idle days
// ---------------------------------------------------------------------------------------------

function weekdaysIn(first: Temporal.PlainDate, last: Temporal.PlainDate): number {
  const days = dayCount(first, last) + 1;
  let count = Math.floor(days / 7) * 5;
  // the remaining days start on the same weekday as `first`
  for (let i = 0; i < days % 7; i++) {
    const weekday = ((first.dayOfWeek - 1 + i) % 7) + 1;
    if (weekday < SATURDAY) count++;
  }
  return count;
}

/**
 * Inclusive count of workdays from `firstDate` to `lastDate`: Monday–Friday days that are not
 * observed US federal holidays (observed dates always fall on weekdays). O(years): weekdays are
 * counted arithmetically and the holidays of each year are subtracted. Throws when `lastDate`
 * is before `firstDate` or the range starts before FIRST_HOLIDAY_YEAR.
 */
export function workdaysBetween(firstDate: string, lastDate: string): number {
  const first = parseDate(firstDate, "workdaysBetween", "firstDate");
  const last = parseDate(lastDate, "workdaysBetween", "lastDate");
  if (Temporal.PlainDate.compare(last, first) < 0) {
    throw new RangeError(`workdaysBetween: lastDate ${lastDate} is before firstDate ${firstDate}`);
  }
  requireHolidayYear(first.year, "workdaysBetween", firstDate);
  const from = first.toString();
  const to = last.toString();
  let holidays = 0;
  // Next year's New Year's Day may be observed on Dec 31 of `last.year`.
  for (let year = first.year; year <= last.year + 1; year++) {
    for (const holiday of holidaysOf(year)) {
      // ISO dates with four-digit years compare correctly as strings
      if (holiday.observed >= from && holiday.observed <= to) holidays++;
    }
  }
  return weekdaysIn(first, last) - holidays;
}

/**
 * BLS-style idle days: `workers` x workdays from `firstDate` to `lastDate` inclusive. The
 * Bureau of Labor Statistics measures idleness in working days (Monday–Friday, excluding
 * holidays), not calendar days; federal holidays stand in for "established holidays".
 * `workers` must be a non-negative safe integer (RangeError otherwise).
 */
export function idleDays(workers: number, firstDate: string, lastDate: string): number {
  if (!Number.isSafeInteger(workers) || workers < 0) {
    throw new RangeError(`idleDays: invalid workers ${describe(workers)}; expected a non-negative integer`);
  }
  const result = workers * workdaysBetween(firstDate, lastDate);
  if (!Number.isSafeInteger(result)) {
    throw new RangeError(`idleDays: ${workers} workers over this period exceeds the safe integer range`);
  }
  return result;
}
