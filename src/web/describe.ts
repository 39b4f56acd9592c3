import type { TimelineItem } from "../app/timeline-query.ts";
import type { AnyEntry } from "../domain/entry.ts";
import type { DisputeState } from "../domain/state.ts";
import { figureText } from "./figures.ts";
import { formatDateTime } from "./format.ts";

/** Human labels for entry types, for filters and headings. */
export const TYPE_LABELS: Record<AnyEntry["type"], string> = {
  "dispute.opened": "Dispute opened",
  "party.joined": "Party joined",
  "organization.registered": "Organization registered",
  "representation.updated": "Representation updated",
  "issue.opened": "Issue opened",
  "issue.withdrawn": "Issue withdrawn",
  "issue.dropped": "Issue dropped",
  "pass.made": "Pass",
  "ta.signed": "Tentative agreement",
  "agreement.voted": "Ratification vote",
  "meeting.requested": "Meeting requested",
  "meeting.answered": "Meeting request answered",
  "meeting.scheduled": "Meeting scheduled",
  "meeting.held": "Meeting held",
  "meeting.postponed": "Meeting postponed",
  "meeting.cancelled": "Meeting cancelled",
  "note.recorded": "Note",
  "stoppage.started": "Stoppage started",
  "stoppage.joined": "Stoppage joined",
  "stoppage.ended": "Stoppage ended",
  "statement.made": "Statement",
  "comment.requested": "Request for comment",
  "comment.answered": "Comment answered",
  "impact.reported": "Impact figure",
  "entry.published": "Entry published",
  "entry.corrected": "Entry corrected",
};

/** Names as the record gives them: an organization's short name, else its id. */
export function orgName(state: DisputeState, id: string): string {
  return state.orgs[id]?.shortName ?? state.sides[id]?.shortName ?? id;
}

export function issueTitle(state: DisputeState, id: string): string {
  return state.issues[id]?.title ?? id;
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function clip(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * One sentence saying what an entry records, for timelines and recent-entry lists. Pure: it
 * reads the entry and the names in a state the same viewer may see.
 */
export function describeEntry(entry: AnyEntry, state: DisputeState, timeZone: string): string {
  const by = orgName(state, entry.actor.org);
  const when = (instant: string) => formatDateTime(instant, timeZone);
  switch (entry.type) {
    case "dispute.opened":
      return `${by} opened the record of “${entry.payload.title}”`;
    case "party.joined":
      return `${entry.payload.org.shortName} took a seat on the ${orgName(state, entry.payload.side)} side${
        entry.payload.represents.length
          ? `, bargaining for ${entry.payload.represents.length} organizations`
          : ""
      }`;
    case "organization.registered":
      return `${entry.payload.org.name} entered the record`;
    case "representation.updated":
      return `${by} updated whom it represents (+${entry.payload.add.length}, −${entry.payload.remove.length})`;
    case "issue.opened":
      return `${by} put “${entry.payload.title}” on the table`;
    case "issue.withdrawn":
      return `${by} withdrew “${issueTitle(state, entry.payload.issue)}”`;
    case "issue.dropped":
      return `${by} dropped “${issueTitle(state, entry.payload.issue)}”`;
    case "pass.made": {
      const issues = entry.payload.issues.map((i) => issueTitle(state, i.issue));
      return `${by} made a ${entry.payload.kind} on ${list(issues)}${issues.length > 1 ? " (a package)" : ""}`;
    }
    case "ta.signed": {
      const what = entry.payload.wholeAgreement
        ? "the whole agreement"
        : list(entry.payload.issues.map((i) => issueTitle(state, i)));
      return entry.payload.countersigns === undefined
        ? `${by} signed a tentative agreement on ${what}`
        : `${by} countersigned the tentative agreement on ${what}`;
    }
    case "agreement.voted": {
      const v = entry.payload.vote;
      return `Members ${entry.payload.result} the agreement: ${v.yes.toLocaleString("en-US")} yes, ${v.no.toLocaleString("en-US")} no`;
    }
    case "meeting.requested":
      return `${by} asked for a ${entry.payload.kind} meeting: ${clip(entry.payload.purpose, 100)}`;
    case "meeting.answered":
      return `${by} ${entry.payload.answer} the request for meeting ${entry.payload.meeting}`;
    case "meeting.scheduled":
      return `${by} scheduled a ${entry.payload.kind} meeting for ${when(entry.payload.start)}${
        entry.payload.place ? ` at ${entry.payload.place}` : ""
      }`;
    case "meeting.held":
      return `Meeting ${entry.payload.meeting} was held${
        entry.payload.attendees.length ? ` (${entry.payload.attendees.length} present)` : ""
      }${entry.payload.summary ? `: ${clip(entry.payload.summary)}` : ""}`;
    case "meeting.postponed":
      return `${by} postponed meeting ${entry.payload.meeting}${
        entry.payload.start ? ` to ${when(entry.payload.start)}` : ""
      }`;
    case "meeting.cancelled":
      return `${by} cancelled meeting ${entry.payload.meeting}`;
    case "note.recorded":
      return `${by} noted: ${clip(entry.payload.text)}`;
    case "stoppage.started":
      return `${list(entry.payload.by.map((o) => orgName(state, o)))} began a ${entry.payload.kind} against ${list(
        entry.payload.against.map((o) => orgName(state, o)),
      )}${entry.payload.workers ? ` (${entry.payload.workers.toLocaleString("en-US")} workers)` : ""}`;
    case "stoppage.joined":
      return `${orgName(state, entry.payload.org)} joined the stoppage`;
    case "stoppage.ended":
      return `${by} ended the stoppage`;
    case "statement.made":
      return `${orgName(state, entry.payload.by)}${entry.payload.speaker ? ` (${entry.payload.speaker})` : ""}: “${clip(
        entry.payload.text,
      )}”`;
    case "comment.requested":
      return `${by} asked ${orgName(state, entry.payload.to)} for comment: ${clip(entry.payload.question, 120)}`;
    case "comment.answered":
      return entry.payload.response === "declined"
        ? `${by} declined to comment`
        : `${by} answered${entry.payload.text ? `: “${clip(entry.payload.text)}”` : ""}`;
    case "impact.reported": {
      const p = entry.payload;
      // Written as the impact page writes it ("1,500,000,000 USD", "-17%"). A figure may carry a
      // value and a range; a one-line description names the value alone, the range only when
      // there is no value (decide asks for at least one of them, and a range with both ends).
      const rangeOnly = p.value === undefined;
      const figure = figureText({
        value: p.value ?? null,
        low: rangeOnly ? (p.low ?? null) : null,
        high: rangeOnly ? (p.high ?? null) : null,
        unit: p.unit,
      });
      return `${p.source.name}: ${p.what}, ${figure}`;
    }
    case "entry.published":
      return `${by} made entry #${entry.payload.entry} public`;
    case "entry.corrected":
      return `${by} ${entry.payload.action === "retract" ? "retracted" : "corrected"} entry #${entry.payload.entry}: ${clip(
        entry.payload.reason,
        100,
      )}`;
  }
}

/** The signed entry a timeline item carries, typed. */
export function entryOf(item: TimelineItem): AnyEntry {
  return item.entry as AnyEntry;
}
