import { Writable } from "node:stream";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts } from "../../src/app/accounts.ts";
import { disputeCalendar, meetingCalendar, vtimezone } from "../../src/app/calendar-feed.ts";
import type { Parley } from "../../src/app/parley.ts";
import { initialState, type MeetingState } from "../../src/domain/state.ts";
import { buildServer, redactUrl } from "../../src/server/server.ts";
import { AMPTP, smallDispute, WGA } from "../support/fixture.ts";
import { type Person, startServer } from "../support/server.ts";

const SLUG = "test-2023";
const CAUCUS_MARKER = "CAUCUS-PURPOSE-WGA-0b7e";
let parley: Parley;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  parley = (await smallDispute()).app;
  // A WGA caucus that only WGA's negotiators may see, and an AMPTP caucus that only AMPTP's may.
  await parley.execute(SLUG, {
    actor: WGA,
    type: "meeting.scheduled",
    occurredAt: "2023-06-01T16:00:00Z",
    visibility: "private",
    payload: {
      meeting: "wga-caucus",
      kind: "caucus",
      start: "2023-06-02T16:00:00Z",
      end: "2023-06-02T18:00:00Z",
      place: "WGA West offices",
      purpose: CAUCUS_MARKER,
    },
  });
  await parley.execute(SLUG, {
    actor: AMPTP,
    type: "meeting.scheduled",
    occurredAt: "2023-06-01T16:00:00Z",
    visibility: "private",
    payload: {
      meeting: "amptp-caucus",
      kind: "caucus",
      start: "2023-06-03T16:00:00Z",
      end: "2023-06-03T18:00:00Z",
    },
  });
  // A public request with proposed times only: visible to all, but nothing to put on a calendar.
  await parley.execute(SLUG, {
    actor: WGA,
    type: "meeting.requested",
    occurredAt: "2023-06-01T17:00:00Z",
    visibility: "public",
    payload: {
      meeting: "asked",
      kind: "table",
      purpose: "Resume talks",
      proposedTimes: [{ start: "2023-06-05T16:00:00Z", end: "2023-06-05T18:00:00Z" }],
    },
  });
  server = await startServer(parley);
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
});

const feed = async (who?: Person) =>
  server.call(
    "GET",
    `/api/v1/disputes/${SLUG}/calendar.ics`,
    who ? { headers: await server.signIn(who) } : {},
  );

/** The VEVENT blocks of a calendar, each as its unfolded lines. */
function events(ics: string): string[][] {
  const lines = ics.replace(/\r\n[ \t]/g, "").split("\r\n");
  const out: string[][] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    if (line === "BEGIN:VEVENT") current = [];
    else if (line === "END:VEVENT") {
      if (current) out.push(current);
      current = null;
    } else current?.push(line);
  }
  return out;
}

const uids = (ics: string) => events(ics).map((e) => e.find((l) => l.startsWith("UID:"))?.slice(4));

