import type { PageRoutes } from "./plugin.ts";

/** The timeline pages (being built). */
export const timelinePages: PageRoutes = () => {};
