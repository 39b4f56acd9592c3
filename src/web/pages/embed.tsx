import type { Status } from "../../domain/status.ts";
import { formatDay, plural } from "../format.ts";
import type { PageContext } from "../page-context.ts";

/** The address other sites frame, and the markup they paste to do it. */
export function embedSnippet(origin: string, slug: string, title: string): string {
  const src = `${origin}/disputes/${encodeURIComponent(slug)}/embed`;
  const safeTitle = title.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<iframe src="${src}" title="${safeTitle}: day count and whose move" width="360" height="220" style="border:0" loading="lazy"></iframe>`;
}

/** Whose move, per side: how many and since when the oldest. */
function owedBySide(moves: Status["moves"]): { side: string; count: number; since: string }[] {
  const by = new Map<string, { side: string; count: number; since: string }>();
  for (const m of moves) {
    const o = by.get(m.awaiting) ?? { side: m.awaiting, count: 0, since: m.since };
    o.count += 1;
    if (m.since < o.since) o.since = m.since;
    by.set(m.awaiting, o);
  }
  return [...by.values()];
}

/**
 * The widget another site frames: the stoppage's day counter and whose move, in a small
 * script-free page. Links open the full record in a new tab rather than inside the frame.
 */
export function EmbedPage(props: { ctx: PageContext; status: Status }) {
  const { status, ctx } = props;
  const tz = status.timeZone;
  const running = status.stoppages.filter((s) => s.end === null && s.day !== null);
  const href = `${ctx.origin}/disputes/${encodeURIComponent(status.dispute)}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${status.title} · Parley`}</title>
        <link rel="stylesheet" href={ctx.assets.css} />
      </head>
      <body class="embed">
        <main>
          <p class="embed-title">
            <a href={href} target="_blank" rel="noopener">
              {status.title}
            </a>
          </p>
          {running.length === 0 ? (
            <p>No stoppage is running.</p>
          ) : (
            <ul class="embed-counters">
              {running.map((s) => (
                <li key={`${s.dispute}-${s.id}`}>
                  <strong class="counter-inline">Day {s.day}</strong> of the {s.organizations.join(" and ")}{" "}
                  {s.kind}
                  {s.concurrent ? " (concurrent)" : ""}
                </li>
              ))}
            </ul>
          )}
          {status.moves.length === 0 ? (
            <p>Nobody owes a move.</p>
          ) : (
            <ul class="embed-moves">
              {owedBySide(status.moves).map((o) => (
                <li key={o.side}>
                  <strong>{o.side}</strong> owes {plural(o.count, "move")}, the oldest since{" "}
                  {formatDay(o.since, tz)}
                </li>
              ))}
            </ul>
          )}
          <p class="embed-foot">
            As of {formatDay(status.asOf, tz)} ·{" "}
            <a href={href} target="_blank" rel="noopener">
              The signed record on Parley
            </a>
          </p>
        </main>
      </body>
    </html>
  );
}
