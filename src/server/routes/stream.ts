import type { ServerResponse } from "node:http";
import { z } from "zod";
import type { Caller } from "../../app/accounts.ts";
import type { TimelineItem } from "../../app/timeline-query.ts";
import { canReadNow } from "../../app/visibility.ts";
import type { Appended } from "../../app/writer.ts";
import { Id } from "../../domain/values.ts";
import { reauthenticate } from "../auth.ts";
import type { Api } from "../server.ts";
import { viewerOf } from "../viewer.ts";

/**
 * A comment line now and then keeps proxies from closing a quiet stream; each heartbeat also
 * checks that the caller may still read it.
 */
const HEARTBEAT_MS = 15_000;

function frame(item: TimelineItem): string {
  return `id: ${item.seq}\nevent: entry\ndata: ${JSON.stringify(item)}\n\n`;
}

function itemOf(a: Appended): TimelineItem {
  return {
    seq: a.seq,
    type: a.type,
    org: a.org,
    side: a.side,
    occurredAt: a.occurredAt,
    recordedAt: a.recordedAt,
    visibility: a.visibility,
    subject: null,
    published: null,
    entry: JSON.parse(a.body),
    signature: Buffer.from(a.signature).toString("base64"),
  };
}

/**
 * Server-Sent Events: each new entry of a dispute that the caller may see, as it is committed.
 * A client that reconnects with Last-Event-ID (the sequence number of the last entry it got)
 * is first sent what it missed, read from the store, then the live entries, none twice.
 * Entries appended by other processes on the same PostgreSQL database come too, a moment
 * later; any this process did not hear of (the commit feed down) are read from the store
 * as soon as a later one shows the gap.
 *
 * A stream sees with its caller's eyes as they were when it opened, so it ends as soon as
 * they may have changed: at once when this server revokes the caller's session or token or
 * changes its memberships, and otherwise (another process, an expired session) at the next
 * heartbeat's check. The client reconnects and is authorized afresh.
 */
export function streamRoutes(api: Api, heartbeatMs = HEARTBEAT_MS): void {
  const open = new Set<ServerResponse>();
  // Streams never finish on their own; a shutdown ends them so in-flight requests can drain.
  api.addHook("preClose", async () => {
    for (const res of open) res.end();
  });

  api.get(
    "/api/v1/disputes/:slug/stream",
    {
      schema: {
        summary:
          "New entries as Server-Sent Events (event `entry`, id = sequence number); resume with Last-Event-ID",
        tags: ["disputes"],
        params: z.object({ slug: Id }),
        headers: z.looseObject({ "last-event-id": z.coerce.number().int().min(-1).optional() }),
      },
    },
    async (req, reply) => {
      const { slug } = req.params;
      const parley = req.server.parley;
      await parley.disputeRow(slug); // an unknown dispute is a 404 before the stream starts
      const viewer = await viewerOf(parley, slug, req.caller);
      const side = await parley.viewerSide(slug, viewer);
      const resumeFrom = req.headers["last-event-id"];

      let sent = -1;
      let replaying = true;
      const queued: Appended[] = [];
      const res = reply.raw;
      /** Sends what the store holds after `sent`, page by page (what a client missed). */
      const sendStored = async () => {
        for (let more = true; more; ) {
          const page = await parley.since(slug, viewer, sent);
          if (res.writableEnded) break;
          for (const item of page.items) res.write(frame(item));
          sent = page.last;
          more = page.more;
        }
      };
      /** Sends from the store, holding live entries back meanwhile, then those in order. */
      const replay = async (from: () => Promise<void>) => {
        replaying = true;
        try {
          await from();
        } finally {
          replaying = false;
          send(queued.splice(0));
        }
      };
      const send = (appended: Appended[]) => {
        for (const [i, a] of appended.entries()) {
          if (res.writableEnded) return;
          if (a.seq <= sent) continue;
          if (a.seq > sent + 1) {
            // Entries another process committed while this one was not hearing the others (as
            // it started, or while the database restarted) were never told: read them first.
            queued.push(...appended.slice(i));
            void replay(sendStored).catch(finish);
            return;
          }
          sent = a.seq;
          if (canReadNow(viewer, { ...a, published: false }, side)) res.write(frame(itemOf(a)));
        }
      };
      // Listen before reading what was missed, so nothing committed in between is lost.
      const unsubscribe = parley.subscribe(
        (s, appended) => {
          if (s !== slug) return;
          if (replaying) queued.push(...appended);
          else send(appended);
        },
        { everywhere: true },
      );
      const caller = req.caller;
      const credential = req.credential;
      let checking = false;
      const recheck = () => {
        if (!caller || !credential || checking) return;
        checking = true;
        reauthenticate(req.server.accounts, credential).then((now) => {
          checking = false;
          if (!now || accessOf(now) !== accessOf(caller)) finish();
        }, finish);
      };
      const unwatch = req.server.accounts.onAccessChange((id) => {
        if (id === caller?.id) recheck();
      });
      const heartbeat = setInterval(() => {
        res.write(": still here\n\n");
        recheck();
      }, heartbeatMs);
      heartbeat.unref();
      const stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
        unwatch();
        open.delete(res);
      };
      // Nothing may be written after the end: the listeners go first.
      const finish = () => {
        stop();
        res.end();
      };
      req.raw.on("close", stop);

      reply.hijack();
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "x-request-id": req.id,
      });
      open.add(res);
      res.write(": connected\n\n");
      await replay(async () => {
        if (resumeFrom !== undefined) {
          sent = resumeFrom;
          await sendStored();
        } else {
          sent = ((await parley.latestCheckpoint(slug))?.size ?? 0) - 1;
        }
      });
    },
  );
}

/** What a caller's view of a dispute depends on: its memberships and roles. */
function accessOf(caller: Caller): string {
  return caller.memberships
    .map((m) => `${m.org}:${m.role}`)
    .sort()
    .join(",");
}
