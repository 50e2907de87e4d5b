import type { FuncKeywordDefinition, SchemaValidateFunction } from "ajv";

/**
 * The two ajv keywords Cogwheel compiles its schemas to, because JSON Schema validators know
 * only JSON numbers while this server hands handlers exact `bigint`s for integers beyond 2^53
 * (src/protocol/json-parse.ts):
 * - `cwNumeric` replaces `type` and the numeric keywords of any schema that admits numbers, and
 *   checks them for `number`s and `bigint`s alike (JS compares the two exactly);
 * - `cwSnowflake` replaces a snowflake schema; in "coerce" mode (params) it rewrites the value to
 *   its digit string in place, in "check" mode (results) it only checks.
 * Neither is ever published: rpc.discover shows the standard schema they were compiled from.
 */

/** The schema of a `cwNumeric` keyword: the node's types (null: any) and numeric bounds. */
export interface NumericRule {
  types: string[] | null;
  minimum?: number | bigint;
  maximum?: number | bigint;
  exclusiveMinimum?: number | bigint;
  exclusiveMaximum?: number | bigint;
  multipleOf?: number | bigint;
}


export const SNOWFLAKE_MESSAGE = "must be a snowflake (a non-negative integer below 2^64, or a string of its digits)";
const SNOWFLAKE_DIGITS = /^(?:0|[1-9][0-9]{0,19})$/;
const SNOWFLAKE_MAX = 2n ** 64n - 1n;

/** The digit string of a snowflake, or null. Unsafe doubles are refused: they may be rounded. */
export function snowflakeString(data: unknown): string | null {
  if (typeof data === "string") {
    if (!SNOWFLAKE_DIGITS.test(data)) return null;
    return data.length < 20 || BigInt(data) <= SNOWFLAKE_MAX ? data : null;
  }
  if (typeof data === "number") return Number.isSafeInteger(data) && data >= 0 ? String(data) : null;
  if (typeof data === "bigint") return data >= 0n && data <= SNOWFLAKE_MAX ? data.toString() : null;
  return null;
}

const snowflakeValidate: SchemaValidateFunction = (mode: "coerce" | "check", data: unknown, _parent, cxt): boolean => {
  const digits = snowflakeString(data);
  if (digits === null) {
    snowflakeValidate.errors = [{ keyword: "snowflake", message: SNOWFLAKE_MESSAGE, params: {} }];
    return false;
  }
  // The params object is built per call by the validator (schema-compile.ts), so the value
  // always has a parent to write to; a root value is never coerced.
  if (mode === "coerce" && cxt !== undefined && cxt.parentData !== undefined) cxt.parentData[cxt.parentDataProperty] = digits;
  return true;
};

export const snowflakeKeyword: FuncKeywordDefinition = {
  keyword: "cwSnowflake",
  schemaType: "string",
  modifying: true,
  errors: true,
  validate: snowflakeValidate,
};

function isType(type: string, data: unknown): boolean {
  switch (type) {
    case "integer":
      return typeof data === "bigint" || (typeof data === "number" && Number.isInteger(data));
    case "number":
      return typeof data === "bigint" || (typeof data === "number" && Number.isFinite(data));
    case "null":
      return data === null;
    case "array":
      return Array.isArray(data);
    case "object":
      return typeof data === "object" && data !== null && !Array.isArray(data);
    default:
      return typeof data === type;
  }
}

function isMultiple(data: number | bigint, of: number | bigint): boolean {
  if (typeof data === "bigint" && Number.isInteger(Number(of))) return data % BigInt(of) === 0n;
  if (typeof data === "number" && typeof of === "number") return Number.isInteger(data / of);
  // A bigint against a fraction (or a number against a bigint): close enough, and rare.
  return Number.isInteger(Number(data) / Number(of));
}

/** A bound as digits: a double above 2^53 is written exactly (2^60 as 1152921504606846976). */
function show(bound: number | bigint): string {
  return typeof bound === "number" && Number.isInteger(bound) && !Number.isSafeInteger(bound) ? BigInt(bound).toString() : String(bound);
}

const numericValidate: SchemaValidateFunction = (rule: NumericRule, data: unknown): boolean => {
  const fail = (keyword: string, message: string, params: Record<string, unknown> = {}): false => {
    numericValidate.errors = [{ keyword, message, params }];
    return false;
  };
  if (rule.types !== null && !rule.types.some((t) => isType(t, data))) return fail("type", `must be ${rule.types.join(",")}`, { type: rule.types });
  if (typeof data !== "number" && typeof data !== "bigint") return true; // bounds apply to numbers only
  if (rule.minimum !== undefined && !(data >= rule.minimum)) return fail("minimum", `must be >= ${show(rule.minimum)}`);
  if (rule.maximum !== undefined && !(data <= rule.maximum)) return fail("maximum", `must be <= ${show(rule.maximum)}`);
  if (rule.exclusiveMinimum !== undefined && !(data > rule.exclusiveMinimum)) return fail("exclusiveMinimum", `must be > ${show(rule.exclusiveMinimum)}`);
  if (rule.exclusiveMaximum !== undefined && !(data < rule.exclusiveMaximum)) return fail("exclusiveMaximum", `must be < ${show(rule.exclusiveMaximum)}`);
  if (rule.multipleOf !== undefined && !isMultiple(data, rule.multipleOf)) return fail("multipleOf", `must be multiple of ${show(rule.multipleOf)}`);
  return true;
};

export const numericKeyword: FuncKeywordDefinition = {
  keyword: "cwNumeric",
  schemaType: "object",
  errors: true,
  validate: numericValidate,
};

/** The keywords `cwNumeric` takes over from a schema node. */
export const NUMERIC_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"] as const;
