import { domainToUnicode } from "node:url";
import { z } from "zod";
// The renderer's own link finder (pure computation, no I/O): links are counted and searched
// exactly as readers will see them, not by a second parser that could disagree with it.
import { commentLinks } from "../web/comment-text.ts";
import type { ValidComment } from "./comment.ts";
import { ERRORS } from "./errors.ts";

/**
 * What becomes of a reader's comment: approved (shown at once), held (a moderator decides), spam
 * (kept out of sight in the spam queue), or refused with a reason the reader can act on. Pure: the
 * facts about the post, the commenter and their recent comments come in as arguments, as does now.
 *
 * Held and spam look the same to the commenter ("Your comment is awaiting moderation"): only
 * moderators see the outcome and its reasons.
 */

const RateLimit = z.object({
  count: z.number().int().min(1).max(10_000),
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 7),
});
export type RateLimit = z.infer<typeof RateLimit>;

const WordList = z
  .array(z.string().trim().max(100))
  .max(1_000)
  // Blank lines in a settings file are no words.
  .transform((words) => [...new Set(words.filter((w) => w !== ""))]);

/** A site's moderation settings. Every field has a default, so `{}` is a valid configuration. */
export const ModerationSettingsSchema = z.object({
  /**
   * Which comments wait for a moderator: "all", "first-time" (only commenters without an earlier
   * approved comment: once a moderator approved one, the address is trusted) or "none".
   */
  hold: z.enum(["all", "first-time", "none"]).default("first-time"),
  /** Hold a comment with this many links or more; null: never for its links. */
  holdLinks: z.number().int().min(1).max(1_000).nullable().default(2),
  /** Words that hold a comment for a moderator. */
  holdWords: WordList.default([]),
  /** Words that send a comment to the spam queue. */
  spamWords: WordList.default([]),
  /** A form sent back sooner than this after it was issued is refused; 0 turns the check off. */
  minFillSeconds: z.number().int().min(0).max(3_600).default(3),
  /** Comments from one IP address (an IPv6 /64) per window; null: no limit. */
  perIp: RateLimit.nullable().default({ count: 5, windowMinutes: 10 }),
  /** Comments from one email address per window; null: no limit. */
  perEmail: RateLimit.nullable().default({ count: 10, windowMinutes: 60 }),
  /** How deep replies nest: 1 allows no replies; 5 allows a reply to a reply … four levels down. */
  maxDepth: z.number().int().min(1).max(20).default(5),
  /** Comments close this many days (of 24 hours) after the post is published; null: never. */
  closeAfterDays: z.number().int().min(1).max(36_500).nullable().default(null),
});

export type ModerationSettings = z.output<typeof ModerationSettingsSchema>;

export const DEFAULTS: ModerationSettings = Object.freeze(ModerationSettingsSchema.parse({}));

/** What the server knows, at the moment the comment arrives, that the form does not say. */
export interface CommentFacts {
  post: {
    /** When the post was (or will be) published; null while it is a draft. */
    publishedAt: string | null;
    /** The post's own switch (an editor may close one post's comments at any time). */
    commentsOpen: boolean;
  };
  /**
   * The depth of the approved comment replied to on the same post (a new thread's comment has
   * depth 1), or null for a new thread. A parent that does not exist, is on another post or is
   * not approved is the caller's COMMENT_UNKNOWN, before the policy is asked.
   */
  parentDepth: number | null;
  /**
   * Whether a moderator (or the policy) has approved an earlier comment from this email address.
   * Anyone can type an address, so a caller may ask for more (WordPress asks for the same name and
   * address together) and pass false when the rest does not match.
   */
  approvedBefore: boolean;
  /**
   * When the recent comments from this IP hash and from this email address were received, whatever
   * became of them (approved, held, spam or trashed): a bot sorted into spam must still hit the
   * limit, or it could fill the spam queue without end. Older instants are ignored.
   */
  recentFromIp: readonly string[];
  recentFromEmail: readonly string[];
  /** Whether this email address already left this comment on this post (compare duplicateKey of the texts). */
  duplicate: boolean;
  /** What the honeypot field held ("" when untouched). */
  honeypot: string;
  /** When the form was issued, as its verified token says; null when it has none, a forged or an expired one. */
  formIssuedAt: string | null;
}

export type CommentRejection =
  | "COMMENTS_CLOSED"
  | "COMMENT_TOO_DEEP"
  | "COMMENT_RATE_LIMITED"
  | "COMMENT_TOO_FAST"
  | "COMMENT_DUPLICATE";

