import type { FastifyReply, FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import type { Caller } from "../../app/accounts.ts";
import type { Viewer } from "../../app/visibility.ts";
import { fail, ParleyError } from "../../domain/errors.ts";
import type { DisputeState } from "../../domain/state.ts";
import { Id } from "../../domain/values.ts";
import type { Assets } from "../../web/assets.ts";
import { describeEntry, entryOf, TYPE_LABELS } from "../../web/describe.ts";
import { formatDateTime } from "../../web/format.ts";
import { clip, type OwnEntry, type RecorderOrg } from "../../web/pages/record/env.ts";
import { MOVES } from "../../web/pages/record/moves.ts";
import { RecordFormPage, RecordIndexPage } from "../../web/pages/record/page.tsx";
import {
  checkSubmission,
  type FieldError,
  type FormBody,
  instantToLocal,
  isRecordType,
  OFFERED_NOW,
  type RecordType,
  refusalErrors,
} from "../../web/record-form.ts";
import { requireCaller } from "../auth.ts";
import { STATUS_OF } from "../errors.ts";
import type { Api } from "../server.ts";
import type { PageRoutes } from "./plugin.ts";
import { type DisputePage, disputePage, pageContext, sendPage } from "./render.ts";

const Slug = z.object({ slug: Id });
const SlugType = z.object({ slug: Id, type: z.string().max(64) });
/** The day the forms open on, whom to record for, and what to preselect (links from other pages). */
const Query = z.object({
  asOf: z.string().max(40).optional(),
  as: Id.optional(),
  issue: Id.optional(),
  meeting: Id.optional(),
  stoppage: Id.optional(),
  request: Id.optional(),
  entry: z
    .string()
    .regex(/^\d{1,9}$/)
    .optional(),
});
type Query = z.infer<typeof Query>;

/** Above every refused form, in a sentence, by the refusal's status. */
const REFUSED: Record<number, string> = {
  400: "Some answers need attention.",
  403: "Your organization may not record this.",
  404: "Something this move refers to is not in the record.",
  409: "This conflicts with what is already recorded.",
  422: "The dispute's rules do not allow this move now.",
};

interface Recording {
  caller: Caller;
  page: DisputePage;
  orgs: RecorderOrg[];
}

/**
 * Who may record here, and for whom: a signed-in caller's negotiator memberships whose
 * organization takes part in the dispute. Anyone else is refused before anything of the forms
 * is shown (the anonymous are sent to sign in by the page plugin).
 */
async function recording(req: FastifyRequest, slug: string, asOf: unknown): Promise<Recording> {
  const caller = requireCaller(req);
  const page = await disputePage(req, slug, asOf);
  const negotiates = caller.memberships.filter((m) => m.role === "negotiator");
  if (negotiates.length === 0) fail("ROLE_REQUIRED", "recording moves takes the negotiator role");
  const orgs = negotiates.flatMap((m) => {
    const o = page.state.orgs[m.org];
    return o ? [{ id: o.id, name: o.name, shortName: o.shortName, side: o.side }] : [];
  });
  if (orgs.length === 0) {
    fail("ROLE_REQUIRED", "none of the organizations you negotiate for takes part in this dispute");
  }
  return { caller, page, orgs };
}

function chosenOrg(orgs: RecorderOrg[], as: string | undefined): RecorderOrg {
  if (as === undefined) return orgs[0]!;
  return orgs.find((o) => o.id === as) ?? fail("ROLE_REQUIRED", `you do not record for ${as} here`);
}

/** The dispute as the recording organization's negotiators see it (as of the page's day). */
async function stateFor(req: FastifyRequest, r: Recording, org: RecorderOrg): Promise<DisputeState> {
  const v = r.page.viewer;
  if (v.kind === "org" && v.org === org.id && v.role === "negotiator") return r.page.state;
  const viewer: Viewer = { kind: "org", org: org.id, role: "negotiator" };
  const asOf = r.page.frame.asOf === null ? {} : { asOf: r.page.instant };
  return req.server.parley.view(r.page.frame.slug, viewer, asOf);
}

/** The recording organization's own entries, newest first, for the publish and correct pickers. */
async function ownEntries(
  req: FastifyRequest,
  r: Recording,
  org: RecorderOrg,
  state: DisputeState,
): Promise<OwnEntry[]> {
  const { slug, timeZone } = r.page.frame;
  const viewer: Viewer = { kind: "org", org: org.id, role: "negotiator" };
  const page = await req.server.parley.timeline(slug, viewer, {
    org: org.id,
    order: "desc",
    limit: 200,
    to: r.page.instant,
  });
  return page.items.map((item) => {
    const entry = entryOf(item);
    const published = item.published !== null;
    return {
      seq: item.seq,
      type: item.type,
      visibility: item.visibility,
      published,
      label: `#${item.seq} · ${formatDateTime(item.occurredAt, timeZone)} · ${TYPE_LABELS[entry.type]} · ${item.visibility}${
        published ? ", published since" : ""
      } · ${clip(describeEntry(entry, state, timeZone), 90)}`,
    };
  });
}

function sentUnchanged(values: FormBody): boolean {
  const offered = values[OFFERED_NOW];
  return typeof offered === "string" && offered !== "" && values.occurredAt === offered;
}

/** What a fresh form holds: now (or midday of the day travelled to), the move's visibility, its defaults. */
function freshValues(
  type: RecordType,
  r: Recording,
  org: RecorderOrg,
  query: Query,
  now: string,
  own: OwnEntry[],
): FormBody {
  const { frame } = r.page;
  const values: FormBody = {
    occurredAt: frame.asOf ? `${frame.asOf}T12:00` : instantToLocal(now, frame.timeZone),
    visibility: MOVES[type].visibility,
  };
  // The time offered is now to the minute; sent back unchanged it means now to the millisecond,
  // or a move made right after another (a pass on an issue opened a moment ago) would be dated
  // before it.
  if (!frame.asOf) values[OFFERED_NOW] = values.occurredAt!;
  switch (type) {
    case "pass.made":
      values.kind = "proposal";
      if (query.issue) values["issues.0.issue"] = query.issue;
      break;
    case "ta.signed":
      if (query.issue) values.issues = [query.issue];
      break;
    case "meeting.requested":
    case "meeting.scheduled":
      values.kind = "table";
      break;
    case "meeting.answered":
      values.answer = "accepted";
      break;
    case "stoppage.started":
      values.kind = "strike";
      values.by = [org.id];
      break;
    case "statement.made":
      values.by = org.id;
      values.channel = "press-release";
      break;
    case "comment.answered":
      values.response = "responded";
      break;
    case "impact.reported":
      values.asOf = frame.asOf ?? frame.today;
      break;
    case "entry.corrected": {
      values.action = "correct";
      // A correction is seen by those who saw the entry.
      const picked = own.find((e) => String(e.seq) === query.entry);
      if (picked) values.visibility = picked.visibility;
      break;
    }
  }
  for (const key of ["meeting", "stoppage", "request", "entry"] as const) {
    const v = query[key];
    if (v !== undefined) values[key] = v;
  }
  return values;
}

/** The form's own fields from a parsed urlencoded body: strings and lists of strings only. */
function formBody(body: unknown): FormBody {
  const out: FormBody = {};
  if (body === null || typeof body !== "object") return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === "_csrf") continue;
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string");
  }
  return out;
}

