import { Accounts } from "../app/accounts.ts";
import type { Parley } from "../app/parley.ts";
import { ParleyError } from "../domain/errors.ts";
import { addDemoAccounts } from "./accounts.ts";
import { ORGANIZATIONS } from "./organizations.ts";
import { addDemoPosts } from "./posts.ts";
import { sagAftra2023 } from "./sag-aftra-2023.ts";
import type { DemoDispute } from "./script.ts";
import { wga2023 } from "./wga-2023.ts";

/** The demo disputes, in the order they are loaded. */
export function demoDisputes(): DemoDispute[] {
  return [wga2023(), sagAftra2023()];
}

/**
 * Loads the demo through the application like any other input: every organization is
 * registered (and gets its signing key), then each dispute is opened and its history recorded
 * in one atomic batch, each entry decided, signed and appended; then the demo accounts
 * (demo/accounts.ts) are created, and the news posts (demo/posts.ts) written. Fails with DISPUTE_EXISTS,
 * writing nothing, when any demo dispute already exists.
 */
export async function loadDemo(app: Parley): Promise<{ disputes: string[]; accounts: string[] }> {
  const demos = demoDisputes();
  const existing = new Set((await app.disputes()).map((d) => d.slug));
  for (const demo of demos) {
    if (existing.has(demo.slug)) {
      throw new ParleyError("DISPUTE_EXISTS", `the demo dispute ${demo.slug} already exists`, {
        dispute: demo.slug,
      });
    }
  }
  for (const org of ORGANIZATIONS) await app.registerOrganization(org);
  for (const demo of demos) {
    const opened = await app.openDispute(demo.slug, demo.opening.actor, {
      occurredAt: demo.opening.occurredAt,
      visibility: demo.opening.visibility,
      payload: demo.opening.payload,
    });
    if (opened.seq !== 0) throw new Error(`${demo.slug}: the opening is entry ${opened.seq}, not 0`);
    const recorded = await app.executeBatch(demo.slug, demo.commands);
    // References between entries were computed from the order of the script; confirm them.
    for (const [label, want] of Object.entries(demo.labels)) {
      const got = want.seq === 0 ? opened : recorded[want.seq - 1];
      if (!got || got.seq !== want.seq || got.type !== want.type) {
        throw new Error(`${demo.slug}: entry ${label} was expected at ${want.seq} as ${want.type}`);
      }
    }
  }
  const directory = new Accounts(app.db, () => new Date(app.now()));
  const accounts = await addDemoAccounts(directory);
  await addDemoPosts(app, directory);
  return { disputes: demos.map((d) => d.slug), accounts };
}
