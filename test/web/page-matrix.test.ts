import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, demoServer } from "../support/web.ts";

/**
 * Every page route, asked by each kind of reader: who may open it, who is sent to sign in, who
 * is refused. Bodies are deliberately incomplete: an allowed writer gets a validation page
 * (never a write), a forbidden one a refusal before its body is looked at.
 */
type Actor = "anonymous" | "member" | "negotiator" | "outsider" | "admin";
const ACTORS: Actor[] = ["anonymous", "member", "negotiator", "outsider", "admin"];

let s: Awaited<ReturnType<typeof demoServer>>;
const cookies: Partial<Record<Actor, string>> = {};
const emails: Partial<Record<Actor, string>> = {
  member: "member@wga.demo",
  negotiator: "negotiator@wga.demo",
  outsider: "negotiator@sag-aftra.demo",
  admin: "admin@wga.demo",
};
let asset = "";
let login: (email: string) => Promise<string>;
beforeAll(async () => {
  s = await demoServer();
  await s.accounts.add({
    email: "admin@wga.demo",
    name: "WGA West admin",
    org: "wga-west",
    role: "admin",
    password: DEMO_PASSWORD,
  });
  login = async (email: string) => {
    const res = await fetch(`${s.base}/signin`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email, password: DEMO_PASSWORD }),
      redirect: "manual",
    });
    return res.headers.get("set-cookie")!.split(";")[0]!;
  };
  for (const [actor, email] of Object.entries(emails)) cookies[actor as Actor] = await login(email);
  asset = /src="\/assets\/([^"]+)"/.exec((await s.page("/")).html)![1]!;
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

type Row = {
  method: "GET" | "POST";
  route: string;
  url: () => string;
  body?: Record<string, string>;
  expect: Record<Actor, number>;
  /** Asked on a session of its own, since it ends the session it is sent with. */
  ownSession?: boolean;
};
const all = (status: number): Record<Actor, number> => ({
  anonymous: status,
  member: status,
  negotiator: status,
  outsider: status,
  admin: status,
});

