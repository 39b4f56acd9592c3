import { h } from "preact";
import { z } from "zod";
import { type Redline, redline } from "../../app/redlines.ts";
import type { TimelineItem, TimelineQuery } from "../../app/timeline-query.ts";
import type { Entry } from "../../domain/entry.ts";
import { fail } from "../../domain/errors.ts";
import type { DisputeState } from "../../domain/state.ts";
import { Id } from "../../domain/values.ts";
import { entryOf, issueTitle, orgName } from "../../web/describe.ts";
import {
  type IssueClosing,
  IssuePage,
  type PassView,
  type RedlineView,
  type TaView,
} from "../../web/pages/issue.tsx";
import { type BoardIssue, IssuesBoardPage } from "../../web/pages/issues.tsx";
import type { PageRoutes } from "./plugin.ts";
import { DayQuery, DISPUTE_SITES, disputePage, pageContext, sendPage } from "./render.ts";

/**
 * The bargaining issues: a board of every issue the reader may see, by status, and each
 * issue's page with its pass thread, redlines, terms pass by pass and tentative agreements.
 * Everything is read through the app's visibility-filtered reads, as of the day asked for.
 */
export const issuesPages: PageRoutes = (pages, assets) => {
  for (const site of DISPUTE_SITES) {
    pages.get(
      `${site.prefix}/:slug/issues`,
      { schema: { hide: true, params: z.object({ slug: Id }), querystring: DayQuery }, config: site.config },
      async (req, reply) => {
        const { slug } = req.params;
        const page = await disputePage(req, slug);
        const status = await req.server.parley.status(slug, page.viewer, page.frame.asOf ?? undefined);
        const issues: BoardIssue[] = status.issues.flatMap((view) => {
          const issue = page.state.issues[view.id];
          if (!issue) return [];
          return [
            {
              id: view.id,
              title: view.title,
              article: issue.article,
              status: issue.status,
              awaiting: view.awaiting,
              since: view.since,
              days: view.days,
              passes: view.passes,
              closedAt: issue.closedAt,
              lastPasses: Object.entries(issue.lastPass)
                .map(([side, p]) => ({ side: sideLabel(page.state, side), at: p.at }))
                .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)),
            },
          ];
        });
        return sendPage(
          reply,
          h(IssuesBoardPage, { ctx: pageContext(req, assets.urls), frame: page.frame, issues }),
        );
      },
    );

    pages.get(
      `${site.prefix}/:slug/issues/:issue`,
      {
        schema: { hide: true, params: z.object({ slug: Id, issue: Id }), querystring: DayQuery },
        config: site.config,
      },
      async (req, reply) => {
        const { slug, issue: id } = req.params;
        const parley = req.server.parley;
        const page = await disputePage(req, slug);
        const { state, viewer, instant } = page;
        // An issue this reader may not see (or that did not exist yet on the day asked for) is
        // answered exactly as one that never existed.
        const issue = Object.hasOwn(state.issues, id) ? state.issues[id] : undefined;
        if (!issue) fail("ISSUE_UNKNOWN", `no bargaining issue ${JSON.stringify(id)} in this dispute`);

        const status = await parley.status(slug, viewer, page.frame.asOf ?? undefined);
        const view = status.issues.find((i) => i.id === id);
        const items: TimelineItem[] = [];
        const types: TimelineQuery["type"] = ["pass.made", "ta.signed", "issue.withdrawn", "issue.dropped"];
        const read = parley.timelineItems(
          slug,
          viewer,
          { issue: id, type: types, to: instant },
          { readableAt: instant },
        );
        for await (const item of read) items.push(item);

        const passItems = items.filter((i) => i.type === "pass.made");
        const thread = passItems.map((item) => {
          const entry = entryOf(item) as Entry<"pass.made">;
          const onIssue = entry.payload.issues.find((i) => i.issue === id)!;
          return { item, entry, onIssue };
        });
        const passes: PassView[] = [];
        for (const [at, p] of thread.entries()) {
          const server = await parley.redlines(slug, p.item.seq, viewer);
          const mine = server.issues.find((i) => i.issue === id);
          const earlier = thread.slice(0, at).reverse();
          const own = earlier.find((q) => q.item.side === p.item.side);
          const other = earlier.find((q) => q.item.side !== p.item.side);
          const language = p.onIssue.language;
          passes.push({
            seq: p.item.seq,
            side: p.item.side === null ? orgName(state, p.item.org) : sideLabel(state, p.item.side),
            org: orgName(state, p.item.org),
            kind: entryKind(p.entry),
            occurredAt: p.item.occurredAt,
            visibility: p.item.visibility,
            publishedAt:
              p.item.published && p.item.published.at <= instant && p.item.visibility !== "public"
                ? p.item.published.at
                : null,
            summary: p.entry.payload.summary ?? null,
            language,
            terms: p.onIssue.terms,
            package: p.entry.payload.issues
              .filter((i) => i.issue !== id)
              .map((i) => ({ id: i.issue, title: issueTitle(state, i.issue) })),
            ownPrevious: redlineView(state, mine?.ownPrevious, own, language),
            otherLatest: redlineView(state, mine?.otherLatest, other, language),
            correction: correctionOf(state, p.item.seq),
          });
        }

        const tas = taViews(
          state,
          items.filter((i) => i.type === "ta.signed"),
        );
        const closingItem = items.find((i) => i.type === "issue.withdrawn" || i.type === "issue.dropped");
        let closing: IssueClosing | null = null;
        if (closingItem) {
          const e = entryOf(closingItem) as Entry<"issue.withdrawn" | "issue.dropped">;
          closing = {
            kind: e.type === "issue.withdrawn" ? "withdrawn" : "dropped",
            by: orgName(state, e.actor.org),
            at: e.occurredAt,
            reason: e.payload.reason ?? null,
          };
        }

        return sendPage(
          reply,
          h(IssuePage, {
            ctx: pageContext(req, assets.urls),
            frame: page.frame,
            issue: {
              id,
              title: issue.title,
              article: issue.article,
              status: issue.status,
              raisedBy: issue.raisedBy ? sideLabel(state, issue.raisedBy) : null,
              openedAt: issue.openedAt,
              closedAt: issue.closedAt,
            },
            move:
              view?.awaiting && view.since && view.days !== null
                ? { awaiting: view.awaiting, since: view.since, days: view.days }
                : null,
            passes,
            tas,
            closing,
          }),
        );
      },
    );
  }
};

