import { readFile } from "node:fs/promises";
import type { Caller, Role } from "../app/accounts.ts";
import { Comments, commentSecret } from "../app/comments.ts";
import type { Parley } from "../app/parley.ts";
import { Posts } from "../app/posts.ts";
import { type ImportedPost, readWxr, type WxrPlan } from "../app/wordpress-import.ts";
import { fail, ParleyError } from "../domain/errors.ts";
import { PostDraft } from "../domain/post.ts";
import { slugTaken } from "../store/posts-repo.ts";

/**
 * `parley import-wordpress`: the writes behind a WordPress import. The file is read and mapped
 * whole first (app/wordpress-import.ts), so a file that is not a WordPress export writes
 * nothing; then each post goes in with its comments in one transaction, all or nothing. A post
 * whose address is taken is left out, so running the same file twice imports nothing twice.
 */

export interface ImportWordPressOptions {
  dispute: string;
  /** The email of the account the posts are written as. */
  as: string;
  org?: string | undefined;
  dryRun: boolean;
}

export interface ImportReport {
  dryRun: boolean;
  dispute: string;
  org: string;
  imported: { published: string[]; drafts: string[]; scheduled: string[] };
  comments: number;
  plan: WxrPlan;
  /** Posts of the file left out here: their address is taken, or Parley refused them. */
  refused: { title: string; slug: string; reason: string }[];
}

/** The account behind an email, as the services see a caller. */
async function callerByEmail(app: Parley, email: string): Promise<Caller> {
  const account = await app.db
    .selectFrom("accounts")
    .leftJoin("operators", "operators.account_id", "accounts.id")
    .select(["accounts.id", "accounts.email", "accounts.name", "operators.account_id as operator"])
    .where("accounts.email", "=", email.trim().toLowerCase())
    .executeTakeFirst();
  // The address is the operator's own input, so naming it back is no leak.
  if (!account) fail("ACCOUNT_UNKNOWN", `no account with the email ${email.trim()}`);
  const memberships = await app.db
    .selectFrom("memberships")
    .select(["org_id", "role"])
    .where("account_id", "=", account.id)
    .orderBy("org_id")
    .execute();
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    memberships: memberships.map((m) => ({ org: m.org_id, role: m.role as Role })),
    operator: account.operator !== null,
    via: { kind: "token" },
  };
}

/**
 * The organization the posts are written for: `org` when the account may write for the dispute
 * there, else the one organization where it may. A writer is an account of a press
 * organization or of a party to the dispute, as for posts written in Parley.
 */
async function writerOrg(
  app: Parley,
  caller: Caller,
  dispute: string,
  org: string | undefined,
): Promise<string> {
  const parties = await app.parties(dispute);
  const qualifying: string[] = [];
  for (const m of caller.memberships) {
    if (parties.has(m.org) || (await app.organization(m.org))?.kind === "press") qualifying.push(m.org);
  }
  if (org !== undefined) {
    if (!qualifying.includes(org)) {
      fail(
        "ROLE_REQUIRED",
        `${caller.email} does not write for ${dispute} in ${org}: a writer is an account of a press organization or of a party to the dispute`,
      );
    }
    return org;
  }
  if (qualifying.length === 1) return qualifying[0]!;
  if (qualifying.length === 0) {
    fail(
      "ROLE_REQUIRED",
      `${caller.email} writes for no organization that may post about ${dispute} (a press organization or a party to it)`,
    );
  }
  fail("VALIDATION_FAILED", `${caller.email} writes for ${qualifying.join(", ")}: choose one with --org`);
}

