import type { PageRoutes } from "./plugin.ts";

/** The account pages (being built). */
export const accountPages: PageRoutes = () => {};
