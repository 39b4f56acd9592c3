import { ROLES, type Role } from "../../app/accounts.ts";
import { formatDateTime } from "../format.ts";
import { CsrfField, Layout } from "../layout.tsx";
import type { PageContext } from "../page-context.ts";
import { TableWrap } from "../table-wrap.tsx";
import {
  ACCOUNT_TIME_ZONE,
  controlProps,
  Field,
  type FormState,
  FormSummary,
  Notice,
  ROLE_HINTS,
  ROLE_LABELS,
  type TokenRow,
  TokenTable,
} from "./account.tsx";

export interface MemberRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  since: string;
  /** The member is the one reading the page. */
  you: boolean;
}

export interface MembersPageProps {
  ctx: PageContext;
  org: { id: string; name: string; shortName: string };
  members: MemberRow[];
  /** Each member's tokens, for the organization's own admins; null for an operator from outside. */
  tokens: Record<string, TokenRow[]> | null;
  notice: string | null;
  addForm?: FormState;
  /** A refused change to one member (LAST_ADMIN, say), shown next to that member if `inRow`. */
  rowError?: { id: string; inRow: boolean; code: string; message: string };
}

function membersHref(org: string, path = ""): string {
  return `/orgs/${encodeURIComponent(org)}/members${path}`;
}

function RoleOptions({ selected }: { selected: string | undefined }) {
  return (
    <>
      {ROLES.map((r) => (
        <option key={r} value={r} selected={r === selected}>
          {ROLE_LABELS[r]}
        </option>
      ))}
    </>
  );
}

function MemberActions(props: {
  ctx: PageContext;
  org: string;
  m: MemberRow;
  error: { code: string; message: string } | null;
}) {
  const { m, org, ctx } = props;
  const id = `role-${m.id}`;
  const errorId = `member-${m.id}-error`;
  return (
    <td class="member-actions">
      <form method="post" action={membersHref(org, `/${encodeURIComponent(m.id)}/role`)} class="inline-form">
        <CsrfField ctx={ctx} />
        <label for={id} class="visually-hidden">
          Role of {m.name}
        </label>
        <select
          id={id}
          name="role"
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? errorId : undefined}
        >
          <RoleOptions selected={m.role} />
        </select>
        <button type="submit" class="secondary">
          Change role<span class="visually-hidden"> of {m.name}</span>
        </button>
      </form>
      <form
        method="post"
        action={membersHref(org, `/${encodeURIComponent(m.id)}/remove`)}
        class="inline-form"
      >
        <CsrfField ctx={ctx} />
        <button type="submit" class="danger">
          Remove<span class="visually-hidden"> {m.name} from the organization</span>
        </button>
      </form>
      {props.error ? (
        <p class="error member-error" id={errorId} role="alert">
          Not done: {props.error.message} <code>{props.error.code}</code>
        </p>
      ) : null}
    </td>
  );
}

function AddMemberForm({ ctx, org, form }: { ctx: PageContext; org: string; form: FormState | undefined }) {
  return (
    <form method="post" action={membersHref(org)} class="account-form" aria-labelledby="add-heading">
      <h2 id="add-heading">Add a member</h2>
      <p class="muted">
        Someone who already has an account here joins with it: give their email and a role. For someone new,
        also give their name and a first password, which they should change after signing in.
      </p>
      <FormSummary form={form} id="add-form-error" />
      <CsrfField ctx={ctx} />
      <Field id="add-email" label="Email" error={form?.errors.email}>
        <input
          {...controlProps("add-email", "email", form)}
          type="email"
          autocomplete="off"
          maxLength={254}
          required
          value={form?.values.email ?? ""}
        />
      </Field>
      <Field id="add-role" label="Role" hint={roleHint()} error={form?.errors.role}>
        <select {...controlProps("add-role", "role", form, true)} required>
          <RoleOptions selected={form?.values.role || "member"} />
        </select>
      </Field>
      <Field id="add-name" label="Name (new account only)" error={form?.errors.name}>
        <input
          {...controlProps("add-name", "name", form)}
          type="text"
          autocomplete="off"
          maxLength={200}
          value={form?.values.name ?? ""}
        />
      </Field>
      <Field
        id="add-password"
        label="First password (new account only)"
        hint="At least 12 characters."
        error={form?.errors.password}
      >
        <input
          {...controlProps("add-password", "password", form, true)}
          type="password"
          autocomplete="new-password"
          minLength={12}
        />
      </Field>
      <button type="submit">Add member</button>
    </form>
  );
}

