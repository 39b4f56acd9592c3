/**
 * The one registry of stable error codes. Every failure a caller can provoke maps to a code
 * here; transports (CLI exit codes today, HTTP statuses later) read `kind` rather than
 * guessing from messages. Codes never change meaning once released.
 */
export type ErrorKind =
  | "validation"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_large"
  | "unsupported_media"
  | "rule"
  | "rate_limited"
  | "unavailable"
  | "integrity";

export const ERRORS = {
  VALIDATION_FAILED: { kind: "validation", message: "The input does not match the schema." },
  FLOAT_IN_PAYLOAD: {
    kind: "validation",
    message: "Signed payloads carry no floating-point numbers; use a decimal string.",
  },
  OCCURRED_IN_FUTURE: { kind: "validation", message: "occurredAt lies in the future." },

  DISPUTE_UNKNOWN: { kind: "not_found", message: "No such dispute." },
  DISPUTE_EXISTS: { kind: "conflict", message: "A dispute with this slug already exists." },
  DISPUTE_NOT_OPENED: { kind: "rule", message: "The dispute has not been opened yet." },
  DISPUTE_ALREADY_OPENED: { kind: "conflict", message: "The dispute is already open." },

  ORG_UNKNOWN: { kind: "not_found", message: "Unknown organization." },
  ORG_EXISTS: { kind: "conflict", message: "The organization is already registered." },
  ORG_NOT_A_PARTY: { kind: "forbidden", message: "Only a party at the table may do this." },
  ORG_SELF_ONLY: { kind: "forbidden", message: "An organization may only register itself." },
  SIDE_UNKNOWN: { kind: "not_found", message: "Unknown side." },

  ISSUE_UNKNOWN: { kind: "not_found", message: "Unknown bargaining issue." },
  ISSUE_EXISTS: { kind: "conflict", message: "A bargaining issue with this id already exists." },
  ISSUE_CLOSED: { kind: "rule", message: "The issue is no longer open." },
  ISSUE_NOT_OWN: { kind: "forbidden", message: "Only the side that raised an issue may withdraw it." },

  TA_UNKNOWN: { kind: "not_found", message: "Unknown tentative agreement." },
  TA_ALREADY_SIGNED: { kind: "conflict", message: "This side has already signed the tentative agreement." },
  TA_ALREADY_COMPLETE: { kind: "conflict", message: "Both sides have already signed." },
  AGREEMENT_NOT_TENTATIVE: {
    kind: "rule",
    message: "A ratification vote needs a tentative agreement on the whole contract.",
  },
  AGREEMENT_ALREADY_DECIDED: { kind: "conflict", message: "The agreement has already been voted on." },

  MEETING_UNKNOWN: { kind: "not_found", message: "Unknown meeting." },
  MEETING_EXISTS: { kind: "conflict", message: "A meeting with this id already exists." },
  MEETING_ENDS_BEFORE_START: { kind: "validation", message: "A meeting cannot end before it starts." },
  MEETING_CLOSED: { kind: "rule", message: "The meeting was already held, declined or cancelled." },
  MEETING_NOT_AWAITING_ANSWER: { kind: "rule", message: "The meeting request is not awaiting an answer." },
  MEETING_OWN_REQUEST: { kind: "forbidden", message: "A side cannot answer its own meeting request." },

  STOPPAGE_UNKNOWN: { kind: "not_found", message: "Unknown work stoppage." },
  STOPPAGE_EXISTS: { kind: "conflict", message: "A stoppage with this id already exists." },
  STOPPAGE_ENDS_BEFORE_START: { kind: "validation", message: "A stoppage cannot end before it starts." },
  STOPPAGE_ENDED: { kind: "rule", message: "The stoppage has already ended." },
  STOPPAGE_ALREADY_JOINED: {
    kind: "conflict",
    message: "The organization is already part of this stoppage.",
  },

  REQUEST_UNKNOWN: { kind: "not_found", message: "Unknown request for comment." },
  REQUEST_EXISTS: { kind: "conflict", message: "A request for comment with this id already exists." },
  REQUEST_ALREADY_ANSWERED: { kind: "conflict", message: "The request for comment was already answered." },
  REQUEST_WRONG_RESPONDENT: { kind: "forbidden", message: "Only the organization asked may answer." },
  DEADLINE_BEFORE_ASKED: { kind: "validation", message: "A deadline cannot precede the request." },

  IMPACT_RANGE_INVERTED: { kind: "validation", message: "An impact range's low exceeds its high." },

  ENTRY_UNKNOWN: { kind: "not_found", message: "The referenced entry does not exist." },
  ENTRY_NOT_OWN: { kind: "forbidden", message: "Only the authoring organization may do this to an entry." },
  ENTRY_ALREADY_PUBLIC: { kind: "conflict", message: "The entry is already public." },
  ENTRY_NOT_CORRECTABLE: { kind: "rule", message: "This entry cannot be corrected that way." },

  KEY_MISSING: { kind: "not_found", message: "No signing key is available for this organization." },
  KEY_INSECURE: { kind: "integrity", message: "A key file is readable by others; it was not used." },
  IMPORT_INVALID: { kind: "integrity", message: "The export file did not verify; nothing was imported." },
  IMPORT_INCOMPLETE: {
    kind: "validation",
    message: "Only an export that holds every entry in full can be imported.",
  },
  VERIFY_FAILED: { kind: "integrity", message: "Verification failed." },
  STORE_MISSING: { kind: "not_found", message: "There is no Parley database at that path." },
  STORE_UNAVAILABLE: {
    kind: "unavailable",
    message: "The database cannot be reached for a moment (a restart?); nothing was written. Try again.",
  },
  STORE_NOT_EMPTY: { kind: "conflict", message: "The target already holds a record; --force replaces it." },
  KEYS_DIFFER: {
    kind: "conflict",
    message: "The target's key folder holds another key for an organization; it was left as it was.",
  },

  MALFORMED_JSON: { kind: "validation", message: "The request body is not valid JSON." },
  MALFORMED_URL: { kind: "validation", message: "The URL is not validly percent-encoded UTF-8." },
  BODY_TOO_LARGE: { kind: "too_large", message: "The request body is too large." },
  MEDIA_TYPE_UNSUPPORTED: {
    kind: "unsupported_media",
    message: "Send the request body as application/json.",
  },
  ROUTE_UNKNOWN: { kind: "not_found", message: "No such route." },
  RATE_LIMITED: { kind: "rate_limited", message: "Too many requests; slow down." },
  INTERNAL_ERROR: { kind: "integrity", message: "Something went wrong on the server; it has been logged." },

  AUTH_REQUIRED: { kind: "unauthenticated", message: "Sign in or present an API token." },
  AUTH_FAILED: { kind: "unauthenticated", message: "Wrong email or password." },
  ACCOUNT_LOCKED: { kind: "rate_limited", message: "Too many failed sign-ins; try again later." },
  ACCOUNT_EXISTS: { kind: "conflict", message: "An account with this email already exists." },
  ACCOUNT_UNKNOWN: { kind: "not_found", message: "No such account." },
  MEMBER_UNKNOWN: { kind: "not_found", message: "The account is not a member of this organization." },
  LAST_ADMIN: {
    kind: "conflict",
    message: "An organization keeps at least one admin: make another member admin first.",
  },
  PASSWORD_WRONG: { kind: "forbidden", message: "The current password is wrong." },
  CSRF_FAILED: {
    kind: "forbidden",
    message: "A write with a session cookie needs the session's CSRF token in X-CSRF-Token.",
  },
  ROLE_REQUIRED: { kind: "forbidden", message: "Your role does not allow this." },
  TOKEN_UNKNOWN: { kind: "not_found", message: "No such API token." },
  WEBHOOK_UNKNOWN: { kind: "not_found", message: "No such webhook." },

  CHECKPOINT_UNKNOWN: { kind: "not_found", message: "The dispute has no checkpoint of that size." },
  COSIGNATURE_INVALID: {
    kind: "validation",
    message: "The cosignature does not verify against the organization's key and the checkpoint.",
  },
  /** The witness (`parley witness`): what a log server answered, or failed to. */
  REMOTE_FAILED: {
    kind: "integrity",
    message: "The server could not be reached or gave an unusable answer.",
  },
  CHECKPOINT_INVALID: {
    kind: "integrity",
    message: "The checkpoint is malformed, for another log, or not signed by the trusted key.",
  },
  HISTORY_REWRITTEN: {
    kind: "integrity",
    message: "The log's history was rewritten: its checkpoint is inconsistent with the one seen before.",
  },
  WITNESS_STATE_INVALID: { kind: "validation", message: "The witness state file cannot be used." },

  /** The public newsroom: posts and reader comments. */
  POST_UNKNOWN: { kind: "not_found", message: "No such post." },
  POST_SLUG_TAKEN: { kind: "conflict", message: "Another post already has this address." },
  POST_NOT_EDITABLE: {
    kind: "forbidden",
    message: "Only its author or an editor of its organization may change this post.",
  },
  POST_STATE: { kind: "rule", message: "The post is not in a state that allows this." },
  POST_STALE: {
    kind: "conflict",
    message: "The post was changed since you opened it; reload and edit again.",
  },
  CITATION_UNKNOWN: {
    kind: "rule",
    message: "A post may only cite a public entry of the dispute it is about.",
  },
  COMMENT_UNKNOWN: { kind: "not_found", message: "No such comment." },
  COMMENTS_CLOSED: { kind: "rule", message: "Comments on this post are closed." },
  COMMENT_DUPLICATE: { kind: "conflict", message: "You already said that here." },
  COMMENT_TOO_DEEP: { kind: "rule", message: "Replies cannot nest any deeper here." },
  COMMENT_RATE_LIMITED: {
    kind: "rate_limited",
    message: "You are commenting too quickly; wait a little and send it again.",
  },
  COMMENT_TOO_FAST: { kind: "rule", message: "The form was sent faster than a person types; send it again." },
  COMMENT_FORM_EXPIRED: { kind: "rule", message: "The form has expired; send it again." },
  MODERATOR_ONLY: {
    kind: "forbidden",
    message: "Only the site's or the post organization's editors may moderate.",
  },
  MAIL_LINK_INVALID: { kind: "validation", message: "This link is invalid or has expired." },
} as const satisfies Record<string, { kind: ErrorKind; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERRORS[code].message);
    this.name = "ParleyError";
    this.code = code;
    this.kind = ERRORS[code].kind;
    this.details = details;
  }
}

export function fail(code: ErrorCode, message?: string, details?: Record<string, unknown>): never {
  throw new ParleyError(code, message, details);
}
