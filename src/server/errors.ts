import type { FastifyError } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ERRORS, type ErrorCode, type ErrorKind, ParleyError } from "../domain/errors.ts";
import { isStoreUnavailable } from "../store/unavailable.ts";

/** The one error shape of the API: `{ error: { code, message, details? } }`, codes from the registry. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export const STATUS_OF: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  rule: 422,
  rate_limited: 429,
  unavailable: 503,
  integrity: 500,
};

export function errorReply(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
  const body: ErrorBody = { error: { code, message: message ?? ERRORS[code].message } };
  if (details) body.error.details = details;
  return { status: STATUS_OF[ERRORS[code].kind], body };
}

/**
 * Any error a request can raise, as a status and the API's error body. Only ParleyErrors and
 * Fastify's own client errors say what went wrong; anything else is a 500 whose message
 * gives nothing away (no stack, no SQL, no entry text): the log has the rest.
 */
export function toErrorReply(err: unknown): { status: number; body: ErrorBody; unexpected: boolean } {
  if (err instanceof ParleyError)
    return { ...errorReply(err.code, err.message, err.details), unexpected: false };
  const e = err as Partial<FastifyError> & { validation?: unknown };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({
      path: [e.validationContext ?? "body", ...v.instancePath.split("/").filter(Boolean)].join("."),
      message: v.message,
    }));
    const first = issues[0];
    const message = first ? `${first.path}: ${first.message}` : undefined;
    return { ...errorReply("VALIDATION_FAILED", message, { issues }), unexpected: false };
  }
  switch (e.code) {
    case "FST_ERR_BAD_URL":
      return { ...errorReply("MALFORMED_URL"), unexpected: false };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { ...errorReply("MEDIA_TYPE_UNSUPPORTED"), unexpected: false };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { ...errorReply("BODY_TOO_LARGE"), unexpected: false };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { ...errorReply("MALFORMED_JSON"), unexpected: false };
  }
  if (e.statusCode === 429) return { ...errorReply("RATE_LIMITED"), unexpected: false };
  // JSON.parse's SyntaxError from the body parser, and any other 400 Fastify decides on.
  if (e.statusCode === 400 && err instanceof SyntaxError) {
    return { ...errorReply("MALFORMED_JSON"), unexpected: false };
  }
  if (e.statusCode === 400) return { ...errorReply("VALIDATION_FAILED", e.message), unexpected: false };
  if (e.statusCode === 413) return { ...errorReply("BODY_TOO_LARGE"), unexpected: false };
  if (e.statusCode === 415) return { ...errorReply("MEDIA_TYPE_UNSUPPORTED"), unexpected: false };
  if (isStoreUnavailable(err)) return { ...errorReply("STORE_UNAVAILABLE"), unexpected: false };
  return { ...errorReply("INTERNAL_ERROR"), unexpected: true };
}
