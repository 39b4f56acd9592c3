import type { PostSummary } from "../../app/posts.ts";
import type { Status } from "../../domain/status.ts";
import { formatDateTime, formatDay, plural } from "../format.ts";
import { Layout } from "../layout.tsx";
import type { PageContext } from "../page-context.ts";
import { PostList, type PostListContext } from "./news.tsx";

/**
 * The public front page: every dispute on the server as the public may see it, the ones with a
 * stoppage running first, each with its day counters, whose move and next meeting.
 */
export function PublicHomePage(props: {
  ctx: PageContext;
  disputes: Status[];
  news: PostSummary[];
  newsContext: PostListContext;
}) {
  const disputes = [...props.disputes].sort((a, b) => longestRunning(b) - longestRunning(a));
  return (
    <Layout
      ctx={props.ctx}
      title="Disputes"
      description="Labor negotiations and the strikes around them, from the parties' own signed record."
    >
      <h1>Labor disputes on the record</h1>
      <p class="muted">
        Each dispute is the record its parties keep together and sign entry by entry: who sits at the table,
        each side's offers, whose move it is, how long the strike has run. Anyone can check it has never been
        rewritten.
      </p>
      {disputes.length === 0 ? (
        <p>No dispute has been made public here yet.</p>
      ) : (
        <ul class="public-disputes">
          {disputes.map((d) => (
            <li key={d.dispute} class="card">
              <DisputeCard status={d} />
            </li>
          ))}
        </ul>
      )}
      <section aria-labelledby="news-heading">
        <h2 id="news-heading">Latest news</h2>
        {props.news.length === 0 ? (
          <p class="muted">No post yet.</p>
        ) : (
          <PostList posts={props.news} context={props.newsContext} headingLevel={3} />
        )}
        <p>
          <a href="/news">All news</a>
        </p>
      </section>
    </Layout>
  );
}

/** The longest running stoppage of a dispute's own, in days: 0 when none is running. */
function longestRunning(s: Status): number {
  return Math.max(
    0,
    ...s.stoppages.filter((st) => st.end === null && !st.concurrent).map((st) => st.day ?? 0),
  );
}

function DisputeCard({ status }: { status: Status }) {
  const tz = status.timeZone;
  const own = status.stoppages.filter((st) => !st.concurrent);
  const href = `/disputes/${encodeURIComponent(status.dispute)}`;
  return (
    <article aria-labelledby={`d-${status.dispute}`}>
      <h2 id={`d-${status.dispute}`}>
        <a href={href}>{status.title}</a>
      </h2>
      <p class="muted">
        {status.sides.map((s) => s.shortName).join(" and ")} · {status.agreement.name}:{" "}
        {status.agreement.status}
      </p>
      {own.length > 0 ? (
        <ul class="counters">
          {own.map((st) => (
            <li key={st.id}>
              <strong class="counter-inline">
                {st.end === null && st.day !== null
                  ? `Day ${st.day}`
                  : st.day !== null
                    ? `Lasted ${plural(st.day, "day")}`
                    : `Starts ${formatDay(st.start, tz)}`}
              </strong>{" "}
              of the {st.organizations.join(" and ")} {st.kind}
              {st.end ? `, ended ${formatDay(st.end, tz)}` : ""}
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        {status.moves.length === 0
          ? "Nobody owes a move."
          : `Awaiting ${status.moves
              .slice(0, 3)
              .map((m) => `${m.awaiting} on ${m.title}`)
              .join("; ")}${status.moves.length > 3 ? `, and ${status.moves.length - 3} more` : ""}.`}{" "}
        {status.nextMeeting ? `Next meeting ${formatDateTime(status.nextMeeting.start, tz)}.` : ""}
      </p>
    </article>
  );
}
