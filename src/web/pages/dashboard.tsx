import type { TimelineItem } from "../../app/timeline-query.ts";
import type { DisputeState } from "../../domain/state.ts";
import type { MeetingView, MoveView, Status, StoppageView } from "../../domain/status.ts";
import { describeEntry, entryOf, TYPE_LABELS } from "../describe.ts";
import { formatDate, formatDateTime, formatDay, plural } from "../format.ts";
import { disputeHref, Layout } from "../layout.tsx";
import type { DisputeFrame, PageContext } from "../page-context.ts";
import { TableWrap } from "../table-wrap.tsx";
import { type PublicDigest, PublicSections } from "./public-sections.tsx";

export interface DashboardProps {
  ctx: PageContext;
  frame: DisputeFrame;
  status: Status;
  state: DisputeState;
  recent: TimelineItem[];
  checkpoint: { size: number; root: string; cosignatures: number } | null;
  /** On the public site: the latest public statements, offers and figures. */
  digest?: PublicDigest;
}

/** How long a move has been owed, as a class (color) and the same fact in words. */
export function ageClass(days: number): string {
  if (days < 7) return "age-fresh";
  if (days < 30) return "age-week";
  if (days < 90) return "age-month";
  return "age-stale";
}

export function VisibilityBadge({ visibility }: { visibility: string }) {
  return <span class={`visibility visibility-${visibility}`}>{visibility}</span>;
}

function StoppageCard({ s, timeZone }: { s: StoppageView; timeZone: string }) {
  const running = s.end === null;
  return (
    <article class="card stoppage" aria-labelledby={`stoppage-${s.dispute}-${s.id}`}>
      <h3 id={`stoppage-${s.dispute}-${s.id}`}>
        {s.organizations.join(" and ")} {s.kind}
        {s.concurrent ? <span class="muted"> (another dispute)</span> : null}
      </h3>
      {s.day !== null ? (
        <p class="counter">
          {running ? "Day " : "Lasted "}
          {running ? s.day : plural(s.day, "day")}
        </p>
      ) : (
        <p class="counter">Starts {formatDay(s.start, timeZone)}</p>
      )}
      <p>
        Against {s.against.join(", ")} · since {formatDay(s.start, timeZone)}
        {s.end ? ` · ended ${formatDay(s.end, timeZone)}` : ""}
      </p>
      <dl class="facts">
        {s.workdays !== null ? (
          <>
            <dt>Workdays</dt>
            <dd>{s.workdays}</dd>
          </>
        ) : null}
        {s.workers !== null ? (
          <>
            <dt>Workers out</dt>
            <dd>{s.workers.toLocaleString("en-US")}</dd>
          </>
        ) : null}
        {s.idleDays !== null ? (
          <>
            <dt>Idle workdays</dt>
            <dd>{s.idleDays.toLocaleString("en-US")}</dd>
          </>
        ) : null}
      </dl>
    </article>
  );
}

function Meeting({ label, m, timeZone }: { label: string; m: MeetingView | null; timeZone: string }) {
  return (
    <div>
      <h3>{label}</h3>
      {m ? (
        <p>
          {formatDateTime(m.start, timeZone)} · {m.kind} meeting · {m.status}
          {m.place ? ` · ${m.place}` : ""}
        </p>
      ) : (
        <p class="muted">None on record.</p>
      )}
    </div>
  );
}

