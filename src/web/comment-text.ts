import MarkdownIt from "markdown-it";
import sanitizeHtml from "sanitize-html";

/**
 * A reader's comment as safe HTML. Readers write plain text: what they type is what shows, with
 * three exceptions kept on purpose because people type them anyway in plain-text boxes:
 * - bare web addresses ("https://wga.org/…", "www.wga.org", "wga.org") become links;
 * - *emphasis*, **strong** and `inline code`;
 * - a blank line starts a new paragraph, a single line break stays a line break.
 *
 * Everything else markdown knows is off (headings, lists, quotes, tables, images, raw HTML, and
 * `[text](url)` links: in a comment, a link must show where it goes, so a reader can judge it
 * before following it). "# 1 issue" or "- AI" stay text, as typed; so do HTML entities: "&amp;"
 * shows as typed rather than as "&".
 *
 * Two gates, each enough on its own for the usual attacks: markdown-it escapes all HTML (`html:
 * false`) and refuses javascript:, data: and similar link targets; sanitize-html then lets through
 * only p, br, a[href], em, strong and code, and a link only to an absolute http or https address
 * (mailto: links are not made at all: an address in a comment is someone's to publish, not ours to
 * make clickable, and bots harvest them from links first).
 */

export const LINK_REL = "nofollow ugc noopener";

const md = new MarkdownIt("zero", { html: false, linkify: true, breaks: true, typographer: false });
md.enable(["linkify", "newline", "escape", "backticks", "emphasis"]);
// Only scheme-less addresses ("wga.org") and http(s) addresses become links; ftp: and
// protocol-relative ("//host") ones stay text, as do bare email addresses.
md.linkify.add("ftp:", null).add("//", null).add("mailto:", null).set({ fuzzyEmail: false });

/** True for an absolute http or https address; false for anything else. */
function isWebAddress(href: string | undefined): href is string {
  if (!href) return false;
  try {
    const url = new URL(href);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ["p", "br", "a", "em", "strong", "code"],
  allowedAttributes: { a: ["href", "rel"] },
  allowedSchemes: ["http", "https"],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    // "span" is not allowed, so a link to anything but a web address loses its tag and keeps its text.
    a: (_tag, attribs): sanitizeHtml.Tag =>
      isWebAddress(attribs.href)
        ? { tagName: "a", attribs: { href: attribs.href, rel: LINK_REL } }
        : { tagName: "span", attribs: {} },
  },
  exclusiveFilter: (frame) => frame.tag === "a" && frame.text.trim() === "",
};

/** The comment as sanitized HTML (a run of <p> elements), safe to place in a page as is. */
export function renderCommentText(text: string): string {
  return sanitizeHtml(md.render(text), SANITIZE).trim();
}

/**
 * The addresses the rendered comment links to, in order, found by the very parse that renders it,
 * so that the moderation rules ("hold at N links", spam words in addresses) see exactly the links
 * a reader would see.
 */
export function commentLinks(text: string): string[] {
  const links: string[] = [];
  for (const block of md.parse(text, {})) {
    for (const token of block.children ?? []) {
      if (token.type !== "link_open") continue;
      const href = token.attrGet("href") ?? undefined;
      if (isWebAddress(href)) links.push(href);
    }
  }
  return links;
}

/** How many links the rendered comment holds. */
export function countLinks(text: string): number {
  return commentLinks(text).length;
}

/**
 * The commenter's byline as safe HTML: their name, linked to their website when they gave an
 * http(s) one (with the same rel as links in comments: the site vouches for neither), else plain.
 */
export function commenterLink(name: string, website: string | null | undefined): string {
  const escapedName = md.utils.escapeHtml(name);
  if (!website || !isWebAddress(website)) return escapedName;
  const href = md.utils.escapeHtml(new URL(website).href);
  return `<a href="${href}" rel="${LINK_REL}">${escapedName}</a>`;
}
