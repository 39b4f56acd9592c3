import type { Caller } from "../app/accounts.ts";

/** The URLs of the bundled script and stylesheet (content-hashed, cached for good). */
export interface AssetUrls {
  css: string;
  js: string;
}

/** What every page needs to know about the request that asked for it. */
export interface PageContext {
  caller: Caller | null;
  /** The token a form must carry to write on a session's behalf; null when signed out. */
  csrf: string | null;
  assets: AssetUrls;
  /** The path and query of this page, for "sign in and come back" and the current tab. */
  url: string;
  /**
   * A page of the public site: the same for every reader (no account, no form token), so that
   * it can be cached and shared; it carries canonical and social-card metadata.
   */
  public: boolean;
  /** The site's public address (scheme, host, port), for canonical links, feeds and cards. */
  origin: string;
}

/** The dispute a page is about, and the day it is seen as of. */
export interface DisputeFrame {
  slug: string;
  title: string;
  timeZone: string;
  /** The first day of the dispute's record, for the time-travel control's range. */
  firstDate: string;
  /** Today in the dispute's time zone. */
  today: string;
  /** The day asked for (?as-of=YYYY-MM-DD), or null for now; live updates only run for now. */
  asOf: string | null;
  /** Seen on the public site (/disputes/…) rather than in the workspace (/d/…). */
  public: boolean;
}