function MoveBoard({ moves, frame }: { moves: MoveView[]; frame: DisputeFrame }) {
  if (moves.length === 0) return <p class="muted">Nobody owes a move.</p>;
  return (
    <TableWrap label="Whose move">
      <table class="moves">
        <caption class="visually-hidden">Open issues and meeting requests awaiting a side's move</caption>
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">Whose move</th>
            <th scope="col">Since</th>
            <th scope="col">Waiting</th>
          </tr>
        </thead>
        <tbody>
          {moves.map((m) => (
            <tr key={`${m.subject}-${m.id}`}>
              <td>
                {m.subject === "issue" ? (
                  <a href={disputeHref(frame, `/issues/${encodeURIComponent(m.id)}`)}>{m.title}</a>
                ) : (
                  <>Meeting request: {m.title}</>
                )}
              </td>
              <td>
                <strong>{m.awaiting}</strong>
              </td>
              <td>{formatDay(m.since, frame.timeZone)}</td>
              <td>
                <span class={`age ${ageClass(m.days)}`}>{plural(m.days, "day")}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** One sentence on where the dispute stands, for search results and link previews. */
export function publicSummary(status: Status): string {
  const running = status.stoppages.filter((s) => s.end === null && s.day !== null && !s.concurrent);
  const strike = running.map((s) => `day ${s.day} of the ${s.organizations.join(" and ")} ${s.kind}`);
  const moves = status.moves.length;
  return [
    `${status.title}: ${status.agreement.name}, ${status.agreement.status}`,
    ...strike,
    moves ? `${plural(moves, "move")} awaited` : "no move awaited",
  ].join(" · ");
}

export function DashboardPage(props: DashboardProps) {
  const { status, frame, state } = props;
  const tz = frame.timeZone;
  const running = status.stoppages.filter((s) => s.end === null && s.day !== null);
  return (
    <Layout ctx={props.ctx} title={status.title} frame={frame} tab="" description={publicSummary(status)}>
      <h1>{status.title}</h1>
      <p class="muted">
        As of {formatDateTime(status.asOf, tz)} · {status.agreement.name}: {status.agreement.status}
        {status.agreement.expiresAt ? ` · expired ${formatDay(status.agreement.expiresAt, tz)}` : ""}
      </p>

      <section aria-labelledby="stoppages-heading">
        <h2 id="stoppages-heading">Stoppages{running.length ? ` (${running.length} running)` : ""}</h2>
        {status.stoppages.length === 0 ? (
          <p class="muted">No stoppage on record.</p>
        ) : (
          <div class="grid">
            {status.stoppages.map((s) => (
              <StoppageCard key={`${s.dispute}-${s.id}`} s={s} timeZone={tz} />
            ))}
          </div>
        )}
      </section>

      <section aria-labelledby="moves-heading">
        <h2 id="moves-heading">Whose move</h2>
        <MoveBoard moves={status.moves} frame={frame} />
      </section>

      <div class="grid">
        <section class="card" aria-labelledby="sides-heading">
          <h2 id="sides-heading">At the table</h2>
          {status.sides.map((side) => (
            <div key={side.id}>
              <h3>{side.name}</h3>
              <ul>
                {side.organizations.map((o) => (
                  <li key={o.id}>
                    {o.name}
                    {o.represents.length ? (
                      <span class="muted">
                        {" "}
                        bargaining for{" "}
                        {o.represents.length <= 6
                          ? o.represents.join(", ")
                          : plural(o.represents.length, "employer")}
                      </span>
                    ) : null}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
        <section class="card" aria-labelledby="meetings-heading">
          <h2 id="meetings-heading">Meetings</h2>
          <Meeting label="Last meeting" m={status.lastMeeting} timeZone={tz} />
          <Meeting label="Next meeting" m={status.nextMeeting} timeZone={tz} />
        </section>
        <section class="card" aria-labelledby="tas-heading">
          <h2 id="tas-heading">Tentative agreements</h2>
          {status.tentativeAgreements.length === 0 ? (
            <p class="muted">None yet.</p>
          ) : (
            <ul>
              {status.tentativeAgreements.map((t) => (
                <li key={t.seq}>
                  {formatDate(t.date)}:{" "}
                  {t.wholeAgreement
                    ? "the whole agreement"
                    : t.issues.map((i) => state.issues[i]?.title ?? i).join(", ")}{" "}
                  <span class="muted">
                    {t.complete
                      ? "signed by both sides"
                      : `signed by ${t.signedBy.join(", ")}, awaiting the other side`}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {status.agreement.vote ? (
            <p>
              Ratification: {status.agreement.vote.yes.toLocaleString("en-US")} yes,{" "}
              {status.agreement.vote.no.toLocaleString("en-US")} no
            </p>
          ) : null}
        </section>
      </div>

      {props.digest ? (
        <PublicSections
          origin={props.ctx.origin}
          frame={frame}
          status={status}
          state={state}
          digest={props.digest}
        />
      ) : null}

      <section aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent entries</h2>
        {props.recent.length === 0 ? (
          <p class="muted">Nothing recorded yet.</p>
        ) : (
          <ol class="entries" reversed>
            {props.recent.map((item) => (
              <li key={item.seq}>
                <div>
                  <strong>{TYPE_LABELS[entryOf(item).type]}</strong> ·{" "}
                  <time dateTime={item.occurredAt}>{formatDateTime(item.occurredAt, tz)}</time>{" "}
                  <VisibilityBadge visibility={item.visibility} />
                </div>
                <div>{describeEntry(entryOf(item), state, tz)}</div>
              </li>
            ))}
          </ol>
        )}
        <p>
          <a href={disputeHref(frame, "/timeline")}>The whole timeline</a>
        </p>
      </section>

      <section class="card" aria-labelledby="verify-heading">
        <h2 id="verify-heading">Signed checkpoint</h2>
        {props.checkpoint ? (
          <>
            <p>
              The log holds {plural(props.checkpoint.size, "entry", "entries")}; its root is{" "}
              <code class="hash">{props.checkpoint.root}</code>
              {props.checkpoint.cosignatures
                ? `, cosigned by ${plural(props.checkpoint.cosignatures, "witness", "witnesses")}`
                : ""}
              .
            </p>
            <p>
              <a href={`/api/v1/disputes/${encodeURIComponent(frame.slug)}/export`}>
                {frame.public ? "Download the public record" : "Download what you may see"}
              </a>{" "}
              and check it offline with <code>npx parley verify {frame.slug}.jsonl</code>, or{" "}
              <a href={`/api/v1/disputes/${encodeURIComponent(frame.slug)}/checkpoint`}>
                read the checkpoint
              </a>
              .
            </p>
          </>
        ) : (
          <p class="muted">No checkpoint yet.</p>
        )}
      </section>
    </Layout>
  );
}
