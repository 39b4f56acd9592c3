import type { PostSummary } from "../../app/posts.ts";
import type { TimelineItem } from "../../app/timeline-query.ts";
import type { Payload } from "../../domain/events.ts";
import type { DisputeState } from "../../domain/state.ts";
import type { Status } from "../../domain/status.ts";
import { issueTitle, orgName } from "../describe.ts";
import { figureText } from "../figures.ts";
import { formatDate, formatDay, plural } from "../format.ts";
import { disputeBase, disputeHref } from "../layout.tsx";
import type { DisputeFrame } from "../page-context.ts";
import { embedSnippet } from "./embed.tsx";
import { postPath } from "./post.tsx";
import { hostOf } from "./statements.tsx";

/** What the public page shows beyond the dashboard: the latest of each public kind of record. */
export interface PublicDigest {
  /** Passes made public, newest first. */
  passes: TimelineItem[];
  /** Posts about the dispute published by the page's day, newest first. */
  news: PostSummary[];
}

const SHOWN = 5;

const RFC_STATUS: Record<Status["requestsForComment"][number]["status"], string> = {
  pending: "awaiting an answer",
  responded: "answered",
  declined: "declined to comment",
  "no-response": "no response by the deadline",
};

/**
 * The public record at a glance, below the dashboard's counters and board: what each side has
 * said and offered in public, who has not answered the press, and what the stoppage has cost.
 * Each section links to its full page.
 */
export function PublicSections(props: {
  origin: string;
  frame: DisputeFrame;
  status: Status;
  state: DisputeState;
  digest: PublicDigest;
}) {
  const { frame, status, state, digest } = props;
  const tz = frame.timeZone;
  const base = disputeBase(frame);
  const statements = [...status.statements.recent].reverse().slice(0, SHOWN);
  const unanswered = status.requestsForComment.filter((r) => r.status !== "responded").slice(-SHOWN);
  const figures = [...status.impact].reverse().slice(0, SHOWN);
  return (
    <div class="grid public-sections">
      <section class="card" aria-labelledby="public-news-heading">
        <h2 id="public-news-heading">News</h2>
        {digest.news.length === 0 ? (
          <p class="muted">No post about this dispute yet.</p>
        ) : (
          <ul>
            {digest.news.map((p) => (
              <li key={p.slug}>
                <a href={postPath(p.slug)}>{p.title}</a>{" "}
                <span class="muted">
                  {p.orgName}
                  {p.publishedAt ? `, ${formatDay(p.publishedAt, tz)}` : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href={`/news?dispute=${encodeURIComponent(frame.slug)}`}>All news about this dispute</a>
        </p>
      </section>

      <section class="card" aria-labelledby="public-passes-heading">
        <h2 id="public-passes-heading">Offers made public</h2>
        {digest.passes.length === 0 ? (
          <p class="muted">No pass has been made public.</p>
        ) : (
          <ul>
            {digest.passes.map((item) => {
              const payload = (item.entry as { payload: Payload<"pass.made"> }).payload;
              return (
                <li key={item.seq}>
                  <time dateTime={item.occurredAt}>{formatDay(item.occurredAt, tz)}</time>:{" "}
                  {orgName(state, item.org)} {payload.kind === "proposal" ? "proposed" : "countered"} on{" "}
                  {payload.issues.map((p, i) => (
                    <span key={p.issue}>
                      {i > 0 ? ", " : ""}
                      <a href={disputeHref(frame, `/issues/${encodeURIComponent(p.issue)}`)}>
                        {issueTitle(state, p.issue)}
                      </a>
                    </span>
                  ))}
                </li>
              );
            })}
          </ul>
        )}
        <p>
          <a href={disputeHref(frame, "/issues")}>Every issue, with redlines</a>
        </p>
      </section>

      <section class="card" aria-labelledby="public-statements-heading">
        <h2 id="public-statements-heading">Public statements</h2>
        {statements.length === 0 ? (
          <p class="muted">No statement on record.</p>
        ) : (
          <ul>
            {statements.map((s) => (
              <li key={s.seq}>
                <time dateTime={s.at}>{formatDay(s.at, tz)}</time>, {orgName(state, s.by)} ({s.channel}):{" "}
                {s.correction?.action === "retract" ? (
                  <em>retracted</em>
                ) : (
                  <q>{excerpt(s.correction?.text ?? s.text)}</q>
                )}
              </li>
            ))}
          </ul>
        )}
        {unanswered.length > 0 ? (
          <>
            <h3>Requests for comment</h3>
            <ul>
              {unanswered.map((r) => (
                <li key={r.id}>
                  {r.from} asked {r.to} on {formatDay(r.askedAt, tz)}: {RFC_STATUS[r.status]}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p>
          <a href={disputeHref(frame, "/statements")}>
            All {plural(status.statements.count, "statement")} and requests
          </a>
        </p>
      </section>

      <section class="card" aria-labelledby="public-impact-heading">
        <h2 id="public-impact-heading">Economic impact</h2>
        {figures.length === 0 ? (
          <p class="muted">No figure on record.</p>
        ) : (
          <ul>
            {figures.map((f) => (
              <li key={f.id}>
                {f.what}: <strong>{figureText(f)}</strong>{" "}
                <span class="muted">
                  as of {formatDate(f.asOf)},{" "}
                  {f.source.url ? (
                    <a href={f.source.url}>{f.source.name || hostOf(f.source.url)}</a>
                  ) : (
                    f.source.name
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href={disputeHref(frame, "/impact")}>Every figure, its method and source</a>
        </p>
      </section>

      <section class="card" aria-labelledby="follow-heading">
        <h2 id="follow-heading">Follow and embed</h2>
        <ul>
          <li>
            Feeds of the public record: <a href={`${base}/feed.atom`}>Atom</a>,{" "}
            <a href={`${base}/feed.rss`}>RSS</a>
          </li>
          <li>
            <a href={`${base}/calendar.ics`}>Meetings calendar</a> (iCalendar, for any calendar app)
          </li>
          <li>
            <a href={`${base}/embed`}>The day counter and whose move</a>, for another site to show:
          </li>
        </ul>
        <label for="embed-code">Code to paste into a page</label>
        <textarea id="embed-code" class="embed-code" readOnly rows={4}>
          {embedSnippet(props.origin, frame.slug, frame.title)}
        </textarea>
      </section>
    </div>
  );
}

/** The first words of a long text, cut at a word. */
function excerpt(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, cut.lastIndexOf(" ") > 0 ? cut.lastIndexOf(" ") : max)}…`;
}
