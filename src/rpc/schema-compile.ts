import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { stringifyJson } from "../protocol/json.ts";
import { RpcError, RpcServerError, type RpcServerErrorCode } from "./errors.ts";
import { NUMERIC_KEYWORDS, numericKeyword, snowflakeKeyword, type NumericRule } from "./schema-keywords.ts";
import { SNOWFLAKE_MARK, type JsonSchema } from "./schema.ts";

/**
 * Compiles declared JSON Schemas into validators, once, at registration. A schema is first
 * rewritten into the form ajv runs (schema-keywords.ts: numbers and bigints alike, snowflakes
 * coerced to strings); the published schema is never changed.
 */

// The code of a schema refused at registration. errors.ts does not list ERR_RPC_INVALID_SCHEMA
// yet; until it does, a bad schema is an invalid option of `register`, which it is.
export const INVALID_SCHEMA: RpcServerErrorCode = "ERR_RPC_INVALID_SCHEMA";

/** One failing value in `-32602`'s `data.errors`: a JSON pointer from the params by name. */
export interface SchemaErrorItem {
  path: string;
  message: string;
}

/** At most this many failures are listed; `data.more` counts the rest. */
export const MAX_LISTED_ERRORS = 20;

type Mode = "coerce" | "check";

function makeAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true, // a form wants every bad field at once; a valid call costs the same
    strict: true, // an unknown keyword (a typo) is refused at registration, not ignored
    strictTypes: false, // cwNumeric carries `type`, so ajv cannot see it
    strictTuples: false,
    strictRequired: false,
    validateFormats: false, // `format` is an annotation here; no format library is loaded
    coerceTypes: false,
    useDefaults: false,
  });
  ajv.addKeyword(numericKeyword);
  ajv.addKeyword(snowflakeKeyword);
  ajv.addKeyword({ keyword: "x-cogwheel", schemaType: "string" }); // annotation only
  return ajv;
}

// One ajv for all methods; compiled validators are kept by the rewritten schema's text, so a
// package that reloads (or two methods with the same schema) reuses them instead of growing
// ajv's cache without bound.
let shared: Ajv | null = null;
const compiled = new Map<string, ValidateFunction>();

function compile(schema: Record<string, unknown>, where: string): ValidateFunction {
  // A bigint bound is written as bare digits: the same key as the equal number bound, which
  // cwNumeric compares the same way.
  const key = stringifyJson(schema);
  let validate = compiled.get(key);
  if (validate !== undefined) return validate;
  shared ??= makeAjv();
  try {
    validate = shared.compile(schema);
  } catch (error) {
    throw invalid(where, error instanceof Error ? error.message : String(error));
  } finally {
    shared.removeSchema(schema);
  }
  compiled.set(key, validate);
  return validate;
}

/**
 * A private copy of a declared schema, so what rpc.discover publishes is what was compiled
 * even if the caller changes its object later. Plain data only (no functions, no classes).
 */
export function copySchema(schema: JsonSchema, where: string): JsonSchema {
  try {
    const copy = structuredClone(schema);
    stringifyJson(copy); // throws on a cycle, which rpc.discover could never publish
    return copy;
  } catch (error) {
    throw invalid(where, `a schema must be plain JSON data (${error instanceof Error ? error.message : String(error)})`);
  }
}

function invalid(where: string, reason: string): RpcServerError {
  return new RpcServerError(INVALID_SCHEMA, `${where}: invalid schema: ${reason}`);
}

/**
 * Compiles the params of a typed method. `names[i]` is checked against `schemas[i]`; the rest
 * parameter's every item against `restSchema`. The returned function checks the bound
 * arguments in place (a snowflake becomes its string) and throws `-32602` with
 * `data: {errors: [{path, message}], more?}` when any fails.
 */
