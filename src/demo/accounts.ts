import type { Accounts, NewAccount } from "../app/accounts.ts";

/**
 * Accounts for trying the demo: a negotiator and a member for each side of the WGA dispute,
 * SAG-AFTRA's negotiator, and a reporter of the demo's news outlet. They share one password,
 * printed in the README: they exist to be signed in as, on a demo database only.
 */
export const DEMO_PASSWORD = "parley-demo-2023";

export const DEMO_ACCOUNTS: Omit<NewAccount, "password">[] = [
  { email: "negotiator@wga.demo", name: "WGA West negotiator", org: "wga-west", role: "negotiator" },
  { email: "member@wga.demo", name: "WGA West member", org: "wga-west", role: "member" },
  { email: "negotiator@amptp.demo", name: "AMPTP negotiator", org: "amptp", role: "negotiator" },
  { email: "member@amptp.demo", name: "AMPTP staff member", org: "amptp", role: "member" },
  { email: "negotiator@sag-aftra.demo", name: "SAG-AFTRA negotiator", org: "sag-aftra", role: "negotiator" },
  {
    email: "reporter@parley-news.demo",
    name: "Parley News reporter",
    org: "parley-news",
    role: "negotiator",
  },
];

export async function addDemoAccounts(accounts: Accounts): Promise<string[]> {
  for (const a of DEMO_ACCOUNTS) await accounts.add({ ...a, password: DEMO_PASSWORD });
  return DEMO_ACCOUNTS.map((a) => a.email);
}
