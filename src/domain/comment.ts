import { z } from "zod";
import { ParleyError } from "./errors.ts";

/**
 * A reader's comment as it arrives from the form under a post ("Leave a reply") or as JSON, and
 * what is left of it once checked. Pure: no I/O, no clock.
 *
 * Every refusal names its field, so that the page can show each message beside its field and fill
 * the form again with what was typed. No message ever repeats a value: an email address in
 * particular must not reach a log line or an error body by way of a message.
 */

/** The form's field names, shared by the page that draws the form and this parser. */
export const COMMENT_FIELD = {
  comment: "comment",
  name: "name",
  email: "email",
  website: "website",
  parent: "parent",
  remember: "remember",
  /**
   * The honeypot: a text field people never see (kept off screen by CSS, not `type="hidden"`,
   * which bots skip; with `tabindex="-1"`, `autocomplete="off"` and a label saying to leave it
   * empty, for screen readers). It is called "url" because WordPress calls its own website field
   * "url", and spam bots are written against WordPress forms first: they fill a field by that name
   * with their link. Our real website field is "website". No browser autofills a field called
   * "url" (autofill knows names, addresses, phones and emails, not homepages), so a person who
   * fills it is rare enough; such a comment lands in the spam queue, where a moderator can restore
   * it, rather than being lost.
   */
  honeypot: "url",
  /** The signed "form issued at" token (see form-token.ts), in a hidden field. */
  formToken: "issued",
} as const;

export type CommentField = (typeof COMMENT_FIELD)[keyof typeof COMMENT_FIELD];

/** A message for one field of the form, written to stand beside it ("enter a valid address"). */
export interface CommentFieldError {
  field: CommentField;
  message: string;
}

export const COMMENT_MAX = 10_000;
export const NAME_MAX = 100;
export const EMAIL_MAX = 254;
export const WEBSITE_MAX = 200;
const PARENT_MAX = 64;
const TOKEN_MAX = 200;
/** Whatever a bot puts in the honeypot is kept only this far: it is evidence, not content. */
const HONEYPOT_KEEP = 500;

// Tab and line feed are allowed (carriage returns are turned into line feeds first).
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/**
 * Bidirectional embeddings, overrides and isolates. In a name, which shows inline in a byline,
 * an unclosed override would turn the rest of the line around ("…says" read backwards, a date
 * flipped) and lets one name pass for another.
 */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

const absent = (v: unknown) => v === undefined || v === null || v === "";

/** Browsers send textarea line breaks as CRLF; one line break is one character here. */
function normalizeLineBreaks(s: string): string {
  return s.replace(/\r\n?/g, "\n");
}

const commentText = z
  .string({ error: "write a comment" })
  .transform(normalizeLineBreaks)
  .pipe(
    z
      .string()
      .trim()
      .min(1, "write a comment")
      .max(COMMENT_MAX, `a comment has at most ${COMMENT_MAX.toLocaleString("en-US")} characters`)
      .refine((s) => !CONTROL.test(s), "remove the control characters")
      .refine((s) => s.isWellFormed(), "remove the broken characters"),
  );

const name = z
  .string({ error: "enter your name" })
  .trim()
  .min(1, "enter your name")
  .max(NAME_MAX, `a name has at most ${NAME_MAX} characters`)
  .refine((s) => !CONTROL.test(s) && !BIDI_CONTROL.test(s), "remove the control characters")
  .refine((s) => s.isWellFormed(), "remove the broken characters");

/**
 * The same rule as a browser's `<input type="email">` (the HTML standard's pattern), plus a dot in
 * the domain: a page with JavaScript and one without refuse the same addresses, and "jo@localhost"
 * reaches no one who could read a reply.
 */
const email = z
  .string({ error: "enter a valid address" })
  .trim()
  .max(EMAIL_MAX, "enter a valid address (at most 254 characters)")
  .refine(
    (s) => z.regexes.html5Email.test(s) && s.slice(s.indexOf("@")).includes("."),
    "enter a valid address",
  )
  .transform(lowerCaseDomain);

