import type { CommentFormState, Thread, ThreadComment } from "../../app/comments.ts";
import { COMMENT_FIELD, type CommentField, type TypedComment } from "../../domain/comment.ts";
import { commenterLink } from "../comment-text.ts";
import { formatDateTime, plural } from "../format.ts";
import { Island } from "../island.tsx";
import { postPath } from "./post.tsx";

/** How the section was reached: a fresh read, after sending a comment, or a refused send. */
export type CommentNotice =
  | { kind: "held" }
  | { kind: "refused"; message: string; code: string }
  | { kind: "invalid"; errors: Partial<Record<CommentField, string>> };

export interface CommentSectionProps {
  postSlug: string;
  timeZone: string;
  thread: Thread;
  form: CommentFormState;
  /** The comment being replied to (`?replyto=`), if it is on this page. */
  replyTo: ThreadComment | null;
  notice: CommentNotice | null;
  /** What the reader typed, put back after a refused send (that response only, never cached). */
  typed: TypedComment | null;
}

/** The page of a thread, as a link that keeps the chosen order. */
export function threadHref(slug: string, order: Thread["order"], page: number, hash = "#comments"): string {
  const q = new URLSearchParams();
  if (order !== "oldest") q.set("corder", order);
  if (page > 1) q.set("cpage", String(page));
  const s = q.toString();
  return `${postPath(slug)}${s ? `?${s}` : ""}${hash}`;
}

/**
 * The comments under a post: the approved ones, threaded, a page of threads at a time, oldest
 * or newest first, each with its permalink; then the form ("Leave a reply"), which works
 * without JavaScript and keeps what was typed when a send is refused.
 */
export function CommentSection(props: CommentSectionProps) {
  const { thread, postSlug } = props;
  return (
    <section id="comments" class="comments" aria-labelledby="comments-heading">
      <h2 id="comments-heading">
        {thread.total === 0 ? "No comments yet" : plural(thread.total, "comment")}
      </h2>
      {thread.total > 0 ? (
        <p class="comment-order">
          {thread.order === "oldest" ? (
            <>
              Oldest first · <a href={threadHref(postSlug, "newest", 1)}>Newest first</a>
            </>
          ) : (
            <>
              <a href={threadHref(postSlug, "oldest", 1)}>Oldest first</a> · Newest first
            </>
          )}
        </p>
      ) : null}
      {thread.comments.length > 0 ? (
        <ol class="comment-list">
          {thread.comments.map((c) => (
            <CommentItem key={c.id} c={c} {...props} />
          ))}
        </ol>
      ) : null}
      {thread.pages > 1 ? <Pages {...props} /> : null}
      <CommentForm {...props} />
    </section>
  );
}

