import type { Kysely, Transaction } from "kysely";
import { AppendStatements } from "../store/append-statements.ts";
import type { Database } from "../store/schema.ts";
import { searchIndexFor } from "../store/search-index.ts";
import { defaultScopes, replaySnapshots, replayTimeline } from "./replay.ts";

/**
 * Throws away a dispute's read models and derives them again from its ledger, in one
 * transaction: readers see either the old projections or the new, never a half-built set.
 */
export async function rebuildProjections(db: Kysely<Database>, disputeId: number, slug: string) {
  return db.transaction().execute((trx) => rebuildProjectionsIn(trx, disputeId, slug));
}

/** The same, inside a transaction the caller holds (import loads and projects atomically). */
export async function rebuildProjectionsIn(
  trx: Transaction<Database>,
  disputeId: number,
  slug: string,
): Promise<{ timeline: number; snapshots: number; search: number }> {
  await trx.deleteFrom("proj_timeline").where("dispute_id", "=", disputeId).execute();
  await trx.deleteFrom("proj_snapshots").where("dispute_id", "=", disputeId).execute();
  const statements = new AppendStatements(trx);
  let timeline = 0;
  let batch: Database["proj_timeline"][] = [];
  const write = async () => {
    await statements.timelineRows(trx, batch);
    timeline += batch.length;
    batch = [];
  };
  for await (const { row } of replayTimeline(trx, disputeId)) {
    batch.push(row);
    if (batch.length === 400) await write();
  }
  await write();
  let snapshots = 0;
  for await (const point of replaySnapshots(trx, disputeId, slug, await defaultScopes(trx, disputeId))) {
    for (const snap of point) {
      await trx
        .insertInto("proj_snapshots")
        .values({ dispute_id: disputeId, ...snap })
        .execute();
      snapshots += 1;
    }
  }
  // The search index is a read model too: derived again here rather than left to the next
  // search, so a rebuilt store holds no text that the ledger does not.
  const search = await searchIndexFor(trx).rebuild(disputeId);
  return { timeline, snapshots, search };
}
