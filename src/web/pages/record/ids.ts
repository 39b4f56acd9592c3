/**
 * Element ids of the record forms' fields, from their form names (`issues.0.language` ->
 * `f-issues-0-language`): the server's error summary links to them and the pass-form island
 * renders the same ones, so a link keeps working once the island has taken over.
 */
export function fid(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

export const errorId = (name: string) => `${fid(name)}-error`;
export const hintId = (name: string) => `${fid(name)}-hint`;

/** The ids an input is described by: its hint and its error, when it has them. */
export function describedBy(name: string, hint: boolean, error: boolean): string | undefined {
  const ids = [hint ? hintId(name) : null, error ? errorId(name) : null].filter((x) => x !== null);
  return ids.length > 0 ? ids.join(" ") : undefined;
}
