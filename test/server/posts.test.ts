import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { verifyInclusion } from "../../src/ledger/proof.ts";
import { smallDispute } from "../support/fixture.ts";
import { PASSWORD, PEOPLE, type Person, startServer } from "../support/server.ts";

const SLUG = "test-2023";
/** The WGA's private caucus note and a public entry of the fixture's dispute (test/support/fixture.ts). */
const CAUCUS = 7;
const STRIKE = 13;
/** A writer of the press outlet who is no editor: it may write drafts, not publish them. */
const INTERN = "intern@press.example";

let parley: Parley;
let server: Awaited<ReturnType<typeof startServer>>;
const headers: Record<string, Record<string, string>> = { anonymous: {} };
/** Every response body this file received: none may hold an account's email. */
const seen: string[] = [];

async function call(method: string, path: string, as: string, body?: unknown) {
  const res = await server.call(method, path, {
    headers: headers[as]!,
    ...(body === undefined ? {} : { body }),
  });
  seen.push(res.text);
  return res;
}
const codeOf = (res: { status: number; json: { error?: { code: string } } }) => [
  res.status,
  res.json?.error?.code ?? "ok",
];

beforeAll(async () => {
  parley = (await smallDispute()).app;
  server = await startServer(parley);
  await server.accounts.add({
    email: INTERN,
    name: "Intern",
    password: PASSWORD,
    org: "daily-press",
    role: "member",
  });
  for (const who of Object.keys(PEOPLE) as Person[]) headers[who] = await server.signIn(who);
  headers.intern = await server.signInAs(INTERN);
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
});

async function newDraft(as: string, title: string, more: Record<string, unknown> = {}) {
  const res = await call("POST", "/api/v1/posts", as, { dispute: SLUG, org: "daily-press", title, ...more });
  expect(res.status).toBe(201);
  return res.json as { slug: string; revision: number };
}

describe("POST /api/v1/posts", () => {
  it("creates a draft for a writer of a press outlet", async () => {
    const res = await call("POST", "/api/v1/posts", "intern", {
      dispute: SLUG,
      org: "daily-press",
      title: "Strike, day one",
      body: "It *began*.",
      tags: ["Strike"],
      citations: [STRIKE],
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      slug: "strike-day-one",
      status: "draft",
      live: false,
      revision: 1,
      tags: ["strike"],
      citations: [STRIKE],
      author: { name: "Intern" },
      orgName: "Daily Press",
    });
    expect(Object.keys(res.json.author).sort()).toEqual(["id", "name"]);
  });

  it("refuses bad input, the anonymous, an organization neither press nor party, and a private citation", async () => {
    expect(
      codeOf(await call("POST", "/api/v1/posts", "reporter", { dispute: SLUG, org: "daily-press" })),
    ).toEqual([400, "VALIDATION_FAILED"]);
    const body = { dispute: SLUG, org: "other-union", title: "Outside view" };
    expect(codeOf(await call("POST", "/api/v1/posts", "anonymous", body))).toEqual([401, "AUTH_REQUIRED"]);
    expect(codeOf(await call("POST", "/api/v1/posts", "outsiderAdmin", body))).toEqual([
      403,
      "ROLE_REQUIRED",
    ]);
    const leak = await call("POST", "/api/v1/posts", "wgaNegotiator", {
      dispute: SLUG,
      org: "wga-west",
      title: "From the caucus",
      citations: [CAUCUS],
    });
    expect(codeOf(leak)).toEqual([422, "CITATION_UNKNOWN"]);
    expect(leak.json.error.details).toEqual({ seq: CAUCUS });
    expect(leak.text).not.toContain("MARKER");
  });
});

