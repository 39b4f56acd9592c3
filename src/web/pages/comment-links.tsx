import { plural } from "../format.ts";
import { CsrfField, Layout } from "../layout.tsx";
import type { PageContext } from "../page-context.ts";
import { type FormState, FormSummary, Notice } from "./account.tsx";

/**
 * The pages a commenter reaches from a mail, with no account: stop mails about replies to one
 * comment, erase their comments, and ask for either link by address. Each one that acts does so
 * only on a button press (a POST): mail scanners follow every link in a mail, and a GET must
 * never unsubscribe or erase anything. None shows a commenter's address, or says whether an
 * address left any comment here.
 */

export const UNSUBSCRIBE_PATH = "/comments/unsubscribe";
export const ERASE_PATH = "/comments/erase";
export const PRIVACY_PATH = "/comments/privacy";

/** The one answer to every privacy request, whatever the address: it tells nothing about it. */
export const PRIVACY_ANSWER =
  "If this address has left comments here, a link is on its way to it; it works for 24 hours.";

/** The form of a mailed link: the token in a hidden field, and the session's token for a signed-in reader. */
function LinkForm(props: {
  ctx: PageContext;
  action: string;
  token: string;
  button: string;
  danger?: boolean;
}) {
  return (
    <form method="post" action={props.action} class="mail-link-form">
      <CsrfField ctx={props.ctx} />
      <input type="hidden" name="token" value={props.token} />
      <button type="submit" class={props.danger ? "danger" : undefined}>
        {props.button}
      </button>
    </form>
  );
}

export function UnsubscribePage(props: { ctx: PageContext; token: string; done: boolean }) {
  if (props.done) {
    return (
      <Layout ctx={props.ctx} title="Unsubscribed" index={false}>
        <h1>Unsubscribed</h1>
        <p class="success" role="status">
          Done: no more mails about replies to that comment.
        </p>
        <p>
          Your other comments, and any you leave later, are not affected: each asks for its own mails.{" "}
          <a href={PRIVACY_PATH}>A copy of your comments, or their erasure</a>
        </p>
      </Layout>
    );
  }
  return (
    <Layout ctx={props.ctx} title="Stop mails about replies" index={false}>
      <h1>Stop mails about replies to your comment?</h1>
      <p>
        You asked to be mailed when someone replies to a comment you left here. Press the button to stop those
        mails; nothing changes until you do.
      </p>
      <LinkForm ctx={props.ctx} action={UNSUBSCRIBE_PATH} token={props.token} button="Stop these mails" />
    </Layout>
  );
}

export function ErasePage(props: {
  ctx: PageContext;
  token: string;
  result: { deleted: number; emptied: number } | null;
}) {
  const { result } = props;
  if (result) {
    const none = result.deleted + result.emptied === 0;
    return (
      <Layout ctx={props.ctx} title="Comments erased" index={false}>
        <h1>{none ? "Nothing left to erase" : "Your comments are erased"}</h1>
        {none ? (
          <p class="notice" role="status">
            No comment was left with this address any more: they were erased already.
          </p>
        ) : (
          <div class="success" role="status">
            <p>Done.</p>
            <ul>
              <li>{plural(result.deleted, "comment")} deleted.</li>
              <li>
                {plural(result.emptied, "comment")} emptied: others replied to{" "}
                {result.emptied === 1 ? "it" : "them"}, so {result.emptied === 1 ? "it stays" : "they stay"}{" "}
                as an empty place in the thread, without text, name, address or website.
              </li>
            </ul>
          </div>
        )}
      </Layout>
    );
  }
  return (
    <Layout ctx={props.ctx} title="Erase your comments" index={false}>
      <h1>Erase your comments?</h1>
      <p>Pressing the button erases every comment left here with the address this link was mailed to:</p>
      <ul>
        <li>a comment nobody replied to is deleted;</li>
        <li>
          a comment others replied to is emptied: it stays as an empty place in its thread (“This comment was
          removed”) so that the replies still read as answers, but its text, your name, your address and your
          website are gone.
        </li>
      </ul>
      <p>This cannot be undone. Nothing happens until you press the button.</p>
      <LinkForm ctx={props.ctx} action={ERASE_PATH} token={props.token} button="Erase my comments" danger />
    </Layout>
  );
}

export interface PrivacyPageProps {
  ctx: PageContext;
  /** Values `email` and `kind` ("export" or "erase"). */
  form: FormState;
  /** After a request: the one answer, whatever the address. */
  sent: boolean;
}

export function PrivacyPage(props: PrivacyPageProps) {
  const { form, ctx } = props;
  const emailError = form.errors.email;
  const kindError = form.errors.kind;
  const kind = form.values.kind ?? "";
  return (
    <Layout ctx={ctx} title="A copy of your comments, or their erasure" index={false}>
      <h1>A copy of your comments, or their erasure</h1>
      <p>
        Give the email address you left your comments with. We mail a link to it: only someone who reads that
        mailbox can download the comments or erase them.
      </p>
      <Notice text={props.sent ? PRIVACY_ANSWER : null} />
      <FormSummary form={form} id="privacy-form-error" />
      <form method="post" action={PRIVACY_PATH} class="mod-form privacy-form" novalidate>
        <CsrfField ctx={ctx} />
        <div class="field">
          <label for="privacy-email">Email address</label>
          <input
            id="privacy-email"
            name="email"
            type="email"
            autocomplete="email"
            maxLength={254}
            required
            value={form.values.email ?? ""}
            aria-invalid={emailError ? "true" : undefined}
            aria-describedby={emailError ? "privacy-email-error" : undefined}
          />
          {emailError ? (
            <span class="error" id="privacy-email-error">
              {emailError}
            </span>
          ) : null}
        </div>
        <fieldset class="privacy-kind">
          <legend>What should the link do?</legend>
          <div class="privacy-choice">
            <input
              id="privacy-export"
              name="kind"
              type="radio"
              value="export"
              checked={kind === "export"}
              aria-describedby={kindError ? "privacy-kind-error" : undefined}
            />
            <label for="privacy-export">Send me a copy of my comments</label>
          </div>
          <div class="privacy-choice">
            <input
              id="privacy-erase"
              name="kind"
              type="radio"
              value="erase"
              checked={kind === "erase"}
              aria-describedby={kindError ? "privacy-kind-error" : undefined}
            />
            <label for="privacy-erase">Erase my comments</label>
          </div>
          {kindError ? (
            <span class="error" id="privacy-kind-error">
              {kindError}
            </span>
          ) : null}
        </fieldset>
        <button type="submit">Mail me the link</button>
      </form>
    </Layout>
  );
}