describe("GET /api/v1/disputes/:slug/calendar.ics", () => {
  it("gives the public the table session, in the dispute's zone, as text/calendar", async () => {
    const r = await feed();
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(r.text.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    expect(uids(r.text)).toEqual(["s1@test-2023.parley"]);
    const s1 = events(r.text)[0]!;
    // 17:00Z on 21 April 2023 is 10:00 Pacific Daylight Time.
    expect(s1).toContain("DTSTART;TZID=America/Los_Angeles:20230421T100000");
    expect(s1).toContain("DTEND;TZID=America/Los_Angeles:20230421T130000");
    expect(s1).toContain("SUMMARY:Table session: Test dispute");
    expect(s1).toContain("STATUS:CONFIRMED");
    expect(r.text).toContain("BEGIN:VTIMEZONE\r\nTZID:America/Los_Angeles\r\n");
  });

  it("shows a side's private caucus to its own negotiators only", async () => {
    const wga = await feed("wgaNegotiator");
    expect(uids(wga.text)).toEqual(["s1@test-2023.parley", "wga-caucus@test-2023.parley"]);
    const caucus = events(wga.text)[1]!;
    expect(caucus).toContain("SUMMARY:Caucus: Test dispute");
    expect(caucus).toContain("LOCATION:WGA West offices");
    expect(caucus).toContain(`DESCRIPTION:${CAUCUS_MARKER}`);
    expect(caucus).toContain("DTSTART;TZID=America/Los_Angeles:20230602T090000");

    const amptp = await feed("amptpNegotiator");
    expect(uids(amptp.text)).toEqual(["s1@test-2023.parley", "amptp-caucus@test-2023.parley"]);
    for (const who of [undefined, "amptpNegotiator", "wgaMember", "reporter"] as const) {
      const r = await feed(who);
      expect(r.status).toBe(200);
      expect(r.text).not.toContain("wga-caucus");
      expect(r.text).not.toContain(CAUCUS_MARKER);
    }
  });

  it("serves a negotiator's own view to a calendar app by a calendar key in the URL, and nothing else", async () => {
    const auth = await server.signIn("wgaNegotiator");
    const made = await server.call("POST", "/api/v1/tokens", {
      body: { name: "my calendar", scope: "calendar" },
      headers: auth,
    });
    expect([made.status, made.json.scope]).toEqual([201, "calendar"]);
    const key = made.json.token as string;
    const url = `/api/v1/disputes/${SLUG}/calendar.ics?key=${encodeURIComponent(key)}`;
    const subscribed = await server.call("GET", url);
    expect(subscribed.status).toBe(200);
    expect(uids(subscribed.text)).toEqual(["s1@test-2023.parley", "wga-caucus@test-2023.parley"]);
    const one = await server.call("GET", `/api/v1/disputes/${SLUG}/meetings/wga-caucus.ics?key=${key}`);
    expect(one.text).toContain(CAUCUS_MARKER);
    // The key opens no API: as a Bearer token it is refused, even for a read.
    const asBearer = await server.call("GET", "/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
    expect([asBearer.status, asBearer.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
    // An API token is no calendar key: write power never travels in a URL.
    const api = await server.call("POST", "/api/v1/tokens", { body: { name: "script" }, headers: auth });
    const wrongKind = await server.call("GET", `/api/v1/disputes/${SLUG}/calendar.ics?key=${api.json.token}`);
    expect([wrongKind.status, wrongKind.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
    // Revoked, the subscription stops at once rather than falling back to the public feed.
    await server.call("DELETE", `/api/v1/tokens/${made.json.id}`, { headers: auth });
    const revoked = await server.call("GET", url);
    expect(revoked.status).toBe(401);
    expect(revoked.text).not.toContain(CAUCUS_MARKER);
  });

  it("keeps calendar keys out of the server's logs", async () => {
    expect(redactUrl("/c.ics?a=1&key=cal_x&b=2")).toBe("/c.ics?a=1&key=[redacted]&b=2");
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const accounts = new Accounts(parley.db, () => new Date(parley.now()));
    const logged = await buildServer({ parley, accounts, logger: { level: "info", stream } });
    const r = await logged.inject({
      method: "GET",
      url: `/api/v1/disputes/${SLUG}/calendar.ics?key=cal_secretvalue`,
    });
    await logged.close();
    expect(r.statusCode).toBe(401);
    const log = lines.join("");
    expect(log).toContain("calendar.ics?key=[redacted]");
    expect(log).not.toContain("cal_secretvalue");
  });

  it("answers an unknown dispute with the error shape", async () => {
    const r = await server.call("GET", "/api/v1/disputes/no-such-dispute/calendar.ics");
    expect([r.status, r.json.error.code]).toEqual([404, "DISPUTE_UNKNOWN"]);
  });
});

describe("GET /api/v1/disputes/:slug/meetings/:meeting.ics", () => {
  const one = async (meeting: string, who?: Person) =>
    server.call(
      "GET",
      `/api/v1/disputes/${SLUG}/meetings/${meeting}.ics`,
      who ? { headers: await server.signIn(who) } : {},
    );

  it("serves one visible meeting", async () => {
    const r = await one("s1");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(uids(r.text)).toEqual(["s1@test-2023.parley"]);
    const own = await one("wga-caucus", "wgaNegotiator");
    expect(own.status).toBe(200);
    expect(uids(own.text)).toEqual(["wga-caucus@test-2023.parley"]);
  });

  it("answers a hidden meeting exactly as an unknown one", async () => {
    const unknown = await one("no-such-meeting");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      error: {
        code: "MEETING_UNKNOWN",
        message: "unknown meeting no-such-meeting",
        details: { meeting: "no-such-meeting" },
      },
    });
    for (const who of [undefined, "amptpNegotiator", "wgaMember"] as const) {
      const hidden = await one("wga-caucus", who);
      expect(hidden.status).toBe(404);
      expect(hidden.json).toEqual({
        error: {
          code: "MEETING_UNKNOWN",
          message: "unknown meeting wga-caucus",
          details: { meeting: "wga-caucus" },
        },
      });
    }
    // An inherited property name is not a meeting.
    const proto = await one("constructor");
    expect([proto.status, proto.json.error.message]).toEqual([404, "unknown meeting constructor"]);
  });

  it("says why a visible meeting without times has no calendar", async () => {
    const r = await one("asked");
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({
      code: "MEETING_UNKNOWN",
      message: "meeting asked has no start and end yet",
    });
  });

  it("refuses a malformed meeting id with 400", async () => {
    const r = await one("Bad_Id");
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("VALIDATION_FAILED");
    expect(r.json.error.message).toMatch(/^params\.meeting/);
  });
});

describe("OpenAPI", () => {
  it("documents both calendar routes with their validated parameters", async () => {
    const doc = (await server.call("GET", "/api/v1/openapi.json")).json;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/disputes/{slug}/calendar.ics",
        "/api/v1/disputes/{slug}/meetings/{meeting}.ics",
      ]),
    );
    const params = doc.paths["/api/v1/disputes/{slug}/meetings/{meeting}.ics"].get.parameters;
    expect(params.map((p: { name: string }) => p.name).sort()).toEqual(["key", "meeting", "slug"]);
  });
});

describe("calendar-feed", () => {
  const meeting = (id: string, over: Partial<MeetingState>): MeetingState => ({
    id,
    kind: "table",
    status: "scheduled",
    purpose: null,
    requestedBy: "wga",
    requestedAt: null,
    proposedTimes: [],
    with: [],
    start: null,
    end: null,
    place: null,
    awaiting: null,
    since: null,
    heldAt: null,
    attendees: 0,
    updatedAt: "2023-01-01T00:00:00.000Z",
    ...over,
  });
  const state = () => {
    const s = initialState("unit-2023");
    s.opened = {
      title: "Writers, Producers; 2023",
      timeZone: "America/Los_Angeles",
      openedBy: "wga",
      openedAt: "2023-01-01T00:00:00Z",
      agreement: {
        name: "MBA",
        expiresAt: null,
        status: "bargaining",
        tentativeAt: null,
        vote: null,
        term: null,
      },
    };
    s.meetings = {
      winter: meeting("winter", {
        start: "2023-01-10T18:00:00Z",
        end: "2023-01-10T20:00:00Z",
        place: "Sherman Oaks, Room 2",
        purpose: "Wages; residuals",
        updatedAt: "2023-01-05T17:00:00.000Z",
      }),
      summer: meeting("summer", {
        kind: "side",
        start: "2023-07-10T17:00:00Z",
        end: "2023-07-10T19:00:00Z",
      }),
      // 08:30Z and 09:30Z on 5 November 2023 are both 01:30 in Los Angeles (PDT, then PST).
      "first-0130": meeting("first-0130", { start: "2023-11-05T08:30:00Z", end: "2023-11-05T08:45:00Z" }),
      "second-0130": meeting("second-0130", { start: "2023-11-05T09:30:00Z", end: "2023-11-05T09:45:00Z" }),
      dropped: meeting("dropped", {
        kind: "caucus",
        status: "cancelled",
        start: "2023-02-01T18:00:00Z",
        end: "2023-02-01T19:00:00Z",
      }),
      asked: meeting("asked", {
        status: "requested",
        proposedTimes: [{ start: "2023-03-01T18:00:00Z", end: "2023-03-01T19:00:00Z" }],
      }),
    };
    return s;
  };
  const byUid = (ics: string, id: string) =>
    events(ics).find((e) => e.includes(`UID:${id}@unit-2023.parley`)) ?? [];

  it("writes one event per meeting with times, in start order, and is deterministic", () => {
    const ics = disputeCalendar(state());
    expect(uids(ics)).toEqual([
      "winter@unit-2023.parley",
      "dropped@unit-2023.parley",
      "summer@unit-2023.parley",
      "first-0130@unit-2023.parley",
      "second-0130@unit-2023.parley",
    ]);
    expect(disputeCalendar(state())).toBe(ics);
  });

  it("keeps the wall time across DST, and the offset in the VTIMEZONE", () => {
    const ics = disputeCalendar(state());
    // Both at 10:00 local, though 18:00Z in winter and 17:00Z in summer.
    expect(byUid(ics, "winter")).toContain("DTSTART;TZID=America/Los_Angeles:20230110T100000");
    expect(byUid(ics, "summer")).toContain("DTSTART;TZID=America/Los_Angeles:20230710T100000");
    expect(ics).toContain(
      "BEGIN:DAYLIGHT\r\nDTSTART:20230312T020000\r\nTZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700\r\nTZNAME:PDT\r\nEND:DAYLIGHT",
    );
    expect(ics).toContain(
      "BEGIN:STANDARD\r\nDTSTART:20231105T020000\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\nTZNAME:PST\r\nEND:STANDARD",
    );
    // The standard time in force before the first meeting (from November 2022) opens the zone.
    expect(ics).toContain("BEGIN:STANDARD\r\nDTSTART:20221106T020000\r\n");
  });

  it("writes a repeated wall time in UTC when it is the second occurrence", () => {
    const ics = disputeCalendar(state());
    expect(byUid(ics, "first-0130")).toContain("DTSTART;TZID=America/Los_Angeles:20231105T013000");
    expect(byUid(ics, "second-0130")).toContain("DTSTART:20231105T093000Z");
    expect(byUid(ics, "second-0130")).toContain("DTEND:20231105T094500Z");
  });

  it("names the kind and dispute, escapes text, and marks cancellations", () => {
    const ics = disputeCalendar(state());
    const winter = byUid(ics, "winter");
    expect(winter).toContain("SUMMARY:Table session: Writers\\, Producers\\; 2023");
    expect(winter).toContain("LOCATION:Sherman Oaks\\, Room 2");
    expect(winter).toContain("DESCRIPTION:Wages\\; residuals");
    expect(winter).toContain("DTSTAMP:20230105T170000Z");
    expect(byUid(ics, "summer")).toContain("SUMMARY:Side meeting: Writers\\, Producers\\; 2023");
    expect(byUid(ics, "summer").some((l) => l.startsWith("DESCRIPTION"))).toBe(false);
    expect(byUid(ics, "dropped")).toContain("SUMMARY:Caucus: Writers\\, Producers\\; 2023");
    expect(byUid(ics, "dropped")).toContain("STATUS:CANCELLED");
    expect(winter).toContain("STATUS:CONFIRMED");
  });

  it("gives one meeting's calendar, or null without such a meeting or times", () => {
    const s = state();
    expect(uids(meetingCalendar(s, "summer")!)).toEqual(["summer@unit-2023.parley"]);
    expect(meetingCalendar(s, "asked")).toBeNull();
    expect(meetingCalendar(s, "nothing")).toBeNull();
    expect(meetingCalendar(s, "toString")).toBeNull();
  });

  it("builds a VTIMEZONE whose offsets match the tz data", () => {
    const from = Temporal.Instant.from("2023-01-01T00:00:00Z");
    const to = Temporal.Instant.from("2024-12-31T00:00:00Z");
    const berlin = vtimezone("Europe/Berlin", from, to);
    expect(berlin.match(/BEGIN:(STANDARD|DAYLIGHT)/g)).toHaveLength(5);
    expect(berlin).toContain("DTSTART:20240331T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200");
    const tokyo = vtimezone("Asia/Tokyo", from, to);
    // No transition in the range: the one in force since 1951 is the only observance.
    expect(tokyo.match(/BEGIN:(STANDARD|DAYLIGHT)/g)).toHaveLength(1);
    expect(tokyo).toContain("TZOFFSETFROM:+1000\r\nTZOFFSETTO:+0900");
  });
});
