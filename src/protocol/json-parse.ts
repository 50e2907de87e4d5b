/**
 * Lossless JSON reading: integer literals a double cannot hold exactly (every Discord snowflake
 * is above 2^53) become `bigint`s; everything else is exactly `JSON.parse`.
 *
 * Frames without 16 digits in a row (2^53 has 16) pay one native regex test on top of
 * `JSON.parse`. The others take the lossless path: one pass over the text rewrites each unsafe
 * integer literal into a marker string (`"\u000b<digits>"`), the native `JSON.parse` does all of
 * the parsing, and one walk turns the markers into `bigint`s (U+000B is white space to `BigInt()`,
 * so the marker needs no slicing). That is faster than a JavaScript parser (lossless-json,
 * json-bigint: see docs/performance.md), and `JSON.parse` stays the one judge of what is valid.
 *
 * A client's own string can hold U+000B only through the escape `\u000b` (JSON has no other way
 * to write it): a frame with one is resolved against a plain parse of the same text, so a string
 * is never taken for a marker.
 */

const LONG_RUN = /\d{16}/;
/** The largest safe integer's digits: an unsafe 16-digit literal compares above them. */
const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);
const MARK = 0x0b;
const ESCAPED_MARK = /\\u000[bB]/;

/**
 * `JSON.parse`, except that integer literals outside ±(2^53 − 1) become `bigint`s, at any size.
 * Non-integer literals (`1.5`, `1e400`, `12345678901234567.0`) are doubles, as in `JSON.parse`.
 * Throws `SyntaxError` exactly when `JSON.parse` would.
 */
export function parseJson(text: string): unknown {
  if (!LONG_RUN.test(text)) return JSON.parse(text);
  return parseLossless(text);
}

function parseLossless(text: string): unknown {
  const n = text.length;
  let rewritten = "";
  let copied = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string; an unterminated one runs to the end and JSON.parse reports it.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c >= 0x30 && c <= 0x39) {
      const start = i;
      while (i + 1 < n && isDigit(text.charCodeAt(i + 1))) i++;
      const end = i + 1;
      if (end - start < 16) continue;
      const token = start > 0 && text.charCodeAt(start - 1) === 0x2d ? start - 1 : start;
      if (!isUnsafeInteger(text, token, start, end)) continue;
      rewritten += `${text.slice(copied, token)}"\\u000b${text.slice(token, end)}"`;
      copied = end;
      count++;
    }
  }
  if (count === 0) return JSON.parse(text);
  let value: unknown;
  try {
    value = JSON.parse(rewritten + text.slice(copied));
  } catch {
    return JSON.parse(text); // throws the error about the client's own text
  }
  if (!ESCAPED_MARK.test(text)) return reviveMarkers(value, count);
  return reviveAgainst(value, JSON.parse(text));
}

/**
 * Whether `text[token, end)` is a whole integer literal (optional `-`, the digits
 * `[start, end)`, no leading zero, not part of a fraction or an exponent) outside ±(2^53 − 1).
 * Anything else is left for `JSON.parse` to read, or reject, as it would have.
 */
function isUnsafeInteger(text: string, token: number, start: number, end: number): boolean {
  const before = token > 0 ? text.charCodeAt(token - 1) : 0x20;
  const after = end < text.length ? text.charCodeAt(end) : 0x20;
  // before: [ , : or white space (or the start); after: , ] } or white space (or the end)
  if (!(before === 0x5b || before === 0x2c || before === 0x3a || isSpace(before))) return false;
  if (!(after === 0x2c || after === 0x5d || after === 0x7d || isSpace(after))) return false;
  if (text.charCodeAt(start) === 0x30) return false;
  return end - start > 16 || text.slice(start, end) > MAX_SAFE_DIGITS;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isMarker(value: unknown): value is string {
  return typeof value === "string" && value.charCodeAt(0) === MARK && value.length > 1;
}

type Container = Record<string, unknown> | unknown[];

/** Turns the `count` markers in `root` into bigints; iterative, so depth cannot overflow the stack. */
function reviveMarkers(root: unknown, count: number): unknown {
  if (isMarker(root)) return BigInt(root);
  let left = count;
  const stack: unknown[] = [root];
  while (stack.length > 0 && left > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (let k = 0; k < node.length; k++) {
        const item: unknown = node[k];
        if (isMarker(item)) {
          node[k] = BigInt(item);
          left--;
        } else if (typeof item === "object" && item !== null) stack.push(item);
      }
      continue;
    }
    const object = node as Record<string, unknown>;
    for (const key in object) {
      const item = object[key];
      if (isMarker(item)) {
        setOwn(object, key, BigInt(item));
        left--;
      } else if (typeof item === "object" && item !== null) stack.push(item);
    }
  }
  return root;
}

/**
 * The careful walk, for frames that contain `\u000b`: a marker is a bigint only where the plain
 * parse of the same text has a number. Both trees have the same shape, since only number literals
 * were rewritten.
 */
function reviveAgainst(root: unknown, plain: unknown): unknown {
  if (isMarker(root) && typeof plain === "number") return BigInt(root);
  const stack: Array<[unknown, unknown]> = [[root, plain]];
  while (stack.length > 0) {
    const [node, twin] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    const mine = node as Container;
    const theirs = twin as Record<string, unknown>;
    for (const key of Object.keys(mine)) {
      const item = (mine as Record<string, unknown>)[key];
      const other = theirs[key];
      if (isMarker(item) && typeof other === "number") setOwn(mine, key, BigInt(item));
      else if (typeof item === "object" && item !== null) stack.push([item, other]);
    }
  }
  return root;
}

/** `object[key] = value`, except that a `__proto__` key stays an own property, as JSON.parse made it. */
function setOwn(object: Container, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else (object as Record<string, unknown>)[key] = value;
}
