import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { MARKERS, PRESS, smallDispute } from "../support/fixture.ts";
import { PEOPLE, type Person, startServer } from "../support/server.ts";

/**
 * Every route in the OpenAPI document, for every class of viewer: what status each gets, and
 * that no response carries a marker planted in an entry that viewer may not see. A route
 * added without a line here fails the first test, so none escapes the matrix.
 */
const SLUG = "test-2023";
type Who = "anonymous" | Person;
const EVERYONE: Who[] = ["anonymous", ...(Object.keys(PEOPLE) as Person[])];
const SIGNED_IN = EVERYONE.filter((w) => w !== "anonymous");
const RECORDERS: Who[] = ["wgaNegotiator", "amptpNegotiator", "reporter"];

/** The markers each viewer may see: its own side's private notes, its organization's members-only posts, the table. */
const MAY_SEE: Record<Who, string[]> = {
  anonymous: [],
  reporter: [],
  outsiderAdmin: [],
  amptpMember: [],
  wgaMember: [MARKERS.wgaMembers],
  wgaNegotiator: [MARKERS.wgaPrivate, MARKERS.wgaMembers, MARKERS.table],
  amptpNegotiator: [MARKERS.amptpPrivate, MARKERS.table],
};

interface Case {
  path: string;
  body?: (who: Who) => unknown;
  /** A Server-Sent Events stream: read from the start until a sentinel entry arrives. */
  stream?: true;
  /** Who gets a 2xx; everyone else gets `refused` (by default 401 for the anonymous, else 403). */
  allowed: Who[];
  refused?: (who: Who) => number;
}

const refusal = (c: Case, who: Who) => (c.refused ? c.refused(who) : who === "anonymous" ? 401 : 403);

const statement = (who: Who) => ({
  type: "statement.made",
  occurredAt: "2023-09-26T17:00:00Z",
  visibility: "public",
  payload: {
    by: who === "reporter" ? "daily-press" : who === "amptpNegotiator" ? "amptp" : "wga-west",
    channel: "other",
    text: `Said by ${who}`,
  },
});

