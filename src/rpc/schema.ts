/**
 * Thin helpers that build plain JSON Schema objects for typed methods. What they return is
 * standard JSON Schema (draft 2020-12 keywords), so `rpc.discover` shows schemas any tool
 * understands; where Cogwheel adds meaning (a snowflake becomes a string before the handler
 * runs) the schema carries the extension keyword `"x-cogwheel"`.
 *
 * Bounds may be `bigint`s (`integer({ maximum: 2n ** 63n - 1n })`): integers are exact at any
 * size on this server, and `rpc.discover` writes a bigint bound as bare digits.
 */

/** A JSON Schema object. Plain data: helpers build it, and a hand-written one works as well. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** Annotations every helper accepts; published by `rpc.discover`, not checked. */
export interface Annotations {
  readonly title?: string;
  readonly description?: string;
  readonly examples?: readonly unknown[];
  readonly deprecated?: boolean;
}

/** Keywords of {@link integer} and {@link number}. */
export interface NumberOptions extends Annotations {
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly exclusiveMinimum?: number | bigint;
  readonly exclusiveMaximum?: number | bigint;
  readonly multipleOf?: number | bigint;
}

/** Keywords of {@link string}. `format` is published as an annotation and not checked. */
export interface StringOptions extends Annotations {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
}

/** Keywords of {@link array}. */
export interface ArrayOptions extends Annotations {
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
}

/** Options of {@link object}. */
export interface ObjectOptions extends Annotations {
  /**
   * Schema of properties not listed, or false to refuse them (the default: an unknown key is
   * an error, as an unknown parameter is), or true to allow any.
   */
  readonly additionalProperties?: boolean | JsonSchema;
}

/** The value of `"x-cogwheel"` on a snowflake schema. */
export const SNOWFLAKE_MARK = "snowflake";

/**
 * The published pattern of a snowflake string: 1–20 digits, no leading zero. (A 20-digit string
 * above 2^64 − 1 matches the pattern but is refused; JSON Schema cannot say that bound.)
 */
export const SNOWFLAKE_PATTERN = "^(0|[1-9][0-9]{0,19})$";

// Marks a schema as optional where it declares a parameter or an object property. A symbol,
// so the schema itself stays plain JSON (JSON.stringify and Object.keys never see it).
const OPTIONAL = Symbol.for("cogwheel.rpc.optional");

/**
 * A Discord snowflake: an unsigned 64-bit integer sent as a JSON number of any size or a
 * string of digits. The handler always receives it as a **string** (`"123456789012345678"`).
 */
export function snowflake(annotations: Annotations = {}): JsonSchema {
  return {
    type: ["integer", "string"],
    minimum: 0,
    pattern: SNOWFLAKE_PATTERN,
    "x-cogwheel": SNOWFLAKE_MARK,
    description: "A Discord id: an unsigned 64-bit integer, as a JSON number or a string of digits. The method receives it as a string.",
    ...annotations,
  };
}

/** A string. */
export function string(options: StringOptions = {}): JsonSchema {
  return { type: "string", ...options };
}

/** An integer; a literal beyond 2^53 reaches the handler as an exact `bigint`. */
export function integer(options: NumberOptions = {}): JsonSchema {
  return { type: "integer", ...options };
}

/** A number (an integer beyond 2^53 arrives as a `bigint`). */
export function number(options: NumberOptions = {}): JsonSchema {
  return { type: "number", ...options };
}

/** `true` or `false`. */
export function boolean(annotations: Annotations = {}): JsonSchema {
  return { type: "boolean", ...annotations };
}

/** An array whose every item matches `items`. */
export function array(items: JsonSchema, options: ArrayOptions = {}): JsonSchema {
  return { type: "array", items, ...options };
}

/**
 * An object with the given properties, each required unless wrapped in {@link optional}; other
 * keys are refused unless `additionalProperties` says otherwise.
 */
export function object(properties: Readonly<Record<string, JsonSchema>>, options: ObjectOptions = {}): JsonSchema {
  const required = Object.keys(properties).filter((key) => !isOptional(properties[key]!));
  const { additionalProperties = false, ...annotations } = options;
  return { type: "object", properties: { ...properties }, required, additionalProperties, ...annotations };
}

/** A map from any string key to values matching `values` (`{"general": "…", …}`). */
export function record(values: JsonSchema, annotations: Annotations = {}): JsonSchema {
  return { type: "object", additionalProperties: values, ...annotations };
}

/** One of the given values. */
export function enumOf(...values: readonly unknown[]): JsonSchema {
  return { enum: [...values] };
}

/** `schema`, or `null`. */
export function nullable(schema: JsonSchema): JsonSchema {
  return { anyOf: [schema, { type: "null" }] };
}

/** Any JSON value (the schema `{}`), for a parameter whose checks the handler makes itself. */
export function any(annotations: Annotations = {}): JsonSchema {
  return { ...annotations };
}

/**
 * Marks a parameter (in a method's `params`) or a property (in {@link object}) as optional.
 * Returns a copy of `schema`; the mark is invisible in the published schema.
 */
export function optional(schema: JsonSchema): JsonSchema {
  return Object.defineProperty({ ...schema }, OPTIONAL, { value: true, enumerable: false });
}

/** True when `schema` was made by {@link optional}. */
export function isOptional(schema: JsonSchema): boolean {
  return (schema as { [OPTIONAL]?: unknown })[OPTIONAL] === true;
}
