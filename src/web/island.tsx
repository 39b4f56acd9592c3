import type { ComponentChildren } from "preact";

/**
 * A client island: the server renders its fallback (what a reader without JavaScript gets) and
 * its props as a JSON data block; src/web/client/main.ts finds it and mounts the island there.
 * `<` is escaped so that no text in the props can close the script element early.
 */
export function Island(props: { name: string; data: unknown; children?: ComponentChildren; class?: string }) {
  const json = JSON.stringify(props.data).replace(/</g, "\\u003c");
  return (
    <div data-island={props.name} class={props.class}>
      <script type="application/json" data-island-props="" dangerouslySetInnerHTML={{ __html: json }} />
      {props.children}
    </div>
  );
}
