import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { h } from "preact";
import { z } from "zod";
import type { Comments } from "../../app/comments.ts";
import { COMMENT_FIELD, CommentForm } from "../../domain/comment.ts";
import { fail } from "../../domain/errors.ts";
import type { Assets } from "../../web/assets.ts";
import {
  ERASE_PATH,
  ErasePage,
  PRIVACY_PATH,
  PrivacyPage,
  UNSUBSCRIBE_PATH,
  UnsubscribePage,
} from "../../web/pages/comment-links.tsx";
import type { Api } from "../server.ts";
import type { PageRoutes } from "./plugin.ts";
import { pageContext, sendPage } from "./render.ts";

/**
 * The pages the newsroom's mails link to, for commenters, who have no account: stop mails about
 * replies to one comment, erase one's comments, and ask for a copy or an erasure by address.
 * The token in a link is the only authority; a GET shows what a button will do and never does
 * it (mail scanners follow links). These pages are for whoever holds the link: never cached,
 * never indexed, and none says anything about an address.
 */

/** Tokens are far shorter than this; anything longer is not one of ours. */
const TOKEN_MAX = 2_000;
const Token = z.string().min(1).max(TOKEN_MAX);
/** A query or a form with a `token`: anything else in it is ignored. */
const TokenInput = z.object({ token: z.unknown().optional() });

/** The shape of an unsubscribe token (Comments.unsubscribeToken): the comment it names, and its MAC. */
const UNSUBSCRIBE_TOKEN = /^u1\.([A-Za-z0-9_-]{1,64})\.[A-Za-z0-9_-]{43}$/;
/**
 * An erasure link's token is sealed (AES-GCM, base64url): at least its nonce, some text and its
 * tag. Only the service can open it; a page can tell at most that it has the right shape.
 */
const SEALED_TOKEN = /^[A-Za-z0-9_-]{40,2000}$/;

const PrivacyForm = z.object({
  email: z.unknown().optional(),
  kind: z.unknown().optional(),
});
const PrivacyQuery = z.object({ sent: z.enum(["1"]).optional() });
const EmailField = CommentForm.shape[COMMENT_FIELD.email];

/** The token a link or its form carries, or MAIL_LINK_INVALID: a link cut short, pasted twice or made up. */
function tokenOf(input: unknown, shape: RegExp): string {
  const parsed = TokenInput.safeParse(input ?? {});
  const token = Token.safeParse(parsed.success ? parsed.data.token : undefined);
  if (!token.success || !shape.test(token.data)) {
    fail(
      "MAIL_LINK_INVALID",
      "This link is incomplete or was not made here: open it again from the mail, whole.",
    );
  }
  return token.data;
}

/**
 * Whether an unsubscribe token is one the service made, checked without using it: the page that
 * a GET shows refuses a forged link at once rather than after the button. The service checks it
 * again when the button is pressed.
 */
function genuineUnsubscribe(comments: Comments, token: string): boolean {
  const id = UNSUBSCRIBE_TOKEN.exec(token)?.[1];
  if (id === undefined) return false;
  const made = Buffer.from(comments.unsubscribeToken(id));
  const given = Buffer.from(token);
  return made.length === given.length && timingSafeEqual(made, given);
}

function unsubscribeToken(req: FastifyRequest, input: unknown): string {
  const token = tokenOf(input, UNSUBSCRIBE_TOKEN);
  if (!genuineUnsubscribe(req.server.comments, token)) fail("MAIL_LINK_INVALID");
  return token;
}

/** One string from a form field (the first, if repeated), or "" when it is not text. */
function text(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === "string" ? v.slice(0, 1_000) : "";
}

/** A sentence from a schema's message: "enter a valid address" → "Enter a valid address." */
function sentence(message: string): string {
  const s = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?)]$/.test(s) ? s : `${s}.`;
}

export const commentLinkPages: PageRoutes = (pages: Api, assets: Assets) => {
  pages.get(UNSUBSCRIBE_PATH, { schema: { hide: true, querystring: TokenInput } }, async (req, reply) => {
    const token = unsubscribeToken(req, req.query);
    return sendPage(reply, h(UnsubscribePage, { ctx: pageContext(req, assets.urls), token, done: false }));
  });

  pages.post(UNSUBSCRIBE_PATH, { schema: { hide: true } }, async (req, reply) => {
    const token = tokenOf(req.body, UNSUBSCRIBE_TOKEN);
    await req.server.comments.unsubscribe(token);
    return sendPage(reply, h(UnsubscribePage, { ctx: pageContext(req, assets.urls), token: "", done: true }));
  });

  pages.get(ERASE_PATH, { schema: { hide: true, querystring: TokenInput } }, async (req, reply) => {
    const token = tokenOf(req.query, SEALED_TOKEN);
    return sendPage(reply, h(ErasePage, { ctx: pageContext(req, assets.urls), token, result: null }));
  });

  pages.post(ERASE_PATH, { schema: { hide: true } }, async (req, reply) => {
    const token = tokenOf(req.body, SEALED_TOKEN);
    const result = await req.server.comments.eraseFor(token);
    return sendPage(reply, h(ErasePage, { ctx: pageContext(req, assets.urls), token: "", result }));
  });

  pages.get(PRIVACY_PATH, { schema: { hide: true, querystring: PrivacyQuery } }, async (req, reply) =>
    sendPage(
      reply,
      h(PrivacyPage, {
        ctx: pageContext(req, assets.urls),
        form: { values: {}, errors: {} },
        sent: req.query.sent === "1",
      }),
    ),
  );

  pages.post(
    PRIVACY_PATH,
    // Mail goes only to addresses that left comments; this bounds how often someone else can
    // have one of them mailed (the same limit as the API's privacy requests).
    { schema: { hide: true }, config: { rateLimit: { max: 10, timeWindow: "1 minute" } } },
    async (req, reply) => {
      const form = PrivacyForm.safeParse(req.body ?? {});
      const typed = { email: text(form.data?.email), kind: text(form.data?.kind) };
      const errors: Record<string, string> = {};
      const email = EmailField.safeParse(typed.email);
      if (!email.success) errors.email = sentence(email.error.issues[0]?.message ?? "enter a valid address");
      if (typed.kind !== "export" && typed.kind !== "erase") {
        errors.kind = "Choose whether the link sends a copy of your comments or erases them.";
      }
      if (!email.success || errors.kind) {
        return sendPage(
          reply,
          h(PrivacyPage, {
            ctx: pageContext(req, assets.urls),
            form: {
              values: typed,
              errors,
              summary: { code: "VALIDATION_FAILED", message: "Nothing was sent: see the fields below." },
            },
            sent: false,
          }),
          400,
        );
      }
      const comments = req.server.comments;
      if (typed.kind === "export") await comments.requestExport(email.data);
      else await comments.requestErasure(email.data);
      // The same answer whatever the address: it says nothing about whether it left comments.
      return reply.redirect(`${PRIVACY_PATH}?sent=1`, 303);
    },
  );
};
