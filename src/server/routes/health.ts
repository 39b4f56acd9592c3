import { sql } from "kysely";
import { z } from "zod";
import type { Api } from "../server.ts";

export function healthRoutes(api: Api): void {
  api.get(
    "/healthz",
    { schema: { hide: true, response: { 200: z.object({ ok: z.literal(true) }) } } },
    async () => ({ ok: true as const }),
  );
  // Ready when the database answers; a load balancer stops sending work when it does not.
  api.get("/readyz", { schema: { hide: true } }, async (req, reply) => {
    try {
      await sql`select 1`.execute(req.server.parley.db);
      return { ready: true };
    } catch {
      return reply.code(503).send({ ready: false });
    }
  });
}
