import { diffWords } from "diff";
import type { PostView, RevisionView } from "../../app/posts.ts";
import { formatDateTime } from "../format.ts";
import { Layout } from "../layout.tsx";
import type { PageContext } from "../page-context.ts";
import { type DisputeChoice, liveHref, postHref } from "./post-editor.tsx";

/**
 * A post's revision history: each saved version against the one before it, word by word. The
 * texts go into the page as text nodes inside <ins>, <del> and <span>, never as HTML.
 */

export interface WordChange {
  op: "equal" | "insert" | "delete";
  text: string;
}

/**
 * Beyond this many changed words a word-level diff costs more than it tells (two unrelated
 * 100,000-character bodies): the whole old text is shown struck and the new one inserted.
 */
const MAX_EDIT_LENGTH = 5_000;

export function wordChanges(before: string, after: string): WordChange[] {
  if (before === after) return before === "" ? [] : [{ op: "equal", text: before }];
  const changes = diffWords(before, after, { maxEditLength: MAX_EDIT_LENGTH });
  if (!changes) {
    return [
      ...(before ? [{ op: "delete" as const, text: before }] : []),
      ...(after ? [{ op: "insert" as const, text: after }] : []),
    ];
  }
  return changes.map((c) => ({ op: c.added ? "insert" : c.removed ? "delete" : "equal", text: c.value }));
}

/** What was added to and removed from a list (tags, citations). */
export function listChange<T>(before: readonly T[], after: readonly T[]): { added: T[]; removed: T[] } {
  return {
    added: after.filter((x) => !before.includes(x)),
    removed: before.filter((x) => !after.includes(x)),
  };
}

function Changes(props: { changes: WordChange[]; block: boolean }) {
  const parts = props.changes.map((c, i) =>
    c.op === "insert" ? (
      <ins key={i}>{c.text}</ins>
    ) : c.op === "delete" ? (
      <del key={i}>{c.text}</del>
    ) : (
      <span key={i}>{c.text}</span>
    ),
  );
  return props.block ? (
    <div class="redline-text revision-body">{parts}</div>
  ) : (
    <span class="redline-text">{parts}</span>
  );
}

function ListChange<T extends string | number>(props: {
  label: string;
  before: readonly T[];
  after: readonly T[];
  show: (x: T) => string;
}) {
  const { added, removed } = listChange(props.before, props.after);
  if (added.length === 0 && removed.length === 0) return null;
  return (
    <p>
      <strong>{props.label}:</strong>
      {added.length > 0 ? ` added ${added.map(props.show).join(", ")}` : ""}
      {added.length > 0 && removed.length > 0 ? ";" : ""}
      {removed.length > 0 ? ` removed ${removed.map(props.show).join(", ")}` : ""}
    </p>
  );
}

function Revision(props: { revision: RevisionView; previous: RevisionView | undefined; timeZone: string }) {
  const { revision: r, previous: p } = props;
  const id = `revision-${r.revision}`;
  return (
    <section class="revision" aria-labelledby={id}>
      <h2 id={id}>
        Revision {r.revision}
        {r.current ? <span class="revision-current"> (current)</span> : null}
      </h2>
      <p class="muted">
        Saved by {r.author.name}, {formatDateTime(r.createdAt, props.timeZone)}
      </p>
      {p ? (
        <>
          <p class="muted revision-legend">
            Against revision {p.revision}: <ins>inserted words</ins>, <del>deleted words</del>.
          </p>
          <h3>Title</h3>
          {p.title === r.title ? (
            <p>
              {r.title} <span class="muted">(unchanged)</span>
            </p>
          ) : (
            <p>
              <Changes changes={wordChanges(p.title, r.title)} block={false} />
            </p>
          )}
          <h3>Body</h3>
          {p.body === r.body ? (
            <p class="muted">Unchanged.</p>
          ) : (
            <Changes changes={wordChanges(p.body, r.body)} block />
          )}
          <ListChange label="Tags" before={p.tags} after={r.tags} show={(t) => t} />
          <ListChange label="Cited entries" before={p.citations} after={r.citations} show={(n) => `#${n}`} />
        </>
      ) : (
        <>
          <p class="muted">The first version.</p>
          <h3>Title</h3>
          <p>{r.title}</p>
          <h3>Body</h3>
          {r.body === "" ? <p class="muted">Empty.</p> : <div class="revision-body">{r.body}</div>}
          {r.tags.length > 0 ? (
            <p>
              <strong>Tags:</strong> {r.tags.join(", ")}
            </p>
          ) : null}
          {r.citations.length > 0 ? (
            <p>
              <strong>Cited entries:</strong> {r.citations.map((n) => `#${n}`).join(", ")}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

export interface RevisionsProps {
  ctx: PageContext;
  post: PostView;
  dispute: DisputeChoice;
  /** Newest first, as the service gives them. */
  revisions: RevisionView[];
  /** Whether the reader may open the editor now (an editor, or the author of a draft). */
  mayEdit: boolean;
}

export function RevisionsPage(props: RevisionsProps) {
  const { post, revisions } = props;
  return (
    <Layout ctx={props.ctx} title={`Revisions: ${post.title}`}>
      <h1>Revisions of “{post.title}”</h1>
      <p class="muted">
        {revisions.length === 1 ? "One saved version" : `${revisions.length} saved versions`}, newest first;
        dates in {props.dispute.timeZone}.{" "}
        {props.mayEdit ? <a href={postHref(post.slug, "edit")}>Edit the post</a> : null}
        {props.mayEdit && post.live ? " · " : null}
        {post.live ? <a href={liveHref(post.slug)}>View it on the site</a> : null}
      </p>
      {revisions.map((r, i) => (
        <Revision
          key={r.revision}
          revision={r}
          previous={revisions[i + 1]}
          timeZone={props.dispute.timeZone}
        />
      ))}
    </Layout>
  );
}
