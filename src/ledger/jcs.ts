import canonicalize from "canonicalize";

/**
 * RFC 8785 (JCS) canonical bytes for signed ledger entries.
 *
 * The `canonicalize` package follows JSON.stringify's lenient habits: it silently turns
 * `undefined` array items into null, calls `toJSON` (a Buffer becomes `{type, data}`, a Date a
 * string), and emits the text `undefined` for a function-valued property. Any of those would
 * make the signed bytes differ from what the author meant, or from what a verifier re-parsing
 * the JSON would rebuild, so the value is checked to be plain JSON data before it is handed over.
 */

export class CanonicalizationError extends Error {
  readonly code = "LEDGER_NOT_CANONICALIZABLE";
  /** JSON path of the offending value, e.g. `$.payload.terms[0]`. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super(`value at ${path} cannot be canonicalized: ${reason}`);
    this.name = "CanonicalizationError";
    this.path = path;
  }
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalText(value), "utf8");
}

/** The canonical form as text (what canonicalBytes encodes as UTF-8). */
export function canonicalText(value: unknown): string {
  let text: string | undefined;
  try {
    assertJsonData(value, null, null, []);
    // Plain JSON data whose keys already come in canonical order (as entries built here do)
    // is written by JSON.stringify exactly as canonicalize would write it (see isCanonical).
    text = keysSorted(value) ? JSON.stringify(value) : canonicalize(value);
  } catch (err) {
    if (err instanceof CanonicalizationError) throw err;
    // Deep nesting overflows the stack in either walker; report it as unrepresentable
    // rather than leaking a RangeError that callers would map to a 500.
    throw new CanonicalizationError("$", err instanceof Error ? err.message : String(err));
  }
  if (text === undefined) throw new CanonicalizationError("$", "no JSON representation");
  return text;
}

/**
 * A deep copy of JSON data with every object's keys in canonical order and undefined members
 * left out: the shape JSON.parse gives back from canonical bytes, so code that walks an entry
 * sees its keys in the same order whether the entry was just written or read back.
 */
export function canonicalOrder<T>(value: T): T {
  // Most values (schema output, entries read back) already are in order: no copy for those.
  return keysSorted(value, true) ? value : reordered(value);
}

function reordered<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(reordered) as T;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of sortedKeys(record)) {
    if (record[key] === undefined) continue;
    // An own "__proto__" member, as JSON.parse makes one, not a change of prototype.
    if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value: reordered(record[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[key] = reordered(record[key]);
  }
  return out as T;
}

/**
 * Whether `text` is the canonical form of `parsed` (the result of JSON.parse(text)). A verifier
 * asks this of every entry, so the common case is answered without building the canonical
 * text: if JSON.stringify reproduces `text` and every object's keys already come in sorted
 * order, canonicalize would write the very same characters (it prints primitives with
 * JSON.stringify too). Anything else, such as integer-like keys that JavaScript enumerates
 * first, is settled by canonicalizing.
 */
export function isCanonical(text: string, parsed: unknown): boolean {
  if (JSON.stringify(parsed) === text && keysSorted(parsed)) return true;
  try {
    return canonicalize(parsed) === text;
  } catch {
    return false;
  }
}

/** Whether every object's keys come in sorted order (and, if asked, none holds undefined). */
function keysSorted(value: unknown, noUndefined = false): boolean {
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!keysSorted(value[i], noUndefined)) return false;
    return true;
  }
  const record = value as Record<string, unknown>;
  let previous: string | null = null;
  for (const key in record) {
    if (previous !== null && !(previous < key)) return false;
    previous = key;
    if (noUndefined && record[key] === undefined) return false;
    if (!keysSorted(record[key], noUndefined)) return false;
  }
  return true;
}

/**
 * An object's own keys in canonical order (UTF-16 code units, as `<` compares strings). The
 * objects of an entry have a handful of keys, which an insertion sort orders in place;
 * Array.prototype.sort would copy them first.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * The JSON path of the first number that is not a safe integer, or null.
 *
 * Signed data carries money and ratios as decimal strings (invariant 6). Integers beyond
 * ±(2^53 − 1) are reported too: JCS would print 1e21 and above in exponent form, and parsers
 * in other languages round them differently, so they are no more exact than fractions.
 * Object keys are visited in canonical (sorted) order, so "first" means first in the signed
 * bytes, independent of insertion order.
 */