const MATRIX: Record<string, Case> = {
  "GET /api/v1/disputes": { path: "/api/v1/disputes", allowed: EVERYONE },
  "GET /api/v1/disputes/{slug}": { path: `/api/v1/disputes/${SLUG}`, allowed: EVERYONE },
  "GET /api/v1/disputes/{slug}/moves": { path: `/api/v1/disputes/${SLUG}/moves`, allowed: EVERYONE },
  "GET /api/v1/disputes/{slug}/response-times": {
    path: `/api/v1/disputes/${SLUG}/response-times`,
    allowed: EVERYONE,
  },
  "GET /api/v1/disputes/{slug}/timeline": {
    path: `/api/v1/disputes/${SLUG}/timeline?limit=200`,
    allowed: EVERYONE,
  },
  "GET /api/v1/disputes/{slug}/passes/{seq}/redlines": {
    // The AMPTP's table counter-proposal: only the negotiators of either side may read it.
    path: `/api/v1/disputes/${SLUG}/passes/10/redlines`,
    allowed: EVERYONE,
  },
  "GET /api/v1/disputes/{slug}/calendar.ics": {
    path: `/api/v1/disputes/${SLUG}/calendar.ics`,
    allowed: EVERYONE,
  },
  "GET /api/v1/disputes/{slug}/meetings/{meeting}.ics": {
    path: `/api/v1/disputes/${SLUG}/meetings/s1.ics`,
    allowed: EVERYONE,
  },
  "GET /api/v1/disputes/{slug}/stream": {
    path: `/api/v1/disputes/${SLUG}/stream`,
    stream: true,
    allowed: EVERYONE,
  },
  "GET /api/v1/disputes/{slug}/export": { path: `/api/v1/disputes/${SLUG}/export`, allowed: EVERYONE },
  "GET /api/v1/disputes/{slug}/checkpoint": {
    path: `/api/v1/disputes/${SLUG}/checkpoint`,
    allowed: EVERYONE,
  },
  "GET /api/v1/disputes/{slug}/proofs/inclusion": {
    path: `/api/v1/disputes/${SLUG}/proofs/inclusion?seq=1`,
    allowed: EVERYONE,
  },
  "GET /api/v1/disputes/{slug}/proofs/consistency": {
    path: `/api/v1/disputes/${SLUG}/proofs/consistency?from=1&to=5`,
    allowed: EVERYONE,
  },
  "POST /api/v1/disputes/{slug}/entries": {
    path: `/api/v1/disputes/${SLUG}/entries`,
    body: statement,
    allowed: RECORDERS,
  },
  "POST /api/v1/disputes/{slug}/entries/batch": {
    path: `/api/v1/disputes/${SLUG}/entries/batch`,
    body: (who) => ({ entries: [statement(who), statement(who)] }),
    allowed: RECORDERS,
  },
  "POST /api/v1/session": {
    path: "/api/v1/session",
    body: (who) => ({
      email: who === "anonymous" ? "nobody@example.org" : PEOPLE[who].email,
      password: "wrong password!",
    }),
    // A wrong password, for everyone: sign-in itself is tested elsewhere.
    allowed: [],
    refused: () => 401,
  },
  // With a token there is no session to end: 204 all the same.
  "DELETE /api/v1/session": { path: "/api/v1/session", allowed: SIGNED_IN },
  "GET /api/v1/orgs/{org}/webhooks": {
    path: "/api/v1/orgs/other-union/webhooks",
    allowed: ["outsiderAdmin"],
  },
  "POST /api/v1/orgs/{org}/webhooks": {
    path: "/api/v1/orgs/other-union/webhooks",
    body: () => ({ url: "http://127.0.0.1:9/matrix" }),
    allowed: ["outsiderAdmin"],
  },
  "DELETE /api/v1/orgs/{org}/webhooks/{id}": {
    path: "/api/v1/orgs/other-union/webhooks/wh-nonexistent",
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "outsiderAdmin" ? 404 : 403),
  },
  "GET /api/v1/orgs/{org}/webhooks/{id}/deliveries": {
    path: "/api/v1/orgs/other-union/webhooks/wh-nonexistent/deliveries",
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "outsiderAdmin" ? 404 : 403),
  },
  "GET /api/v1/disputes/{slug}/checkpoints/{size}": {
    path: `/api/v1/disputes/${SLUG}/checkpoints/1`,
    allowed: EVERYONE,
  },
  "POST /api/v1/disputes/{slug}/checkpoints/{size}/cosignatures": {
    path: `/api/v1/disputes/${SLUG}/checkpoints/1/cosignatures`,
    // A line that does not verify: 400 shows the caller got as far as the check; nothing is stored.
    body: (who) => ({
      org: who === "anonymous" ? "wga-west" : PEOPLE[who].org,
      signature: "\u2014 nobody AAAAAAAA",
    }),
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "wgaMember" || who === "amptpMember" ? 403 : 400),
  },
  "GET /api/v1/orgs": { path: "/api/v1/orgs", allowed: EVERYONE },
  "GET /api/v1/orgs/{org}": { path: "/api/v1/orgs/other-union", allowed: EVERYONE },
  // Account ids are random: a fixed path shows who is turned away before the lookup.
  "GET /api/v1/orgs/{org}/members/{account}/tokens": {
    path: "/api/v1/orgs/other-union/members/acct_nonexistent/tokens",
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "outsiderAdmin" ? 404 : 403),
  },
  "DELETE /api/v1/orgs/{org}/members/{account}/tokens/{id}": {
    path: "/api/v1/orgs/other-union/members/acct_nonexistent/tokens/tok_nothing",
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "outsiderAdmin" ? 404 : 403),
  },
  "GET /api/v1/orgs/{org}/keys": { path: "/api/v1/orgs/other-union/keys", allowed: EVERYONE },
  // A real rotation of other-union's key, which signs nothing in the dispute: its admin's alone.
  "POST /api/v1/orgs/{org}/keys/rotate": {
    path: "/api/v1/orgs/other-union/keys/rotate",
    allowed: ["outsiderAdmin"],
  },
  // Only the server's operators register organizations, and no one in the matrix is one.
  "POST /api/v1/orgs": {
    path: "/api/v1/orgs",
    body: () => ({ id: "matrix-org", name: "Matrix Org", shortName: "Matrix", kind: "union" }),
    allowed: [],
  },
  // Account ids are random, so a fixed path can only show who is turned away before the lookup.
  "PATCH /api/v1/orgs/{org}/members/{account}": {
    path: "/api/v1/orgs/other-union/members/acct_nonexistent",
    body: () => ({ role: "member" }),
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "outsiderAdmin" ? 404 : 403),
  },
  "DELETE /api/v1/orgs/{org}/members/{account}": {
    path: "/api/v1/orgs/other-union/members/acct_nonexistent",
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "outsiderAdmin" ? 404 : 403),
  },
  "POST /api/v1/me/password": {
    path: "/api/v1/me/password",
    // A wrong current password for everyone (one failure toward each lockout): no one's changes.
    body: () => ({ current: "wrong password!", next: "a long matrix password" }),
    allowed: [],
  },
  "GET /api/v1/disputes/{slug}/search": {
    path: `/api/v1/disputes/${SLUG}/search?q=marker`,
    allowed: EVERYONE,
  },
  "GET /api/v1/orgs/{org}/members": { path: "/api/v1/orgs/other-union/members", allowed: ["outsiderAdmin"] },
  "POST /api/v1/orgs/{org}/members": {
    path: "/api/v1/orgs/other-union/members",
    body: (who) => ({
      email: `${who}@matrix.example`,
      name: who,
      password: "a long matrix password",
      role: "member",
    }),
    allowed: ["outsiderAdmin"],
  },
  "POST /api/v1/disputes": {
    path: "/api/v1/disputes",
    // Each opens its own: an empty payload is refused after the role check, so only the
    // allowed reach validation (400); a 2xx here would open a dispute.
    body: () => ({ slug: "matrix-dispute", occurredAt: "2024-01-01T00:00:00Z", payload: {} }),
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : RECORDERS.includes(who) ? 400 : 403),
  },
  "GET /api/v1/me": { path: "/api/v1/me", allowed: SIGNED_IN },
  "GET /api/v1/tokens": { path: "/api/v1/tokens", allowed: SIGNED_IN },
  "POST /api/v1/tokens": {
    path: "/api/v1/tokens",
    body: () => ({ name: "matrix" }),
    allowed: SIGNED_IN,
  },
  "DELETE /api/v1/tokens/{id}": {
    path: "/api/v1/tokens/tok_nonexistent",
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : 404),
  },
  "GET /api/v1/posts": { path: "/api/v1/posts", allowed: EVERYONE },
  "POST /api/v1/posts": {
    path: "/api/v1/posts",
    body: (who) => ({
      dispute: SLUG,
      org: who === "anonymous" ? "daily-press" : PEOPLE[who].org,
      title: `Matrix post by ${who}`,
    }),
    allowed: ["wgaNegotiator", "wgaMember", "amptpNegotiator", "amptpMember", "reporter"],
  },
  // A draft exists for its organization's editors only: anyone else is told there is none.
  "GET /api/v1/posts/{slug}": {
    path: "/api/v1/posts/matrix-draft",
    allowed: ["reporter"],
    refused: () => 404,
  },
  "PATCH /api/v1/posts/{slug}": {
    path: "/api/v1/posts/matrix-live",
    body: () => ({ revision: 999, title: "Matrix edit" }),
    allowed: [],
    // The editor passes authorization and is stopped by the stale revision.
    refused: (who) => (who === "anonymous" ? 401 : who === "reporter" ? 409 : 403),
  },
  "POST /api/v1/posts/{slug}/publish": {
    path: "/api/v1/posts/matrix-live/publish",
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "reporter" ? 422 : 403),
  },
  "POST /api/v1/posts/{slug}/unpublish": {
    path: "/api/v1/posts/matrix-draft/unpublish",
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "reporter" ? 422 : 404),
  },
  "GET /api/v1/posts/{slug}/revisions": {
    path: "/api/v1/posts/matrix-live/revisions",
    allowed: ["reporter"],
  },
  "GET /api/v1/posts/{slug}/citations": { path: "/api/v1/posts/matrix-live/citations", allowed: EVERYONE },
  "GET /api/v1/my/posts": { path: "/api/v1/my/posts", allowed: SIGNED_IN },
  // Reader comments (src/server/routes/comments.ts). Without a form token a comment is refused
  // by the rules (422 COMMENT_FORM_EXPIRED) whoever sends it: no one is turned away for who they are.
  "GET /api/v1/posts/{slug}/comments": { path: "/api/v1/posts/matrix-live/comments", allowed: EVERYONE },
  "POST /api/v1/posts/{slug}/comments": {
    path: "/api/v1/posts/matrix-live/comments",
    body: (who) => ({ comment: `Matrix comment by ${who}`, name: who, email: "matrix@example.org" }),
    allowed: [],
    refused: () => 422,
  },
  // Editors of any organization have a queue (of their own posts' comments); members have none.
  "GET /api/v1/moderation/comments": {
    path: "/api/v1/moderation/comments",
    allowed: ["wgaNegotiator", "amptpNegotiator", "reporter", "outsiderAdmin"],
  },
  // Comment ids are random: a fixed one shows who is turned away before the lookup.
  "POST /api/v1/moderation/comments": {
    path: "/api/v1/moderation/comments",
    body: () => ({ ids: ["cMatrixNone"], action: "approve" }),
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "wgaMember" || who === "amptpMember" ? 403 : 404),
  },
  "PATCH /api/v1/moderation/comments/{id}": {
    path: "/api/v1/moderation/comments/cMatrixNone",
    body: () => ({ body: "Matrix edit" }),
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "wgaMember" || who === "amptpMember" ? 403 : 404),
  },
  "POST /api/v1/moderation/comments/{id}/replies": {
    path: "/api/v1/moderation/comments/cMatrixNone/replies",
    body: () => ({ body: "Matrix reply" }),
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "wgaMember" || who === "amptpMember" ? 403 : 404),
  },
  "GET /api/v1/moderation/comments/{id}/log": {
    path: "/api/v1/moderation/comments/cMatrixNone/log",
    allowed: [],
    refused: (who) => (who === "anonymous" ? 401 : who === "wgaMember" || who === "amptpMember" ? 403 : 404),
  },
  // The server's operators' alone, and no one in the matrix is one.
  "GET /api/v1/comment-settings": { path: "/api/v1/comment-settings", allowed: [] },
  "PUT /api/v1/comment-settings": { path: "/api/v1/comment-settings", body: () => ({}), allowed: [] },
  // The same answer for everyone, whatever the address: it reveals nothing.
  "POST /api/v1/comments/privacy-requests": {
    path: "/api/v1/comments/privacy-requests",
    body: () => ({ email: "matrix@example.org", kind: "export" }),
    allowed: EVERYONE,
  },
  // The mailed links: a forged token is refused alike for everyone (signing in gives no more).
  "GET /api/v1/comments/privacy/export": {
    path: "/api/v1/comments/privacy/export?token=forged",
    allowed: [],
    refused: () => 400,
  },
  "POST /api/v1/comments/privacy/erase": {
    path: "/api/v1/comments/privacy/erase?token=forged",
    allowed: [],
    refused: () => 400,
  },
  "POST /api/v1/comments/unsubscribe": {
    path: "/api/v1/comments/unsubscribe?token=u1.cMatrix.forged",
    allowed: [],
    refused: () => 400,
  },
};

