import { accountPages } from "./account.ts";
import { commentLinkPages } from "./comment-links.ts";
import { issuesPages } from "./issues.ts";
import { moderationPages } from "./moderation.ts";
import { newsPages } from "./news.ts";
import type { PageRoutes } from "./plugin.ts";
import { postEditorPages } from "./posts-editor.ts";
import { publicPages } from "./public.ts";
import { recordPages } from "./record.ts";
import { statementsPages } from "./statements.ts";
import { timelinePages } from "./timeline.ts";

/** The workspace's pages beyond the dashboard and sign-in, one group per area. */
export const PAGE_GROUPS: PageRoutes[] = [
  timelinePages,
  issuesPages,
  statementsPages,
  recordPages,
  accountPages,
  publicPages,
  newsPages,
  postEditorPages,
  moderationPages,
  commentLinkPages,
];
