import type { ComponentChildren } from "preact";
import type { Role, TokenScope } from "../../app/accounts.ts";
import { formatDateTime } from "../format.ts";
import { CsrfField, Layout } from "../layout.tsx";
import type { PageContext } from "../page-context.ts";
import { TableWrap } from "../table-wrap.tsx";

/** A form sent back with what was wrong: messages per field, and one summary with its code. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  summary?: { code: string; message: string };
}

export interface TokenRow {
  id: string;
  name: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AccountPageProps {
  ctx: PageContext;
  account: { name: string; email: string; operator: boolean };
  memberships: { org: string; orgName: string; role: Role; manages: boolean }[];
  disputes: { slug: string; title: string; side: string }[];
  tokens: TokenRow[];
  /** What the last change did (after its redirect). */
  notice: string | null;
  tokenForm?: FormState;
  passwordForm?: FormState;
}

/** Account pages are about no dispute: their instants are shown in UTC, and say so. */
export const ACCOUNT_TIME_ZONE = "UTC";

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  negotiator: "Negotiator",
  member: "Member",
};

export const ROLE_HINTS: Record<Role, string> = {
  admin: "manages the organization's members and their tokens",
  negotiator: "records the organization's moves and reads its private notes",
  member: "reads what the organization's members may read",
};

export const SCOPE_LABELS: Record<TokenScope, string> = {
  api: "API",
  calendar: "Calendar",
};

/** The ids a control points at with aria-describedby: its hint, then its error. */
export function describedBy(id: string, hint: boolean, error: boolean): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** A labelled control with its hint and its error message next to it. */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.children}
      {props.error ? (
        <span class="error" id={`${props.id}-error`}>
          {props.error}
        </span>
      ) : null}
    </div>
  );
}

/** The props of an input of a Field: its id, name, invalid state and description. */
export function controlProps(id: string, name: string, form: FormState | undefined, hint = false) {
  const error = form?.errors[name];
  return {
    id,
    name,
    "aria-invalid": error ? ("true" as const) : undefined,
    "aria-describedby": describedBy(id, hint, Boolean(error)),
  };
}

/** The summary of a refused form, announced when the page comes back. */
export function FormSummary({ form, id }: { form: FormState | undefined; id: string }) {
  if (!form?.summary) return null;
  return (
    <p class="form-error" role="alert" id={id}>
      {form.summary.message} <code>{form.summary.code}</code>
    </p>
  );
}

export function Notice({ text }: { text: string | null }) {
  return text ? (
    <p class="success" role="status">
      {text}
    </p>
  ) : null;
}

function when(instant: string | null): string {
  return instant ? formatDateTime(instant, ACCOUNT_TIME_ZONE) : "never";
}

/**
 * A table of personal tokens, never their secrets. `revokeAction` gives each live token's
 * revoke form its address; `label` names the owner for screen readers ("your", a member's).
 */
