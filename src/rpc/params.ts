import { RpcError } from "./errors.ts";
import { compileParamsValidator, copySchema } from "./schema-compile.ts";
import { isOptional as isOptionalSchema, type JsonSchema } from "./schema.ts";

/**
 * A method's declared parameters, compiled once at registration, from names such as
 * `["member_id", "amount?", "...rest"]` or from an object of schemas such as
 * `{ member_id: snowflake(), amount: optional(integer()), "...rest": string() }`: a trailing `?`
 * (or `optional(…)`) marks an optional parameter, a leading `...` a last parameter that takes
 * every remaining positional argument (its schema is that of each item).
 */
export interface ParamSpec {
  /** null when the method declared nothing: any positional arguments pass through. */
  readonly names: readonly string[] | null;
  readonly optional: readonly boolean[];
  readonly index: ReadonlyMap<string, number>;
  readonly rest: string | null;
  /** The declared schema of each name (object form only; null for names only). */
  readonly schemas: readonly JsonSchema[] | null;
  /** The schema of each rest item (object form only). */
  readonly restSchema: JsonSchema | null;
  /** Checks bound arguments in place (see compileParamsValidator); null: nothing declared to check. */
  readonly validate: ((args: unknown[]) => void) | null;
}

/** What a method may declare as its parameters (see {@link ParamSpec}). */
export type ParamsDeclaration = readonly string[] | Readonly<Record<string, JsonSchema>>;

const PARAM_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Most positional arguments a call may pass (a list inside one argument is not limited). */
export const MAX_POSITIONAL = 10_000;

/** An undeclared parameter list: positional arguments only, any number. */
export const ANY_PARAMS: ParamSpec = {
  names: null,
  optional: [],
  index: new Map(),
  rest: null,
  schemas: null,
  restSchema: null,
  validate: null,
};

/**
 * Compiles declared names (and schemas); throws a TypeError naming a bad entry, or
 * ERR_RPC_INVALID_SCHEMA (see schema-compile.ts) for a bad schema. `method` names the method
 * in those messages.
 */
export function compileParams(declared: ParamsDeclaration | undefined, method = "method"): ParamSpec {
  if (declared === undefined) return ANY_PARAMS;
  const typed = !Array.isArray(declared);
  if (typed && (typeof declared !== "object" || declared === null)) {
    throw new TypeError("params must be an array of parameter names or an object of parameter schemas");
  }
  const entries: Array<[string, JsonSchema | null]> = typed
    ? Object.entries(declared as Record<string, JsonSchema>)
    : (declared as readonly unknown[]).map((raw, i) => {
        if (typeof raw !== "string") throw new TypeError(`params[${i}] must be a string`);
        return [raw, null];
      });
  const names: string[] = [];
  const optional: boolean[] = [];
  const schemas: JsonSchema[] = [];
  let rest: string | null = null;
  let restSchema: JsonSchema | null = null;
  entries.forEach(([raw, schema], i) => {
    const at = typed ? `params ${JSON.stringify(raw)}` : `params[${i}] ${JSON.stringify(raw)}`;
    if (typed && (typeof schema !== "object" || schema === null || Array.isArray(schema))) {
      throw new TypeError(`${at} must be a JSON Schema object`);
    }
    if (rest !== null) throw new TypeError(`params: "...${rest}" must be the last parameter`);
    if (raw.startsWith("...")) {
      rest = raw.slice(3);
      if (!PARAM_NAME.test(rest)) throw new TypeError(`${at} is not a valid name`);
      if (names.includes(rest)) throw new TypeError(`params: ${JSON.stringify(rest)} is declared twice`);
      restSchema = schema === null ? null : copySchema(schema, `${method} param ...${rest}`);
      return;
    }
    const isOptional = raw.endsWith("?") || (schema !== null && isOptionalSchema(schema));
    const name = raw.endsWith("?") ? raw.slice(0, -1) : raw;
    if (!PARAM_NAME.test(name)) throw new TypeError(`${at} is not a valid name`);
    if (names.includes(name)) throw new TypeError(`params: ${JSON.stringify(name)} is declared twice`);
    if (!isOptional && optional.includes(true)) {
      throw new TypeError(`params: required ${JSON.stringify(name)} cannot follow an optional parameter`);
    }
    names.push(name);
    optional.push(isOptional);
    if (schema !== null) schemas.push(copySchema(schema, `${method} param ${name}`));
  });
  const restName: string | null = rest;
  // `params: {}` declares "no parameters": binding already refuses any, nothing to check.
  const validate = typed && (names.length > 0 || restName !== null)
    ? compileParamsValidator(method, names, schemas, restName === null ? null : { name: restName, schema: restSchema! })
    : null;
  return {
    names,
    optional,
    index: new Map(names.map((n, i) => [n, i])),
    rest,
    schemas: typed ? schemas : null,
    restSchema,
    validate,
  };
}