function CommentItem(props: CommentSectionProps & { c: ThreadComment }) {
  const { c, postSlug, timeZone, form, thread } = props;
  const canReply = form.open && !c.removed && c.depth < form.maxDepth;
  const here = threadHref(postSlug, thread.order, thread.page, "");
  return (
    <li id={`comment-${c.id}`} class="comment">
      {c.removed ? (
        <p class="muted comment-removed">This comment was removed.</p>
      ) : (
        <article aria-label={`Comment by ${c.name}`}>
          <header class="comment-meta">
            <img src={c.avatar} alt="" width={40} height={40} class="avatar" />
            <div>
              {/* commenterLink escapes the name and allows only an http(s) link with rel="nofollow ugc noopener". */}
              <strong
                class="comment-author"
                dangerouslySetInnerHTML={{ __html: commenterLink(c.name, c.website) }}
              />
              <div>
                <a href={`${here}#comment-${c.id}`} class="muted">
                  <time dateTime={c.createdAt}>{formatDateTime(c.createdAt, timeZone)}</time>
                </a>
                {c.editedAt ? <span class="muted"> · edited</span> : null}
              </div>
            </div>
          </header>
          {/* The text was rendered at write time by comment-text.ts: escaped, links only, sanitized. */}
          <div class="comment-body" dangerouslySetInnerHTML={{ __html: c.html }} />
          {canReply ? (
            <p>
              <a
                class="comment-reply"
                href={`${postPath(postSlug)}?${new URLSearchParams({
                  ...(thread.order !== "oldest" ? { corder: thread.order } : {}),
                  ...(thread.page > 1 ? { cpage: String(thread.page) } : {}),
                  replyto: c.id,
                })}#respond`}
                aria-label={`Reply to ${c.name}`}
              >
                Reply
              </a>
            </p>
          ) : null}
        </article>
      )}
      {c.replies.length > 0 ? (
        <ol class="comment-list comment-replies">
          {c.replies.map((r) => (
            <CommentItem key={r.id} {...props} c={r} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

function Pages(props: CommentSectionProps) {
  const { thread, postSlug } = props;
  const pages = Array.from({ length: thread.pages }, (_, i) => i + 1);
  return (
    <nav class="comment-pages" aria-label="Comment pages">
      <ul>
        {pages.map((p) => (
          <li key={p}>
            {p === thread.page ? (
              <span aria-current="page">{p}</span>
            ) : (
              <a href={threadHref(postSlug, thread.order, p)}>{p}</a>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}

function CommentForm(props: CommentSectionProps) {
  const { form, notice, typed, replyTo, postSlug } = props;
  if (!form.open) {
    return (
      <p id="respond" class="muted">
        Comments are closed.
      </p>
    );
  }
  const errors = notice?.kind === "invalid" ? notice.errors : {};
  const field = (name: CommentField) => ({
    id: `comment-${name}`,
    name,
    "aria-invalid": errors[name] ? ("true" as const) : undefined,
    "aria-describedby": errors[name] ? `comment-${name}-error` : undefined,
  });
  const message = (name: CommentField) =>
    errors[name] ? (
      <p class="field-error" id={`comment-${name}-error`}>
        {errors[name]}
      </p>
    ) : null;
  const parent = typed?.parent || replyTo?.id || "";
  return (
    <Island name="comment-form" data={{}} class="comment-respond">
      <div id="respond">
        <h2 id="respond-heading">{replyTo ? `Reply to ${replyTo.name}` : "Leave a reply"}</h2>
        {replyTo ? (
          <p>
            <a href={`${postPath(postSlug)}#respond`}>Cancel reply</a>
          </p>
        ) : null}
        {notice?.kind === "held" ? (
          <p class="notice" role="status">
            Thank you. Your comment is awaiting moderation: it will appear here once a moderator approves it.
          </p>
        ) : null}
        {notice?.kind === "refused" ? (
          <p class="form-error" role="alert">
            {notice.message} <code>{notice.code}</code>
          </p>
        ) : null}
        {notice?.kind === "invalid" ? (
          <p class="form-error" role="alert">
            The comment was not sent: {plural(Object.keys(errors).length, "field needs", "fields need")} a
            look.
          </p>
        ) : null}
        <form method="post" action={`${postPath(postSlug)}/comments#respond`} class="comment-form" novalidate>
          <p class="muted">
            Your email address will not be published. Required fields are marked{" "}
            <span aria-hidden="true">*</span>
            <span class="visually-hidden">as required</span>.{" "}
            <a href="/comments/privacy">Get a copy of your comments, or erase them</a>.
          </p>
          <input type="hidden" name={COMMENT_FIELD.formToken} value={form.token} />
          {parent ? <input type="hidden" name={COMMENT_FIELD.parent} value={parent} /> : null}
          <div class="field">
            <label for="comment-comment">
              Comment <span aria-hidden="true">*</span>
            </label>
            <textarea {...field("comment")} rows={8} maxLength={10_000} required>
              {typed?.comment ?? ""}
            </textarea>
            {message("comment")}
          </div>
          <div class="field">
            <label for="comment-name">
              Name <span aria-hidden="true">*</span>
            </label>
            <input
              {...field("name")}
              type="text"
              autocomplete="name"
              maxLength={100}
              required
              value={typed?.name ?? ""}
            />
            {message("name")}
          </div>
          <div class="field">
            <label for="comment-email">
              Email <span aria-hidden="true">*</span>
            </label>
            <input
              {...field("email")}
              type="email"
              autocomplete="email"
              maxLength={254}
              required
              value={typed?.email ?? ""}
            />
            {message("email")}
          </div>
          <div class="field">
            <label for="comment-website">Website</label>
            <input
              {...field("website")}
              type="url"
              autocomplete="url"
              maxLength={200}
              value={typed?.website ?? ""}
            />
            {message("website")}
          </div>
          {/* The honeypot (domain/comment.ts): off screen, out of the tab order, to be left empty. */}
          <div class="comment-trap" aria-hidden="true">
            <label>
              Leave this field empty
              <input name={COMMENT_FIELD.honeypot} type="text" tabIndex={-1} autocomplete="off" value="" />
            </label>
          </div>
          <div class="field checkbox">
            <input
              id="comment-remember"
              name={COMMENT_FIELD.remember}
              type="checkbox"
              checked={typed?.remember ?? false}
            />
            <label for="comment-remember">
              Save my name, email, and website in this browser for the next time I comment.
            </label>
          </div>
          <div class="field checkbox">
            <input id="comment-notify" name="notify" type="checkbox" />
            <label for="comment-notify">
              Email me when someone replies to my comment (once the reply is approved).
            </label>
          </div>
          <button type="submit">Post comment</button>
        </form>
      </div>
    </Island>
  );
}
