import type { Visibility } from "../domain/values.ts";

/**
 * Who is looking. The one place that decides what a viewer may see: every read (status,
 * timeline, export, and later pages, feeds and live events) goes through canSee or a scope
 * built from it, so a private entry cannot leak through a path that forgot to filter.
 */
export type Viewer =
  | { kind: "public" }
  | { kind: "operator" }
  | { kind: "org"; org: string; role: "negotiator" | "member" };

export const PUBLIC: Viewer = { kind: "public" };
export const OPERATOR: Viewer = { kind: "operator" };

/** The authoring facts of an entry that visibility depends on. */
export interface Authored {
  visibility: Visibility | string;
  org: string;
  /** The author's side when the entry was recorded; null for organizations not at the table. */
  side: string | null;
}

/**
 * private: the authoring side's negotiators; members: every account of the authoring
 * organization; table: the negotiators of every side; public: everyone.
 * `viewerSide` is the side the viewer's organization sits on in this dispute, if any.
 */
export function canSee(viewer: Viewer, entry: Authored, viewerSide: string | null): boolean {
  if (entry.visibility === "public" || viewer.kind === "operator") return true;
  if (viewer.kind === "public") return false;
  const negotiator = viewer.role === "negotiator";
  switch (entry.visibility) {
    case "table":
      return negotiator && viewerSide !== null;
    case "members":
      return viewer.org === entry.org;
    case "private":
      if (!negotiator) return false;
      if (viewer.org === entry.org) return true;
      return entry.side !== null && viewerSide === entry.side;
    default:
      return false;
  }
}

/**
 * Whether a reader of the record today may read a stored entry: one it may see, or one made
 * public since (a publication is always public). Folds as of a past instant use canSee and
 * the publication's own time instead.
 */
export function canReadNow(
  viewer: Viewer,
  entry: Authored & { published: boolean },
  viewerSide: string | null,
): boolean {
  return entry.published || canSee(viewer, entry, viewerSide);
}

/** A stable name for everything a viewer's visibility depends on: the key of caches and snapshots. */
export function scopeOf(viewer: Viewer, viewerSide: string | null): string {
  switch (viewer.kind) {
    case "public":
      return "public";
    case "operator":
      return "all";
    case "org":
      return `${viewer.role}:${viewer.org}:${viewerSide ?? "-"}`;
  }
}

/** Parses the CLI's --viewer: "public", "all" (the operator, everything) or an organization id. */
export function parseViewer(text: string, role: "negotiator" | "member" = "negotiator"): Viewer {
  if (text === "public") return PUBLIC;
  if (text === "all") return OPERATOR;
  return { kind: "org", org: text, role };
}
