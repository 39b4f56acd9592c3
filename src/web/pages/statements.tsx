import type { Status } from "../../domain/status.ts";
import { formatDateTime, plural } from "../format.ts";
import { disputeHref, Layout } from "../layout.tsx";
import type { DisputeFrame, PageContext } from "../page-context.ts";
import { TableWrap } from "../table-wrap.tsx";
import { VisibilityBadge } from "./dashboard.tsx";

/** A later entry of the author correcting (with new words) or retracting an earlier one. */
export interface CorrectionView {
  seq: number;
  action: "correct" | "retract";
  at: string;
  by: string;
  reason: string;
  text: string | null;
}

export interface StatementView {
  seq: number;
  /** Who made the statement (an organization's short name). */
  by: string;
  /** Who entered it in the record, when another organization did (a newsroom, say). */
  recordedBy: string | null;
  speaker: string | null;
  channel: string;
  at: string;
  text: string;
  url: string | null;
  visibility: string;
  /** When an entry first recorded for fewer readers was made public. */
  publishedAt: string | null;
  corrections: CorrectionView[];
}

export interface RequestView {
  id: string;
  from: string;
  to: string;
  question: string;
  askedAt: string;
  deadline: string;
  status: "pending" | "responded" | "declined" | "no-response";
  answer: { at: string; text: string | null } | null;
}

export interface StatementsProps {
  ctx: PageContext;
  frame: DisputeFrame;
  /** The instant the page shows the record as of. */
  asOf: string;
  timeZone: string;
  /** Every statement the reader may see as of the day, across pages. */
  count: number;
  /** This page of them, newest first. */
  statements: StatementView[];
  paging: { first: boolean; next: string | null };
  requests: RequestView[];
  responseTimes: Status["responseTimes"];
}

export const CHANNEL_LABELS: Record<string, string> = {
  "press-release": "Press release",
  "member-update": "Update to members",
  social: "Social media",
  interview: "Interview",
  "press-conference": "Press conference",
  other: "Statement",
};

/** "3 hours", "2.5 days": how long something took, for reading (never stored). */
export function duration(from: string, to: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
  if (minutes < 60) return plural(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, "hour");
  const tenths = Math.round((minutes * 10) / 1440);
  return `${Math.floor(tenths / 10)}${tenths % 10 ? `.${tenths % 10}` : ""} days`;
}

/** Plain text as paragraphs: a blank line starts a new one. */
export function Paragraphs({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n\s*\n/)
        .filter((p) => p.trim() !== "")
        .map((p, i) => (
          <p key={i} class="prose">
            {p.trim()}
          </p>
        ))}
    </>
  );
}

