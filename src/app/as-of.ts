import { endOfLocalDay } from "../domain/calendar.ts";
import { fail } from "../domain/errors.ts";
import { CalendarDate, Instant } from "../domain/values.ts";

/**
 * "As of 2023-09-14" means the end of that day where the dispute happens; an instant means
 * itself. Anything else is a validation error, never a guess.
 */
export function endOfDayOrInstant(text: string, timeZone: string): string {
  if (CalendarDate.safeParse(text).success) return endOfLocalDay(text, timeZone);
  const instant = Instant.safeParse(text);
  if (instant.success) return instant.data;
  fail(
    "VALIDATION_FAILED",
    `as-of: expected a date (YYYY-MM-DD) or a UTC instant, got ${JSON.stringify(text.slice(0, 40))}`,
  );
}
