/**
 * The one script every page loads. It finds the islands the server rendered (elements with
 * data-island and their JSON props) and mounts each, loading its code only when the page has
 * one: esbuild splits each island into its own chunk, so the chart library, say, is fetched
 * only by pages that draw a chart.
 */
export interface IslandModule {
  mount(el: HTMLElement, props: unknown): void;
}

const ISLANDS: Record<string, () => Promise<IslandModule>> = {
  "time-travel": () => import("./islands/time-travel.tsx"),
  live: () => import("./islands/live.ts"),
  "timeline-chart": () => import("./islands/timeline-chart.ts"),
  "impact-chart": () => import("./islands/impact-chart.ts"),
  "pass-form": () => import("./islands/pass-form.tsx"),
  "comment-form": () => import("./islands/comment-form.ts"),
};

export function mountIslands(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>("[data-island]")) {
    if (el.dataset.mounted) continue;
    const load = ISLANDS[el.dataset.island ?? ""];
    if (!load) continue;
    el.dataset.mounted = "true";
    const json = el.querySelector(":scope > script[data-island-props]")?.textContent;
    const props: unknown = json ? JSON.parse(json) : null;
    load().then(
      (m) => m.mount(el, props),
      (err: unknown) => console.error(`island ${el.dataset.island} failed to load`, err),
    );
  }
}

// The live island swaps in a fresh <main>; its new islands are mounted when it says so.
document.addEventListener("parley:content", (e) => mountIslands(e.target as ParentNode));
mountIslands(document);
