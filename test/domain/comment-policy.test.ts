import { describe, expect, it } from "vitest";
import type { ValidComment } from "../../src/domain/comment.ts";
import {
  type CommentFacts,
  canReplyAt,
  commentsCloseAt,
  DEFAULTS,
  decideComment,
  duplicateKey,
  type ModerationSettings,
  ModerationSettingsSchema,
} from "../../src/domain/comment-policy.ts";

const PUBLISHED = "2023-09-14T09:00:00.000Z";
const NOW = "2023-09-14T19:00:00.000Z";

/** The instant `seconds` before NOW. */
function ago(seconds: number): string {
  return new Date(Date.parse(NOW) - seconds * 1_000).toISOString();
}

function input(fields: Partial<ValidComment> = {}): ValidComment {
  return {
    comment: "Day 136. The studios have not called in three weeks.",
    name: "Dana",
    email: "dana@example.org",
    website: null,
    parent: null,
    remember: false,
    ...fields,
  };
}

/** Facts under which a trusted commenter's comment is approved with the default settings. */
function facts(fields: Partial<CommentFacts> = {}): CommentFacts {
  return {
    post: { publishedAt: PUBLISHED, commentsOpen: true },
    parentDepth: null,
    approvedBefore: true,
    recentFromIp: [],
    recentFromEmail: [],
    duplicate: false,
    honeypot: "",
    formIssuedAt: ago(60),
    ...fields,
  };
}

function settings(fields: Partial<ModerationSettings> = {}): ModerationSettings {
  return { ...DEFAULTS, ...fields };
}

function decide(
  comment: Partial<ValidComment> = {},
  known: Partial<CommentFacts> = {},
  configured: Partial<ModerationSettings> = {},
  now = NOW,
) {
  return decideComment(input(comment), facts(known), settings(configured), now);
}

/** The outcome or the rejection code, whichever the decision is. */
function verdict(decision: ReturnType<typeof decideComment>): string {
  return "reject" in decision ? decision.reject : decision.outcome;
}

