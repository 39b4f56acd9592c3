import { h } from "preact";
import { z } from "zod";
import { checkpointWithCosignatures } from "../../app/cosignatures.ts";
import { Id } from "../../domain/values.ts";
import type { Assets } from "../../web/assets.ts";
import { DashboardPage } from "../../web/pages/dashboard.tsx";
import type { PublicDigest } from "../../web/pages/public-sections.tsx";
import type { Api } from "../server.ts";
import { DayQuery, DISPUTE_SITES, type DisputePage, disputePage, pageContext, sendPage } from "./render.ts";

const RECENT = 12;
const PASSES = 5;
const NEWS = 5;

/**
 * A dispute's dashboard, as the reader may see it, now or as of a past day. On the public site
 * it is the dispute's public page, with the latest public offers, statements and figures too.
 */
export function dashboardPage(pages: Api, assets: Assets): void {
  for (const site of DISPUTE_SITES) {
    pages.get(
      `${site.prefix}/:slug`,
      { schema: { hide: true, params: z.object({ slug: Id }), querystring: DayQuery }, config: site.config },
      async (req, reply) => {
        const { slug } = req.params;
        const parley = req.server.parley;
        const page = await disputePage(req, slug);
        const status = await parley.status(slug, page.viewer, page.frame.asOf ?? undefined);
        const recent = await parley.timeline(slug, page.viewer, {
          order: "desc",
          limit: RECENT,
          to: page.instant,
        });
        const cp = await checkpointWithCosignatures(parley, slug);
        return sendPage(
          reply,
          h(DashboardPage, {
            ctx: pageContext(req, assets.urls),
            frame: page.frame,
            status,
            state: page.state,
            recent: "items" in recent ? recent.items : [],
            checkpoint: { size: cp.size, root: cp.root, cosignatures: cp.cosignatures.length },
            ...(page.frame.public ? { digest: await publicDigest(req.server, slug, page) } : {}),
          }),
        );
      },
    );
  }
}

async function publicDigest(server: Api, slug: string, page: DisputePage): Promise<PublicDigest> {
  const passes = await server.parley.timeline(
    slug,
    page.viewer,
    { type: "pass.made", order: "desc", limit: PASSES, to: page.instant },
    { readableAt: page.instant },
  );
  // Posts published by the day shown: a page of the past does not show later news.
  const { posts } = await server.posts.listPublished({ dispute: slug, limit: 20 });
  const news = posts.filter((p) => (p.publishedAt ?? "") <= page.instant).slice(0, NEWS);
  return { passes: passes.items, news };
}
