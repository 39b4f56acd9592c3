/**
 * A writer for the crash test: opens the store at argv[2], registers the test organizations
 * and opens a dispute, then appends statements one at a time forever, printing the seq of each
 * acknowledged append on its own line. The parent kills it with SIGKILL at a random point.
 * stdout to a pipe is synchronous on Linux, so a printed seq was committed before it was shown.
 */
import { Parley } from "../../src/app/parley.ts";
import { openTestDispute, WGA } from "./fixture.ts";

const path = process.argv[2];
if (!path) throw new Error("usage: crash-writer.ts <db>");
const SLUG = "crash-2023";

const app = await Parley.open(path);
const opened = await openTestDispute(app, SLUG, "Crash test");
process.stdout.write(`${opened.seq}\n`);
const joined = await app.execute(SLUG, {
  actor: WGA,
  type: "party.joined",
  occurredAt: "2023-03-20T17:00:00Z",
  visibility: "public",
  payload: {
    org: { id: "wga-west", name: "Writers Guild of America West", shortName: "WGA West", kind: "union" },
    side: "wga",
  },
});
process.stdout.write(`${joined.seq}\n`);

const start = Date.parse("2023-06-01T00:00:00Z");
for (let i = 0; ; i++) {
  const r = await app.execute(SLUG, {
    actor: WGA,
    type: "statement.made",
    occurredAt: new Date(start + i * 60_000).toISOString(),
    visibility: i % 3 === 0 ? "members" : "public",
    payload: { by: "wga-west", channel: "other", text: `Statement ${i}` },
  });
  process.stdout.write(`${r.seq}\n`);
}