export type CommentOutcome = "approved" | "held" | "spam";

export type CommentDecision =
  | {
      outcome: CommentOutcome;
      /** Why it was held or marked as spam, for moderators only; empty when approved. */
      reasons: string[];
    }
  | {
      reject: CommentRejection;
      /** For the reader, shown above the form they get back. */
      message: string;
      /** For a rate limit: when the oldest comment counted leaves the window (an HTTP Retry-After). */
      retryAfterSeconds?: number;
    };

const DAY_MS = 86_400_000;

function ms(instant: string): number {
  const t = Date.parse(instant);
  if (!Number.isFinite(t)) throw new RangeError(`not an instant: ${instant}`);
  return t;
}

/**
 * When comments on a post published at `publishedAt` close, by the settings alone (ISO), or null
 * when they never do. A post published at 09:00 with `closeAfterDays: 14` takes comments until
 * 08:59:59.999 fourteen days later.
 */
export function commentsCloseAt(publishedAt: string, settings: ModerationSettings): string | null {
  if (settings.closeAfterDays === null) return null;
  return new Date(ms(publishedAt) + settings.closeAfterDays * DAY_MS).toISOString();
}

/** Whether a post takes comments at `now`; the page shows the form only then. */
export function commentsOpen(post: CommentFacts["post"], settings: ModerationSettings, now: string): boolean {
  if (!post.commentsOpen || post.publishedAt === null) return false;
  const t = ms(now);
  if (t < ms(post.publishedAt)) return false;
  const closeAt = commentsCloseAt(post.publishedAt, settings);
  return closeAt === null || t < ms(closeAt);
}

/** Whether a comment at `depth` may be replied to; the page shows its reply link only then. */
export function canReplyAt(depth: number, settings: ModerationSettings): boolean {
  return depth < settings.maxDepth;
}

/**
 * The form of a comment's text under which two comments are "the same": Unicode compatibility
 * forms folded (NFKC), case ignored, every run of white space one space, ends trimmed.
 */
export function duplicateKey(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
}

/**
 * Decides on a comment. The rules run in this order, and the first that applies decides:
 *
 * 1. Closed (the post's switch, a draft or scheduled post, or closeAfterDays passed) -> refused.
 *    Where the comment would go is settled before who sends it, and nothing is written.
 * 2. Too deep (a reply below maxDepth) -> refused. The page offers no reply link there, so only
 *    a hand-made request gets this; it also writes nothing.
 * 3. Rate limits, per IP hash then per email -> refused. Before the honeypot, so that bots meet
 *    the limit too: everything accepted below is stored, spam included, and without this a bot
 *    could fill the store. A bot learns only what every sender learns, that it sends too often.
 * 4. Honeypot filled -> spam, silently: the sender is told "awaiting moderation" like anyone
 *    held, so a bot cannot tell it was caught nor what caught it. This comes before every rule
 *    a bot could learn from (fill time, duplicates, words).
 * 5. No valid form token (none, forged, expired) or sent too fast -> refused with "send it
 *    again": a person who left a form open for a day, or pressed Send within seconds of loading
 *    the page, loses nothing, since the form comes back filled in with a fresh token.
 * 6. Duplicate (same email, same post, same text by duplicateKey) -> refused: a person who sent
 *    twice (a double click, a reload) is told the first one arrived.
 * 7. Spam words -> spam. Before the hold rules: junk does not need a moderator's look.
 * 8. Hold: hold "all", a first-time commenter under "first-time", holdLinks links or more, or a
 *    hold word -> held, with every reason that applied (a moderator sees them all at once).
 * 9. Otherwise -> approved.
 */
