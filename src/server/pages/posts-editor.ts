import type { FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import type { Caller } from "../../app/accounts.ts";
import { type PostView, postAccess } from "../../app/posts.ts";
import { ERRORS, type ErrorCode, fail, ParleyError } from "../../domain/errors.ts";
import { PostDraft, PostEdit, PostSlug } from "../../domain/post.ts";
import type { Assets } from "../../web/assets.ts";
import { formatDateTime } from "../../web/format.ts";
import type { FormState } from "../../web/pages/account.tsx";
import {
  type DisputeChoice,
  EditPostPage,
  type EditPostProps,
  NewPostPage,
  POST_FIELDS,
  type PostField,
  PostsListPage,
  postHref,
  type WriterOrg,
} from "../../web/pages/post-editor.tsx";
import { RevisionsPage } from "../../web/pages/post-revisions.tsx";
import { instantToLocal, localToInstant } from "../../web/record-form.ts";
import { requireCaller } from "../auth.ts";
import { STATUS_OF } from "../errors.ts";
import type { Api } from "../server.ts";
import { viewerOf } from "../viewer.ts";
import type { PageRoutes } from "./plugin.ts";
import { pageContext, sendPage } from "./render.ts";

/**
 * The newsroom's editing pages: one's posts, a new draft, the editor with its publication
 * controls, and the revision history. Every read and write goes through the Posts service
 * (`req.server.posts`), which holds the rules; what the pages decide themselves (which
 * controls to show, refusing early) only mirrors them, and the service checks again.
 */

const SlugParams = z.object({ slug: PostSlug });
/** After a redirect: a key for a fixed message, never text from the query. */
const EditQuery = z.object({
  saved: z.string().max(8).optional(),
  done: z.string().max(20).optional(),
});

type Values = Record<PostField, string>;

type Access = ReturnType<typeof postAccess>;

/** The post if the caller may open its editor: POST_UNKNOWN if hidden from it, else a refusal. */
async function editable(req: FastifyRequest, caller: Caller, slug: string) {
  const post = await req.server.posts.get(caller, slug);
  const access = postAccess(caller, post);
  if (!access.mayEdit) {
    fail(
      "POST_NOT_EDITABLE",
      access.author
        ? "Its author may change a post only while it is a draft; an editor of its organization may change it now."
        : undefined,
    );
  }
  return { post, access };
}

function statusOf(code: ErrorCode): number {
  return STATUS_OF[ERRORS[code].kind];
}

/** A form field as one string (the first, if repeated), line breaks as "\n". */
function field(body: unknown, name: string): string {
  const raw = (body as Record<string, unknown> | null | undefined)?.[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === "string" ? value.replace(/\r\n?/g, "\n") : "";
}

function formValues(body: unknown): Values {
  const values = {} as Values;
  for (const name of POST_FIELDS) values[name] = field(body, name);
  return values;
}

function valuesOf(post: PostView): Values {
  return {
    org: post.org,
    dispute: post.dispute,
    title: post.title,
    slug: post.slug,
    tags: post.tags.join(", "),
    citations: post.citations.join(", "),
    body: post.body,
    commentsOpen: post.commentsOpen ? "on" : "",
  };
}

/** What each field takes, said to a person: the schema's own messages are for scripts. */
const FIELD_RULES: Record<string, string> = {
  org: "Choose the organization you write for.",
  dispute: "Choose the dispute the post is about.",
  title: "Give the post a title: one line of 1 to 200 characters.",
  slug: "Use lower-case letters and digits in words joined by single dashes, at most 80 characters, or leave it empty.",
  tags: "Use up to 10 tags separated by commas, each of 1 to 40 characters, without control characters.",
  citations: "Cite at most 50 entries, by number.",
  body: "The body takes at most 100,000 characters, and no control characters other than tabs and line breaks.",
};

/** Schema issues (`path` like "tags.3") as messages beside their fields; the rest for the summary. */
function issueErrors(issues: readonly { path: string; message: string }[]): {
  errors: Record<string, string>;
  other: string[];
} {
  const errors: Record<string, string> = {};
  const other: string[] = [];
  for (const issue of issues) {
    const name = issue.path.split(".")[0] ?? "";
    if (Object.hasOwn(FIELD_RULES, name)) errors[name] ??= FIELD_RULES[name]!;
    else other.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return { errors, other };
}

function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/** Tags and cited entry numbers from their one-line fields; a number that is not one is an error. */
function lists(values: Values): { tags: string[]; citations: number[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const tags = values.tags
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  const tokens = values.citations.split(/[\s,;]+/).filter((t) => t !== "");
  const bad = tokens.find((t) => !/^#?\d{1,15}$/.test(t));
  if (bad !== undefined) {
    errors.citations = `“${bad.slice(0, 30)}” is not an entry number: write numbers such as 12, 40.`;
  }
  const citations = bad === undefined ? tokens.map((t) => Number(t.replace(/^#/, ""))) : [];
  return { tags, citations, errors };
}

const NOT_SAVED = "The post was not saved: see the fields below.";

/** A refusal of the service, answered beside the field it is about, or null if it is not one of those. */
function refusalErrors(err: ParleyError): Record<string, string> | null {
  switch (err.code) {
    case "VALIDATION_FAILED": {
      const issues = (err.details?.issues as { path: string; message: string }[] | undefined) ?? [];
      const { errors, other } = issueErrors(issues);
      // Not about a field of this form (it should not happen): said in the summary instead.
      return other.length > 0 && Object.keys(errors).length === 0 ? null : errors;
    }
    case "CITATION_UNKNOWN": {
      const seq = err.details?.seq;
      return {
        citations: `Entry ${typeof seq === "number" ? seq : "?"} is not a public entry of this dispute: a post may cite public entries only.`,
      };
    }
    case "POST_SLUG_TAKEN":
      return { slug: "Another post already has this address: choose another, or leave it empty." };
    case "DISPUTE_UNKNOWN":
      return { dispute: "There is no such dispute: choose one from the list." };
    default:
      return null;
  }
}

function refusedForm(values: Values, err: ParleyError): FormState {
  const errors = refusalErrors(err);
  return {
    values,
    errors: errors ?? {},
    summary: { code: err.code, message: errors ? NOT_SAVED : `The post was not saved: ${err.message}` },
  };
}

// ---- reading what the pages show ----------------------------------------------------------

/** A dispute's title and time zone as the caller sees it, through the app's one visibility rule. */
async function disputeOf(req: FastifyRequest, caller: Caller, slug: string): Promise<DisputeChoice> {
  const parley = req.server.parley;
  const state = await parley.view(slug, await viewerOf(parley, slug, caller));
  return { slug, title: state.opened?.title ?? slug, timeZone: state.opened?.timeZone ?? "UTC" };
}

async function disputesOf(req: FastifyRequest, caller: Caller): Promise<DisputeChoice[]> {
  const parley = req.server.parley;
  const out: DisputeChoice[] = [];
  for (const d of await parley.disputes()) {
    const state = await parley.view(d.slug, await viewerOf(parley, d.slug, caller));
    // A dispute with nothing this reader may see is not one to write about.
    if (state.opened) out.push({ slug: d.slug, title: state.opened.title, timeZone: state.opened.timeZone });
  }
  return out;
}

/** The caller's organizations that may write posts: press outlets, and parties to a dispute. */
async function writerOrgs(
  req: FastifyRequest,
  caller: Caller,
  disputes: DisputeChoice[],
): Promise<(WriterOrg & { disputes: string[] | "any" })[]> {
  const parley = req.server.parley;
  const parties = new Map<string, Set<string>>();
  for (const d of disputes) parties.set(d.slug, await parley.parties(d.slug));
  const out: (WriterOrg & { disputes: string[] | "any" })[] = [];
  for (const org of new Set(caller.memberships.map((m) => m.org))) {
    const o = await parley.organization(org);
    if (!o) continue;
    if (o.kind === "press") {
      out.push({ id: o.id, name: o.name, writesAbout: "press: about any dispute", disputes: "any" });
      continue;
    }
    const about = disputes.filter((d) => parties.get(d.slug)?.has(o.id));
    if (about.length === 0) continue;
    out.push({
      id: o.id,
      name: o.name,
      writesAbout: `a party to ${about.map((d) => d.title).join(", ")}`,
      disputes: about.map((d) => d.slug),
    });
  }
  return out;
}

async function requireWriter(req: FastifyRequest, caller: Caller) {
  const disputes = await disputesOf(req, caller);
  const orgs = await writerOrgs(req, caller, disputes);
  if (orgs.length === 0) {
    fail(
      "ROLE_REQUIRED",
      "None of your organizations writes posts here: that takes a press organization, or a party to a dispute.",
    );
  }
  return { disputes, orgs };
}

// ---- the editor page ----------------------------------------------------------------------

/** The fixed message for a redirect's key, with the post's own date where one belongs. */
function noticeOf(query: z.infer<typeof EditQuery>, post: PostView, timeZone: string): string | null {
  if (query.saved === "1") return "Saved.";
  switch (query.done) {
    case "published":
      return "Published.";
    case "scheduled":
      return post.status === "scheduled" && post.publishAt
        ? `Scheduled for ${formatDateTime(post.publishAt, timeZone)}.`
        : "Scheduled.";
    case "unpublished":
      return post.status === "draft"
        ? "Unpublished: the schedule was called off, and the post is a draft again."
        : "Unpublished.";
    default:
      return null;
  }
}

interface EditorState {
  caller: Caller;
  post: PostView;
  access: Access;
  form?: FormState;
  basedOn?: number;
  stale?: { latest: number } | null;
  notice?: string | null;
  schedule?: { value: string; error?: string };
  publishFailure?: { code: string; message: string } | null;
}

async function sendEditor(
  req: FastifyRequest,
  reply: FastifyReply,
  assets: Assets,
  s: EditorState,
  status = 200,
): Promise<FastifyReply> {
  const dispute = await disputeOf(req, s.caller, s.post.dispute);
  const zone = dispute.timeZone;
  const schedule = s.schedule ?? {
    value: s.post.status === "scheduled" && s.post.publishAt ? instantToLocal(s.post.publishAt, zone) : "",
  };
  const props: EditPostProps = {
    ctx: pageContext(req, assets.urls),
    post: s.post,
    dispute,
    editor: s.access.editor,
    form: s.form ?? { values: valuesOf(s.post), errors: {} },
    basedOn: s.basedOn ?? s.post.revision,
    stale: s.stale ?? null,
    notice: s.notice ?? null,
    schedule,
    publishFailure: s.publishFailure ?? null,
    citations: await req.server.posts.citations(s.post),
    nowLocal: instantToLocal(req.server.parley.now(), zone),
  };
  return sendPage(reply, h(EditPostPage, props), status);
}

/** The revision an edit is based on, from the form's hidden field. */
function revisionOf(body: unknown): number | null {
  const raw = field(body, "revision");
  return /^\d{1,9}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : null;
}

/** A schedule's instant from a datetime-local value in the dispute's zone, or what is wrong with it. */
function scheduledAt(value: string, timeZone: string, now: string): { at: string } | { error: string } {
  if (value === "") return { error: "Choose the date and time to publish at." };
  const at = localToInstant(value, timeZone);
  if (at === null)
    return { error: "This is not a date and time: use the picker, or write 2023-09-14T09:00." };
  if (Date.parse(at) <= Date.parse(now)) {
    return { error: "This time has passed: choose a later one, or publish now." };
  }
  return { at };
}

export const postEditorPages: PageRoutes = (pages: Api, assets: Assets) => {
  pages.get("/posts", { schema: { hide: true } }, async (req, reply) => {
    const caller = requireCaller(req);
    const disputes = await disputesOf(req, caller);
    const orgs = await writerOrgs(req, caller, disputes);
    const posts = await req.server.posts.listForCaller(caller);
    // Dates of a post about a dispute this reader cannot see are still in that dispute's zone.
    const byslug = new Map(disputes.map((d) => [d.slug, d]));
    for (const p of posts) {
      if (!byslug.has(p.dispute)) byslug.set(p.dispute, await disputeOf(req, caller, p.dispute));
    }
    return sendPage(
      reply,
      h(PostsListPage, {
        ctx: pageContext(req, assets.urls),
        posts,
        disputes: byslug,
        canWrite: orgs.length > 0,
      }),
    );
  });

  pages.get("/posts/new", { schema: { hide: true } }, async (req, reply) => {
    const caller = requireCaller(req);
    const { disputes, orgs } = await requireWriter(req, caller);
    // Preselect what leaves no choice: the one organization, and the one dispute it may write about.
    const only = orgs.length === 1 ? orgs[0]! : undefined;
    const aboutOne = only && only.disputes !== "any" && only.disputes.length === 1 ? only.disputes[0]! : "";
    const values: Values = {
      org: only?.id ?? "",
      dispute: disputes.length === 1 ? disputes[0]!.slug : aboutOne,
      title: "",
      slug: "",
      tags: "",
      citations: "",
      body: "",
      commentsOpen: "",
    };
    return sendPage(
      reply,
      h(NewPostPage, {
        ctx: pageContext(req, assets.urls),
        orgs,
        disputes,
        form: { values, errors: {} },
      }),
    );
  });

  pages.post("/posts/new", { schema: { hide: true } }, async (req, reply) => {
    const caller = requireCaller(req);
    const { disputes, orgs } = await requireWriter(req, caller);
    const values = formValues(req.body);
    const refuse = (form: FormState, status: number) =>
      sendPage(reply, h(NewPostPage, { ctx: pageContext(req, assets.urls), orgs, disputes, form }), status);

    const { tags, citations, errors } = lists(values);
    const slug = values.slug.trim();
    const draft = {
      dispute: values.dispute,
      org: values.org,
      title: values.title,
      body: values.body,
      tags,
      citations,
      ...(slug !== "" ? { slug } : {}),
    };
    // Every field's problem at once; the service checks the same schema again, and the rest.
    const checked = PostDraft.safeParse(draft);
    if (!checked.success)
      Object.assign(errors, { ...issueErrors(zodIssues(checked.error)).errors, ...errors });
    if (Object.keys(errors).length > 0) {
      return refuse({ values, errors, summary: { code: "VALIDATION_FAILED", message: NOT_SAVED } }, 400);
    }
    let created: PostView;
    try {
      created = await req.server.posts.create(caller, draft);
    } catch (err) {
      if (!(err instanceof ParleyError)) throw err;
      if (err.code === "ROLE_REQUIRED") {
        const form: FormState = {
          values,
          errors: {
            org: "This organization may not write about this dispute: only press organizations and the dispute's parties may.",
          },
          summary: { code: err.code, message: NOT_SAVED },
        };
        return refuse(form, statusOf(err.code));
      }
      if (refusalErrors(err) === null && err.kind !== "validation") throw err;
      return refuse(refusedForm(values, err), statusOf(err.code));
    }
    return reply.redirect(`${postHref(created.slug, "edit")}?saved=1`, 303);
  });

  pages.get(
    "/posts/:slug/edit",
    { schema: { hide: true, params: SlugParams, querystring: EditQuery } },
    async (req, reply) => {
      const caller = requireCaller(req);
      const { post, access } = await editable(req, caller, req.params.slug);
      const zone = (await disputeOf(req, caller, post.dispute)).timeZone;
      return sendEditor(req, reply, assets, {
        caller,
        post,
        access,
        notice: noticeOf(req.query, post, zone),
      });
    },
  );

  pages.post("/posts/:slug/edit", { schema: { hide: true, params: SlugParams } }, async (req, reply) => {
    const caller = requireCaller(req);
    // Who may edit is settled before the body is looked at.
    const { post, access } = await editable(req, caller, req.params.slug);
    const typed = formValues(req.body);
    // Only an editor's form has the comments box; without it, the post's own setting stands.
    const boxShown = access.editor && field(req.body, "commentsShown") === "1";
    const values: Values = {
      ...typed,
      org: post.org,
      dispute: post.dispute,
      commentsOpen: boxShown ? (typed.commentsOpen === "on" ? "on" : "") : post.commentsOpen ? "on" : "",
    };
    const revision = revisionOf(req.body);
    const { tags, citations, errors } = lists(values);
    const slug = values.slug.trim();
    const edit = {
      revision: revision ?? 0,
      title: values.title,
      body: values.body,
      tags,
      citations,
      ...(post.publishedAt === null && slug !== "" && slug !== post.slug ? { slug } : {}),
      ...(boxShown ? { commentsOpen: values.commentsOpen === "on" } : {}),
    };
    const refuse = (form: FormState, status: number, stale: { latest: number } | null = null) =>
      sendEditor(
        req,
        reply,
        assets,
        { caller, post, access, form, basedOn: revision ?? post.revision, stale },
        status,
      );

    const checked = PostEdit.safeParse(edit);
    if (!checked.success)
      Object.assign(errors, { ...issueErrors(zodIssues(checked.error)).errors, ...errors });
    if (revision === null) {
      const form: FormState = {
        values,
        errors,
        summary: {
          code: "VALIDATION_FAILED",
          message: "The form did not say which revision it edits: open the post again and redo your changes.",
        },
      };
      return refuse(form, 400);
    }
    if (Object.keys(errors).length > 0) {
      return refuse({ values, errors, summary: { code: "VALIDATION_FAILED", message: NOT_SAVED } }, 400);
    }
    let saved: PostView;
    try {
      saved = await req.server.posts.edit(caller, post.slug, edit);
    } catch (err) {
      if (!(err instanceof ParleyError)) throw err;
      if (err.code === "POST_STALE") {
        const latest = await req.server.posts.get(caller, post.slug);
        return sendEditor(
          req,
          reply,
          assets,
          {
            caller,
            post: latest,
            access: postAccess(caller, latest),
            form: { values, errors: {} },
            basedOn: revision,
            stale: { latest: latest.revision },
          },
          statusOf(err.code),
        );
      }
      if (refusalErrors(err) === null && err.kind !== "validation" && err.kind !== "rule") throw err;
      return refuse(refusedForm(values, err), statusOf(err.code));
    }
    return reply.redirect(`${postHref(saved.slug, "edit")}?saved=1`, 303);
  });

  pages.post("/posts/:slug/publish", { schema: { hide: true, params: SlugParams } }, async (req, reply) => {
    const caller = requireCaller(req);
    const post = await req.server.posts.get(caller, req.params.slug);
    const access = postAccess(caller, post);
    if (!access.editor) {
      if (access.author)
        fail("ROLE_REQUIRED", `publishing takes the admin or negotiator role in ${post.org}`);
      fail("POST_NOT_EDITABLE");
    }
    const value = field(req.body, "at").trim();
    let at: string | undefined;
    if (field(req.body, "schedule") === "1" || value !== "") {
      const zone = (await disputeOf(req, caller, post.dispute)).timeZone;
      const when = scheduledAt(value, zone, req.server.parley.now());
      if ("error" in when) {
        return sendEditor(
          req,
          reply,
          assets,
          { caller, post, access, schedule: { value, error: when.error } },
          400,
        );
      }
      at = when.at;
    }
    let published: PostView;
    try {
      published = await req.server.posts.publish(caller, post.slug, at === undefined ? {} : { at });
    } catch (err) {
      if (!(err instanceof ParleyError) || err.code !== "POST_STATE") throw err;
      const publishFailure = { code: err.code, message: `Not published: ${err.message}.` };
      const now = await req.server.posts.get(caller, post.slug);
      return sendEditor(
        req,
        reply,
        assets,
        { caller, post: now, access, publishFailure },
        statusOf(err.code),
      );
    }
    const done = published.status === "scheduled" ? "scheduled" : "published";
    return reply.redirect(`${postHref(published.slug, "edit")}?done=${done}`, 303);
  });

  pages.post("/posts/:slug/unpublish", { schema: { hide: true, params: SlugParams } }, async (req, reply) => {
    const caller = requireCaller(req);
    const post = await req.server.posts.get(caller, req.params.slug);
    const access = postAccess(caller, post);
    if (!access.editor) {
      if (access.author)
        fail("ROLE_REQUIRED", `unpublishing takes the admin or negotiator role in ${post.org}`);
      fail("POST_NOT_EDITABLE");
    }
    try {
      await req.server.posts.unpublish(caller, post.slug);
    } catch (err) {
      if (!(err instanceof ParleyError) || err.code !== "POST_STATE") throw err;
      const publishFailure = { code: err.code, message: `Not unpublished: ${err.message}.` };
      const now = await req.server.posts.get(caller, post.slug);
      return sendEditor(
        req,
        reply,
        assets,
        { caller, post: now, access, publishFailure },
        statusOf(err.code),
      );
    }
    return reply.redirect(`${postHref(post.slug, "edit")}?done=unpublished`, 303);
  });

  pages.get("/posts/:slug/revisions", { schema: { hide: true, params: SlugParams } }, async (req, reply) => {
    const caller = requireCaller(req);
    const post = await req.server.posts.get(caller, req.params.slug);
    const revisions = await req.server.posts.revisions(caller, post.slug);
    return sendPage(
      reply,
      h(RevisionsPage, {
        ctx: pageContext(req, assets.urls),
        post,
        dispute: await disputeOf(req, caller, post.dispute),
        revisions,
        mayEdit: postAccess(caller, post).mayEdit,
      }),
    );
  });
};
