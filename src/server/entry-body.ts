import { z } from "zod";
import { ENTRY_TYPES, type EntryType, PAYLOADS } from "../domain/events.ts";
import { Id, Instant, Visibility } from "../domain/values.ts";

/**
 * The body of `POST /api/v1/disputes/:slug/entries`: one branch per entry type, built from the
 * event catalogue so a payload is described in one place. The same schemas check the body at
 * the edge (a bad field is a 400 naming its path) and make the OpenAPI document (oneOf, each
 * branch with its payload); the domain still parses the payload itself, as the authority.
 * In its own module so the route stays readable.
 */

/** What each type records, in one line: the description of its branch in the OpenAPI document. */
const RECORDS: Record<EntryType, string> = {
  "dispute.opened":
    "The dispute's first entry: title, time zone, the agreement at stake and its two sides. It is made by POST /api/v1/disputes; here it is refused, the dispute being already open.",
  "party.joined": "An organization takes its seat on a side, naming whom it bargains for. Self-signed.",
  "organization.registered":
    "An organization that is not at the table but acts in the record (press, other unions…).",
  "representation.updated": "Organizations the recording party now bargains for, or no longer does.",
  "issue.opened": "A bargaining issue (an article or topic) put on the table.",
  "issue.withdrawn": "The side that raised an issue takes it off the table.",
  "issue.dropped": "An open issue taken off the table by either side.",
  "pass.made":
    "A proposal or counterproposal: contract language and decimal terms per issue; several issues at once make a package.",
  "ta.signed":
    "One side's signature on a tentative agreement over issues; the other side countersigns by referencing it.",
  "agreement.voted":
    "The ratification vote on the tentative agreement: ratified or rejected, with the count.",
  "meeting.requested": "A request to meet, at the table or on the side, with its purpose and proposed times.",
  "meeting.answered": "The answer to a meeting request: accepted, declined, or countered with other times.",
  "meeting.scheduled": "A meeting (table session, caucus or side meeting) fixed for a time, place or link.",
  "meeting.held": "A meeting that took place: when, who attended, a summary.",
  "meeting.postponed": "A meeting put off, with its new time when there is one.",
  "meeting.cancelled": "A meeting called off.",
  "note.recorded": "A caucus note or any other free-form record, typically private.",
  "stoppage.started": "A strike or lockout begins: by whom, against whom, from when.",
  "stoppage.joined": "Another organization joins a work stoppage.",
  "stoppage.ended": "A work stoppage ends.",
  "statement.made": "A public statement: press release, member update, social post, interview…",
  "comment.requested": "A request for comment put to an organization, with a deadline.",
  "comment.answered": "The answer to a request for comment: a response, or a refusal to comment.",
  "impact.reported":
    "A figure of the stoppage's cost (a value or a range), by whose estimate and by what method.",
  "entry.published": "Makes an earlier entry of the same organization public from this point on.",
  "entry.corrected": "A correction or retraction of an earlier entry of the same organization.",
};

// What every branch shares. occurredAt is checked as the instant the domain will parse it as,
// so the document shows its form and a bad one is refused naming body.occurredAt.
const occurredAt = Instant.optional().describe(
  "when it happened (an ISO-8601 UTC instant); omitted, the moment the server records it",
);
const as = Id.optional().describe("the organization to act for, when the account belongs to several");

function branch<T extends EntryType>(type: T) {
  return z
    .strictObject({ type: z.literal(type), occurredAt, visibility: Visibility, payload: PAYLOADS[type], as })
    .meta({ title: type, description: RECORDS[type] });
}

type Branch = ReturnType<typeof branch<EntryType>>;

export const EntryBody = z
  .discriminatedUnion("type", ENTRY_TYPES.map(branch) as [Branch, ...Branch[]])
  // No mapping: the branches are inline (this server's transform puts no schemas in
  // components), and each branch's `type` const already tells them apart.
  .meta({ discriminator: { propertyName: "type" } });

/** The body as the client sent it: what the handler hands the domain (see the route). */
export type SentEntryBody = z.input<typeof EntryBody>;
