import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts, viewerFor } from "../src/app/accounts.ts";
import { Parley } from "../src/app/parley.ts";
import { OPERATOR, PUBLIC, type Viewer } from "../src/app/visibility.ts";
import { formatStatus } from "../src/cli/format.ts";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../src/demo/accounts.ts";
import { loadDemo } from "../src/demo/load.ts";
import { SAG_AFTRA_2023 } from "../src/demo/sag-aftra-2023.ts";
import { at } from "../src/demo/time.ts";
import { WGA_2023, wga2023 } from "../src/demo/wga-2023.ts";
import type { Status } from "../src/domain/status.ts";

const WGA = WGA_2023;
const SAG = SAG_AFTRA_2023;
const negotiator = (org: string): Viewer => ({ kind: "org", org, role: "negotiator" });
const member = (org: string): Viewer => ({ kind: "org", org, role: "member" });
const BOTH = [
  ["public", PUBLIC],
  ["operator", OPERATOR],
] as const;

let dir: string;
let app: Parley;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "parley-"));
  app = await Parley.open(join(dir, "parley.db"));
  await loadDemo(app);
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

function stoppage(status: Status, dispute: string) {
  const found = status.stoppages.find((s) => s.dispute === dispute);
  if (!found) throw new Error(`no stoppage of ${dispute} in the status of ${status.dispute}`);
  return found;
}

describe("demo time helper", () => {
  it("converts Los Angeles wall-clock time to UTC across both DST changes", () => {
    expect(at("2023-03-20 09:00")).toBe("2023-03-20T16:00:00.000Z"); // PDT
    expect(at("2023-05-01 23:59")).toBe("2023-05-02T06:59:00.000Z");
    expect(at("2023-05-02 00:01")).toBe("2023-05-02T07:01:00.000Z");
    expect(at("2023-11-09 00:01")).toBe("2023-11-09T08:01:00.000Z"); // PST
    expect(at("2023-03-01 12:00")).toBe("2023-03-01T20:00:00.000Z");
    expect(() => at("2023-03-12 02:30")).toThrow(); // skipped by the spring-forward change
    expect(() => at("2023-08-11T10:00")).toThrow(RangeError);
  });
});