function roleHint(): string {
  return ROLES.map((r) => `${ROLE_LABELS[r]}: ${ROLE_HINTS[r]}`)
    .join(". ")
    .concat(".");
}

/** An organization's members, for its admins (and the server's operators). */
export function MembersPage(props: MembersPageProps) {
  const { ctx, org, rowError } = props;
  const rowErrorShown = rowError?.inRow === true && props.members.some((m) => m.id === rowError.id);
  const admins = props.members.filter((m) => m.role === "admin").length;
  return (
    <Layout ctx={ctx} title={`Members of ${org.shortName}`}>
      <h1>Members of {org.name}</h1>
      <p>
        <a href="/account">Your account</a>
      </p>
      <Notice text={props.notice} />
      {rowError && !rowErrorShown ? (
        <p class="form-error" role="alert">
          Not done: {rowError.message} <code>{rowError.code}</code>
        </p>
      ) : null}

      <section aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <p class="muted">
          {props.members.length} {props.members.length === 1 ? "member" : "members"}, {admins}{" "}
          {admins === 1 ? "admin" : "admins"}. An organization keeps at least one admin.
        </p>
        <TableWrap class="account-table-wrap" label={`Members of ${org.name}`}>
          <table class="members-table">
            <caption class="visually-hidden">Members of {org.name}, their roles and what to change</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {props.members.map((m) => (
                <tr key={m.id}>
                  <th scope="row">
                    {m.name}
                    {m.you ? <span class="muted"> (you)</span> : null}
                  </th>
                  <td>{m.email}</td>
                  <td>
                    {ROLE_LABELS[m.role]}
                    <div class="muted nowrap">since {formatDateTime(m.since, ACCOUNT_TIME_ZONE)}</div>
                  </td>
                  <MemberActions
                    ctx={ctx}
                    org={org.id}
                    m={m}
                    error={rowErrorShown && rowError?.id === m.id ? rowError : null}
                  />
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>

      {props.tokens ? (
        <section aria-labelledby="member-tokens-heading">
          <h2 id="member-tokens-heading">Members' tokens</h2>
          <p class="muted">
            The personal tokens each member holds (never their secrets). Revoke one that leaked or that a
            script no longer needs. Times are in {ACCOUNT_TIME_ZONE}.
          </p>
          {props.members.every((m) => (props.tokens?.[m.id] ?? []).length === 0) ? (
            <p>No member holds a token.</p>
          ) : (
            props.members.map((m) => {
              const tokens = props.tokens?.[m.id] ?? [];
              if (tokens.length === 0) return null;
              return (
                <TokenTable
                  key={m.id}
                  ctx={ctx}
                  tokens={tokens}
                  caption={`Tokens of ${m.name} (${m.email})`}
                  revokeAction={(t) =>
                    membersHref(
                      org.id,
                      `/${encodeURIComponent(m.id)}/tokens/${encodeURIComponent(t.id)}/revoke`,
                    )
                  }
                />
              );
            })
          )}
        </section>
      ) : (
        <p class="muted">Members' tokens are shown to the organization's own admins only.</p>
      )}

      <section>
        <AddMemberForm ctx={ctx} org={org.id} form={props.addForm} />
      </section>
    </Layout>
  );
}
