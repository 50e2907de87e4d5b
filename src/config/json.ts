/**
 * JSON value types and the one validator that turns caller input into a
 * private, deep-copied JSON value (or rejects it with a clear error).
 *
 * @module
 */
import { ConfigTypeError } from "./errors.ts";

/** A value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * Checks that `value` is plain JSON and returns a deep copy of it.
 * Rejects undefined, functions, symbols, BigInt, non-finite numbers, sparse arrays,
 * symbol keys, cycles and non-plain objects (Date, Map, class instances…), which
 * `JSON.stringify` would silently drop, mangle or throw on.
 *
 * @param value - the candidate value
 * @param what - how to name the value in the error message, e.g. `key "balance"`
 * @returns a fresh deep copy, sharing nothing with `value`
 * @throws ConfigTypeError with code `ERR_CONFIG_INVALID_VALUE`
 */
export function toJsonValue(value: unknown, what: string): JsonValue {
  return copy(value, what, "", new Set());
}

function copy(value: unknown, what: string, at: string, ancestors: Set<object>): JsonValue {
  switch (typeof value) {
    case "string":
      if (!storable(value)) invalid(what, at, "a string holding U+0000 or an unpaired surrogate", STORABLE);
      return value;
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) invalid(what, at, `the number ${String(value)}`);
      return value;
    case "object":
      break;
    case "bigint":
      return invalid(what, at, "a BigInt");
    default:
      return invalid(what, at, typeof value === "undefined" ? "undefined" : `a ${typeof value}`);
  }
  if (value === null) return null;
  if (ancestors.has(value)) invalid(what, at, "a circular reference");
  if (typeof (value as { then?: unknown }).then === "function") invalid(what, at, "a Promise (or thenable)");
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const out: JsonValue[] = [];
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) invalid(what, `${at}[${i}]`, "an array hole");
        out.push(copy(value[i], what, `${at}[${i}]`, ancestors));
      }
      return out;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
      invalid(what, at, `an instance of ${typeof ctor === "string" && ctor ? ctor : "a class"}`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) invalid(what, at, "an object with symbol keys");
    // Object.fromEntries defines own data properties, so a "__proto__" key stays a plain key.
    return Object.fromEntries(
      Object.keys(value).map((k) => {
        if (!storable(k)) invalid(what, `${at}.${JSON.stringify(k)}`, "a key holding U+0000 or an unpaired surrogate", STORABLE);
        return [k, copy((value as Record<string, unknown>)[k], what, `${at}.${k}`, ancestors)];
      }),
    ) as JsonObject;
  } finally {
    ancestors.delete(value);
  }
}

const JSON_ONLY = "values must be JSON (null, boolean, finite number, string, array, plain object)";
const STORABLE =
  "PostgreSQL's jsonb cannot hold them, so every store refuses them and a bot behaves the same on JSON files and on PostgreSQL";

/** U+0000 and unpaired surrogates: text PostgreSQL's jsonb refuses. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** @returns whether PostgreSQL can hold the text (no U+0000, no unpaired surrogate) */
export function storable(text: string): boolean {
  return !UNSTORABLE.test(text);
}

function invalid(what: string, at: string, found: string, rule = JSON_ONLY): never {
  const where = at === "" ? "" : ` at ${at}`;
  throw new ConfigTypeError("ERR_CONFIG_INVALID_VALUE", `Config value for ${what}${where} is ${found}; ${rule}`);
}

/**
 * Deep copy of a value already known to be JSON (cheap for primitives).
 *
 * @param value - a JSON value
 * @returns a copy that shares no objects with `value`
 */
export function cloneJson<T extends JsonValue>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  return structuredClone(value);
}

/**
 * Freezes a JSON value and everything inside it.
 *
 * @param value - a JSON value
 * @returns the same value, now deeply frozen
 */
export function deepFreeze<T extends JsonValue>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v as JsonValue);
    Object.freeze(value);
  }
  return value;
}