/** Where a recorded move is best seen: its issue's page for passes, TAs and new issues, else the dashboard. */
function afterRecording(slug: string, type: RecordType, payload: Record<string, unknown>): string {
  const base = `/d/${encodeURIComponent(slug)}`;
  let issue: unknown;
  if (type === "pass.made") issue = (payload.issues as { issue?: unknown }[] | undefined)?.[0]?.issue;
  if (type === "ta.signed") issue = (payload.issues as unknown[] | undefined)?.[0];
  if (type === "issue.opened") issue = payload.issue;
  return typeof issue === "string" ? `${base}/issues/${encodeURIComponent(issue)}` : base;
}

function moveType(type: string): RecordType {
  if (!isRecordType(type))
    fail("ROUTE_UNKNOWN", `there is no form to record ${JSON.stringify(type.slice(0, 40))}`);
  return type;
}

async function renderForm(
  req: FastifyRequest,
  reply: FastifyReply,
  assets: Assets,
  r: Recording,
  type: RecordType,
  org: RecorderOrg,
  state: DisputeState,
  form: {
    values: FormBody;
    errors: FieldError[];
    failure: { code: string; message: string } | null;
    status: number;
    own?: OwnEntry[];
  },
) {
  const own =
    form.own ??
    (type === "entry.published" || type === "entry.corrected" ? await ownEntries(req, r, org, state) : []);
  return sendPage(
    reply,
    h(RecordFormPage, {
      ctx: pageContext(req, assets.urls),
      frame: r.page.frame,
      state,
      type,
      orgs: r.orgs,
      org,
      ownEntries: own,
      values: form.values,
      errors: form.errors,
      failure: form.failure,
    }),
    form.status,
  );
}

