import type { RedlineOp } from "../../app/redlines.ts";
import type { IssueStatus } from "../../domain/state.ts";
import { formatDateTime, formatDay, plural } from "../format.ts";
import { disputeBase, disputeHref, Layout } from "../layout.tsx";
import { Markdown } from "../markdown-view.tsx";
import type { DisputeFrame, PageContext } from "../page-context.ts";
import { TableWrap } from "../table-wrap.tsx";
import { formatTerm, type Term, termLabel, termsTable } from "../terms.ts";
import { VisibilityBadge } from "./dashboard.tsx";
import { MoveLine, statusLabel } from "./issues.tsx";

/** A comparison of a pass's language with an earlier pass, as word-level operations. */
export interface RedlineView {
  /** The earlier pass compared with (its side's short name), or null when there is none. */
  against: { seq: number; side: string; occurredAt: string } | null;
  ops: RedlineOp[];
}

/** One pass of the thread, as it bears on this issue. */
export interface PassView {
  seq: number;
  /** The side's short name (or the organization's, for an author not at the table). */
  side: string;
  /** The organization that recorded it. */
  org: string;
  kind: string;
  occurredAt: string;
  visibility: string;
  /** When a pass first kept within the table was made public, if it was by the page's day. */
  publishedAt: string | null;
  summary: string | null;
  language: string;
  terms: Term[];
  /** The other issues of the same package. */
  package: { id: string; title: string }[];
  ownPrevious: RedlineView;
  otherLatest: RedlineView;
  correction: { action: "correct" | "retract"; at: string } | null;
}

export interface TaView {
  /** The sequence number of the first signature: the TA's identity. */
  seq: number;
  wholeAgreement: boolean;
  issues: string[];
  signoffs: {
    seq: number;
    side: string;
    sideId: string | null;
    org: string;
    user: string;
    at: string;
    countersign: boolean;
    language: string | null;
  }[];
  /** Sides whose signature the reader cannot see (yet). */
  awaiting: string[];
}

export interface IssueClosing {
  kind: "withdrawn" | "dropped";
  by: string;
  at: string;
  reason: string | null;
}

export interface IssuePageProps {
  ctx: PageContext;
  frame: DisputeFrame;
  issue: {
    id: string;
    title: string;
    article: string | null;
    status: IssueStatus;
    raisedBy: string | null;
    openedAt: string;
    closedAt: string | null;
  };
  move: { awaiting: string; since: string; days: number } | null;
  /** Every pass on the issue the reader may see, oldest first. */
  passes: PassView[];
  tas: TaView[];
  closing: IssueClosing | null;
}

function passName(p: { side: string; kind: string }): string {
  return `${p.side} ${p.kind}`;
}

/** Word-level changes: insertions underlined, deletions struck (styles.css), readable in print. */
export function RedlineText({ ops }: { ops: RedlineOp[] }) {
  return (
    <div class="language redline-text">
      {ops.map((o, i) =>
        o.op === "insert" ? (
          <ins key={i}>{o.text}</ins>
        ) : o.op === "delete" ? (
          <del key={i}>{o.text}</del>
        ) : (
          <span key={i}>{o.text}</span>
        ),
      )}
    </div>
  );
}

/**
 * One redline of a pass. With nothing to compare with, it says so: the pass's whole text is shown
 * once, rendered, above the redlines ("The text as proposed").
 */
function Comparison(props: {
  id: string;
  label: string;
  redline: RedlineView;
  firstNote: string;
  frame: DisputeFrame;
}) {
  const { redline, frame } = props;
  return (
    <div class="redline">
      <h4 id={props.id}>
        {redline.against ? (
          <>
            {props.label},{" "}
            <a href={`#pass-${redline.against.seq}`}>
              {redline.against.side}, {formatDay(redline.against.occurredAt, frame.timeZone)}
            </a>
          </>
        ) : (
          props.label
        )}
      </h4>
      {redline.against ? (
        <RedlineText ops={redline.ops} />
      ) : (
        <div class="redline-none">
          <p class="muted redline-note">{props.firstNote} Nothing to compare with.</p>
        </div>
      )}
    </div>
  );
}

