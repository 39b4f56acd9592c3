/**
 * Given-when-then specifications for the Decider (decide / evolve / initialState), after
 * Emmett's DeciderSpecification:
 *
 *   given(fact(...), fact(...))            // entries already in the ledger, folded with evolve
 *     .when(command(...))                  // decide(command, state, ctx)
 *     .then([draft(...)])                  // the exact drafts decide returns, or
 *     .then((state, drafts) => ...)        // assertions on the state after folding them, or
 *     .thenFails("ISSUE_CLOSED")           // the stable error code decide throws
 *
 * Facts are turned into Entry objects with incrementing seq (and refs derived the way the
 * ledger derives them) so that evolve can fold them; their payloads go through the zod
 * schema first, so a fact is always something the ledger could hold.
 *
 * Names and dates: the 2023 WGA–AMPTP negotiation (../shared/facts/wga-2023.md).
 */
import { Temporal } from "temporal-polyfill";
import { expect } from "vitest";
import type { z } from "zod";
import { type Command, type DecideContext, decide, type RefInfo } from "../../src/domain/decide.ts";
import { type AnyDraft, type AnyEntry, refsOf } from "../../src/domain/entry.ts";
import { type ErrorCode, ParleyError } from "../../src/domain/errors.ts";
import { type EntryType, PAYLOADS, SCHEMA_VERSION } from "../../src/domain/events.ts";
import { evolve } from "../../src/domain/evolve.ts";
import { type DisputeState, initialState } from "../../src/domain/state.ts";
import type { Organization, Visibility } from "../../src/domain/values.ts";

export const DISPUTE = "wga-2023";
export const LA = "America/Los_Angeles";
/** The clock for decide: well after the whole 2023 record, so back-filled history is in the past. */
export const NOW = "2024-03-01T20:00:00.000Z";

