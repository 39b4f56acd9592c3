import type { PageRoutes } from "./plugin.ts";

/** The record pages (being built). */
export const recordPages: PageRoutes = () => {};
