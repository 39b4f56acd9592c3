import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The signed "form issued at" token behind the minimum fill time. The page puts it in a hidden
 * field of the comment form; when the form comes back, the issue time it proves tells how long the
 * reader had the form. A person takes seconds to write even one line; a bot posts at once.
 *
 * The token is `<issued-at in milliseconds since 1970>.<HMAC-SHA256, base64url>`, the HMAC taken
 * under a server secret over a purpose label, the post and the issue time. So a bot can neither
 * back-date a token nor carry one from another post, and a MAC made for something else under the
 * same secret (a mail link, say) is never a valid form token. Nothing is stored: the server keeps
 * only its secret. Pure: the secret and the time come in as arguments.
 */

/** A token older than this is refused: a form left open overnight is sent again, freshly. */
export const FORM_TOKEN_MAX_AGE_HOURS = 24;

/**
 * How far in the future an issue time may lie: several server processes (see the README's scale
 * path) may disagree by a little about the time, and a token they issued is still genuine.
 */
const CLOCK_SKEW_MS = 60_000;

const PURPOSE = "parley comment form v1";
const TOKEN = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string | Buffer, post: string, issuedMs: number): Buffer {
  if (secret.length === 0) throw new RangeError("the form token secret is empty");
  return createHmac("sha256", secret).update(`${PURPOSE}\n${post}\n${issuedMs}`).digest();
}

/** A token for the comment form of `post` (its slug or id), issued at the instant `issuedAt`. */
export function issueFormToken(post: string, issuedAt: string, secret: string | Buffer): string {
  const issuedMs = Date.parse(issuedAt);
  if (!Number.isFinite(issuedMs) || issuedMs < 0) throw new RangeError(`not an instant: ${issuedAt}`);
  return `${issuedMs}.${mac(secret, post, issuedMs).toString("base64url")}`;
}

/**
 * The instant the form was issued (ISO, UTC), or null when the token is malformed, forged, made
 * for another post, older than `maxAgeHours` at `now`, or issued more than a minute after `now`.
 */
export function verifyFormToken(
  token: string | null | undefined,
  post: string,
  secret: string | Buffer,
  now: string,
  maxAgeHours: number = FORM_TOKEN_MAX_AGE_HOURS,
): string | null {
  const match = typeof token === "string" ? TOKEN.exec(token) : null;
  if (!match) return null;
  const issuedMs = Number(match[1]);
  const sent = Buffer.from(match[2]!, "base64url");
  const expected = mac(secret, post, issuedMs);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) return null;
  const nowMs = Date.parse(now);
  if (!Number.isFinite(nowMs)) throw new RangeError(`not an instant: ${now}`);
  if (issuedMs > nowMs + CLOCK_SKEW_MS || nowMs - issuedMs > maxAgeHours * 3_600_000) return null;
  return new Date(issuedMs).toISOString();
}
