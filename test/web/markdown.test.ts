import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wga2023 } from "../../src/demo/wga-2023.ts";
import { renderMarkdown } from "../../src/web/markdown.ts";
import { Markdown } from "../../src/web/markdown-view.tsx";
import { demoServer } from "../support/web.ts";

/** Every tag name in an HTML fragment, lower-cased, in order. */
function tags(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase());
}

/** Every attribute (name="value") of every tag in an HTML fragment. */
function attributes(html: string): string[] {
  return [...html.matchAll(/<[a-zA-Z][^>]*>/g)].flatMap((tag) =>
    [...tag[0].matchAll(/\s([^\s=/>]+)(?:="([^"]*)")?/g)].map((a) => `${a[1]}=${a[2] ?? ""}`),
  );
}

/** Every href of the links of an HTML fragment (real tags only, not escaped text). */
function hrefs(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*\bhref="([^"]*)"/g)].map((m) => m[1]!);
}

const ALLOWED = new Set([
  "p",
  "br",
  "em",
  "strong",
  "ul",
  "ol",
  "li",
  "blockquote",
  "code",
  "pre",
  "h3",
  "h4",
  "h5",
  "h6",
  "a",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
]);

/** Asserts the fragment holds only allowed tags and attributes, and links to http(s)/mailto only. */
function expectSafe(html: string) {
  expect(
    tags(html).filter((t) => !ALLOWED.has(t)),
    html,
  ).toEqual([]);
  expect(
    attributes(html).filter((a) => !/^(href|rel|scope|start)=/.test(a)),
    html,
  ).toEqual([]);
  expect(
    hrefs(html).filter((href) => !/^(https?:\/\/|mailto:)/.test(href)),
    html,
  ).toEqual([]);
}

