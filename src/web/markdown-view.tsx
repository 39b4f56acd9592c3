import { type MarkdownOptions, renderMarkdown } from "./markdown.ts";

/**
 * User-written text rendered as markdown, inside `<div class="markdown">`. The HTML placed in the
 * page is only ever renderMarkdown's sanitized output (see markdown.ts), never the text itself.
 */
export function Markdown(props: {
  text: string;
  /** More classes for the wrapping div, after "markdown". */
  class?: string;
  /** The level a `#` heading in the text becomes (default 3). */
  topHeading?: MarkdownOptions["topHeading"];
  id?: string;
}) {
  const html = renderMarkdown(props.text, props.topHeading ? { topHeading: props.topHeading } : {});
  return (
    <div
      id={props.id}
      class={props.class ? `markdown ${props.class}` : "markdown"}
      // renderMarkdown's output is sanitized (markdown.ts): the only HTML set here.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
