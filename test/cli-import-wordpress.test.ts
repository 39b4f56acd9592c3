import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts } from "../src/app/accounts.ts";
import { Comments, commentSecret, type ThreadComment } from "../src/app/comments.ts";
import { Parley } from "../src/app/parley.ts";
import { Posts } from "../src/app/posts.ts";
import { buildServer } from "../src/server/server.ts";
import { tempDb, tempDir } from "./support/fixture.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "parley.js");
const fixture = join(root, "test", "fixtures", "wordpress-export.xml");

function parley(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, PARLEY_SCRYPT_N: "1024" },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every email address of a commenter in the fixture, none of which may reach a reader. */
const COMMENTER_EMAILS = [
  "marcus.bell@example.com",
  "priya.raman@example.com",
  "jess.park@example.com",
  "tunde@picketline.example.org",
  "dev.mehta@example.com",
  "zoe.nguyen@example.com",
  "sam.otero@example.com",
  "leah.obrien@example.com",
  "maria.rivera@picketline.example.org",
  "carlos.diaz@example.com",
];

/** Posts and comments in the store, to show that a refused or dry run wrote nothing. */
async function stored(db: string): Promise<{ posts: number; comments: number }> {
  const app = await Parley.open(db, { mustExist: true });
  try {
    const count = async (table: "posts" | "comments") =>
      Number(
        (
          await app.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { posts: await count("posts"), comments: await count("comments") };
  } finally {
    await app.close();
  }
}

describe("parley import-wordpress", () => {
  const db = tempDb();
  const args = (...more: string[]) => [
    "import-wordpress",
    fixture,
    "--dispute",
    "wga-2023",
    "--db",
    db,
    ...more,
  ];
  let before = { posts: 0, comments: 0 };

  beforeAll(async () => {
    const demo = parley(["demo", "--db", db]);
    expect(demo.code).toBe(0);
    before = await stored(db);
  });

  it("has --help, and a wrong command line exits 2", () => {
    const help = parley(["import-wordpress", "--help"]);
    expect(help.code).toBe(0);
    for (const option of ["--dispute", "--as", "--org", "--dry-run", "--db"])
      expect(help.out).toContain(option);
    expect(parley(["--help"]).out).toContain("import-wordpress");
    const missing = parley(["import-wordpress", fixture, "--db", db]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("--dispute");
  });

  it("--dry-run reports what it would import and writes nothing", async () => {
    const r = parley(args("--as", "reporter@parley-news.demo", "--dry-run"));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Dry run, nothing written");
    expect(r.out).toContain(
      "would import into wga-2023 as parley-news: 5 posts (3 published, 1 drafts, 1 scheduled) and 12 comments",
    );
    expect(await stored(db)).toEqual(before);
  });

  it("refuses a file that is not a WordPress export, an unknown dispute and an account that is no writer, writing nothing", async () => {
    const dir = tempDir();
    const notXml = join(dir, "not.xml");
    writeFileSync(notXml, "this is not xml <<<");
    const bad = parley([
      "import-wordpress",
      notXml,
      "--dispute",
      "wga-2023",
      "--as",
      "reporter@parley-news.demo",
      "--db",
      db,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("VALIDATION_FAILED: not XML");
    const feed = join(dir, "feed.xml");
    writeFileSync(
      feed,
      '<?xml version="1.0"?><rss version="2.0"><channel><title>Some feed</title></channel></rss>',
    );
    const rss = parley([
      "import-wordpress",
      feed,
      "--dispute",
      "wga-2023",
      "--as",
      "reporter@parley-news.demo",
      "--db",
      db,
    ]);
    expect(rss.code).toBe(1);
    expect(rss.err).toContain("not a WordPress export");

    const unknown = parley([
      "import-wordpress",
      fixture,
      "--dispute",
      "no-such",
      "--as",
      "reporter@parley-news.demo",
      "--db",
      db,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("DISPUTE_UNKNOWN");

    // SAG-AFTRA is no party to the WGA's dispute, nor a press outlet.
    const outsider = parley(args("--as", "negotiator@sag-aftra.demo"));
    expect(outsider.code).toBe(1);
    expect(outsider.err).toContain("ROLE_REQUIRED");
    const wrongOrg = parley(args("--as", "reporter@parley-news.demo", "--org", "wga-west"));
    expect(wrongOrg.code).toBe(1);
    expect(wrongOrg.err).toContain("ROLE_REQUIRED");
    const nobody = parley(args("--as", "nobody@example.com"));
    expect(nobody.code).toBe(1);
    expect(nobody.err).toContain("ACCOUNT_UNKNOWN");
    expect(await stored(db)).toEqual(before);
  });

  describe("imported", () => {
    let app: Parley;
    let server: Awaited<ReturnType<typeof buildServer>>;
    let base = "";
    let first: ReturnType<typeof parley>;

    beforeAll(async () => {
      first = parley(args("--as", "reporter@parley-news.demo"));
      app = await Parley.open(db, { mustExist: true });
      const accounts = new Accounts(app.db, () => new Date(app.now()));
      server = await buildServer({ parley: app, accounts, loginsPerMinute: 1000, mailer: null });
      await server.listen({ host: "127.0.0.1", port: 0 });
      const address = server.server.address();
      if (!address || typeof address === "string") throw new Error("no port");
      base = `http://127.0.0.1:${address.port}`;
    });
    afterAll(async () => {
      await server?.close();
      await app?.close();
    });

    const get = async (path: string) => {
      const res = await fetch(base + path, { headers: { accept: "text/html" } });
      return { status: res.status, text: await res.text() };
    };

    it("reports what it imported and what it skipped, and exits 0", () => {
      expect(first.err).toBe("");
      expect(first.code).toBe(0);
      expect(first.out).toContain(
        "imported into wga-2023 as parley-news: 5 posts (3 published, 1 drafts, 1 scheduled) and 12 comments",
      );
      expect(first.out).toContain('sources ("Sources and phone numbers (staff only)"): private on WordPress');
      expect(first.out).toContain("Items that are not posts, skipped: 1 page, 1 attachment");
      expect(first.out).toMatch(
        /Comments skipped: .*1 pingback.*1 spam.*1 not approved.*1 trash.*1 trackback/,
      );
      expect(first.out).toContain('"mini-rooms" (a post has at most 10 tags)');
    });

    it("shows the published posts on /news under their original authors' names, not the drafts", async () => {
      const news = await get("/news?dispute=wga-2023");
      expect(news.status).toBe(200);
      expect(news.text).toContain("What the AMPTP’s Aug. 11 offer says about AI");
      expect(news.text).toContain("Day one: writers walk out");
      expect(news.text).not.toContain("Ratification explainer");
      expect(news.text).not.toContain("Five years after the strike");
      const posts = new Posts(app, () => app.now());
      const view = await posts.get(null, "amptp-offer-ai");
      expect(view.author.name).toBe("Tunde Okafor");
      expect(view.publishedAt).toBe("2023-08-23T16:30:00.000Z");
      expect(view.status).toBe("published");
      const page = await get("/news/day-one-writers-walk-out");
      expect(page.status).toBe(200);
      expect(page.text).toContain("María Rivera");
      await expect(posts.get(null, "ratification-explainer-notes")).rejects.toMatchObject({
        code: "POST_UNKNOWN",
      });
    });

    it("threads the approved comments under their posts, with their dates", async () => {
      const posts = new Posts(app, () => app.now());
      const comments = new Comments(app, posts, {
        secret: await commentSecret(app),
        now: () => app.now(),
        mailer: null,
      });
      const thread = await comments.thread("amptp-offer-ai");
      expect(thread.total).toBe(6);
      expect(thread.comments.map((c) => c.name)).toEqual(["Jess Park", "Zoë Nguyễn", "Sam Otero"]);
      const chain: string[] = [];
      for (let c: ThreadComment | undefined = thread.comments[0]; c; c = c.replies[0])
        chain.push(`${c.depth} ${c.name}`);
      expect(chain).toEqual(["1 Jess Park", "2 Tunde Okafor", "3 Jess Park", "4 Dev Mehta"]);
      expect(thread.comments[0]!.createdAt).toBe("2023-08-23T17:04:00.000Z");
      const zoe = thread.comments[1]!;
      expect(zoe.html).toContain('<a href="https://www.sagaftra.org/" rel="nofollow ugc noopener">');
      expect(zoe.html).not.toContain("<script");
      const counts = await comments.counts([
        "day-one-writers-walk-out",
        "day-136-still-no-date-to-return-to-the-table",
      ]);
      expect([...counts.values()]).toEqual([3, 3]);
      const page = await get("/news/amptp-offer-ai");
      expect(page.text).toContain("Dev Mehta");
      expect(page.text).not.toContain("SPAM-MARKER");
    });

    it("shows no commenter's email anywhere a reader can reach", async () => {
      const paths = [
        "/news",
        "/news/amptp-offer-ai",
        "/news/day-one-writers-walk-out",
        "/news/day-136-still-no-date-to-return-to-the-table",
        "/feed.atom",
        "/feed.rss",
        "/disputes/wga-2023",
        "/api/v1/posts/amptp-offer-ai",
        "/api/v1/posts/amptp-offer-ai/comments",
      ];
      for (const path of paths) {
        const { text } = await get(path);
        for (const email of COMMENTER_EMAILS) expect(text, `${path} shows ${email}`).not.toContain(email);
        expect(text).not.toContain("203.0.113.");
      }
      const stored = await app.db.selectFrom("comments").select(["ip_hash", "email"]).execute();
      expect(stored.every((c) => c.ip_hash === null)).toBe(true);
      expect(stored.map((c) => c.email)).toContain("zoe.nguyen@example.com");
    });

    it("imports nothing twice when run again", async () => {
      const counted = Number(
        (
          await app.db
            .selectFrom("comments")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
      const again = parley(args("--as", "reporter@parley-news.demo"));
      expect(again.code).toBe(0);
      expect(again.out).toContain("0 posts (0 published, 0 drafts, 0 scheduled) and 0 comments");
      expect(again.out).toContain(
        'amptp-offer-ai ("What the AMPTP’s Aug. 11 offer says about AI"): a post already has this address',
      );
      const after = Number(
        (
          await app.db
            .selectFrom("comments")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
      expect(after).toBe(counted);
    });
  });
});
