import type { PostSummary } from "../../app/posts.ts";
import { formatDay, plural } from "../format.ts";
import { Layout } from "../layout.tsx";
import type { PageContext } from "../page-context.ts";
import { postPath, Tags } from "./post.tsx";

/** What a list of posts needs beside the posts: each dispute's zone and title, comment counts. */
export interface PostListContext {
  disputes: Record<string, { title: string; timeZone: string }>;
  comments: Record<string, number>;
}

/** Posts as a list: title, byline and date, the opening, tags, comment count. */
export function PostList(props: { posts: PostSummary[]; context: PostListContext; headingLevel?: 2 | 3 }) {
  const H = props.headingLevel === 3 ? "h3" : "h2";
  return (
    <ol class="post-list">
      {props.posts.map((p) => {
        const d = props.context.disputes[p.dispute];
        const count = props.context.comments[p.slug];
        return (
          <li key={p.slug}>
            <article aria-labelledby={`post-${p.slug}`}>
              <H id={`post-${p.slug}`}>
                <a href={postPath(p.slug)}>{p.title}</a>
              </H>
              <p class="byline">
                {p.author.name}, {p.orgName}
                {p.publishedAt && d ? ` · ${formatDay(p.publishedAt, d.timeZone)}` : ""}
                {d ? (
                  <>
                    {" · "}
                    <a href={`/disputes/${encodeURIComponent(p.dispute)}`}>{d.title}</a>
                  </>
                ) : null}
                {count !== undefined ? (
                  <>
                    {" · "}
                    <a href={`${postPath(p.slug)}#comments`}>{plural(count, "comment")}</a>
                  </>
                ) : null}
              </p>
              <p>{p.excerpt}</p>
              <Tags tags={p.tags} />
            </article>
          </li>
        );
      })}
    </ol>
  );
}

/** The newsroom: every live post, newest first, filtered by tag or dispute, a page at a time. */
export function NewsPage(props: {
  ctx: PageContext;
  posts: PostSummary[];
  context: PostListContext;
  filter: { tag?: string | undefined; dispute?: string | undefined };
  /** The path of the next (older) page, or null on the last. */
  next: string | null;
}) {
  const { filter } = props;
  const about = filter.dispute ? props.context.disputes[filter.dispute]?.title : undefined;
  const title = filter.tag ? `News tagged “${filter.tag}”` : about ? `News about ${about}` : "News";
  return (
    <Layout
      ctx={props.ctx}
      title={title}
      description="News and analysis of labor disputes, written from the signed record."
    >
      <h1>{title}</h1>
      {filter.tag || filter.dispute ? (
        <p>
          <a href="/news">All news</a>
        </p>
      ) : null}
      {props.posts.length === 0 ? (
        <p>No post yet.</p>
      ) : (
        <PostList posts={props.posts} context={props.context} />
      )}
      {props.next ? (
        <nav aria-label="Pages">
          <a href={props.next} rel="next">
            Older posts
          </a>
        </nav>
      ) : null}
    </Layout>
  );
}
