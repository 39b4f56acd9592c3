import type { CitationView, PostSummary, PostView } from "../../app/posts.ts";
import { allows, MAX_CITATIONS, MAX_TAGS } from "../../domain/post.ts";
import { formatDateTime } from "../format.ts";
import { CsrfField, Layout } from "../layout.tsx";
import { Markdown } from "../markdown-view.tsx";
import type { PageContext } from "../page-context.ts";
import { TableWrap } from "../table-wrap.tsx";
import { controlProps, Field, type FormState, FormSummary, Notice } from "./account.tsx";

/**
 * The newsroom's editing side: the list of one's posts, the form that writes a draft, and the
 * editor of a post with its publication controls and a preview. Pure views: the route
 * (src/server/pages/posts-editor.ts) reads everything through the Posts service.
 */

/** A dispute as the pages name it, with the zone its dates are shown in. */
export interface DisputeChoice {
  slug: string;
  title: string;
  timeZone: string;
}

/** One of the caller's organizations that may write, and about what. */
export interface WriterOrg {
  id: string;
  name: string;
  /** "any dispute" for a press outlet, else the disputes it is a party to. */
  writesAbout: string;
}

/** The form's own fields, as typed; a checkbox is "on" or "". */
export const POST_FIELDS = [
  "org",
  "dispute",
  "title",
  "slug",
  "tags",
  "citations",
  "body",
  "commentsOpen",
] as const;
export type PostField = (typeof POST_FIELDS)[number];

export function postHref(slug: string, path: "edit" | "revisions" | "publish" | "unpublish"): string {
  return `/posts/${encodeURIComponent(slug)}/${path}`;
}

export function liveHref(slug: string): string {
  return `/news/${encodeURIComponent(slug)}`;
}

/** The status in words, with its date where it has one: color is never the only signal. */
export function statusText(
  post: Pick<PostView, "status" | "publishAt" | "publishedAt">,
  timeZone: string,
): string {
  switch (post.status) {
    case "draft":
      return "Draft";
    case "scheduled":
      return post.publishAt ? `Scheduled for ${formatDateTime(post.publishAt, timeZone)}` : "Scheduled";
    case "published": {
      const at = post.publishedAt ?? post.publishAt;
      return at ? `Published ${formatDateTime(at, timeZone)}` : "Published";
    }
    case "unpublished":
      return "Unpublished";
  }
}

function zoneOf(disputes: ReadonlyMap<string, DisputeChoice>, slug: string): string {
  return disputes.get(slug)?.timeZone ?? "UTC";
}

// ---- the list ------------------------------------------------------------------------------

export interface PostsListProps {
  ctx: PageContext;
  posts: PostSummary[];
  disputes: ReadonlyMap<string, DisputeChoice>;
  /** Whether the caller may write a new post at all (a membership that may write). */
  canWrite: boolean;
}