let parley: Parley;
let server: Awaited<ReturnType<typeof startServer>>;
const headers: Partial<Record<Who, Record<string, string>>> = {};

beforeAll(async () => {
  parley = (await smallDispute()).app;
  server = await startServer(parley);
  headers.anonymous = {};
  for (const who of SIGNED_IN) {
    // Scripts' tokens, not cookies: DELETE /session is the one route that needs a cookie.
    const cookie = await server.signIn(who as Person);
    const t = await server.call("POST", "/api/v1/tokens", { body: { name: "matrix" }, headers: cookie });
    headers[who] = { authorization: `Bearer ${t.json.token}` };
  }
  for (const title of ["Matrix draft", "Matrix live"]) {
    const made = await server.call("POST", "/api/v1/posts", {
      headers: headers.reporter!,
      body: { dispute: SLUG, org: "daily-press", title, citations: [13] },
    });
    if (made.status !== 201) throw new Error(`matrix post: ${made.text}`);
  }
  await server.call("POST", "/api/v1/posts/matrix-live/publish", { headers: headers.reporter! });
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
});

describe("the authorization matrix", () => {
  it("has a line for every route in the OpenAPI document", async () => {
    const doc = (await server.call("GET", "/api/v1/openapi.json")).json as { paths: Record<string, object> };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(Object.keys(MATRIX).sort());
  });

  for (const [route, c] of Object.entries(MATRIX)) {
    const method = route.split(" ")[0]!;
    it(`${route}: ${c.allowed.length === EVERYONE.length ? "everyone" : c.allowed.join(", ") || "nobody here"}`, async () => {
      for (const who of EVERYONE) {
        if (c.stream) {
          const s = await server.stream(c.path, { ...headers[who]!, "last-event-id": "-1" });
          const sentinel = await parley.execute(SLUG, {
            actor: PRESS,
            type: "statement.made",
            occurredAt: "2023-09-26T17:00:00Z",
            visibility: "public",
            payload: { by: "daily-press", channel: "other", text: `sentinel for ${who}` },
          });
          const text = JSON.stringify(await s.until((e) => e.id === sentinel.seq));
          s.close();
          expect({ who, status: s.status }).toEqual({ who, status: 200 });
          for (const marker of Object.values(MARKERS)) {
            expect({ who, marker, shown: text.includes(marker) }).toEqual({
              who,
              marker,
              shown: MAY_SEE[who].includes(marker),
            });
          }
          continue;
        }
        const res = await server.call(method, c.path, {
          headers: headers[who]!,
          ...(c.body ? { body: c.body(who) } : {}),
        });
        const ok = res.status >= 200 && res.status < 300;
        expect({ who, status: ok ? "allowed" : res.status }).toEqual({
          who,
          status: c.allowed.includes(who) ? "allowed" : refusal(c, who),
        });
        if (!ok) expect(res.json.error.code).toMatch(/^[A-Z_]+$/);
        for (const marker of Object.values(MARKERS)) {
          if (!MAY_SEE[who].includes(marker))
            expect({ who, leaked: res.text.includes(marker) }).toEqual({ who, leaked: false });
        }
      }
    });
  }

  it("shows each viewer the markers it may see (so the leak checks above could fail)", async () => {
    for (const who of EVERYONE) {
      const text = (
        await server.call("GET", `/api/v1/disputes/${SLUG}/timeline?limit=200`, { headers: headers[who]! })
      ).text;
      for (const marker of MAY_SEE[who])
        expect({ who, marker, shown: text.includes(marker) }).toEqual({ who, marker, shown: true });
    }
  });
});
