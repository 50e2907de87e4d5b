// Shared pieces of the property-based tests: run counts and seeds from the environment, an
// independent lossless JSON reader (keeps every number's source text, decodes keys, last
// duplicate wins) used as the oracle, and generators of JSON-RPC-ish text.
import fc from "fast-check";

/** `FUZZ_RUNS=N` multiplies every property's case count (default 1). */
export const RUNS_FACTOR = ((): number => {
  const raw = process.env.FUZZ_RUNS;
  if (raw === undefined || raw === "") return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`FUZZ_RUNS must be a positive number, got ${raw}`);
  return n;
})();

/** `FUZZ_SEED=N` fixes the seed of every property; otherwise fast-check draws one (and prints it on failure). */
export const SEED = ((): number | undefined => {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got ${raw}`);
  return n;
})();

/** fast-check parameters for a property with `base` cases at FUZZ_RUNS=1. */
export function fuzzParams<T>(base: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  const params: fc.Parameters<T> = { numRuns: Math.max(1, Math.round(base * RUNS_FACTOR)), ...extra };
  if (SEED !== undefined) params.seed = SEED;
  return params;
}

/** A node:test timeout that grows with FUZZ_RUNS. */
export function fuzzTimeout(baseMs: number): number {
  return Math.round(baseMs * Math.max(1, RUNS_FACTOR));
}

// ---------------------------------------------------------------------------------------------
// Lossless JSON: an iterative reader (no recursion, so 100 000 levels of nesting are fine).

/** A JSON number, kept as written. */
export class RawNumber {
  constructor(readonly raw: string) {}
  get value(): number {
    return Number(this.raw);
  }
}

export type Lossless = null | boolean | string | RawNumber | Lossless[] | LosslessObject;
export interface LosslessObject {
  [key: string]: Lossless;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function skipWs(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  return i;
}

function readString(text: string, i: number): [string, number] {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
  if (j >= text.length) throw new SyntaxError(`unterminated string at ${i}`);
  return [JSON.parse(text.slice(i, j + 1)) as string, j + 1];
}

/** Reads JSON text that `JSON.parse` accepts, keeping numbers' source text. Objects have no prototype. */
export function parseLossless(text: string): Lossless {
  type Frame = { array: Lossless[]; count: number } | { object: LosslessObject; key: string; count: number };
  const stack: Frame[] = [];
  let i = 0;
  let result: Lossless | undefined;
  const put = (value: Lossless): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) result = value;
    else if ("array" in top) top.array.push(value);
    else top.object[top.key] = value; // last duplicate wins, like JSON.parse
  };
  for (;;) {
    i = skipWs(text, i);
    const top = stack[stack.length - 1];
    if (top !== undefined) {
      // Inside a container: its end, or a separator (and a key) before the next value.
      if (text[i] === ("array" in top ? "]" : "}")) {
        stack.pop();
        i++;
        put("array" in top ? top.array : top.object);
        if (stack.length === 0) break;
        continue;
      }
      if (top.count++ > 0) {
        if (text[i] !== ",") throw new SyntaxError(`expected , at ${i}`);
        i = skipWs(text, i + 1);
      }
      if (!("array" in top)) {
        const [key, end] = readString(text, i);
        i = skipWs(text, end);
        if (text[i] !== ":") throw new SyntaxError(`expected : at ${i}`);
        i = skipWs(text, i + 1);
        top.key = key;
      }
    }
    const c = text[i];
    if (c === "[") {
      stack.push({ array: [], count: 0 });
      i++;
      continue;
    }
    if (c === "{") {
      stack.push({ object: Object.create(null) as LosslessObject, key: "", count: 0 });
      i++;
      continue;
    }
    let value: Lossless;
    if (c === '"') [value, i] = readString(text, i);
    else if (text.startsWith("true", i)) [value, i] = [true, i + 4];
    else if (text.startsWith("false", i)) [value, i] = [false, i + 5];
    else if (text.startsWith("null", i)) [value, i] = [null, i + 4];
    else {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) throw new SyntaxError(`unexpected ${JSON.stringify(c)} at ${i}`);
      value = new RawNumber(m[0]);
      i += m[0].length;
    }
    put(value);
    if (stack.length === 0) break;
  }
  return result!;
}

/** The value JSON.parse would give (numbers as doubles). Iterative. */
export function toPlain(value: Lossless): unknown {
  const convert = (v: Lossless): unknown =>
    v instanceof RawNumber ? v.value : typeof v === "object" && v !== null ? (Array.isArray(v) ? [] : {}) : v;
  const root = convert(value);
  const work: Array<[Lossless, unknown]> = [[value, root]];
  while (work.length > 0) {
    const [src, dst] = work.pop()!;
    if (Array.isArray(src)) {
      for (const item of src) {
        const out = convert(item);
        (dst as unknown[]).push(out);
        if (typeof item === "object" && item !== null && !(item instanceof RawNumber)) work.push([item, out]);
      }
    } else if (typeof src === "object" && src !== null && !(src instanceof RawNumber)) {
      for (const key of Object.keys(src)) {
        const item = src[key]!;
        const out = convert(item);
        Object.defineProperty(dst, key, { value: out, enumerable: true, writable: true, configurable: true });
        if (typeof item === "object" && item !== null && !(item instanceof RawNumber)) work.push([item, out]);
      }
    }
  }
  return root;
}

export function isObject(value: Lossless): value is LosslessObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof RawNumber);
}

/** Nesting depth of arrays/objects (a scalar is 0, `[]` is 1), stopping once over `max`. Iterative. */
export function depthExceeds(value: Lossless, max: number): boolean {
  const work: Array<[Lossless, number]> = [[value, 1]];
  while (work.length > 0) {
    const [v, d] = work.pop()!;
    if (typeof v !== "object" || v === null || v instanceof RawNumber) continue;
    if (d > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const child of children) work.push([child, d + 1]);
  }
  return false;
}

/**
 * How a reply's id is compared: strings and null by value, numbers that a double holds exactly
 * as integers by value, every other number by its exact source text.
 */
export function idKey(id: Lossless): string | null {
  if (id === null) return "null";
  if (typeof id === "string") return `s:${JSON.stringify(id)}`;
  if (id instanceof RawNumber) {
    const n = id.value;
    if (!Number.isFinite(n)) return null;
    if (Number.isSafeInteger(n)) return `n:${n === 0 ? 0 : n}`;
    return `r:${id.raw}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Generators.

const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((d) => d.join(""));

/** JSON number text: small, safe, huge, fractional, exponents (some overflow or underflow), and known odd ones. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53, -(2 ** 53)).map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc
    .tuple(
      fc.boolean(),
      fc.oneof(fc.constant("0"), fc.tuple(fc.constantFrom(..."123456789"), digits(0, 25)).map(([a, b]) => a + b)),
      fc.option(digits(1, 25), { nil: undefined }),
      fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.integer({ min: 0, max: 500 })), { nil: undefined }),
    )
    .map(([neg, int, frac, exp]) => `${neg ? "-" : ""}${int}${frac === undefined ? "" : `.${frac}`}${exp === undefined ? "" : `${exp[0]}${exp[1]}${exp[2]}`}`),
  fc.constantFrom(
    "0", "-0", "0.0", "-0.0", "1.0", "1.10", "0.1", "1e2", "1E+2", "1e400", "-1e400", "1e-400", "9007199254740993",
    "12345678901234567890", "123456789012345678901234567890.5", "5e-324", "1.7976931348623157e308", "1.7976931348623159e308",
  ),
);

/** Any JSON string's text, unicode and escapes included. */
export const stringText: fc.Arbitrary<string> = fc
  .oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("", "id", "\\", '"', "\u2028", "\ud800", "{[,]}"))
  .map((s) => JSON.stringify(s));

/** The text of an `id` member's value: valid ids and invalid ones. */
export const idText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: numberText },
  { weight: 3, arbitrary: stringText },
  { weight: 1, arbitrary: fc.constant("null") },
  { weight: 1, arbitrary: fc.constantFrom("true", "false", "[]", "[1]", "{}", '{"id":1}') },
);

