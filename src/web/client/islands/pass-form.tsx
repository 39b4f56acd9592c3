import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { type BlockValue, PassIssues, type PassIssuesProps } from "../../pages/record/pass-issues.tsx";

/**
 * The issues of a pass, with buttons to add another issue, add a term, and remove either:
 * the server's fallback (a fixed number of blank blocks) is replaced by exactly the blocks the
 * reader needs. The field names stay those the server reads, so the form posts the same way.
 * Focus follows each change (to the new field, or back to the button that adds), and a
 * polite status message says what changed.
 */
type Props = Pick<PassIssuesProps, "options" | "blocks" | "errors">;

function nextIndex(list: { n: number }[]): number {
  return Math.max(-1, ...list.map((x) => x.n)) + 1;
}

function PassForm(props: Props) {
  const [blocks, setBlocks] = useState<BlockValue[]>(() =>
    props.blocks.length > 0 ? props.blocks : [{ n: 0, issue: "", language: "", terms: [] }],
  );
  const [message, setMessage] = useState("");
  const focusNext = useRef<string | null>(null);

  useEffect(() => {
    if (focusNext.current) {
      document.getElementById(focusNext.current)?.focus();
      focusNext.current = null;
    }
  });

  // Keep what the reader typed: read the fields back before changing the list.
  const read = (root: HTMLElement | null): BlockValue[] => {
    if (!root) return blocks;
    const val = (name: string) =>
      (root.querySelector(`[name="${name}"]`) as HTMLInputElement | HTMLTextAreaElement | null)?.value ?? "";
    return blocks.map((b) => ({
      n: b.n,
      issue: val(`issues.${b.n}.issue`),
      language: val(`issues.${b.n}.language`),
      terms: b.terms.map((t) => {
        const at = `issues.${b.n}.terms.${t.n}`;
        return {
          n: t.n,
          key: val(`${at}.key`),
          value: val(`${at}.value`),
          unit: val(`${at}.unit`),
          note: val(`${at}.note`),
        };
      }),
    }));
  };
  const box = useRef<HTMLDivElement>(null);

  const actions = {
    addIssue() {
      const now = read(box.current);
      const n = nextIndex(now);
      focusNext.current = `f-issues-${n}-issue`;
      setBlocks([...now, { n, issue: "", language: "", terms: [] }]);
      setMessage(`Issue ${now.length + 1} added.`);
    },
    removeIssue(block: number) {
      const now = read(box.current);
      const i = now.findIndex((b) => b.n === block);
      focusNext.current = "add-issue";
      setBlocks(now.filter((b) => b.n !== block));
      setMessage(`Issue ${i + 1} removed.`);
    },
    addTerm(block: number) {
      const now = read(box.current);
      const b = now.find((x) => x.n === block);
      if (!b) return;
      const n = nextIndex(b.terms);
      focusNext.current = `f-issues-${block}-terms-${n}-key`;
      b.terms = [...b.terms, { n, key: "", value: "", unit: "", note: "" }];
      setBlocks(now);
      setMessage(`Term ${b.terms.length} added to issue ${now.indexOf(b) + 1}.`);
    },
    removeTerm(block: number, term: number) {
      const now = read(box.current);
      const b = now.find((x) => x.n === block);
      if (!b) return;
      const t = b.terms.findIndex((x) => x.n === term);
      b.terms = b.terms.filter((x) => x.n !== term);
      focusNext.current = `add-term-${block}`;
      setBlocks(now);
      setMessage(`Term ${t + 1} removed from issue ${now.indexOf(b) + 1}.`);
    },
  };

  return (
    <div ref={box}>
      <PassIssues options={props.options} blocks={blocks} errors={props.errors} actions={actions} />
      <p class="visually-hidden" role="status" aria-live="polite">
        {message}
      </p>
    </div>
  );
}

/** Replaces the server's fallback blocks (everything but the props) with the island. */
export function mount(el: HTMLElement, props: unknown): void {
  for (const child of Array.from(el.children)) {
    if (!(child instanceof HTMLScriptElement)) child.remove();
  }
  const box = document.createElement("div");
  el.append(box);
  render(<PassForm {...(props as Props)} />, box);
}
