import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  commentHtmlToText,
  gmtInstant,
  postHtmlToMarkdown,
  readWxr,
  type WxrPlan,
} from "../../src/app/wordpress-import.ts";
import { ParleyError } from "../../src/domain/errors.ts";

const fixture = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "wordpress-export.xml"),
  "utf8",
);
const NOW = "2026-01-01T00:00:00.000Z";

function postOf(plan: WxrPlan, slug: string) {
  const post = plan.posts.find((p) => p.slug === slug);
  if (!post) throw new Error(`no ${slug} in the plan`);
  return post;
}

function refusal(xml: string): ParleyError {
  try {
    readWxr(xml, NOW);
  } catch (err) {
    if (err instanceof ParleyError) return err;
    throw err;
  }
  throw new Error("readWxr accepted it");
}

const wxr = (items: string) =>
  `<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:wxr_version>1.2</wp:wxr_version>${items}</channel></rss>`;

describe("reading a WordPress export", () => {
  const plan = readWxr(fixture, NOW);

  it("takes posts only, mapping each WordPress status, and counts the other items", () => {
    expect(plan.posts.map((p) => [p.slug, p.status])).toEqual([
      ["day-one-writers-walk-out", "published"],
      ["amptp-offer-ai", "published"],
      ["day-136-still-no-date-to-return-to-the-table", "published"],
      ["ratification-explainer-notes", "draft"],
      ["five-years-after-the-strike", "scheduled"],
    ]);
    expect(plan.otherItems).toEqual({ page: 1, attachment: 1 });
    expect(plan.skippedPosts).toEqual([
      { title: "Sources and phone numbers (staff only)", slug: "sources", reason: "private on WordPress" },
    ]);
    const published = postOf(plan, "amptp-offer-ai");
    expect(published).toMatchObject({
      at: "2023-08-23T16:30:00.000Z",
      publishAt: "2023-08-23T16:30:00.000Z",
    });
    // A draft's GMT date is WordPress's zero date: its last change dates it.
    expect(postOf(plan, "ratification-explainer-notes")).toMatchObject({
      at: "2023-09-27T17:20:00.000Z",
      publishAt: null,
    });
    expect(postOf(plan, "five-years-after-the-strike").publishAt).toBe("2028-05-02T15:00:00.000Z");
  });

  it("names each post's original author, decodes entities in titles and makes missing slugs from titles", () => {
    expect(postOf(plan, "day-one-writers-walk-out").byline).toBe("María Rivera");
    expect(postOf(plan, "amptp-offer-ai")).toMatchObject({
      byline: "Tunde Okafor",
      title: "What the AMPTP’s Aug. 11 offer says about AI",
    });
    expect(plan.posts.map((p) => p.slug)).toContain("day-136-still-no-date-to-return-to-the-table");
  });

  it("converts bodies to markdown without Gutenberg's block comments, images becoming links", () => {
    const gutenberg = postOf(plan, "amptp-offer-ai").body;
    expect(gutenberg).not.toContain("wp:");
    expect(gutenberg).not.toContain("<!--");
    expect(gutenberg).toContain("on **August 11**");
    expect(gutenberg).toContain("*artificial intelligence*");
    expect(gutenberg).toContain("## What the offer says");
    expect(gutenberg).toMatch(/^- +Material produced by generative AI/m);
    expect(gutenberg).toContain("> “It’s a start, not a deal,”");
    expect(gutenberg).toContain("[the alliance’s news page](https://www.amptp.org/news/)");
    expect(gutenberg).toContain(
      "[Image: Page 14 of the offer](https://picketline.example.org/wp-content/uploads/2023/08/offer-page.png)",
    );
    expect(gutenberg).not.toContain("<img");
    // A classic post's blank lines are its paragraphs; its caption shortcode is unwrapped.
    const classic = postOf(plan, "day-one-writers-walk-out").body;
    expect(classic.split("\n\n")).toHaveLength(4);
    expect(classic).not.toContain("[caption");
    expect(classic).toContain("[its contract site](https://www.wgacontract2023.org/)");
  });

  it("keeps tags from tags and categories, without WordPress's placeholder, and reports those past the limit", () => {
    expect(postOf(plan, "day-one-writers-walk-out").tags).toEqual(["dispatches", "picket-lines", "wga"]);
    expect(postOf(plan, "day-136-still-no-date-to-return-to-the-table").tags).toEqual(["wga"]);
    expect(postOf(plan, "amptp-offer-ai").tags).toHaveLength(10);
    expect(plan.droppedTags.map((t) => t.tag)).toEqual(["mini-rooms", "grève", "negotiations"]);
  });

  it("keeps approved readers' comments with their threads and counts the rest by reason", () => {
    expect(plan.skippedComments).toEqual({
      pingback: 1,
      trackback: 1,
      spam: 1,
      trash: 1,
      "not approved": 1,
      "their post was left out": 1,
    });
    const comments = postOf(plan, "amptp-offer-ai").comments;
    expect(comments.map((c) => [c.ref, c.parentRef])).toEqual([
      ["201", null],
      ["202", "201"],
      ["203", "202"],
      ["204", "203"],
      ["205", null],
      // Its parent was spam: it stands at the top level, as WordPress showed it.
      ["208", null],
    ]);
    expect(plan.repliesMadeTopLevel).toBe(1);
    expect(comments.find((c) => c.ref === "205")).toMatchObject({
      name: "Zoë Nguyễn",
      email: "zoe.nguyen@example.com",
      website: "http://zoe.example.org/",
      at: "2023-08-23T20:22:18.000Z",
    });
    const all = JSON.stringify(plan);
    for (const marker of ["SPAM-MARKER", "UNAPPROVED-MARKER", "TRASH-MARKER", "PRIVATE-COMMENT-MARKER"]) {
      expect(all).not.toContain(marker);
    }
    // IP addresses are not carried over at all.
    expect(all).not.toContain("203.0.113.");
    expect(all).not.toContain("2001:db8");
  });

  it("keeps only http(s) websites, and names an anonymous commenter", () => {
    const comments = postOf(plan, "day-one-writers-walk-out").comments;
    expect(comments.find((c) => c.ref === "213")).toMatchObject({
      name: "Anonymous",
      email: "",
      website: null,
    });
    expect(comments.find((c) => c.ref === "214")?.website).toBeNull();
    expect(comments.find((c) => c.ref === "212")?.website).toBe("http://marcusbell.example.net/");
  });

  it("turns comment HTML into plain text with its links' addresses, entities decoded, scripts gone", () => {
    const leah = postOf(plan, "day-136-still-no-date-to-return-to-the-table").comments[0]!;
    expect(leah.name).toBe("Leah O’Brien");
    expect(leah.text).toBe(
      "136 days. My rent doesn’t care about <script> tags or talking points.\n\nLine two, strike fund info (https://www.wga.org/the-guild/going-on-strike).",
    );
    expect(commentHtmlToText('see <a href="https://wga.org/">https://wga.org/</a>')).toBe(
      "see https://wga.org/",
    );
    expect(commentHtmlToText('<a href="javascript:alert(1)">click</a> me')).toBe("click me");
    expect(commentHtmlToText("one<br />\ntwo")).toBe("one\ntwo");
    expect(commentHtmlToText('x <script>alert("1")</script><img src="https://t.example/p.gif">y')).toBe(
      "x y",
    );
  });

  it("publishes a scheduled post whose date has passed at that date", () => {
    const later = readWxr(fixture, "2030-01-01T00:00:00.000Z");
    expect(postOf(later, "five-years-after-the-strike")).toMatchObject({
      status: "published",
      at: "2028-05-02T15:00:00.000Z",
    });
  });

  it("refuses what is not XML, not a WordPress export, or carries a DOCTYPE", () => {
    expect(refusal('{ "not": "xml" }').message).toMatch(/^not XML/);
    expect(refusal("<rss><channel><title>x</title></rss>").message).toMatch(/^not XML/);
    expect(refusal('<rss version="2.0"><channel><title>A feed</title></channel></rss>').message).toContain(
      "not a WordPress export",
    );
    expect(refusal("<html><body>hello</body></html>").message).toContain("no <rss><channel>");
    const laughs = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>${wxr("<title>&b;</title>")}`;
    expect(refusal(laughs).code).toBe("VALIDATION_FAILED");
    expect(refusal(laughs).message).toContain("DOCTYPE");
  });

  it("skips trashed posts, decodes percent-encoded slugs and reads an item with one comment", () => {
    const one = readWxr(
      wxr(`<item><title>Grève générale</title><wp:post_name>gr%c3%a8ve</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_date_gmt>2023-07-14 12:00:00</wp:post_date_gmt><content:encoded>Hi</content:encoded>
        <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>A</wp:comment_author><wp:comment_approved>1</wp:comment_approved><wp:comment_date_gmt>2023-07-14 13:00:00</wp:comment_date_gmt><wp:comment_content>Yes</wp:comment_content><wp:comment_parent>0</wp:comment_parent></wp:comment></item>
        <item><title>Gone</title><wp:status>trash</wp:status><wp:post_type>post</wp:post_type></item>`),
      NOW,
    );
    expect(one.posts).toHaveLength(1);
    expect(one.posts[0]).toMatchObject({ slug: "greve", title: "Grève générale", byline: null });
    expect(one.posts[0]!.comments.map((c) => c.text)).toEqual(["Yes"]);
    expect(one.skippedPosts).toEqual([{ title: "Gone", slug: "gone", reason: "in WordPress's trash" }]);
  });
});

describe("the HTML conversions", () => {
  it("reads WordPress GMT dates, and not its zero date", () => {
    expect(gmtInstant("2023-09-14 20:05:00")).toBe("2023-09-14T20:05:00.000Z");
    expect(gmtInstant("0000-00-00 00:00:00")).toBeNull();
    expect(gmtInstant("2023-04-31 10:00:00")).toBeNull();
  });

  it("drops script from a post body", () => {
    expect(postHtmlToMarkdown("<p>Hello <script>alert(1)</script>world</p>")).toBe("Hello world");
  });
});