export function compileParamsValidator(
  method: string,
  names: readonly string[],
  schemas: readonly JsonSchema[],
  rest: { name: string; schema: JsonSchema } | null,
): (args: unknown[]) => void {
  const properties: Record<string, unknown> = {};
  names.forEach((name, i) => (properties[name] = rewrite(schemas[i]!, "coerce", `${method} param ${name}`)));
  if (rest !== null) {
    properties[rest.name] = { type: "array", items: rewrite(rest.schema, "coerce", `${method} param ...${rest.name}`) };
  }
  // Presence was checked by bindParams; undefined (an optional parameter left out) is skipped.
  const validate = compile({ properties }, `method ${method}`);
  const n = names.length;
  const restName = rest?.name ?? null;
  return (args) => {
    const byName: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) byName[names[i]!] = args[i];
    if (restName !== null && args.length > n) byName[restName] = args.slice(n);
    if (!validate(byName)) throw RpcError.invalidParams(errorData(validate.errors ?? []));
    // Only what was bound: optional parameters left out stay out (no trailing undefined).
    for (let i = 0; i < n && i < args.length; i++) args[i] = byName[names[i]!];
    if (restName !== null && args.length > n) {
      const items = byName[restName] as unknown[];
      for (let i = n; i < args.length; i++) args[i] = items[i - n];
    }
  };
}

/** Compiles a result schema; the function returns the failures, or null when `value` fits. */
export function compileResultCheck(method: string, schema: JsonSchema): (value: unknown) => SchemaErrorItem[] | null {
  const validate = compile(rewrite(schema, "check", `${method} result`), `method ${method} result`);
  return (value) => (validate(value) ? null : errorData(validate.errors ?? []).errors);
}

function errorData(errors: readonly ErrorObject[]): { errors: SchemaErrorItem[]; more?: number } {
  const items = collapseAnyOf(errors).map(toItem);
  if (items.length <= MAX_LISTED_ERRORS) return { errors: items };
  return { errors: items.slice(0, MAX_LISTED_ERRORS), more: items.length - MAX_LISTED_ERRORS };
}

/**
 * ajv reports a failed `anyOf` (as `nullable` makes) as each branch's error plus a summary.
 * When every branch failed on its type alone, one line says so ("must be boolean or null");
 * otherwise the branches' type errors and the summary go, and the specific errors stay.
 */
function collapseAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  const out: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword !== "anyOf") {
      out.push(error);
      continue;
    }
    const prefix = `${error.schemaPath}/`;
    const branches = out.filter((e) => e.schemaPath.startsWith(prefix));
    const typeOnly = branches.filter((e) => e.keyword === "type" && e.instancePath === error.instancePath);
    const remove = new Set(typeOnly);
    const branchOf = (e: ErrorObject): string => e.schemaPath.slice(prefix.length).split("/")[0]!;
    const allTypes = new Set(branches.map(branchOf)).size === typeOnly.length && typeOnly.length === branches.length;
    for (let i = out.length - 1; i >= 0; i--) if (remove.has(out[i]!)) out.splice(i, 1);
    if (allTypes && typeOnly.length > 0) {
      const types = typeOnly.flatMap((e) => [(e.params as { type: string | string[] }).type].flat());
      out.push({ ...error, message: `must be ${types.join(" or ")}` });
    }
  }
  return out;
}

const escapePointer = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");

/** ajv's error → `{path, message}`; a missing or refused key is named in the path itself. */
function toItem(error: ErrorObject): SchemaErrorItem {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === "required" && params.missingProperty !== undefined) {
    return { path: `${error.instancePath}/${escapePointer(params.missingProperty)}`, message: "is required" };
  }
  if (error.keyword === "additionalProperties" && params.additionalProperty !== undefined) {
    return { path: `${error.instancePath}/${escapePointer(params.additionalProperty)}`, message: "is not allowed" };
  }
  return { path: error.instancePath, message: error.message ?? "is invalid" };
}

