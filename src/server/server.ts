import { randomUUID } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from "fastify";
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { h } from "preact";
import type { Accounts } from "../app/accounts.ts";
import { Comments, commentSecret } from "../app/comments.ts";
import { Mailer, type MailSender } from "../app/mailer.ts";
import type { Parley } from "../app/parley.ts";
import { Posts } from "../app/posts.ts";
import { type DispatcherOptions, WebhookDispatcher } from "../app/webhook-dispatcher.ts";
import { webAssets } from "../web/assets.ts";
import { ErrorPage } from "../web/pages/basic.tsx";
import { authenticate, checkCsrf } from "./auth.ts";
import { errorReply, toErrorReply } from "./errors.ts";
import { rejectNul } from "./nul-guard.ts";
import { PAGE_GROUPS } from "./pages/groups.ts";
import { type PageRoute, pagePlugin, wantsHtml } from "./pages/plugin.ts";
import { pageContext, sendPage } from "./pages/render.ts";
import { publicEtags } from "./public-etag.ts";
import { calendarRoutes } from "./routes/calendar.ts";
import { commentRoutes } from "./routes/comments.ts";
import { disputeRoutes } from "./routes/disputes.ts";
import { healthRoutes } from "./routes/health.ts";
import { keyRoutes } from "./routes/keys.ts";
import { orgRoutes } from "./routes/orgs.ts";
import { postRoutes } from "./routes/posts.ts";
import { searchRoutes } from "./routes/search.ts";
import { sessionRoutes } from "./routes/session.ts";
import { streamRoutes } from "./routes/stream.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { witnessRoutes } from "./routes/witness.ts";

declare module "fastify" {
  interface FastifyInstance {
    parley: Parley;
    accounts: Accounts;
    webhooks: WebhookDispatcher;
    posts: Posts;
    comments: Comments;
    /** The workspace's page routes (they are not in the OpenAPI document). */
    pageRoutes: PageRoute[];
  }
}

export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface ServerOptions {
  parley: Parley;
  accounts: Accounts;
  /** pino options, or false for none (tests). */
  logger?: FastifyServerOptions["logger"];
  /** Set behind a TLS-terminating proxy, so cookies are marked Secure and addresses are real. */
  trustProxy?: boolean;
  /** Sign-in attempts per client address per minute (each account also locks after 5 failures). */
  loginsPerMinute?: number;
  /** Webhook deliveries: timeout, backoff, attempts (tests shorten them). */
  webhooks?: DispatcherOptions;
  /** Between a live stream's heartbeats, each of which re-checks its caller (default 15 s). */
  streamHeartbeatMs?: number;
  /**
   * The site's public address, for canonical links, feeds and social cards (default
   * http://127.0.0.1:3000). Never taken from a request's Host header: public pages are cached
   * and shared, and one forged header must not rewrite their links for everyone.
   */
  publicUrl?: string;
  /** Where comment notifications go (default: SMTP as PARLEY_SMTP_URL configures, else none). */
  mailer?: MailSender | null;
}

/** The largest request body accepted: a pass with long contract language fits many times over. */
export const BODY_LIMIT = 256 * 1024;

/** Query parameters that carry secrets (a calendar key): never written to a log. */
const SECRET_PARAMS = /([?&]key=)[^&#]*/g;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, "$1[redacted]");
}

/**
 * The logger's options with a request serializer that logs what Fastify's does, minus the
 * secrets a URL may carry: a calendar app can only present its key in the URL, and a log is
 * read by more people than the key was meant for.
 */
