import type { Organization } from "../domain/values.ts";

/**
 * The organizations of the demo disputes (see ../../../shared/facts/wga-2023.md). Every one
 * is registered in the application's directory, which gives it a signing key; each dispute
 * then records the ones that act in it (party.joined or organization.registered).
 */

export const WGA_WEST: Organization = {
  id: "wga-west",
  name: "Writers Guild of America West",
  shortName: "WGA West",
  kind: "union",
};
export const WGA_EAST: Organization = {
  id: "wga-east",
  name: "Writers Guild of America East",
  shortName: "WGA East",
  kind: "union",
};
export const AMPTP: Organization = {
  id: "amptp",
  name: "Alliance of Motion Picture and Television Producers",
  shortName: "AMPTP",
  kind: "employer-association",
};
export const SAG_AFTRA: Organization = {
  id: "sag-aftra",
  name: "Screen Actors Guild-American Federation of Television and Radio Artists",
  shortName: "SAG-AFTRA",
  kind: "union",
};
export const DGA: Organization = {
  id: "dga",
  name: "Directors Guild of America",
  shortName: "DGA",
  kind: "union",
};
/** Writer-producers who met the WGA's negotiators; a group, not a party to the table. */
export const SHOWRUNNERS: Organization = {
  id: "showrunners",
  name: "Showrunners (writer-producers)",
  shortName: "Showrunners",
  kind: "other",
};
/**
 * A FICTIONAL press outlet that exists only in this demo: it asks the parties for comment and
 * files the third-party impact estimates. It stands for no real newsroom.
 */
export const PARLEY_NEWS: Organization = {
  id: "parley-news",
  name: "Parley Demo Newsroom",
  shortName: "Parley News",
  kind: "press",
};

/** The AMPTP's member companies as the guild named them; the AMPTP bargains for them. */
export const MEMBER_COMPANIES: readonly Organization[] = [
  { id: "amazon", name: "Amazon", shortName: "Amazon", kind: "employer" },
  { id: "apple", name: "Apple", shortName: "Apple", kind: "employer" },
  { id: "disney", name: "Disney", shortName: "Disney", kind: "employer" },
  { id: "nbcuniversal", name: "NBCUniversal", shortName: "NBCUniversal", kind: "employer" },
  { id: "netflix", name: "Netflix", shortName: "Netflix", kind: "employer" },
  { id: "paramount", name: "Paramount", shortName: "Paramount", kind: "employer" },
  { id: "sony", name: "Sony", shortName: "Sony", kind: "employer" },
  { id: "wbd", name: "Warner Bros. Discovery", shortName: "Warner Bros. Discovery", kind: "employer" },
];

export const ORGANIZATIONS: readonly Organization[] = [
  WGA_WEST,
  WGA_EAST,
  AMPTP,
  ...MEMBER_COMPANIES,
  SAG_AFTRA,
  DGA,
  SHOWRUNNERS,
  PARLEY_NEWS,
];

/** The sides of the demo disputes (a side may seat several organizations, like the WGA's). */
export const WGA_SIDE = { id: "wga", name: "Writers Guild of America", shortName: "WGA" };
export const AMPTP_SIDE = { id: "amptp", name: AMPTP.name, shortName: "AMPTP" };
export const SAG_AFTRA_SIDE = { id: "sag-aftra", name: SAG_AFTRA.name, shortName: "SAG-AFTRA" };