export function PostsListPage(props: PostsListProps) {
  const { posts, disputes } = props;
  return (
    <Layout ctx={props.ctx} title="Your posts">
      <h1>Your posts</h1>
      <p class="muted">
        The news posts you may edit: your organizations' posts if you are one of their editors (admins and
        negotiators), and your own drafts.
      </p>
      {props.canWrite ? (
        <p>
          <a class="button" href="/posts/new">
            New post
          </a>
        </p>
      ) : (
        <p class="notice">
          None of your organizations writes posts here: that takes a press organization, or a party to a
          dispute.
        </p>
      )}
      {posts.length === 0 ? (
        <p>You have no posts yet.</p>
      ) : (
        <TableWrap class="posts-table-wrap" label="Your posts">
          <table class="posts-table">
            <caption class="visually-hidden">Your posts, most recently created first</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Dispute</th>
                <th scope="col">Organization</th>
                <th scope="col">Status</th>
                <th scope="col">Updated</th>
                <th scope="col">Links</th>
              </tr>
            </thead>
            <tbody>
              {posts.map((p) => {
                const zone = zoneOf(disputes, p.dispute);
                const updated = p.updatedAt ?? p.publishedAt ?? p.createdAt;
                return (
                  <tr key={p.slug}>
                    <th scope="row">
                      <a href={postHref(p.slug, "edit")}>{p.title}</a>
                      <div class="muted">by {p.author.name}</div>
                    </th>
                    <td>{disputes.get(p.dispute)?.title ?? p.dispute}</td>
                    <td>{p.orgName}</td>
                    <td>
                      <span class={`post-status post-status-${p.status}`}>{statusText(p, zone)}</span>
                    </td>
                    <td class="nowrap">{formatDateTime(updated, zone)}</td>
                    <td>
                      <ul class="post-links">
                        <li>
                          <a href={postHref(p.slug, "edit")}>
                            Edit<span class="visually-hidden"> {p.title}</span>
                          </a>
                        </li>
                        <li>
                          <a href={postHref(p.slug, "revisions")}>
                            Revisions<span class="visually-hidden"> of {p.title}</span>
                          </a>
                        </li>
                        {p.live ? (
                          <li>
                            <a href={liveHref(p.slug)}>
                              View on the site<span class="visually-hidden">: {p.title}</span>
                            </a>
                          </li>
                        ) : null}
                      </ul>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Layout>
  );
}

// ---- the fields both forms share -------------------------------------------------------------

function TimelineLinks({ disputes }: { disputes: DisputeChoice[] }) {
  const href = (d: DisputeChoice) => `/disputes/${encodeURIComponent(d.slug)}/timeline`;
  if (disputes.length === 0) return <>the dispute's public timeline</>;
  if (disputes.length === 1) return <a href={href(disputes[0]!)}>its public timeline</a>;
  return (
    <>
      each dispute's public timeline:{" "}
      {disputes.map((d, i) => (
        <span key={d.slug}>
          {i > 0 ? " · " : ""}
          <a href={href(d)}>{d.title}</a>
        </span>
      ))}
    </>
  );
}

/** Title, address, tags, citations and body: what a revision holds (and the address). */
function ContentFields(props: {
  form: FormState;
  /** False once the post has been published: its address never changes after. */
  slugEditable: boolean;
  slug?: string;
  /** Where the entry numbers can be looked up. */
  timelines: DisputeChoice[];
}) {
  const { form } = props;
  const v = form.values;
  return (
    <>
      <Field id="post-title" label="Title" error={form.errors.title}>
        <input
          {...controlProps("post-title", "title", form)}
          type="text"
          maxLength={200}
          required
          value={v.title ?? ""}
        />
      </Field>
      {props.slugEditable ? (
        <Field
          id="post-slug"
          label="Address (optional)"
          hint="Lower-case words joined by dashes, as in day-136-the-writers-strike. Left empty, it is made from the title. It cannot change once the post is published."
          error={form.errors.slug}
        >
          <input
            {...controlProps("post-slug", "slug", form, true)}
            type="text"
            maxLength={80}
            autocomplete="off"
            spellcheck={false}
            value={v.slug ?? ""}
          />
        </Field>
      ) : (
        <p class="post-address">
          <strong>Address:</strong> <code>{liveHref(props.slug ?? "")}</code>{" "}
          <span class="muted">(it stays the same once the post has been published)</span>
        </p>
      )}
      <Field
        id="post-tags"
        label="Tags (optional)"
        hint={`Separated by commas, as in strike, ai, staffing; up to ${MAX_TAGS}.`}
        error={form.errors.tags}
      >
        <input
          {...controlProps("post-tags", "tags", form, true)}
          type="text"
          autocomplete="off"
          value={v.tags ?? ""}
        />
      </Field>
      <div class="field">
        <label for="post-citations">Cited entries (optional)</label>
        <span class="hint" id="post-citations-hint">
          Public entries of the dispute, by number, separated by commas or spaces, e.g. 12, 40 (at most{" "}
          {MAX_CITATIONS}). Find their numbers on <TimelineLinks disputes={props.timelines} />.
        </span>
        <input
          {...controlProps("post-citations", "citations", form, true)}
          type="text"
          inputMode="numeric"
          autocomplete="off"
          value={v.citations ?? ""}
        />
        {form.errors.citations ? (
          <span class="error" id="post-citations-error">
            {form.errors.citations}
          </span>
        ) : null}
      </div>
      <Field
        id="post-body"
        label="Body"
        hint="Markdown: **bold**, *italic*, [a link](https://example.org), - lists, > quotes. No images or HTML."
        error={form.errors.body}
      >
        <textarea {...controlProps("post-body", "body", form, true)} rows={18} class="post-body-input">
          {/* An HTML parser drops a textarea's first line break: this one, never the body's own. */}
          {`\n${v.body ?? ""}`}
        </textarea>
      </Field>
    </>
  );
}

// ---- a new post ----------------------------------------------------------------------------

export interface NewPostProps {
  ctx: PageContext;
  orgs: WriterOrg[];
  disputes: DisputeChoice[];
  form: FormState;
}

export function NewPostPage(props: NewPostProps) {
  const { form } = props;
  const v = form.values;
  return (
    <Layout ctx={props.ctx} title="New post">
      <h1>New post</h1>
      <p class="muted">
        A new post is saved as a draft: no one outside your organization sees it until an editor publishes it.{" "}
        <a href="/posts">Back to your posts</a>
      </p>
      <FormSummary form={form} id="post-form-error" />
      <form method="post" action="/posts/new" class="post-form">
        <CsrfField ctx={props.ctx} />
        <Field id="post-org" label="Organization" hint="The one you write for." error={form.errors.org}>
          <select {...controlProps("post-org", "org", form, true)} required>
            {props.orgs.length > 1 ? (
              <option value="" selected={!v.org}>
                Choose…
              </option>
            ) : null}
            {props.orgs.map((o) => (
              <option key={o.id} value={o.id} selected={v.org === o.id}>
                {o.name} ({o.writesAbout})
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="post-dispute"
          label="Dispute"
          hint="The one the post is about."
          error={form.errors.dispute}
        >
          <select {...controlProps("post-dispute", "dispute", form, true)} required>
            {props.disputes.length > 1 ? (
              <option value="" selected={!v.dispute}>
                Choose…
              </option>
            ) : null}
            {props.disputes.map((d) => (
              <option key={d.slug} value={d.slug} selected={v.dispute === d.slug}>
                {d.title}
              </option>
            ))}
          </select>
        </Field>
        <ContentFields form={form} slugEditable timelines={props.disputes} />
        <button type="submit">Save draft</button>
      </form>
    </Layout>
  );
}

// ---- editing a post ------------------------------------------------------------------------

export interface EditPostProps {
  ctx: PageContext;
  /** The post as saved now. */
  post: PostView;
  dispute: DisputeChoice;
  /** An editor of the post's organization (publishes, schedules, opens comments). */
  editor: boolean;
  /** What the form shows: the saved revision, or what the reader typed when it was refused. */
  form: FormState;
  /** The revision the form is based on (the hidden field). */
  basedOn: number;
  /** Set when someone saved a newer revision meanwhile: the reader's text was not saved. */
  stale: { latest: number } | null;
  notice: string | null;
  /** The schedule control's value and what was wrong with it. */
  schedule: { value: string; error?: string | undefined };
  /** The publication controls' refusal (a state that no longer allows the action). */
  publishFailure: { code: string; message: string } | null;
  citations: CitationView[];
  /** Now, as a datetime-local value in the dispute's zone: the earliest time to schedule for. */
  nowLocal: string;
}

function StaleWarning(props: { slug: string; latest: number }) {
  return (
    <div class="form-error" role="alert" id="post-form-error">
      <p>
        Not saved: someone saved revision {props.latest} of this post while you were editing. Your text is
        kept below, as you typed it. <code>POST_STALE</code>
      </p>
      <p>
        Copy your changes, then <a href={postHref(props.slug, "edit")}>open the latest version</a> and make
        them again there (<a href={postHref(props.slug, "revisions")}>see what changed</a>).
      </p>
    </div>
  );
}

function Publication(props: EditPostProps) {
  const { post, dispute, editor, ctx } = props;
  const zone = dispute.timeZone;
  const canPublish = editor && allows(post.status, "publish");
  const canUnpublish = editor && allows(post.status, "unpublish");
  const scheduleError = props.schedule.error;
  return (
    <section aria-labelledby="publication-heading" class="post-publication">
      <h2 id="publication-heading">Publication</h2>
      <p>
        <span class={`post-status post-status-${post.status}`}>{statusText(post, zone)}</span>
        {post.status === "unpublished" && post.publishedAt ? (
          <span class="muted"> (first published {formatDateTime(post.publishedAt, zone)})</span>
        ) : null}
      </p>
      {post.updatedAt ? <p class="muted">Updated {formatDateTime(post.updatedAt, zone)}</p> : null}
      {post.live ? (
        <p>
          <a href={liveHref(post.slug)}>View it on the site</a>
        </p>
      ) : null}
      {props.publishFailure ? (
        <p class="form-error" role="alert" id="publication-error">
          {props.publishFailure.message} <code>{props.publishFailure.code}</code>
        </p>
      ) : null}
      {!editor ? (
        <p class="notice">
          An editor of {post.orgName} (its admins and negotiators) publishes it. Until then it stays a draft
          that only you and they can see.
        </p>
      ) : null}
      {canPublish ? (
        <>
          <p class="hint muted">
            Publishing puts the last saved revision on the site: save your changes first.
            {post.status === "unpublished"
              ? " Published now, it goes back under its first publication date."
              : ""}
          </p>
          <form method="post" action={postHref(post.slug, "publish")} class="post-action">
            <CsrfField ctx={ctx} />
            <button type="submit">
              {post.status === "scheduled" ? "Publish now instead" : "Publish now"}
            </button>
          </form>
          <form method="post" action={postHref(post.slug, "publish")} class="post-action post-schedule">
            <CsrfField ctx={ctx} />
            <input type="hidden" name="schedule" value="1" />
            <div class="field">
              <label for="post-at">
                {post.status === "scheduled" ? "New publication time" : "Publish at"}
              </label>
              <span class="hint" id="post-at-hint">
                Date and time in {zone}, the dispute's time zone.
              </span>
              <input
                id="post-at"
                name="at"
                type="datetime-local"
                required
                min={props.nowLocal}
                value={props.schedule.value}
                aria-invalid={scheduleError ? "true" : undefined}
                aria-describedby={scheduleError ? "post-at-hint post-at-error" : "post-at-hint"}
              />
              {scheduleError ? (
                <span class="error" id="post-at-error">
                  {scheduleError}
                </span>
              ) : null}
            </div>
            <button type="submit" class="secondary">
              {post.status === "scheduled" ? "Reschedule" : "Schedule"}
            </button>
          </form>
        </>
      ) : null}
      {canUnpublish ? (
        <form method="post" action={postHref(post.slug, "unpublish")} class="post-action">
          <CsrfField ctx={ctx} />
          <button type="submit" class="danger">
            Unpublish
          </button>
          {post.status === "scheduled" && !post.publishedAt ? (
            <span class="hint muted"> calls off the schedule: the post becomes a draft again.</span>
          ) : (
            <span class="hint muted"> takes it off the site; publishing it again puts it back.</span>
          )}
        </form>
      ) : null}
    </section>
  );
}

function CitedEntries({ citations, dispute }: { citations: CitationView[]; dispute: DisputeChoice }) {
  if (citations.length === 0) return null;
  const base = `/disputes/${encodeURIComponent(dispute.slug)}/entries`;
  return (
    <section aria-labelledby="cited-heading" class="post-cited">
      <h2 id="cited-heading">Cited entries (saved)</h2>
      <ol class="post-cited-list">
        {citations.map((c) => (
          <li key={c.seq}>
            <a href={`${base}/${c.seq}`}>
              #{c.seq} {c.label}
            </a>
            , {formatDateTime(c.occurredAt, dispute.timeZone)}: {c.summary}
            {c.correction ? (
              <strong class="post-corrected">
                {" "}
                ({c.correction.action === "retract" ? "retracted" : "corrected"} by #{c.correction.by})
              </strong>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function EditPostPage(props: EditPostProps) {
  const { post, form, editor, dispute } = props;
  const mayChangeSlug = post.publishedAt === null;
  return (
    <Layout ctx={props.ctx} title={`Edit: ${post.title}`}>
      <h1>Edit “{post.title}”</h1>
      <p class="muted">
        {post.orgName} · about <a href={`/d/${encodeURIComponent(dispute.slug)}`}>{dispute.title}</a> · by{" "}
        {post.author.name} · revision {post.revision} ·{" "}
        <a href={postHref(post.slug, "revisions")}>revision history</a> · <a href="/posts">your posts</a>
      </p>
      <Notice text={props.notice} />
      {props.stale ? (
        <StaleWarning slug={post.slug} latest={props.stale.latest} />
      ) : (
        <FormSummary form={form} id="post-form-error" />
      )}
      <div class="post-editor">
        <form method="post" action={postHref(post.slug, "edit")} class="post-form" aria-label="The post">
          <CsrfField ctx={props.ctx} />
          <input type="hidden" name="revision" value={String(props.basedOn)} />
          <ContentFields form={form} slugEditable={mayChangeSlug} slug={post.slug} timelines={[dispute]} />
          {editor ? (
            <div class="field post-comments-field">
              {/* An unticked box sends nothing: this says the box was on the form. */}
              <input type="hidden" name="commentsShown" value="1" />
              <span class="post-checkbox">
                <input
                  id="post-comments"
                  name="commentsOpen"
                  type="checkbox"
                  value="on"
                  checked={form.values.commentsOpen === "on"}
                />
                <label for="post-comments">Readers may comment</label>
              </span>
            </div>
          ) : null}
          <button type="submit">Save</button>
        </form>
        <div class="post-editor-side">
          <Publication {...props} />
          <CitedEntries citations={props.citations} dispute={dispute} />
        </div>
      </div>
      <section aria-labelledby="preview-heading" class="post-preview">
        <h2 id="preview-heading">Preview</h2>
        <p class="muted">
          {props.stale || form.summary ? "The text below, as you typed it, not saved." : "The saved text."}
        </p>
        <article class="post-preview-body">
          <p class="post-preview-title">{form.values.title || post.title}</p>
          <Markdown text={form.values.body ?? ""} topHeading={3} />
        </article>
      </section>
    </Layout>
  );
}
