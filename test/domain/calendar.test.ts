import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  daysBetween,
  endOfLocalDay,
  FIRST_HOLIDAY_YEAR,
  idleDays,
  isUsFederalHoliday,
  localDate,
  startOfLocalDay,
  stoppageDay,
  stoppageLastDay,
  usFederalHolidays,
  workdaysBetween,
} from "../../src/domain/calendar.ts";

const LA = "America/Los_Angeles";

// The oracle: ../shared/facts/wga-2023.md. Times there are America/Los_Angeles.
const WGA_START = "2023-05-02T07:01:00Z"; // 00:01 PDT May 2
const WGA_END = "2023-09-27T07:01:00Z"; // 00:01 PDT Sep 27
const SAG_START = "2023-07-14T07:01:00Z"; // 00:01 PDT Jul 14
const SAG_END = "2023-11-09T08:01:00Z"; // 00:01 PST Nov 9 (after the Nov 5 fall-back)

/** "As of <date>" in the dispute: the end of that local day. */
const asOfDay = (date: string, zone = LA) => endOfLocalDay(date, zone);

function addDays(date: string, days: number): string {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}

/** Straightforward day-by-day reference for workdaysBetween. */
function naiveWorkdays(first: string, last: string): number {
  let count = 0;
  for (
    let d = Temporal.PlainDate.from(first);
    Temporal.PlainDate.compare(d, last) <= 0;
    d = d.add({ days: 1 })
  ) {
    if (d.dayOfWeek <= 5 && isUsFederalHoliday(d.toString()) === null) count++;
  }
  return count;
}

const EPOCH_1971 = Temporal.PlainDate.from("1971-01-01");
const dateArb = (maxOffset = 365 * 90) =>
  fc.integer({ min: 0, max: maxOffset }).map((n) => EPOCH_1971.add({ days: n }).toString());

const ZONES = [
  LA,
  "America/New_York",
  "Europe/London",
  "America/Santiago",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "Pacific/Chatham",
  "UTC",
];

describe("the 2023 WGA strike (facts file checks)", () => {
  it.each([
    ["2023-05-02", 1],
    ["2023-08-04", 95],
    ["2023-08-09", 100],
    ["2023-08-11", 102],
    ["2023-08-22", 113],
    ["2023-09-08", 130],
    ["2023-09-14", 136],
    ["2023-09-24", 146],
    ["2023-09-26", 148],
  ])("as of %s it is day %i", (date, day) => {
    expect(stoppageDay(WGA_START, WGA_END, asOfDay(date), LA)).toBe(day);
    // the answer is the same while the strike is still open-ended
    expect(stoppageDay(WGA_START, null, asOfDay(date), LA)).toBe(day);
  });

  it("Thursday Sept 14, 2023 is day 136 at any time of that local day", () => {
    expect(stoppageDay(WGA_START, WGA_END, startOfLocalDay("2023-09-14", LA), LA)).toBe(136);
    expect(stoppageDay(WGA_START, WGA_END, "2023-09-14T19:00:00Z", LA)).toBe(136);
    // 01:00Z on Sep 15 is still the evening of Sep 14 in Los Angeles
    expect(stoppageDay(WGA_START, WGA_END, "2023-09-15T01:00:00Z", LA)).toBe(136);
  });

  it("is not running before 00:01 PDT May 2, and day 1 from that instant", () => {
    expect(stoppageDay(WGA_START, WGA_END, "2023-05-02T07:00:59.999Z", LA)).toBeNull();
    expect(stoppageDay(WGA_START, WGA_END, asOfDay("2023-05-01"), LA)).toBeNull();
    expect(stoppageDay(WGA_START, WGA_END, WGA_START, LA)).toBe(1);
  });

  it("ended at 00:01 Sep 27 after 148 days, Sep 26 being the last day", () => {
    expect(stoppageLastDay(WGA_START, WGA_END, LA)).toBe("2023-09-26");
    expect(stoppageDay(WGA_START, WGA_END, WGA_END, LA)).toBe(148);
    // in the first minute of Sep 27, before the end instant, the count does not reach 149
    expect(stoppageDay(WGA_START, WGA_END, "2023-09-27T07:00:30Z", LA)).toBe(148);
    expect(stoppageDay(WGA_START, WGA_END, asOfDay("2023-09-27"), LA)).toBe(148);
    expect(stoppageDay(WGA_START, WGA_END, "2024-05-02T00:00:00Z", LA)).toBe(148);
    // had it not ended, Sep 27 would have been day 149
    expect(stoppageDay(WGA_START, null, asOfDay("2023-09-27"), LA)).toBe(149);
  });

  it("from the last meeting (Aug 22) to the WGA's request (Sep 13) is 22 days", () => {
    expect(daysBetween("2023-08-22", "2023-09-13")).toBe(22);
  });

  it("the WGA strike spanned 102 workdays, May 2 – Sep 26 2023", () => {
    // 148 calendar days from Tuesday May 2 = 21 weeks (105 weekdays) + Tuesday Sep 26 = 106
    // weekdays, minus Memorial Day (May 29), Juneteenth (Jun 19), Independence Day (Jul 4) and
    // Labor Day (Sep 4) = 102.
    expect(workdaysBetween("2023-05-02", "2023-09-26")).toBe(102);
    expect(workdaysBetween("2023-05-02", stoppageLastDay(WGA_START, WGA_END, LA)!)).toBe(102);
    expect(idleDays(1000, "2023-05-02", "2023-09-26")).toBe(102_000);
  });
});

