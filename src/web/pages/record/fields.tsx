import type { ComponentChildren } from "preact";
import type { FieldError, FormBody } from "../../record-form.ts";
import { describedBy, errorId, fid, hintId } from "./ids.ts";

/**
 * What a record form shows: the values (the defaults on a fresh form, what the reader sent
 * after a refusal) and the messages at each field. The field components below read it.
 */
export class FormState {
  private readonly byField = new Map<string, string>();
  constructor(
    readonly values: FormBody,
    readonly errors: FieldError[] = [],
  ) {
    for (const e of errors)
      if (e.field !== null && !this.byField.has(e.field)) this.byField.set(e.field, e.message);
  }

  value(name: string): string {
    const v = this.values[name];
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === "string" ? first : "";
  }

  all(name: string): string[] {
    const v = this.values[name];
    return Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : [];
  }

  error(name: string): string | undefined {
    return this.byField.get(name);
  }

  /** Every message keyed by field, for an island that renders fields itself. */
  errorMap(prefix: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.byField) if (k.startsWith(prefix)) out[k] = v;
    return out;
  }
}

export interface Option {
  value: string;
  label: string;
  hint?: string | undefined;
}

interface Common {
  f: FormState;
  name: string;
  label: string;
  hint?: ComponentChildren;
  required?: boolean;
}

export function ErrorText({ f, name }: { f: FormState; name: string }) {
  const error = f.error(name);
  if (!error) return null;
  return (
    <p class="error" id={errorId(name)}>
      <span class="visually-hidden">Error: </span>
      {error}
    </p>
  );
}

function Label({ name, label, required }: { name: string; label: string; required?: boolean | undefined }) {
  return (
    <label for={fid(name)}>
      {label}
      {required ? null : <span class="optional"> (optional)</span>}
    </label>
  );
}

function Hint({ name, hint }: { name: string; hint?: ComponentChildren }) {
  return hint ? (
    <p class="hint" id={hintId(name)}>
      {hint}
    </p>
  ) : null;
}

function aria(f: FormState, name: string, hint: boolean) {
  const error = f.error(name) !== undefined;
  return {
    "aria-invalid": error ? ("true" as const) : undefined,
    "aria-describedby": describedBy(name, hint, error),
  };
}

export function TextField(
  props: Common & {
    type?: "text" | "url" | "date" | "datetime-local";
    inputMode?: "numeric" | "decimal" | "text";
    autocomplete?: string;
    class?: string;
  },
) {
  const { f, name } = props;
  return (
    <div class={`field ${props.class ?? ""}`}>
      <Label name={name} label={props.label} required={props.required} />
      <Hint name={name} hint={props.hint} />
      <ErrorText f={f} name={name} />
      <input
        id={fid(name)}
        name={name}
        type={(props.type ?? "text") as "text"}
        value={f.value(name)}
        required={props.required}
        inputMode={props.inputMode}
        autocomplete={props.autocomplete ?? "off"}
        {...aria(f, name, Boolean(props.hint))}
      />
    </div>
  );
}

export function DateTimeField(props: Common & { timeZone: string }) {
  return (
    <TextField
      {...props}
      type="datetime-local"
      hint={
        <>
          {props.hint ? <>{props.hint} </> : null}
          Date and time in {props.timeZone}.
        </>
      }
    />
  );
}

export function TextArea(props: Common & { rows?: number }) {
  const { f, name } = props;
  return (
    <div class="field">
      <Label name={name} label={props.label} required={props.required} />
      <Hint name={name} hint={props.hint} />
      <ErrorText f={f} name={name} />
      <textarea
        id={fid(name)}
        name={name}
        rows={props.rows ?? 5}
        required={props.required}
        value={f.value(name)}
        {...aria(f, name, Boolean(props.hint))}
      />
    </div>
  );
}

