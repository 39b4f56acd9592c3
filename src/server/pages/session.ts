import { h } from "preact";
import { z } from "zod";
import { ParleyError } from "../../domain/errors.ts";
import type { Assets } from "../../web/assets.ts";
import { SignInPage } from "../../web/pages/basic.tsx";
import { endSession, setSessionCookie } from "../auth.ts";
import type { Api } from "../server.ts";
import { pageContext, sendPage } from "./render.ts";

/** Where to go after signing in: a path on this site only, never another origin. */
export function localPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.includes("\\")) {
    return "/workspace";
  }
  return next.slice(0, 2000);
}

const SignInForm = z.object({
  email: z.string().max(254).default(""),
  password: z.string().max(1024).default(""),
  next: z.string().max(2000).optional(),
});

/** Signing in and out with the same sessions, lockout and rate limit as the API. */
export function sessionPages(pages: Api, assets: Assets, loginsPerMinute: number): void {
  pages.get("/signin", { schema: { hide: true } }, async (req, reply) => {
    const next = localPath((req.query as { next?: unknown }).next);
    return sendPage(reply, h(SignInPage, { ctx: pageContext(req, assets.urls), next }));
  });

  pages.post(
    "/signin",
    { schema: { hide: true }, config: { rateLimit: { max: loginsPerMinute, timeWindow: "1 minute" } } },
    async (req, reply) => {
      const form = SignInForm.safeParse(req.body ?? {});
      const fields = form.success ? form.data : { email: "", password: "", next: undefined };
      const next = localPath(fields.next);
      try {
        const s = await req.server.accounts.login(fields.email, fields.password);
        setSessionCookie(req, reply, s);
        return reply.redirect(next, 303);
      } catch (err) {
        if (!(err instanceof ParleyError)) throw err;
        const status = err.code === "ACCOUNT_LOCKED" ? 429 : 401;
        const page = h(SignInPage, {
          ctx: pageContext(req, assets.urls),
          next,
          email: fields.email,
          error: `${err.message} (${err.code})`,
        });
        return sendPage(reply, page, status);
      }
    },
  );

  pages.post("/signout", { schema: { hide: true } }, async (req, reply) => {
    await endSession(req, reply);
    return reply.redirect("/", 303);
  });
}
