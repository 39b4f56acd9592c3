import type { JSX } from "preact";
import type { DisputeState } from "../../../domain/state.ts";
import { CsrfField, disputeHref, Layout } from "../../layout.tsx";
import type { DisputeFrame, PageContext } from "../../page-context.ts";
import { type FieldError, type FormBody, OFFERED_NOW, type RecordType } from "../../record-form.ts";
import { CorrectFields, PublishFields } from "./entries.tsx";
import type { FormEnv, OwnEntry, RecorderOrg } from "./env.ts";
import { DateTimeField, ErrorSummary, FormState, SelectField } from "./fields.tsx";
import {
  AnswerFields,
  CancelFields,
  HeldFields,
  NoteFields,
  PostponeFields,
  RequestFields,
  ScheduleFields,
} from "./meeting.tsx";
import { FAMILIES, MOVE_LIST, MOVES } from "./moves.ts";
import { CommentAnswerFields, CommentRequestFields, ImpactFields, StatementFields } from "./public.tsx";
import { EndFields, JoinFields, StartFields } from "./stoppage.tsx";
import { IssueFields, PassFields, TaFields } from "./table.tsx";
import { VisibilityFieldset, visibilitySentences } from "./visibility.tsx";

const FIELDS: Record<RecordType, (env: FormEnv) => JSX.Element> = {
  "pass.made": PassFields,
  "ta.signed": TaFields,
  "issue.opened": IssueFields,
  "meeting.requested": RequestFields,
  "meeting.answered": AnswerFields,
  "meeting.scheduled": ScheduleFields,
  "meeting.held": HeldFields,
  "meeting.postponed": PostponeFields,
  "meeting.cancelled": CancelFields,
  "note.recorded": NoteFields,
  "stoppage.started": StartFields,
  "stoppage.joined": JoinFields,
  "stoppage.ended": EndFields,
  "statement.made": StatementFields,
  "comment.requested": CommentRequestFields,
  "comment.answered": CommentAnswerFields,
  "impact.reported": ImpactFields,
  "entry.published": PublishFields,
  "entry.corrected": CorrectFields,
};

export interface RecordIndexProps {
  ctx: PageContext;
  frame: DisputeFrame;
  orgs: RecorderOrg[];
}

/** The moves this caller can record, by family, for the organizations it negotiates for. */
export function RecordIndexPage({ ctx, frame, orgs }: RecordIndexProps) {
  const seated = orgs.some((o) => o.side !== null);
  const names = orgs.map((o) => o.name).join(" or ");
  return (
    <Layout ctx={ctx} title={`Record a move · ${frame.title}`} frame={frame} tab="/record">
      <h1>Record a move</h1>
      <p>
        You record for {names}. Each entry is signed with the organization's key and added to the dispute's
        append-only log: it can be corrected or retracted later, never erased. Every form says who will see
        the entry before you record it.
      </p>
      {frame.asOf ? (
        <p class="notice">
          The forms open on {frame.asOf}: the choices in them are the record as it stood that day, and the
          time of the move defaults to midday. Back to today to record something that happens now.
        </p>
      ) : null}
      {FAMILIES.map((family) => {
        const moves = MOVE_LIST.filter((m) => m.family === family && (seated || !m.partyOnly));
        if (moves.length === 0) return null;
        const id = `family-${family.toLowerCase().replace(/[^a-z]+/g, "-")}`;
        return (
          <section key={family} aria-labelledby={id}>
            <h2 id={id}>{family}</h2>
            <ul class="record-moves">
              {moves.map((m) => (
                <li key={m.type}>
                  <a href={disputeHref(frame, `/record/${m.type}`)}>{m.title}</a>
                  <span class="muted"> {m.blurb}</span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      {seated ? null : (
        <p class="muted">
          Passes, tentative agreements, new issues and answers to meeting requests are for the parties at the
          table.
        </p>
      )}
    </Layout>
  );
}

export interface RecordFormProps {
  ctx: PageContext;
  frame: DisputeFrame;
  state: DisputeState;
  type: RecordType;
  orgs: RecorderOrg[];
  /** The organization the form records for (its `as`). */
  org: RecorderOrg;
  ownEntries: OwnEntry[];
  values: FormBody;
  errors: FieldError[];
  /** Why the last submission was refused: its code and a sentence, or null on a fresh form. */
  failure: { code: string; message: string } | null;
}

/** One move's form: its fields, when it happened, and who will see it. */
export function RecordFormPage(props: RecordFormProps) {
  const { frame, type, org } = props;
  const move = MOVES[type];
  const f = new FormState(props.values, props.errors);
  const env: FormEnv = { f, state: props.state, frame, org, ownEntries: props.ownEntries };
  const Fields = FIELDS[type];
  const refused = props.failure !== null || props.errors.length > 0;
  return (
    <Layout ctx={props.ctx} title={`${move.title} · ${frame.title}`} frame={frame} tab="/record">
      <p class="breadcrumb">
        <a href={disputeHref(frame, "/record")}>Record a move</a>
      </p>
      <h1>{move.title}</h1>
      <p class="lead">{move.blurb}</p>
      <ErrorSummary errors={props.errors} failure={props.failure} />
      <form
        method="post"
        action={disputeHref(frame, `/record/${type}`)}
        class="record-form"
        noValidate
        data-refused={refused ? "true" : undefined}
      >
        <CsrfField ctx={props.ctx} />
        {props.orgs.length > 1 ? (
          <SelectField
            f={f}
            name="as"
            label="Recording for"
            required
            options={props.orgs.map((o) => ({ value: o.id, label: o.name }))}
            hint="The organization that signs the entry."
          />
        ) : (
          <p>
            Recording for <strong>{org.name}</strong>, signed with its key.
          </p>
        )}
        <Fields {...env} />
        {f.value(OFFERED_NOW) ? (
          <input type="hidden" name={OFFERED_NOW} value={f.value(OFFERED_NOW)} />
        ) : null}
        <DateTimeField
          f={f}
          name="occurredAt"
          label="When it happened"
          required
          timeZone={frame.timeZone}
          hint="Now, or an earlier time to record a move after the fact."
        />
        <VisibilityFieldset
          f={f}
          sentences={visibilitySentences(props.state, org.id)}
          {...(type === "entry.published"
            ? {
                only: "public" as const,
                hint: "A publication is always public: from now on everyone sees the entry it names.",
              }
            : type === "entry.corrected"
              ? {
                  hint: "Usually the same as the entry it corrects: a correction seen by fewer people than the entry leaves the others with the old text.",
                }
              : {})}
        />
        <div class="form-actions">
          <button type="submit">{move.submit}</button>
          <a href={disputeHref(frame, "/record")}>Cancel</a>
        </div>
      </form>
    </Layout>
  );
}
