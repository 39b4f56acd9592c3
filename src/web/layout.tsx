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

/** The query parameter that carries the day: the public site's spelling, or the workspace's. */
export function dayKey(frame: { public: boolean }): string {
  return frame.public ? "as-of" : "asOf";
}

/** Where a dispute's pages live: /disputes/… on the public site, /d/… in the workspace. */
export function disputeBase(frame: { slug: string; public: boolean }): string {
  return `${frame.public ? "/disputes" : "/d"}/${encodeURIComponent(frame.slug)}`;
}

/** A link within a dispute that keeps the day the reader travelled to. */
export function disputeHref(frame: DisputeFrame, path: string, query: Record<string, string> = {}): string {
  const params = new URLSearchParams(query);
  const key = dayKey(frame);
  if (frame.asOf && !params.has(key)) params.set(key, frame.asOf);
  const q = params.toString();
  return `${disputeBase(frame)}${path}${q ? `?${q}` : ""}`;
}

/** Whether the reader records moves for some organization (the "Record a move" tab is theirs). */
function records(ctx: PageContext): boolean {
  return ctx.caller?.memberships.some((m) => m.role === "negotiator") ?? false;
}

export function CsrfField(props: { ctx: PageContext }) {
  return props.ctx.csrf ? <input type="hidden" name="_csrf" value={props.ctx.csrf} /> : null;
}

function AccountMenu({ ctx, frame }: { ctx: PageContext; frame?: DisputeFrame | undefined }) {
  if (ctx.public) {
    // The same link for every reader (the page is cached): to the workspace, which asks
    // whoever is not signed in to sign in first.
    const workspace = frame ? `/d/${encodeURIComponent(frame.slug)}` : "/workspace";
    return (
      <div class="account-menu">
        <a href="/news">News</a>
        <a class="button" href={workspace}>
          Workspace
        </a>
      </div>
    );
  }
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
      {ctx.caller.operator || ctx.caller.memberships.length > 0 ? <a href="/posts">Posts</a> : null}
      {ctx.caller.operator ||
      ctx.caller.memberships.some((m) => m.role === "admin" || m.role === "negotiator") ? (
        <a href="/moderation/comments">Moderation</a>
      ) : null}
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
    ([k]) => k !== "asOf" && k !== "as-of" && k !== "after",
  );
  return (
    <Island name="time-travel" class="time-travel" data={{ ...frame, path, key: dayKey(frame) }}>
      <form method="get" action={path} class="time-travel-form">
        {kept.map(([k, v], i) => (
          <input key={`${k}-${i}`} type="hidden" name={k} value={v} />
        ))}
        <label for="as-of">As of</label>
        <input
          id="as-of"
          type="date"
          name={dayKey(frame)}
          min={frame.firstDate}
          max={frame.today}
          value={frame.asOf ?? frame.today}
        />
        <button type="submit">Show</button>
        {frame.asOf ? (
          <a href={path}>Back to today</a>
        ) : frame.public ? null : (
          <span class="live-badge" title="This page updates as entries are recorded">
            Live
          </span>
        )}
      </form>
    </Island>
  );
}

/**
 * The public site's head: the canonical address (the path without the reader's other
 * parameters, so a cache and a search engine see one page), social cards and feed links.
 */
function PublicMeta(props: {
  ctx: PageContext;
  title: string;
  frame?: DisputeFrame | undefined;
  description?: string | undefined;
}) {
  const { ctx, frame } = props;
  const path = ctx.url.split("?")[0] ?? "/";
  const day = frame?.asOf ? `?as-of=${frame.asOf}` : "";
  const canonical = `${ctx.origin}${path}${day}`;
  const feeds = frame ? `${disputeBase(frame)}/feed` : "/feed";
  const description =
    props.description ?? "The shared, signed record of a labor negotiation and the strike around it.";
  return (
    <>
      <meta name="description" content={description} />
      <link rel="canonical" href={canonical} />
      <link rel="alternate" type="application/atom+xml" title="Atom" href={`${feeds}.atom`} />
      <link rel="alternate" type="application/rss+xml" title="RSS" href={`${feeds}.rss`} />
      <meta property="og:site_name" content="Parley" />
      <meta property="og:type" content="website" />
      <meta property="og:title" content={props.title} />
      <meta property="og:description" content={description} />
      <meta property="og:url" content={canonical} />
      <meta name="twitter:card" content="summary" />
      <meta name="twitter:title" content={props.title} />
      <meta name="twitter:description" content={description} />
    </>
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
  /** What the page says, in a sentence, for search results and link previews (public pages). */
  description?: string;
  /** False for pages search engines should not keep (errors). */
  index?: boolean;
  children: ComponentChildren;
}) {
  const { ctx, frame } = props;
  const tabPath = props.tab === undefined ? "" : props.tab;
  const title = `${props.title} · Parley`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="icon" href="data:," />
        {ctx.public && props.index !== false ? (
          <PublicMeta ctx={ctx} title={title} frame={frame} description={props.description} />
        ) : null}
        {props.index === false ? <meta name="robots" content="noindex" /> : null}
        <link rel="stylesheet" href={ctx.assets.css} />
        <script type="module" src={ctx.assets.js} />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href={ctx.public || !ctx.caller ? "/" : "/workspace"}>
              Parley
            </a>
            {frame ? (
              <span class="dispute-name">
                <a href={disputeHref(frame, "")}>{frame.title}</a>
              </span>
            ) : null}
            <AccountMenu ctx={ctx} frame={frame} />
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
            <TimeTravel frame={frame} path={props.path ?? `${disputeBase(frame)}${tabPath}`} url={ctx.url} />
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
        {/* Public pages are cached and shared; live updates are the workspace's. */}
        {frame && !frame.asOf && !ctx.public ? <Island name="live" data={{ slug: frame.slug }} /> : null}
        <footer class="site-footer">
          <p>
            Every entry here is signed by the organization that recorded it and kept in an append-only Merkle
            log. <a href="/api/docs">API</a>
            {ctx.public ? (
              <>
                {" · "}
                <a href={frame ? `${disputeBase(frame)}/feed.atom` : "/feed.atom"}>Atom feed</a>
                {" · "}
                <a href={frame ? `${disputeBase(frame)}/feed.rss` : "/feed.rss"}>RSS feed</a>
                {frame ? (
                  <>
                    {" · "}
                    <a href={`${disputeBase(frame)}/calendar.ics`}>Meetings calendar</a>
                    {" · "}
                    <a href={`${disputeBase(frame)}/embed`}>Embed the counter</a>
                  </>
                ) : null}
              </>
            ) : null}
          </p>
        </footer>
      </body>
    </html>
  );
}