describe("demo: the WGA strike at a glance", () => {
  it.each(BOTH)(
    "on Thursday Sep 14, 2023 (%s): day 136, actors out 63 days, last met Aug 22",
    async (_, viewer) => {
      const s = await app.status(WGA, viewer, "2023-09-14");
      const wga = stoppage(s, WGA);
      expect(wga.day).toBe(136);
      expect(wga.end).toBeNull();
      expect(wga.organizations).toEqual(["WGA"]);
      expect(wga.against).toEqual(["AMPTP"]);
      const sag = stoppage(s, SAG);
      expect(sag.concurrent).toBe(true);
      expect(sag.day).toBe(63);
      expect(sag.workers).toBe(160000);
      expect(s.lastMeeting?.date).toBe("2023-08-22");
      expect(s.nextMeeting).toBeNull();
    },
  );

  it.each(BOTH)("counts the days the facts check (%s)", async (_, viewer) => {
    const days: [string, number][] = [
      ["2023-05-02", 1],
      ["2023-08-04", 95],
      ["2023-08-09", 100],
      ["2023-08-11", 102],
      ["2023-08-22", 113],
      ["2023-09-08", 130],
      ["2023-09-24", 146],
      ["2023-09-26", 148],
    ];
    for (const [date, day] of days) {
      expect(stoppage(await app.status(WGA, viewer, date), WGA).day, date).toBe(day);
    }
    const before = await app.status(WGA, viewer, "2023-05-01");
    expect(before.stoppages.filter((x) => x.dispute === WGA)).toEqual([]);
  });

  it.each(BOTH)("shows the tentative agreement on Sep 24 (%s)", async (_, viewer) => {
    const s = await app.status(WGA, viewer, "2023-09-24");
    expect(stoppage(s, WGA).day).toBe(146);
    expect(s.agreement.status).toBe("tentative");
    expect(s.tentativeAgreements).toHaveLength(1);
    expect(s.tentativeAgreements[0]).toMatchObject({
      wholeAgreement: true,
      complete: true,
      date: "2023-09-24",
    });
    expect(s.tentativeAgreements[0]?.signedBy.sort()).toEqual(["AMPTP", "WGA"]);
    expect(s.issues.every((i) => i.status === "tentatively-agreed" && i.awaiting === null)).toBe(true);
  });

  it.each(BOTH)("ends the strike at 00:01 on Sep 27 after 148 days (%s)", async (_, viewer) => {
    const running = stoppage(await app.status(WGA, viewer, "2023-09-26"), WGA);
    expect(running.end).toBeNull();
    const s = await app.status(WGA, viewer, "2023-09-30");
    const wga = stoppage(s, WGA);
    expect(wga.end).toBe(at("2023-09-27 00:01"));
    expect(wga.day).toBe(148);
    expect(wga.lastDay).toBe("2023-09-26");
  });

  it.each(BOTH)("records the ratification on Oct 9 (%s)", async (_, viewer) => {
    const before = await app.status(WGA, viewer, "2023-10-08");
    expect(before.agreement.status).toBe("tentative");
    const s = await app.status(WGA, viewer, "2023-10-10");
    expect(s.agreement.status).toBe("ratified");
    expect(s.agreement.vote).toMatchObject({ yes: 8435, no: 90, closed: "2023-10-09" });
    expect(s.agreement.term).toEqual({ start: "2023-09-25", end: "2026-05-01" });
  });

  it.each(BOTH)(
    "seats the WGA's two guilds and the AMPTP for its member companies (%s)",
    async (_, viewer) => {
      const s = await app.status(WGA, viewer, "2023-09-14");
      const wga = s.sides.find((x) => x.id === "wga");
      expect(wga?.organizations.map((o) => o.id)).toEqual(["wga-west", "wga-east"]);
      const amptp = s.sides.find((x) => x.id === "amptp");
      expect(amptp?.organizations).toHaveLength(1);
      expect(amptp?.organizations[0]?.represents).toEqual([
        "Amazon",
        "Apple",
        "Disney",
        "NBCUniversal",
        "Netflix",
        "Paramount",
        "Sony",
        "Warner Bros. Discovery",
      ]);
    },
  );
});

describe("demo: whose move, and what the public knew", () => {
  it.each(BOTH)("puts every open issue on the AMPTP's desk on Sep 14 (%s)", async (_, viewer) => {
    const s = await app.status(WGA, viewer, "2023-09-14");
    expect(s.issues.map((i) => i.id).sort()).toEqual([
      "ai",
      "staffing",
      "streaming-residuals",
      "viewership",
      "wages",
    ]);
    for (const issue of s.issues) {
      expect(issue.status).toBe("open");
      expect(issue.awaiting, issue.id).toBe("AMPTP");
    }
  });

  it("keeps the Aug 11 offer from the public until the AMPTP publishes it on Aug 22", async () => {
    const pub = await app.status(WGA, PUBLIC, "2023-08-20");
    const all = await app.status(WGA, OPERATOR, "2023-08-20");
    const passes = (s: Status) => Object.fromEntries(s.issues.map((i) => [i.id, i.passes]));
    expect(Object.values(passes(pub)).every((n) => n === 0)).toBe(true);
    expect(passes(all)).not.toEqual(passes(pub));
    expect(passes(all).wages).toBe(4); // WGA Mar 20, AMPTP May 1, AMPTP Aug 11, WGA Aug 15

    // Published about 20 minutes after the Aug 22 meeting: the public now holds the AMPTP's
    // offer, and until the guild publishes its own counter it looks like the WGA's move.
    const after = await app.status(WGA, PUBLIC, "2023-08-23");
    for (const issue of after.issues) {
      expect(issue.passes, issue.id).toBe(1);
      expect(issue.awaiting, issue.id).toBe("WGA");
    }
    const sep1 = await app.status(WGA, PUBLIC, "2023-09-01");
    for (const issue of sep1.issues) expect(issue.awaiting, issue.id).toBe("AMPTP");
  });

  it("publishes the AMPTP's Aug 11 pass 20 minutes after the Aug 22 meeting ends", async () => {
    const { labels } = wga2023();
    const aug11 = labels["amptp-2023-08-11"];
    const aug15 = labels["wga-2023-08-15"];
    expect(aug11?.type).toBe("pass.made");
    const state = await app.view(WGA, OPERATOR);
    expect(state.published[String(aug11?.seq)]?.at).toBe(at("2023-08-22 17:20"));
    expect(state.meetings["session-2023-08-22"]?.end).toBe(at("2023-08-22 17:00"));
    expect(state.meetings["session-2023-08-22"]?.attendees).toBe(6);
    expect(state.published[String(aug15?.seq)]?.at).toBe(at("2023-08-24 10:05"));
  });

  it.each(BOTH)(
    "tracks the meeting requests: Aug 1 from the AMPTP, Sep 13 from the WGA (%s)",
    async (_, viewer) => {
      const sep13 = await app.status(WGA, viewer, "2023-09-13");
      const move = sep13.moves.find((m) => m.subject === "meeting");
      expect(move).toMatchObject({ id: "wga-request-2023-09-13", awaiting: "AMPTP", days: 0 });
      const sep14 = await app.status(WGA, viewer, "2023-09-14");
      expect(sep14.moves.filter((m) => m.subject === "meeting")).toEqual([]);
      const sep19 = await app.status(WGA, viewer, "2023-09-19");
      expect(sep19.nextMeeting).toMatchObject({ id: "wga-request-2023-09-13", date: "2023-09-20" });
      const sep23 = await app.status(WGA, viewer, "2023-09-23");
      expect(sep23.lastMeeting?.date).toBe("2023-09-23");
    },
  );

  it.each(BOTH)("shows who answered the newsroom's requests for comment (%s)", async (_, viewer) => {
    const asked = await app.status(WGA, viewer, "2023-09-13");
    expect(asked.requestsForComment.map((r) => r.status)).toEqual(["pending", "pending"]);
    const s = await app.status(WGA, viewer, "2023-09-14");
    const byTo = Object.fromEntries(s.requestsForComment.map((r) => [r.to, r.status]));
    expect(byTo).toEqual({ AMPTP: "responded", "WGA West": "no-response" });
    expect(s.requestsForComment.every((r) => r.from === "Parley News")).toBe(true);
  });
});

