import type { ComponentChildren } from "preact";

/**
 * A wide table's frame: on a narrow screen the table scrolls sideways inside it rather than
 * widening the page, and the frame (a labelled region) takes the keyboard focus so that
 * scrolling works without a mouse (WCAG's scrollable-region-focusable).
 */
export function TableWrap(props: { label: string; class?: string; children: ComponentChildren }) {
  const cls = props.class ? `table-wrap ${props.class}` : "table-wrap";
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls sideways must be reachable by keyboard
    <section class={cls} aria-label={props.label} tabIndex={0}>
      {props.children}
    </section>
  );
}
