import type { DisputeState, MeetingState } from "../../../domain/state.ts";
import { orgName } from "../../describe.ts";
import { formatDateTime } from "../../format.ts";
import type { DisputeFrame } from "../../page-context.ts";
import type { FormState, Option } from "./fields.tsx";

/** An organization the caller records for: one where it holds the negotiator role. */
export interface RecorderOrg {
  id: string;
  name: string;
  shortName: string;
  /** Its side at the table, or null for an organization without a seat (press, others). */
  side: string | null;
}

/** One of the recording organization's own entries, for the publish and correct pickers. */
export interface OwnEntry {
  seq: number;
  type: string;
  label: string;
  visibility: string;
  /** Made public since by an entry.published. */
  published: boolean;
}

/** What every form's fields are drawn from: all read for this caller, nothing else. */
export interface FormEnv {
  f: FormState;
  state: DisputeState;
  frame: DisputeFrame;
  org: RecorderOrg;
  ownEntries: OwnEntry[];
}

function clip(text: string, max = 70): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function openIssues(state: DisputeState): Option[] {
  return Object.values(state.issues)
    .filter((i) => i.status === "open")
    .sort((a, b) => a.title.localeCompare(b.title))
    .map((i) => ({ value: i.id, label: i.article ? `${i.title} (${i.article})` : i.title }));
}

/** Every organization in the record, the parties first in the order of their sides. */
export function orgOptions(state: DisputeState): Option[] {
  const order = (side: string | null) => (side ? (state.sides[side]?.order ?? 9) : 10);
  return Object.values(state.orgs)
    .sort((a, b) => order(a.side) - order(b.side) || a.name.localeCompare(b.name))
    .map((o) => ({
      value: o.id,
      label: o.side ? `${o.name} (${state.sides[o.side]?.shortName ?? o.side} side)` : o.name,
    }));
}

export function meetingLabel(m: MeetingState, state: DisputeState, timeZone: string): string {
  const parts = [m.id, `${m.kind} meeting`, m.status];
  if (m.start) parts.push(formatDateTime(m.start, timeZone));
  if (m.requestedBy) parts.push(`by ${orgName(state, m.requestedBy)}`);
  if (m.purpose) parts.push(clip(m.purpose, 50));
  return parts.join(" · ");
}

const CLOSED = new Set(["held", "cancelled", "declined"]);

/** Meetings, newest first, that `keep` admits. */
export function meetingOptions(
  state: DisputeState,
  timeZone: string,
  keep: (m: MeetingState) => boolean,
): Option[] {
  return Object.values(state.meetings)
    .filter(keep)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .map((m) => ({ value: m.id, label: meetingLabel(m, state, timeZone) }));
}

export const openMeeting = (m: MeetingState) => !CLOSED.has(m.status);

export function runningStoppages(state: DisputeState, timeZone: string): Option[] {
  return Object.values(state.stoppages)
    .filter((s) => s.end === null)
    .map((s) => ({
      value: s.id,
      label: `${s.id} · ${s.kind} by ${s.by.map((o) => orgName(state, o)).join(", ")} · since ${formatDateTime(s.start, timeZone)}`,
    }));
}

export { clip };
