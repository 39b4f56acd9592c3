import type { CommentStatus, LogEntry, ModerationAction, ModerationComment } from "../../app/comments.ts";
import { formatDateTime, plural } from "../format.ts";
import { CsrfField, Layout } from "../layout.tsx";
import type { PageContext } from "../page-context.ts";
import { TableWrap } from "../table-wrap.tsx";
import { controlProps, Field, type FormState, FormSummary, Notice } from "./account.tsx";

/**
 * The moderation side of reader comments: the queue with its bulk and one-click actions, the
 * pages that edit a comment, reply to it and show what moderators did to it, and the site's
 * moderation settings. Pure views: the routes (src/server/pages/moderation.ts) read everything
 * through the Comments service. These are the only pages that show a commenter's address.
 */

export const QUEUE_PATH = "/moderation/comments";
export const SETTINGS_PATH = "/comments/settings";

/** The queue's tabs, in the order a moderator works through them. */
export const QUEUE_TABS: readonly { status: CommentStatus; label: string }[] = [
  { status: "held", label: "Held" },
  { status: "approved", label: "Approved" },
  { status: "spam", label: "Spam" },
  { status: "trash", label: "Trash" },
];

/** Where a moderator is in the queue: kept across every action so they come back to it. */
export interface QueueState {
  status: CommentStatus;
  search: string;
  page: number;
}

function queueParams(state: QueueState): Record<string, string> {
  return {
    ...(state.status !== "held" ? { status: state.status } : {}),
    ...(state.search !== "" ? { search: state.search } : {}),
    ...(state.page > 1 ? { page: String(state.page) } : {}),
  };
}

/** The queue at `state`, with whatever else the link says (a notice's key). */
export function queueHref(state: QueueState, extra: Record<string, string> = {}, hash = ""): string {
  const q = new URLSearchParams({ ...queueParams(state), ...extra }).toString();
  return `${QUEUE_PATH}${q ? `?${q}` : ""}${hash}`;
}

/** A page about one comment, keeping the queue's place for the way back. */
export function commentHref(id: string, page: "edit" | "reply" | "history", state: QueueState): string {
  const q = new URLSearchParams(queueParams(state)).toString();
  return `${QUEUE_PATH}/${encodeURIComponent(id)}/${page}${q ? `?${q}` : ""}`;
}

export const ACTION_LABELS: Record<ModerationAction, string> = {
  approve: "Approve",
  hold: "Unapprove",
  spam: "Spam",
  trash: "Trash",
  restore: "Restore",
};

/** What an action did, as the notice after it says it: "3 comments approved". */
export const ACTION_DONE: Record<ModerationAction, string> = {
  approve: "approved",
  hold: "held for moderation",
  spam: "marked as spam",
  trash: "moved to the trash",
  restore: "restored",
};

const STATUS_TEXT: Record<CommentStatus, string> = {
  held: "Held",
  approved: "Approved",
  spam: "Spam",
  trash: "Trash",
};

/** The one-click actions under a comment of each status; the rest are in the bulk menu. */
const QUICK_ACTIONS: Record<CommentStatus, ModerationAction[]> = {
  held: ["approve", "spam", "trash"],
  approved: ["hold", "spam", "trash"],
  spam: ["restore", "trash"],
  trash: ["restore"],
};

/** A comment in the queue, with what the page needs beside it. */
export interface QueueItem extends ModerationComment {
  /** Its dispute's time zone: dates are shown there, with the zone named. */
  timeZone: string;
  /** Its permalink on the public post page, when it is shown there. */
  link: string | null;
}

