import { Temporal } from "temporal-polyfill";

/**
 * Dates and times as the pages show them: in the dispute's own time zone, with the zone named,
 * so that "Thu 2023-09-14 10:00 PDT" means the same thing to a reader in New York or Paris.
 */

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

function zoned(instant: string, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.from(instant).toZonedDateTimeISO(timeZone);
}

/** The zone's short name at that instant (PDT in summer, PST in winter), from the platform's tables. */
export function zoneAbbreviation(instant: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" }).formatToParts(
    new Date(instant),
  );
  return parts.find((p) => p.type === "timeZoneName")?.value ?? timeZone;
}

/** "Thu 2023-09-14", the day of an instant where the dispute happens. */
export function formatDay(instant: string, timeZone: string): string {
  const z = zoned(instant, timeZone);
  return `${WEEKDAYS[z.dayOfWeek - 1]} ${z.toPlainDate().toString()}`;
}

/** "Thu 2023-09-14" for a calendar date (no zone involved). */
export function formatDate(date: string): string {
  const d = Temporal.PlainDate.from(date);
  return `${WEEKDAYS[d.dayOfWeek - 1]} ${d.toString()}`;
}

/** "Thu 2023-09-14 10:00 PDT". */
export function formatDateTime(instant: string, timeZone: string): string {
  const z = zoned(instant, timeZone);
  const hhmm = z.toPlainTime().toString({ smallestUnit: "minute" });
  return `${formatDay(instant, timeZone)} ${hhmm} ${zoneAbbreviation(instant, timeZone)}`;
}

/** "10:00 PDT". */
export function formatTime(instant: string, timeZone: string): string {
  const hhmm = zoned(instant, timeZone).toPlainTime().toString({ smallestUnit: "minute" });
  return `${hhmm} ${zoneAbbreviation(instant, timeZone)}`;
}

/** "1 day", "136 days". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}