describe("the 2023 SAG-AFTRA strike", () => {
  it("Sep 14 is its day 63 (the WGA's day 136)", () => {
    expect(stoppageDay(SAG_START, SAG_END, asOfDay("2023-09-14"), LA)).toBe(63);
    expect(stoppageDay(SAG_START, SAG_END, asOfDay("2023-07-14"), LA)).toBe(1);
    expect(stoppageDay(SAG_START, SAG_END, asOfDay("2023-07-13"), LA)).toBeNull();
  });

  it("ended at 00:01 PST Nov 9 after 118 days (Nov 8 last), across the fall-back change", () => {
    expect(stoppageLastDay(SAG_START, SAG_END, LA)).toBe("2023-11-08");
    expect(stoppageDay(SAG_START, SAG_END, asOfDay("2023-11-08"), LA)).toBe(118);
    expect(stoppageDay(SAG_START, SAG_END, SAG_END, LA)).toBe(118);
    expect(stoppageDay(SAG_START, SAG_END, asOfDay("2023-12-31"), LA)).toBe(118);
  });

  it("spanned 82 workdays (84 weekdays minus Labor Day and Columbus Day)", () => {
    expect(workdaysBetween("2023-07-14", "2023-11-08")).toBe(82);
  });
});

describe("local days", () => {
  it("localDate follows the zone, not UTC", () => {
    expect(localDate("2023-05-02T07:01:00Z", LA)).toBe("2023-05-02");
    expect(localDate("2023-05-02T06:59:59Z", LA)).toBe("2023-05-01");
    expect(localDate("2023-06-30T23:30:00Z", "Europe/London")).toBe("2023-07-01");
    expect(localDate("2023-12-31T23:30:00Z", "Europe/London")).toBe("2023-12-31");
    expect(localDate("2023-09-14T03:59:59Z", "America/New_York")).toBe("2023-09-13");
    expect(localDate("2023-09-14T04:00:00Z", "America/New_York")).toBe("2023-09-14");
    // an offset in the input is honoured
    expect(localDate("2023-05-02T00:01:00-07:00", LA)).toBe("2023-05-02");
  });

  it("start and end of an ordinary day", () => {
    expect(startOfLocalDay("2023-09-14", LA)).toBe("2023-09-14T07:00:00Z");
    expect(endOfLocalDay("2023-09-14", LA)).toBe("2023-09-15T06:59:59.999Z");
    expect(startOfLocalDay("2023-09-14", "America/New_York")).toBe("2023-09-14T04:00:00Z");
    expect(startOfLocalDay("2023-01-14", "America/New_York")).toBe("2023-01-14T05:00:00Z");
    expect(startOfLocalDay("2023-07-01", "Europe/London")).toBe("2023-06-30T23:00:00Z");
    expect(endOfLocalDay("2023-12-01", "Europe/London")).toBe("2023-12-01T23:59:59.999Z");
  });

  it("a spring-forward day is 23 hours and a fall-back day 25 hours in Los Angeles", () => {
    expect(startOfLocalDay("2023-03-12", LA)).toBe("2023-03-12T08:00:00Z");
    expect(endOfLocalDay("2023-03-12", LA)).toBe("2023-03-13T06:59:59.999Z");
    expect(startOfLocalDay("2023-11-05", LA)).toBe("2023-11-05T07:00:00Z");
    expect(endOfLocalDay("2023-11-05", LA)).toBe("2023-11-06T07:59:59.999Z");
  });

  it("Europe/London changes its clocks on other Sundays than Los Angeles", () => {
    expect(startOfLocalDay("2023-03-26", "Europe/London")).toBe("2023-03-26T00:00:00Z");
    expect(endOfLocalDay("2023-03-26", "Europe/London")).toBe("2023-03-26T22:59:59.999Z");
    // Oct 29 runs from 00:00 BST (23:00Z the day before) to 24:00 GMT: 25 hours
    expect(startOfLocalDay("2023-10-29", "Europe/London")).toBe("2023-10-28T23:00:00Z");
    expect(endOfLocalDay("2023-10-29", "Europe/London")).toBe("2023-10-29T23:59:59.999Z");
  });

  it("a day whose midnight does not exist starts at 01:00 (America/Santiago)", () => {
    // Chile moved its clocks from 00:00 to 01:00 on 2023-09-03
    expect(startOfLocalDay("2023-09-03", "America/Santiago")).toBe("2023-09-03T04:00:00Z");
    expect(endOfLocalDay("2023-09-02", "America/Santiago")).toBe("2023-09-03T03:59:59.999Z");
    expect(localDate("2023-09-03T04:00:00Z", "America/Santiago")).toBe("2023-09-03");
  });

  it("daysBetween counts calendar days, signed, across leap days", () => {
    expect(daysBetween("2023-05-02", "2023-09-26")).toBe(147);
    expect(daysBetween("2023-09-13", "2023-08-22")).toBe(-22);
    expect(daysBetween("2024-02-28", "2024-03-01")).toBe(2);
    expect(daysBetween("2023-02-28", "2023-03-01")).toBe(1);
    expect(daysBetween("2023-01-01", "2023-01-01")).toBe(0);
  });
});

