import type { ComponentChildren } from "preact";
import { formatDate } from "./format.ts";
import { Island } from "./island.tsx";
import type { DisputeFrame, PageContext } from "./page-context.ts";

/** The tabs of a dispute's workspace, in the order a negotiator reaches for them. */
export const DISPUTE_TABS = [
  { path: "", label: "Dashboard" },
  { path: "/timeline", label: "Timeline" },
  { path: "/issues", label: "Issues" },
  { path: "/statements", label: "Statements" },
  { path: "/impact", label: "Impact" },
  { path: "/record", label: "Record a move" },
] as const;

/** A link within a dispute that keeps the day the reader travelled to. */
export function disputeHref(frame: DisputeFrame, path: string, query: Record<string, string> = {}): string {
  const params = new URLSearchParams(query);
  if (frame.asOf && !params.has("asOf")) params.set("asOf", frame.asOf);
  const q = params.toString();
  return `/d/${encodeURIComponent(frame.slug)}${path}${q ? `?${q}` : ""}`;
}

/** Whether the reader records moves for some organization (the "Record a move" tab is theirs). */
function records(ctx: PageContext): boolean {
  return ctx.caller?.memberships.some((m) => m.role === "negotiator") ?? false;
}

export function CsrfField(props: { ctx: PageContext }) {
  return props.ctx.csrf ? <input type="hidden" name="_csrf" value={props.ctx.csrf} /> : null;
}

function AccountMenu({ ctx }: { ctx: PageContext }) {
  if (!ctx.caller) {
    return (
      <div class="account-menu">
        <a class="button" href={`/signin?next=${encodeURIComponent(ctx.url)}`}>
          Sign in
        </a>
      </div>
    );
  }
  return (
    <div class="account-menu">
      <a href="/account">
        {ctx.caller.name}
        <span class="muted">
          {" "}
          ({ctx.caller.memberships.map((m) => `${m.org} ${m.role}`).join(", ") || "no organization"})
        </span>
      </a>
      <form method="post" action="/signout">
        <CsrfField ctx={ctx} />
        <button type="submit" class="link">
          Sign out
        </button>
      </form>
    </div>
  );
}

/**
 * The date control of time travel: a plain GET form (it works without JavaScript), which the
 * `time-travel` island adds a slider over the dispute's life to. The URL carries the day.
 */
function TimeTravel({ frame, path, url }: { frame: DisputeFrame; path: string; url: string }) {
  // The page's other parameters (a timeline's filters) go along; its paging cursor does not.
  const kept = [...new URLSearchParams(url.split("?")[1] ?? "")].filter(
    ([k]) => k !== "asOf" && k !== "after",
  );
  return (
    <Island name="time-travel" class="time-travel" data={{ ...frame, path }}>
      <form method="get" action={path} class="time-travel-form">
        {kept.map(([k, v], i) => (
          <input key={`${k}-${i}`} type="hidden" name={k} value={v} />
        ))}
        <label for="as-of">As of</label>
        <input
          id="as-of"
          type="date"
          name="asOf"
          min={frame.firstDate}
          max={frame.today}
          value={frame.asOf ?? frame.today}
        />
        <button type="submit">Show</button>
        {frame.asOf ? (
          <a href={path}>Back to today</a>
        ) : (
          <span class="live-badge" title="This page updates as entries are recorded">
            Live
          </span>
        )}
      </form>
    </Island>
  );
}

export function Layout(props: {
  ctx: PageContext;
  title: string;
  frame?: DisputeFrame;
  /** The tab of the dispute this page is (a DISPUTE_TABS path). */
  tab?: string;
  /** Where time travel goes from this page, when it is not the tab itself (an issue's page). */
  path?: string;
  children: ComponentChildren;
}) {
  const { ctx, frame } = props;
  const tabPath = props.tab === undefined ? "" : props.tab;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Parley`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={ctx.assets.css} />
        <script type="module" src={ctx.assets.js} />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">
              Parley
            </a>
            {frame ? (
              <span class="dispute-name">
                <a href={disputeHref(frame, "")}>{frame.title}</a>
              </span>
            ) : null}
            <AccountMenu ctx={ctx} />
          </div>
          {frame ? (
            <nav class="tabs" aria-label="Dispute">
              <ul>
                {DISPUTE_TABS.filter((t) => t.path !== "/record" || records(ctx)).map((t) => (
                  <li key={t.path}>
                    <a
                      href={disputeHref(frame, t.path)}
                      aria-current={t.path === tabPath ? "page" : undefined}
                    >
                      {t.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          {frame ? (
            <TimeTravel frame={frame} path={props.path ?? `/d/${frame.slug}${tabPath}`} url={ctx.url} />
          ) : null}
          {frame?.asOf ? (
            <p class="as-of-banner" role="status">
              You are looking at the record as it stood at the end of {formatDate(frame.asOf)} (
              {frame.timeZone}).
            </p>
          ) : null}
        </header>
        <main id="main" tabIndex={-1}>
          {props.children}
        </main>
        {frame && !frame.asOf ? <Island name="live" data={{ slug: frame.slug }} /> : null}
        <footer class="site-footer">
          <p>
            Every entry here is signed by the organization that recorded it and kept in an append-only Merkle
            log. <a href="/api/docs">API</a>
          </p>
        </footer>
      </body>
    </html>
  );
}
