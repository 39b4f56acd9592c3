import { type Caller, viewerFor } from "../app/accounts.ts";
import type { Parley } from "../app/parley.ts";
import type { Viewer } from "../app/visibility.ts";

/** How the caller of a request sees a dispute: every route, feed and stream asks this. */
export async function viewerOf(parley: Parley, slug: string, caller: Caller | null): Promise<Viewer> {
  return viewerFor(caller, caller ? await parley.parties(slug) : new Set());
}