describe("stoppage days across DST and in other zones", () => {
  it("a stoppage starting the day before spring-forward counts local days, not 24-hour spans", () => {
    const start = "2023-03-11T08:01:00Z"; // 00:01 PST Sat Mar 11
    expect(stoppageDay(start, null, asOfDay("2023-03-11"), LA)).toBe(1);
    expect(stoppageDay(start, null, startOfLocalDay("2023-03-12", LA), LA)).toBe(2);
    expect(stoppageDay(start, null, asOfDay("2023-03-12"), LA)).toBe(2);
    // 00:30 PDT Mar 13 is only 47.5 hours after the start, yet it is day 3
    expect(stoppageDay(start, null, "2023-03-13T07:30:00Z", LA)).toBe(3);
    expect(stoppageDay(start, null, asOfDay("2023-03-20"), LA)).toBe(10);
  });

  it("a stoppage running through fall-back counts the 25-hour day once", () => {
    const start = "2023-11-04T07:01:00Z"; // 00:01 PDT Sat Nov 4
    expect(stoppageDay(start, null, "2023-11-05T08:30:00Z", LA)).toBe(2); // 01:30 PDT
    expect(stoppageDay(start, null, "2023-11-05T09:30:00Z", LA)).toBe(2); // 01:30 PST, an hour later
    expect(stoppageDay(start, null, "2023-11-06T07:59:59Z", LA)).toBe(2);
    expect(stoppageDay(start, null, "2023-11-06T08:00:00Z", LA)).toBe(3);
  });

  it("the same instants give different day numbers in New York and London", () => {
    const start = "2023-05-02T07:01:00Z"; // 03:01 EDT / 08:01 BST, May 2 in both
    const asOf = "2023-05-03T03:30:00Z"; // 23:30 EDT May 2, 04:30 BST May 3
    expect(stoppageDay(start, null, asOf, "America/New_York")).toBe(1);
    expect(stoppageDay(start, null, asOf, "Europe/London")).toBe(2);
    expect(stoppageDay(start, null, asOf, LA)).toBe(1);
  });

  it("a London stoppage ending at 00:01 local after the October change", () => {
    const start = "2023-10-01T00:00:00Z"; // 01:00 BST Oct 1
    const end = "2023-11-01T00:01:00Z"; // 00:01 GMT Nov 1
    expect(stoppageLastDay(start, end, "Europe/London")).toBe("2023-10-31");
    expect(stoppageDay(start, end, end, "Europe/London")).toBe(31);
  });

  it("a New York stoppage starting late in the evening still has that day as day 1", () => {
    const start = "2023-06-01T03:00:00Z"; // 23:00 EDT May 31
    expect(stoppageDay(start, null, start, "America/New_York")).toBe(1);
    expect(localDate(start, "America/New_York")).toBe("2023-05-31");
    expect(stoppageDay(start, null, "2023-06-01T04:00:00Z", "America/New_York")).toBe(2);
  });
});

