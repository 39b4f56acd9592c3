import type { PageRoutes } from "./plugin.ts";

/** The issues pages (being built). */
export const issuesPages: PageRoutes = () => {};
