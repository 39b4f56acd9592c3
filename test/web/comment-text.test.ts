import fc from "fast-check";
import { parseDocument } from "htmlparser2";
import { describe, expect, it } from "vitest";
import {
  commenterLink,
  commentLinks,
  countLinks,
  LINK_REL,
  renderCommentText,
} from "../../src/web/comment-text.ts";

type DomNode = ReturnType<typeof parseDocument>["children"][number];

interface Found {
  tags: string[];
  /** Every attribute of every element, as tag[name]=value. */
  attributes: string[];
  /** Node types other than elements and text (comments, CDATA, directives). */
  others: string[];
  text: string;
}

/** Parses HTML as a browser would and lists what it holds. */
function inspect(html: string): Found {
  const found: Found = { tags: [], attributes: [], others: [], text: "" };
  const walk = (nodes: DomNode[]) => {
    for (const node of nodes) {
      if (node.type === "text") {
        found.text += node.data;
      } else if (node.type === "tag" || node.type === "script" || node.type === "style") {
        found.tags.push(node.name);
        for (const [name, value] of Object.entries(node.attribs))
          found.attributes.push(`${node.name}[${name}]=${value}`);
        walk(node.children as DomNode[]);
      } else {
        found.others.push(node.type);
        if ("children" in node) walk(node.children as DomNode[]);
      }
    }
  };
  walk(parseDocument(html, { decodeEntities: true }).children);
  return found;
}

const ALLOWED_TAGS = new Set(["p", "br", "a", "em", "strong", "code"]);

/** The output holds only allowlisted tags, links only to http(s) with the right rel, nothing else. */
function expectSafe(html: string, source = "") {
  const found = inspect(html);
  const context = `${JSON.stringify(source)} -> ${html}`;
  expect(
    found.tags.filter((t) => !ALLOWED_TAGS.has(t)),
    context,
  ).toEqual([]);
  expect(found.others, context).toEqual([]);
  for (const attribute of found.attributes) {
    const match = /^a\[(href|rel)\]=(.*)$/s.exec(attribute);
    expect(match, `${context}: ${attribute}`).not.toBeNull();
    const [, name, value] = match!;
    if (name === "rel") expect(value, context).toBe(LINK_REL);
    else expect(new URL(value!).protocol, context).toMatch(/^https?:$/);
  }
  const links = found.tags.filter((t) => t === "a").length;
  expect(
    found.attributes.filter((a) => a.startsWith("a[href]=")),
    context,
  ).toHaveLength(links);
  expect(
    found.attributes.filter((a) => a.startsWith("a[rel]=")),
    context,
  ).toHaveLength(links);
}