/** Domains are case-insensitive; local parts may not be, so they keep what was typed. */
function lowerCaseDomain(address: string): string {
  const at = address.lastIndexOf("@");
  return address.slice(0, at + 1) + address.slice(at + 1).toLowerCase();
}

/**
 * The key under which an address is one commenter (trust after an approved comment, rate limits,
 * duplicates, avatars): the whole address in lower case, since in practice every mail provider
 * treats "Jo@X.org" and "jo@x.org" as one mailbox.
 */
export function emailKey(address: string): string {
  return address.trim().toLowerCase();
}

const WEBSITE_HINT = "enter a web address starting with http:// or https://, or leave it empty";

/**
 * A website as the commenter typed it, as an absolute http(s) URL, or null when it is not one.
 * "wga.org" and "wga.org:8080/x" mean https://…; "javascript:", "data:", "mailto:", "ftp:" and
 * every other scheme are refused, as are addresses with a user name or password in them (a
 * classic disguise: "https://wga.org@evil.example").
 */
export function normalizeWebsite(typed: string): string | null {
  const s = typed.trim();
  if (s === "") return null;
  let url = parseUrl(s);
  // A "scheme" with a dot in it is a host name followed by a port ("wga.org:8080").
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:" && url.protocol.includes("."))) {
    url = parseUrl(s.startsWith("//") ? `https:${s}` : `https://${s}`);
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) return null;
  if (url.username || url.password) return null;
  const host = url.hostname;
  if (!host.includes(".") || host.startsWith(".") || host.endsWith(".")) return null;
  return url.href;
}

function parseUrl(s: string): URL | null {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}

const website = z
  .string({ error: WEBSITE_HINT })
  .nullish()
  .transform((s, ctx) => {
    if (absent(s?.trim())) return null;
    const url = s!.trim().length <= WEBSITE_MAX ? normalizeWebsite(s!) : null;
    if (url === null || url.length > WEBSITE_MAX) {
      const tooLong = s!.trim().length > WEBSITE_MAX || (url?.length ?? 0) > WEBSITE_MAX;
      ctx.addIssue({
        code: "custom",
        message: tooLong ? `a web address has at most ${WEBSITE_MAX} characters` : WEBSITE_HINT,
      });
      return z.NEVER;
    }
    return url;
  });

const NOT_A_PARENT = "this is not a comment you can reply to";
/** The comment replied to: an id as the page wrote it in the form, or none for a new thread. */
const parent = z
  .union([z.string(), z.number()], { error: NOT_A_PARENT })
  .nullish()
  .transform((v, ctx) => {
    if (absent(v)) return null;
    const id = typeof v === "number" ? (Number.isSafeInteger(v) && v > 0 ? String(v) : "") : v!.trim();
    if (id.length === 0 || id.length > PARENT_MAX || !/^[A-Za-z0-9_-]+$/.test(id)) {
      ctx.addIssue({ code: "custom", message: NOT_A_PARENT });
      return z.NEVER;
    }
    return id;
  });

/** The "save my name, email and website in this browser" box: a checkbox sends "on" or nothing. */
const remember = z
  .union([z.literal("on"), z.literal("")], { error: 'tick the box or leave it empty ("on" or nothing)' })
  .nullish()
  .transform((v) => v === "on");

/** Bots learn nothing from the honeypot: whatever it holds is accepted here and judged later. */
const honeypot = z
  .unknown()
  .optional()
  .transform((v) =>
    (typeof v === "string" ? v : Array.isArray(v) ? v.join(" ") : "").slice(0, HONEYPOT_KEEP),
  );

const formToken = z
  .string({ error: "the form is incomplete; reload the page" })
  .max(TOKEN_MAX, "the form is incomplete; reload the page")
  .nullish()
  .transform((v) => (absent(v) ? null : v!));

/** The form as the server reads it (an HTML form or JSON); unknown fields such as `_csrf` are ignored. */
export const CommentForm = z.object({
  [COMMENT_FIELD.comment]: commentText,
  [COMMENT_FIELD.name]: name,
  [COMMENT_FIELD.email]: email,
  [COMMENT_FIELD.website]: website,
  [COMMENT_FIELD.parent]: parent,
  [COMMENT_FIELD.remember]: remember,
  [COMMENT_FIELD.honeypot]: honeypot,
  [COMMENT_FIELD.formToken]: formToken,
});