const MATRIX: Row[] = [
  { method: "GET", route: "/assets/:file", url: () => `/assets/${asset}`, expect: all(200) },
  { method: "GET", route: "/", url: () => "/", expect: all(200) },
  { method: "GET", route: "/signin", url: () => "/signin", expect: all(200) },
  {
    method: "POST",
    route: "/signin",
    url: () => "/signin",
    body: { email: "x@y.z", password: "no" },
    expect: all(401),
  },
  {
    method: "GET",
    route: "/workspace",
    url: () => "/workspace",
    expect: { anonymous: 303, member: 200, negotiator: 200, outsider: 200, admin: 200 },
  },
  { method: "GET", route: "/d/:slug", url: () => "/d/wga-2023", expect: all(200) },
  { method: "GET", route: "/d/:slug/entries/:seq", url: () => "/d/wga-2023/entries/3", expect: all(200) },
  // The public site: the same for every reader.
  { method: "GET", route: "/disputes/:slug", url: () => "/disputes/wga-2023", expect: all(200) },
  {
    method: "GET",
    route: "/disputes/:slug/timeline",
    url: () => "/disputes/wga-2023/timeline",
    expect: all(200),
  },
  {
    method: "GET",
    route: "/disputes/:slug/issues",
    url: () => "/disputes/wga-2023/issues",
    expect: all(200),
  },
  {
    method: "GET",
    route: "/disputes/:slug/issues/:issue",
    url: () => "/disputes/wga-2023/issues/ai",
    expect: all(200),
  },
  {
    method: "GET",
    route: "/disputes/:slug/statements",
    url: () => "/disputes/wga-2023/statements",
    expect: all(200),
  },
  {
    method: "GET",
    route: "/disputes/:slug/impact",
    url: () => "/disputes/wga-2023/impact",
    expect: all(200),
  },
  {
    method: "GET",
    route: "/disputes/:slug/entries/:seq",
    url: () => "/disputes/wga-2023/entries/3",
    expect: all(200),
  },
  { method: "GET", route: "/disputes/:slug/embed", url: () => "/disputes/wga-2023/embed", expect: all(200) },
  {
    method: "GET",
    route: "/disputes/:slug/feed.:format",
    url: () => "/disputes/wga-2023/feed.atom",
    expect: all(200),
  },
  {
    method: "GET",
    route: "/disputes/:slug/calendar.ics",
    url: () => "/disputes/wga-2023/calendar.ics",
    expect: all(200),
  },
  { method: "GET", route: "/feed.:format", url: () => "/feed.rss", expect: all(200) },
  { method: "GET", route: "/sitemap.xml", url: () => "/sitemap.xml", expect: all(200) },
  { method: "GET", route: "/robots.txt", url: () => "/robots.txt", expect: all(200) },
  { method: "GET", route: "/news", url: () => "/news", expect: all(200) },
  {
    // A reader's comment: nobody is turned away for who they are; an empty form is sent back.
    method: "POST",
    route: "/news/:slug/comments",
    url: () => "/news/writers-strike-begins-after-six-weeks-of-talks-end-without-a-deal/comments",
    body: { comment: "", name: "", email: "" },
    expect: all(400),
  },
  {
    method: "GET",
    route: "/news/:slug",
    url: () => "/news/writers-strike-begins-after-six-weeks-of-talks-end-without-a-deal",
    expect: all(200),
  },
  { method: "GET", route: "/d/:slug/timeline", url: () => "/d/wga-2023/timeline", expect: all(200) },
  { method: "GET", route: "/d/:slug/issues", url: () => "/d/wga-2023/issues", expect: all(200) },
  { method: "GET", route: "/d/:slug/issues/:issue", url: () => "/d/wga-2023/issues/ai", expect: all(200) },
  { method: "GET", route: "/d/:slug/statements", url: () => "/d/wga-2023/statements", expect: all(200) },
  { method: "GET", route: "/d/:slug/impact", url: () => "/d/wga-2023/impact", expect: all(200) },
  {
    method: "GET",
    route: "/d/:slug/record",
    url: () => "/d/wga-2023/record",
    // The admin is no negotiator: recording takes that role.
    expect: { anonymous: 303, member: 403, negotiator: 200, outsider: 403, admin: 403 },
  },
  {
    method: "GET",
    route: "/d/:slug/record/:type",
    url: () => "/d/wga-2023/record/note.recorded",
    expect: { anonymous: 303, member: 403, negotiator: 200, outsider: 403, admin: 403 },
  },
  {
    method: "POST",
    route: "/d/:slug/record/:type",
    url: () => "/d/wga-2023/record/note.recorded",
    body: { text: "", visibility: "private" },
    expect: { anonymous: 303, member: 403, negotiator: 400, outsider: 403, admin: 403 },
  },
  {
    method: "GET",
    route: "/account",
    url: () => "/account",
    expect: { anonymous: 303, member: 200, negotiator: 200, outsider: 200, admin: 200 },
  },
  {
    method: "POST",
    route: "/account/tokens",
    url: () => "/account/tokens",
    body: { name: "", scope: "api" },
    expect: { anonymous: 401, member: 400, negotiator: 400, outsider: 400, admin: 400 },
  },
  {
    method: "POST",
    route: "/account/tokens/:id/revoke",
    url: () => "/account/tokens/no-such-token/revoke",
    expect: { anonymous: 401, member: 404, negotiator: 404, outsider: 404, admin: 404 },
  },
  {
    method: "POST",
    route: "/account/password",
    url: () => "/account/password",
    body: { current: "", next: "short", confirm: "short" },
    expect: { anonymous: 401, member: 400, negotiator: 400, outsider: 400, admin: 400 },
  },
  {
    method: "GET",
    route: "/orgs/:org/members",
    url: () => "/orgs/wga-west/members",
    expect: { anonymous: 303, member: 403, negotiator: 403, outsider: 403, admin: 200 },
  },
  {
    method: "POST",
    route: "/orgs/:org/members",
    url: () => "/orgs/wga-west/members",
    body: { email: "not an email", role: "member" },
    expect: { anonymous: 401, member: 403, negotiator: 403, outsider: 403, admin: 400 },
  },
  {
    method: "POST",
    route: "/orgs/:org/members/:id/role",
    url: () => "/orgs/wga-west/members/no-such-account/role",
    body: { role: "member" },
    expect: { anonymous: 401, member: 403, negotiator: 403, outsider: 403, admin: 404 },
  },
  {
    method: "POST",
    route: "/orgs/:org/members/:id/remove",
    url: () => "/orgs/wga-west/members/no-such-account/remove",
    expect: { anonymous: 401, member: 403, negotiator: 403, outsider: 403, admin: 404 },
  },
  {
    method: "POST",
    route: "/orgs/:org/members/:id/tokens/:token/revoke",
    url: () => "/orgs/wga-west/members/no-such-account/tokens/no-such-token/revoke",
    expect: { anonymous: 401, member: 403, negotiator: 403, outsider: 403, admin: 404 },
  },
  {
    method: "POST",
    route: "/signout",
    url: () => "/signout",
    ownSession: true,
    expect: { anonymous: 401, member: 303, negotiator: 303, outsider: 303, admin: 303 },
  },
  // The post editor (a WGA West post, and the demo outlet's draft, which no WGA account may see).
  {
    method: "GET",
    route: "/posts",
    url: () => "/posts",
    expect: { anonymous: 303, member: 200, negotiator: 200, outsider: 200, admin: 200 },
  },
  {
    method: "GET",
    route: "/posts/new",
    url: () => "/posts/new",
    expect: { anonymous: 303, member: 200, negotiator: 200, outsider: 200, admin: 200 },
  },
  {
    method: "POST",
    route: "/posts/new",
    url: () => "/posts/new",
    body: { title: "" },
    expect: { anonymous: 401, member: 400, negotiator: 400, outsider: 400, admin: 400 },
  },
  {
    method: "GET",
    route: "/posts/:slug/edit",
    url: () => "/posts/our-answer-to-the-offer-the-studios-made-public/edit",
    expect: { anonymous: 303, member: 403, negotiator: 200, outsider: 403, admin: 200 },
  },
  {
    method: "POST",
    route: "/posts/:slug/edit",
    url: () => "/posts/our-answer-to-the-offer-the-studios-made-public/edit",
    body: { revision: "1", title: "" },
    expect: { anonymous: 401, member: 403, negotiator: 400, outsider: 403, admin: 400 },
  },
  {
    method: "POST",
    route: "/posts/:slug/publish",
    url: () => "/posts/our-answer-to-the-offer-the-studios-made-public/publish",
    body: { schedule: "1", at: "not a time" },
    expect: { anonymous: 401, member: 403, negotiator: 400, outsider: 403, admin: 400 },
  },
  {
    method: "POST",
    route: "/posts/:slug/unpublish",
    url: () => "/posts/what-the-tentative-agreement-changes-for-writers/unpublish",
    expect: { anonymous: 401, member: 404, negotiator: 404, outsider: 404, admin: 404 },
  },
  {
    method: "GET",
    route: "/posts/:slug/revisions",
    url: () => "/posts/our-answer-to-the-offer-the-studios-made-public/revisions",
    expect: { anonymous: 303, member: 403, negotiator: 200, outsider: 403, admin: 200 },
  },
  // Moderation: every admin and negotiator moderates their organization's posts (the outsider
  // SAG-AFTRA's, which have no comment); the member no one's. No comment has this id.
  {
    method: "GET",
    route: "/moderation/comments",
    url: () => "/moderation/comments",
    expect: { anonymous: 303, member: 403, negotiator: 200, outsider: 200, admin: 200 },
  },
  {
    method: "POST",
    route: "/moderation/comments",
    url: () => "/moderation/comments",
    body: { action: "approve" },
    expect: { anonymous: 401, member: 403, negotiator: 400, outsider: 400, admin: 400 },
  },
  ...(["edit", "reply"] as const).flatMap((page): Row[] => [
    {
      method: "GET",
      route: `/moderation/comments/:id/${page}`,
      url: () => `/moderation/comments/cNoSuchComment/${page}`,
      expect: { anonymous: 303, member: 403, negotiator: 404, outsider: 404, admin: 404 },
    },
    {
      method: "POST",
      route: `/moderation/comments/:id/${page}`,
      url: () => `/moderation/comments/cNoSuchComment/${page}`,
      body: { body: "" },
      expect: { anonymous: 401, member: 403, negotiator: 404, outsider: 404, admin: 404 },
    },
  ]),
  {
    method: "GET",
    route: "/moderation/comments/:id/history",
    url: () => "/moderation/comments/cNoSuchComment/history",
    expect: { anonymous: 303, member: 403, negotiator: 404, outsider: 404, admin: 404 },
  },
  // The site's moderation settings are the server operators' (none of these readers is one).
  {
    method: "GET",
    route: "/comments/settings",
    url: () => "/comments/settings",
    expect: { anonymous: 303, member: 403, negotiator: 403, outsider: 403, admin: 403 },
  },
  {
    method: "POST",
    route: "/comments/settings",
    url: () => "/comments/settings",
    body: { maxDepth: "99" },
    expect: { anonymous: 401, member: 403, negotiator: 403, outsider: 403, admin: 403 },
  },
  // The pages of the links mailed to commenters: for whoever holds the link, account or not.
  {
    method: "GET",
    route: "/comments/unsubscribe",
    url: () => `/comments/unsubscribe?token=${s.app.comments.unsubscribeToken("cNoSuchComment")}`,
    expect: all(200),
  },
  {
    method: "POST",
    route: "/comments/unsubscribe",
    url: () => "/comments/unsubscribe",
    body: { token: "forged" },
    expect: all(400),
  },
  { method: "GET", route: "/comments/erase", url: () => "/comments/erase?token=forged", expect: all(400) },
  {
    method: "POST",
    route: "/comments/erase",
    url: () => "/comments/erase",
    body: { token: "A".repeat(64) },
    expect: all(400),
  },
  { method: "GET", route: "/comments/privacy", url: () => "/comments/privacy", expect: all(200) },
  {
    method: "POST",
    route: "/comments/privacy",
    url: () => "/comments/privacy",
    body: { email: "not an address", kind: "export" },
    expect: all(400),
  },
];

