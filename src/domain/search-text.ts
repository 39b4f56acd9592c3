import type { EntryType, Payload } from "./events.ts";
import type { Organization } from "./values.ts";

/**
 * What full-text search indexes of an entry: every free-text field of its payload (each Text
 * or Line in the event catalogue: titles, language, summaries, reasons, notes, names, units),
 * never identifiers, enums, instants or numbers. Which entries a viewer finds is decided by
 * the visibility rule at query time, not here: a private note is indexed like any statement.
 *
 * The table is keyed by every entry type, so a type added to the catalogue does not compile
 * until someone decides what of it people will search for.
 */
type Fields = (string | undefined)[];
const EXTRACT: { [T in EntryType]: (p: Payload<T>) => Fields } = {
  "dispute.opened": (p) => [p.title, p.agreement.name, ...p.sides.flatMap((s) => [s.name, s.shortName])],
  "party.joined": (p) => [...names(p.org), ...p.represents.flatMap(names)],
  "organization.registered": (p) => names(p.org),
  "representation.updated": (p) => p.add.flatMap(names),
  "issue.opened": (p) => [p.title, p.article],
  "issue.withdrawn": (p) => [p.reason],
  "issue.dropped": (p) => [p.reason],
  "pass.made": (p) => [
    p.summary,
    ...p.issues.flatMap((i) => [i.language, ...i.terms.flatMap((t) => [t.unit, t.note])]),
  ],
  "ta.signed": (p) => [p.language],
  "agreement.voted": () => [],
  "meeting.requested": (p) => [p.purpose],
  "meeting.answered": (p) => [p.note],
  "meeting.scheduled": (p) => [p.place, p.purpose],
  "meeting.held": (p) => [...p.attendees.map((a) => a.name), p.summary],
  "meeting.postponed": (p) => [p.reason],
  "meeting.cancelled": (p) => [p.reason],
  "note.recorded": (p) => [p.text],
  "stoppage.started": () => [],
  "stoppage.joined": () => [],
  "stoppage.ended": () => [],
  "statement.made": (p) => [p.speaker, p.text],
  "comment.requested": (p) => [p.question],
  "comment.answered": (p) => [p.text],
  "impact.reported": (p) => [p.what, p.unit, p.method, p.source.name],
  "entry.published": (p) => [p.note],
  // A correction's own text is found as the correction; the entry it corrects stays findable
  // under its original words (the ledger is append-only, and so is what search knows of it).
  "entry.corrected": (p) => [p.reason, p.text],
};

function names(org: Organization): string[] {
  return [org.name, org.shortName];
}

/**
 * Private-use characters (the BMP area and planes 15–16). The index marks matches in its
 * snippets with two of them, so none may come from the text itself: a marker in the text
 * could otherwise pose as a highlight, or shift every highlight after it.
 */
const PRIVATE_USE = /[\uE000-\uF8FF\u{F0000}-\u{FFFFD}\u{100000}-\u{10FFFD}]/gu;

export function stripPrivateUse(text: string): string {
  return text.replace(PRIVATE_USE, "");
}

/**
 * The text to index for an entry, its fields one per line; "" when it has none. Payloads come
 * from the signed ledger, already checked against their schemas; an unknown type (a newer
 * schema than this code) indexes nothing rather than failing the whole index.
 */
export function searchText(type: string, payload: unknown): string {
  if (!Object.hasOwn(EXTRACT, type)) return "";
  const extract = EXTRACT[type as EntryType] as (p: unknown) => Fields;
  return (
    extract(payload)
      .filter((f): f is string => typeof f === "string")
      .map((f) => stripPrivateUse(f).trim())
      // A field without a letter or digit (a unit such as "%") has no word to find, and would
      // only clutter snippets.
      .filter((f) => /[\p{L}\p{N}]/u.test(f))
      .join("\n")
  );
}