/** Any JSON value as text (JSON.stringify of fast-check's jsonValue, sometimes indented). */
export const jsonText = (maxDepth = 3): fc.Arbitrary<string> =>
  fc
    .tuple(fc.jsonValue({ maxDepth }), fc.constantFrom(undefined, 1, "\t", " \r\n"))
    .map(([v, indent]) => (JSON.stringify(v, null, indent as string | number | undefined) ?? "null"));

/** Random JSON whitespace. */
export const ws: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(" ", "\t", "\n", "\r"), { maxLength: 3 })
  .map((a) => a.join(""));

/** One member `"key": value` as text. */
export interface Member {
  readonly key: string;
  /** Key text as written (may use escapes, e.g. `"\u0069d"`). */
  readonly keyText: string;
  readonly valueText: string;
}

/** Serialises members as an object with random whitespace. */
export function objectText(members: readonly Member[], spaces: readonly string[]): string {
  const s = (k: number): string => spaces[k % Math.max(1, spaces.length)] ?? "";
  return `${s(0)}{${members.map((m, k) => `${s(k + 1)}${m.keyText}${s(k + 2)}:${s(k + 3)}${m.valueText}`).join(",")}${s(1)}}${s(2)}`;
}

export const member = (key: string, valueText: string): Member => ({ key, keyText: JSON.stringify(key), valueText });