describe("the end-of-stoppage rule", () => {
  const start = "2023-05-02T07:01:00Z";
  it("an end at local midnight or within its first minute makes the previous day the last", () => {
    expect(stoppageLastDay(start, "2023-09-27T07:00:00Z", LA)).toBe("2023-09-26"); // 00:00
    expect(stoppageLastDay(start, "2023-09-27T07:00:59.999Z", LA)).toBe("2023-09-26");
    expect(stoppageLastDay(start, "2023-09-27T07:01:00Z", LA)).toBe("2023-09-26"); // 00:01
  });

  it("a later end leaves its own day as a partial last day", () => {
    expect(stoppageLastDay(start, "2023-09-27T07:01:00.001Z", LA)).toBe("2023-09-27");
    expect(stoppageLastDay(start, "2023-09-27T22:00:00Z", LA)).toBe("2023-09-27"); // 15:00 PDT
    expect(stoppageDay(start, "2023-09-27T22:00:00Z", asOfDay("2023-09-30"), LA)).toBe(149);
  });

  it("a stoppage ending in the first minute of its first day still lasted one day", () => {
    const s = "2023-05-02T07:00:00Z"; // 00:00 PDT
    const e = "2023-05-02T07:00:30Z";
    expect(stoppageLastDay(s, e, LA)).toBe("2023-05-02");
    expect(stoppageDay(s, e, asOfDay("2023-06-01"), LA)).toBe(1);
  });

  it("is null while running, and rejects an end that is not after the start", () => {
    expect(stoppageLastDay(start, null, LA)).toBeNull();
    expect(() => stoppageLastDay(start, start, LA)).toThrow(RangeError);
    expect(() => stoppageDay(start, "2023-05-01T00:00:00Z", start, LA)).toThrow(/must be after start/);
  });
});