describe("GET /api/v1/posts/{slug}", () => {
  it("shows a draft to its author and editors; to the public and other organizations it does not exist", async () => {
    const d = await newDraft("intern", "Draft nobody else sees");
    for (const who of ["intern", "reporter"])
      expect((await call("GET", `/api/v1/posts/${d.slug}`, who)).status).toBe(200);
    const never = await call("GET", "/api/v1/posts/never-written", "anonymous");
    expect(codeOf(never)).toEqual([404, "POST_UNKNOWN"]);
    for (const who of ["anonymous", "wgaNegotiator", "amptpNegotiator", "amptpMember", "outsiderAdmin"]) {
      const res = await call("GET", `/api/v1/posts/${d.slug}`, who);
      expect({ who, status: res.status, body: res.json }).toEqual({ who, status: 404, body: never.json });
    }
  });

  it("refuses a malformed address", async () => {
    expect(codeOf(await call("GET", "/api/v1/posts/Not_A_Slug", "anonymous"))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
  });
});

describe("PATCH /api/v1/posts/{slug}", () => {
  it("saves a new revision, and refuses one based on an older revision", async () => {
    const d = await newDraft("reporter", "Patched");
    const ok = await call("PATCH", `/api/v1/posts/${d.slug}`, "reporter", { revision: 1, body: "New body" });
    expect([ok.status, ok.json.revision, ok.json.body]).toEqual([200, 2, "New body"]);
    const stale = await call("PATCH", `/api/v1/posts/${d.slug}`, "reporter", { revision: 1, body: "Old" });
    expect(codeOf(stale)).toEqual([409, "POST_STALE"]);
    expect(codeOf(await call("PATCH", `/api/v1/posts/${d.slug}`, "reporter", { revision: 0 }))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
    expect((await call("GET", `/api/v1/posts/${d.slug}`, "reporter")).json.body).toBe("New body");
  });

  it("refuses the anonymous, others while it is hidden (404) and once it is public (403)", async () => {
    const d = await newDraft("intern", "Whose to change");
    const edit = { revision: 1, title: "Changed" };
    expect(codeOf(await call("PATCH", `/api/v1/posts/${d.slug}`, "anonymous", edit))).toEqual([
      401,
      "AUTH_REQUIRED",
    ]);
    expect(codeOf(await call("PATCH", `/api/v1/posts/${d.slug}`, "amptpNegotiator", edit))).toEqual([
      404,
      "POST_UNKNOWN",
    ]);
    expect((await call("PATCH", `/api/v1/posts/${d.slug}`, "intern", edit)).status).toBe(200);
    expect((await call("POST", `/api/v1/posts/${d.slug}/publish`, "reporter")).status).toBe(200);
    const again = { revision: 2, title: "Changed again" };
    expect(codeOf(await call("PATCH", `/api/v1/posts/${d.slug}`, "amptpNegotiator", again))).toEqual([
      403,
      "POST_NOT_EDITABLE",
    ]);
    // Its author, no editor, may no longer change it once published.
    expect(codeOf(await call("PATCH", `/api/v1/posts/${d.slug}`, "intern", again))).toEqual([
      403,
      "POST_NOT_EDITABLE",
    ]);
  });
});

describe("POST /api/v1/posts/{slug}/publish and /unpublish", () => {
  it("publishes now or schedules, for the organization's editors only", async () => {
    const d = await newDraft("intern", "To be published");
    expect(codeOf(await call("POST", `/api/v1/posts/${d.slug}/publish`, "intern"))).toEqual([
      403,
      "ROLE_REQUIRED",
    ]);
    expect(codeOf(await call("POST", `/api/v1/posts/${d.slug}/publish`, "wgaNegotiator"))).toEqual([
      404,
      "POST_UNKNOWN",
    ]);
    expect(codeOf(await call("POST", `/api/v1/posts/${d.slug}/publish`, "anonymous"))).toEqual([
      401,
      "AUTH_REQUIRED",
    ]);
    expect(codeOf(await call("POST", `/api/v1/posts/${d.slug}/publish`, "reporter", { at: "soon" }))).toEqual(
      [400, "VALIDATION_FAILED"],
    );
    const live = await call("POST", `/api/v1/posts/${d.slug}/publish`, "reporter");
    expect([live.status, live.json.status, live.json.live]).toEqual([200, "published", true]);
    expect((await call("GET", `/api/v1/posts/${d.slug}`, "anonymous")).status).toBe(200);
    expect(codeOf(await call("POST", `/api/v1/posts/${d.slug}/publish`, "reporter"))).toEqual([
      422,
      "POST_STATE",
    ]);

    const later = await newDraft("reporter", "For next year");
    const scheduled = await call("POST", `/api/v1/posts/${later.slug}/publish`, "reporter", {
      at: "2027-01-01T09:00:00Z",
    });
    expect([scheduled.json.status, scheduled.json.live, scheduled.json.publishAt]).toEqual([
      "scheduled",
      false,
      "2027-01-01T09:00:00.000Z",
    ]);
    expect((await call("GET", `/api/v1/posts/${later.slug}`, "anonymous")).status).toBe(404);
  });

  it("unpublishes for the editors only, and the post is gone for the public", async () => {
    const d = await newDraft("reporter", "Short-lived");
    expect(codeOf(await call("POST", `/api/v1/posts/${d.slug}/unpublish`, "reporter"))).toEqual([
      422,
      "POST_STATE",
    ]);
    await call("POST", `/api/v1/posts/${d.slug}/publish`, "reporter");
    expect(codeOf(await call("POST", `/api/v1/posts/${d.slug}/unpublish`, "amptpNegotiator"))).toEqual([
      403,
      "POST_NOT_EDITABLE",
    ]);
    const gone = await call("POST", `/api/v1/posts/${d.slug}/unpublish`, "reporter");
    expect([gone.status, gone.json.status, gone.json.live]).toEqual([200, "unpublished", false]);
    expect(codeOf(await call("GET", `/api/v1/posts/${d.slug}`, "anonymous"))).toEqual([404, "POST_UNKNOWN"]);
    expect(codeOf(await call("GET", `/api/v1/posts/${d.slug}`, "amptpNegotiator"))).toEqual([
      404,
      "POST_UNKNOWN",
    ]);
  });
});

describe("GET /api/v1/posts/{slug}/revisions", () => {
  it("lists the versions for editors and the author, and refuses others", async () => {
    const d = await newDraft("intern", "With history");
    await call("PATCH", `/api/v1/posts/${d.slug}`, "intern", { revision: 1, body: "Second" });
    const res = await call("GET", `/api/v1/posts/${d.slug}/revisions`, "reporter");
    expect(res.status).toBe(200);
    expect(res.json.revisions.map((r: { revision: number }) => r.revision)).toEqual([2, 1]);
    expect((await call("GET", `/api/v1/posts/${d.slug}/revisions`, "intern")).status).toBe(200);
    expect(codeOf(await call("GET", `/api/v1/posts/${d.slug}/revisions`, "anonymous"))).toEqual([
      401,
      "AUTH_REQUIRED",
    ]);
    expect(codeOf(await call("GET", `/api/v1/posts/${d.slug}/revisions`, "wgaNegotiator"))).toEqual([
      404,
      "POST_UNKNOWN",
    ]);
    await call("POST", `/api/v1/posts/${d.slug}/publish`, "reporter");
    expect(codeOf(await call("GET", `/api/v1/posts/${d.slug}/revisions`, "wgaNegotiator"))).toEqual([
      403,
      "ROLE_REQUIRED",
    ]);
    expect(codeOf(await call("GET", "/api/v1/posts/Bad_Slug/revisions", "reporter"))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
  });
});

describe("GET /api/v1/posts/{slug}/citations", () => {
  it("resolves the cited entries with a leaf hash that the linked proof includes in the signed tree", async () => {
    const d = await newDraft("reporter", "Cited", { citations: [STRIKE, 0] });
    expect(codeOf(await call("GET", `/api/v1/posts/${d.slug}/citations`, "anonymous"))).toEqual([
      404,
      "POST_UNKNOWN",
    ]);
    await call("POST", `/api/v1/posts/${d.slug}/publish`, "reporter");
    const res = await call("GET", `/api/v1/posts/${d.slug}/citations`, "anonymous");
    expect(res.status).toBe(200);
    const [strike] = res.json.citations as {
      seq: number;
      type: string;
      leafHash: string;
      proofUrl: string;
    }[];
    expect([strike!.seq, strike!.type]).toEqual([STRIKE, "stoppage.started"]);
    const proof = await call("GET", strike!.proofUrl, "anonymous");
    expect(proof.status).toBe(200);
    const checkpoint = (await parley.latestCheckpoint(SLUG))!;
    expect(proof.json.size).toBe(checkpoint.size);
    const path = (proof.json.proof as string[]).map((h) => Buffer.from(h, "base64"));
    const leaf = Buffer.from(strike!.leafHash, "hex");
    expect(() => verifyInclusion(STRIKE, proof.json.size, leaf, path, checkpoint.root)).not.toThrow();
    // Another leaf does not verify with that proof: the check above could fail.
    expect(() => verifyInclusion(STRIKE, proof.json.size, Buffer.alloc(32), path, checkpoint.root)).toThrow();
  });

  it("refuses a malformed address", async () => {
    expect(codeOf(await call("GET", "/api/v1/posts/x--y/citations", "anonymous"))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
  });
});

describe("GET /api/v1/posts and /api/v1/my/posts", () => {
  it("lists live posts only, newest first, page by page", async () => {
    const hidden = await newDraft("reporter", "Listed draft", { tags: ["paging"] });
    for (const title of ["Paging one", "Paging two", "Paging three"]) {
      const d = await newDraft("reporter", title, { tags: ["paging"] });
      await call("POST", `/api/v1/posts/${d.slug}/publish`, "reporter");
    }
    const first = await call("GET", "/api/v1/posts?tag=paging&limit=2", "anonymous");
    expect(first.status).toBe(200);
    expect(first.json.posts).toHaveLength(2);
    const second = await call(
      "GET",
      `/api/v1/posts?tag=paging&limit=2&before=${first.json.next}`,
      "anonymous",
    );
    const slugs = [...first.json.posts, ...second.json.posts].map((p: { slug: string }) => p.slug);
    expect(slugs.sort()).toEqual(["paging-one", "paging-three", "paging-two"]);
    expect(second.json.next).toBeNull();
    expect(slugs).not.toContain(hidden.slug);
    expect(codeOf(await call("GET", "/api/v1/posts?limit=0", "anonymous"))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
    expect(codeOf(await call("GET", "/api/v1/posts?before=garbage", "anonymous"))).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
  });

  it("lists the caller's editable posts, drafts included, and asks the anonymous to sign in", async () => {
    const d = await newDraft("intern", "Mine to edit");
    const has = async (who: string) =>
      (await call("GET", "/api/v1/my/posts", who)).json.posts.some(
        (p: { slug: string }) => p.slug === d.slug,
      );
    expect([await has("intern"), await has("reporter"), await has("amptpNegotiator")]).toEqual([
      true,
      true,
      false,
    ]);
    expect(codeOf(await call("GET", "/api/v1/my/posts", "anonymous"))).toEqual([401, "AUTH_REQUIRED"]);
  });

  it("documents every post route in the OpenAPI document", async () => {
    const doc = (await call("GET", "/api/v1/openapi.json", "anonymous")).json;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/posts",
        "/api/v1/posts/{slug}",
        "/api/v1/posts/{slug}/publish",
        "/api/v1/posts/{slug}/unpublish",
        "/api/v1/posts/{slug}/revisions",
        "/api/v1/posts/{slug}/citations",
        "/api/v1/my/posts",
      ]),
    );
    expect(
      doc.paths["/api/v1/posts/{slug}"].patch.requestBody.content["application/json"].schema.required,
    ).toEqual(["revision"]);
  });
});

describe("odd input", () => {
  it("never answers a write with a 500, and a refused write leaves every post table as it was", async () => {
    const target = await newDraft("reporter", "Fuzzed");
    const rows = async () =>
      Promise.all(
        (["posts", "post_revisions", "post_tags", "post_citations"] as const).map(async (t) =>
          Number(
            (
              await parley.db
                .selectFrom(t)
                .select((eb) => eb.fn.countAll().as("n"))
                .executeTakeFirstOrThrow()
            ).n,
          ),
        ),
      );
    const odd = fc.oneof(
      fc.string(),
      fc.jsonValue(),
      fc.constantFrom("\u0000", "\ud800", "x".repeat(100_001), -1, 1e300, "2023-02-30T00:00:00Z", null),
    );
    // Valid bodies with one field made odd or dropped, so that requests reach the rules.
    const base: Record<string, Record<string, unknown>> = {
      create: { dispute: SLUG, org: "daily-press", title: "Fuzz", tags: ["a"], citations: [STRIKE] },
      edit: { revision: 1, title: "Fuzz", body: "b", tags: ["a"], citations: [STRIKE], commentsOpen: true },
      publish: { at: "2030-01-01T00:00:00Z" },
    };
    const request = fc.record({
      route: fc.constantFrom("create", "edit", "publish", "unpublish"),
      field: fc.constantFrom(
        "dispute",
        "org",
        "title",
        "body",
        "tags",
        "citations",
        "revision",
        "at",
        "slug",
      ),
      value: fc.option(odd, { nil: undefined }),
      raw: fc.option(fc.string(), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ route, field, value, raw }) => {
        const body: unknown = raw ?? { ...base[route], [field]: value };
        const path =
          route === "create"
            ? ["POST", "/api/v1/posts"]
            : route === "edit"
              ? ["PATCH", `/api/v1/posts/${target.slug}`]
              : ["POST", `/api/v1/posts/${target.slug}/${route}`];
        const before = await rows();
        const res = await call(path[0]!, path[1]!, "reporter", route === "unpublish" ? undefined : body);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.json.error.code).toMatch(/^[A-Z_]+$/);
          expect(await rows()).toEqual(before);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("privacy", () => {
  it("never answers with an account's email", () => {
    const emails = [...Object.values(PEOPLE).map((p) => p.email), INTERN];
    // The responses include the authors' own views of their posts: the check covers them too.
    expect(seen.length).toBeGreaterThan(50);
    expect(seen.some((t) => t.includes("Intern"))).toBe(true);
    for (const email of emails) expect(seen.filter((t) => t.includes(email))).toEqual([]);
  });
});