describe("demo: parley status as a person reads it", () => {
  it("counts in words: singular for one, thousands grouped, statuses without hyphens", async () => {
    const text = formatStatus(await app.status(WGA, PUBLIC), "public");
    expect(text).toContain("ratified (8,435 yes, 90 no)");
    expect(text).toContain("ended, 148 days (2023-05-02 – 2023-09-26); 102 workdays");
    expect(text).toContain("82 workdays, 13,120,000 idle days [concurrent, sag-aftra-2023]");
    expect(text).toMatch(/^ {2}Wages \(minimum rates\) +tentatively agreed$/m);
    expect(text).toContain("Parley News asked WGA West on 2023-09-13: no response");
    expect(text).toContain("  AMPTP: 1 answer, 1.1 days on average, longest 1.1 days");
    expect(text).toContain("  WGA: 6 answers, 3.8 days on average, longest 4.0 days");
    expect(text).not.toMatch(/(?<![\d.])1 (answers|days|figures|entries)\b|\d{5}/);
  });

  it("as of 2023-09-14: who owes the move, for how many days", async () => {
    const text = formatStatus(await app.status(WGA, PUBLIC, "2023-09-14"), "public");
    expect(text).toContain("as of Thu 2023-09-14, America/Los_Angeles · seen as public · 53 entries");
    expect(text).toContain("day 63 (since 2023-07-14); 44 workdays, 7,040,000 idle days");
    expect(text).toMatch(
      /^ {2}Wages \(minimum rates\) +open +AMPTP owes the move since 2023-08-15 \(30 days\)$/m,
    );
    expect(text).toContain("Impact      9 figures recorded");
  });
});