export function SelectField(props: Common & { options: Option[]; empty?: string; none?: ComponentChildren }) {
  const { f, name } = props;
  const current = f.value(name);
  return (
    <div class="field">
      <Label name={name} label={props.label} required={props.required} />
      <Hint name={name} hint={props.hint} />
      {props.options.length === 0 && props.none ? <p class="notice">{props.none}</p> : null}
      <ErrorText f={f} name={name} />
      <select id={fid(name)} name={name} required={props.required} {...aria(f, name, Boolean(props.hint))}>
        {props.empty !== undefined ? (
          <option value="" selected={current === ""}>
            {props.empty}
          </option>
        ) : null}
        {props.options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Radio buttons or checkboxes in a fieldset. The first input carries the field's own id, so an
 * error's link lands on the group.
 */
function Choices(props: Common & { options: Option[]; type: "radio" | "checkbox"; class?: string }) {
  const { f, name } = props;
  const chosen = new Set(f.all(name));
  const error = f.error(name) !== undefined;
  return (
    <fieldset
      class={`choices ${props.class ?? ""}`}
      aria-describedby={describedBy(name, Boolean(props.hint), error)}
    >
      <legend>
        {props.label}
        {props.required ? null : <span class="optional"> (optional)</span>}
      </legend>
      <Hint name={name} hint={props.hint} />
      <ErrorText f={f} name={name} />
      {props.options.map((o, i) => {
        const id = i === 0 ? fid(name) : `${fid(name)}-${i}`;
        return (
          <div class="choice" key={o.value}>
            <input
              type={props.type}
              id={id}
              name={name}
              value={o.value}
              checked={chosen.has(o.value)}
              aria-invalid={error ? "true" : undefined}
              aria-describedby={o.hint ? `${id}-desc` : undefined}
            />
            <label for={id}>{o.label}</label>
            {o.hint ? (
              <p class="hint" id={`${id}-desc`}>
                {o.hint}
              </p>
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}

export function Radios(props: Common & { options: Option[]; class?: string }) {
  return <Choices {...props} type="radio" required={props.required ?? true} />;
}

export function Checkboxes(props: Common & { options: Option[]; none?: string }) {
  if (props.options.length === 0 && props.none) {
    return (
      <div class="field">
        <ErrorText f={props.f} name={props.name} />
        <p class="notice" id={fid(props.name)} tabIndex={-1}>
          {props.label}: {props.none}
        </p>
      </div>
    );
  }
  return <Choices {...props} type="checkbox" class="checkboxes" />;
}

export function Checkbox({ f, name, label, hint }: Omit<Common, "required">) {
  return (
    <div class="field choice">
      <ErrorText f={f} name={name} />
      <input
        type="checkbox"
        id={fid(name)}
        name={name}
        value="on"
        checked={f.all(name).some((v) => v === "on" || v === "true")}
        {...aria(f, name, Boolean(hint))}
      />
      <label for={fid(name)}>{label}</label>
      <Hint name={name} hint={hint} />
    </div>
  );
}

/** The words a field goes by in the error summary, from its form name. */
const TITLES: Record<string, string> = {
  as: "Recording for",
  occurredAt: "When it happened",
  visibility: "Who will see it",
  kind: "Kind",
  summary: "Summary",
  issue: "Issue",
  issues: "Issues",
  language: "Language",
  key: "Key",
  value: "Value",
  unit: "Unit",
  note: "Note",
  title: "Title",
  article: "Article",
  countersigns: "Countersigns",
  wholeAgreement: "The whole agreement",
  meeting: "Meeting",
  newMeeting: "Id of the new meeting",
  purpose: "Purpose",
  proposedTimes: "Proposed time",
  start: "Start",
  end: "End",
  with: "With",
  answer: "Answer",
  place: "Place",
  link: "Link",
  attendees: "Attendee",
  name: "name",
  org: "Organization",
  reason: "Reason",
  text: "Text",
  stoppage: "Stoppage",
  by: "By",
  against: "Against",
  workers: "Workers",
  at: "When they joined",
  speaker: "Speaker",
  channel: "Channel",
  url: "Link",
  request: "Request",
  to: "Asked",
  question: "Question",
  deadline: "Deadline",
  response: "Response",
  figure: "Id of the figure",
  what: "What is measured",
  low: "Low",
  high: "High",
  asOf: "As of",
  method: "Method",
  source: "Source",
  entry: "Entry",
  action: "Action",
};

/** "issues.1.terms.0.value" -> "Issue 2, term 1: value". */
export function fieldTitle(name: string): string {
  const parts = name.split(".");
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const next = parts[i + 1];
    if (next !== undefined && /^\d+$/.test(next)) {
      const word = part === "issues" ? "Issue" : part === "terms" ? "term" : (TITLES[part] ?? part);
      out.push(`${word} ${Number(next) + 1}`);
      i++;
    } else if (part === "source" && next) {
      out.push("Source");
    } else {
      out.push(TITLES[part] ?? part);
    }
  }
  if (out.length === 1) return out[0]!;
  return `${out.slice(0, -1).join(", ")}: ${out.at(-1)!.toLowerCase()}`;
}

/**
 * At the top of a refused form: what went wrong, each message a link to its field. It takes
 * the focus when the page loads, so a keyboard or screen-reader user starts from it.
 */
export function ErrorSummary(props: {
  errors: FieldError[];
  failure: { code: string; message: string } | null;
}) {
  if (props.errors.length === 0 && !props.failure) return null;
  return (
    <div
      class="error-summary"
      id="error-summary"
      role="alert"
      tabIndex={-1}
      autofocus
      aria-labelledby="error-summary-title"
    >
      <h2 id="error-summary-title">Nothing was recorded</h2>
      {props.failure ? (
        <p>
          {props.failure.message} <code>{props.failure.code}</code>
        </p>
      ) : null}
      {props.errors.length > 0 ? (
        <ul>
          {props.errors.map((e) =>
            e.field ? (
              <li key={`${e.field}:${e.message}`}>
                <a href={`#${fid(e.field)}`}>
                  {fieldTitle(e.field)}: {e.message}
                </a>
              </li>
            ) : (
              <li key={e.message}>{e.message}</li>
            ),
          )}
        </ul>
      ) : null}
    </div>
  );
}