/** Recording moves: an index of the forms, each form, and its submission through the app. */
export const recordPages: PageRoutes = (pages: Api, assets: Assets) => {
  pages.get(
    "/d/:slug/record",
    { schema: { hide: true, params: Slug, querystring: Query } },
    async (req, reply) => {
      const r = await recording(req, req.params.slug, req.query.asOf);
      return sendPage(
        reply,
        h(RecordIndexPage, { ctx: pageContext(req, assets.urls), frame: r.page.frame, orgs: r.orgs }),
      );
    },
  );

  pages.get(
    "/d/:slug/record/:type",
    { schema: { hide: true, params: SlugType, querystring: Query } },
    async (req, reply) => {
      const r = await recording(req, req.params.slug, req.query.asOf);
      const type = moveType(req.params.type);
      const org = chosenOrg(r.orgs, req.query.as);
      const state = await stateFor(req, r, org);
      const own =
        type === "entry.published" || type === "entry.corrected" ? await ownEntries(req, r, org, state) : [];
      const values = freshValues(type, r, org, req.query, req.server.parley.now(), own);
      if (r.orgs.length > 1) values.as = org.id;
      return renderForm(req, reply, assets, r, type, org, state, {
        values,
        errors: [],
        failure: null,
        status: 200,
        own,
      });
    },
  );

  pages.post(
    "/d/:slug/record/:type",
    { schema: { hide: true, params: SlugType, querystring: Query } },
    async (req, reply) => {
      const { slug } = req.params;
      // Signed out (or the session expired while the form was open): sign in, then the form again.
      if (!req.caller) {
        const path = `/d/${encodeURIComponent(slug)}/record/${encodeURIComponent(req.params.type)}`;
        return reply.redirect(`/signin?next=${encodeURIComponent(path)}`, 303);
      }
      const r = await recording(req, slug, req.query.asOf);
      const type = moveType(req.params.type);
      const values = formBody(req.body);
      const asField = typeof values.as === "string" && values.as !== "" ? values.as : undefined;
      const org = chosenOrg(r.orgs, asField);
      const state = await stateFor(req, r, org);
      const checked = checkSubmission(type, values, {
        timeZone: r.page.frame.timeZone,
        today: r.page.frame.today,
        taIssues: (seq) => state.tas[String(seq)]?.issues,
      });
      if (!checked.ok) {
        return renderForm(req, reply, assets, r, type, org, state, {
          values,
          errors: checked.errors,
          failure: { code: "VALIDATION_FAILED", message: REFUSED[400]! },
          status: 400,
        });
      }
      const s = checked.submission;
      try {
        await req.server.parley.execute(slug, {
          type,
          visibility: s.visibility,
          payload: s.payload,
          occurredAt: s.occurredAt === null || sentUnchanged(values) ? undefined : s.occurredAt,
          actor: { org: org.id, user: r.caller.id },
        });
      } catch (err) {
        if (!(err instanceof ParleyError)) throw err;
        const status = STATUS_OF[err.kind];
        return renderForm(req, reply, assets, r, type, org, state, {
          values,
          errors: refusalErrors(s, err),
          failure: { code: err.code, message: REFUSED[status] ?? "The move was refused." },
          status,
        });
      }
      return reply.redirect(afterRecording(slug, type, s.payload), 303);
    },
  );
};
