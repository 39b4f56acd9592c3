import type { Visibility } from "../../../domain/values.ts";
import { RECORD_TYPES, type RecordType } from "../../record-form.ts";

/** The moves a negotiator records, as the index lists them and each form is titled. */
export interface Move {
  type: RecordType;
  family: string;
  /** The form's heading and the index's link. */
  title: string;
  /** What the submit button does, in words. */
  submit: string;
  /** One sentence on the index. */
  blurb: string;
  /** The visibility chosen when the form opens. */
  visibility: Visibility;
  /** Only an organization with a seat at the table may record it. */
  partyOnly: boolean;
}

const m = (
  type: RecordType,
  family: string,
  title: string,
  submit: string,
  blurb: string,
  visibility: Visibility,
  partyOnly = false,
): Move => ({ type, family, title, submit, blurb, visibility, partyOnly });

export const FAMILIES = [
  "At the table",
  "Meetings",
  "Stoppages",
  "In public",
  "Your earlier entries",
] as const;

export const MOVES: Record<RecordType, Move> = {
  "pass.made": m(
    "pass.made",
    "At the table",
    "Make a pass",
    "Record the pass",
    "A proposal or counterproposal on one issue or a package of several, with its language and terms.",
    "table",
    true,
  ),
  "ta.signed": m(
    "ta.signed",
    "At the table",
    "Sign a tentative agreement",
    "Record the signature",
    "Sign a tentative agreement on issues or the whole contract, or countersign the other side's.",
    "table",
    true,
  ),
  "issue.opened": m(
    "issue.opened",
    "At the table",
    "Open an issue",
    "Open the issue",
    "Put a new bargaining issue (an article or topic) on the table.",
    "table",
    true,
  ),
  "meeting.requested": m(
    "meeting.requested",
    "Meetings",
    "Request a meeting",
    "Record the request",
    "Ask the other side (or someone else) to meet, with times you propose.",
    "table",
  ),
  "meeting.answered": m(
    "meeting.answered",
    "Meetings",
    "Answer a meeting request",
    "Record the answer",
    "Accept, decline or counter a request to meet.",
    "table",
    true,
  ),
  "meeting.scheduled": m(
    "meeting.scheduled",
    "Meetings",
    "Schedule a meeting",
    "Record the schedule",
    "Put a table session, caucus or side meeting on the calendar.",
    "table",
  ),
  "meeting.held": m(
    "meeting.held",
    "Meetings",
    "Record a meeting as held",
    "Record the meeting as held",
    "Say that a meeting took place, who came and what happened.",
    "table",
  ),
  "meeting.postponed": m(
    "meeting.postponed",
    "Meetings",
    "Postpone a meeting",
    "Record the postponement",
    "Move a meeting to a later time, or to no time yet.",
    "table",
  ),
  "meeting.cancelled": m(
    "meeting.cancelled",
    "Meetings",
    "Cancel a meeting",
    "Record the cancellation",
    "Call a meeting off.",
    "table",
  ),
  "note.recorded": m(
    "note.recorded",
    "Meetings",
    "Record a caucus note",
    "Record the note",
    "A note for your own side, typically private: what a caucus discussed, a draft, a reminder.",
    "private",
  ),
  "stoppage.started": m(
    "stoppage.started",
    "Stoppages",
    "Start a stoppage",
    "Record the start of the stoppage",
    "A strike or a lockout begins.",
    "public",
  ),
  "stoppage.joined": m(
    "stoppage.joined",
    "Stoppages",
    "Join a stoppage",
    "Record who joined",
    "Another organization joins a running strike or lockout.",
    "public",
  ),
  "stoppage.ended": m(
    "stoppage.ended",
    "Stoppages",
    "End a stoppage",
    "Record the end of the stoppage",
    "A strike or lockout ends.",
    "public",
  ),
  "statement.made": m(
    "statement.made",
    "In public",
    "Record a statement",
    "Record the statement",
    "A press release, member update, post or interview.",
    "public",
  ),
  "comment.requested": m(
    "comment.requested",
    "In public",
    "Request comment",
    "Record the request for comment",
    "Ask an organization for comment, with a deadline.",
    "public",
  ),
  "comment.answered": m(
    "comment.answered",
    "In public",
    "Answer a request for comment",
    "Record the answer",
    "Respond to a request for comment sent to you, or decline to.",
    "public",
  ),
  "impact.reported": m(
    "impact.reported",
    "In public",
    "Report an impact figure",
    "Record the figure",
    "A figure on what the stoppage costs, with its source and method.",
    "public",
  ),
  "entry.published": m(
    "entry.published",
    "Your earlier entries",
    "Publish an earlier entry",
    "Publish the entry",
    "Make one of your organization's entries public from now on, such as a pass.",
    "public",
  ),
  "entry.corrected": m(
    "entry.corrected",
    "Your earlier entries",
    "Correct or retract an entry",
    "Record the correction",
    "Correct one of your organization's entries, or retract it; the original stays in the record.",
    "private",
  ),
};

export const MOVE_LIST: Move[] = RECORD_TYPES.map((t) => MOVES[t]);
