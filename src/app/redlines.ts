import { diffWords } from "diff";
import type { Kysely } from "kysely";
import { fail } from "../domain/errors.ts";
import type { Database } from "../store/schema.ts";
import { readableNow, timelineWithBodies } from "./timeline-query.ts";
import type { Viewer } from "./visibility.ts";

/** A word-level change between two versions of contract language, for a UI to render. */
export interface RedlineOp {
  op: "equal" | "insert" | "delete";
  text: string;
}

export interface Redline {
  /** The earlier pass compared with, or null when there is none the viewer may read. */
  against: { seq: number; side: string | null; occurredAt: string } | null;
  ops: RedlineOp[];
}

export interface IssueRedlines {
  issue: string;
  language: string;
  /** Against the same side's previous pass on the issue. */
  ownPrevious: Redline;
  /** Against the other side's latest pass on the issue before this one. */
  otherLatest: Redline;
}

export function redline(before: string, after: string): RedlineOp[] {
  return diffWords(before, after).map((c) => ({
    op: c.added ? "insert" : c.removed ? "delete" : "equal",
    text: c.value,
  }));
}

interface PassRow {
  seq: number;
  side: string | null;
  occurredAt: string;
  languages: Map<string, string>;
}

/**
 * The redlines of one pass, issue by issue, as `viewer` may see them: the passes compared
 * with are the latest ones before it (in occurrence order) that the viewer may read, so a
 * redline never reveals the text of a pass it may not.
 */
export async function passRedlines(
  db: Kysely<Database>,
  disputeId: number,
  seq: number,
  viewer: Viewer,
  viewerSide: string | null,
): Promise<{ seq: number; side: string | null; issues: IssueRedlines[] }> {
  const rows = await timelineWithBodies(db, disputeId)
    .where("t.type", "=", "pass.made")
    .orderBy("t.occurred_at")
    .orderBy("t.seq")
    .execute();
  const readable: PassRow[] = [];
  for (const r of rows) {
    if (!readableNow(r, viewer, viewerSide)) continue;
    const payload = (JSON.parse(r.body) as { payload: { issues: { issue: string; language: string }[] } })
      .payload;
    readable.push({
      seq: r.seq,
      side: r.side_id,
      occurredAt: r.occurred_at,
      languages: new Map(payload.issues.map((i) => [i.issue, i.language])),
    });
  }
  const at = readable.findIndex((p) => p.seq === seq);
  if (at < 0) fail("ENTRY_UNKNOWN", `no pass ${seq} that you may read`);
  const pass = readable[at]!;
  const earlier = readable.slice(0, at).reverse();
  const compare = (issue: string, text: string, match: (p: PassRow) => boolean): Redline => {
    const other = earlier.find((p) => p.languages.has(issue) && match(p));
    return other
      ? {
          against: { seq: other.seq, side: other.side, occurredAt: other.occurredAt },
          ops: redline(other.languages.get(issue)!, text),
        }
      : { against: null, ops: [{ op: "insert", text }] };
  };
  return {
    seq,
    side: pass.side,
    issues: [...pass.languages].map(([issue, language]) => ({
      issue,
      language,
      ownPrevious: compare(issue, language, (p) => p.side === pass.side),
      otherLatest: compare(issue, language, (p) => p.side !== pass.side),
    })),
  };
}
