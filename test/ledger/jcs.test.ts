import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CanonicalizationError,
  canonicalBytes,
  canonicalOrder,
  containsFloat,
  isCanonical,
} from "../../src/ledger/jcs.ts";
import { vectorsAvailable, vectorsDir } from "../support/shared.ts";

const available = vectorsAvailable();
const jcsDir = join(vectorsDir, "jcs");

describe.skipIf(!available)("RFC 8785 reference vectors (cyberphone/json-canonicalization)", () => {
  const names = available
    ? readdirSync(join(jcsDir, "input"))
        .filter((f) => f.endsWith(".json"))
        .sort()
    : [];

  it("loads every vector", () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  for (const name of names) {
    it(`${name} canonicalizes to exactly output/${name}`, () => {
      const input = readFileSync(join(jcsDir, "input", name), "utf8");
      const file = readFileSync(join(jcsDir, "output", name));
      // Canonical JSON never ends in a newline (it ends in } ] " a digit or a literal), so a
      // final LF in an output file could only be an editor's addition. The current files have
      // none and are compared byte for byte; if one ever gains a single trailing LF, that one
      // byte is all that is dropped.
      const expected = file.at(-1) === 0x0a ? file.subarray(0, -1) : file;
      const actual = canonicalBytes(JSON.parse(input));
      expect(actual.toString("utf8")).toBe(expected.toString("utf8"));
      expect(actual.equals(expected)).toBe(true);
      expect(isCanonical(expected.toString("utf8"), JSON.parse(input))).toBe(true);
      // Canonical output is a fixed point.
      expect(canonicalBytes(JSON.parse(expected.toString("utf8"))).equals(expected)).toBe(true);
    });
  }
});

describe("canonicalBytes", () => {
  const text = (value: unknown) => canonicalBytes(value).toString("utf8");

  it("sorts keys by UTF-16 code units, not code points or locale", () => {
    // U+10000 is the surrogate pair D800 DC00, which sorts before U+E000 in UTF-16.
    expect(text({ "\uE000": 1, "\u{10000}": 2, a: 3, B: 4 })).toBe('{"B":4,"a":3,"\u{10000}":2,"\uE000":1}');
    expect(text({ b: { d: 1, c: 2 }, a: [{ z: 1, y: 2 }] })).toBe('{"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}');
  });

  it("serializes numbers the ECMAScript way, as RFC 8785 requires", () => {
    expect(text([1e21, 1e-7, -0, 0.1, 100, 1.5e300, 123456789012345680000])).toBe(
      "[1e+21,1e-7,0,0.1,100,1.5e+300,123456789012345680000]",
    );
  });

  it("escapes only what JSON requires and emits UTF-8", () => {
    const bytes = canonicalBytes({ s: 'é"\\\u0001\u007f</' });
    expect(bytes.toString("utf8")).toBe('{"s":"é\\"\\\\\\u0001\u007f</"}');
    // é is two bytes in UTF-8, not an escape sequence.
    expect(bytes.includes(Buffer.from([0xc3, 0xa9]))).toBe(true);
  });

  it("omits undefined object properties, like an absent optional field", () => {
    expect(text({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it("accepts prototype-less objects", () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = "v";
    expect(text(bare)).toBe('{"k":"v"}');
  });

  it("does not depend on insertion order", () => {
    expect(canonicalBytes({ x: 1, y: [true, null] }).equals(canonicalBytes({ y: [true, null], x: 1 }))).toBe(
      true,
    );
  });

  it("accepts one object held by two members: shared is not circular", () => {
    const shared = { b: 1 };
    expect(canonicalBytes({ x: shared, y: [shared, shared] }).toString("utf8")).toBe(
      '{"x":{"b":1},"y":[{"b":1},{"b":1}]}',
    );
  });

  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const cyclicDeep: { list: unknown[] } = { list: [1, {}] };
  cyclicDeep.list.push({ back: cyclicDeep.list });
  // A hole, unlike an explicit undefined, is absent from the array's keys.
  const sparse: number[] = [1];
  sparse[2] = 3;
  class Point {
    constructor(readonly x: number) {}
  }

  const rejected: [string, unknown, string][] = [
    ["undefined at the top level", undefined, "$"],
    ["NaN", { n: Number.NaN }, "$.n"],
    ["Infinity", [Number.POSITIVE_INFINITY], "$[0]"],
    ["-Infinity", { deep: { v: Number.NEGATIVE_INFINITY } }, "$.deep.v"],
    ["a function", { f: () => 1 }, "$.f"],
    ["a function at the top level", () => 1, "$"],
    ["a toJSON method", { toJSON: () => "sneaky" }, "$.toJSON"],
    ["a BigInt", { amount: 10n }, "$.amount"],
    ["a symbol", { s: Symbol("x") }, "$.s"],
    ["undefined in an array", [1, undefined], "$[1]"],
    ["a hole in an array", sparse, "$[1]"],
    ["a Date", { at: new Date(0) }, "$.at"],
    ["a Buffer", { b: Buffer.from("x") }, "$.b"],
    ["a Map", new Map([["a", 1]]), "$"],
    ["a class instance", { p: new Point(1) }, "$.p"],
    ["a circular reference", cyclic, "$.self"],
    ["a circular reference through an array", cyclicDeep, "$.list[2].back"],
    ["a lone surrogate in a string", { s: "a\uD800" }, "$.s"],
    ["a lone surrogate in a key", { "\uDC00": 1 }, '$["\\udc00"]'],
  ];

  for (const [what, value, path] of rejected) {
    it(`rejects ${what} with LEDGER_NOT_CANONICALIZABLE at ${path}`, () => {
      let caught: unknown;
      try {
        canonicalBytes(value);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CanonicalizationError);
      expect(caught).toMatchObject({ code: "LEDGER_NOT_CANONICALIZABLE", path });
    });
  }

  it("writes what the canonicalize package writes, whether the keys come sorted or not", () => {
    // Values whose keys are already in canonical order take JSON.stringify's shorter road.
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reference = canonicalize(value);
        expect(canonicalBytes(value).toString("utf8")).toBe(reference);
        expect(canonicalBytes(canonicalOrder(value)).toString("utf8")).toBe(reference);
      }),
      { numRuns: 500 },
    );
  });

  it("turns a stack overflow from absurd nesting into a CanonicalizationError", () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => canonicalBytes(deep)).toThrow(CanonicalizationError);
  });
});

