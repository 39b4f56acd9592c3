import { describe, expect, it } from "vitest";
import { FORM_TOKEN_MAX_AGE_HOURS, issueFormToken, verifyFormToken } from "../../src/domain/form-token.ts";

const SECRET = "a server secret of enough length for the tests";
const POST = "day-136-no-talks";
const ISSUED = "2023-09-14T19:00:00.000Z";

/** The instant `seconds` after ISSUED. */
function secondsLater(seconds: number): string {
  return new Date(Date.parse(ISSUED) + seconds * 1_000).toISOString();
}

describe("the form token", () => {
  const token = issueFormToken(POST, ISSUED, SECRET);

  it("gives back the instant it was issued at, for the post it was issued for", () => {
    expect(verifyFormToken(token, POST, SECRET, secondsLater(5))).toBe(ISSUED);
    expect(verifyFormToken(token, POST, Buffer.from(SECRET), secondsLater(5))).toBe(ISSUED);
  });

  it("is the same for the same post, instant and secret, and carries no secret", () => {
    expect(issueFormToken(POST, ISSUED, SECRET)).toBe(token);
    expect(token).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(token).not.toContain("secret");
  });

  it("refuses a token for another post, or checked under another secret", () => {
    expect(verifyFormToken(token, "another-post", SECRET, secondsLater(5))).toBeNull();
    expect(verifyFormToken(token, POST, `${SECRET}!`, secondsLater(5))).toBeNull();
  });

  it("refuses a back-dated token: changing the time breaks the MAC", () => {
    const [, mac] = token.split(".");
    const backDated = `${Date.parse(ISSUED) - 60_000}.${mac}`;
    expect(verifyFormToken(backDated, POST, SECRET, secondsLater(5))).toBeNull();
  });

  it("refuses every altered MAC and malformed token", () => {
    const [time, mac] = token.split(".") as [string, string];
    const flipped = mac
      .split("")
      .map((c, i) => (i === 0 ? (c === "A" ? "B" : "A") : c))
      .join("");
    for (const bad of [
      `${time}.${flipped}`,
      `${time}.${mac.slice(1)}`,
      `${time}.${mac}A`,
      `${time}${mac}`,
      `${time}.`,
      `-1.${mac}`,
      `1e12.${mac}`,
      ` ${token}`,
      "",
      null,
      undefined,
    ]) {
      expect(verifyFormToken(bad, POST, SECRET, secondsLater(5)), String(bad)).toBeNull();
    }
  });

  it("expires after 24 hours, to the millisecond", () => {
    expect(FORM_TOKEN_MAX_AGE_HOURS).toBe(24);
    expect(verifyFormToken(token, POST, SECRET, secondsLater(24 * 3600))).toBe(ISSUED);
    expect(verifyFormToken(token, POST, SECRET, secondsLater(24 * 3600 + 0.001))).toBeNull();
    expect(verifyFormToken(token, POST, SECRET, secondsLater(3600 + 0.001), 1)).toBeNull();
  });

  it("allows a minute of clock skew between servers, no more", () => {
    expect(verifyFormToken(token, POST, SECRET, secondsLater(-60))).toBe(ISSUED);
    expect(verifyFormToken(token, POST, SECRET, secondsLater(-60.001))).toBeNull();
  });

  it("refuses an empty secret and an instant that is none", () => {
    expect(() => issueFormToken(POST, ISSUED, "")).toThrow(RangeError);
    expect(() => issueFormToken(POST, "yesterday", SECRET)).toThrow(RangeError);
  });
});