export async function importWordPress(
  app: Parley,
  file: string,
  o: ImportWordPressOptions,
): Promise<ImportReport> {
  const xml = await readFile(file, "utf8");
  const plan = readWxr(xml, new Date(app.now()).toISOString());
  await app.disputeRow(o.dispute);
  const caller = await callerByEmail(app, o.as);
  const org = await writerOrg(app, caller, o.dispute, o.org);
  const report: ImportReport = {
    dryRun: o.dryRun,
    dispute: o.dispute,
    org,
    imported: { published: [], drafts: [], scheduled: [] },
    comments: 0,
    plan,
    refused: [],
  };
  const counted = (post: ImportedPost) => {
    const list = { published: "published", draft: "drafts", scheduled: "scheduled" } as const;
    report.imported[list[post.status]].push(post.slug);
    report.comments += post.comments.length;
  };
  const draftOf = (post: ImportedPost) => ({
    dispute: o.dispute,
    org,
    title: post.title,
    body: post.body,
    tags: post.tags,
    slug: post.slug,
  });

  if (o.dryRun) {
    for (const post of plan.posts) {
      if (await slugTaken(app.db, post.slug)) {
        report.refused.push({
          title: post.title,
          slug: post.slug,
          reason: "a post already has this address",
        });
        continue;
      }
      const checked = PostDraft.safeParse(draftOf(post));
      if (!checked.success) {
        const issue = checked.error.issues[0];
        report.refused.push({
          title: post.title,
          slug: post.slug,
          reason: `${issue?.path.join(".")}: ${issue?.message}`,
        });
        continue;
      }
      counted(post);
    }
    return report;
  }

  const posts = new Posts(app, () => app.now());
  const comments = new Comments(app, posts, {
    secret: await commentSecret(app),
    now: () => app.now(),
    mailer: null,
    log: { info: () => {}, error: () => {} },
  });
  for (const post of plan.posts) {
    try {
      await posts.create(caller, draftOf(post), {
        at: post.at,
        ...(post.byline === null ? {} : { byline: post.byline }),
        ...(post.publishAt === null ? {} : { publishAt: post.publishAt }),
        alongside: async (trx, created) => {
          await comments.importApproved(created.slug, post.comments, { db: trx });
        },
      });
      counted(post);
    } catch (err) {
      if (!(err instanceof ParleyError)) throw err;
      const reason =
        err.code === "POST_SLUG_TAKEN" ? "a post already has this address" : `${err.code}: ${err.message}`;
      report.refused.push({ title: post.title, slug: post.slug, reason });
    }
  }
  return report;
}

function counts(record: Record<string, number>): string {
  const parts = Object.entries(record).map(([reason, n]) => `${n} ${reason}`);
  return parts.length === 0 ? "none" : parts.join(", ");
}

/** The report the command prints: what came in, and what was left out and why. */
export function formatImportReport(r: ImportReport): string {
  const { published, drafts, scheduled } = r.imported;
  const total = published.length + drafts.length + scheduled.length;
  const verb = r.dryRun ? "would import" : "imported";
  const lines = [
    `${r.dryRun ? "Dry run, nothing written: " : ""}${verb} into ${r.dispute} as ${r.org}: ${total} posts (${published.length} published, ${drafts.length} drafts, ${scheduled.length} scheduled) and ${r.comments} comments`,
  ];
  for (const slug of [...published, ...drafts, ...scheduled]) lines.push(`  + /news/${slug}`);
  lines.push(`Items that are not posts, skipped: ${counts(r.plan.otherItems)}`);
  const leftOut = [...r.plan.skippedPosts, ...r.refused];
  lines.push(`Posts skipped: ${leftOut.length === 0 ? "none" : leftOut.length}`);
  for (const p of leftOut) lines.push(`  - ${p.slug} ("${p.title}"): ${p.reason}`);
  lines.push(`Comments skipped: ${counts(r.plan.skippedComments)}`);
  if (r.plan.repliesMadeTopLevel > 0) {
    lines.push(
      `Replies to a skipped comment, imported as top-level comments (as WordPress showed them): ${r.plan.repliesMadeTopLevel}`,
    );
  }
  if (r.plan.droppedTags.length > 0) {
    lines.push("Tags left out:");
    for (const t of r.plan.droppedTags) lines.push(`  - ${t.post}: "${t.tag}" (${t.reason})`);
  }
  lines.push("Commenters' email addresses are kept private; their IP addresses were not imported.");
  return lines.join("\n");
}