/** A website as a link only when it is http(s) (the service accepts nothing else); else as text. */
function Website({ url }: { url: string | null }) {
  if (!url) return <span class="muted">none</span>;
  if (!/^https?:\/\//i.test(url)) return <span>{url}</span>;
  return (
    <a href={url} rel="nofollow ugc noopener noreferrer" class="mod-website">
      {url}
    </a>
  );
}

/** Who wrote it, where and when: what a moderator reads before deciding. */
function CommentFacts(props: { c: ModerationComment; timeZone: string; link: string | null }) {
  const { c, timeZone } = props;
  return (
    <dl class="mod-facts">
      <dt>Name</dt>
      <dd>
        {c.name}
        {c.byModerator ? <span class="muted"> (a moderator's reply)</span> : null}
      </dd>
      <dt>Email</dt>
      <dd class="mod-email">{c.email}</dd>
      <dt>Website</dt>
      <dd>
        <Website url={c.website} />
      </dd>
      <dt>Post</dt>
      <dd>{props.link ? <a href={props.link}>{c.post.title}</a> : c.post.title}</dd>
      <dt>Received</dt>
      <dd>
        <time dateTime={c.createdAt}>{formatDateTime(c.createdAt, timeZone)}</time>
        {c.editedAt ? <span class="muted"> · edited {formatDateTime(c.editedAt, timeZone)}</span> : null}
      </dd>
      {c.parentId ? (
        <>
          <dt>Thread</dt>
          <dd>a reply to another comment</dd>
        </>
      ) : null}
    </dl>
  );
}

/** Why the rules held it or marked it as spam when it arrived (a moderator may have moved it since). */
function Reasons({ reasons }: { reasons: string[] }) {
  if (reasons.length === 0) return null;
  return (
    <div class="mod-reasons">
      <strong>What the rules found when it arrived:</strong>
      <ul>
        {reasons.map((r, i) => (
          <li key={i}>{r}</li>
        ))}
      </ul>
    </div>
  );
}

/** The text as readers see it: rendered and sanitized when it was written (web/comment-text.ts). */
function CommentText({ html }: { html: string }) {
  return <div class="mod-text comment-body" dangerouslySetInnerHTML={{ __html: html }} />;
}

// ---- the queue ------------------------------------------------------------------------------

export interface QueuePageProps {
  ctx: PageContext;
  state: QueueState;
  /** Comments of each status (matching the search, when there is one). */
  counts: Record<CommentStatus, number>;
  comments: QueueItem[];
  /** Comments on every page of this tab. */
  total: number;
  perPage: number;
  notice: string | null;
  /** A bulk action sent back: what was wrong with it. */
  bulk?: FormState;
}

function Tabs({ state, counts }: { state: QueueState; counts: QueuePageProps["counts"] }) {
  return (
    <nav class="mod-tabs" aria-label="Comments by status">
      <ul>
        {QUEUE_TABS.map((t) => (
          <li key={t.status}>
            <a
              href={queueHref({ ...state, status: t.status, page: 1 })}
              aria-current={t.status === state.status ? "page" : undefined}
            >
              {t.label} <span class="mod-count">({counts[t.status].toLocaleString("en-US")})</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Search({ state }: { state: QueueState }) {
  return (
    <form method="get" action={QUEUE_PATH} class="mod-search">
      {state.status !== "held" ? <input type="hidden" name="status" value={state.status} /> : null}
      <label for="mod-search">Search comments</label>
      <span class="hint" id="mod-search-hint">
        In names, texts, websites and email addresses.
      </span>
      <div class="mod-search-row">
        <input
          id="mod-search"
          name="search"
          type="search"
          maxLength={200}
          value={state.search}
          aria-describedby="mod-search-hint"
        />
        <button type="submit" class="secondary">
          Search
        </button>
        {state.search !== "" ? <a href={queueHref({ ...state, search: "", page: 1 })}>Clear</a> : null}
      </div>
    </form>
  );
}

function Pager(props: { state: QueueState; total: number; perPage: number }) {
  const { state } = props;
  const pages = Math.max(1, Math.ceil(props.total / props.perPage));
  if (pages <= 1 && state.page <= 1) return null;
  return (
    <nav class="pager" aria-label="Pages of the queue">
      {state.page > 1 ? (
        <a href={queueHref({ ...state, page: Math.min(state.page - 1, pages) })} rel="prev">
          Previous page
        </a>
      ) : null}
      <span>
        Page {state.page.toLocaleString("en-US")} of {pages.toLocaleString("en-US")}
      </span>
      {state.page < pages ? (
        <a href={queueHref({ ...state, page: state.page + 1 })} rel="next">
          Next page
        </a>
      ) : null}
    </nav>
  );
}

/** The form of one comment's buttons: outside the bulk form, since forms do not nest. */
function oneFormId(id: string): string {
  return `one-${id}`;
}

function QueueEntry({ c, state }: { c: QueueItem; state: QueueState }) {
  const checkbox = `select-${c.id}`;
  const headingId = `comment-${c.id}-heading`;
  return (
    <li id={`comment-${c.id}`} class="mod-comment">
      <article aria-labelledby={headingId}>
        <div class="mod-head">
          <input type="checkbox" id={checkbox} name="ids" value={c.id} />
          <h2 id={headingId} class="mod-heading">
            <label for={checkbox}>
              <span class="visually-hidden">Select the comment by </span>
              {c.name}
            </label>
            <span class="muted mod-on"> on {c.post.title}</span>
          </h2>
          <span class={`mod-status mod-status-${c.status}`}>{STATUS_TEXT[c.status]}</span>
        </div>
        <CommentFacts c={c} timeZone={c.timeZone} link={c.link} />
        <Reasons reasons={c.reasons} />
        <CommentText html={c.html} />
        <div class="mod-actions">
          {QUICK_ACTIONS[c.status].map((action) => (
            <button
              key={action}
              type="submit"
              form={oneFormId(c.id)}
              name="action"
              value={action}
              class={action === "trash" || action === "spam" ? "secondary" : undefined}
            >
              {ACTION_LABELS[action]}
              <span class="visually-hidden"> the comment by {c.name}</span>
            </button>
          ))}
          <ul class="mod-links">
            <li>
              <a href={commentHref(c.id, "edit", state)}>
                Edit<span class="visually-hidden"> the comment by {c.name}</span>
              </a>
            </li>
            {c.status === "held" || c.status === "approved" ? (
              <li>
                <a href={commentHref(c.id, "reply", state)}>
                  Reply<span class="visually-hidden"> to {c.name}</span>
                </a>
              </li>
            ) : null}
            <li>
              <a href={commentHref(c.id, "history", state)}>
                History<span class="visually-hidden"> of the comment by {c.name}</span>
              </a>
            </li>
          </ul>
        </div>
      </article>
    </li>
  );
}

export function QueuePage(props: QueuePageProps) {
  const { state, comments, ctx } = props;
  const tab = QUEUE_TABS.find((t) => t.status === state.status)!;
  return (
    <Layout ctx={ctx} title="Comments to moderate">
      <h1>Comments</h1>
      <p class="muted">
        Readers' comments under the posts you moderate: those of the organizations you are an admin or
        negotiator of{ctx.caller?.operator ? ", and as an operator every post" : ""}. Commenters' addresses
        are shown here and nowhere else.
        {ctx.caller?.operator ? (
          <>
            {" "}
            <a href={SETTINGS_PATH}>Moderation settings</a>
          </>
        ) : null}
      </p>
      <Notice text={props.notice} />
      <FormSummary form={props.bulk} id="bulk-error" />
      <Tabs state={state} counts={props.counts} />
      <Search state={state} />
      {comments.length === 0 ? (
        <p class="mod-empty">
          {state.search !== ""
            ? `No ${tab.label.toLowerCase()} comment matches “${state.search}”.`
            : `No ${tab.label.toLowerCase()} comment${state.page > 1 ? " on this page" : ""}.`}
        </p>
      ) : (
        <>
          <form
            method="post"
            action={queueHref(state)}
            class="mod-bulk"
            aria-label="Moderate the selected comments"
          >
            <CsrfField ctx={ctx} />
            <div class="mod-bulk-bar">
              <label for="bulk-action">With the selected comments</label>
              <select
                id="bulk-action"
                name="action"
                aria-invalid={props.bulk?.errors.action ? "true" : undefined}
                aria-describedby={props.bulk?.errors.action ? "bulk-action-error" : undefined}
              >
                <option value="">Choose an action…</option>
                {(Object.keys(ACTION_LABELS) as ModerationAction[]).map((a) => (
                  <option key={a} value={a} selected={props.bulk?.values.action === a}>
                    {ACTION_LABELS[a]}
                  </option>
                ))}
              </select>
              <button type="submit">Apply</button>
              {props.bulk?.errors.action ? (
                <span class="error" id="bulk-action-error">
                  {props.bulk.errors.action}
                </span>
              ) : null}
              {props.bulk?.errors.ids ? (
                <span class="error" id="bulk-ids-error">
                  {props.bulk.errors.ids}
                </span>
              ) : null}
            </div>
            <p class="muted mod-shown">
              {plural(props.total, `${tab.label.toLowerCase()} comment`)}
              {state.search !== "" ? ` matching “${state.search}”` : ""}, newest first.
            </p>
            <ol class="mod-list">
              {comments.map((c) => (
                <QueueEntry key={c.id} c={c} state={state} />
              ))}
            </ol>
          </form>
          {comments.map((c) => (
            <form key={c.id} id={oneFormId(c.id)} method="post" action={queueHref(state)} class="mod-one">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="ids" value={c.id} />
            </form>
          ))}
        </>
      )}
      <Pager state={state} total={props.total} perPage={props.perPage} />
    </Layout>
  );
}

// ---- one comment: edit, reply, history -----------------------------------------------------

interface OneCommentProps {
  ctx: PageContext;
  comment: ModerationComment;
  timeZone: string;
  link: string | null;
  /** Where the moderator came from in the queue. */
  back: QueueState;
}

function BackLink({ back, id }: { back: QueueState; id: string }) {
  return (
    <p>
      <a href={queueHref(back, {}, `#comment-${id}`)}>Back to the queue</a>
    </p>
  );
}

export interface EditCommentProps extends OneCommentProps {
  form: FormState;
}

export function EditCommentPage(props: EditCommentProps) {
  const { comment: c, form } = props;
  return (
    <Layout ctx={props.ctx} title={`Edit the comment by ${c.name}`}>
      <h1>Edit the comment by {c.name}</h1>
      <BackLink back={props.back} id={c.id} />
      <FormSummary form={form} id="edit-form-error" />
      <CommentFacts c={c} timeZone={props.timeZone} link={props.link} />
      <form method="post" action={commentHref(c.id, "edit", props.back)} class="mod-form">
        <CsrfField ctx={props.ctx} />
        <Field
          id="comment-body"
          label="Text"
          hint="As the commenter typed it: plain text, links and *emphasis*. Readers see that it was edited."
          error={form.errors.body}
        >
          <textarea {...controlProps("comment-body", "body", form, true)} rows={10} required>
            {/* An HTML parser drops a textarea's first line break: this one, never the text's own. */}
            {`\n${form.values.body ?? ""}`}
          </textarea>
        </Field>
        <button type="submit">Save</button>
      </form>
    </Layout>
  );
}

export interface ReplyCommentProps extends OneCommentProps {
  form: FormState;
  /** Why no reply can be written now (a trashed comment, a thread as deep as it goes), or null. */
  blocked: string | null;
}

export function ReplyCommentPage(props: ReplyCommentProps) {
  const { comment: c, form, ctx } = props;
  return (
    <Layout ctx={ctx} title={`Reply to ${c.name}`}>
      <h1>Reply to {c.name}</h1>
      <BackLink back={props.back} id={c.id} />
      <FormSummary form={form} id="reply-form-error" />
      <CommentFacts c={c} timeZone={props.timeZone} link={props.link} />
      <CommentText html={c.html} />
      {props.blocked ? (
        <p class="notice">{props.blocked}</p>
      ) : (
        <form method="post" action={commentHref(c.id, "reply", props.back)} class="mod-form">
          <CsrfField ctx={ctx} />
          <Field
            id="reply-body"
            label="Your reply"
            hint={`Published at once under the comment, in your name (${ctx.caller?.name ?? "your account's"}).${
              c.status === "held" ? " Replying approves the comment too." : ""
            }`}
            error={form.errors.body}
          >
            <textarea {...controlProps("reply-body", "body", form, true)} rows={8} required>
              {`\n${form.values.body ?? ""}`}
            </textarea>
          </Field>
          <button type="submit">Publish the reply</button>
        </form>
      )}
    </Layout>
  );
}

const LOG_ACTIONS: Record<LogEntry["action"], string> = {
  approve: "Approved",
  hold: "Unapproved (held)",
  spam: "Marked as spam",
  trash: "Moved to the trash",
  restore: "Restored",
  reply: "Replied to",
  edit: "Edited",
  erase: "Erased",
};

export interface HistoryProps extends OneCommentProps {
  log: LogEntry[];
  /** The public permalink of a reply named in the log, when it is shown there. */
  replyLink: (id: string) => string | null;
}

export function HistoryPage(props: HistoryProps) {
  const { comment: c, timeZone } = props;
  return (
    <Layout ctx={props.ctx} title={`History of the comment by ${c.name}`}>
      <h1>History of the comment by {c.name}</h1>
      <BackLink back={props.back} id={c.id} />
      <CommentFacts c={c} timeZone={timeZone} link={props.link} />
      <p>
        Now: <span class={`mod-status mod-status-${c.status}`}>{STATUS_TEXT[c.status]}</span>
      </p>
      <Reasons reasons={c.reasons} />
      <CommentText html={c.html} />
      <h2>What moderators did</h2>
      {props.log.length === 0 ? (
        <p>
          Nothing yet: the comment is as the rules left it when it arrived (
          {c.status === "approved" ? "shown at once" : STATUS_TEXT[c.status].toLowerCase()}).
        </p>
      ) : (
        <TableWrap class="mod-log-wrap" label="The moderation log">
          <table class="mod-log">
            <caption class="visually-hidden">What moderators did to this comment, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Who</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {props.log.map((e, i) => {
                const reply = e.action === "reply" && e.note ? props.replyLink(e.note) : null;
                return (
                  <tr key={i}>
                    <td class="nowrap">
                      <time dateTime={e.at}>{formatDateTime(e.at, timeZone)}</time>
                    </td>
                    <th scope="row">{LOG_ACTIONS[e.action] ?? e.action}</th>
                    <td>{e.actor ? e.actor.name : "The commenter, by the erasure link mailed to them"}</td>
                    <td>
                      {e.action === "reply" && e.note ? (
                        reply ? (
                          <a href={reply}>the reply</a>
                        ) : (
                          <span>reply {e.note}</span>
                        )
                      ) : (
                        (e.note ?? "")
                      )}
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

// ---- the site's settings --------------------------------------------------------------------

/** The settings form's fields, as typed (numbers and word lists as text). */
export const SETTINGS_FIELDS = [
  "hold",
  "holdLinks",
  "holdWords",
  "spamWords",
  "minFillSeconds",
  "perIpCount",
  "perIpMinutes",
  "perEmailCount",
  "perEmailMinutes",
  "maxDepth",
  "closeAfterDays",
  "ipRetentionDays",
] as const;
export type SettingsField = (typeof SETTINGS_FIELDS)[number];

export interface SettingsPageProps {
  ctx: PageContext;
  /** Values by SETTINGS_FIELDS; errors by setting (`perIp` for both of its fields). */
  form: FormState;
  notice: string | null;
}

const HOLD_CHOICES = [
  { value: "all", label: "Every comment" },
  {
    value: "first-time",
    label: "First-time commenters only (an address with an approved comment is trusted)",
  },
  { value: "none", label: "None (the other rules still apply)" },
] as const;

function NumberField(props: {
  id: string;
  name: SettingsField;
  label: string;
  hint: string;
  form: FormState;
}) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.form.errors[props.name]}>
      <input
        {...controlProps(props.id, props.name, props.form, true)}
        type="text"
        inputMode="numeric"
        autocomplete="off"
        class="mod-number"
        value={props.form.values[props.name] ?? ""}
      />
    </Field>
  );
}

/** A rate limit: a count and a window, both or neither; one message for the pair. */
function RateLimitFields(props: {
  prefix: "perIp" | "perEmail";
  legend: string;
  hint: string;
  form: FormState;
}) {
  const { prefix, form } = props;
  const error = form.errors[prefix];
  const ids = { count: `settings-${prefix}-count`, minutes: `settings-${prefix}-minutes` };
  const describedBy = [`settings-${prefix}-hint`, error ? `settings-${prefix}-error` : null]
    .filter(Boolean)
    .join(" ");
  const control = (id: string, name: SettingsField) => ({
    id,
    name,
    inputMode: "numeric" as const,
    autocomplete: "off",
    class: "mod-number",
    value: form.values[name] ?? "",
    "aria-invalid": error ? ("true" as const) : undefined,
    "aria-describedby": describedBy,
  });
  return (
    <fieldset class="mod-pair">
      <legend>{props.legend}</legend>
      <span class="hint" id={`settings-${prefix}-hint`}>
        {props.hint}
      </span>
      <div class="mod-pair-row">
        <div class="field">
          <label for={ids.count}>Comments</label>
          <input type="text" {...control(ids.count, `${prefix}Count`)} />
        </div>
        <div class="field">
          <label for={ids.minutes}>Window (minutes)</label>
          <input type="text" {...control(ids.minutes, `${prefix}Minutes`)} />
        </div>
      </div>
      {error ? (
        <span class="error" id={`settings-${prefix}-error`}>
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}

export function SettingsPage(props: SettingsPageProps) {
  const { form, ctx } = props;
  const v = form.values;
  return (
    <Layout ctx={ctx} title="Moderation settings">
      <h1>Moderation settings</h1>
      <p class="muted">
        The rules every comment on this site goes through, for every organization's posts.{" "}
        <a href={QUEUE_PATH}>The moderation queue</a>
      </p>
      <Notice text={props.notice} />
      <FormSummary form={form} id="settings-form-error" />
      <form method="post" action={SETTINGS_PATH} class="mod-form mod-settings">
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>Which comments wait for a moderator</legend>
          <Field
            id="settings-hold"
            label="Hold for moderation"
            hint="Held comments are shown once a moderator approves them; their writers are told they await moderation."
            error={form.errors.hold}
          >
            <select {...controlProps("settings-hold", "hold", form, true)}>
              {HOLD_CHOICES.map((c) => (
                <option key={c.value} value={c.value} selected={v.hold === c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </Field>
          <NumberField
            id="settings-holdLinks"
            name="holdLinks"
            label="Hold a comment with this many links or more"
            hint="Empty: never hold a comment for its links."
            form={form}
          />
          <Field
            id="settings-holdWords"
            label="Words that hold a comment"
            hint="One word or phrase per line; a comment that contains one waits for a moderator."
            error={form.errors.holdWords}
          >
            <textarea {...controlProps("settings-holdWords", "holdWords", form, true)} rows={5}>
              {`\n${v.holdWords ?? ""}`}
            </textarea>
          </Field>
          <Field
            id="settings-spamWords"
            label="Words that mark a comment as spam"
            hint="One word or phrase per line; such a comment goes to the spam tab, and its writer is told it awaits moderation."
            error={form.errors.spamWords}
          >
            <textarea {...controlProps("settings-spamWords", "spamWords", form, true)} rows={5}>
              {`\n${v.spamWords ?? ""}`}
            </textarea>
          </Field>
        </fieldset>
        <fieldset>
          <legend>Against bots and floods</legend>
          <NumberField
            id="settings-minFillSeconds"
            name="minFillSeconds"
            label="Minimum seconds to fill in the form"
            hint="A form sent back faster is refused; 0 turns the check off."
            form={form}
          />
          <RateLimitFields
            prefix="perIp"
            legend="Comments per IP address"
            hint="At most this many comments from one address (an IPv6 /64) in the window. Both empty: no limit."
            form={form}
          />
          <RateLimitFields
            prefix="perEmail"
            legend="Comments per email address"
            hint="At most this many comments from one email address in the window. Both empty: no limit."
            form={form}
          />
        </fieldset>
        <fieldset>
          <legend>Threads</legend>
          <NumberField
            id="settings-maxDepth"
            name="maxDepth"
            label="How deep replies nest"
            hint="1 allows no replies; 5 allows a reply to a reply, four levels down."
            form={form}
          />
          <NumberField
            id="settings-closeAfterDays"
            name="closeAfterDays"
            label="Close comments this many days after a post is published"
            hint="Empty: comments never close by themselves (an editor may still close a post's)."
            form={form}
          />
        </fieldset>
        <fieldset>
          <legend>Privacy</legend>
          <NumberField
            id="settings-ipRetentionDays"
            name="ipRetentionDays"
            label="Days to keep commenters' hashed IP addresses"
            hint="At least 7, the longest rate-limit window. After that no stored hash can be tied to an address."
            form={form}
          />
        </fieldset>
        <button type="submit">Save the settings</button>
      </form>
    </Layout>
  );
}
