import { describe, expect, it } from "vitest";
import {
  COMMENT_FIELD,
  type CommentFieldError,
  commentFormError,
  emailKey,
  normalizeWebsite,
  parseCommentForm,
} from "../../src/domain/comment.ts";

const EMAIL = "dana.writer@example.org";

/** A form as a browser sends it: every field present, the optional ones left empty. */
function form(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    comment: "Day 136 and the studios still have not called.",
    name: "Dana",
    email: EMAIL,
    website: "",
    parent: "",
    url: "",
    issued: "1694710800000.abc",
    _csrf: "ignored",
    ...fields,
  };
}

function accepted(fields: Record<string, unknown> = {}) {
  const result = parseCommentForm(form(fields));
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result;
}

function refused(fields: Record<string, unknown>): CommentFieldError[] {
  const result = parseCommentForm(form(fields));
  if (result.ok) throw new Error("accepted");
  return result.errors;
}

describe("the comment form", () => {
  it("accepts a filled-in form and gives the comment, the honeypot and the token apart", () => {
    const result = accepted({ website: "https://wga.org/strike", remember: "on", parent: "c-42" });
    expect(result.comment).toEqual({
      comment: "Day 136 and the studios still have not called.",
      name: "Dana",
      email: EMAIL,
      website: "https://wga.org/strike",
      parent: "c-42",
      remember: true,
    });
    expect(result.honeypot).toBe("");
    expect(result.formToken).toBe("1694710800000.abc");
  });

  it("reads the optional fields as absent when empty, missing or null (JSON)", () => {
    const empty = accepted().comment;
    expect([empty.website, empty.parent, empty.remember]).toEqual([null, null, false]);
    const json = parseCommentForm({ comment: "x", name: "n", email: EMAIL, website: null, parent: null });
    expect(json.ok && [json.comment.website, json.comment.parent, json.formToken]).toEqual([
      null,
      null,
      null,
    ]);
    const numeric = accepted({ parent: 17 }).comment;
    expect(numeric.parent).toBe("17");
  });

  it("trims the comment, turns CRLF into LF and keeps inner line breaks", () => {
    expect(accepted({ comment: "  first\r\n\r\nsecond\rthird \n" }).comment.comment).toBe(
      "first\n\nsecond\nthird",
    );
  });

  it("bounds the comment to 1..10,000 characters after trimming, CRLF counted once", () => {
    expect(refused({ comment: "   \n\t " })).toEqual([{ field: "comment", message: "write a comment" }]);
    expect(accepted({ comment: "x".repeat(10_000) }).comment.comment).toHaveLength(10_000);
    expect(accepted({ comment: `${"x\r\n".repeat(4_999)}xx` }).comment.comment).toHaveLength(10_000);
    expect(refused({ comment: "x".repeat(10_001) })[0]).toEqual({
      field: "comment",
      message: "a comment has at most 10,000 characters",
    });
  });

  it("refuses control characters and broken surrogates in the comment and the name", () => {
    expect(refused({ comment: "bell\u0007" })[0]?.field).toBe("comment");
    expect(refused({ comment: "half \ud800 pair" })[0]?.field).toBe("comment");
    expect(refused({ name: "Dana\u0000" })[0]?.field).toBe("name");
    expect(accepted({ comment: "tab\tand\nline" }).comment.comment).toBe("tab\tand\nline");
  });

  it("bounds the name to 1..100 characters and refuses bidirectional overrides in it", () => {
    expect(refused({ name: "  " })).toEqual([{ field: "name", message: "enter your name" }]);
    expect(accepted({ name: " Ω".repeat(50) }).comment.name).toHaveLength(99);
    expect(refused({ name: "n".repeat(101) })[0]?.field).toBe("name");
    expect(refused({ name: "Dana \u202eevil" })[0]?.field).toBe("name");
    // Right-to-left names are fine; only the invisible controls are refused.
    expect(accepted({ name: "דנה" }).comment.name).toBe("דנה");
  });

  it("accepts a valid email, keeping its local part and lower-casing its domain", () => {
    expect(accepted({ email: "  Dana.Writer+strike@Example.ORG " }).comment.email).toBe(
      "Dana.Writer+strike@example.org",
    );
    expect(emailKey("Dana.Writer@Example.ORG ")).toBe("dana.writer@example.org");
  });

  it("refuses a bad email without ever repeating it", () => {
    const bad = [
      "",
      "dana",
      "dana@",
      "@example.org",
      "dana@localhost",
      "da na@example.org",
      "dana@exa_mple.org",
    ];
    for (const email of bad) {
      const errors = refused({ email });
      expect(errors, email).toEqual([{ field: "email", message: "enter a valid address" }]);
    }
    const domain = (last: number) => `${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(last)}.org`;
    const long = `${"a".repeat(64)}@${domain(57)}`;
    expect(long).toHaveLength(254);
    expect(accepted({ email: long }).comment.email).toBe(long);
    const tooLong = `${"a".repeat(64)}@${domain(58)}`;
    const errors = refused({ email: tooLong });
    expect(errors.map((e) => e.field)).toEqual(["email"]);
    expect(JSON.stringify(errors)).not.toContain("aaaa");
  });

  it("never puts a refused address into any message, even among other errors", () => {
    const secret = "whistle.blower@studio-insider.example";
    const result = parseCommentForm(form({ email: `${secret}<`, comment: "" }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(JSON.stringify(result.errors)).not.toContain("whistle");
    expect(commentFormError(result.errors).message).toBe(
      "comment: write a comment; email: enter a valid address",
    );
  });

  it("accepts http and https websites and reads one without a scheme as https", () => {
    expect(normalizeWebsite("https://wga.org/strike?day=136")).toBe("https://wga.org/strike?day=136");
    expect(normalizeWebsite("http://example.com")).toBe("http://example.com/");
    expect(normalizeWebsite("example.com")).toBe("https://example.com/");
    expect(normalizeWebsite("Example.com:8080/a b")).toBe("https://example.com:8080/a%20b");
    expect(normalizeWebsite("//example.com/x")).toBe("https://example.com/x");
    expect(normalizeWebsite("HTTPS://EXAMPLE.COM")).toBe("https://example.com/");
    expect(accepted({ website: " example.com " }).comment.website).toBe("https://example.com/");
  });

  it("refuses every other scheme, credentials and hosts that are no site", () => {
    const bad = [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      " java\nscript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "mailto:dana@example.org",
      "ftp://example.com",
      "file:///etc/passwd",
      "https://wga.org@evil.example",
      "https://user:pass@example.com",
      "localhost",
      "http://",
      "not a url",
    ];
    for (const website of bad) {
      expect(normalizeWebsite(website), website).toBeNull();
      expect(refused({ website }), website).toEqual([
        {
          field: "website",
          message: "enter a web address starting with http:// or https://, or leave it empty",
        },
      ]);
    }
  });

  it("bounds the website to 200 characters", () => {
    const site = `https://example.com/${"p".repeat(180)}`;
    expect(site).toHaveLength(200);
    expect(accepted({ website: site }).comment.website).toBe(site);
    expect(refused({ website: `${site}p` })).toEqual([
      { field: "website", message: "a web address has at most 200 characters" },
    ]);
    // Normalizing may lengthen an address past the limit ("example.com/…" gains "https://").
    expect(refused({ website: `example.com/${"p".repeat(188)}` })[0]?.field).toBe("website");
  });

  it("accepts a parent id and refuses anything that could not be one", () => {
    expect(accepted({ parent: "01HZX-abc_9" }).comment.parent).toBe("01HZX-abc_9");
    for (const parent of ["../1", "1 OR 1=1", "x".repeat(65), -3, 1.5, {}]) {
      expect(refused({ parent }), String(parent)).toEqual([
        { field: "parent", message: "this is not a comment you can reply to" },
      ]);
    }
  });

  it('reads "remember" as on only for "on", and refuses other values', () => {
    expect(accepted({ remember: "on" }).comment.remember).toBe(true);
    expect(accepted({ remember: undefined }).comment.remember).toBe(false);
    expect(refused({ remember: "yes" })[0]?.field).toBe("remember");
    expect(refused({ remember: true })[0]?.field).toBe("remember");
  });

  it("accepts whatever the honeypot holds, so the form never tells a bot about it", () => {
    expect(accepted({ url: "http://cheap.example" }).honeypot).toBe("http://cheap.example");
    expect(accepted({ url: ["a", "b"] }).honeypot).toBe("a b");
    expect(accepted({ url: "x".repeat(5_000) }).honeypot).toHaveLength(500);
    expect(accepted({ url: 42 }).honeypot).toBe("");
    expect(COMMENT_FIELD.honeypot).not.toBe(COMMENT_FIELD.website);
  });

  it("refuses a field sent twice, once per field", () => {
    expect(refused({ name: ["Dana", "Eve"] })).toEqual([{ field: "name", message: "send this field once" }]);
    expect(refused({ comment: ["a", "b"], email: ["x@y.org", "z@y.org"] }).map((e) => e.field)).toEqual([
      "comment",
      "email",
    ]);
  });

  it("reports every field's problem at once, in the form's order, and gives back what was typed", () => {
    const result = parseCommentForm({
      website: "javascript:alert(1)",
      email: "nope",
      comment: "My reply",
      name: "",
      remember: "on",
      url: "",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toEqual(["name", "email", "website"]);
    expect(result.typed).toEqual({
      comment: "My reply",
      name: "",
      email: "nope",
      website: "javascript:alert(1)",
      parent: "",
      remember: true,
    });
  });

  it("refuses a body that is not an object, naming the required fields", () => {
    for (const body of [null, "comment=x", [], 42]) {
      const result = parseCommentForm(body);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.map((e) => e.field)).toEqual(["comment", "name", "email"]);
    }
  });

  it("makes a VALIDATION_FAILED error listing the fields for a JSON client", () => {
    const error = commentFormError([{ field: "email", message: "enter a valid address" }]);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.message).toBe("email: enter a valid address");
    expect(error.details).toEqual({ fields: [{ field: "email", message: "enter a valid address" }] });
  });
});
