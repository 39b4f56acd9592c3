import MarkdownIt from "markdown-it";
import sanitizeHtml from "sanitize-html";

/**
 * User-written text (contract language, statements, notes) rendered as safe markdown.
 *
 * Two layers, each enough on its own for the common attacks:
 * 1. markdown-it with `html: false`: raw HTML in the text is escaped, never parsed, and its link
 *    validator already drops `javascript:`, `vbscript:`, `file:` and `data:` destinations.
 * 2. sanitize-html over markdown-it's output with a small allowlist: no images, no style, no
 *    classes, no ids, no event handlers; links only to absolute http, https or mailto addresses,
 *    always with rel="nofollow noopener noreferrer".
 *
 * Single line breaks are kept as <br> (`breaks: true`): passes and notes are written line by line,
 * and were shown that way as plain text before.
 */

export interface MarkdownOptions {
  /**
   * The level a `#` heading in the text becomes (default 3: `#` is h3, `##` h4, and so on, capped at
   * h6), so user headings never compete with the page's own h1 and h2. Pick the level just below the
   * heading the text sits under (2 for a post, whose page's h1 is its title).
   */
  topHeading?: 2 | 3 | 4 | 5 | 6;
}

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });

// Images are never shown: an image is replaced by its alternative text (escaped).
md.renderer.rules.image = (tokens, idx, options, env, self) =>
  md.utils.escapeHtml(self.renderInlineAsText(tokens[idx]!.children ?? [], options, env));

const SCHEMES = new Set(["http:", "https:", "mailto:"]);
const REL = "nofollow noopener noreferrer";

/** True for an absolute http, https or mailto address; false for anything else, relative ones included. */
function safeHref(href: string | undefined): href is string {
  if (!href) return false;
  try {
    return SCHEMES.has(new URL(href).protocol);
  } catch {
    return false;
  }
}

const HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"];
const EMPTY_WHEN_TEXTLESS = new Set(["a", ...HEADINGS]);

function sanitizeOptions(top: number): sanitizeHtml.IOptions {
  const transformTags: Record<string, sanitizeHtml.Transformer> = {
    // A link to anything but an absolute http(s) or mailto address becomes its bare text ("span" is
    // not allowed, so sanitize-html drops the tag and keeps the words).
    a: (_tag, attribs): sanitizeHtml.Tag =>
      safeHref(attribs.href)
        ? { tagName: "a", attribs: { href: attribs.href, rel: REL } }
        : { tagName: "span", attribs: {} },
    // Header cells of a table are column headers (markdown tables have one header row).
    th: () => ({ tagName: "th", attribs: { scope: "col" } }),
  };
  for (const [i, tag] of HEADINGS.entries()) {
    const level = Math.min(6, top + i);
    transformTags[tag] = () => ({ tagName: `h${level}`, attribs: {} });
  }
  return {
    allowedTags: [
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
      // The heading levels the text may use: from its top level down.
      ...["h2", "h3", "h4", "h5", "h6"].slice(top - 2),
      "a",
      "table",
      "thead",
      "tbody",
      "tr",
      "th",
      "td",
    ],
    allowedAttributes: { a: ["href", "rel"], th: ["scope"], ol: ["start"] },
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesByTag: {},
    allowedSchemesAppliedToAttributes: ["href"],
    allowProtocolRelative: false,
    disallowedTagsMode: "discard",
    transformTags,
    // A link or heading with no text helps no one and fails accessibility checks: leave it out.
    exclusiveFilter: (frame) => EMPTY_WHEN_TEXTLESS.has(frame.tag) && frame.text.trim() === "",
  };
}

const OPTIONS = new Map<number, sanitizeHtml.IOptions>();

/** The text as sanitized HTML, safe to place in a page as is. */
export function renderMarkdown(text: string, opts: MarkdownOptions = {}): string {
  const top = opts.topHeading ?? 3;
  let options = OPTIONS.get(top);
  if (!options) {
    options = sanitizeOptions(top);
    OPTIONS.set(top, options);
  }
  return sanitizeHtml(md.render(text), options).trim();
}
