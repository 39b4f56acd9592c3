import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { rebuildProjections } from "../../src/app/rebuild.ts";
import { rank, searchDispute } from "../../src/app/search.ts";
import { OPERATOR, PUBLIC, type Viewer } from "../../src/app/visibility.ts";
import type { Command } from "../../src/domain/decide.ts";
import { ParleyError } from "../../src/domain/errors.ts";
import { markedToSnippet } from "../../src/store/marked-snippet.ts";
import { AMPTP, MARKERS, onPostgres, PRESS, smallDispute, WGA } from "../support/fixture.ts";

const SLUG = "test-2023";

/** Each class of viewer, and the planted markers it may read (as in the authorization matrix). */
const VIEWERS: { name: string; viewer: Viewer; sees: string[] }[] = [
  { name: "public", viewer: PUBLIC, sees: [] },
  { name: "operator", viewer: OPERATOR, sees: Object.values(MARKERS) },
  {
    name: "WGA negotiator",
    viewer: { kind: "org", org: "wga-west", role: "negotiator" },
    sees: [MARKERS.wgaPrivate, MARKERS.wgaMembers, MARKERS.table],
  },
  {
    name: "WGA member",
    viewer: { kind: "org", org: "wga-west", role: "member" },
    sees: [MARKERS.wgaMembers],
  },
  {
    name: "AMPTP negotiator",
    viewer: { kind: "org", org: "amptp", role: "negotiator" },
    sees: [MARKERS.amptpPrivate, MARKERS.table],
  },
  { name: "AMPTP member", viewer: { kind: "org", org: "amptp", role: "member" }, sees: [] },
  { name: "press", viewer: { kind: "org", org: "daily-press", role: "negotiator" }, sees: [] },
];
const WGA_NEGOTIATOR = VIEWERS[2]!.viewer;

async function search(
  app: Parley,
  viewer: Viewer,
  q: string,
  more: {
    type?: "pass.made" | "statement.made";
    from?: string;
    to?: string;
    limit?: number;
    after?: string;
  } = {},
) {
  const d = await app.disputeRow(SLUG);
  return searchDispute(app.db, d.id, viewer, await app.viewerSide(SLUG, viewer), { limit: 50, ...more, q });
}

const statement = (text: string, visibility = "public", actor = PRESS): Command => ({
  actor,
  type: "statement.made",
  occurredAt: "2023-09-26T17:00:00Z",
  visibility,
  payload: { by: actor.org, channel: "other", text },
});

async function markOf(app: Parley): Promise<number | undefined> {
  const d = await app.disputeRow(SLUG);
  const row = await app.db
    .selectFrom("proj_search_marks")
    .select("seq")
    .where("dispute_id", "=", d.id)
    .executeTakeFirst();
  return row?.seq;
}

