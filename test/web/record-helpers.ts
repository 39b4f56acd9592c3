import { OPERATOR } from "../../src/app/visibility.ts";
import { DEMO_PASSWORD, type demoServer, pageText } from "../support/web.ts";

/** What a reader reads of a page (see test/support/web.ts). */
export const text = pageText;

/** Helpers of the record-*.test.ts files (not a test file itself). */
export type Server = Awaited<ReturnType<typeof demoServer>>;

/** After the demo's last entry (Mar 1, 2024): "now" for every move the tests record. */
export const NOW = "2024-06-01T19:00:00.000Z";
export const SLUG = "wga-2023";

/** How many entries the dispute's ledger holds (its latest checkpoint's size). */
export async function ledgerSize(s: Server, slug = SLUG): Promise<number> {
  return Number((await s.parley.latestCheckpoint(slug))?.size ?? 0);
}

/** The dispute as the operator sees it: everything, for checking what was recorded. */
export function everything(s: Server, slug = SLUG) {
  return s.parley.view(slug, OPERATOR);
}

/** Signs in any account through the form (for accounts the demo map does not name). */
export async function signInEmail(s: Server, email: string): Promise<string> {
  const res = await fetch(`${s.base}/signin`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password: DEMO_PASSWORD, next: "/" }),
    redirect: "manual",
  });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

/** Opens a move's form as `cookie` and sends it with `fields` (and the page's CSRF token). */
export async function submit(
  s: Server,
  cookie: string,
  type: string,
  fields: Record<string, string | string[]>,
  slug = SLUG,
) {
  const form = await s.page(`/d/${slug}/record/${type}`, cookie);
  if (form.status !== 200) throw new Error(`the ${type} form: ${form.status}`);
  return s.post(`/d/${slug}/record/${type}`, { _csrf: s.csrfOf(form.html), ...fields }, cookie);
}

/** The element id of a form field (see src/web/pages/record/ids.ts). */
export function fid(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** The message shown at a field, if any, and whether the field says it is invalid and by what. */
export function fieldError(html: string, name: string): string | null {
  const id = fid(name);
  const m = new RegExp(`<p class="error" id="${id}-error">([\\s\\S]*?)</p>`).exec(html);
  if (!m) return null;
  // The field (or its group's first input) points at the message.
  const input = new RegExp(`<(input|select|textarea)[^>]*id="${id}"[^>]*>`).exec(html)?.[0] ?? "";
  const group = new RegExp(`<fieldset[^>]*aria-describedby="[^"]*${id}-error[^"]*"`).test(html);
  const described = /aria-invalid="true"/.test(input) && (input.includes(`${id}-error`) || group);
  if (!described)
    throw new Error(`the field ${name} shows a message but is not marked invalid and described by it`);
  return text(m[1]!)
    .replace(/^ ?Error: /, "")
    .trim();
}

/** The summary at the top links to the field. */
export function summaryLinks(html: string, name: string): boolean {
  const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? "";
  return summary.includes(`href="#${fid(name)}"`);
}

/** The values of a select's options (the empty one left out). */
export function options(html: string, name: string): string[] {
  const select =
    new RegExp(`<select[^>]*name="${name.replace(/\./g, "\\.")}"[^>]*>([\\s\\S]*?)</select>`).exec(
      html,
    )?.[1] ?? "";
  return [...select.matchAll(/<option[^>]*value="([^"]*)"/g)].map((m) => m[1]!).filter((v) => v !== "");
}