describe("containsFloat", () => {
  it("returns null when every number is a safe integer", () => {
    expect(
      containsFloat({ seq: 1, n: -42, zero: -0, s: "1.5", list: [1, 2, { x: 3 }], nil: null }),
    ).toBeNull();
    expect(containsFloat(Number.MAX_SAFE_INTEGER)).toBeNull();
    expect(containsFloat("3.14")).toBeNull();
  });

  it("points at the first fraction with a JSON path", () => {
    const entry = { payload: { terms: [{ value: 2.5 }] } };
    expect(containsFloat(entry)).toBe("$.payload.terms[0].value");
    expect(containsFloat(0.5)).toBe("$");
  });

  it("uses bracket notation for keys that are not identifiers", () => {
    expect(containsFloat({ "wage rate": 1.25 })).toBe('$["wage rate"]');
    expect(containsFloat({ "2": [0, 0.1] })).toBe('$["2"][1]');
  });

  it("reports non-finite numbers and integers beyond 2^53 - 1", () => {
    expect(containsFloat({ a: Number.NaN })).toBe("$.a");
    expect(containsFloat({ a: Number.POSITIVE_INFINITY })).toBe("$.a");
    expect(containsFloat({ big: 2 ** 60 })).toBe("$.big");
  });

  it("visits keys in canonical order, so the answer does not depend on insertion order", () => {
    expect(containsFloat({ z: 0.1, a: 0.2 })).toBe("$.a");
    expect(containsFloat({ a: 0.2, z: 0.1 })).toBe("$.a");
  });

  it("survives cycles", () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    expect(containsFloat(cyclic)).toBeNull();
    cyclic.f = 0.5;
    expect(containsFloat(cyclic)).toBe("$.f");
  });
});