function Pass({ p, issueId, frame }: { p: PassView; issueId: string; frame: DisputeFrame }) {
  const tz = frame.timeZone;
  const headingId = `pass-${p.seq}-heading`;
  const first = !p.ownPrevious.against && !p.otherLatest.against;
  return (
    <article id={`pass-${p.seq}`} class="card issue-pass" aria-labelledby={headingId}>
      <h3 id={headingId}>
        <span class="issue-pass-name">{passName(p)}</span> ·{" "}
        <time dateTime={p.occurredAt}>{formatDateTime(p.occurredAt, tz)}</time>
      </h3>
      <p class="issue-pass-meta muted">
        Entry #{p.seq}, recorded by {p.org} <VisibilityBadge visibility={p.visibility} />
        {p.publishedAt ? (
          <>
            {" "}
            · made public <time dateTime={p.publishedAt}>{formatDateTime(p.publishedAt, tz)}</time>
          </>
        ) : null}
      </p>
      {p.correction ? (
        <p class="notice issue-pass-correction">
          {p.correction.action === "retract" ? "Retracted" : "Corrected"} by its author on{" "}
          <time dateTime={p.correction.at}>{formatDay(p.correction.at, tz)}</time>.
        </p>
      ) : null}
      {p.summary ? <p class="issue-pass-summary">{p.summary}</p> : null}
      {p.package.length > 0 ? (
        <p class="issue-pass-package">
          Part of a package, with:{" "}
          {p.package.map((other, i) => (
            <span key={other.id}>
              {i > 0 ? ", " : ""}
              <a href={disputeHref(frame, `/issues/${encodeURIComponent(other.id)}`)}>{other.title}</a>
            </span>
          ))}
        </p>
      ) : null}
      <div class="issue-pass-text">
        <h4 id={`pass-${p.seq}-language`}>The text as proposed</h4>
        {first ? (
          <p class="muted redline-note">
            The first pass on this issue that you may read: nothing to compare with.
          </p>
        ) : null}
        {/* Rendered as markdown (sanitized); the redlines below compare the raw text, word by word. */}
        <Markdown text={p.language} class="issue-language" topHeading={5} />
      </div>
      {first ? null : (
        <div class="redlines">
          <Comparison
            id={`pass-${p.seq}-own`}
            label={`Changes from ${p.side}'s previous pass`}
            redline={p.ownPrevious}
            firstNote={`${p.side}'s first pass on this issue that you may read.`}
            frame={frame}
          />
          <Comparison
            id={`pass-${p.seq}-other`}
            label="Changes from the other side's latest pass"
            redline={p.otherLatest}
            firstNote="No earlier pass by the other side on this issue that you may read."
            frame={frame}
          />
        </div>
      )}
      {p.terms.length > 0 ? (
        <p class="muted issue-pass-terms-link">
          {plural(p.terms.length, "figure")} stated: see{" "}
          <a href={`#terms-${issueId}`}>the terms pass by pass</a>.
        </p>
      ) : null}
    </article>
  );
}