describe("US federal holidays", () => {
  const HOLIDAYS_2023: [string, string][] = [
    ["2023-01-02", "New Year's Day"], // Jan 1 was a Sunday
    ["2023-01-16", "Birthday of Martin Luther King, Jr."],
    ["2023-02-20", "Washington's Birthday"],
    ["2023-05-29", "Memorial Day"],
    ["2023-06-19", "Juneteenth National Independence Day"],
    ["2023-07-04", "Independence Day"],
    ["2023-09-04", "Labor Day"],
    ["2023-10-09", "Columbus Day"],
    ["2023-11-10", "Veterans Day"], // Nov 11 was a Saturday
    ["2023-11-23", "Thanksgiving Day"],
    ["2023-12-25", "Christmas Day"],
  ];

  it.each(HOLIDAYS_2023)("%s is %s", (date, name) => {
    expect(isUsFederalHoliday(date)).toBe(name);
  });

  it("2023 has exactly those eleven observed holidays and no others", () => {
    const found: [string, string][] = [];
    for (let d = Temporal.PlainDate.from("2023-01-01"); d.year === 2023; d = d.add({ days: 1 })) {
      const name = isUsFederalHoliday(d.toString());
      if (name !== null) found.push([d.toString(), name]);
    }
    expect(found).toEqual(HOLIDAYS_2023);
    expect(usFederalHolidays(2023).map((h) => [h.observed, h.name])).toEqual(HOLIDAYS_2023);
  });

  it("the weekend statutory dates of 2023 are not themselves days off", () => {
    expect(isUsFederalHoliday("2023-01-01")).toBeNull();
    expect(isUsFederalHoliday("2023-11-11")).toBeNull();
    expect(usFederalHolidays(2023).find((h) => h.name === "Veterans Day")).toEqual({
      name: "Veterans Day",
      actual: "2023-11-11",
      observed: "2023-11-10",
    });
  });

  it("Saturday holidays are observed the Friday before, even across a year boundary", () => {
    expect(isUsFederalHoliday("2021-12-31")).toBe("New Year's Day"); // New Year's Day 2022
    expect(isUsFederalHoliday("2022-01-01")).toBeNull();
    expect(isUsFederalHoliday("2020-07-03")).toBe("Independence Day");
    expect(isUsFederalHoliday("2021-12-24")).toBe("Christmas Day");
    expect(isUsFederalHoliday("2010-12-31")).toBe("New Year's Day");
    // two Monday–Friday weeks, with Friday Dec 24 and Friday Dec 31 off
    expect(workdaysBetween("2021-12-20", "2021-12-31")).toBe(8);
  });

  it("Sunday holidays are observed the Monday after", () => {
    expect(isUsFederalHoliday("2021-07-05")).toBe("Independence Day");
    expect(isUsFederalHoliday("2022-12-26")).toBe("Christmas Day");
    expect(isUsFederalHoliday("2022-06-20")).toBe("Juneteenth National Independence Day");
    expect(isUsFederalHoliday("2017-01-02")).toBe("New Year's Day");
    expect(isUsFederalHoliday("2022-12-25")).toBeNull();
  });

  it("Juneteenth only from 2021, first observed on Friday June 18, 2021", () => {
    expect(isUsFederalHoliday("2020-06-19")).toBeNull();
    expect(isUsFederalHoliday("2021-06-18")).toBe("Juneteenth National Independence Day");
    expect(isUsFederalHoliday("2021-06-19")).toBeNull();
    expect(usFederalHolidays(2020)).toHaveLength(10);
    expect(usFederalHolidays(2021)).toHaveLength(11);
  });

  it("Birthday of Martin Luther King, Jr. only from 1986", () => {
    expect(isUsFederalHoliday("1985-01-21")).toBeNull(); // third Monday of January 1985
    expect(isUsFederalHoliday("1986-01-20")).toBe("Birthday of Martin Luther King, Jr.");
  });

  it("Monday holidays from 1971, and Veterans Day in October 1971–1977", () => {
    expect(isUsFederalHoliday("1971-02-15")).toBe("Washington's Birthday");
    expect(isUsFederalHoliday("1971-02-22")).toBeNull();
    expect(isUsFederalHoliday("1971-05-31")).toBe("Memorial Day");
    expect(isUsFederalHoliday("1971-10-11")).toBe("Columbus Day");
    expect(isUsFederalHoliday("1975-10-27")).toBe("Veterans Day");
    expect(isUsFederalHoliday("1975-11-11")).toBeNull();
    expect(isUsFederalHoliday("1977-10-24")).toBe("Veterans Day");
    expect(isUsFederalHoliday("1978-11-10")).toBe("Veterans Day"); // Nov 11, 1978 was a Saturday
    expect(isUsFederalHoliday("1978-10-23")).toBeNull();
  });

  it("Inauguration Day (DC area only) is not included", () => {
    expect(isUsFederalHoliday("2017-01-20")).toBeNull();
    expect(isUsFederalHoliday("2021-01-20")).toBeNull();
  });

  it("refuses to guess before 1971", () => {
    expect(FIRST_HOLIDAY_YEAR).toBe(1971);
    expect(() => isUsFederalHoliday("1970-12-25")).toThrow(RangeError);
    expect(() => usFederalHolidays(1970)).toThrow(/1971/);
    expect(() => workdaysBetween("1970-12-31", "1971-01-05")).toThrow(RangeError);
    expect(() => usFederalHolidays(2023.5)).toThrow(RangeError);
  });
});

