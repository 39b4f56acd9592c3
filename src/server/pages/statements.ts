import type { PageRoutes } from "./plugin.ts";

/** The statements pages (being built). */
export const statementsPages: PageRoutes = () => {};
