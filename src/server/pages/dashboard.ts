import { h } from "preact";
import { z } from "zod";
import { checkpointWithCosignatures } from "../../app/cosignatures.ts";
import { Id } from "../../domain/values.ts";
import type { Assets } from "../../web/assets.ts";
import { DashboardPage } from "../../web/pages/dashboard.tsx";
import type { Api } from "../server.ts";
import { disputePage, pageContext, sendPage } from "./render.ts";

const RECENT = 12;

/** A dispute's dashboard, as the reader may see it, now or as of a past day. */
export function dashboardPage(pages: Api, assets: Assets): void {
  pages.get("/d/:slug", { schema: { hide: true, params: z.object({ slug: Id }) } }, async (req, reply) => {
    const { slug } = req.params;
    const query = req.query as { asOf?: unknown };
    const parley = req.server.parley;
    const page = await disputePage(req, slug, query.asOf);
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
      }),
    );
  });
}