export function decideComment(
  input: ValidComment,
  facts: CommentFacts,
  settings: ModerationSettings,
  now: string,
): CommentDecision {
  const nowMs = ms(now);

  if (!commentsOpen(facts.post, settings, now)) {
    return { reject: "COMMENTS_CLOSED", message: ERRORS.COMMENTS_CLOSED.message };
  }

  if (facts.parentDepth !== null && !canReplyAt(facts.parentDepth, settings)) {
    return { reject: "COMMENT_TOO_DEEP", message: ERRORS.COMMENT_TOO_DEEP.message };
  }

  for (const [limit, recent] of [
    [settings.perIp, facts.recentFromIp],
    [settings.perEmail, facts.recentFromEmail],
  ] as const) {
    const retryAfter = limit && rateLimited(limit, recent, nowMs);
    if (retryAfter) {
      return {
        reject: "COMMENT_RATE_LIMITED",
        message: ERRORS.COMMENT_RATE_LIMITED.message,
        retryAfterSeconds: retryAfter,
      };
    }
  }

  if (facts.honeypot.trim() !== "") {
    return { outcome: "spam", reasons: ["the hidden field bots fill in was filled in"] };
  }

  if (facts.formIssuedAt === null) {
    return {
      reject: "COMMENT_TOO_FAST",
      message: "The form has expired or is incomplete; send it again.",
    };
  }
  // With the check off, a token issued a few seconds "later" by a server whose clock runs ahead passes.
  if (settings.minFillSeconds > 0 && nowMs - ms(facts.formIssuedAt) < settings.minFillSeconds * 1_000) {
    return { reject: "COMMENT_TOO_FAST", message: ERRORS.COMMENT_TOO_FAST.message };
  }

  if (facts.duplicate) {
    return { reject: "COMMENT_DUPLICATE", message: ERRORS.COMMENT_DUPLICATE.message };
  }

  const links = commentLinks(input.comment);
  const spam = wordsFound(settings.spamWords, input, links);
  if (spam.length > 0) {
    return { outcome: "spam", reasons: spam.map((w) => `spam word "${w}"`) };
  }

  const reasons: string[] = [];
  if (settings.hold === "all") reasons.push("every comment is held for moderation");
  if (settings.hold === "first-time" && !facts.approvedBefore) {
    reasons.push("first comment from this commenter");
  }
  if (settings.holdLinks !== null && links.length >= settings.holdLinks) {
    reasons.push(`${links.length} links (held from ${settings.holdLinks})`);
  }
  for (const word of wordsFound(settings.holdWords, input, links)) reasons.push(`hold word "${word}"`);

  return reasons.length > 0 ? { outcome: "held", reasons } : { outcome: "approved", reasons: [] };
}

/**
 * Seconds until the sender may comment again, or 0 when this comment is within the limit. A
 * comment counts while it is less than windowMinutes old: one sent exactly windowMinutes ago has
 * left the window.
 */
function rateLimited(limit: RateLimit, recent: readonly string[], nowMs: number): number {
  const windowMs = limit.windowMinutes * 60_000;
  const inWindow = recent.map(ms).filter((t) => t > nowMs - windowMs);
  if (inWindow.length < limit.count) return 0;
  // The sender may send again once enough comments have left the window to leave room for one.
  const sorted = inWindow.sort((a, b) => b - a);
  const freeAt = sorted[limit.count - 1]! + windowMs;
  return Math.max(1, Math.ceil((freeAt - nowMs) / 1_000));
}

/**
 * The listed words found in a comment, in list order. Two ways of matching, both ignoring case
 * and Unicode compatibility forms (NFKC folds "ｃａｓｉｎｏ" into "casino"):
 * - In the text and the name, whole words only: "ass" must not hold "class" or "Massachusetts"
 *   (the Scunthorpe problem). A listed phrase ("free money") matches across any white space.
 * - In web addresses (the website field, every link in the text, and the email address), as a
 *   substring: spam domains run words together ("cheapcasinobonus.example"), where a whole-word
 *   rule would never fire, and nobody reads an address as prose. Addresses are compared
 *   percent-decoded and with international domain names in Unicode, so neither encoding hides a
 *   word.
 */
function wordsFound(words: readonly string[], input: ValidComment, links: readonly string[]): string[] {
  if (words.length === 0) return [];
  const prose = fold(`${input.name}\n${input.comment}`);
  const addresses = [input.website, ...links]
    .filter((a): a is string => a !== null)
    .map(readableAddress)
    .concat(fold(input.email));
  return words.filter((word) => {
    const folded = fold(word);
    return wholeWord(folded).test(prose) || addresses.some((a) => a.includes(folded));
  });
}

function fold(s: string): string {
  return s.normalize("NFKC").toLowerCase();
}

function wholeWord(folded: string): RegExp {
  const pattern = folded
    .split(/\s+/u)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
    .join("\\s+");
  return new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_])${pattern}(?![\\p{L}\\p{N}\\p{M}_])`, "u");
}

function readableAddress(href: string): string {
  let text = href;
  try {
    const url = new URL(href);
    text = `${url.protocol}//${domainToUnicode(url.hostname) || url.hostname}${url.pathname}${url.search}${url.hash}`;
  } catch {
    // Not a URL after all: searched as written.
  }
  try {
    text = decodeURIComponent(text);
  } catch {
    // A malformed escape: searched as written.
  }
  return fold(text);
}