function withoutSecrets(logger: FastifyServerOptions["logger"]): FastifyServerOptions["logger"] {
  if (!logger) return logger;
  return {
    ...(logger === true ? {} : logger),
    serializers: {
      req: (req: {
        method: string;
        url: string;
        host?: string;
        ip?: string;
        socket?: { remotePort?: number };
      }) => ({
        method: req.method,
        url: redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
}

/**
 * The HTTP server: Fastify with zod-validated routes (the same schemas make the OpenAPI
 * document), one error shape, and the caller of every request resolved before its handler.
 */
export async function buildServer(opts: ServerOptions): Promise<Api> {
  const assets = await webAssets();
  const app = Fastify({
    logger: withoutSecrets(opts.logger ?? false),
    bodyLimit: BODY_LIMIT,
    trustProxy: opts.trustProxy ?? false,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    // Errors the router raises before any route runs (a malformed URL) get the API's shape too.
    frameworkErrors: (err, req, reply) => {
      const { status, body } = toErrorReply(err);
      // The reply here is typed for no route in particular; the body is the API's error shape.
      const r = (reply as FastifyReply).header("x-request-id", req.id);
      if (wantsHtml(req)) {
        sendPage(r, h(ErrorPage, { ctx: pageContext(req, assets.urls), status, ...body.error }), status);
        return;
      }
      r.code(status).send(body);
    },
  }).withTypeProvider<ZodTypeProvider>();
  // The API speaks JSON only: a text/plain body is refused (415) rather than parsed as a string.
  app.removeContentTypeParser("text/plain");
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate("parley", opts.parley);
  app.decorate("accounts", opts.accounts);
  const posts = new Posts(opts.parley, () => opts.parley.now());
  app.decorate("posts", posts);
  const comments = new Comments(opts.parley, posts, {
    secret: await commentSecret(opts.parley),
    now: () => opts.parley.now(),
    mailer: opts.mailer === undefined ? Mailer.fromEnv() : opts.mailer,
    publicUrl: opts.publicUrl ?? "http://127.0.0.1:3000",
    log: { info: (obj, msg) => app.log.info(obj, msg), error: (obj, msg) => app.log.error(obj, msg) },
  });
  app.decorate("comments", comments);
  await opts.parley.followOtherProcesses();
  app.decorateRequest("caller", null);
  app.decorateRequest("credential", null);

  app.setErrorHandler((err, req, reply) => {
    const { status, body, unexpected } = toErrorReply(err);
    if (unexpected) req.log.error({ err }, "request failed");
    if (status === 503) reply.header("retry-after", "1");
    reply.header("x-request-id", req.id).code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const { status, body } = errorReply("ROUTE_UNKNOWN", `no route ${req.method} ${req.url.split("?")[0]}`);
    if (wantsHtml(req)) {
      return sendPage(
        reply,
        h(ErrorPage, { ctx: pageContext(req, assets.urls), status, ...body.error }),
        status,
      );
    }
    reply.code(status).send(body);
  });
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });

  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Parley API",
        version: "1",
        description:
          "The shared, signed record of a collective-bargaining negotiation. Errors are `{error: {code, message, details?}}` with stable codes.",
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "parley_session" },
          token: { type: "http", scheme: "bearer" },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });
  app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  app.addHook("onRequest", authenticate(opts.accounts));
  app.addHook("preValidation", rejectNul);
  publicEtags(app);
  // A reader's comment, and the pages its mails link to, act with no account's authority
  // (anonymous whoever sends them); their forms carry a signed token of their own and must come
  // from this origin (pages/plugin.ts).
  app.addHook(
    "preValidation",
    checkCsrf(
      new Set([
        "/api/v1/session",
        "/signin",
        "/news/:slug/comments",
        "/comments/unsubscribe",
        "/comments/erase",
        "/comments/privacy",
      ]),
    ),
  );
  healthRoutes(app);
  sessionRoutes(app, opts.loginsPerMinute ?? 10);
  disputeRoutes(app);
  searchRoutes(app);
  orgRoutes(app);
  keyRoutes(app);
  calendarRoutes(app);
  streamRoutes(app, opts.streamHeartbeatMs);
  webhookRoutes(app);
  witnessRoutes(app);
  postRoutes(app);
  commentRoutes(app);
  app.decorate(
    "pageRoutes",
    await pagePlugin(app, assets, PAGE_GROUPS, {
      loginsPerMinute: opts.loginsPerMinute ?? 10,
      origin: new URL(opts.publicUrl ?? "http://127.0.0.1:3000").origin,
    }),
  );
  // Deliveries start when the server is ready and stop with it, before serve() closes the store.
  const dispatcher = new WebhookDispatcher(opts.parley, {
    onError: (err, context) => app.log.error({ err }, `webhooks: ${context}`),
    ...opts.webhooks,
  });
  app.decorate("webhooks", dispatcher);
  app.addHook("onReady", async () => dispatcher.start());
  app.addHook("onClose", async () => dispatcher.close());
  return app;
}
