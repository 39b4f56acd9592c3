import { z } from "zod";
import { SearchParams, searchDispute } from "../../app/search.ts";
import { Id } from "../../domain/values.ts";
import type { Api } from "../server.ts";
import { viewerOf } from "../viewer.ts";

export function searchRoutes(api: Api): void {
  api.get(
    "/api/v1/disputes/:slug/search",
    {
      schema: {
        summary: "Full-text search over the dispute's entries the caller may read, best matches first",
        description:
          "Searches every text of an entry (titles, pass language, summaries, statements, notes, reasons…). " +
          'All words must occur; "quoted words" must occur in a row; a trailing * makes a prefix. ' +
          "`total` counts only what the caller may read; each item's snippet marks its matches as " +
          "[start, end) ranges in UTF-16 code units.",
        tags: ["disputes"],
        params: z.object({ slug: Id }),
        querystring: SearchParams,
      },
    },
    async (req) => {
      const { slug } = req.params;
      const parley = req.server.parley;
      const dispute = await parley.disputeRow(slug); // unknown: a 404 before anything else
      const viewer = await viewerOf(parley, slug, req.caller);
      return searchDispute(parley.db, dispute.id, viewer, await parley.viewerSide(slug, viewer), req.query);
    },
  );
}
