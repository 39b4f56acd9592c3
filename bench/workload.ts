import type { Parley } from "../src/app/parley.ts";
import type { Command } from "../src/domain/decide.ts";

/** A synthetic but realistic dispute: two sides, many issues, passes back and forth, meetings, statements. */
export const UNION = { org: "bench-union", user: "u" };
export const EMPLOYER = { org: "bench-employer", user: "e" };

export async function openBenchDispute(app: Parley, slug: string, issues = 50): Promise<void> {
  const org = (id: string, kind: "union" | "employer-association") => ({
    id,
    name: id,
    shortName: id.toUpperCase(),
    kind,
  });
  await app.registerOrganization(org(UNION.org, "union"));
  await app.registerOrganization(org(EMPLOYER.org, "employer-association"));
  await app.openDispute(slug, UNION, {
    occurredAt: "2020-01-01T00:00:00Z",
    visibility: "public",
    payload: {
      title: `Benchmark ${slug}`,
      timeZone: "America/Los_Angeles",
      agreement: { name: "Bench agreement", expiresAt: null },
      sides: [
        { id: "u", name: "Union", shortName: "U" },
        { id: "e", name: "Employers", shortName: "E" },
      ],
    },
  });
  const setup: Command[] = [
    {
      actor: UNION,
      type: "party.joined",
      occurredAt: "2020-01-01T00:00:00Z",
      visibility: "public",
      payload: { org: org(UNION.org, "union"), side: "u" },
    },
    {
      actor: EMPLOYER,
      type: "party.joined",
      occurredAt: "2020-01-01T00:00:00Z",
      visibility: "public",
      payload: { org: org(EMPLOYER.org, "employer-association"), side: "e" },
    },
    {
      actor: UNION,
      type: "stoppage.started",
      occurredAt: "2020-01-02T08:01:00Z",
      visibility: "public",
      payload: {
        stoppage: "strike",
        kind: "strike",
        by: [UNION.org],
        against: [EMPLOYER.org],
        start: "2020-01-02T08:01:00Z",
        workers: 11500,
      },
    },
  ];
  for (let i = 0; i < issues; i++) {
    setup.push({
      actor: UNION,
      type: "issue.opened",
      occurredAt: "2020-01-02T09:00:00Z",
      visibility: "public",
      payload: { issue: `issue-${i}`, title: `Issue ${i}` },
    });
  }
  await app.executeBatch(slug, setup);
}

/**
 * The i-th command of the workload, one minute after the previous one: mostly passes that
 * alternate sides on an issue, with statements, caucus notes and meetings mixed in.
 */
export function workloadCommand(i: number, issues = 50): Command {
  const occurredAt = new Date(Date.UTC(2020, 0, 3) + i * 60_000).toISOString();
  const issue = `issue-${i % issues}`;
  const round = Math.floor(i / issues);
  const actor = round % 2 === 0 ? UNION : EMPLOYER;
  // A session every 200 entries: a long negotiation has hundreds of meetings, not tens of thousands.
  const kind = i % 10 === 9 && i % 200 !== 199 ? 0 : i % 10;
  switch (kind) {
    case 7:
      return {
        actor,
        type: "statement.made",
        occurredAt,
        visibility: "public",
        payload: { by: actor.org, channel: "press-release", text: `Statement ${i} on the state of talks.` },
      };
    case 8:
      return {
        actor,
        type: "note.recorded",
        occurredAt,
        visibility: "private",
        payload: { text: `Caucus note ${i}: hold on ${issue}.` },
      };
    case 9:
      return {
        actor,
        type: "meeting.scheduled",
        occurredAt,
        visibility: "table",
        payload: {
          meeting: `m-${i}`,
          kind: "table",
          start: occurredAt,
          end: new Date(Date.parse(occurredAt) + 3_600_000).toISOString(),
        },
      };
    default:
      return {
        actor,
        type: "pass.made",
        occurredAt,
        visibility: i % 3 === 0 ? "public" : "table",
        payload: {
          kind: round === 0 ? "proposal" : "counterproposal",
          issues: [
            {
              issue,
              language: `Section ${i % issues}: the parties agree to terms revision ${round}.`,
              terms: [{ key: "increase", value: `${(round % 7) + 1}.5`, unit: "%" }],
            },
          ],
        },
      };
  }
}

/**
 * Appends `count` workload commands in batches of `batch`, starting at workload index `from`.
 * Returns the seconds Parley spent appending them: building the commands is the benchmark's
 * own work (an import reads them from a file) and is not counted.
 */
export async function fill(
  app: Parley,
  slug: string,
  count: number,
  batch = 2000,
  from = 0,
): Promise<number> {
  let spent = 0;
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    const commands: Command[] = [];
    for (let k = 0; k < n; k++) commands.push(workloadCommand(from + done + k));
    const started = performance.now();
    await app.executeBatch(slug, commands);
    spent += performance.now() - started;
  }
  return spent / 1000;
}