const XSS = [
  "<script>alert(1)</script>",
  "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
  "<img src=x onerror=alert(1)>",
  '<img src="x" onerror="alert(1)"/>',
  "<svg onload=alert(1)>",
  "<svg><script>alert(1)</script></svg>",
  "<svg/onload=alert(1)>",
  "<iframe src=javascript:alert(1)></iframe>",
  '<a href="javascript:alert(1)">x</a>',
  '<a href="https://ok.example" onclick="alert(1)">x</a>',
  '<p style="background:url(javascript:alert(1))">x</p>',
  "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
  "<details open ontoggle=alert(1)>",
  "<object data=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>",
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  "<<script>script>alert(1)<</script>/script>",
  "<scr<script>ipt>alert(1)</scr</script>ipt>",
  "<a href='javascript:alert(1)'",
  "<img src=x onerror=alert(1)",
  "<!-- <script>alert(1)</script> -->",
  "<![CDATA[<script>alert(1)</script>]]>",
  "<?xml version='1.0'?><x/>",
  "<!DOCTYPE html><script>alert(1)</script>",
  "&lt;script&gt;alert(1)&lt;/script&gt;",
  "&#60;script&#62;alert(1)&#60;/script&#62;",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "&#106;avascript:alert(1)",
  "&#x6A;avascript:alert(1)",
  "java\tscript:alert(1)",
  "[x](javascript:alert(1))",
  "[x](JaVaScRiPt:alert(1))",
  "[x](&#106;avascript:alert(1))",
  "[x](java&#x09;script:alert(1))",
  "[x](%6Aavascript:alert(1))",
  "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "[x](vbscript:msgbox(1))",
  "[x]( javascript:alert(1) )",
  '[x](https://ok.example "onmouseover=alert(1)")',
  "[x][1]\n\n[1]: javascript:alert(1)",
  "![x](javascript:alert(1))",
  "![x](https://evil.example/track.png)",
  '![x" onerror="alert(1)](https://evil.example/x.png)',
  "<javascript:alert(1)>",
  "<JaVaScRiPt:alert(1)>",
  "<data:text/html,<script>alert(1)</script>>",
  '<https://ok.example/" onmouseover="alert(1)>',
  'https://ok.example/"onmouseover="alert(1)',
  "https://ok.example/<script>alert(1)</script>",
  "www.ok.example/?q=<svg/onload=alert(1)>",
  "https://ok.example/'><img src=x onerror=alert(1)>",
  "`<script>alert(1)</script>`",
  "**<script>alert(1)</script>**",
  "*<img src=x onerror=alert(1)>*",
  "```\n<script>alert(1)</script>\n```",
  "    <script>alert(1)</script>",
  "<style>*{display:none}</style>",
  "<base href=https://evil.example/>",
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<form action="https://evil.example"><input name=x></form>',
  "\u0000<script>alert(1)</script>",
  "<scri\u0000pt>alert(1)</script>",
  "＜script＞alert(1)＜/script＞",
];

describe("the safety check used below", () => {
  it("catches what it must: other tags, handlers, other schemes, a missing rel, comments", () => {
    for (const unsafe of [
      "<img src=x>",
      "<p><script>alert(1)</script></p>",
      '<a href="https://a.example" rel="nofollow ugc noopener" onclick="x">a</a>',
      '<a href="javascript:alert(1)" rel="nofollow ugc noopener">a</a>',
      '<a href="https://a.example">a</a>',
      "<p><!-- x --></p>",
      '<p class="x">a</p>',
    ]) {
      expect(() => expectSafe(unsafe), unsafe).toThrow();
    }
    expect(() => expectSafe(`<p><a href="https://a.example" rel="${LINK_REL}">a</a></p>`)).not.toThrow();
  });
});

