import { createHash } from "node:crypto";
import { parseDocument } from "htmlparser2";
import { describe, expect, it } from "vitest";
import { AVATAR_SIZE, avatarImage, avatarSvg, avatarUrl } from "../../src/web/avatar.ts";

const SECRET = "the server's avatar secret";
const EMAIL = "dana.writer@example.org";

const hex = (algorithm: string, text: string) => createHash(algorithm).update(text).digest("hex");

/** Every form of the address a page must never carry, a plain hash of it included. */
function forbidden(email: string): string[] {
  const forms = [email, email.toLowerCase(), email.trim().toLowerCase()];
  return forms.flatMap((f) => [
    f,
    encodeURIComponent(f),
    hex("md5", f),
    hex("sha256", f),
    hex("sha1", f),
    Buffer.from(f).toString("base64"),
  ]);
}

describe("avatars", () => {
  it("are the same for the same address, whatever its case or surrounding spaces", () => {
    const url = avatarUrl(EMAIL, SECRET);
    expect(avatarUrl(EMAIL, SECRET)).toBe(url);
    expect(avatarUrl(" Dana.Writer@EXAMPLE.org ", SECRET)).toBe(url);
  });

  it("differ between addresses, and for one address under another secret", () => {
    const url = avatarUrl(EMAIL, SECRET);
    const others = ["eve@example.org", "dana.writer@example.com", "dana@example.org", "sam@wga.org"];
    // Patterns keep ~18 bits of the seed: a few addresses are all but certain to differ.
    expect(new Set(others.map((e) => avatarUrl(e, SECRET))).size).toBe(others.length);
    expect(others.map((e) => avatarUrl(e, SECRET))).not.toContain(url);
    const underOtherSecrets = ["another secret", "yet another", "a third"].map((s) => avatarUrl(EMAIL, s));
    for (const other of underOtherSecrets) expect(other).not.toBe(url);
  });

  it("never carry the address, nor its plain MD5, SHA-1 or SHA-256 hex, nor its base64", () => {
    for (const email of [EMAIL, "Dana.Writer@Example.org"]) {
      const output = [
        avatarUrl(email, SECRET),
        avatarSvg(email, SECRET),
        JSON.stringify(avatarImage(email, SECRET)),
      ];
      for (const text of output) {
        for (const form of forbidden(email)) expect(text).not.toContain(form);
        expect(text).not.toContain("dana");
        expect(text).not.toContain("example.org");
      }
    }
  });

  it("are a data: URL of an SVG holding only a shape, no script, link or outside reference", () => {
    const url = avatarUrl(EMAIL, SECRET);
    expect(url.startsWith("data:image/svg+xml,")).toBe(true);
    expect(url).not.toMatch(/[\s<>"#]/);
    const svg = decodeURIComponent(url.slice("data:image/svg+xml,".length));
    expect(svg).toBe(avatarSvg(EMAIL, SECRET));
    const root = parseDocument(svg, { xmlMode: true }).children;
    const names: string[] = [];
    const attributes: string[] = [];
    const walk = (nodes: typeof root) => {
      for (const node of nodes) {
        if (node.type !== "tag") continue;
        names.push(node.name);
        attributes.push(...Object.keys(node.attribs));
        walk(node.children as typeof root);
      }
    };
    walk(root);
    expect(names).toEqual(["svg", "path"]);
    expect(attributes.sort()).toEqual(["d", "fill", "viewBox", "xmlns"].sort());
    expect(svg).toMatch(/ d='(M\d,\dh1v1h-1z)+'/);
    expect(svg).toMatch(/fill='hsl\(\d+,\d+%,\d+%\)'/);
  });

  it("give the attributes of a decorative image of a fixed size", () => {
    expect(avatarImage(EMAIL, SECRET)).toEqual({
      src: avatarUrl(EMAIL, SECRET),
      alt: "",
      width: AVATAR_SIZE,
      height: AVATAR_SIZE,
      class: "avatar",
    });
    expect(avatarImage(EMAIL, SECRET, 24)).toMatchObject({ width: 24, height: 24 });
  });

  it("are never made without a secret", () => {
    expect(() => avatarUrl(EMAIL, "")).toThrow(RangeError);
  });
});