// Keywords whose value is a schema, a list of schemas, or a map of schemas (draft-07).
const SCHEMA_VALUED = new Set(["additionalProperties", "additionalItems", "contains", "propertyNames", "not", "if", "then", "else"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf"]);
const SCHEMA_MAPS = new Set(["properties", "patternProperties"]);

/**
 * The form ajv runs: a snowflake node becomes `{cwSnowflake: mode}`; a node that admits numbers
 * hands `type` and its bounds to `cwNumeric`. Throws ERR_RPC_INVALID_SCHEMA (see INVALID_SCHEMA)
 * for what cannot be a schema.
 */
export function rewrite(schema: unknown, mode: Mode, where: string, path = ""): Record<string, unknown> {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw invalid(where, `${path || "the schema"} must be a JSON Schema object`);
  }
  const node = schema as Record<string, unknown>;
  if (node["x-cogwheel"] === SNOWFLAKE_MARK) return { cwSnowflake: mode };
  // Each schema is published inside the OpenRPC document, where `#` is the document: a local
  // $ref would point elsewhere there, and $id would clash between methods.
  if ("$ref" in node || "$id" in node) throw invalid(where, `${path || "the schema"}: $ref and $id are not supported (write the schema out)`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (SCHEMA_VALUED.has(key) && typeof value !== "boolean") out[key] = rewrite(value, mode, where, `${path}/${key}`);
    else if (key === "items" && Array.isArray(value)) out[key] = value.map((s, i) => rewrite(s, mode, where, `${path}/items/${i}`));
    else if (key === "items" && typeof value !== "boolean") out[key] = rewrite(value, mode, where, `${path}/items`);
    else if (SCHEMA_LISTS.has(key)) {
      if (!Array.isArray(value)) throw invalid(where, `${path}/${key} must be an array of schemas`);
      out[key] = value.map((s, i) => rewrite(s, mode, where, `${path}/${key}/${i}`));
    } else if (SCHEMA_MAPS.has(key)) {
      if (typeof value !== "object" || value === null) throw invalid(where, `${path}/${key} must be an object of schemas`);
      out[key] = Object.fromEntries(Object.entries(value).map(([k, s]) => [k, rewrite(s, mode, where, `${path}/${key}/${k}`)]));
    } else if (key === "dependencies" && typeof value === "object" && value !== null) {
      // Each entry is a list of property names (kept) or a schema (rewritten).
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, d]) => [k, Array.isArray(d) ? d : rewrite(d, mode, where, `${path}/dependencies/${k}`)]),
      );
    } else out[key] = value;
  }
  return takeNumeric(out, where, path);
}

/** Moves `type` and the numeric bounds into `cwNumeric` when the node may hold a number. */
function takeNumeric(node: Record<string, unknown>, where: string, path: string): Record<string, unknown> {
  const declared = node.type;
  const types = declared === undefined ? null : Array.isArray(declared) ? declared : [declared];
  if (types !== null && !types.every((t): t is string => typeof t === "string")) throw invalid(where, `${path || ""}/type must be a type name or a list of them`);
  if (types !== null) {
    const known = ["integer", "number", "string", "boolean", "null", "array", "object"];
    const bad = types.find((t) => !known.includes(t));
    if (bad !== undefined) throw invalid(where, `${path}/type: unknown type ${JSON.stringify(bad)}`);
  }
  const numericType = types !== null && (types.includes("integer") || types.includes("number"));
  const hasBounds = NUMERIC_KEYWORDS.some((k) => k in node);
  if (!numericType && !hasBounds) return node;
  const rule: NumericRule = { types: types === null ? null : [...types] };
  for (const k of NUMERIC_KEYWORDS) {
    if (!(k in node)) continue;
    const bound = node[k];
    if (!((typeof bound === "number" && Number.isFinite(bound)) || typeof bound === "bigint")) throw invalid(where, `${path}/${k} must be a number`);
    if (k === "multipleOf" && !(bound! > 0)) throw invalid(where, `${path}/multipleOf must be above 0`);
    rule[k] = bound;
    delete node[k];
  }
  delete node.type;
  node.cwNumeric = rule;
  return node;
}