async function ask(row: Row, actor: Actor): Promise<{ status: number; html: string }> {
  const email = emails[actor];
  const cookie = row.ownSession && email ? await login(email) : cookies[actor];
  if (row.method === "GET") return s.page(row.url(), cookie);
  // A signed-in form carries its page's CSRF token; the anonymous have none to carry.
  const csrf = cookie ? s.csrfOf((await s.page("/account", cookie)).html) : undefined;
  return s.post(row.url(), { ...(csrf ? { _csrf: csrf } : {}), ...row.body }, cookie);
}

describe("every page route, for every kind of reader", () => {
  it("the matrix names every page route", () => {
    const routes = s.app.pageRoutes.map((r) => `${r.method} ${r.url}`).sort();
    expect(MATRIX.map((r) => `${r.method} ${r.route}`).sort()).toEqual(routes);
  });

  for (const row of MATRIX) {
    it(`${row.method} ${row.route}`, async () => {
      const got: Record<string, number> = {};
      for (const actor of ACTORS) got[actor] = (await ask(row, actor)).status;
      expect(got).toEqual(row.expect);
    });
  }
});

describe("odd input on every page: an error page with a code, never a 500", () => {
  const ODD = [
    "?asOf=%00",
    "?as-of=%00",
    "?as-of=2023-02-30&asOf=2023-09-14",
    "?asOf=2023-02-30",
    "?after=not-a-cursor",
    "?type=__proto__",
    "?type=constructor&type=pass.made",
    `?issue=${"x".repeat(5000)}`,
    "?visibility[]=public",
    "?page=-1",
    "?asOf=2023-09-14&asOf=2023-09-15",
  ];
  it("GET routes with odd query strings", async () => {
    const gets = MATRIX.filter((r) => r.method === "GET" && r.route !== "/assets/:file");
    const failures: string[] = [];
    for (const row of gets) {
      for (const q of ODD) {
        for (const actor of ["anonymous", "negotiator"] as Actor[]) {
          const r = await s.page(row.url() + q, cookies[actor]);
          if (r.status >= 500) failures.push(`${actor} ${row.url()}${q.slice(0, 40)}: ${r.status}`);
          if (r.status >= 400 && !/<code>[A-Z_]+<\/code>/.test(r.html)) {
            failures.push(`${actor} ${row.url()}${q.slice(0, 40)}: ${r.status} without a code`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("odd ids in paths", async () => {
    for (const path of [
      "/d/%E0%A4%A",
      "/d/wga-2023/issues/..%2F..",
      "/d/a b",
      "/orgs/%00/members",
      "/d/wga-2023/record/__proto__",
    ]) {
      const r = await s.page(path, cookies.negotiator);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      expect(r.html, path).toMatch(/^<!doctype html>[\s\S]*<code>[A-Z_]+<\/code>/);
    }
  });
});
