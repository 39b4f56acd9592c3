import { Temporal } from "temporal-polyfill";

/** Every demo dispute happens in Los Angeles. */
export const LOS_ANGELES = "America/Los_Angeles";

const LOCAL = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})$/;

/**
 * A Los Angeles wall-clock time ("2023-08-11 10:00") as a UTC instant
 * ("2023-08-11T17:00:00.000Z"), following the zone's rules: in 2023, PDT (UTC-7) from
 * Mar 12 to Nov 5 and PST (UTC-8) otherwise. A time that does not exist or exists twice
 * (the hour skipped or repeated at a DST change) is rejected rather than guessed.
 */
export function at(local: string): string {
  const m = LOCAL.exec(local);
  if (!m)
    throw new RangeError(`at: expected "YYYY-MM-DD HH:MM" in Los Angeles time, got ${JSON.stringify(local)}`);
  const zoned = Temporal.PlainDateTime.from(`${m[1]}T${m[2]}`, { overflow: "reject" }).toZonedDateTime(
    LOS_ANGELES,
    { disambiguation: "reject" },
  );
  return new Date(zoned.epochMilliseconds).toISOString();
}