type ThreadPass = { item: TimelineItem; onIssue: { language: string } };

/**
 * The redline the page shows: the app's, which compares with the latest earlier pass the
 * reader may read today. On a day in the past, a pass made public only later was not yet
 * readable, so when the app's comparison is such a pass, the page compares with the latest
 * earlier pass of the thread as it stood that day instead (the same word-level diff).
 */
function redlineView(
  state: DisputeState,
  fromApp: Redline | undefined,
  expected: ThreadPass | undefined,
  language: string,
): RedlineView {
  const agrees = fromApp && (fromApp.against?.seq ?? null) === (expected?.item.seq ?? null);
  if (!expected) return { against: null, ops: [{ op: "insert", text: language }] };
  const against = {
    seq: expected.item.seq,
    side: expected.item.side ? sideLabel(state, expected.item.side) : orgName(state, expected.item.org),
    occurredAt: expected.item.occurredAt,
  };
  return { against, ops: agrees ? fromApp.ops : redline(expected.onIssue.language, language) };
}

function sideLabel(state: DisputeState, side: string): string {
  return Object.hasOwn(state.sides, side) ? state.sides[side]!.shortName : orgName(state, side);
}

function entryKind(entry: Entry<"pass.made">): string {
  return entry.payload.kind;
}

function correctionOf(state: DisputeState, seq: number): PassView["correction"] {
  const c = Object.hasOwn(state.corrections, String(seq)) ? state.corrections[String(seq)] : undefined;
  return c ? { action: c.action, at: c.at } : null;
}

/**
 * Tentative agreements on the issue, one per first signature, with each side's sign-off as
 * the reader may see it: who signed, when, and whether it is the countersignature.
 */
function taViews(state: DisputeState, items: TimelineItem[]): TaView[] {
  const byRoot = new Map<number, TaView>();
  const sides = Object.values(state.sides).sort((a, b) => a.order - b.order);
  for (const item of items) {
    const e = entryOf(item) as Entry<"ta.signed">;
    const root = e.payload.countersigns ?? e.seq;
    let ta = byRoot.get(root);
    if (!ta) {
      ta = {
        seq: root,
        wholeAgreement: e.payload.wholeAgreement,
        issues: e.payload.issues.map((i) => issueTitle(state, i)),
        signoffs: [],
        awaiting: [],
      };
      byRoot.set(root, ta);
    }
    ta.signoffs.push({
      seq: e.seq,
      side: item.side ? sideLabel(state, item.side) : orgName(state, item.org),
      sideId: item.side,
      org: orgName(state, e.actor.org),
      user: e.actor.user,
      at: e.occurredAt,
      countersign: e.payload.countersigns !== undefined,
      language: e.payload.language ?? null,
    });
  }
  for (const ta of byRoot.values()) {
    const signed = new Set(ta.signoffs.map((s) => s.sideId));
    ta.awaiting = sides.filter((s) => !signed.has(s.id)).map((s) => s.shortName);
  }
  return [...byRoot.values()];
}