export type CommentFormInput = z.input<typeof CommentForm>;

/** A comment that passed every check of its form: what may be stored and shown (email aside). */
export interface ValidComment {
  /** Trimmed, with line feeds for line breaks. */
  comment: string;
  name: string;
  /** Never shown to anyone but moderators; compare addresses with emailKey. */
  email: string;
  /** An absolute http(s) URL, or null. */
  website: string | null;
  /** The id of the comment replied to, or null for a new thread. */
  parent: string | null;
  /** Whether the reader asked to have their details saved in their browser. */
  remember: boolean;
}

/** What the form typed, to fill it in again after a refusal. */
export interface TypedComment {
  comment: string;
  name: string;
  /**
   * The reader's own address, typed a moment ago. Put it back only into the response to the very
   * request that sent it (with `Cache-Control: no-store`); never into any other page.
   */
  email: string;
  website: string;
  parent: string;
  remember: boolean;
}

export type ParsedCommentForm =
  | {
      ok: true;
      comment: ValidComment;
      /** What the honeypot held ("" when untouched), for the moderation facts. */
      honeypot: string;
      /** The form's signed issue time, still to be verified (form-token.ts), or null. */
      formToken: string | null;
    }
  | { ok: false; errors: CommentFieldError[]; typed: TypedComment };

const FIELDS = new Set<string>(Object.values(COMMENT_FIELD));

/**
 * Reads a comment form: a urlencoded body (where a name sent twice arrives as an array) or a JSON
 * object. Every field's problems are reported at once, each with its field.
 */
export function parseCommentForm(body: unknown): ParsedCommentForm {
  const record: Record<string, unknown> =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  const errors: CommentFieldError[] = [];
  for (const field of FIELDS) {
    if (field !== COMMENT_FIELD.honeypot && Array.isArray(record[field])) {
      errors.push({ field: field as CommentField, message: "send this field once" });
    }
  }
  const result = CommentForm.safeParse(record);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? "");
      if (!FIELDS.has(field) || errors.some((e) => e.field === field)) continue;
      errors.push({ field: field as CommentField, message: issue.message });
    }
  }
  if (errors.length > 0 || !result.success) {
    // In the order the form shows its fields, so that a list of them reads top to bottom.
    const order = Object.values(COMMENT_FIELD) as string[];
    errors.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
    return { ok: false, errors, typed: typedBack(record) };
  }
  const v = result.data;
  return {
    ok: true,
    comment: {
      comment: v.comment,
      name: v.name,
      email: v.email,
      website: v.website,
      parent: v.parent,
      remember: v.remember,
    },
    honeypot: v.url,
    formToken: v.issued,
  };
}

function typedBack(record: Record<string, unknown>): TypedComment {
  const text = (field: string, max: number) => {
    const v = record[field];
    return typeof v === "string" ? v.slice(0, max) : typeof v === "number" ? String(v) : "";
  };
  return {
    // A little over each limit is kept, so that the reader sees where the text went too long.
    comment: text(COMMENT_FIELD.comment, COMMENT_MAX * 2),
    name: text(COMMENT_FIELD.name, NAME_MAX * 2),
    email: text(COMMENT_FIELD.email, EMAIL_MAX * 2),
    website: text(COMMENT_FIELD.website, WEBSITE_MAX * 2),
    parent: text(COMMENT_FIELD.parent, PARENT_MAX),
    remember: record[COMMENT_FIELD.remember] === "on",
  };
}

/**
 * The refusal of a JSON request: VALIDATION_FAILED with one line naming each field
 * ("email: enter a valid address"), and the same list in `details.fields` for a client to place.
 */
export function commentFormError(errors: readonly CommentFieldError[]): ParleyError {
  const message = errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  return new ParleyError("VALIDATION_FAILED", message, { fields: errors.map((e) => ({ ...e })) });
}