export function containsFloat(value: unknown): string | null {
  // Entries almost never hold one, so a plain walk answers first; only a payload that does
  // pays for the walk in canonical order that names the first.
  return hasFloat(value, []) ? findFloat(value, "$", []) : null;
}

/** `ancestors`: the objects above this one, to stop at a cycle; a payload is a few levels deep. */
function hasFloat(value: unknown, ancestors: object[]): boolean {
  if (typeof value === "number") return !Number.isSafeInteger(value);
  if (value === null || typeof value !== "object" || ancestors.includes(value)) return false;
  ancestors.push(value);
  let found = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && !found; i++) found = hasFloat(value[i], ancestors);
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (Object.hasOwn(record, key) && hasFloat(record[key], ancestors)) {
        found = true;
        break;
      }
    }
  }
  ancestors.pop();
  return found;
}

function findFloat(value: unknown, path: string, ancestors: object[]): string | null {
  if (typeof value === "number") return Number.isSafeInteger(value) ? null : path;
  if (value === null || typeof value !== "object" || ancestors.includes(value)) return null;
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const found = findFloat(value[i], `${path}[${i}]`, ancestors);
        if (found !== null) return found;
      }
      return null;
    }
    const record = value as Record<string, unknown>;
    for (const key of sortedKeys(record)) {
      const found = findFloat(record[key], childPath(path, key), ancestors);
      if (found !== null) return found;
    }
    return null;
  } finally {
    ancestors.pop();
  }
}

/**
 * Where a value sits, as a chain from the root: its JSON path is only spelled out for an
 * error, since building it for every member would cost more than the check itself.
 */
type Place = { parent: Place; key: string | number } | null;

function pathOf(place: Place): string {
  if (place === null) return "$";
  const parent = pathOf(place.parent);
  return typeof place.key === "number" ? `${parent}[${place.key}]` : childPath(parent, place.key);
}

/**
 * Checks that `value`, found at `key` of the value at `parent` (the root: both null), is plain
 * JSON data. A member's place is only built when it is needed: for an error, or to be the
 * parent of an object's members. `ancestors` are the objects on the way down (a cycle leads
 * back to one); a list, since entries nest a few levels deep and a Set would allocate.
 */
function assertJsonData(
  value: unknown,
  parent: Place,
  key: string | number | null,
  ancestors: object[],
): void {
  switch (typeof value) {
    case "string":
      if (hasLoneSurrogate(value))
        throw new CanonicalizationError(pathOf(placeOf(parent, key)), "string contains a lone surrogate");
      return;
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value))
        throw new CanonicalizationError(pathOf(placeOf(parent, key)), `${value} is not a JSON number`);
      return;
    case "undefined":
      throw new CanonicalizationError(pathOf(placeOf(parent, key)), "undefined has no JSON representation");
    case "bigint":
      throw new CanonicalizationError(
        pathOf(placeOf(parent, key)),
        "BigInt has no JSON representation; use a decimal string",
      );
    case "function":
    case "symbol":
      throw new CanonicalizationError(
        pathOf(placeOf(parent, key)),
        `a ${typeof value} has no JSON representation`,
      );
  }
  if (value === null) return;
  const obj = value as object;
  const place = placeOf(parent, key);
  if (ancestors.includes(obj)) throw new CanonicalizationError(pathOf(place), "circular reference");
  ancestors.push(obj);
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      // A hole reads as undefined and is rejected like one; JSON.stringify would write null.
      assertJsonData(obj[i], place, i, ancestors);
    }
  } else {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (proto as { constructor?: { name?: string } }).constructor?.name ?? "unknown";
      throw new CanonicalizationError(
        pathOf(place),
        `${kind} is not a plain object; convert it to JSON data first`,
      );
    }
    const record = obj as Record<string, unknown>;
    for (const member in record) {
      if (!Object.hasOwn(record, member)) continue;
      if (hasLoneSurrogate(member))
        throw new CanonicalizationError(
          pathOf({ parent: place, key: member }),
          "key contains a lone surrogate",
        );
      // An absent optional field is the common TypeScript shape for "not set"; JSON omits it.
      if (record[member] === undefined) continue;
      assertJsonData(record[member], place, member, ancestors);
    }
  }
  ancestors.pop();
}

function placeOf(parent: Place, key: string | number | null): Place {
  return key === null ? parent : { parent, key };
}

function hasLoneSurrogate(s: string): boolean {
  return !s.isWellFormed();
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(parent: string, key: string): string {
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}
