import { idOf, isObject } from "./guard.ts";

/**
 * Checks of the settings the web app sends, one per field: each returns the value to store, or
 * throws a FieldError naming the field. A whole form is checked before anything is changed, so
 * a refused form changes nothing.
 */
export class FieldError extends Error {
  override name = "FieldError";
}

export type Check<T> = (value: unknown, field: string) => T;

export const bool: Check<boolean> = (value, field) => {
  if (typeof value !== "boolean") throw new FieldError(`${field} must be true or false`);
  return value;
};

export function int(min: number, max: number): Check<number> {
  return (value, field) => {
    const n = typeof value === "bigint" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) throw new FieldError(`${field} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** A string of at most `max` characters; with `nullable`, null (or "") is kept as null. */
export function text(max: number, nullable: true): Check<string | null>;
export function text(max: number, nullable?: false): Check<string>;
export function text(max: number, nullable = false): Check<string | null> {
  return (value, field) => {
    if (nullable && (value === null || value === "")) return null;
    if (typeof value !== "string") throw new FieldError(`${field} must be ${nullable ? "text or null" : "text"}`);
    if (value.length > max) throw new FieldError(`${field} must be at most ${max} characters`);
    return value;
  };
}

export function oneOf<T extends string>(choices: readonly T[]): Check<T> {
  return (value, field) => {
    if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) throw new FieldError(`${field} must be one of ${choices.join(", ")}`);
    return value as T;
  };
}

/** A list of texts (command names, third-party names), at most `max` of them. */
export function texts(max = 1000): Check<string[]> {
  return (value, field) => {
    if (!Array.isArray(value) || value.length > max || !value.every((v) => typeof v === "string" && v.length <= 200)) {
      throw new FieldError(`${field} must be a list of at most ${max} texts`);
    }
    return [...new Set(value as string[])];
  };
}

/** A list of Discord ids, sent as ints or digit strings; stored as digit strings. */
export function ids(max = 1000): Check<string[]> {
  return (value, field) => {
    if (!Array.isArray(value) || value.length > max) throw new FieldError(`${field} must be a list of ids`);
    const out = value.map(idOf);
    if (out.some((id) => id === null)) throw new FieldError(`${field} must be a list of ids (whole numbers)`);
    return [...new Set(out as string[])];
  };
}

/** A colour as `#RRGGBB` (upper-cased); null resets it. */
export const color: Check<string | null> = (value, field) => {
  if (value === null || value === "") return null;
  if (typeof value !== "string" || !/^#?[0-9a-fA-F]{6}$/.test(value)) throw new FieldError(`${field} must be a colour such as #E74C3C`);
  return `#${value.replace(/^#/, "").toUpperCase()}`;
};

/**
 * Checks the fields of `input` that `checks` knows; returns the checked values, and the names
 * of fields it does not know (answered back, never silently dropped).
 */
export function checkForm<T extends Record<string, unknown>>(
  input: unknown,
  checks: { [K in keyof T]: Check<T[K]> },
  form: string,
): { values: Partial<T>; unknown: string[] } {
  if (!isObject(input)) throw new FieldError(`${form} must be an object of settings`);
  const values: Partial<T> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    const check = (checks as Record<string, Check<unknown> | undefined>)[key];
    if (check === undefined) unknown.push(key);
    else (values as Record<string, unknown>)[key] = check(value, key);
  }
  return { values, unknown };
}