describe("workdays and idle days", () => {
  it("counts inclusively, skipping weekends and observed holidays", () => {
    expect(workdaysBetween("2023-09-14", "2023-09-14")).toBe(1); // Thursday
    expect(workdaysBetween("2023-09-16", "2023-09-17")).toBe(0); // weekend
    expect(workdaysBetween("2023-09-04", "2023-09-04")).toBe(0); // Labor Day
    expect(workdaysBetween("2023-09-01", "2023-09-08")).toBe(5); // Fri + Tue..Fri
    expect(workdaysBetween("2023-01-01", "2023-12-31")).toBe(249); // 260 weekdays - 11
    expect(workdaysBetween("2021-12-31", "2021-12-31")).toBe(0);
  });

  it("matches a day-by-day count over several years", () => {
    expect(workdaysBetween("2019-03-15", "2024-08-30")).toBe(naiveWorkdays("2019-03-15", "2024-08-30"));
  });

  it("rejects a reversed range", () => {
    expect(() => workdaysBetween("2023-09-26", "2023-05-02")).toThrow(/before firstDate/);
  });

  it("idle days are workers times workdays", () => {
    expect(idleDays(0, "2023-05-02", "2023-09-26")).toBe(0);
    expect(idleDays(11_500, "2023-07-14", "2023-11-08")).toBe(11_500 * 82);
    expect(idleDays(3, "2023-09-16", "2023-09-17")).toBe(0);
  });

  it.each([1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])("rejects %s workers", (workers) => {
    expect(() => idleDays(workers, "2023-05-02", "2023-09-26")).toThrow(RangeError);
  });

  it("rejects a product beyond the safe integer range", () => {
    expect(() => idleDays(2 ** 50, "2023-01-01", "2023-12-31")).toThrow(/safe integer/);
  });
});

describe("validation", () => {
  it.each(["2023-2-3", "2023-02-30", "2023-13-01", "", "2023-05-02T00:00:00Z", "20230502", " 2023-05-02"])(
    "rejects the date %j",
    (bad) => {
      expect(() => daysBetween(bad, "2023-05-02")).toThrow(RangeError);
      expect(() => startOfLocalDay(bad, LA)).toThrow(/expected a real calendar date as YYYY-MM-DD/);
      expect(() => isUsFederalHoliday(bad)).toThrow(RangeError);
      expect(() => workdaysBetween("2023-05-02", bad)).toThrow(/lastDate/);
    },
  );

  it.each([
    "2023-05-02",
    "2023-05-02T07:01:00", // no zone designator: not an instant
    "2023-05-02 07:01:00Z",
    "2023-05-32T07:01:00Z",
    "2023-05-02T25:00:00Z",
    "2023-05-02T07:01:00Z[America/Los_Angeles]",
    "yesterday",
  ])("rejects the instant %j", (bad) => {
    expect(() => localDate(bad, LA)).toThrow(/invalid instant/);
    expect(() => stoppageDay(bad, null, WGA_START, LA)).toThrow(/invalid start/);
    expect(() => stoppageDay(WGA_START, bad, WGA_START, LA)).toThrow(/invalid end/);
    expect(() => stoppageDay(WGA_START, null, bad, LA)).toThrow(/invalid asOf/);
  });

  it.each(["Mars/Olympus_Mons", "", "+02:00", "-07:00", "PDT"])("rejects the time zone %j", (bad) => {
    expect(() => localDate(WGA_START, bad)).toThrow(/invalid time zone/);
    expect(() => endOfLocalDay("2023-05-02", bad)).toThrow(RangeError);
    expect(() => stoppageLastDay(WGA_START, WGA_END, bad)).toThrow(RangeError);
  });

  it("accepts fractional seconds and offsets", () => {
    expect(localDate("2023-05-02T07:01:00.123456789Z", LA)).toBe("2023-05-02");
    expect(localDate("2023-05-02T09:01+02:00", LA)).toBe("2023-05-02");
    expect(localDate("2023-05-02T09:01+02:00", "UTC")).toBe("2023-05-02");
  });
});

