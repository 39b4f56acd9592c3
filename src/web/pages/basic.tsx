import { Layout } from "../layout.tsx";
import type { PageContext } from "../page-context.ts";

/** An error as a page: the status, the stable code and what went wrong, never a stack. */
export function ErrorPage(props: { ctx: PageContext; status: number; code: string; message: string }) {
  const title =
    props.status === 404 ? "Not found" : props.status >= 500 ? "Something went wrong" : "Cannot do that";
  return (
    <Layout ctx={props.ctx} title={title} index={false}>
      <h1>{title}</h1>
      <p class="form-error" role="alert">
        {props.message} <code>{props.code}</code>
      </p>
      <p>
        <a href="/">Back to the disputes</a>
      </p>
    </Layout>
  );
}

export function HomePage(props: {
  ctx: PageContext;
  disputes: { slug: string; title: string; sides: string; entries: number }[];
}) {
  return (
    <Layout ctx={props.ctx} title="Your disputes">
      <h1>Your disputes</h1>
      <p class="muted">
        Each dispute is the shared, signed record of a negotiation: who sits at the table, each side's passes,
        whose move it is, the strike's day count. Here you see what your side may, and record its moves;{" "}
        <a href="/">the public site</a> shows what everyone may.
      </p>
      {props.disputes.length === 0 ? (
        <p>No dispute has been opened here yet.</p>
      ) : (
        <ul class="entries">
          {props.disputes.map((d) => (
            <li key={d.slug}>
              <a href={`/d/${encodeURIComponent(d.slug)}`}>
                <strong>{d.title}</strong>
              </a>
              <div class="muted">
                {d.sides} · {d.entries.toLocaleString("en-US")} entries you may see
              </div>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

export function SignInPage(props: { ctx: PageContext; next: string; email?: string; error?: string }) {
  return (
    <Layout ctx={props.ctx} title="Sign in">
      <h1>Sign in</h1>
      {props.error ? (
        <p class="form-error" role="alert" id="signin-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/signin" class="narrow">
        <input type="hidden" name="next" value={props.next} />
        <div class="field">
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={props.email ?? ""}
            aria-invalid={props.error ? "true" : undefined}
            aria-describedby={props.error ? "signin-error" : undefined}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            aria-invalid={props.error ? "true" : undefined}
          />
        </div>
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}
