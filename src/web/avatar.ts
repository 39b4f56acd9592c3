import { createHmac } from "node:crypto";
import { minidenticon } from "minidenticons";
import { emailKey } from "../domain/comment.ts";

/**
 * A commenter's avatar, drawn here: a small symmetric pattern (minidenticons) that stays the same
 * for the same address, so readers can follow one person down a thread.
 *
 * It is seeded by an HMAC of the address under a server secret, never by the address or a plain
 * hash of it: an MD5 or SHA-256 of an address (Gravatar's scheme) is a lookup key anyone can
 * match against a list of addresses, so it would publish the address it was meant to hide. With a
 * secret key, the pattern tells nothing about the address to anyone without the key. And the
 * pattern itself keeps only some 18 bits of the seed, so even two avatars alike say little.
 *
 * The avatar is an `<img>` with a `data:image/svg+xml` URL (the pages' CSP allows img-src data:)
 * rather than inline SVG: a page of 200 comments then carries 200 image elements instead of some
 * 5,000 SVG nodes (smaller DOM, faster layout), an SVG shown as an image can run nothing and
 * reach nothing even in principle, and nothing is fetched from any other site.
 */

/** Width and height in CSS pixels, also set on the element so the layout holds before CSS. */
export const AVATAR_SIZE = 40;

/** The pattern's seed: HMAC-SHA256 of the address's key under the secret, hex. */
function seed(email: string, secret: string | Buffer): string {
  if (secret.length === 0) throw new RangeError("the avatar secret is empty");
  return createHmac("sha256", secret)
    .update(`parley avatar v1\n${emailKey(email)}`)
    .digest("hex");
}

/**
 * The avatar of the commenter with this address, as an SVG document: minidenticons' pattern with
 * its squares redrawn as one path (about a quarter of the size, and no hairline seams between
 * neighbouring squares), with single quotes and commas where the SVG allows them, so that it
 * needs little escaping in a URL.
 */
export function avatarSvg(email: string, secret: string | Buffer): string {
  const drawn = minidenticon(seed(email, secret));
  const fill = /fill="hsl\((\d+) (\d+)% (\d+)%\)"/.exec(drawn);
  const squares = [...drawn.matchAll(/<rect x="(\d+)" y="(\d+)"/g)].map((m) => `M${m[1]},${m[2]}h1v1h-1z`);
  const colour = fill ? `hsl(${fill[1]},${fill[2]}%,${fill[3]}%)` : "currentColor";
  return `<svg xmlns='http://www.w3.org/2000/svg' viewBox='-1.5,-1.5,8,8'><path fill='${colour}' d='${squares.join("")}'/></svg>`;
}

/** The avatar as a `data:` URL, escaped only where a URL must be. */
export function avatarUrl(email: string, secret: string | Buffer): string {
  return `data:image/svg+xml,${avatarSvg(email, secret).replace(/[%#<>\s]/g, (c) => encodeURIComponent(c))}`;
}

/**
 * The attributes of the avatar's `<img>`, to spread into a JSX element. The alternative text is
 * empty: the avatar is decoration beside the commenter's name, which says who wrote.
 */
export function avatarImage(
  email: string,
  secret: string | Buffer,
  size: number = AVATAR_SIZE,
): { src: string; alt: ""; width: number; height: number; class: "avatar" } {
  return { src: avatarUrl(email, secret), alt: "", width: size, height: size, class: "avatar" };
}