describe("demo: impact figures", () => {
  const ids = [
    "wga-proposals-annual-value",
    "wga-valuation-of-amptp-may-offer",
    "amptp-may-offer-annual-increase",
    "wga-final-deal-annual-value",
    "milken-california-loss-july",
    "milken-california-loss-later",
    "holmes-first-100-days",
    "holmes-projection-october",
    "milken-2007-08-strike-loss",
    "milken-2007-08-strike-jobs",
    "bls-motion-picture-jobs-august",
    "iatse-west-coast-lost-wages",
    "otis-la-entertainment-jobs-change",
    "otis-la-entertainment-jobs-before",
    "otis-la-entertainment-jobs-after",
    "otis-la-lost-wages",
    "ucla-anderson-direct-impact",
  ];

  it.each(BOTH)("lists every figure with its source and a decimal value (%s)", async (_, viewer) => {
    const s = await app.status(WGA, viewer, "2024-04-01");
    expect(s.impact.map((f) => f.id).sort()).toEqual([...ids].sort());
    for (const f of s.impact) {
      expect(f.source.name.length, f.id).toBeGreaterThan(0);
      expect(f.value, f.id).toMatch(/^-?\d+(\.\d+)?$/);
      expect(f.method.length, f.id).toBeGreaterThan(0);
    }
    const byId = Object.fromEntries(s.impact.map((f) => [f.id, f]));
    expect(byId["wga-proposals-annual-value"]).toMatchObject({ value: "429000000", reportedBy: "wga-west" });
    expect(byId["amptp-may-offer-annual-increase"]).toMatchObject({ value: "97000000", reportedBy: "amptp" });
    expect(byId["wga-final-deal-annual-value"]?.value).toBe("233000000");
    expect(byId["bls-motion-picture-jobs-august"]).toMatchObject({ value: "-17000", unit: "jobs" });
    expect(byId["holmes-first-100-days"]).toMatchObject({ asOf: "2023-08-09", reportedBy: "parley-news" });
  });

  it("shows a figure only from the day it was reported", async () => {
    const s = await app.status(WGA, PUBLIC, "2023-09-14");
    const ids14 = s.impact.map((f) => f.id);
    expect(ids14).toContain("holmes-first-100-days");
    expect(ids14).not.toContain("ucla-anderson-direct-impact");
    expect(ids14).not.toContain("iatse-west-coast-lost-wages");
  });
});

describe("demo: private caucus notes never leak", () => {
  const WGA_MARK = "CAUCUS-WGA-PRIVATE";
  const AMPTP_MARK = "CAUCUS-AMPTP-PRIVATE";
  const dates = [undefined, "2023-08-21", "2023-09-14", "2023-10-10"];

  it("are in the ledger, so the checks below are not vacuous", async () => {
    const rows = await app.db
      .selectFrom("ledger_entries")
      .select(["type", "visibility", "body"])
      .orderBy("dispute_id")
      .orderBy("seq")
      .execute();
    const marked = (mark: string) => rows.filter((r) => r.body.includes(mark));
    for (const mark of [WGA_MARK, AMPTP_MARK]) {
      expect(marked(mark).map((r) => r.type)).toEqual(["meeting.scheduled", "note.recorded"]);
      expect(marked(mark).every((r) => r.visibility === "private")).toBe(true);
    }
    expect(JSON.stringify(await app.view(WGA, OPERATOR))).toContain(WGA_MARK);
    expect(JSON.stringify(await app.view(WGA, negotiator("wga-east")))).toContain(WGA_MARK);
    expect(JSON.stringify(await app.view(WGA, negotiator("amptp")))).toContain(AMPTP_MARK);
  });

  const cases: [string, Viewer, string[]][] = [
    ["public", PUBLIC, [WGA_MARK, AMPTP_MARK]],
    ["an AMPTP negotiator", negotiator("amptp"), [WGA_MARK]],
    ["a WGA West negotiator", negotiator("wga-west"), [AMPTP_MARK]],
    ["a WGA East negotiator", negotiator("wga-east"), [AMPTP_MARK]],
    ["a WGA West member", member("wga-west"), [WGA_MARK, AMPTP_MARK]],
    ["an AMPTP member", member("amptp"), [WGA_MARK, AMPTP_MARK]],
    ["the press", negotiator("parley-news"), [WGA_MARK, AMPTP_MARK]],
  ];
  it.each(cases)("are hidden from %s", async (_, viewer, hidden) => {
    for (const asOf of dates) {
      const texts = [
        JSON.stringify(await app.status(WGA, viewer, asOf)),
        JSON.stringify(await app.view(WGA, viewer, asOf ? { asOf: at(`${asOf} 23:59`) } : {})),
        JSON.stringify(await app.status(SAG, viewer, asOf)),
      ];
      for (const text of texts) for (const mark of hidden) expect(text).not.toContain(mark);
    }
  });

  it("do not show in the other side's counts either", async () => {
    const wgaSide = await app.view(WGA, negotiator("wga-west"));
    const amptpSide = await app.view(WGA, negotiator("amptp"));
    const pub = await app.view(WGA, PUBLIC);
    expect(wgaSide.notes).toBe(1);
    expect(amptpSide.notes).toBe(1);
    expect(pub.notes).toBe(0);
    expect(pub.meetings["wga-caucus-2023-08-21"]).toBeUndefined();
    expect(amptpSide.meetings["wga-caucus-2023-08-21"]).toBeUndefined();
    expect(wgaSide.meetings["amptp-caucus-2023-08-21"]).toBeUndefined();
  });
});

