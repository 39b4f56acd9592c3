/**
 * The comment form's memory: when a reader ticked "Save my name, email, and website in this
 * browser", the server set the `parley_commenter` cookie with them (and cleared it when the box
 * was left off). Public pages are cached and the same for everyone, so the server cannot fill the
 * form in; this fills the empty fields from the cookie instead and ticks the box again.
 */
export const COMMENTER_COOKIE = "parley_commenter";

interface Remembered {
  name?: string;
  email?: string;
  website?: string;
}

function remembered(): Remembered | null {
  const raw = document.cookie
    .split("; ")
    .find((c) => c.startsWith(`${COMMENTER_COOKIE}=`))
    ?.slice(COMMENTER_COOKIE.length + 1);
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(decodeURIComponent(raw));
    return value && typeof value === "object" ? (value as Remembered) : null;
  } catch {
    return null;
  }
}

export function mount(el: HTMLElement): void {
  const saved = remembered();
  if (!saved) return;
  const form = el.querySelector<HTMLFormElement>("form.comment-form");
  if (!form) return;
  for (const key of ["name", "email", "website"] as const) {
    const input = form.elements.namedItem(key);
    const value = saved[key];
    if (input instanceof HTMLInputElement && input.value === "" && typeof value === "string")
      input.value = value;
  }
  const box = form.elements.namedItem("remember");
  if (box instanceof HTMLInputElement) box.checked = true;
}