/** A wall-clock time in Los Angeles ("2023-08-11T10:00") as the normalized UTC instant decide produces. */
export function la(local: string): string {
  const instant = Temporal.PlainDateTime.from(local).toZonedDateTime(LA).toInstant();
  return new Date(instant.epochMilliseconds).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Cast
// ---------------------------------------------------------------------------------------------

const org = (id: string, name: string, shortName: string, kind: Organization["kind"]): Organization => ({
  id,
  name,
  shortName,
  kind,
});

export const ORG = {
  wgaWest: org("wga-west", "Writers Guild of America West", "WGA West", "union"),
  wgaEast: org("wga-east", "Writers Guild of America East", "WGA East", "union"),
  amptp: org("amptp", "Alliance of Motion Picture and Television Producers", "AMPTP", "employer-association"),
  disney: org("disney", "The Walt Disney Company", "Disney", "employer"),
  netflix: org("netflix", "Netflix", "Netflix", "employer"),
  wbd: org("wbd", "Warner Bros. Discovery", "WBD", "employer"),
  sag: org(
    "sag-aftra",
    "Screen Actors Guild – American Federation of Television and Radio Artists",
    "SAG-AFTRA",
    "union",
  ),
  /** Press outlets here are FICTIONAL, as in src/demo: they stand for no real newsroom. */
  press: org("parley-news", "Parley Demo Newsroom", "Parley News", "press"),
  wire: org("trade-wire", "Trade Wire (a fictional outlet)", "Trade Wire", "press"),
  showrunners: org("showrunners", "Showrunners (Barris, Hawley and others)", "Showrunners", "other"),
};

/** The two sides of the table (side ids are distinct from organization ids). */
export const WRITERS = "writers";
export const STUDIOS = "studios";

// ---------------------------------------------------------------------------------------------
// Facts and commands
// ---------------------------------------------------------------------------------------------

/** Something already in the ledger: who recorded it, when it happened, and its payload. */
export interface Fact {
  org: string;
  type: EntryType;
  occurredAt: string;
  visibility: Visibility;
  payload: unknown;
}

type Input<T extends EntryType> = z.input<(typeof PAYLOADS)[T]>;

export function fact<T extends EntryType>(
  org: string,
  type: T,
  occurredAt: string,
  payload: Input<T>,
  visibility: Visibility = "table",
): Fact {
  return { org, type, occurredAt, visibility, payload };
}

/** What someone asks to record. The payload is untyped on purpose: commands are untrusted. */
export function command(
  org: string,
  type: string,
  occurredAt: unknown,
  payload: unknown,
  visibility: unknown = "table",
): Command {
  return { actor: { org, user: `${org}-negotiator` }, type, occurredAt, visibility, payload };
}

/** The draft decide is expected to return, payload written as parsed (defaults applied). */
export function draft<T extends EntryType>(
  type: T,
  occurredAt: string,
  payload: z.output<(typeof PAYLOADS)[T]>,
  visibility: Visibility = "table",
): AnyDraft {
  return { type, occurredAt, visibility, payload } as AnyDraft;
}

/** An Entry as the ledger would hold it, for draft number `seq` by `org`. */
export function toEntry(d: AnyDraft, seq: number, org: string): AnyEntry {
  return {
    dispute: DISPUTE,
    seq,
    type: d.type,
    version: SCHEMA_VERSION,
    actor: { org, user: `${org}-negotiator` },
    keyId: `${org}-2023`,
    occurredAt: d.occurredAt,
    recordedAt: d.occurredAt,
    visibility: d.visibility,
    refs: refsOf(d),
    payload: d.payload,
    nonce: seq.toString(16).padStart(64, "0"),
  } as AnyEntry;
}

/** A fact parsed through its schema (so defaults apply and instants are normalized). */
export function factDraft(f: Fact): AnyDraft {
  const parsed = PAYLOADS[f.type].safeParse(f.payload);
  if (!parsed.success) {
    throw new Error(`test fact ${f.type} by ${f.org} is not schema-valid: ${parsed.error.message}`);
  }
  return {
    type: f.type,
    occurredAt: new Date(f.occurredAt).toISOString(),
    visibility: f.visibility,
    payload: parsed.data,
  } as AnyDraft;
}

function refInfo(e: AnyEntry): RefInfo {
  return { seq: e.seq, type: e.type, org: e.actor.org, visibility: e.visibility, payload: e.payload };
}

// ---------------------------------------------------------------------------------------------
// given / when / then
// ---------------------------------------------------------------------------------------------

export class Given {
  constructor(readonly entries: readonly AnyEntry[]) {}

  /** A fresh fold of the given entries (evolve mutates in place, so never shared). */
  get state(): DisputeState {
    const s = initialState(DISPUTE);
    for (const e of this.entries) evolve(s, e);
    return s;
  }

  /** More facts, recorded after the ones already given. */
  and(...facts: Fact[]): Given {
    return new Given([
      ...this.entries,
      ...facts.map((f, i) => toEntry(factDraft(f), this.entries.length + i, f.org)),
    ]);
  }

  /** The entry at `seq`, for building refs in commands. */
  entry(seq: number): AnyEntry {
    const e = this.entries[seq];
    if (!e) throw new Error(`no given entry ${seq}`);
    return e;
  }

  get nextSeq(): number {
    return this.entries.length;
  }

  /**
   * decide(command) against the folded state. ctx.refs defaults to every given entry (the
   * application resolves refs from the ledger the same way); ctx.now defaults to NOW.
   */
  when(cmd: Command, ctx: Partial<DecideContext> = {}): When {
    const refs = ctx.refs ?? new Map(this.entries.map((e) => [e.seq, refInfo(e)] as const));
    return new When(this, cmd, { now: ctx.now ?? NOW, refs });
  }
}

export class When {
  constructor(
    private readonly given: Given,
    private readonly cmd: Command,
    private readonly ctx: DecideContext,
  ) {}

  private run(): { drafts?: AnyDraft[]; error?: unknown } {
    const state = this.given.state;
    const before = structuredClone(state);
    try {
      const drafts = decide(this.cmd, state, this.ctx);
      // decide is pure: it never touches the state it is given
      expect(state).toEqual(before);
      return { drafts };
    } catch (error) {
      return { error };
    }
  }

  /**
   * decide accepts the command. With an array, the drafts must equal it exactly. With a
   * function, it gets the state after folding the drafts (and the drafts). Either way the
   * returned Given has the drafts appended, so a scenario can go on with `.when(...)`.
   */
  // biome-ignore lint/suspicious/noThenProperty: given-when-then is the point; these objects are never awaited
  then(expected: AnyDraft[] | ((state: DisputeState, drafts: AnyDraft[]) => void)): Given {
    const { drafts, error } = this.run();
    if (error !== undefined) {
      const detail = error instanceof ParleyError ? `${error.code}: ${error.message}` : String(error);
      throw new Error(
        `expected ${this.cmd.type} by ${this.cmd.actor.org} to be accepted, but it failed with ${detail}`,
      );
    }
    const accepted = drafts ?? [];
    const next = new Given([
      ...this.given.entries,
      ...accepted.map((d, i) => toEntry(d, this.given.nextSeq + i, this.cmd.actor.org)),
    ]);
    if (Array.isArray(expected)) expect(accepted).toEqual(expected);
    else expected(next.state, accepted);
    return next;
  }

  /** decide rejects the command with this stable code (and nothing else). */
  thenFails(code: ErrorCode, message?: RegExp): ParleyError {
    const { drafts, error } = this.run();
    if (error === undefined) {
      throw new Error(
        `expected ${this.cmd.type} by ${this.cmd.actor.org} to fail with ${code}, but it was accepted: ${JSON.stringify(drafts)}`,
      );
    }
    expect(error).toBeInstanceOf(ParleyError);
    const e = error as ParleyError;
    expect({ code: e.code, message: e.message }).toEqual({
      code,
      message: message ? expect.stringMatching(message) : e.message,
    });
    return e;
  }
}

export function given(...facts: Fact[]): Given {
  return new Given([]).and(...facts);
}

// ---------------------------------------------------------------------------------------------
// The 2023 negotiation, as reusable facts
// ---------------------------------------------------------------------------------------------

export const MBA = "2020 WGA Theatrical and Television Basic Agreement";

/** Talks begin, Mar 20, 2023. */
export const opened = fact(ORG.wgaWest.id, "dispute.opened", la("2023-03-20T10:00"), {
  title: "WGA–AMPTP 2023 MBA negotiation",
  timeZone: LA,
  agreement: { name: MBA, expiresAt: la("2023-05-01T23:59") },
  sides: [
    { id: WRITERS, name: "Writers Guild of America", shortName: "WGA" },
    { id: STUDIOS, name: "Alliance of Motion Picture and Television Producers", shortName: "AMPTP" },
  ],
});

export const wgaWestJoins = fact(ORG.wgaWest.id, "party.joined", la("2023-03-20T10:05"), {
  org: ORG.wgaWest,
  side: WRITERS,
});
export const wgaEastJoins = fact(ORG.wgaEast.id, "party.joined", la("2023-03-20T10:06"), {
  org: ORG.wgaEast,
  side: WRITERS,
});
export const amptpJoins = fact(ORG.amptp.id, "party.joined", la("2023-03-20T10:10"), {
  org: ORG.amptp,
  side: STUDIOS,
  represents: [ORG.disney, ORG.netflix, ORG.wbd],
});
export const pressRegisters = fact(ORG.press.id, "organization.registered", la("2023-03-20T12:00"), {
  org: ORG.press,
});

/** The table: dispute opened, WGA West, WGA East and the AMPTP seated, Parley News (fictional press) registered. */
export const TABLE: Fact[] = [opened, wgaWestJoins, wgaEastJoins, amptpJoins, pressRegisters];

export const ISSUES = {
  wages: { issue: "wages", title: "Minimum basic compensation", article: "Article 13" },
  staffing: { issue: "staffing", title: "Minimum staffing in writers rooms" },
  ai: { issue: "ai", title: "Artificial intelligence" },
  viewership: { issue: "viewership", title: "Viewership transparency" },
  residuals: { issue: "residuals", title: "Streaming residuals" },
} as const;

export function issueOpened(
  key: keyof typeof ISSUES,
  by = ORG.wgaWest.id,
  at = la("2023-03-20T11:00"),
): Fact {
  return fact(by, "issue.opened", at, ISSUES[key]);
}

/** The WGA's pattern of demands on the table. */
export const DEMANDS: Fact[] = [
  issueOpened("wages"),
  issueOpened("staffing"),
  issueOpened("ai"),
  issueOpened("viewership"),
  issueOpened("residuals"),
];

export function pass(
  by: string,
  at: string,
  issues: { issue: string; language: string; terms?: { key: string; value: string; unit: string }[] }[],
  kind: "proposal" | "counterproposal" = "counterproposal",
): Fact {
  return fact(by, "pass.made", at, { kind, issues });
}

/** The AMPTP's Aug 11 counterproposal on wages: 5% / 4% / 3.5%. */
export const amptpAug11Wages = pass(ORG.amptp.id, la("2023-08-11T15:00"), [
  {
    issue: "wages",
    language: "Minimums increase 5% in the first year, 4% in the second and 3.5% in the third.",
    terms: [
      { key: "year-1", value: "5", unit: "percent" },
      { key: "year-2", value: "4", unit: "percent" },
      { key: "year-3", value: "3.5", unit: "percent" },
    ],
  },
]);

/** The strike: 00:01 May 2 to 00:01 Sep 27, 2023 (148 days, last day Sep 26). */
export const STRIKE_START = la("2023-05-02T00:01");
export const STRIKE_END = la("2023-09-27T00:01");
export const strikeStarted = fact(ORG.wgaWest.id, "stoppage.started", STRIKE_START, {
  stoppage: "wga-strike-2023",
  kind: "strike",
  by: [ORG.wgaWest.id, ORG.wgaEast.id],
  against: [ORG.amptp.id],
  start: STRIKE_START,
});
