import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wga2023 } from "../../src/demo/wga-2023.ts";
import { IssuePage, type IssuePageProps } from "../../src/web/pages/issue.tsx";
import { demoServer, pageText as text } from "../support/web.ts";

/** One pass of an issue page's thread, as HTML ("" when the page does not show it). */
function passOf(html: string, seq: number): string {
  return new RegExp(`<article id="pass-${seq}"[\\s\\S]*?</article>`).exec(html)?.[0] ?? "";
}

/** One comparison of a pass (own: against its side's previous pass; other: the other side's). */
function comparison(html: string, seq: number, which: "own" | "other"): string {
  const pass = passOf(html, seq);
  return new RegExp(`<h4 id="pass-${seq}-${which}">[\\s\\S]*?</div></div>`).exec(pass)?.[0] ?? "";
}

/** A board column's text. */
function column(html: string, status: string): string {
  const m = new RegExp(`<section class="issue-column issue-column-${status}[^"]*"[\\s\\S]*?</section>`).exec(
    html,
  );
  return m ? text(m[0]) : "";
}

/** The cells of a row of the terms table, by its label. */
function termRow(html: string, label: string): string[] {
  const row = new RegExp(`<tr><th scope="row">${label}</th>([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? "";
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1]!).trim());
}

const seqOf = (label: string) => {
  const l = wga2023().labels[label];
  if (!l) throw new Error(`no demo entry ${label}`);
  return l.seq;
};
const WGA_OPENING = seqOf("wga-opening");
const AMPTP_MAY = seqOf("amptp-may");
const AMPTP_AUG_11 = seqOf("amptp-2023-08-11");
const WGA_AUG_15 = seqOf("wga-2023-08-15");
const CLOSING = seqOf("closing-package");

let s: Awaited<ReturnType<typeof demoServer>>;
let wga: string;
let amptp: string;
let wgaMember: string;
beforeAll(async () => {
  s = await demoServer();
  wga = await s.signIn("wgaNegotiator");
  amptp = await s.signIn("amptpNegotiator");
  wgaMember = await s.signIn("wgaMember");
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

describe("the issues board", () => {
  it("today every issue is tentatively agreed, as of 2023-09-14 every one is open with the AMPTP to move", async () => {
    const today = await s.page("/d/wga-2023/issues");
    expect(today.status).toBe(200);
    expect(column(today.html, "tentatively-agreed")).toContain("Tentatively agreed (5)");
    expect(column(today.html, "tentatively-agreed")).toContain("Agreed Sun 2023-09-24");
    expect(column(today.html, "open")).toContain("Open (0)");

    const past = await s.page("/d/wga-2023/issues?asOf=2023-09-14");
    expect(past.status).toBe(200);
    const open = column(past.html, "open");
    expect(open).toContain("Open (5)");
    expect(column(past.html, "tentatively-agreed")).toContain("Tentatively agreed (0)");
    expect(column(past.html, "withdrawn")).toContain("Withdrawn (0)");
    expect(column(past.html, "dropped")).toContain("Dropped (0)");
    // The public learned of two passes on wages (both made public in August): the AMPTP owes the move.
    expect(open).toMatch(
      /Wages \(minimum rates\) Whose move: AMPTP , since Tue 2023-08-15 30 days 2 passes · latest: WGA Tue 2023-08-15 , AMPTP Fri 2023-08-11/,
    );
    // Cards link to the issue's page on the same day.
    expect(past.html).toContain('href="/d/wga-2023/issues/wages?asOf=2023-09-14"');
  });

  it("counts only the passes the reader may see", async () => {
    const negotiator = column((await s.page("/d/wga-2023/issues?asOf=2023-09-14", wga)).html, "open");
    // The guild's negotiators see the table passes too: the opening, the AMPTP's May offer, Aug 11 and Aug 15.
    expect(negotiator).toMatch(
      /Wages \(minimum rates\) Whose move: AMPTP , since Tue 2023-08-15 30 days 4 passes/,
    );
    const member = column((await s.page("/d/wga-2023/issues?asOf=2023-09-14", wgaMember)).html, "open");
    expect(member).toMatch(
      /Wages \(minimum rates\) Whose move: AMPTP , since Tue 2023-08-15 30 days 2 passes/,
    );
  });

  it("a bad day is a 400 page with a stable code", async () => {
    const bad = await s.page("/d/wga-2023/issues?asOf=2023-02-30");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("VALIDATION_FAILED");
    const unknown = await s.page("/d/no-such-dispute/issues");
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain("DISPUTE_UNKNOWN");
  });
});

describe("an issue's page", () => {
  it("redlines each pass against its side's previous pass and the other side's latest", async () => {
    const r = await s.page("/d/wga-2023/issues/wages", amptp);
    expect(r.status).toBe(200);
    const own = comparison(r.html, AMPTP_AUG_11, "own");
    // Aug 11 against the AMPTP's May offer: 4% / 3% / 2% became 5% / 4% / 3.5%, plus the compounded figure.
    expect(own).toContain(`href="#pass-${AMPTP_MAY}"`);
    expect(own).toContain("<del>4</del><ins>5</ins>");
    expect(own).toContain("<del>3</del><ins>4</ins>");
    expect(own).toContain("<del>2</del><ins>3.5</ins>");
    expect(own).toContain("<ins>02% compounded over the term.</ins>");
    // ...and against the guild's opening, the latest guild pass before it.
    const other = comparison(r.html, AMPTP_AUG_11, "other");
    expect(other).toContain(`href="#pass-${WGA_OPENING}"`);
    expect(other).toContain("<del>Every minimum goes up by 6</del>");
    // The thread runs oldest first, every pass the reader may see.
    const order = [WGA_OPENING, AMPTP_MAY, AMPTP_AUG_11, WGA_AUG_15, CLOSING].map((seq) =>
      r.html.indexOf(`<article id="pass-${seq}"`),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const t = text(passOf(r.html, AMPTP_AUG_11));
    expect(t).toContain("AMPTP counterproposal · Fri 2023-08-11 12:00 PDT");
    expect(t).toContain("The AMPTP's package of Aug 11 (strike day 102).");
    expect(t).toContain("made public Tue 2023-08-22 17:20 PDT");
  });

  it("shows the terms side by side, one column per pass that states figures", async () => {
    const r = await s.page("/d/wga-2023/issues/wages", wga);
    const t = text(r.html);
    expect(t).toContain("Terms pass by pass");
    expect(termRow(r.html, "Increase year 1")).toEqual([
      "6%",
      "4% changed",
      "5% changed",
      "5% effective 2023-09-25",
    ]);
    expect(termRow(r.html, "Increase year 3")).toEqual([
      "5%",
      "2% changed",
      "3.5% changed",
      "3.5% effective 2025-05-02",
    ]);
    expect(termRow(r.html, "Compounded increase")).toEqual([
      "— not stated",
      "— not stated",
      "13.02%",
      "— not stated",
    ]);
    // The guild's Aug 15 counter states no figures: its column is left out, and the caption says so.
    expect(r.html).not.toMatch(new RegExp(`<th scope="col"><a href="#pass-${WGA_AUG_15}"`));
    expect(t).toContain("Passes that state no figures are left out.");
    // Staffing: the closing package's minimum staff.
    const staffing = await s.page("/d/wga-2023/issues/staffing", wga);
    expect(termRow(staffing.html, "Minimum staff 7 to 12 episodes")).toContain("5 writers");
    // No figures at all: no table.
    const ai = text((await s.page("/d/wga-2023/issues/ai", wga)).html);
    expect(ai).toContain("No pass on this issue that you may read states figures.");
  });

  it("shows the tentative agreement with both sides' sign-offs, and none before it", async () => {
    const t = text((await s.page("/d/wga-2023/issues/ai")).html);
    expect(t).toContain("Status: Tentatively agreed since Sun 2023-09-24");
    expect(t).toContain("Tentative agreement on the whole agreement Signed by both sides.");
    expect(t).toContain("AMPTP signed first: AMPTP (carol.lombardini) , Sun 2023-09-24 18:00 PDT");
    expect(t).toContain("WGA countersigned: WGA West (ellen.stutzman) , Sun 2023-09-24 18:30 PDT");
    expect(t).toContain(
      "The guild countersigns. It values the gains of this agreement at about $233M a year.",
    );

    const before = text((await s.page("/d/wga-2023/issues/ai?asOf=2023-09-14")).html);
    expect(before).toContain("Status: Open");
    expect(before).toContain("Whose move: AMPTP , since Tue 2023-08-15 30 days");
    expect(before).toContain("No tentative agreement covers this issue yet.");
    expect(before).not.toContain("countersigned");
  });

  it("a tentative agreement awaiting the other side says so", () => {
    const props: IssuePageProps = {
      ctx: {
        caller: null,
        csrf: null,
        assets: { css: "/a.css", js: "/a.js" },
        url: "/d/x/issues/wages",
        public: false,
        origin: "http://127.0.0.1:3000",
      },
      frame: {
        slug: "x",
        title: "X",
        timeZone: "America/Los_Angeles",
        firstDate: "2023-01-01",
        today: "2023-12-31",
        asOf: null,
        public: false,
      },
      issue: {
        id: "wages",
        title: "Wages",
        article: "Art. 13",
        status: "open",
        raisedBy: "WGA",
        openedAt: "2023-03-20T16:30:00.000Z",
        closedAt: null,
      },
      move: { awaiting: "WGA", since: "2023-09-24T17:00:00.000Z", days: 0 },
      passes: [],
      tas: [
        {
          seq: 9,
          wholeAgreement: false,
          issues: ["Wages"],
          signoffs: [
            {
              seq: 9,
              side: "AMPTP",
              sideId: "amptp-side",
              org: "AMPTP",
              user: "carol.lombardini",
              at: "2023-09-24T17:00:00.000Z",
              countersign: false,
              language: "Wages as agreed.",
            },
          ],
          awaiting: ["WGA"],
        },
      ],
      closing: null,
    };
    const t = text(renderToString(h(IssuePage, props)));
    expect(t).toContain("Tentative agreement on Wages Awaiting WGA's countersignature.");
    expect(t).toContain("WGA : awaiting its signature");
    expect(t).not.toContain("Signed by both sides");
    expect(t).toContain("Article: Art. 13");
  });

  it("as of a day, the thread holds the passes the reader could see by then", async () => {
    // The public: the AMPTP's Aug 11 offer was made public on Aug 22, the guild's Aug 15 counter on Aug 24.
    const aug23 = await s.page("/d/wga-2023/issues/wages?asOf=2023-08-23");
    expect(aug23.status).toBe(200);
    expect(passOf(aug23.html, AMPTP_AUG_11)).not.toBe("");
    expect(passOf(aug23.html, WGA_AUG_15)).toBe("");
    const aug21 = await s.page("/d/wga-2023/issues/wages?asOf=2023-08-21");
    expect(text(aug21.html)).toContain("No pass on this issue that you may read.");
    const today = await s.page("/d/wga-2023/issues/wages");
    expect(passOf(today.html, WGA_AUG_15)).not.toBe("");
    // Negotiators saw them at the table: as of May 1 they see the opening and the May offer, not August.
    const may = await s.page("/d/wga-2023/issues/wages?asOf=2023-05-01", amptp);
    expect(passOf(may.html, AMPTP_MAY)).not.toBe("");
    expect(passOf(may.html, AMPTP_AUG_11)).toBe("");
    expect(may.html).toContain('href="/d/wga-2023/issues/staffing?asOf=2023-05-01"');
  });

  it("the public never reads a table pass nor its words in a redline", async () => {
    const r = await s.page("/d/wga-2023/issues/wages");
    const t = text(r.html);
    // The AMPTP's May offer and the guild's opening stayed at the table.
    expect(passOf(r.html, AMPTP_MAY)).toBe("");
    expect(passOf(r.html, WGA_OPENING)).toBe("");
    expect(t).not.toContain("4% in the first year, 3% in the second");
    expect(t).not.toContain("Every minimum goes up by 6%");
    // So the Aug 11 pass is the first the public may read: nothing to compare it with.
    expect(text(passOf(r.html, AMPTP_AUG_11))).toContain("nothing to compare with");
    expect(comparison(r.html, WGA_AUG_15, "other")).toContain(`href="#pass-${AMPTP_AUG_11}"`);
  });

  it("an unknown issue is a 404 page with a stable code; a bad day a 400", async () => {
    const unknown = await s.page("/d/wga-2023/issues/no-such-issue");
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain("ISSUE_UNKNOWN");
    const malformed = await s.page("/d/wga-2023/issues/Not_An_Id");
    expect(malformed.status).toBe(400);
    expect(malformed.html).toContain("VALIDATION_FAILED");
    const bad = await s.page("/d/wga-2023/issues/wages?asOf=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("VALIDATION_FAILED");
    const outside = await s.page("/d/wga-2023/issues/wages?asOf=2020-01-01");
    expect(outside.status).toBe(400);
    expect(outside.html).toContain("VALIDATION_FAILED");
  });
});

describe("private entries on issues", () => {
  const AT = "2023-08-16T18:00:00.000Z";
  const DRAFT = "PRIVATE-DRAFT-WGA the committee's fallback position on AI";

  it("a side's private draft pass reaches its own negotiators only, in the thread, the counts and the redlines", async () => {
    const recorded = await s.parley.execute("wga-2023", {
      actor: { org: "wga-west", user: "ellen.stutzman" },
      type: "pass.made",
      occurredAt: AT,
      visibility: "private",
      payload: {
        kind: "proposal",
        summary: "PRIVATE-SUMMARY-WGA",
        issues: [{ issue: "ai", language: DRAFT }],
      },
    });
    const draftSeq = recorded.seq;

    const own = await s.page("/d/wga-2023/issues/ai", wga);
    expect(passOf(own.html, draftSeq)).toContain("PRIVATE-DRAFT-WGA");
    expect(passOf(own.html, draftSeq)).toContain("PRIVATE-SUMMARY-WGA");
    // The guild's negotiators see the closing package compared with their own latest pass, the draft.
    expect(comparison(own.html, CLOSING, "other")).toContain(`href="#pass-${draftSeq}"`);
    expect(comparison(own.html, CLOSING, "other")).toContain("<del>fallback position on</del>");

    for (const [who, cookie] of [
      ["the AMPTP", amptp],
      ["a guild member", wgaMember],
      ["the public", undefined],
    ] as const) {
      const r = await s.page("/d/wga-2023/issues/ai", cookie);
      expect(r.status, who).toBe(200);
      expect(r.html, who).not.toContain("PRIVATE-DRAFT-WGA");
      expect(r.html, who).not.toContain("PRIVATE-SUMMARY-WGA");
      expect(r.html, who).not.toContain(`pass-${draftSeq}`);
      expect(r.html, who).not.toContain("fallback position");
    }
    // The AMPTP's closing package is compared with the guild's Aug 15 counter, the latest it may read.
    const other = await s.page("/d/wga-2023/issues/ai", amptp);
    expect(comparison(other.html, CLOSING, "other")).toContain(`href="#pass-${WGA_AUG_15}"`);

    // Counts: the board of each reader counts the passes it may see.
    const ownBoard = column((await s.page("/d/wga-2023/issues?asOf=2023-09-14", wga)).html, "open");
    const otherBoard = column((await s.page("/d/wga-2023/issues?asOf=2023-09-14", amptp)).html, "open");
    expect(ownBoard).toMatch(
      /Artificial intelligence Whose move: AMPTP , since Wed 2023-08-16 \d+ days 5 passes/,
    );
    expect(otherBoard).toMatch(
      /Artificial intelligence Whose move: AMPTP , since Tue 2023-08-15 30 days 4 passes/,
    );
  });

  it("an issue the reader may not see is answered exactly as an unknown one", async () => {
    await s.parley.execute("wga-2023", {
      actor: { org: "wga-west", user: "ellen.stutzman" },
      type: "issue.opened",
      occurredAt: AT,
      visibility: "private",
      payload: { issue: "secret-issue", title: "PRIVATE-ISSUE-WGA" },
    });
    const own = await s.page("/d/wga-2023/issues/secret-issue", wga);
    expect(own.status).toBe(200);
    expect(text(own.html)).toContain("PRIVATE-ISSUE-WGA");
    expect(text((await s.page("/d/wga-2023/issues", wga)).html)).toContain("PRIVATE-ISSUE-WGA");

    const never = await s.page("/d/wga-2023/issues/never-issue", amptp);
    for (const cookie of [amptp, wgaMember, undefined]) {
      const hidden = await s.page("/d/wga-2023/issues/secret-issue", cookie);
      expect(hidden.status).toBe(404);
      expect(hidden.html).not.toContain("PRIVATE-ISSUE-WGA");
      // Same page as for an id that never existed, but for the id itself.
      const normalize = (html: string) =>
        html
          .replace(/secret-issue|never-issue/g, "ID")
          .replace(/<header[\s\S]*?<\/header>/, "")
          .replace(/<script[\s\S]*?<\/script>/g, "");
      if (cookie === amptp) expect(normalize(hidden.html)).toBe(normalize(never.html));
      expect(text((await s.page("/d/wga-2023/issues", cookie)).html)).not.toContain("PRIVATE-ISSUE-WGA");
    }
  });

  it("a pass made public only later is not compared with on a day before its publication", async () => {
    // The AMPTP passes on viewership at the table on Aug 16 and publishes that pass on Aug 17, before
    // its Aug 11 offer (published Aug 22) and the guild's Aug 15 counter (published Aug 24).
    const pass = await s.parley.execute("wga-2023", {
      actor: { org: "amptp", user: "carol.lombardini" },
      type: "pass.made",
      occurredAt: AT,
      visibility: "table",
      payload: {
        kind: "counterproposal",
        issues: [
          {
            issue: "viewership",
            language: "**Viewership.** Each quarter, hours viewed per title, in confidence.",
          },
        ],
      },
    });
    await s.parley.execute("wga-2023", {
      actor: { org: "amptp", user: "carol.lombardini" },
      type: "entry.published",
      occurredAt: "2023-08-17T18:00:00.000Z",
      visibility: "public",
      payload: { entry: pass.seq },
    });
    // Aug 20: the only viewership pass the public could read was this one.
    const aug20 = await s.page("/d/wga-2023/issues/viewership?asOf=2023-08-20");
    expect(text(passOf(aug20.html, pass.seq))).toContain("nothing to compare with");
    expect(passOf(aug20.html, AMPTP_AUG_11)).toBe("");
    // Aug 23: the AMPTP's Aug 11 offer is public, the guild's counter not yet: the app's redline
    // (against what may be read today) would compare with the counter; the page does not.
    const aug23 = await s.page("/d/wga-2023/issues/viewership?asOf=2023-08-23");
    expect(aug23.html).not.toContain(`pass-${WGA_AUG_15}`);
    expect(text(aug23.html)).not.toContain("The guild seeks viewership data it can actually use");
    expect(comparison(aug23.html, pass.seq, "own")).toContain(`href="#pass-${AMPTP_AUG_11}"`);
    expect(text(comparison(aug23.html, pass.seq, "other"))).toContain(
      "No earlier pass by the other side on this issue that you may read.",
    );
    // Today the public reads all three, and the comparison is with the guild's counter.
    const today = await s.page("/d/wga-2023/issues/viewership");
    expect(comparison(today.html, pass.seq, "other")).toContain(`href="#pass-${WGA_AUG_15}"`);
    expect(comparison(today.html, pass.seq, "own")).toContain(`href="#pass-${AMPTP_AUG_11}"`);
  });

  it("on a past day, a redline compares with the latest pass readable that day, word by word", async () => {
    // The guild passes in public on viewership on Aug 14: as of Aug 23 it is the guild's latest pass
    // the public could read (its Aug 15 counter was published on Aug 24).
    const early = await s.parley.execute("wga-2023", {
      actor: { org: "wga-west", user: "ellen.stutzman" },
      type: "pass.made",
      occurredAt: "2023-08-14T18:00:00.000Z",
      visibility: "public",
      payload: {
        kind: "counterproposal",
        issues: [
          { issue: "viewership", language: "**Viewership.** Minutes watched per title, every month." },
        ],
      },
    });
    const aug16 = (await s.parley.timeline(
      "wga-2023",
      { kind: "public" },
      {
        issue: "viewership",
        type: "pass.made",
        from: AT,
        to: AT,
        order: "asc",
        limit: 5,
      },
    )) as { items: { seq: number }[] };
    const seq = aug16.items[0]!.seq;
    const aug23 = await s.page("/d/wga-2023/issues/viewership?asOf=2023-08-23");
    const other = comparison(aug23.html, seq, "other");
    expect(other).toContain(`href="#pass-${early.seq}"`);
    expect(other).toContain("<del>Minutes watched</del>");
    expect(other).toContain("<ins>Each quarter, hours viewed</ins>");
    expect(other).not.toContain("actually use");
    const today = await s.page("/d/wga-2023/issues/viewership");
    expect(comparison(today.html, seq, "other")).toContain(`href="#pass-${WGA_AUG_15}"`);
  });
});
