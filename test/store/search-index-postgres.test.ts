import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { searchDispute } from "../../src/app/search.ts";
import { OPERATOR } from "../../src/app/visibility.ts";
import { ParleyError } from "../../src/domain/errors.ts";
import { parseSearchQuery } from "../../src/domain/search-query.ts";
import { openStore } from "../../src/store/db.ts";
import {
  buildTsquery,
  fold,
  PostgresSearchIndex,
  quoteLexeme,
} from "../../src/store/search-index-postgres.ts";
import { onPostgres, PRESS, smallDispute } from "../support/fixture.ts";

const SLUG = "test-2023";

describe("folding text for PostgreSQL's index", () => {
  it("lowers case in any script, drops accents, and makes all else but letters and digits a space", () => {
    expect(fold("Négociations À l'ÉCOLE: ЗАБАСТОВКА, İstanbul").folded).toBe(
      "negociations a l ecole  забастовка  istanbul",
    );
    expect(fold("<b>x</b>&amp;y_z\u00a0½").folded).toBe(" b x  b  amp y z ½");
    // A combining accent is dropped, joining its word; a Hangul syllable stays whole.
    expect(fold("e\u0301lan 한국").folded).toBe("elan 한국");
  });

  it("maps every folded position back to the original", () => {
    const text = "Ée\u0301 😀 Straße";
    const { folded, origin } = fold(text);
    expect(folded).toBe("ee   straße");
    expect(origin).toHaveLength(folded.length + 1);
    // "straße" starts at the original "S", after the emoji's two code units.
    expect(text.slice(origin[folded.indexOf("straße")]!)).toBe("Straße");
    expect(origin[folded.length]).toBe(text.length);
    // Folded "e" (the second) came from "e" followed by its accent: the accent stays with it.
    expect(text.slice(origin[1], origin[2])).toBe("e\u0301");
  });
});

describe("writing a tsquery", () => {
  it("quotes each lexeme, doubling quotes and backslashes", () => {
    expect(quoteLexeme("it's")).toBe("'it''s'");
    expect(quoteLexeme("a\\b")).toBe("'a\\\\b'");
    const slot = (offset: number, lexeme: string, prefix = false) => ({ offset, lexemes: [lexeme], prefix });
    expect(buildTsquery([[slot(1, "rais"), slot(2, "minimum")], [slot(1, "negoti", true)]])).toBe(
      "('rais' <1> 'minimum') & 'negoti':*",
    );
    expect(buildTsquery([[slot(1, "a"), slot(3, "b"), slot(4, "c")]])).toBe("(('a' <2> 'b') <1> 'c')");
    expect(buildTsquery([[slot(1, "a")], []])).toBeNull();
  });
});

describe.skipIf(!onPostgres())("PostgreSQL's search index", () => {
  let app: Parley;
  let disputeId: number;
  beforeAll(async () => {
    app = (await smallDispute()).app;
    for (const text of ["alpha beta", "it's a back\\slash"]) {
      await app.execute(SLUG, {
        actor: PRESS,
        type: "statement.made",
        occurredAt: "2023-09-26T17:00:00Z",
        visibility: "public",
        payload: { by: PRESS.org, channel: "other", text },
      });
    }
    disputeId = (await app.disputeRow(SLUG)).id;
  });
  afterAll(async () => app.close());

  const total = async (q: string) =>
    (await searchDispute(app.db, disputeId, OPERATOR, null, { q, limit: 20 })).total;

  it("reads every lexeme back from its quoted form as it was", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", minLength: 1, maxLength: 30 }), async (lexeme) => {
        fc.pre(!lexeme.includes("\0") && lexeme.isWellFormed());
        const { rows } = await sql<{ q: string }>`SELECT ${quoteLexeme(lexeme)}::tsquery::text AS q`.execute(
          app.db,
        );
        expect(rows[0]!.q).toBe(quoteLexeme(lexeme));
      }),
      { numRuns: 300 },
    );
  });

  it("takes nothing in a search for tsquery syntax: operators stay words, or nothing", async () => {
    // Each of these would find "alpha beta" (or not) the other way, were its operators read.
    const cases: [string, number][] = [
      ["alpha|gamma", 0],
      ["alpha | gamma", 0],
      ["!gamma", 0],
      ["alpha & !beta", 1],
      ["'alpha' | 'gamma'", 0],
      ["\"alpha' | 'gamma\"", 0],
      ["alpha <-> gamma", 0],
      ["alpha) | (gamma", 0],
      ["alpha:*", 1],
      ["alph:* | gamma", 0],
      ["alpha:A", 0],
      ["\\'alpha\\", 1],
      ["it's", 1],
      ["back\\slash", 1],
      ["\\\\ slash '' \\'", 1],
    ];
    for (const [q, expected] of cases) expect({ q, total: await total(q) }).toEqual({ q, total: expected });
  });

  it("runs any search that parses, as a match and as snippets, without an error", async () => {
    const syntax = fc.string({
      unit: fc.constantFrom(
        "'",
        '"',
        "\\",
        "&",
        "|",
        "!",
        "(",
        ")",
        ":",
        "*",
        "<",
        "->",
        " ",
        "alpha",
        "é",
        "ß",
      ),
      maxLength: 30,
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(syntax, fc.string({ maxLength: 40 })), async (q) => {
        try {
          parseSearchQuery(q);
        } catch (err) {
          if (err instanceof ParleyError) return;
          throw err;
        }
        const r = await searchDispute(app.db, disputeId, OPERATOR, null, { q, limit: 5 });
        expect(r.total).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe.skipIf(!onPostgres())("catching up on PostgreSQL from two processes at once", () => {
  it("indexes every entry once, whichever process gets there first", async () => {
    const { app, dbPath } = await smallDispute(undefined, { extra: 2300 });
    const other = await openStore(dbPath);
    try {
      const d = await app.disputeRow(SLUG);
      const last = (await app.latestCheckpoint(SLUG))!.size - 1;
      // Two pools: two processes as far as PostgreSQL can tell. Each walks chunks of 1000 in
      // transactions of their own; without the lock on the mark (or ON CONFLICT), the second
      // would insert rows the first already had and fail on the primary key.
      const marks = await Promise.all([
        new PostgresSearchIndex(app.db).catchUp(d.id),
        new PostgresSearchIndex(other.db).catchUp(d.id),
      ]);
      expect(marks).toEqual([last, last]);
      const { rows } = await sql<{ n: number; distinct_seqs: number }>`
        SELECT count(*) AS n, count(DISTINCT seq) AS distinct_seqs FROM proj_search WHERE dispute_id = ${d.id}`.execute(
        app.db,
      );
      const rebuilt = await new PostgresSearchIndex(app.db).rebuild(d.id);
      expect(rows[0]).toEqual({ n: rebuilt, distinct_seqs: rebuilt });
      expect(rebuilt).toBeGreaterThan(2300);
      expect((await searchDispute(app.db, d.id, OPERATOR, null, { q: "filler", limit: 1 })).total).toBe(2300);
    } finally {
      await other.close();
      await app.close();
    }
  });
});