describe("moderation settings", () => {
  it("fills every setting from the defaults, so {} is a valid configuration", () => {
    expect(ModerationSettingsSchema.parse({})).toEqual({
      hold: "first-time",
      holdLinks: 2,
      holdWords: [],
      spamWords: [],
      minFillSeconds: 3,
      perIp: { count: 5, windowMinutes: 10 },
      perEmail: { count: 10, windowMinutes: 60 },
      maxDepth: 5,
      closeAfterDays: null,
    });
    expect(DEFAULTS).toEqual(ModerationSettingsSchema.parse({}));
  });

  it("keeps what a site sets, trimming word lists and dropping blank lines", () => {
    const parsed = ModerationSettingsSchema.parse({
      hold: "all",
      holdWords: [" scab ", "", "scab", "  "],
      perIp: null,
      closeAfterDays: 14,
    });
    expect(parsed.hold).toBe("all");
    expect(parsed.holdWords).toEqual(["scab"]);
    expect(parsed.perIp).toBeNull();
    expect(parsed.closeAfterDays).toBe(14);
    expect(parsed.maxDepth).toBe(5);
  });

  it("refuses settings that make no sense", () => {
    for (const bad of [
      { hold: "some" },
      { holdLinks: 0 },
      { minFillSeconds: -1 },
      { perIp: { count: 0, windowMinutes: 10 } },
      { perEmail: { count: 5 } },
      { maxDepth: 0 },
      { closeAfterDays: 0 },
      { spamWords: "casino" },
    ]) {
      expect(ModerationSettingsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("deciding on a comment", () => {
  it("approves a trusted commenter's plain comment, with no reasons", () => {
    expect(decide()).toEqual({ outcome: "approved", reasons: [] });
  });

  describe("hold mode", () => {
    it('"all" holds even a trusted commenter', () => {
      expect(decide({}, {}, { hold: "all" })).toEqual({
        outcome: "held",
        reasons: ["every comment is held for moderation"],
      });
    });

    it('"first-time" holds a commenter until one of their comments has been approved', () => {
      expect(decide({}, { approvedBefore: false })).toEqual({
        outcome: "held",
        reasons: ["first comment from this commenter"],
      });
      expect(decide({}, { approvedBefore: true })).toEqual({ outcome: "approved", reasons: [] });
    });

    it('"none" approves a first-time commenter', () => {
      expect(decide({}, { approvedBefore: false }, { hold: "none" })).toEqual({
        outcome: "approved",
        reasons: [],
      });
    });
  });

  describe("links", () => {
    it("holds a comment with holdLinks links, not one with one fewer", () => {
      expect(verdict(decide({ comment: "See https://wga.org for it." }))).toBe("approved");
      expect(decide({ comment: "See https://wga.org and wgaeast.org." })).toEqual({
        outcome: "held",
        reasons: ["2 links (held from 2)"],
      });
      expect(verdict(decide({ comment: "a.org b.org c.org" }, {}, { holdLinks: 4 }))).toBe("approved");
      expect(verdict(decide({ comment: "a.org b.org c.org d.org" }, {}, { holdLinks: 4 }))).toBe("held");
    });

    it("never holds for links when holdLinks is null", () => {
      expect(verdict(decide({ comment: "a.org b.org c.org d.org" }, {}, { holdLinks: null }))).toBe(
        "approved",
      );
    });

    it("counts links as the renderer makes them: bare addresses yes; markdown links, mailto and ftp no", () => {
      // The renderer shows none of these as links, so none of them count.
      const notLinks =
        "[click](https://a.org) mailto:dana@example.org dana@example.org ftp://files.org //x.org";
      expect(verdict(decide({ comment: notLinks }))).toBe("approved");
      // The website field is the byline's link, not the comment's.
      expect(verdict(decide({ comment: "Only https://a.org here", website: "https://dana.example/" }))).toBe(
        "approved",
      );
      expect(verdict(decide({ comment: "<https://a.org> and www.b.org" }))).toBe("held");
    });
  });

  describe("word lists", () => {
    const holdWords = ["scab", "strike breaker"];

    it("holds a comment with a hold word, ignoring case, as a whole word", () => {
      expect(decide({ comment: "Any SCAB crossing will be noted." }, {}, { holdWords })).toEqual({
        outcome: "held",
        reasons: ['hold word "scab"'],
      });
      expect(verdict(decide({ comment: "Scabbard is not the word." }, {}, { holdWords }))).toBe("approved");
    });

    it("matches a listed phrase across any white space, and words in the name", () => {
      expect(verdict(decide({ comment: "a Strike\n  Breaker came" }, {}, { holdWords }))).toBe("held");
      expect(verdict(decide({ name: "Scab Watcher" }, {}, { holdWords }))).toBe("held");
      expect(verdict(decide({ comment: "strikebreaker" }, {}, { holdWords }))).toBe("approved");
    });

    it('does not let a short word hold longer ones that contain it ("ass" in "class")', () => {
      const words = ["ass"];
      expect(verdict(decide({ comment: "A class action in Massachusetts." }, {}, { holdWords: words }))).toBe(
        "approved",
      );
      expect(verdict(decide({ comment: "What an ass." }, {}, { holdWords: words }))).toBe("held");
    });

    it("matches inside web addresses as a substring: links in the text, the website and the email", () => {
      const spamWords = ["casino"];
      expect(decide({ comment: "Try https://bestcasinobonus.example now" }, {}, { spamWords })).toEqual({
        outcome: "spam",
        reasons: ['spam word "casino"'],
      });
      expect(verdict(decide({ website: "https://luckycasino.example/" }, {}, { spamWords }))).toBe("spam");
      const byEmail = decide({ email: "promo@casinoworld.example" }, {}, { spamWords });
      expect(verdict(byEmail)).toBe("spam");
      // Reasons reach moderators' pages: they name the word, never the address it was found in.
      expect(JSON.stringify(byEmail)).not.toContain("promo@");
      // The same word run into another in prose is no whole word: left alone.
      expect(verdict(decide({ comment: "bestcasinobonus is a word I made up" }, {}, { spamWords }))).toBe(
        "approved",
      );
    });

    it("sees through percent-encoding, international domain names and full-width letters", () => {
      const spamWords = ["casino", "казино"];
      expect(verdict(decide({ comment: "https://x.example/c%61sino" }, {}, { spamWords }))).toBe("spam");
      expect(verdict(decide({ website: "https://xn--80aodfsg.example/" }, {}, { spamWords }))).toBe("spam");
      expect(verdict(decide({ comment: "ｃａｓｉｎｏ night" }, {}, { spamWords }))).toBe("spam");
    });

    it("marks spam before holding, and gives every hold reason at once", () => {
      expect(
        verdict(
          decide({ comment: "scab casino" }, {}, { holdWords: ["scab"], spamWords: ["casino"], hold: "all" }),
        ),
      ).toBe("spam");
      expect(
        decide(
          { comment: "scab a.org b.org" },
          { approvedBefore: false },
          { holdWords: ["scab"], hold: "first-time" },
        ),
      ).toEqual({
        outcome: "held",
        reasons: ["first comment from this commenter", "2 links (held from 2)", 'hold word "scab"'],
      });
    });

    it("treats listed words as text, not patterns", () => {
      expect(verdict(decide({ comment: "dollars" }, {}, { spamWords: ["$$$", "d.llars"] }))).toBe("approved");
      expect(verdict(decide({ comment: "get $$$ now" }, {}, { spamWords: ["$$$"] }))).toBe("spam");
    });
  });

  describe("honeypot", () => {
    it("marks a comment with the honeypot filled as spam", () => {
      expect(decide({}, { honeypot: "http://cheap.example" })).toEqual({
        outcome: "spam",
        reasons: ["the hidden field bots fill in was filled in"],
      });
    });

    it("ignores white space alone in it", () => {
      expect(verdict(decide({}, { honeypot: "  " }))).toBe("approved");
    });
  });

  describe("minimum fill time", () => {
    it("accepts a form sent exactly minFillSeconds after it was issued, refuses one a millisecond sooner", () => {
      expect(verdict(decide({}, { formIssuedAt: ago(3) }))).toBe("approved");
      expect(decide({}, { formIssuedAt: ago(2.999) })).toEqual({
        reject: "COMMENT_TOO_FAST",
        message: "The form was sent faster than a person types; send it again.",
      });
      expect(verdict(decide({}, { formIssuedAt: ago(9) }, { minFillSeconds: 10 }))).toBe("COMMENT_TOO_FAST");
    });

    it("turns off with minFillSeconds 0, but still wants a valid token", () => {
      expect(verdict(decide({}, { formIssuedAt: NOW }, { minFillSeconds: 0 }))).toBe("approved");
      // A token from a server whose clock runs a little ahead.
      expect(verdict(decide({}, { formIssuedAt: ago(-5) }, { minFillSeconds: 0 }))).toBe("approved");
      expect(verdict(decide({}, { formIssuedAt: ago(-5) }))).toBe("COMMENT_TOO_FAST");
      expect(decide({}, { formIssuedAt: null }, { minFillSeconds: 0 })).toEqual({
        reject: "COMMENT_TOO_FAST",
        message: "The form has expired or is incomplete; send it again.",
      });
    });
  });

  describe("rate limits", () => {
    const minutesAgo = (m: number) => ago(m * 60);

    it("allows the perIp.count-th comment in the window and refuses the next", () => {
      const four = [1, 2, 3, 4].map(minutesAgo);
      expect(verdict(decide({}, { recentFromIp: four }))).toBe("approved");
      const five = [1, 2, 3, 4, 5].map(minutesAgo);
      expect(decide({}, { recentFromIp: five })).toEqual({
        reject: "COMMENT_RATE_LIMITED",
        message: "You are commenting too quickly; wait a little and send it again.",
        // The comment 5 minutes old leaves the 10-minute window in 5 minutes.
        retryAfterSeconds: 300,
      });
    });

    it("counts a comment while it is less than the window old", () => {
      const edge = [1, 2, 3, 4].map(minutesAgo);
      expect(verdict(decide({}, { recentFromIp: [...edge, minutesAgo(10)] }))).toBe("approved");
      expect(verdict(decide({}, { recentFromIp: [...edge, ago(599)] }))).toBe("COMMENT_RATE_LIMITED");
      expect(verdict(decide({}, { recentFromIp: [...edge, minutesAgo(60), minutesAgo(600)] }))).toBe(
        "approved",
      );
    });

    it("applies the per-email limit on its own", () => {
      const nine = Array.from({ length: 9 }, (_, i) => minutesAgo(5 * (i + 1)));
      expect(verdict(decide({}, { recentFromEmail: nine }))).toBe("approved");
      const ten = [...nine, minutesAgo(59)];
      const decision = decide({}, { recentFromEmail: ten });
      expect(decision).toMatchObject({ reject: "COMMENT_RATE_LIMITED", retryAfterSeconds: 60 });
      expect(
        verdict(decide({}, { recentFromEmail: ten }, { perEmail: { count: 11, windowMinutes: 60 } })),
      ).toBe("approved");
    });

    it("has no limit where the setting is null", () => {
      const many = Array.from({ length: 50 }, () => minutesAgo(1));
      expect(
        verdict(decide({}, { recentFromIp: many, recentFromEmail: many }, { perIp: null, perEmail: null })),
      ).toBe("approved");
    });
  });

  describe("duplicates", () => {
    it("refuses a comment this address already left on this post", () => {
      expect(decide({}, { duplicate: true })).toEqual({
        reject: "COMMENT_DUPLICATE",
        message: "You already said that here.",
      });
    });

    it("compares texts ignoring case, runs of white space and compatibility forms", () => {
      const key = duplicateKey("No  deal\nwithout   AI terms.");
      expect(duplicateKey(" no deal without ai terms. ")).toBe(key);
      expect(duplicateKey("No deal\r\n\twithout AI terms.")).toBe(key);
      expect(duplicateKey("Ｎｏ deal without AI terms.")).toBe(key);
      expect(duplicateKey("No deal without AI terms!")).not.toBe(key);
      expect(duplicateKey("Nodeal without AI terms.")).not.toBe(key);
    });
  });

  describe("reply depth", () => {
    it("takes a reply at maxDepth and refuses one below it", () => {
      expect(verdict(decide({ parent: "c1" }, { parentDepth: 4 }))).toBe("approved");
      expect(decide({ parent: "c1" }, { parentDepth: 5 })).toEqual({
        reject: "COMMENT_TOO_DEEP",
        message: "Replies cannot nest any deeper here.",
      });
      expect(verdict(decide({ parent: "c1" }, { parentDepth: 1 }, { maxDepth: 1 }))).toBe("COMMENT_TOO_DEEP");
      expect(verdict(decide({}, { parentDepth: null }, { maxDepth: 1 }))).toBe("approved");
    });

    it("tells the page where to offer a reply link", () => {
      expect([1, 4, 5, 6].map((d) => canReplyAt(d, DEFAULTS))).toEqual([true, true, false, false]);
    });
  });

  describe("closing", () => {
    const closing = { closeAfterDays: 14 };
    const closeAt = "2023-09-28T09:00:00.000Z";

    it("closes closeAfterDays days of 24 hours after publication, to the millisecond", () => {
      expect(commentsCloseAt(PUBLISHED, settings(closing))).toBe(closeAt);
      expect(commentsCloseAt(PUBLISHED, DEFAULTS)).toBeNull();
      expect(verdict(decide({}, {}, closing, "2023-09-28T08:59:59.999Z"))).toBe("approved");
      expect(decide({}, {}, closing, closeAt)).toEqual({
        reject: "COMMENTS_CLOSED",
        message: "Comments on this post are closed.",
      });
    });

    it("never closes by age when closeAfterDays is null", () => {
      expect(verdict(decide({}, {}, {}, "2033-09-14T00:00:00.000Z"))).toBe("approved");
    });

    it("refuses comments on a post closed by hand, a draft, or one scheduled for later", () => {
      expect(verdict(decide({}, { post: { publishedAt: PUBLISHED, commentsOpen: false } }))).toBe(
        "COMMENTS_CLOSED",
      );
      expect(verdict(decide({}, { post: { publishedAt: null, commentsOpen: true } }))).toBe(
        "COMMENTS_CLOSED",
      );
      const later = { publishedAt: "2023-09-14T19:00:00.001Z", commentsOpen: true };
      expect(verdict(decide({}, { post: later }))).toBe("COMMENTS_CLOSED");
      expect(verdict(decide({}, { post: { publishedAt: NOW, commentsOpen: true } }))).toBe("approved");
    });
  });

  describe("the order of the rules", () => {
    /** Every rule applies; removing them one by one, in order, shows which decides first. */
    const everything: Partial<CommentFacts> = {
      post: { publishedAt: PUBLISHED, commentsOpen: false },
      parentDepth: 5,
      recentFromIp: Array.from({ length: 5 }, () => ago(60)),
      recentFromEmail: Array.from({ length: 10 }, () => ago(60)),
      honeypot: "http://cheap.example",
      formIssuedAt: null,
      duplicate: true,
      approvedBefore: false,
    };
    const steps: [string, Partial<CommentFacts>][] = [
      ["COMMENTS_CLOSED", { post: { publishedAt: PUBLISHED, commentsOpen: true } }],
      ["COMMENT_TOO_DEEP", { parentDepth: 4 }],
      ["COMMENT_RATE_LIMITED", { recentFromIp: [] }],
      ["COMMENT_RATE_LIMITED", { recentFromEmail: [] }],
      ["spam", { honeypot: "" }],
      ["COMMENT_TOO_FAST", { formIssuedAt: ago(1) }],
      ["COMMENT_TOO_FAST", { formIssuedAt: ago(60) }],
      ["COMMENT_DUPLICATE", { duplicate: false }],
    ];
    const configured = { spamWords: ["casino"], holdWords: ["scab"], hold: "all" as const };
    const comment = { comment: "scab casino a.org b.org" };

    it("closed, too deep, rate limits, honeypot, form token and fill time, duplicate, spam words, hold", () => {
      let known = { ...everything };
      for (const [expected, fix] of steps) {
        expect(verdict(decide(comment, known, configured)), JSON.stringify(fix)).toBe(expected);
        known = { ...known, ...fix };
      }
      expect(decide(comment, known, configured)).toEqual({
        outcome: "spam",
        reasons: ['spam word "casino"'],
      });
      expect(decide({ comment: "scab a.org b.org" }, known, configured)).toEqual({
        outcome: "held",
        reasons: ["every comment is held for moderation", "2 links (held from 2)", 'hold word "scab"'],
      });
      expect(decide({ comment: "fine" }, { ...known, approvedBefore: true }, { hold: "none" })).toEqual({
        outcome: "approved",
        reasons: [],
      });
    });

    it("lets a honeypot bot learn nothing from fill time, duplicates or words", () => {
      const bot = { honeypot: "x", formIssuedAt: ago(0), duplicate: true };
      expect(verdict(decide({ comment: "casino" }, bot, { spamWords: ["casino"] }))).toBe("spam");
    });
  });
});
