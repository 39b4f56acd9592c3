import { describedBy, errorId, fid, hintId } from "./ids.ts";

/**
 * The issues of a pass, each with its language and terms: rendered by the server (a fixed
 * number of blank blocks and term rows, blank ones ignored) and by the pass-form island (which
 * adds and removes blocks and rows). Both render the same names and ids, so the server's error
 * summary links to the island's fields too. Pure Preact: the island bundles it.
 */

export interface TermValue {
  /** The row's index in the form's field names (`issues.B.terms.T.key`). */
  n: number;
  key: string;
  value: string;
  unit: string;
  note: string;
}

export interface BlockValue {
  /** The block's index in the form's field names (`issues.B.issue`). */
  n: number;
  issue: string;
  language: string;
  terms: TermValue[];
}

export interface PassIssuesActions {
  addIssue(): void;
  removeIssue(block: number): void;
  addTerm(block: number): void;
  removeTerm(block: number, term: number): void;
}

export interface PassIssuesProps {
  options: { value: string; label: string }[];
  blocks: BlockValue[];
  /** Messages by field name. */
  errors: Record<string, string>;
  /** Given by the island: the add and remove buttons appear. */
  actions?: PassIssuesActions;
}

type Values = Record<string, string | string[] | undefined>;

function firstValue(values: Values, name: string): string {
  const v = values[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" ? first : "";
}

function indices(values: Values, prefix: string): number[] {
  const found = new Set<number>();
  const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d{1,3})\\.`);
  for (const key of Object.keys(values)) {
    const m = pattern.exec(key);
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

const blankTerm = (t: TermValue) => !`${t.key}${t.value}${t.unit}${t.note}`.trim();
export const blankBlock = (b: BlockValue) => !`${b.issue}${b.language}`.trim() && b.terms.every(blankTerm);

/**
 * The blocks a form's values hold, the blank ones dropped; then, for a reader without
 * JavaScript, blank blocks up to `minBlocks` and blank term rows up to `minTerms` per block
 * (at least one more than the filled ones).
 */
export function blocksFrom(values: Values, pad?: { minBlocks: number; minTerms: number }): BlockValue[] {
  const blocks: BlockValue[] = indices(values, "issues").map((b) => ({
    n: b,
    issue: firstValue(values, `issues.${b}.issue`),
    language: firstValue(values, `issues.${b}.language`),
    terms: indices(values, `issues.${b}.terms`)
      .map((t) => {
        const at = `issues.${b}.terms.${t}`;
        return {
          n: t,
          key: firstValue(values, `${at}.key`),
          value: firstValue(values, `${at}.value`),
          unit: firstValue(values, `${at}.unit`),
          note: firstValue(values, `${at}.note`),
        };
      })
      .filter((t) => !blankTerm(t)),
  }));
  const kept = blocks.filter((b) => !blankBlock(b));
  if (!pad) return kept;
  let next = Math.max(-1, ...blocks.map((b) => b.n)) + 1;
  const wantBlocks = Math.max(pad.minBlocks, kept.length + 1);
  while (kept.length < wantBlocks) kept.push({ n: next++, issue: "", language: "", terms: [] });
  for (const b of kept) {
    let t = Math.max(-1, ...b.terms.map((x) => x.n)) + 1;
    const wantTerms = Math.max(pad.minTerms, b.terms.length + 1);
    while (b.terms.length < wantTerms) b.terms.push({ n: t++, key: "", value: "", unit: "", note: "" });
  }
  return kept;
}

function ErrorText({ name, errors }: { name: string; errors: Record<string, string> }) {
  const error = errors[name];
  return error ? (
    <p class="error" id={errorId(name)}>
      <span class="visually-hidden">Error: </span>
      {error}
    </p>
  ) : null;
}

function invalid(name: string, errors: Record<string, string>, hint = false) {
  const error = errors[name] !== undefined;
  return {
    "aria-invalid": error ? ("true" as const) : undefined,
    "aria-describedby": describedBy(name, hint, error),
  };
}

function TermRow(props: {
  block: BlockValue;
  blockNo: number;
  term: TermValue;
  termNo: number;
  errors: Record<string, string>;
  actions?: PassIssuesActions | undefined;
}) {
  const { block, term, errors } = props;
  const at = `issues.${block.n}.terms.${term.n}`;
  const cell = (
    field: "key" | "value" | "unit" | "note",
    label: string,
    extra: Record<string, string> = {},
  ) => {
    const name = `${at}.${field}`;
    return (
      <div class={`field term-${field}`}>
        <label for={fid(name)}>
          {label}
          <span class="visually-hidden">
            {" "}
            of term {props.termNo}, issue {props.blockNo}
          </span>
        </label>
        <ErrorText name={name} errors={errors} />
        <input
          id={fid(name)}
          name={name}
          type="text"
          value={term[field]}
          autocomplete="off"
          {...extra}
          {...invalid(name, errors)}
        />
      </div>
    );
  };
  return (
    <li class="term-row">
      {cell("key", "Key", { spellcheck: "false" })}
      {cell("value", "Value", { inputmode: "decimal" })}
      {cell("unit", "Unit")}
      {cell("note", "Note")}
      {props.actions ? (
        <button
          type="button"
          class="secondary remove"
          onClick={() => props.actions?.removeTerm(block.n, term.n)}
        >
          Remove
          <span class="visually-hidden">
            {" "}
            term {props.termNo} of issue {props.blockNo}
          </span>
        </button>
      ) : null}
    </li>
  );
}

export function PassIssues(props: PassIssuesProps) {
  const { errors, actions } = props;
  return (
    <div class="pass-issues">
      {props.blocks.map((block, i) => {
        const no = i + 1;
        const issueName = `issues.${block.n}.issue`;
        const languageName = `issues.${block.n}.language`;
        const termsHint = `issues-${block.n}-terms-hint`;
        return (
          <fieldset class="pass-issue" key={block.n} id={`issue-block-${block.n}`}>
            <legend>Issue {no}</legend>
            <div class="field">
              <label for={fid(issueName)}>Issue</label>
              <ErrorText name={issueName} errors={errors} />
              <select id={fid(issueName)} name={issueName} {...invalid(issueName, errors)}>
                <option value="" selected={block.issue === ""}>
                  {i === 0 ? "Choose an issue" : "Choose an issue (or leave this block blank)"}
                </option>
                {props.options.map((o) => (
                  <option key={o.value} value={o.value} selected={o.value === block.issue}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={fid(languageName)}>Proposed language</label>
              <p class="hint" id={hintId(languageName)}>
                The text this side proposes for the issue. Markdown works: **bold**, _italics_, lists.
              </p>
              <ErrorText name={languageName} errors={errors} />
              <textarea
                id={fid(languageName)}
                name={languageName}
                rows={6}
                value={block.language}
                {...invalid(languageName, errors, true)}
              />
            </div>
            <fieldset class="terms" aria-describedby={termsHint}>
              <legend>
                Terms of issue {no} <span class="optional">(optional)</span>
              </legend>
              <p class="hint" id={termsHint}>
                Each term: a key (lowercase, e.g. increase-year-1), a value written as a number (5.5, not
                5,5), its unit (%, USD, weeks) and an optional note.
                {actions ? "" : " Blank rows are ignored."}
              </p>
              {block.terms.length > 0 ? (
                <ol class="term-rows">
                  {block.terms.map((term, t) => (
                    <TermRow
                      key={term.n}
                      block={block}
                      blockNo={no}
                      term={term}
                      termNo={t + 1}
                      errors={errors}
                      actions={actions}
                    />
                  ))}
                </ol>
              ) : null}
              {actions ? (
                <button
                  type="button"
                  class="secondary"
                  id={`add-term-${block.n}`}
                  onClick={() => actions.addTerm(block.n)}
                >
                  Add a term<span class="visually-hidden"> to issue {no}</span>
                </button>
              ) : null}
            </fieldset>
            {actions && props.blocks.length > 1 ? (
              <button type="button" class="secondary remove" onClick={() => actions.removeIssue(block.n)}>
                Remove issue {no}
              </button>
            ) : null}
          </fieldset>
        );
      })}
      {actions ? (
        <button type="button" class="secondary" id="add-issue" onClick={() => actions.addIssue()}>
          Add another issue
        </button>
      ) : (
        <p class="hint">Blank issue blocks are ignored.</p>
      )}
    </div>
  );
}