/** A link's host, so the reader knows where it goes ("variety.com"). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host.replace(/^www\./, "");
  } catch {
    return url;
  }
}

export function Corrections({ list, timeZone }: { list: CorrectionView[]; timeZone: string }) {
  if (list.length === 0) return null;
  return (
    <ul class="corrections">
      {list.map((c) => (
        <li key={c.seq} class={`correction correction-${c.action}`}>
          <strong>{c.action === "retract" ? "Retracted" : "Corrected"}</strong> by {c.by} on{" "}
          <time dateTime={c.at}>{formatDateTime(c.at, timeZone)}</time>: {c.reason}
        </li>
      ))}
    </ul>
  );
}

function RequestStatus({ r, timeZone }: { r: RequestView; timeZone: string }) {
  switch (r.status) {
    case "no-response":
      return (
        <p class="rfc-status rfc-no-response">
          <strong>No response</strong>
          <span> · the deadline, {formatDateTime(r.deadline, timeZone)}, passed without an answer</span>
        </p>
      );
    case "pending":
      return (
        <p class="rfc-status rfc-pending">
          <strong>Pending</strong>
          <span> · awaiting an answer by {formatDateTime(r.deadline, timeZone)}</span>
        </p>
      );
    case "declined":
      return (
        <p class="rfc-status rfc-declined">
          <strong>Declined to comment</strong>
        </p>
      );
    case "responded":
      return (
        <p class="rfc-status rfc-responded">
          <strong>Answered</strong>
          {r.answer && r.answer.at > r.deadline ? <span> · after the deadline</span> : null}
        </p>
      );
  }
}

function RequestCard({ r, timeZone }: { r: RequestView; timeZone: string }) {
  const headingId = `rfc-${r.id}`;
  return (
    <article class={`card rfc rfc-card-${r.status}`} aria-labelledby={headingId}>
      <h3 id={headingId}>
        {r.from} asked {r.to}
      </h3>
      <RequestStatus r={r} timeZone={timeZone} />
      <blockquote class="rfc-question">
        <Paragraphs text={r.question} />
      </blockquote>
      <dl class="facts">
        <dt>Asked</dt>
        <dd>
          <time dateTime={r.askedAt}>{formatDateTime(r.askedAt, timeZone)}</time>
        </dd>
        <dt>Deadline</dt>
        <dd>
          <time dateTime={r.deadline}>{formatDateTime(r.deadline, timeZone)}</time>
        </dd>
        <dt>Answer</dt>
        <dd>
          {r.answer ? (
            <>
              {r.status === "declined" ? "Declined" : "Answered"}{" "}
              <time dateTime={r.answer.at}>{formatDateTime(r.answer.at, timeZone)}</time>, after{" "}
              {duration(r.askedAt, r.answer.at)}
              {r.answer.text ? (
                <blockquote class="rfc-answer">
                  <Paragraphs text={r.answer.text} />
                </blockquote>
              ) : null}
            </>
          ) : r.status === "no-response" ? (
            <strong>None</strong>
          ) : (
            <span class="muted">None yet</span>
          )}
        </dd>
      </dl>
    </article>
  );
}

function Statement({ s, timeZone }: { s: StatementView; timeZone: string }) {
  const last = s.corrections.at(-1);
  const retracted = last?.action === "retract";
  const corrected = [...s.corrections].reverse().find((c) => c.action === "correct" && c.text);
  const headingId = `statement-${s.seq}`;
  return (
    <li class={`statement${retracted ? " statement-retracted" : ""}`}>
      <article aria-labelledby={headingId}>
        <h3 id={headingId} class="statement-heading">
          {s.by}
          {s.speaker ? <span class="speaker">, {s.speaker}</span> : null}
          <span class="channel"> · {CHANNEL_LABELS[s.channel] ?? s.channel}</span>
        </h3>
        <p class="statement-meta muted">
          <time dateTime={s.at}>{formatDateTime(s.at, timeZone)}</time>
          {s.recordedBy ? ` · entered by ${s.recordedBy}` : ""}
          {s.publishedAt ? (
            <>
              {" "}
              · made public <time dateTime={s.publishedAt}>{formatDateTime(s.publishedAt, timeZone)}</time>
            </>
          ) : null}{" "}
          {s.visibility !== "public" ? <VisibilityBadge visibility={s.visibility} /> : null}
          {retracted ? <span class="badge badge-retracted">Retracted</span> : null}
          {!retracted && corrected ? <span class="badge badge-corrected">Corrected</span> : null}
        </p>
        {retracted ? (
          <div class="statement-text retracted-text">
            <p class="visually-hidden">The retracted words:</p>
            <Paragraphs text={corrected?.text ?? s.text} />
          </div>
        ) : (
          <div class="statement-text">
            <Paragraphs text={corrected?.text ?? s.text} />
          </div>
        )}
        {corrected && !retracted ? (
          <details class="original">
            <summary>The original wording</summary>
            <Paragraphs text={s.text} />
          </details>
        ) : null}
        <Corrections list={s.corrections} timeZone={timeZone} />
        {s.url ? (
          <p class="source">
            <a href={s.url} rel="external noopener noreferrer">
              Source: {hostOf(s.url)}
            </a>
          </p>
        ) : null}
      </article>
    </li>
  );
}

export function StatementsPage(props: StatementsProps) {
  const { frame, timeZone: tz } = props;
  const unanswered = props.requests.filter((r) => r.status === "no-response").length;
  const pending = props.requests.filter((r) => r.status === "pending").length;
  return (
    <Layout ctx={props.ctx} title={`Statements · ${frame.title}`} frame={frame} tab="/statements">
      <div class="statements-page">
        <h1>Statements and requests for comment</h1>
        <p class="muted">
          As of {formatDateTime(props.asOf, tz)}: {plural(props.count, "statement")} on record
          {props.requests.length
            ? `; ${plural(props.requests.length, "request")} for comment${
                unanswered ? `, ${unanswered} without a response` : ""
              }${pending ? `, ${pending} pending` : ""}`
            : ""}
          .
        </p>

        <section aria-labelledby="requests-heading">
          <h2 id="requests-heading">Requests for comment</h2>
          {props.requests.length === 0 ? (
            <p class="muted">Nobody has asked for comment yet.</p>
          ) : (
            <div class="rfc-list">
              {props.requests.map((r) => (
                <RequestCard key={r.id} r={r} timeZone={tz} />
              ))}
            </div>
          )}
        </section>

        <section aria-labelledby="response-heading">
          <h2 id="response-heading">Response times</h2>
          {props.responseTimes.length === 0 ? (
            <p class="muted">No side has yet answered a move of the other.</p>
          ) : (
            <TableWrap label="Response times">
              <table class="response-times">
                <caption>
                  How long each side took to make its move once it was its turn: to answer the other side's
                  pass on an issue or its request for a meeting.
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Side</th>
                    <th scope="col">Moves made</th>
                    <th scope="col">Average wait</th>
                    <th scope="col">Longest wait</th>
                  </tr>
                </thead>
                <tbody>
                  {props.responseTimes.map((r) => (
                    <tr key={r.side}>
                      <th scope="row">{r.side}</th>
                      <td>{r.count.toLocaleString("en-US")}</td>
                      <td>{r.averageDays} days</td>
                      <td>{r.maxDays} days</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </section>

        <section aria-labelledby="statements-heading">
          <h2 id="statements-heading">Statements</h2>
          {props.statements.length === 0 ? (
            <p class="muted">{props.paging.first ? "No statement on record yet." : "No older statements."}</p>
          ) : (
            <ol class="statements">
              {props.statements.map((s) => (
                <Statement key={s.seq} s={s} timeZone={tz} />
              ))}
            </ol>
          )}
          {!props.paging.first || props.paging.next ? (
            <nav class="pager" aria-label="Statements pages">
              {!props.paging.first ? <a href={disputeHref(frame, "/statements")}>Newest statements</a> : null}
              {props.paging.next ? (
                <a href={disputeHref(frame, "/statements", { after: props.paging.next })} rel="next">
                  Older statements
                </a>
              ) : null}
            </nav>
          ) : null}
        </section>
      </div>
    </Layout>
  );
}