describe("rendering comment text", () => {
  it("keeps paragraphs on blank lines and line breaks within them", () => {
    expect(renderCommentText("Day 136.\nNo talks.\n\nStill out.")).toBe(
      "<p>Day 136.<br />\nNo talks.</p>\n<p>Still out.</p>",
    );
  });

  it("knows emphasis, strong and inline code, and nothing else of markdown", () => {
    expect(renderCommentText("*really* **no** `AI`")).toBe(
      "<p><em>really</em> <strong>no</strong> <code>AI</code></p>",
    );
    const plain = "# Article 1\n- staffing\n1. AI\n> quoted\n---\n| a | b |";
    expect(inspect(renderCommentText(plain)).tags).toEqual(["p", "br", "br", "br", "br", "br"]);
    expect(inspect(renderCommentText(plain)).text).toBe(plain);
  });

  it("shows what was typed: markup and entities stay text", () => {
    expect(inspect(renderCommentText("<b>bold?</b> &amp; 5 < 6")).text).toBe("<b>bold?</b> &amp; 5 < 6");
    expect(inspect(renderCommentText("[the offer](https://amptp.org)")).text).toBe(
      "[the offer](https://amptp.org)",
    );
  });

  it("links bare web addresses, with the commenter's rel on every link", () => {
    expect(renderCommentText("Read https://wga.org/news?id=1&x=2 or wga.org.")).toBe(
      `<p>Read <a href="https://wga.org/news?id=1&amp;x=2" rel="${LINK_REL}">https://wga.org/news?id=1&amp;x=2</a>` +
        ` or <a href="http://wga.org" rel="${LINK_REL}">wga.org</a>.</p>`,
    );
  });

  it("makes no link of an email address, mailto:, ftp: or a protocol-relative address", () => {
    const html = renderCommentText(
      "dana@example.org mailto:dana@example.org ftp://files.example //x.example/a",
    );
    expect(inspect(html).tags).toEqual(["p"]);
  });

  it("executes nothing from an XSS corpus: only allowlisted tags and attributes come out", () => {
    for (const attack of XSS) expectSafe(renderCommentText(attack), attack);
  });

  it("keeps the corpus's words visible as text, rather than dropping what was typed", () => {
    expect(inspect(renderCommentText("<script>alert(1)</script>")).text).toBe("<script>alert(1)</script>");
    expect(inspect(renderCommentText("[x](javascript:alert(1))")).text).toBe("[x](javascript:alert(1))");
    expect(inspect(renderCommentText("JaVaScRiPt:alert(1)")).text).toBe("JaVaScRiPt:alert(1)");
  });

  it("never emits a disallowed tag, attribute or scheme, whatever the text (property)", () => {
    const pieces = fc.constantFrom(
      "<",
      ">",
      "</",
      "/>",
      "script",
      "img",
      "svg",
      " onerror=",
      " onload=",
      "alert(1)",
      "javascript:",
      "JaVaScRiPt:",
      "data:",
      "&#106;",
      "&#x3C;",
      "&lt;",
      '"',
      "'",
      "=",
      "[",
      "](",
      ")",
      "!",
      "*",
      "**",
      "`",
      "\\",
      "https://",
      "http://",
      "//",
      "a.example",
      "wga.org",
      "www.",
      "@",
      " ",
      "\n",
      "\n\n",
      "\t",
      "-->",
      "<!--",
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(pieces, { maxLength: 40 }).map((p) => p.join("")),
          fc.string(),
        ),
        (text) => {
          expectSafe(renderCommentText(text), text);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("counts exactly the links the rendered text holds (property)", () => {
    const pieces = fc.constantFrom(
      "https://a.example/x",
      "wga.org",
      "www.b.org",
      "[t](https://c.org)",
      "x@y.org",
      " ",
      "\n",
      "word",
      "`",
      "*",
      "<",
      ">",
    );
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 20 }).map((p) => p.join("")),
        (text) => {
          const anchors = inspect(renderCommentText(text)).tags.filter((t) => t === "a").length;
          expect(countLinks(text)).toBe(anchors);
          expect(commentLinks(text)).toHaveLength(anchors);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("lists the links in order, as the rendered hrefs", () => {
    expect(commentLinks("first wga.org then https://amptp.org/offer and `https://code.example` too")).toEqual(
      ["http://wga.org", "https://amptp.org/offer"],
    );
    expect(countLinks("no links at all")).toBe(0);
  });
});

describe("the commenter's byline", () => {
  it("links the name to an http(s) website with the commenter's rel", () => {
    expect(commenterLink("Dana", "https://dana.example/")).toBe(
      `<a href="https://dana.example/" rel="${LINK_REL}">Dana</a>`,
    );
  });

  it("is the plain, escaped name without a website or with one that is not http(s)", () => {
    expect(commenterLink("Dana & <Co>", null)).toBe("Dana &amp; &lt;Co&gt;");
    for (const website of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "data:text/html,x",
      "/relative",
      "",
      undefined,
    ]) {
      expect(commenterLink("Dana", website), String(website)).toBe("Dana");
    }
  });

  it("lets no name or website break out of the element", () => {
    const names = [
      '"><script>alert(1)</script>',
      "<img src=x onerror=alert(1)>",
      "Dana' onmouseover='alert(1)",
    ];
    const websites = [
      'https://x.example/"><script>alert(1)</script>',
      "https://x.example/' onmouseover='alert(1)",
      null,
    ];
    for (const name of names) {
      for (const website of websites) {
        const html = commenterLink(name, website);
        expectSafe(html, `${name} ${website}`);
        expect(inspect(html).text).toBe(name);
      }
    }
  });
});