describe("demo: the SAG-AFTRA strike", () => {
  it.each(BOTH)(
    "runs from Jul 14 to 00:01 Nov 9, 118 days, alongside the writers (%s)",
    async (_, viewer) => {
      const sep14 = await app.status(SAG, viewer, "2023-09-14");
      const sag = stoppage(sep14, SAG);
      expect(sag).toMatchObject({ day: 63, end: null, workers: 160000, concurrent: false });
      expect(stoppage(sep14, WGA)).toMatchObject({ day: 136, concurrent: true });

      const nov10 = await app.status(SAG, viewer, "2023-11-10");
      const ended = stoppage(nov10, SAG);
      expect(ended.day).toBe(118);
      expect(ended.end).toBe(at("2023-11-09 00:01"));
      expect(ended.lastDay).toBe("2023-11-08");
      expect(nov10.agreement.status).toBe("tentative");
      expect(nov10.agreement.expiresAt).toBeNull();
      expect(nov10.tentativeAgreements[0]).toMatchObject({ complete: true, date: "2023-11-08" });
    },
  );

  it("reports the authorization vote as a decimal in text", async () => {
    const s = await app.status(SAG, PUBLIC, "2023-06-05");
    expect(s.statements.recent.some((x) => x.by === "sag-aftra" && x.text.includes("97.91%"))).toBe(true);
  });
});

describe("demo: accounts", () => {
  it("creates the documented accounts; each signs in with the demo password and reads as its role", async () => {
    const accounts = new Accounts(app.db, () => new Date(app.now()));
    const parties = await app.parties("wga-2023");
    const seen: Record<string, string> = {};
    for (const a of DEMO_ACCOUNTS) {
      const session = await accounts.login(a.email, DEMO_PASSWORD);
      const caller = await accounts.bySession(session.token);
      expect(caller?.memberships).toEqual([{ org: a.org, role: a.role }]);
      const v = viewerFor(caller, parties);
      seen[a.email] = v.kind === "org" ? `${v.org}:${v.role}` : v.kind;
    }
    expect(seen).toMatchObject({
      "negotiator@wga.demo": "wga-west:negotiator",
      "member@wga.demo": "wga-west:member",
      "negotiator@amptp.demo": "amptp:negotiator",
      "reporter@parley-news.demo": "parley-news:negotiator",
    });
    await expect(accounts.login("negotiator@wga.demo", "not the demo password")).rejects.toMatchObject({
      code: "AUTH_FAILED",
    });
  });
});

describe("demo: loading", () => {
  it("covers each ledger with a checkpoint of its full size", async () => {
    for (const slug of [WGA, SAG]) {
      const all = await app.status(slug, OPERATOR);
      const cp = await app.latestCheckpoint(slug);
      expect(cp?.size).toBe(all.entries);
    }
    expect((await app.status(WGA, OPERATOR)).entries).toBe(wga2023().commands.length + 1);
  });

  it("refuses to load twice, writing nothing", async () => {
    const before = await app.db
      .selectFrom("ledger_entries")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirst();
    await expect(loadDemo(app)).rejects.toMatchObject({ name: "ParleyError", code: "DISPUTE_EXISTS" });
    const after = await app.db
      .selectFrom("ledger_entries")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirst();
    expect(after?.n).toBe(before?.n);
    expect((await app.disputes()).map((d) => d.slug)).toEqual([WGA, SAG]);
  });
});
