import type { StoreReport } from "../app/verify-store.ts";
import { localDate } from "../domain/calendar.ts";
import type { Status } from "../domain/status.ts";
import type { ExportReport } from "../ledger/export-file.ts";
import { plural } from "../web/format.ts";

/** A status as the model names it ("no-response", "tentatively-agreed") in words. */
function words(status: string): string {
  return status.replaceAll("-", " ");
}

/** The status as a person reads it at a glance: dates in the dispute's own time zone. */
export function formatStatus(s: Status, viewer: string): string {
  const tz = s.timeZone;
  const day = (instant: string) => localDate(instant, tz);
  const weekday = new Date(`${s.asOfDate}T12:00:00Z`).toLocaleDateString("en-US", {
    weekday: "short",
    timeZone: "UTC",
  });
  const lines: string[] = [];
  lines.push(`${s.title} (${s.dispute})`);
  lines.push(
    `as of ${weekday} ${s.asOfDate}, ${tz} · seen as ${viewer} · ${plural(s.entries, "entry", "entries")}`,
  );
  lines.push("");
  const ag = s.agreement;
  const vote = ag.vote
    ? ` (${ag.vote.yes.toLocaleString("en-US")} yes, ${ag.vote.no.toLocaleString("en-US")} no)`
    : "";
  lines.push(
    `Agreement   ${ag.name}: ${words(ag.status)}${vote}${ag.expiresAt ? `; expired ${day(ag.expiresAt)}` : ""}${
      ag.term ? `; new term ${ag.term.start} – ${ag.term.end}` : ""
    }`,
  );
  for (const side of s.sides) {
    const orgs = side.organizations.map((o) => o.shortName).join(", ");
    const reps = side.organizations.flatMap((o) => o.represents);
    lines.push(`Side        ${side.shortName}: ${orgs}${reps.length > 0 ? ` for ${reps.join(", ")}` : ""}`);
  }
  lines.push("");
  if (s.stoppages.length === 0) lines.push("Stoppages   none");
  for (const st of s.stoppages) {
    const who = `${st.kind} by ${st.organizations.join(", ")} against ${st.against.join(", ")}`;
    const when = st.end
      ? `ended, ${plural(st.day!, "day")} (${day(st.start)} – ${st.lastDay})`
      : `day ${st.day} (since ${day(st.start)})`;
    const extra = [
      st.workdays === null ? null : plural(st.workdays, "workday"),
      st.idleDays === null ? null : plural(st.idleDays, "idle day"),
    ]
      .filter(Boolean)
      .join(", ");
    const where = st.concurrent ? ` [concurrent, ${st.dispute}]` : "";
    lines.push(`Stoppage    ${who}: ${when}${extra ? `; ${extra}` : ""}${where}`);
  }
  lines.push(`Last met    ${s.lastMeeting ? `${s.lastMeeting.date} (${s.lastMeeting.id})` : "never"}`);
  lines.push(
    `Next        ${s.nextMeeting ? `${s.nextMeeting.date} (${s.nextMeeting.id})` : "nothing scheduled"}`,
  );
  lines.push("");
  lines.push("Issues");
  const width = Math.min(48, Math.max(0, ...s.issues.map((i) => i.title.length)));
  for (const i of s.issues) {
    const title = i.title.length > width ? `${i.title.slice(0, width - 1)}…` : i.title.padEnd(width);
    const move = i.awaiting
      ? `${i.awaiting} owes the move since ${day(i.since!)} (${plural(i.days!, "day")})`
      : "";
    lines.push(`  ${title}  ${words(i.status).padEnd(19)} ${move}`.trimEnd());
  }
  const meetingMoves = s.moves.filter((m) => m.subject === "meeting");
  if (meetingMoves.length > 0) {
    lines.push("Meeting requests");
    for (const m of meetingMoves)
      lines.push(
        `  ${m.title}: ${m.awaiting} owes an answer since ${day(m.since)} (${plural(m.days, "day")})`,
      );
  }
  if (s.requestsForComment.length > 0) {
    lines.push("Requests for comment");
    for (const r of s.requestsForComment)
      lines.push(`  ${r.from} asked ${r.to} on ${day(r.askedAt)}: ${words(r.status)}`);
  }
  if (s.responseTimes.length > 0) {
    lines.push("Response times");
    for (const r of s.responseTimes)
      lines.push(
        `  ${r.side}: ${plural(r.count, "answer")}, ${r.averageDays} days on average, longest ${r.maxDays} days`,
      );
  }
  if (s.impact.length > 0) lines.push(`Impact      ${plural(s.impact.length, "figure")} recorded`);
  return `${lines.join("\n")}\n`;
}

/**
 * `parley verify --db` as a person reads it. Each dispute cosigned by witnesses gets a line
 * naming those whose cosignatures verify, with the largest checkpoint each cosigned.
 */
export function formatStoreReport(r: StoreReport): string {
  const lines: string[] = [];
  for (const d of r.disputes) {
    lines.push(
      `${d.slug}: ${d.entries} entries, ${d.nodes} nodes, ${d.checkpoints} checkpoints, ${d.timeline} timeline rows, ${d.snapshots} snapshots; root ${d.root ?? "(empty)"}`,
    );
    if (d.witnesses.length > 0) {
      lines.push(`${d.slug} witnessed by: ${d.witnesses.map((w) => `${w.org} (size ${w.size})`).join(", ")}`);
    }
  }
  for (const p of r.problems)
    lines.push(`PROBLEM ${p.dispute}${p.seq === undefined ? "" : ` #${p.seq}`} [${p.table}]: ${p.what}`);
  if (r.moreProblems > 0) lines.push(`… and ${r.moreProblems} more problems`);
  lines.push(r.ok ? "OK: the store verifies" : "FAILED: the store does not verify");
  return lines.join("\n");
}

/**
 * `parley verify FILE` as a person reads it: who witnessed the checkpoint (only witnesses whose
 * cosignature verified; a failing one is among the problems), and which signature lines came
 * from keys the file does not list, so were not checked.
 */
export function formatExportReport(file: string, r: ExportReport): string {
  const witnessed = r.witnesses.filter((w) => w.ok);
  const lines = [
    `${file}: dispute ${r.dispute ?? "?"}, viewer ${r.viewer ?? "?"}, ${r.size} leaves (${r.full} entries, ${r.hidden} hashes)`,
    `root ${r.root ?? "(empty)"}; checkpoint key ${r.checkpointKey ?? "?"}`,
    ...r.signers.map(
      (s) => `signer ${s.org}: ${s.keyId}${s.retiredAt === undefined ? "" : ` (retired ${s.retiredAt})`}`,
    ),
    `witnessed by: ${witnessed.length === 0 ? "no one" : witnessed.map((w) => `${w.org} (size ${r.size})`).join(", ")}`,
    ...r.unverifiedSignatures.map(
      (s) => `unverified signature: ${s.name} (key hash ${s.keyHash}), no key for it in the file`,
    ),
    ...r.problems.map((p) => `PROBLEM line ${p.line}${p.seq === undefined ? "" : ` (#${p.seq})`}: ${p.what}`),
    r.ok
      ? "OK: every signature verifies and the root matches the signed checkpoint"
      : "FAILED: the export does not verify",
  ];
  return lines.join("\n");
}