describe("renderMarkdown", () => {
  it("renders emphasis, lists, links, quotes, code and tables", () => {
    const html = renderMarkdown(
      [
        "**Minimum rates.** 5% on *Sep 25*, 2023",
        "and 4% after.",
        "",
        "- first",
        "- second",
        "",
        "3. three",
        "4. four",
        "",
        "> quoted `code`",
        "",
        "See [the MBA](https://www.wga.org/contracts) or https://example.org/a and mail info@example.org.",
        "",
        "| Year | Raise |",
        "|------|------:|",
        "| 1 | 5% |",
      ].join("\n"),
    );
    expect(html).toContain("<strong>Minimum rates.</strong>");
    expect(html).toContain("<em>Sep 25</em>");
    // A single line break stays a line break.
    expect(html).toMatch(/2023<br \/>\s*and 4% after\./);
    expect(html).toContain("<ul>\n<li>first</li>\n<li>second</li>\n</ul>");
    expect(html).toContain('<ol start="3">');
    expect(html).toContain("<blockquote>\n<p>quoted <code>code</code></p>\n</blockquote>");
    expect(html).toContain(
      '<a href="https://www.wga.org/contracts" rel="nofollow noopener noreferrer">the MBA</a>',
    );
    // Bare addresses become links too (linkify), with the same rel.
    expect(html).toContain(
      '<a href="https://example.org/a" rel="nofollow noopener noreferrer">https://example.org/a</a>',
    );
    expect(html).toContain('<a href="mailto:info@example.org" rel="nofollow noopener noreferrer">');
    expect(html).toContain('<th scope="col">Year</th>');
    expect(html).toContain("<td>5%</td>");
    // The alignment markdown-it writes as a style attribute is dropped.
    expect(html).not.toContain("style");
    expectSafe(html);
  });

  it("keeps typography as typed", () => {
    expect(renderMarkdown('"quoted" -- (c) ...')).toBe('<p>"quoted" -- (c) ...</p>');
  });

  it("maps headings below the page's own: # to h3, ## to h4, and so on down to h6", () => {
    const html = renderMarkdown("# Article 13\n\n## Wages\n\n### Rates\n\n#### Detail\n\n##### Deeper");
    expect(html).toContain("<h3>Article 13</h3>");
    expect(html).toContain("<h4>Wages</h4>");
    expect(html).toContain("<h5>Rates</h5>");
    expect(html).toContain("<h6>Detail</h6>");
    expect(html).toContain("<h6>Deeper</h6>");
    expect(tags(html)).not.toContain("h1");
    expect(tags(html)).not.toContain("h2");
    // Under a deeper page heading, the top level can be lower still.
    expect(renderMarkdown("# A\n\n## B", { topHeading: 5 })).toBe("<h5>A</h5>\n<h6>B</h6>");
    // An empty heading is left out (it would be an empty heading on the page).
    expect(renderMarkdown("#\n\ntext")).toBe("<p>text</p>");
  });

  it("escapes raw HTML: script tags, event handlers, images, iframes, styles", () => {
    const cases = [
      "<script>alert(1)</script>",
      "before <script>alert(1)</script> after",
      '<img src="x" onerror="alert(1)">',
      "<img src=x onerror=alert(1)//",
      '<a href="javascript:alert(1)" onclick="alert(1)">click</a>',
      '<div onmouseover="alert(1)">hover</div>',
      '<p style="background:url(javascript:alert(1))" class="x" id="y">styled</p>',
      '<iframe src="javascript:alert(1)"></iframe>',
      "<svg><script>alert(1)</script></svg>",
      '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
      "<!-- comment --><b>bold</b>",
      '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    ];
    for (const input of cases) {
      const html = renderMarkdown(input);
      expectSafe(html);
      expect(html, input).not.toMatch(/<(script|img|iframe|svg|math|style|div|b|noscript)\b/i);
      // The text is shown as written, escaped: a reader sees what was typed.
      expect(html, input).toContain("&lt;");
    }
    expect(renderMarkdown("<script>alert(1)</script>")).toBe("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
  });

  it("drops links to anything but http, https and mailto, keeping their words", () => {
    const cases: [string, string][] = [
      ["[x](javascript:alert(1))", "x"],
      ["[x](JaVaScRiPt:alert(1))", "x"],
      ["[x](javascript&#58;alert(1))", "x"],
      ["[x](&#106;avascript:alert(1))", "x"],
      ["[x](java%0ascript:alert(1))", "x"],
      ["[x](vbscript:msgbox(1))", "x"],
      ["[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "x"],
      ["[x](file:///etc/passwd)", "x"],
      ["[x](//evil.example/path)", "x"],
      ["[x](/relative/path)", "x"],
      ["[x](#fragment)", "x"],
      ["<javascript:alert(1)>", "alert(1)"],
      ["[x][ref]\n\n[ref]: javascript:alert(1)", "x"],
      ["![x](data:image/png;base64,iVBORw0KGgo=)", "x"],
      ["![x](https://example.org/pixel.png)", "x"],
    ];
    for (const [input, words] of cases) {
      const html = renderMarkdown(input);
      expectSafe(html);
      expect(hrefs(html), input).toEqual([]);
      expect(tags(html), input).not.toContain("img");
      expect(html, input).toContain(words);
    }
  });

  it("neutralizes nested link tricks and HTML entities", () => {
    // A link inside a link's text: the inner one stays text, the outer one is safe.
    const nested = renderMarkdown("[[x](javascript:alert(1))](https://example.org/)");
    expectSafe(nested);
    expect(hrefs(nested)).toEqual(["https://example.org/"]);
    expect(nested).not.toContain('href="javascript');
    // Breaking out of the href attribute with quotes is percent-encoded.
    const quoted = renderMarkdown('[x](https://example.org/"onmouseover="alert(1))');
    expectSafe(quoted);
    expect(quoted).not.toMatch(/\sonmouseover=/);
    // Entities never turn back into markup.
    const entities = renderMarkdown(
      "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;",
    );
    expectSafe(entities);
    expect(entities).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(entities).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(tags(entities)).toEqual(["p", "p"]);
    // A link with no words is left out rather than left unnamed.
    expect(renderMarkdown("[](https://example.org/) words")).toBe("<p> words</p>");
  });

  it("completes on long and pathological inputs of 50,000 characters", () => {
    const N = 50_000;
    const inputs = [
      "[".repeat(N),
      "*a".repeat(N / 2),
      ">".repeat(N),
      "`".repeat(N),
      "<".repeat(N),
      "&#".repeat(N / 2),
      "[a](http://x.example/ ".repeat(N / 22),
      `${"|a".repeat(N / 4)}\n${"|-".repeat(N / 4)}`,
      "**Minimum rates.** 5% on Sep 25, 2023 (https://example.org).\n".repeat(Math.ceil(N / 61)),
    ];
    for (const input of inputs) {
      expect(input.length).toBeGreaterThan(N - 100);
      const html = renderMarkdown(input);
      expect(html.length).toBeGreaterThan(0);
      expectSafe(html);
    }
  });
});

describe("the Markdown component", () => {
  it("wraps the sanitized HTML in a div of class markdown", () => {
    const html = renderToString(h(Markdown, { text: "**bold** <script>alert(1)</script>", class: "extra" }));
    expect(html).toBe(
      '<div class="markdown extra"><p><strong>bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p></div>',
    );
    expect(renderToString(h(Markdown, { text: "# T", topHeading: 4 }))).toBe(
      '<div class="markdown"><h4>T</h4></div>',
    );
  });
});

/** One pass of an issue page's thread, as HTML ("" when the page does not show it). */
function passOf(html: string, seq: number): string {
  return new RegExp(`<article id="pass-${seq}"[\\s\\S]*?</article>`).exec(html)?.[0] ?? "";
}

/** The rendered language of a pass: its markdown div. */
function proposedText(pass: string): string {
  return /<div class="markdown issue-language">([\s\S]*?)<\/div>/.exec(pass)?.[1] ?? "";
}

/** A comparison (redline) of a pass, from its heading to the end of its text. */
function comparison(pass: string, seq: number, which: "own" | "other"): string {
  return new RegExp(`<h4 id="pass-${seq}-${which}">[\\s\\S]*?</div></div>`).exec(pass)?.[0] ?? "";
}

describe("language on an issue's page", () => {
  const seqOf = (label: string) => wga2023().labels[label]!.seq;
  const CLOSING = seqOf("closing-package");
  const AMPTP_AUG_11 = seqOf("amptp-2023-08-11");

  let s: Awaited<ReturnType<typeof demoServer>>;
  let wga: string;
  let amptp: string;
  let wgaMember: string;
  beforeAll(async () => {
    s = await demoServer();
    wga = await s.signIn("wgaNegotiator");
    amptp = await s.signIn("amptpNegotiator");
    wgaMember = await s.signIn("wgaMember");
  });
  afterAll(async () => {
    await s.app.close();
    await s.parley.close();
  });

  it("shows each pass's language rendered as markdown, while the redlines still compare the raw text", async () => {
    // The closing package was kept at the table: its negotiators read it.
    const r = await s.page("/d/wga-2023/issues/ai", wga);
    expect(r.status).toBe(200);
    const closing = passOf(r.html, CLOSING);
    expect(closing).toContain("The text as proposed");
    const text = proposedText(closing);
    expect(text).toContain("<strong>Artificial intelligence.</strong>");
    expect(text).toContain("<ul>\n<li>AI cannot write or rewrite literary material");
    expect(text).not.toContain("**");
    // The redline is a diff of the text as written, asterisks and dashes included.
    const other = comparison(closing, CLOSING, "other");
    expect(other).toContain('class="language redline-text"');
    expect(other).toContain("**");
    expect(other).not.toContain("<strong>");

    // A pass with nothing to compare with shows its text once, rendered.
    const wages = await s.page("/d/wga-2023/issues/wages");
    const first = passOf(wages.html, AMPTP_AUG_11);
    expect(first).toContain("nothing to compare with");
    expect(proposedText(first)).toContain("<strong>Minimum rates.</strong>");
    expect(first).not.toContain("**Minimum rates.**");
  });

  it("shows a tentative agreement's language rendered as markdown", async () => {
    const r = await s.page("/d/wga-2023/issues/ai");
    const ta = /<article class="card issue-ta"[\s\S]*?<\/article>/.exec(r.html)?.[0] ?? "";
    expect(ta).toContain('<div class="markdown issue-language ta-language">');
    expect(ta).toContain("<li><strong>Wages:</strong> 5% (Sep 25, 2023)");
    expect(ta).not.toContain("**Wages:**");
    expect(ta).toContain(
      "<p>The guild countersigns. It values the gains of this agreement at about $233M a year.</p>",
    );
  });

  it("shows a pass's HTML as text, never as markup, to every reader at the table; the public never sees it", async () => {
    const SCRIPT = "<script>alert(1)</script>";
    await s.parley.execute("wga-2023", {
      actor: { org: "wga-west", user: "t" },
      type: "issue.opened",
      occurredAt: "2023-10-02T17:00:00.000Z",
      visibility: "table",
      payload: { issue: "script-test", title: "Script test" },
    });
    const first = await s.parley.execute("wga-2023", {
      actor: { org: "wga-west", user: "t" },
      type: "pass.made",
      occurredAt: "2023-10-03T17:00:00.000Z",
      visibility: "table",
      payload: {
        kind: "proposal",
        issues: [{ issue: "script-test", language: `**Clause.** ${SCRIPT} [x](javascript:alert(2))` }],
      },
    });
    const second = await s.parley.execute("wga-2023", {
      actor: { org: "amptp", user: "t" },
      type: "pass.made",
      occurredAt: "2023-10-04T17:00:00.000Z",
      visibility: "table",
      payload: {
        kind: "counterproposal",
        issues: [{ issue: "script-test", language: `**Clause.** <img src=x onerror=alert(3)> ${SCRIPT}` }],
      },
    });

    for (const cookie of [wga, amptp]) {
      const r = await s.page("/d/wga-2023/issues/script-test", cookie);
      expect(r.status).toBe(200);
      const pass = passOf(r.html, first.seq);
      expect(proposedText(pass)).toContain(
        "<strong>Clause.</strong> &lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(2))",
      );
      expect(tags(pass)).not.toContain("script");
      expect(pass).not.toContain('href="javascript');
      const counter = passOf(r.html, second.seq);
      expect(proposedText(counter)).toContain("&lt;img src=x onerror=alert(3)&gt;");
      expect(tags(counter)).not.toContain("img");
      // The redline of the raw text is escaped too.
      const redline = comparison(counter, second.seq, "other");
      expect(redline).toContain("onerror=alert(3)");
      expect(tags(redline)).not.toContain("img");
      expect(tags(redline)).not.toContain("script");
      // Nowhere on the page is the text a script or an image.
      expect(r.html).not.toMatch(/<script>alert|<img/i);
    }

    for (const cookie of [wgaMember, undefined]) {
      const r = await s.page("/d/wga-2023/issues/script-test", cookie);
      expect(r.status).toBe(404);
      expect(r.html).not.toContain("alert(");
    }
  });
});