function TermsTableView({
  passes,
  frame,
  issueId,
}: {
  passes: PassView[];
  frame: DisputeFrame;
  issueId: string;
}) {
  const table = termsTable(passes);
  if (table.columns.length === 0) {
    return <p class="muted">No pass on this issue that you may read states figures.</p>;
  }
  return (
    <TableWrap label="Terms pass by pass" class="issue-terms-wrap">
      <table class="issue-terms" id={`terms-${issueId}`}>
        <caption>
          Figures stated by each pass, oldest first. A figure in bold, marked “changed”, differs from the
          previous pass that stated it; a dash means the pass did not state it.
          {table.columns.length < passes.length ? " Passes that state no figures are left out." : ""}
        </caption>
        <thead>
          <tr>
            <th scope="col">Term</th>
            {table.columns.map((p) => (
              <th scope="col" key={p.seq}>
                <a href={`#pass-${p.seq}`}>{passName(p)}</a>
                <span class="issue-terms-date">{formatDay(p.occurredAt, frame.timeZone)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.keys.map((key) => (
            <tr key={key}>
              <th scope="row">{termLabel(key)}</th>
              {table.columns.map((p) => {
                const t = table.cell(p, key);
                if (!t) {
                  return (
                    <td key={p.seq} class="issue-term-missing">
                      <span aria-hidden="true">—</span>
                      <span class="visually-hidden">not stated</span>
                    </td>
                  );
                }
                const changed = table.changed(p, key);
                return (
                  <td key={p.seq} class={changed ? "issue-term-changed" : undefined}>
                    {changed ? (
                      <strong>{formatTerm(t.value, t.unit)}</strong>
                    ) : (
                      <span>{formatTerm(t.value, t.unit)}</span>
                    )}
                    {changed ? <span class="issue-term-flag"> changed</span> : null}
                    {t.note ? <span class="issue-term-note">{t.note}</span> : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Ta({ ta, frame }: { ta: TaView; frame: DisputeFrame }) {
  const tz = frame.timeZone;
  const complete = ta.awaiting.length === 0;
  const language = ta.signoffs.find((s) => !s.countersign)?.language ?? null;
  const headingId = `ta-${ta.seq}`;
  return (
    <article class="card issue-ta" aria-labelledby={headingId}>
      <h3 id={headingId}>
        Tentative agreement on {ta.wholeAgreement ? "the whole agreement" : ta.issues.join(", ")}
      </h3>
      <p class={complete ? "ta-state ta-complete" : "ta-state ta-awaiting"}>
        {complete
          ? "Signed by both sides."
          : `Awaiting ${ta.awaiting.join(" and ")}'s ${ta.signoffs.length > 0 ? "countersignature" : "signature"}.`}
      </p>
      <ul class="ta-signoffs" aria-label="Sign-offs">
        {ta.signoffs.map((s) => (
          <li key={s.seq}>
            <strong>{s.side}</strong> {s.countersign ? "countersigned" : "signed first"}: {s.org}{" "}
            <span class="muted">({s.user})</span>, <time dateTime={s.at}>{formatDateTime(s.at, tz)}</time>
          </li>
        ))}
        {ta.awaiting.map((side) => (
          <li key={`awaiting-${side}`} class="ta-pending">
            <strong>{side}</strong>: awaiting its signature
          </li>
        ))}
      </ul>
      {language ? (
        <>
          <h4 class="ta-language-heading">The text agreed</h4>
          <Markdown text={language} class="issue-language ta-language" topHeading={5} />
        </>
      ) : null}
      {ta.signoffs
        .filter((s) => s.countersign && s.language)
        .map((s) => (
          <div key={s.seq} class="ta-countersign-note">
            <p class="ta-countersign-by">
              <strong>{s.side}</strong>, countersigning:
            </p>
            <Markdown text={s.language!} class="issue-language" topHeading={4} />
          </div>
        ))}
    </article>
  );
}

export function IssuePage(props: IssuePageProps) {
  const { issue, frame, move, passes, tas, closing } = props;
  const tz = frame.timeZone;
  return (
    <Layout
      ctx={props.ctx}
      title={`${issue.title} · ${frame.title}`}
      frame={frame}
      tab="/issues"
      path={`${disputeBase(frame)}/issues/${encodeURIComponent(issue.id)}`}
    >
      <p class="issue-breadcrumb">
        <a href={disputeHref(frame, "/issues")}>All issues</a>
      </p>
      <h1>{issue.title}</h1>
      <p class="muted issue-meta">
        {issue.article ? `Article: ${issue.article} · ` : ""}
        {issue.raisedBy ? `Raised by ${issue.raisedBy}, ` : "Opened "}
        <time dateTime={issue.openedAt}>{formatDay(issue.openedAt, tz)}</time>
      </p>

      <section aria-labelledby="standing-heading">
        <h2 id="standing-heading">Where it stands</h2>
        <p class={`issue-status issue-status-${issue.status}`}>
          <span class="issue-move-label">Status:</span> <strong>{statusLabel(issue.status)}</strong>
          {issue.status !== "open" && issue.closedAt ? (
            <>
              {" "}
              since <time dateTime={issue.closedAt}>{formatDay(issue.closedAt, tz)}</time>
            </>
          ) : null}
          {" · "}
          {passes.length === 0 ? "no pass you may read" : plural(passes.length, "pass", "passes")}
        </p>
        {move ? (
          <MoveLine awaiting={move.awaiting} since={move.since} days={move.days} timeZone={tz} />
        ) : null}
        {!move && issue.status === "open" ? <p class="muted">Nobody owes a move yet.</p> : null}
        {closing ? (
          <p>
            {closing.by} {closing.kind === "withdrawn" ? "withdrew" : "dropped"} this issue on{" "}
            <time dateTime={closing.at}>{formatDay(closing.at, tz)}</time>
            {closing.reason ? `: ${closing.reason}` : "."}
          </p>
        ) : null}
      </section>

      <section aria-labelledby="tas-heading">
        <h2 id="tas-heading">Tentative agreements</h2>
        {tas.length === 0 ? (
          <p class="muted">No tentative agreement covers this issue yet.</p>
        ) : (
          tas.map((ta) => <Ta key={ta.seq} ta={ta} frame={frame} />)
        )}
      </section>

      <section aria-labelledby="terms-heading">
        <h2 id="terms-heading">Terms pass by pass</h2>
        <TermsTableView passes={passes} frame={frame} issueId={issue.id} />
      </section>

      <section aria-labelledby="passes-heading">
        <h2 id="passes-heading">Passes, oldest first</h2>
        {passes.length === 0 ? (
          <p class="muted">No pass on this issue that you may read.</p>
        ) : (
          <>
            <p class="redline-legend">
              Each pass is compared with its side's previous pass and with the other side's latest pass before
              it: <ins>inserted words are underlined</ins>, <del>deleted words are struck through</del>.
            </p>
            <ol class="issue-pass-thread">
              {passes.map((p) => (
                <li key={p.seq}>
                  <Pass p={p} issueId={issue.id} frame={frame} />
                </li>
              ))}
            </ol>
          </>
        )}
      </section>
    </Layout>
  );
}
