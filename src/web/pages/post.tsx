import type { ComponentChildren } from "preact";
import type { CitationView, PostSummary, PostView } from "../../app/posts.ts";
import { excerptOf } from "../../domain/post.ts";
import type { Status } from "../../domain/status.ts";
import { entryPath } from "../feeds.ts";
import { formatDateTime, formatDay, plural } from "../format.ts";
import { Layout } from "../layout.tsx";
import { Markdown } from "../markdown-view.tsx";
import type { PageContext } from "../page-context.ts";

export interface PostPageProps {
  ctx: PageContext;
  post: PostView;
  citations: CitationView[];
  /** The post's dispute as the public sees it now: its counters and next meeting beside the post. */
  dispute: Status;
  related: PostSummary[];
  /** The comment section, when the post has one. */
  children?: ComponentChildren;
}

/** "/news/<slug>": where a post lives on the public site. */
export function postPath(slug: string): string {
  return `/news/${encodeURIComponent(slug)}`;
}

export function tagPath(tag: string): string {
  return `/news?tag=${encodeURIComponent(tag)}`;
}

/** Who wrote it, for whom, and when, in the dispute's time zone. */
export function Byline({ post, timeZone }: { post: PostView | PostSummary; timeZone: string }) {
  const published = post.publishedAt ?? post.publishAt;
  return (
    <p class="byline">
      By {post.author.name}, {post.orgName}
      {published ? (
        <>
          {" · "}
          <time dateTime={published}>{formatDateTime(published, timeZone)}</time>
        </>
      ) : null}
      {post.updatedAt ? (
        <>
          {" · updated "}
          <time dateTime={post.updatedAt}>{formatDateTime(post.updatedAt, timeZone)}</time>
        </>
      ) : null}
    </p>
  );
}

export function Tags({ tags }: { tags: string[] }) {
  if (tags.length === 0) return null;
  return (
    <ul class="tags" aria-label="Tags">
      {tags.map((t) => (
        <li key={t}>
          <a href={tagPath(t)}>{t}</a>
        </li>
      ))}
    </ul>
  );
}

/**
 * A news post: its body, the ledger entries it cites (each with what a reader needs to check
 * it, and a notice when it was corrected since), the dispute's live facts beside it, related
 * posts and the comment section.
 */
export function PostPage(props: PostPageProps) {
  // The comment section comes as children (h(PostPage, props, section)).
  const { post, dispute } = props;
  const tz = dispute.timeZone;
  return (
    <Layout ctx={props.ctx} title={post.title} description={excerptOf(post.body)}>
      <div class="post-layout">
        <article class="post" aria-labelledby="post-title">
          <h1 id="post-title">{post.title}</h1>
          <Byline post={post} timeZone={tz} />
          <Tags tags={post.tags} />
          <Markdown text={post.body} topHeading={2} class="post-body" />
          {props.citations.length > 0 ? (
            <Citations post={post} citations={props.citations} timeZone={tz} />
          ) : null}
        </article>
        <aside class="post-aside" aria-labelledby="facts-heading">
          <DisputeFacts status={dispute} />
          {props.related.length > 0 ? (
            <section aria-labelledby="related-heading">
              <h2 id="related-heading">Related</h2>
              <ul class="related">
                {props.related.map((r) => (
                  <li key={r.slug}>
                    <a href={postPath(r.slug)}>{r.title}</a>
                    {r.publishedAt ? <span class="muted"> · {formatDay(r.publishedAt, tz)}</span> : null}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </aside>
      </div>
      {props.children}
    </Layout>
  );
}

function Citations(props: { post: PostView; citations: CitationView[]; timeZone: string }) {
  const { post, citations, timeZone } = props;
  const corrected = citations.filter((c) => c.correction !== null).length;
  return (
    <section class="citations" aria-labelledby="citations-heading">
      <h2 id="citations-heading">The record behind this post</h2>
      {corrected > 0 ? (
        <p class="tl-correction" role="note">
          Since this post was written, {plural(corrected, "entry", "entries")} it cites{" "}
          {corrected === 1 ? "was" : "were"} corrected or retracted by the party that signed{" "}
          {corrected === 1 ? "it" : "them"}.
        </p>
      ) : null}
      <ol>
        {citations.map((c) => (
          <li key={c.seq}>
            <a href={entryPath(post.dispute, c.seq)}>
              {c.label} #{c.seq}
            </a>
            , <time dateTime={c.occurredAt}>{formatDay(c.occurredAt, timeZone)}</time>: {c.summary}
            {c.correction ? (
              <strong class="citation-corrected">
                {" "}
                {c.correction.action === "retract" ? "Retracted" : "Corrected"} by{" "}
                <a href={entryPath(post.dispute, c.correction.by)}>entry #{c.correction.by}</a> on{" "}
                {formatDay(c.correction.at, timeZone)}.
              </strong>
            ) : null}{" "}
            <span class="muted">
              Signed; leaf <code class="hash">{c.leafHash.slice(0, 16)}…</code> (
              <a href={c.proofUrl}>inclusion proof</a>)
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The dispute the post is about, as it stands now: what a reader arriving from a search wants first. */
function DisputeFacts({ status }: { status: Status }) {
  const tz = status.timeZone;
  const running = status.stoppages.filter((s) => s.end === null && s.day !== null);
  return (
    <section class="card" aria-labelledby="facts-heading">
      <h2 id="facts-heading">
        <a href={`/disputes/${encodeURIComponent(status.dispute)}`}>{status.title}</a>
      </h2>
      {running.length === 0 ? (
        <p>No stoppage is running.</p>
      ) : (
        <ul class="counters">
          {running.map((s) => (
            <li key={`${s.dispute}-${s.id}`}>
              <strong class="counter-inline">Day {s.day}</strong> of the {s.organizations.join(" and ")}{" "}
              {s.kind}
            </li>
          ))}
        </ul>
      )}
      <p>
        {status.nextMeeting
          ? `Next meeting: ${formatDateTime(status.nextMeeting.start, tz)}.`
          : "No meeting is scheduled."}{" "}
        {status.moves.length === 0
          ? "Nobody owes a move."
          : `${plural(status.moves.length, "move")} awaited.`}
      </p>
      <p class="muted">As of {formatDay(status.asOf, tz)}, from the signed record.</p>
    </section>
  );
}
