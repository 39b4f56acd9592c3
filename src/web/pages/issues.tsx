import type { IssueStatus } from "../../domain/state.ts";
import { formatDay, plural } from "../format.ts";
import { disputeHref, Layout } from "../layout.tsx";
import type { DisputeFrame, PageContext } from "../page-context.ts";
import { ageClass } from "./dashboard.tsx";

/** One card of the board: an issue as the reader may see it on the page's day. */
export interface BoardIssue {
  id: string;
  title: string;
  article: string | null;
  status: IssueStatus;
  /** The side whose move it is (its short name), since when, and for how many days. */
  awaiting: string | null;
  since: string | null;
  days: number | null;
  passes: number;
  closedAt: string | null;
  /** Each side's latest pass on the issue, newest first. */
  lastPasses: { side: string; at: string }[];
}

export interface IssuesBoardProps {
  ctx: PageContext;
  frame: DisputeFrame;
  issues: BoardIssue[];
}

/** The board's columns, in the order an issue moves through them. */
export const STATUS_COLUMNS: { status: IssueStatus; label: string; closed: string }[] = [
  { status: "open", label: "Open", closed: "" },
  { status: "tentatively-agreed", label: "Tentatively agreed", closed: "Agreed" },
  { status: "withdrawn", label: "Withdrawn", closed: "Withdrawn" },
  { status: "dropped", label: "Dropped", closed: "Dropped" },
];

export function statusLabel(status: IssueStatus): string {
  return STATUS_COLUMNS.find((c) => c.status === status)?.label ?? status;
}

/** Whose move it is, for how long: the same fact as a colored badge and in words. */
export function MoveLine(props: { awaiting: string; since: string; days: number; timeZone: string }) {
  return (
    <p class="issue-move">
      <span class="issue-move-label">Whose move:</span> <strong>{props.awaiting}</strong>, since{" "}
      <time dateTime={props.since}>{formatDay(props.since, props.timeZone)}</time>{" "}
      <span class={`age ${ageClass(props.days)}`}>{plural(props.days, "day")}</span>
    </p>
  );
}

function IssueCard({ issue, frame, closed }: { issue: BoardIssue; frame: DisputeFrame; closed: string }) {
  const tz = frame.timeZone;
  const headingId = `issue-${issue.id}`;
  return (
    <article class="card issue-card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        <a href={disputeHref(frame, `/issues/${encodeURIComponent(issue.id)}`)}>{issue.title}</a>
      </h3>
      {issue.article ? <p class="muted issue-article">Article: {issue.article}</p> : null}
      {issue.awaiting && issue.since && issue.days !== null ? (
        <MoveLine awaiting={issue.awaiting} since={issue.since} days={issue.days} timeZone={tz} />
      ) : issue.status === "open" ? (
        <p class="issue-move muted">Nobody owes a move yet.</p>
      ) : null}
      {issue.status !== "open" && issue.closedAt ? (
        <p class="issue-closed">
          {closed} <time dateTime={issue.closedAt}>{formatDay(issue.closedAt, tz)}</time>
        </p>
      ) : null}
      <p class="issue-passes">
        {issue.passes === 0 ? "No pass yet" : plural(issue.passes, "pass", "passes")}
        {issue.lastPasses.length > 0 ? (
          <span class="muted">
            {" "}
            · latest:{" "}
            {issue.lastPasses.map((p, i) => (
              <span key={p.side}>
                {i > 0 ? ", " : ""}
                {p.side} <time dateTime={p.at}>{formatDay(p.at, tz)}</time>
              </span>
            ))}
          </span>
        ) : null}
      </p>
    </article>
  );
}

export function IssuesBoardPage(props: IssuesBoardProps) {
  const { frame, issues } = props;
  const open = issues.filter((i) => i.status === "open").length;
  return (
    <Layout ctx={props.ctx} title={`Issues · ${frame.title}`} frame={frame} tab="/issues">
      <h1>Bargaining issues</h1>
      <p class="muted">
        {issues.length === 0
          ? "No bargaining issue is on record that you may see."
          : `${plural(issues.length, "issue")} on record, ${open} open. Each card says whose move it is and for how long; open one for its passes, redlines and agreements.`}
      </p>
      <div class="issue-board">
        {STATUS_COLUMNS.map((col) => {
          const here = issues.filter((i) => i.status === col.status);
          const headingId = `column-${col.status}`;
          return (
            <section
              key={col.status}
              class={`issue-column issue-column-${col.status}${here.length === 0 ? " issue-column-empty" : ""}`}
              aria-labelledby={headingId}
            >
              <h2 id={headingId}>
                {col.label} <span class="issue-count">({here.length})</span>
              </h2>
              {here.length === 0 ? (
                <p class="muted">None.</p>
              ) : (
                <ul class="issue-cards">
                  {here.map((issue) => (
                    <li key={issue.id}>
                      <IssueCard issue={issue} frame={frame} closed={col.closed} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      </div>
    </Layout>
  );
}
