import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { CompiledQuery } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts } from "../../src/app/accounts.ts";
import type { Parley } from "../../src/app/parley.ts";
import { type AttemptReport, WebhookDispatcher } from "../../src/app/webhook-dispatcher.ts";
import { Webhooks } from "../../src/app/webhooks.ts";
import type { Appended } from "../../src/app/writer.ts";
import { type Api, buildServer } from "../../src/server/server.ts";
import { AMPTP, MARKERS, smallDispute, WGA } from "../support/fixture.ts";
import { PASSWORD, PEOPLE } from "../support/server.ts";

const SLUG = "test-2023";
const ADMINS = {
  wgaAdmin: { email: "admin@wga.example", org: "wga-west", role: "admin" },
  amptpAdmin: { email: "admin@amptp.example", org: "amptp", role: "admin" },
} as const;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: the test reads the payload's fields
  json: any;
}

/**
 * A webhook receiver on 127.0.0.1: it keeps every request, answers each with what `answers`
 * says for its path (by how many that path has had before; null never answers), and lets a
 * test wait for a request rather than for a while.
 */
async function startReceiver() {
  const received: Received[] = [];
  const waiters: { match: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  const answers = new Map<string, (n: number) => number | null>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const body = Buffer.concat(chunks).toString("utf8");
      const r: Received = { path, headers: req.headers, body, json: JSON.parse(body) };
      const n = received.filter((x) => x.path === path).length;
      received.push(r);
      const status = (answers.get(path) ?? (() => 200))(n);
      if (status !== null) res.writeHead(status).end();
      for (const w of waiters.filter((w) => w.match(r))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    answers,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    /** The first request (already received or still to come) that matches. */
    next(match: (r: Received) => boolean): Promise<Received> {
      const seen = received.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    to: (path: string, seq: number) => received.filter((r) => r.path === path && r.json.seq === seq),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Every attempt a dispatcher reports, and a way to wait for one. */
function watch(dispatcher: WebhookDispatcher) {
  const reports: AttemptReport[] = [];
  const waiters: { match: (r: AttemptReport) => boolean; resolve: (r: AttemptReport) => void }[] = [];
  dispatcher.onAttempt((r) => {
    reports.push(r);
    for (const w of waiters.filter((w) => w.match(r))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(r);
    }
  });
  return {
    reports,
    next(match: (r: AttemptReport) => boolean): Promise<AttemptReport> {
      const seen = reports.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

const hmac = (secret: string, body: string) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

const say = (parley: Parley, text: string, actor = WGA) =>
  parley.execute(SLUG, {
    actor,
    type: "statement.made",
    occurredAt: "2023-09-26T17:00:00Z",
    visibility: "public",
    payload: { by: actor.org, channel: "other", text },
  });
const note = (parley: Parley, text: string, actor: typeof WGA, visibility: string) =>
  parley.execute(SLUG, {
    actor,
    type: "note.recorded",
    occurredAt: "2023-09-26T17:00:00Z",
    visibility,
    payload: { text },
  });

let parley: Parley;
let app: Api;
let base: string;
let dispatcher: WebhookDispatcher;
let attempts: ReturnType<typeof watch>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const auth: Record<string, Record<string, string>> = {};
const MAX_ATTEMPTS = 3;

const call = async (method: string, path: string, init: { body?: unknown; as?: string } = {}) => {
  const headers: Record<string, string> = { ...(init.as ? auth[init.as] : {}) };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(base + path, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
  return { status: res.status, text, json: (text ? JSON.parse(text) : null) as any };
};

const register = async (as: keyof typeof ADMINS, path: string) => {
  const org = ADMINS[as].org;
  const r = await call("POST", `/api/v1/orgs/${org}/webhooks`, { body: { url: receiver.url(path) }, as });
  expect(r.status).toBe(201);
  return r.json as { id: string; url: string; secret: string };
};

const log = async (org: string, id: string, as = "wgaAdmin") =>
  call("GET", `/api/v1/orgs/${org}/webhooks/${id}/deliveries`, { as });

let wgaHook: { id: string; url: string; secret: string };
let amptpHook: { id: string; url: string; secret: string };

beforeAll(async () => {
  parley = (await smallDispute()).app;
  receiver = await startReceiver();
  const accounts = new Accounts(parley.db, () => new Date(parley.now()));
  const people = { ...ADMINS, wgaNegotiator: PEOPLE.wgaNegotiator, wgaMember: PEOPLE.wgaMember };
  for (const [name, p] of Object.entries(people)) await accounts.add({ ...p, name, password: PASSWORD });
  app = await buildServer({
    parley,
    accounts,
    loginsPerMinute: 1000,
    webhooks: { backoffBaseMs: 5, maxAttempts: MAX_ATTEMPTS },
  });
  dispatcher = app.webhooks;
  attempts = watch(dispatcher);
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  for (const [name, p] of Object.entries(people)) {
    const r = await fetch(`${base}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: p.email, password: PASSWORD }),
    });
    const { csrf } = (await r.json()) as { csrf: string };
    auth[name] = { cookie: r.headers.get("set-cookie")!.split(";")[0]!, "x-csrf-token": csrf };
  }
  wgaHook = await register("wgaAdmin", "/wga");
  amptpHook = await register("amptpAdmin", "/amptp");
});
afterAll(async () => {
  await receiver.close();
  await app.close();
  await parley.close();
});

describe("registering webhooks", () => {
  it("gives the admin the secret once, and lists the webhook without it", async () => {
    expect(wgaHook).toMatchObject({ id: expect.stringMatching(/^wh-/), url: receiver.url("/wga") });
    expect(wgaHook.secret).toMatch(/^whsec_.{40,}/);
    const list = await call("GET", "/api/v1/orgs/wga-west/webhooks", { as: "wgaAdmin" });
    expect(list.status).toBe(200);
    expect(list.json.webhooks).toContainEqual(
      expect.objectContaining({ id: wgaHook.id, url: receiver.url("/wga"), disabledAt: null }),
    );
    expect(list.text).not.toContain(wgaHook.secret);
    // Each organization's list holds its own webhooks only.
    expect(list.text).not.toContain(amptpHook.id);
  });

  it("refuses a URL that is not http or https, or not a URL at all, and registers nothing", async () => {
    const before = (await call("GET", "/api/v1/orgs/wga-west/webhooks", { as: "wgaAdmin" })).json.webhooks;
    for (const url of ["ftp://x", "not a url", "http://user:secret@example.com/hook", ""]) {
      const r = await call("POST", "/api/v1/orgs/wga-west/webhooks", { body: { url }, as: "wgaAdmin" });
      expect({ url, status: r.status, code: r.json.error.code }).toEqual({
        url,
        status: 400,
        code: "VALIDATION_FAILED",
      });
    }
    const extra = await call("POST", "/api/v1/orgs/wga-west/webhooks", {
      body: { url: receiver.url("/x"), secret: "mine" },
      as: "wgaAdmin",
    });
    expect([extra.status, extra.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    const after = (await call("GET", "/api/v1/orgs/wga-west/webhooks", { as: "wgaAdmin" })).json.webhooks;
    expect(after).toEqual(before);
  });

  it("answers an unknown webhook, or another organization's, with 404", async () => {
    for (const [method, path] of [
      ["DELETE", "/api/v1/orgs/wga-west/webhooks/wh-nonexistent"],
      ["GET", "/api/v1/orgs/wga-west/webhooks/wh-nonexistent/deliveries"],
      ["GET", `/api/v1/orgs/amptp/webhooks/${wgaHook.id}/deliveries`],
      ["DELETE", `/api/v1/orgs/amptp/webhooks/${wgaHook.id}`],
    ] as const) {
      const r = await call(method, path, { as: path.includes("/amptp/") ? "amptpAdmin" : "wgaAdmin" });
      expect({ path, status: r.status, code: r.json.error.code }).toEqual({
        path,
        status: 404,
        code: "WEBHOOK_UNKNOWN",
      });
    }
    // The AMPTP's attempt to disable the WGA's webhook left it active.
    const list = await call("GET", "/api/v1/orgs/wga-west/webhooks", { as: "wgaAdmin" });
    expect(list.json.webhooks.find((w: { id: string }) => w.id === wgaHook.id).disabledAt).toBeNull();
  });

  it("lets only the organization's admins in: 401 for the anonymous, 403 for everyone else", async () => {
    const routes = [
      ["GET", "/api/v1/orgs/wga-west/webhooks"],
      ["POST", "/api/v1/orgs/wga-west/webhooks"],
      ["DELETE", `/api/v1/orgs/wga-west/webhooks/${wgaHook.id}`],
      ["GET", `/api/v1/orgs/wga-west/webhooks/${wgaHook.id}/deliveries`],
    ] as const;
    for (const [method, path] of routes) {
      const body = method === "POST" ? { body: { url: receiver.url("/intruder") } } : {};
      for (const [as, status, code] of [
        [undefined, 401, "AUTH_REQUIRED"],
        ["wgaNegotiator", 403, "ROLE_REQUIRED"],
        ["wgaMember", 403, "ROLE_REQUIRED"],
        ["amptpAdmin", 403, "ROLE_REQUIRED"],
      ] as const) {
        const r = await call(method, path, { ...body, ...(as ? { as } : {}) });
        expect({ method, path, as, status: r.status, code: r.json.error.code }).toEqual({
          method,
          path,
          as,
          status,
          code,
        });
      }
    }
    // A bad body from someone who may not register learns nothing about what is valid.
    const bad = await call("POST", "/api/v1/orgs/wga-west/webhooks", {
      body: { url: "ftp://x" },
      as: "wgaNegotiator",
    });
    expect(bad.status).toBe(403);
    const list = await call("GET", "/api/v1/orgs/wga-west/webhooks", { as: "wgaAdmin" });
    expect(list.text).not.toContain("/intruder");
    expect(list.json.webhooks.find((w: { id: string }) => w.id === wgaHook.id).disabledAt).toBeNull();
  });
});

describe("delivering entries", () => {
  it("posts a public and a table entry to the WGA's webhook, signed with its secret", async () => {
    const pub = await say(parley, "public statement for the hooks");
    const table = await note(parley, "table note for the hooks", AMPTP, "table");
    for (const entry of [pub, table]) {
      const r = await receiver.next((r) => r.path === "/wga" && r.json.seq === entry.seq);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["x-parley-event"]).toBe("entry");
      expect(r.headers["x-parley-delivery"]).toMatch(/^dl-[0-9a-f]+$/);
      expect(r.headers["x-parley-signature"]).toBe(hmac(wgaHook.secret, r.body));
      // The header could fail: another webhook's secret does not produce it.
      expect(r.headers["x-parley-signature"]).not.toBe(hmac(amptpHook.secret, r.body));
      expect(r.json).toEqual({
        dispute: SLUG,
        seq: entry.seq,
        type: entry.type,
        entry: expect.objectContaining({ seq: entry.seq, type: entry.type, visibility: entry.visibility }),
        signature: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
      });
    }
    expect(receiver.to("/wga", table.seq)[0]!.json.entry.payload.text).toBe("table note for the hooks");
    for (const entry of [pub, table]) {
      await attempts.next(
        (a) => a.webhookId === wgaHook.id && a.seq === entry.seq && a.status === "delivered",
      );
    }
    const deliveries = (await log("wga-west", wgaHook.id)).json.deliveries;
    for (const entry of [pub, table]) {
      expect(deliveries).toContainEqual(
        expect.objectContaining({
          dispute: SLUG,
          seq: entry.seq,
          status: "delivered",
          attempts: 1,
          lastStatusCode: 200,
          lastError: null,
          nextAttemptAt: null,
        }),
      );
    }
  });

  it("does not post the AMPTP's private note to the WGA's webhook, but does to the AMPTP's", async () => {
    const secret = await note(parley, `AMPTP caucus. ${MARKERS.amptpPrivate}`, AMPTP, "private");
    const sentinel = await say(parley, "after the AMPTP caucus");
    const atAmptp = await receiver.next((r) => r.path === "/amptp" && r.json.seq === secret.seq);
    expect(atAmptp.body).toContain(MARKERS.amptpPrivate);
    expect(atAmptp.headers["x-parley-signature"]).toBe(hmac(amptpHook.secret, atAmptp.body));
    // Deliveries are recorded in commit order: once the later entry's delivery is settled,
    // a delivery of the note, had there been one, would be in the log.
    await attempts.next(
      (a) => a.webhookId === wgaHook.id && a.seq === sentinel.seq && a.status === "delivered",
    );
    const wga = (await log("wga-west", wgaHook.id)).json.deliveries as { seq: number }[];
    expect(wga.map((d) => d.seq)).toContain(sentinel.seq);
    expect(wga.map((d) => d.seq)).not.toContain(secret.seq);
    expect(receiver.to("/wga", secret.seq)).toEqual([]);
    expect(
      receiver.received.filter((r) => r.path === "/wga" && r.body.includes(MARKERS.amptpPrivate)),
    ).toEqual([]);
  });

  it("retries after a 500 and then delivers, with the same delivery id and body", async () => {
    receiver.answers.set("/flaky", (n) => (n === 0 ? 500 : 200));
    const flaky = await register("wgaAdmin", "/flaky");
    const entry = await say(parley, "retried statement");
    const done = await attempts.next(
      (a) => a.webhookId === flaky.id && a.seq === entry.seq && a.status !== "pending",
    );
    expect(done).toMatchObject({ status: "delivered", attempt: 2, statusCode: 200 });
    const first = attempts.reports.find((a) => a.webhookId === flaky.id && a.attempt === 1);
    expect(first).toMatchObject({ status: "pending", statusCode: 500, error: "HTTP 500" });
    const posts = receiver.to("/flaky", entry.seq);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.headers["x-parley-delivery"]).toBe(posts[0]!.headers["x-parley-delivery"]);
    expect(posts[1]!.body).toBe(posts[0]!.body);
    expect(posts[1]!.headers["x-parley-signature"]).toBe(hmac(flaky.secret, posts[1]!.body));
    const [latest] = (await log("wga-west", flaky.id)).json.deliveries;
    expect(latest).toMatchObject({
      id: posts[0]!.headers["x-parley-delivery"],
      seq: entry.seq,
      status: "delivered",
      attempts: 2,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(
      (await call("DELETE", `/api/v1/orgs/wga-west/webhooks/${flaky.id}`, { as: "wgaAdmin" })).status,
    ).toBe(204);
  });

  it("marks a delivery failed after the last attempt, and posts nothing more once disabled", async () => {
    receiver.answers.set("/down", () => 503);
    const down = await register("wgaAdmin", "/down");
    const entry = await say(parley, "never acknowledged");
    const done = await attempts.next(
      (a) => a.webhookId === down.id && a.seq === entry.seq && a.status !== "pending",
    );
    expect(done).toMatchObject({ status: "failed", attempt: MAX_ATTEMPTS, statusCode: 503 });
    expect(receiver.to("/down", entry.seq)).toHaveLength(MAX_ATTEMPTS);
    const [latest] = (await log("wga-west", down.id)).json.deliveries;
    expect(latest).toMatchObject({
      seq: entry.seq,
      status: "failed",
      attempts: MAX_ATTEMPTS,
      lastStatusCode: 503,
      lastError: "HTTP 503",
      nextAttemptAt: null,
      deliveredAt: null,
    });

    expect(
      (await call("DELETE", `/api/v1/orgs/wga-west/webhooks/${down.id}`, { as: "wgaAdmin" })).status,
    ).toBe(204);
    const again = await call("DELETE", `/api/v1/orgs/wga-west/webhooks/${down.id}`, { as: "wgaAdmin" });
    expect([again.status, again.json.error.code]).toEqual([404, "WEBHOOK_UNKNOWN"]);
    const listed = (await call("GET", "/api/v1/orgs/wga-west/webhooks", { as: "wgaAdmin" })).json.webhooks;
    expect(listed.find((w: { id: string }) => w.id === down.id).disabledAt).toEqual(expect.any(String));
    const later = await say(parley, "after disabling");
    await attempts.next((a) => a.webhookId === wgaHook.id && a.seq === later.seq && a.status === "delivered");
    expect(receiver.to("/down", later.seq)).toEqual([]);
    expect((await log("wga-west", down.id)).json.deliveries[0].seq).toBe(entry.seq);
  });

  it("counts a refused connection as a failed attempt, with the reason in the log", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await call("POST", "/api/v1/orgs/wga-west/webhooks", {
      body: { url: `http://127.0.0.1:${port}/gone` },
      as: "wgaAdmin",
    });
    const entry = await say(parley, "to nobody");
    const done = await attempts.next(
      (a) => a.webhookId === r.json.id && a.seq === entry.seq && a.status !== "pending",
    );
    expect(done).toMatchObject({ status: "failed", attempt: MAX_ATTEMPTS, statusCode: null });
    const [latest] = (await log("wga-west", r.json.id)).json.deliveries;
    expect(latest).toMatchObject({ status: "failed", lastStatusCode: null });
    expect(latest.lastError).toMatch(/ECONNREFUSED/);
    await call("DELETE", `/api/v1/orgs/wga-west/webhooks/${r.json.id}`, { as: "wgaAdmin" });
  });

  it("shows the delivery log to the WGA's admin, newest first, and to no one else", async () => {
    const latest = await say(parley, "the latest statement");
    await attempts.next(
      (a) => a.webhookId === wgaHook.id && a.seq === latest.seq && a.status === "delivered",
    );
    const own = await log("wga-west", wgaHook.id);
    expect(own.status).toBe(200);
    const seqs = (own.json.deliveries as { seq: number }[]).map((d) => d.seq);
    expect(seqs[0]).toBe(latest.seq);
    expect(seqs.length).toBeGreaterThan(3);
    expect(
      (
        await call("GET", `/api/v1/orgs/wga-west/webhooks/${wgaHook.id}/deliveries?limit=2`, {
          as: "wgaAdmin",
        })
      ).json.deliveries,
    ).toHaveLength(2);
    const negotiator = await log("wga-west", wgaHook.id, "wgaNegotiator");
    expect([negotiator.status, negotiator.json.error.code]).toEqual([403, "ROLE_REQUIRED"]);
    const anonymous = await call("GET", `/api/v1/orgs/wga-west/webhooks/${wgaHook.id}/deliveries`);
    expect([anonymous.status, anonymous.json.error.code]).toEqual([401, "AUTH_REQUIRED"]);
  });
});

describe("the dispatcher on its own", () => {
  /** A second store with one WGA webhook, and no server: dispatchers are started by hand. */
  async function withHook(path: string) {
    const p = (await smallDispute()).app;
    const admin = await new Accounts(p.db, () => new Date(p.now())).add({
      ...ADMINS.wgaAdmin,
      name: "admin",
      password: PASSWORD,
    });
    const hook = await new Webhooks(p.db, () => new Date()).create("wga-west", admin.id, {
      url: receiver.url(path),
    });
    return { p, hook };
  }

  it("resumes the deliveries a previous run left pending", async () => {
    receiver.answers.set("/resume", (n) => (n === 0 ? 500 : 200));
    const { p, hook } = await withHook("/resume");
    // The first run's retry is due in an hour: it stops before then.
    const first = new WebhookDispatcher(p, { backoffBaseMs: 3_600_000 });
    const firstAttempts = watch(first);
    await first.start();
    const entry = await say(p, "sent across a restart");
    const failed = await firstAttempts.next((a) => a.seq === entry.seq);
    expect(failed).toMatchObject({ status: "pending", attempt: 1, statusCode: 500 });
    await first.close();
    const row = await p.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("id", "=", failed.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "pending", attempts: 1, webhook_id: hook.id });

    // The second run starts after the retry fell due.
    const second = new WebhookDispatcher(p, { clock: () => new Date(Date.now() + 2 * 3_600_000) });
    const secondAttempts = watch(second);
    await second.start();
    const done = await secondAttempts.next((a) => a.id === failed.id);
    expect(done).toMatchObject({ status: "delivered", attempt: 2, statusCode: 200 });
    const posts = receiver.to("/resume", entry.seq);
    expect(posts.map((r) => r.headers["x-parley-delivery"])).toEqual([failed.id, failed.id]);
    await second.close();
    await p.close();
  });

  it("records the commits queued at once against one reading of the active webhooks", async () => {
    const { p } = await withHook("/together");
    // The dispatcher's subscription is held back, so that two commits reach it in one turn.
    const commits: [string, Appended[]][] = [];
    p.subscribe((slug, appended) => void commits.push([slug, appended]));
    let deliver: ((slug: string, appended: Appended[]) => void) | null = null;
    const subscribe = p.subscribe.bind(p);
    p.subscribe = (listener) => {
      deliver = listener;
      return subscribe(() => {});
    };
    let hookReadings = 0;
    const executeQuery = p.db.executeQuery.bind(p.db);
    p.db.executeQuery = ((query: CompiledQuery) => {
      if (/from "webhooks" where "disabled_at" is null/.test(query.sql)) hookReadings += 1;
      return executeQuery(query);
    }) as typeof p.db.executeQuery;
    const d = new WebhookDispatcher(p);
    await d.start();
    const first = await say(p, "one");
    const second = await say(p, "two");
    expect(commits).toHaveLength(2);
    for (const [slug, appended] of commits) deliver!(slug, appended);
    await receiver.next((r) => r.path === "/together" && r.json.seq === first.seq);
    await receiver.next((r) => r.path === "/together" && r.json.seq === second.seq);
    expect(hookReadings).toBe(1);
    await d.close();
    await p.close();
  });

  it("returns from an append before a receiver that never answers, then times the attempt out", async () => {
    receiver.answers.set("/hang", () => null);
    const { p } = await withHook("/hang");
    const d = new WebhookDispatcher(p, { timeoutMs: 200, maxAttempts: 1 });
    const seen = watch(d);
    await d.start();
    const entry = await say(p, "into the void");
    // The append is back while its delivery has not even been tried.
    expect(seen.reports).toEqual([]);
    expect(receiver.to("/hang", entry.seq)).toEqual([]);
    await receiver.next((r) => r.path === "/hang" && r.json.seq === entry.seq);
    const done = await seen.next((a) => a.seq === entry.seq);
    expect(done).toMatchObject({ status: "failed", attempt: 1, statusCode: null });
    expect(done.error).toMatch(/no answer within 200 ms/);
    await d.close();
    await p.close();
  });
});
