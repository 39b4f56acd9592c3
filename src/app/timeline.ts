import type { AnyEntry } from "../domain/entry.ts";
import type { Database } from "../store/schema.ts";

/** The subject an entry is about, for filtering the timeline. */
function subjectOf(entry: AnyEntry): string | null {
  const p = entry.payload as Record<string, unknown>;
  for (const k of ["issue", "meeting", "stoppage", "request", "figure"])
    if (typeof p[k] === "string") return p[k];
  if (entry.type === "pass.made" || entry.type === "ta.signed") {
    const issues =
      entry.type === "pass.made" ? entry.payload.issues.map((i) => i.issue) : entry.payload.issues;
    return issues.join(",");
  }
  if (entry.type === "party.joined" || entry.type === "organization.registered") return entry.payload.org.id;
  return null;
}

export function timelineRow(
  disputeId: number,
  entry: AnyEntry,
  side: string | null,
): Database["proj_timeline"] {
  return {
    dispute_id: disputeId,
    seq: entry.seq,
    type: entry.type,
    org_id: entry.actor.org,
    side_id: side,
    occurred_at: entry.occurredAt,
    recorded_at: entry.recordedAt,
    visibility: entry.visibility,
    subject: subjectOf(entry),
    published_seq: null,
    published_at: null,
  };
}
