import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  hashIp,
  ipGroup,
  retentionCutoff,
  saltExpired,
  saltPeriod,
  saltPeriodEnd,
  saltPeriodsBetween,
} from "../../src/domain/ip-hash.ts";

const SALT = "salt of 2023-09-14";

describe("the sender an IP address stands for", () => {
  it("is the IPv4 address itself, however it was reported", () => {
    expect(ipGroup("203.0.113.7")).toBe("203.0.113.7");
    expect(ipGroup("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(ipGroup("::FFFF:cb00:7107")).toBe("203.0.113.7");
    expect(ipGroup("0:0:0:0:0:ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(ipGroup(" 203.0.113.7 ")).toBe("203.0.113.7");
  });

  it("is the /64 network of an IPv6 address, in one spelling", () => {
    const group = "2001:db8:85a3:8d3::/64";
    expect(ipGroup("2001:db8:85a3:8d3:1319:8a2e:370:7348")).toBe(group);
    expect(ipGroup("2001:0DB8:85A3:08D3:0000:0000:0000:0001")).toBe(group);
    expect(ipGroup("2001:db8:85a3:8d3::1")).toBe(group);
    expect(ipGroup("[2001:db8:85a3:8d3::abcd]")).toBe(group);
    expect(ipGroup("2001:db8:85a3:8d3::1%eth0")).toBe(group);
    expect(ipGroup("2001:db8:85a3:8d4::1")).not.toBe(group);
    expect(ipGroup("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(ipGroup("::1")).toBe("0:0:0:0::/64");
    // Not IPv4-mapped: ::ffff:0:0/96 only.
    expect(ipGroup("::fffe:cb00:7107")).toBe("0:0:0:0::/64");
  });

  it("keeps anything that is not an IP address as given, in lower case", () => {
    expect(ipGroup("Unknown")).toBe("unknown");
    expect(ipGroup("999.1.1.1")).toBe("999.1.1.1");
  });
});

describe("the IP hash", () => {
  it("is the same for one sender and differs between senders and salts", () => {
    const hash = hashIp("2001:db8:1:2::10", SALT);
    expect(hashIp("2001:db8:1:2:ffff::1", SALT)).toBe(hash);
    expect(hashIp("2001:db8:1:3::10", SALT)).not.toBe(hash);
    expect(hashIp("2001:db8:1:2::10", "another salt")).not.toBe(hash);
    expect(hashIp("::ffff:198.51.100.1", SALT)).toBe(hashIp("198.51.100.1", SALT));
  });

  it("shows nothing of the address: 43 base64url characters", () => {
    const hash = hashIp("198.51.100.1", Buffer.from(SALT));
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain("198");
  });

  it("never hashes without a salt", () => {
    expect(() => hashIp("198.51.100.1", "")).toThrow(RangeError);
  });

  it("groups every IPv6 address of a /64 together (property)", () => {
    const group = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(group, group, (a, b) => {
        const address = (g: number[]) => g.map((n) => n.toString(16)).join(":");
        const sameNetwork = [...a.slice(0, 4), ...b.slice(4)];
        // An IPv4-mapped address is its IPv4 address, not a /64.
        const mapped = (g: number[]) => g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff;
        fc.pre(!mapped(a) && !mapped(sameNetwork));
        expect(hashIp(address(sameNetwork), SALT)).toBe(hashIp(address(a), SALT));
      }),
    );
  });
});

describe("salt periods", () => {
  it("names the period an instant falls in by its first hour, UTC", () => {
    expect(saltPeriod("2023-09-14T19:00:00Z", 24)).toBe("2023-09-14T00");
    expect(saltPeriod("2023-09-14T00:00:00.000Z", 24)).toBe("2023-09-14T00");
    expect(saltPeriod("2023-09-13T23:59:59.999Z", 24)).toBe("2023-09-13T00");
    expect(saltPeriod("2023-09-14T19:00:00Z", 6)).toBe("2023-09-14T18");
    expect(saltPeriod("2023-09-14T19:59:59Z", 1)).toBe("2023-09-14T19");
  });

  it("ends a period where the next one starts", () => {
    expect(saltPeriodEnd("2023-09-14T00", 24)).toBe("2023-09-15T00:00:00.000Z");
    expect(saltPeriod(saltPeriodEnd("2023-09-14T18", 6), 6)).toBe("2023-09-15T00");
  });

  it("lists the periods a rate-limit window straddles", () => {
    expect(saltPeriodsBetween("2023-09-14T23:55:00Z", "2023-09-15T00:05:00Z", 24)).toEqual([
      "2023-09-14T00",
      "2023-09-15T00",
    ]);
    expect(saltPeriodsBetween("2023-09-14T18:55:00Z", "2023-09-14T19:05:00Z", 24)).toEqual(["2023-09-14T00"]);
  });

  it("refuses a period that is not a whole number of hours", () => {
    for (const hours of [0, -1, 1.5, Number.NaN, 24 * 367]) {
      expect(() => saltPeriod("2023-09-14T19:00:00Z", hours), String(hours)).toThrow(RangeError);
    }
  });
});

describe("retention", () => {
  it("cuts off whole 24-hour days before now", () => {
    expect(retentionCutoff("2023-09-14T19:00:00Z", 30)).toBe("2023-08-15T19:00:00.000Z");
    expect(retentionCutoff("2023-09-14T19:00:00Z", 0)).toBe("2023-09-14T19:00:00.000Z");
    expect(() => retentionCutoff("2023-09-14T19:00:00Z", -1)).toThrow(RangeError);
  });

  it("lets a salt go once its period ended at or before the cutoff", () => {
    // The period of Aug 15 ends at Aug 16 00:00, 30 days before Sep 15 00:00.
    expect(saltExpired("2023-08-15T00", 24, "2023-09-15T00:00:00Z", 30)).toBe(true);
    expect(saltExpired("2023-08-15T00", 24, "2023-09-14T23:59:59.999Z", 30)).toBe(false);
    expect(saltExpired("2023-09-14T00", 24, "2023-09-14T19:00:00Z", 30)).toBe(false);
  });
});