describe("properties", () => {
  it("workdaysBetween over a split range adds up", () => {
    fc.assert(
      fc.property(dateArb(), fc.nat(1500), fc.nat(1500), (first, a, b) => {
        const [short, long] = a <= b ? [a, b] : [b, a];
        const mid = addDays(first, short);
        const last = addDays(first, long + 1);
        expect(workdaysBetween(first, last)).toBe(
          workdaysBetween(first, mid) + workdaysBetween(addDays(mid, 1), last),
        );
      }),
    );
  });

  it("workdays never exceed calendar days, nor weekdays, and are never negative", () => {
    fc.assert(
      fc.property(dateArb(), fc.nat(3000), (first, span) => {
        const last = addDays(first, span);
        const workdays = workdaysBetween(first, last);
        const calendarDays = daysBetween(first, last) + 1;
        expect(workdays).toBeGreaterThanOrEqual(0);
        expect(workdays).toBeLessThanOrEqual(calendarDays);
        const weeks = Math.floor(calendarDays / 7);
        const rest = calendarDays % 7;
        // weekdays lie between 5 per full week + (rest - 2) and 5 per full week + min(rest, 5)
        expect(workdays).toBeLessThanOrEqual(weeks * 5 + Math.min(rest, 5));
        // at most 11 observed holidays per calendar year touched by the range
        const years = Temporal.PlainDate.from(last).year - Temporal.PlainDate.from(first).year + 1;
        expect(workdays).toBeGreaterThanOrEqual(weeks * 5 + Math.max(rest - 2, 0) - 11 * years);
      }),
    );
  });

  it("workdaysBetween agrees with a day-by-day count", () => {
    fc.assert(
      fc.property(dateArb(), fc.nat(400), (first, span) => {
        const last = addDays(first, span);
        expect(workdaysBetween(first, last)).toBe(naiveWorkdays(first, last));
      }),
      { numRuns: 60 },
    );
  });

  it("every year from 1971 has its holidays observed on distinct weekdays", () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST_HOLIDAY_YEAR, max: 2200 }), (year) => {
        const list = usFederalHolidays(year);
        const observed = list.map((h) => h.observed);
        expect(new Set(observed).size).toBe(list.length);
        for (const h of list) {
          expect(Temporal.PlainDate.from(h.observed).dayOfWeek).toBeLessThanOrEqual(5);
          expect(Math.abs(daysBetween(h.actual, h.observed))).toBeLessThanOrEqual(1);
          expect(isUsFederalHoliday(h.observed)).toBe(h.name);
        }
      }),
    );
  });

  it("stoppageDay increments by exactly one per local day while running", () => {
    const instantArb = fc
      .integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2060, 0, 1) })
      .map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(instantArb, fc.constantFrom(...ZONES), fc.nat(800), (start, zone, k) => {
        const firstDay = localDate(start, zone);
        const day = addDays(firstDay, k);
        const dayStart = startOfLocalDay(day, zone);
        const dayEnd = endOfLocalDay(day, zone);
        const nextStart = startOfLocalDay(addDays(day, 1), zone);
        expect(stoppageDay(start, null, dayEnd, zone)).toBe(k + 1);
        expect(stoppageDay(start, null, nextStart, zone)).toBe(k + 2);
        if (k > 0) expect(stoppageDay(start, null, dayStart, zone)).toBe(k + 1);
        // the local day boundaries are contiguous
        expect(Temporal.Instant.from(dayEnd).add({ milliseconds: 1 }).toString()).toBe(nextStart);
        expect(localDate(dayStart, zone)).toBe(day);
        expect(localDate(dayEnd, zone)).toBe(day);
      }),
    );
  });

  it("after it ends, a stoppage's day number stays at its total", () => {
    const instantArb = fc
      .integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2060, 0, 1) })
      .map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(
        instantArb,
        fc.integer({ min: 1, max: 400 * 86_400_000 }),
        fc.nat(1000 * 86_400_000),
        fc.constantFrom(...ZONES),
        (start, length, after, zone) => {
          const startMs = Date.parse(start);
          const end = new Date(startMs + length).toISOString();
          const asOf = new Date(startMs + length + after).toISOString();
          const last = stoppageLastDay(start, end, zone)!;
          const total = daysBetween(localDate(start, zone), last) + 1;
          expect(total).toBeGreaterThanOrEqual(1);
          expect(stoppageDay(start, end, asOf, zone)).toBe(total);
          expect(stoppageDay(start, end, endOfLocalDay(last, zone), zone)).toBe(total);
          // the running count agrees with the total on the last day
          expect(stoppageDay(start, null, endOfLocalDay(last, zone), zone)).toBe(total);
        },
      ),
    );
  });
});