export function TokenTable(props: {
  ctx: PageContext;
  tokens: TokenRow[];
  caption: string;
  revokeAction: (token: TokenRow) => string;
}) {
  return (
    <TableWrap class="account-table-wrap" label={props.caption}>
      <table class="token-table">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scope</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.tokens.map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.name}</th>
              <td>{SCOPE_LABELS[t.scope]}</td>
              <td class="nowrap">{when(t.createdAt)}</td>
              <td class="nowrap">{when(t.lastUsedAt)}</td>
              <td>
                {t.revokedAt ? (
                  <span class="token-revoked nowrap">Revoked {when(t.revokedAt)}</span>
                ) : (
                  <form method="post" action={props.revokeAction(t)} class="inline-form">
                    <CsrfField ctx={props.ctx} />
                    <span class="token-active">Active</span>{" "}
                    <button type="submit" class="danger">
                      Revoke<span class="visually-hidden"> the token {t.name}</span>
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function TokenForm({ ctx, form }: { ctx: PageContext; form: FormState | undefined }) {
  const scope = form?.values.scope === "calendar" ? "calendar" : "api";
  return (
    <form method="post" action="/account/tokens" class="account-form" aria-labelledby="new-token-heading">
      <h3 id="new-token-heading">Create a token</h3>
      <FormSummary form={form} id="token-form-error" />
      <CsrfField ctx={ctx} />
      <Field
        id="token-name"
        label="Name"
        hint="What it is for, such as a script or a calendar app."
        error={form?.errors.name}
      >
        <input
          {...controlProps("token-name", "name", form, true)}
          type="text"
          maxLength={100}
          required
          value={form?.values.name ?? ""}
        />
      </Field>
      <Field
        id="token-scope"
        label="Scope"
        hint="An API token acts as you in scripts; a calendar key only reads your calendar feeds."
        error={form?.errors.scope}
      >
        <select {...controlProps("token-scope", "scope", form, true)}>
          <option value="api" selected={scope === "api"}>
            API
          </option>
          <option value="calendar" selected={scope === "calendar"}>
            Calendar
          </option>
        </select>
      </Field>
      <button type="submit">Create token</button>
    </form>
  );
}

function PasswordForm({ ctx, form }: { ctx: PageContext; form: FormState | undefined }) {
  return (
    <form method="post" action="/account/password" class="account-form" aria-labelledby="password-heading">
      <h2 id="password-heading">Change your password</h2>
      <p class="muted">Every other session of yours is signed out; this one stays signed in.</p>
      <FormSummary form={form} id="password-form-error" />
      <CsrfField ctx={ctx} />
      {/* For password managers: the account the new password belongs to. */}
      <input type="hidden" name="username" autocomplete="username" value={ctx.caller?.email ?? ""} />
      <Field id="password-current" label="Current password" error={form?.errors.current}>
        <input
          {...controlProps("password-current", "current", form)}
          type="password"
          autocomplete="current-password"
          required
        />
      </Field>
      <Field id="password-next" label="New password" hint="At least 12 characters." error={form?.errors.next}>
        <input
          {...controlProps("password-next", "next", form, true)}
          type="password"
          autocomplete="new-password"
          minLength={12}
          required
        />
      </Field>
      <Field id="password-confirm" label="New password again" error={form?.errors.confirm}>
        <input
          {...controlProps("password-confirm", "confirm", form)}
          type="password"
          autocomplete="new-password"
          required
        />
      </Field>
      <button type="submit">Change password</button>
    </form>
  );
}

/** One's own account: who, where, which disputes, personal tokens and the password. */
export function AccountPage(props: AccountPageProps) {
  const { ctx, account } = props;
  const live = props.tokens.filter((t) => !t.revokedAt);
  return (
    <Layout ctx={ctx} title="Your account">
      <h1>Your account</h1>
      <Notice text={props.notice} />
      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <dl class="account-facts">
          <dt>Name</dt>
          <dd>{account.name}</dd>
          <dt>Email</dt>
          <dd>{account.email}</dd>
          {account.operator ? (
            <>
              <dt>Server</dt>
              <dd>You are an operator of this server: you may manage any organization's members.</dd>
            </>
          ) : null}
        </dl>
      </section>

      <section aria-labelledby="memberships-heading">
        <h2 id="memberships-heading">Organizations</h2>
        {props.memberships.length === 0 ? (
          <p>You belong to no organization.</p>
        ) : (
          <TableWrap label="Your organizations">
            <table>
              <caption class="visually-hidden">Your organizations and your role in each</caption>
              <thead>
                <tr>
                  <th scope="col">Organization</th>
                  <th scope="col">Your role</th>
                  <th scope="col">Members</th>
                </tr>
              </thead>
              <tbody>
                {props.memberships.map((m) => (
                  <tr key={m.org}>
                    <th scope="row">{m.orgName}</th>
                    <td>
                      {ROLE_LABELS[m.role]} <span class="muted">({ROLE_HINTS[m.role]})</span>
                    </td>
                    <td>
                      {m.manages ? (
                        <a href={`/orgs/${encodeURIComponent(m.org)}/members`}>
                          Manage members<span class="visually-hidden"> of {m.orgName}</span>
                        </a>
                      ) : (
                        <span class="muted">Managed by its admins</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      <section aria-labelledby="disputes-heading">
        <h2 id="disputes-heading">Your disputes</h2>
        {props.disputes.length === 0 ? (
          <p>
            None of your organizations sits at a dispute's table here. <a href="/workspace">All disputes</a>
          </p>
        ) : (
          <ul class="account-disputes">
            {props.disputes.map((d) => (
              <li key={d.slug}>
                <a href={`/d/${encodeURIComponent(d.slug)}`}>{d.title}</a>
                <span class="muted"> · on the side of {d.side}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Personal tokens</h2>
        <p class="muted">
          A token lets a script (API) or a calendar app (calendar key) act for you without your password.
          Times are in {ACCOUNT_TIME_ZONE}. Revoke a token you no longer use or that may have leaked.
        </p>
        {props.tokens.length === 0 ? (
          <p>You have no tokens.</p>
        ) : (
          <TokenTable
            ctx={ctx}
            tokens={props.tokens}
            caption={`Your tokens (${live.length} active)`}
            revokeAction={(t) => `/account/tokens/${encodeURIComponent(t.id)}/revoke`}
          />
        )}
        <TokenForm ctx={ctx} form={props.tokenForm} />
      </section>

      <section>
        <PasswordForm ctx={ctx} form={props.passwordForm} />
      </section>
    </Layout>
  );
}

/** The one page that shows a new token's secret: answered to the POST, never behind a redirect. */
export function TokenCreatedPage(props: {
  ctx: PageContext;
  token: { id: string; name: string; scope: TokenScope; token: string };
  calendarUrls: { title: string; url: string }[];
}) {
  const { token } = props;
  return (
    <Layout ctx={props.ctx} title="Token created">
      <h1>Token created: {token.name}</h1>
      <p class="notice" id="secret-note">
        <strong>Copy it now.</strong> This is the only time Parley shows this{" "}
        {token.scope === "api" ? "API token" : "calendar key"}: it keeps only a fingerprint of it. If you lose
        it, revoke it and create another.
      </p>
      <div class="field">
        <label for="token-secret">Your new {token.scope === "api" ? "API token" : "calendar key"}</label>
        <textarea
          id="token-secret"
          class="token-secret"
          rows={2}
          readOnly
          aria-describedby="secret-note"
          autocomplete="off"
          spellcheck={false}
          value={token.token}
        />
      </div>
      {token.scope === "api" ? (
        <p>
          Send it with each request as <code>Authorization: Bearer</code> followed by the token. See the{" "}
          <a href="/api/docs">API reference</a>.
        </p>
      ) : (
        <>
          <p>
            Add it as the <code>key</code> parameter of a calendar address. Calendar apps subscribe by address
            alone, so the address holds the key: share it with no one.
          </p>
          {props.calendarUrls.length > 0 ? (
            <>
              <h2>Calendar addresses of your disputes</h2>
              <ul class="calendar-urls">
                {props.calendarUrls.map((c) => (
                  <li key={c.url}>
                    <span class="calendar-title">{c.title}</span>
                    <code class="token-secret">{c.url}</code>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
      <p>
        <a href="/account">Back to your account</a>
      </p>
    </Layout>
  );
}