describe("isCanonical", () => {
  const check = (text: string) => isCanonical(text, JSON.parse(text));

  it("accepts canonical text, including integer-like keys JavaScript enumerates out of order", () => {
    expect(check('{"a":1,"b":[true,null,"x"],"c":{"d":"\\u001f"}}')).toBe(true);
    // JSON.stringify would print "9" before "10"; canonical order compares the strings.
    expect(check('{"10":"ten","9":"nine"}')).toBe(true);
    expect(check('{"a":"é","b":"😀"}')).toBe(true);
  });

  it("rejects unsorted keys, whitespace, other escapes and duplicate keys", () => {
    expect(check('{"b":1,"a":2}')).toBe(false);
    expect(check('{"a":{"y":1,"x":2}}')).toBe(false);
    expect(check('{"a": 1}')).toBe(false);
    expect(check('{"a":"\\u00e9"}')).toBe(false);
    expect(check('{"9":"nine","10":"ten"}')).toBe(false);
    expect(check('{"a":1,"a":1}')).toBe(false);
  });

  it("agrees with canonicalBytes on any JSON value, canonical or re-serialized", () => {
    const json = fc.jsonValue().filter((v) => containsFloat(v) === null);
    fc.assert(
      fc.property(json, (value) => {
        const canonical = canonicalBytes(value).toString("utf8");
        const plain = JSON.stringify(value);
        expect(check(canonical)).toBe(true);
        expect(check(plain)).toBe(plain === canonical);
      }),
      { numRuns: 500 },
    );
  });
});

describe("canonicalOrder", () => {
  it("copies JSON data with keys in canonical order, dropping undefined members", () => {
    const input = { b: [{ z: 1, y: { q: "x", p: null } }], a: "s", c: undefined };
    const out = canonicalOrder(input);
    expect(JSON.stringify(out)).toBe('{"a":"s","b":[{"y":{"p":null,"q":"x"},"z":1}]}');
    expect(JSON.stringify(out)).toBe(canonicalBytes(input).toString("utf8"));
    expect(Object.keys(input)).toEqual(["b", "a", "c"]);
  });

  it("hands back a value already in canonical order as it is, and copies one with an undefined member", () => {
    const ordered = { a: "s", b: [{ y: { p: null, q: "x" }, z: 1 }] };
    expect(canonicalOrder(ordered)).toBe(ordered);
    const holey = { a: "s", b: [{ y: undefined, z: 1 }] };
    const out = canonicalOrder(holey);
    expect(out).not.toBe(holey);
    expect(Object.keys(out.b[0]!)).toEqual(["z"]);
  });

  it("keeps a __proto__ member as data", () => {
    const input = JSON.parse('{"z":1,"__proto__":{"x":1}}');
    const out = canonicalOrder(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":1},"z":1}');
  });

  it("orders objects with many keys, and keys beyond the Basic Multilingual Plane, by UTF-16 code units", () => {
    for (const size of [3, 16, 17, 40]) {
      const keys = Array.from({ length: size }, (_, i) =>
        i % 3 === 0 ? `\u{1F600}${i}` : i % 3 === 1 ? `\uFFFF${i}` : `k${i}`,
      );
      const shuffled = Object.fromEntries(keys.reverse().map((k, i) => [k, i]));
      const out = canonicalOrder(shuffled);
      expect(JSON.stringify(out)).toBe(canonicalize(shuffled));
      expect(Object.keys(out)).toEqual(Object.keys(shuffled).sort());
    }
  });

  it("gives the order JSON.parse gives back from canonical bytes", () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => containsFloat(v) === null),
        (value) => {
          const reparsed = JSON.parse(canonicalBytes(value).toString("utf8"));
          expect(JSON.stringify(canonicalOrder(value))).toBe(JSON.stringify(reparsed));
        },
      ),
      { numRuns: 300 },
    );
  });
});