/** Red's envelope: an object whose only keys are `args` and/or `kwargs`. */
function isEnvelope(value: unknown): value is { args?: unknown; kwargs?: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  let keys = 0;
  for (const key in value) {
    if (key !== "args" && key !== "kwargs") return false;
    keys++;
  }
  return keys > 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Turns the `params` member of a request into the handler's argument list, accepting every
 * form a Red client sends: positional array, named object, `{args, kwargs}` (bare or wrapped
 * in a one-element array), null/absent, or a bare scalar (one argument).
 * Throws `-32602` with `data` naming missing, unknown, duplicate or surplus parameters.
 */
export function bindParams(spec: ParamSpec, params: unknown): unknown[] {
  let args: unknown[];
  let kwargs: Record<string, unknown> | null = null;
  if (params === undefined || params === null) {
    args = [];
  } else if (Array.isArray(params)) {
    if (params.length === 1 && isEnvelope(params[0])) ({ args, kwargs } = unwrap(params[0]));
    else args = params;
  } else if (typeof params === "object") {
    if (isEnvelope(params)) ({ args, kwargs } = unwrap(params));
    else {
      args = [];
      kwargs = params as Record<string, unknown>;
    }
  } else {
    args = [params];
  }

  if (args.length > MAX_POSITIONAL) {
    // A call spreads its arguments on the stack; far before V8's limit, refuse politely.
    throw RpcError.invalidParams({ reason: "too many positional parameters", limit: MAX_POSITIONAL });
  }
  const { names } = spec;
  if (names === null) {
    if (kwargs !== null) {
      const unknown = Object.keys(kwargs);
      if (unknown.length > 0) {
        throw RpcError.invalidParams({ reason: "this method takes positional parameters only", unknown });
      }
    }
    return args;
  }
  return bindDeclared(spec, names, args, kwargs);
}

function unwrap(envelope: { args?: unknown; kwargs?: unknown }): { args: unknown[]; kwargs: Record<string, unknown> | null } {
  const { args = [], kwargs = null } = envelope;
  if (!Array.isArray(args)) throw RpcError.invalidParams({ reason: '"args" must be an array' });
  if (kwargs !== null && !isPlainObject(kwargs)) throw RpcError.invalidParams({ reason: '"kwargs" must be an object' });
  return { args, kwargs };
}

function bindDeclared(
  spec: ParamSpec,
  names: readonly string[],
  args: unknown[],
  kwargs: Record<string, unknown> | null,
): unknown[] {
  const n = names.length;
  if (args.length > n && spec.rest === null) {
    throw RpcError.invalidParams({ reason: "too many positional parameters", expected: names, received: args.length });
  }
  const bound = args.length <= n ? args.slice() : args.slice(0, n);
  let provided = bound.length;
  let restByName: unknown[] | null = null;
  const unknown: string[] = [];
  const duplicate: string[] = [];
  if (kwargs !== null) {
    for (const key of Object.keys(kwargs)) {
      const at = spec.index.get(key);
      if (at === undefined && key === spec.rest && Array.isArray(kwargs[key]) && args.length <= n) {
        restByName = kwargs[key] as unknown[];
      } else if (at === undefined) unknown.push(key);
      else if (at < args.length) duplicate.push(key);
      else {
        bound[at] = kwargs[key];
        if (at >= provided) provided = at + 1;
      }
    }
  }
  const missing: string[] = [];
  for (let i = 0; i < n; i++) {
    if (!spec.optional[i] && (i >= provided || !(i in bound))) missing.push(names[i]!);
  }
  if (missing.length > 0 || unknown.length > 0 || duplicate.length > 0) {
    const data: Record<string, string[]> = {};
    if (missing.length > 0) data.missing = missing;
    if (unknown.length > 0) data.unknown = unknown;
    if (duplicate.length > 0) data.duplicate = duplicate;
    throw RpcError.invalidParams(data);
  }
  // Holes (optional parameters skipped by name) become undefined so JS defaults apply.
  const out = Array.from(bound);
  if (spec.rest !== null && args.length > n) {
    for (let i = n; i < args.length; i++) out.push(args[i]);
  } else if (restByName !== null) {
    if (restByName.length > MAX_POSITIONAL) {
      throw RpcError.invalidParams({ reason: "too many positional parameters", limit: MAX_POSITIONAL });
    }
    while (out.length < n) out.push(undefined);
    for (const item of restByName) out.push(item);
  }
  return out;
}