describe("search over the small dispute", () => {
  let app: Parley;
  beforeAll(async () => {
    app = (await smallDispute(undefined, { extra: 7 })).app;
  });
  afterAll(async () => app.close());

  for (const { name, viewer, sees } of VIEWERS) {
    it(`finds for the ${name} exactly the markers it may read, and counts only those`, async () => {
      const r = await search(app, viewer, "marker");
      const text = JSON.stringify(r);
      const found = Object.values(MARKERS).filter((m) => text.includes(m));
      expect(found.sort()).toEqual([...sees].sort());
      expect(r.total).toBe(sees.length);
      expect(r.items.length).toBe(sees.length);
      // Each marker's own code finds its entry, or nothing at all.
      for (const marker of Object.values(MARKERS)) {
        const code = marker.split("-").pop()!;
        expect({ marker, total: (await search(app, viewer, code)).total }).toEqual({
          marker,
          total: sees.includes(marker) ? 1 : 0,
        });
      }
    });
  }

  it("finds a table pass made public later, for the public too", async () => {
    const r = await search(app, PUBLIC, "raise minimums");
    expect(r.items.map((i) => [i.seq, i.visibility])).toEqual([[10, "table"]]);
    expect((await search(app, WGA_NEGOTIATOR, "raise minimums")).total).toBe(2);
  });

  it("stems and folds: other forms of a word, other cases, accents, prefixes", async () => {
    expect((await search(app, PUBLIC, "RAISING Mínimum")).total).toBe(1);
    expect((await search(app, PUBLIC, "fill*")).total).toBe(7);
    expect((await search(app, PUBLIC, '"minimums raise"')).total).toBe(0);
    expect((await search(app, PUBLIC, '"raise minimums"')).total).toBe(1);
  });

  it("marks each match in the snippet, by ranges of its text", async () => {
    const r = await search(app, OPERATOR, "raise minimum");
    expect(r.items.length).toBe(2);
    for (const item of r.items) {
      const words = item.snippet.highlights.map(([s, e]) => item.snippet.text.slice(s, e).toLowerCase());
      expect(words.sort()).toEqual(["minimums", "raise"]);
      expect(item.snippet.text).not.toMatch(/[\uE000-\uF8FF]/);
    }
  });

  it("filters by type and by when it occurred", async () => {
    expect((await search(app, OPERATOR, "raise", { type: "pass.made" })).total).toBe(2);
    expect((await search(app, OPERATOR, "raise", { type: "statement.made" })).total).toBe(0);
    const april = await search(app, OPERATOR, "raise", {
      from: "2023-04-01T00:00:00Z",
      to: "2023-04-30T00:00:00Z",
    });
    expect(april.items.map((i) => i.seq)).toEqual([10]);
  });

  it("pages with a cursor: the pages together are the whole result, each entry once", async () => {
    const whole = await search(app, PUBLIC, "filler", { limit: 100 });
    expect(whole.total).toBe(7);
    const seen: number[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await search(app, PUBLIC, "filler", { limit: 3, ...(after ? { after } : {}) });
      expect(page.total).toBe(7);
      seen.push(...page.items.map((i) => i.seq));
      after = page.next ?? undefined;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(whole.items.map((i) => i.seq));
  });

  it("refuses a cursor it did not give out, and a search with nothing to find", async () => {
    for (const [q, after] of [
      ["filler", "not-a-cursor"],
      ["filler", Buffer.from('{"u":1,"o":-5}').toString("base64url")],
      ['"" ***', undefined],
    ] as const) {
      const err = await search(app, PUBLIC, q, after ? { after } : {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ParleyError);
      expect((err as ParleyError).code).toBe("VALIDATION_FAILED");
    }
  });
});

describe("ranking", () => {
  it("puts more occurrences first, then shorter texts, then the earlier entry", () => {
    const m = (seq: number, hits: number, words: number) => ({ seq, hits, words });
    const order = rank([m(1, 1, 40), m(2, 3, 6), m(3, 1, 3), m(4, 1, 3)]).map((x) => x.seq);
    expect(order).toEqual([2, 3, 4, 1]);
  });

  it("ranks real entries so", async () => {
    const { app } = await smallDispute();
    try {
      const long = `One pension mention among ${"many other words about the talks ".repeat(6)}`;
      const recorded = [];
      for (const text of [long, "Pension, pension, pension now.", "Pension talk."]) {
        recorded.push((await app.execute(SLUG, statement(text))).seq);
      }
      const r = await search(app, PUBLIC, "pension");
      expect(r.items.map((i) => i.seq)).toEqual([recorded[1], recorded[2], recorded[0]]);
    } finally {
      await app.close();
    }
  });
});

describe("keeping the index", () => {
  it("costs an append nothing, and catches up before the next search", async () => {
    const { app } = await smallDispute();
    try {
      expect((await search(app, PUBLIC, "walnut")).total).toBe(0);
      const mark = await markOf(app);
      expect(mark).toBe((await app.latestCheckpoint(SLUG))!.size - 1);
      const added = await app.execute(SLUG, statement("Walnut orchard"));
      await app.execute(SLUG, statement("Another walnut"));
      expect(await markOf(app)).toBe(mark);
      const r = await search(app, PUBLIC, "walnut");
      expect(r.total).toBe(2);
      expect(await markOf(app)).toBe(added.seq + 1);
    } finally {
      await app.close();
    }
  });

  it("finds a private note once it is published, and not before", async () => {
    const { app } = await smallDispute();
    try {
      const note = await app.execute(SLUG, {
        actor: WGA,
        type: "note.recorded",
        occurredAt: "2023-09-26T17:00:00Z",
        visibility: "private",
        payload: { text: "Fallback: accept the pineapple clause" },
      });
      expect((await search(app, PUBLIC, "pineapple")).total).toBe(0);
      expect((await search(app, { kind: "org", org: "amptp", role: "negotiator" }, "pineapple")).total).toBe(
        0,
      );
      expect((await search(app, WGA_NEGOTIATOR, "pineapple")).total).toBe(1);
      await app.execute(SLUG, {
        actor: WGA,
        type: "entry.published",
        occurredAt: "2023-09-27T17:00:00Z",
        visibility: "public",
        payload: { entry: note.seq },
      });
      const r = await search(app, PUBLIC, "pineapple");
      expect(r.items.map((i) => [i.seq, i.visibility])).toEqual([[note.seq, "private"]]);
    } finally {
      await app.close();
    }
  });

  it("keeps a later page to what the first page saw, however much is appended between", async () => {
    const { app } = await smallDispute(undefined, { extra: 5 });
    try {
      const first = await search(app, PUBLIC, "filler", { limit: 3 });
      await app.execute(SLUG, statement("Filler late"));
      const second = await search(app, PUBLIC, "filler", { limit: 3, after: first.next! });
      expect([first.total, second.total, second.next]).toEqual([5, 5, null]);
      expect((await search(app, PUBLIC, "filler")).total).toBe(6);
    } finally {
      await app.close();
    }
  });

  it("is derived again by rebuild: text that is not the ledger's is gone", async () => {
    const { app } = await smallDispute();
    try {
      await search(app, PUBLIC, "anything");
      const d = await app.disputeRow(SLUG);
      // Forge entry 6's row in the index, as each store keeps it.
      if (onPostgres()) {
        await sql`UPDATE proj_search SET text = 'counterfeit words',
                  tsv = to_tsvector('parley_search', 'counterfeit words')
                  WHERE dispute_id = ${d.id} AND seq = 6`.execute(app.db);
      } else {
        await sql`UPDATE proj_search SET text = 'counterfeit words' WHERE rowid = ${d.id * 2 ** 32 + 6}`.execute(
          app.db,
        );
      }
      expect((await search(app, OPERATOR, "counterfeit")).total).toBe(1);
      expect((await search(app, OPERATOR, "raise minimums")).total).toBe(1);
      const r = await rebuildProjections(app.db, d.id, SLUG);
      expect((await search(app, OPERATOR, "counterfeit")).total).toBe(0);
      expect((await search(app, OPERATOR, "raise minimums")).total).toBe(2);
      // Every entry with text, and no other: stoppages and the like have none.
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM proj_search`.execute(app.db);
      expect(r.search).toBe(rows[0]!.n);
      expect(r.search).toBeGreaterThan(10);
      expect(r.search).toBeLessThan(r.timeline);
    } finally {
      await app.close();
    }
  });

  it("finds a corrected entry under its own words, and the correction under its new ones", async () => {
    const { app } = await smallDispute();
    try {
      const original = await app.execute(SLUG, statement("We offer a modest raise", "public", AMPTP));
      const correction = await app.execute(SLUG, {
        actor: AMPTP,
        type: "entry.corrected",
        occurredAt: "2023-09-27T17:00:00Z",
        visibility: "public",
        payload: {
          entry: original.seq,
          action: "correct",
          reason: "Misquoted",
          text: "We offer a generous raise",
        },
      });
      expect((await search(app, PUBLIC, "modest")).items.map((i) => i.seq)).toEqual([original.seq]);
      expect((await search(app, PUBLIC, "generous misquoted")).items.map((i) => i.seq)).toEqual([
        correction.seq,
      ]);
      expect((await search(app, PUBLIC, "we offer")).total).toBe(2);
    } finally {
      await app.close();
    }
  });

  it("never takes a private-use character in the text for a match marker", async () => {
    const { app } = await smallDispute();
    try {
      await app.execute(SLUG, statement("A \uE000forged\uE001 mark beside a zebra"));
      const [item] = (await search(app, PUBLIC, "zebra")).items;
      expect(item!.snippet.text).toBe("A forged mark beside a zebra");
      expect(item!.snippet.highlights).toEqual([[23, 28]]);
    } finally {
      await app.close();
    }
  });
});

describe("words as both stores read them", () => {
  let app: Parley;
  const seqs: number[] = [];
  beforeAll(async () => {
    app = (await smallDispute()).app;
    for (const text of [
      "Négociations à Montréal: the ÉCOLE stays open. Забастовка продолжается, ЗАБАСТОВКА!",
      "We offer no strike clause; we will not strike. No strike!",
      "See https://example.org/path-to/offer, it's <b>bold</b> & e\u0301lan",
      `${"Opening words of a long statement. ".repeat(8)}Then the pension clause. ${"Closing words run on. ".repeat(8)}`,
    ]) {
      seqs.push((await app.execute(SLUG, statement(text))).seq);
    }
  });
  afterAll(async () => app.close());

  /** Each item's seq and the text of its highlights. */
  const marked = async (q: string) =>
    (await search(app, PUBLIC, q)).items.map((i) => [
      i.seq,
      i.snippet.highlights.map(([s, e]) => i.snippet.text.slice(s, e)),
    ]);

  it("folds case and accents in any script, and shows the text as written", async () => {
    expect(await marked("ecole MONTREAL")).toEqual([[seqs[0], ["Montréal", "ÉCOLE"]]]);
    expect(await marked("забастовка")).toEqual([[seqs[0], ["Забастовка", "ЗАБАСТОВКА"]]]);
    expect(await marked("élan")).toEqual([[seqs[2], ["e\u0301lan"]]]);
  });

  it("finds no stop words missing: every word counts", async () => {
    expect(await marked("we")).toEqual([[seqs[1], ["We", "we"]]]);
    expect((await search(app, PUBLIC, "not")).total).toBe(1);
  });

  it("marks a phrase where it occurs, as one range, and its words nowhere else", async () => {
    expect(await marked('"no strike"')).toEqual([[seqs[1], ["no strike", "No strike"]]]);
    expect(await marked('"offer strike"')).toEqual([]);
  });

  it("reads punctuation as a space between words: links, contractions, markup", async () => {
    for (const q of ["path", "it", "bold", "org"]) {
      expect({ q, found: await marked(q) }).toEqual({ q, found: [[seqs[2], [q]]] });
    }
    expect(await marked('"path to offer"')).toEqual([[seqs[2], ["path-to/offer"]]]);
    expect((await search(app, PUBLIC, '"example path"')).total).toBe(0);
  });

  it("cuts a long text to a passage around its match, with an ellipsis at each cut end", async () => {
    const [item] = (await search(app, PUBLIC, "pension")).items;
    const { text, highlights } = item!.snippet;
    expect(text.startsWith("…") && text.endsWith("…")).toBe(true);
    expect(highlights.map(([s, e]) => text.slice(s, e))).toEqual(["pension"]);
    const words = text.match(/[\p{L}\p{N}]+/gu)!;
    expect(words.length).toBeLessThanOrEqual(20);
    // Words on both sides of the match.
    expect(words.indexOf("pension")).toBeGreaterThan(0);
    expect(words.length - words.indexOf("pension")).toBeGreaterThan(3);
  });
});

describe("snippet markers", () => {
  it("become ranges of the text without them", () => {
    const o = "\uE000";
    const c = "\uE001";
    expect(markedToSnippet(`a ${o}bc${c} d ${o}é${c}`, o, c)).toEqual({
      text: "a bc d é",
      highlights: [
        [2, 4],
        [7, 8],
      ],
    });
    expect(markedToSnippet(`${c}x ${o}y`, o, c)).toEqual({ text: "x y", highlights: [[2, 3]] });
    expect(markedToSnippet(`😀${o}z${c}`, o, c).highlights).toEqual([[2, 3]]);
  });
});
