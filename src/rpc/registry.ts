import type { Disposable } from "./disposable.ts";
import { RpcServerError } from "./errors.ts";
import { nameKey } from "./naming.ts";
import { compileParams, type ParamsDeclaration, type ParamSpec } from "./params.ts";
import { compileResultCheck, copySchema, type SchemaErrorItem } from "./schema-compile.ts";
import type { JsonSchema } from "./schema.ts";
import { OwnedTable, type NamedEntry } from "./table.ts";

/**
 * A method handler. Arguments arrive positionally, bound from the request's params.
 * It may return a value or a promise; `undefined` is sent as `null`.
 */
// `any` on purpose: handlers declare their own parameter types, which a caller cannot know.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RpcHandler = (...args: any[]) => unknown;

/** Options of {@link MethodRegistry.register}. */
export interface MethodOptions {
  /**
   * The parameters, for by-name calls and checks. Either names only — `"name"`, `"name?"`
   * (optional), `"...rest"` (last) — or an object from those names, in order, to a JSON Schema
   * each (`{ member_id: snowflake(), "note?": string() }`, or `optional(schema)`; a rest
   * parameter's schema is that of each item). Declared schemas are compiled here, once; a call
   * whose params fail them gets `-32602` with `data: {errors: [{path, message}]}`.
   */
  params?: ParamsDeclaration;
  /**
   * The result's JSON Schema, published by rpc.discover. A result that fails it is a bug of the
   * method: it is still sent, and a warning is logged (once per registration).
   */
  result?: JsonSchema;
  /** Documentation returned by `GET_METHOD_INFO` and `rpc.discover`. */
  doc?: string;
  /** Who registered it (a cog's name); `removeOwner(owner)` removes all of an owner's methods. */
  owner?: string;
}

/** A registered method, as the dispatcher sees it. */
export interface MethodEntry extends NamedEntry {
  readonly handler: RpcHandler;
  readonly params: ParamSpec;
  /** The declared result schema, or null. */
  readonly result: JsonSchema | null;
  /** Checks a result against `result`: the failures, or null. Null when none was declared. */
  readonly checkResult: ((value: unknown) => SchemaErrorItem[] | null) | null;
  readonly doc: string | null;
  /** Built-ins only: the handler receives the call context as its first argument. */
  readonly contextual: boolean;
}

/** The key of the built-in registration method (not exported from the package). */
export const REGISTER_BUILTIN = Symbol("registerBuiltin");

/** The live method table: a registration or removal is seen by every connection at once. */
export class MethodRegistry {
  readonly #table: OwnedTable<MethodEntry>;

  /** @param onListenerError - told when an `onDidChange` listener throws (default: ignored). */
  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.#table = new OwnedTable<MethodEntry>("method", onListenerError);
  }

  /**
   * Registers `handler` under `name` (stored upper-case, looked up case-insensitively).
   * Throws `ERR_RPC_INVALID_NAME`, `ERR_RPC_NAME_TAKEN` or `ERR_RPC_INVALID_HANDLER`; a schema
   * that cannot compile throws the code of schema-compile.ts `INVALID_SCHEMA`, other bad
   * options a TypeError.
   * @returns a Disposable that removes this registration only.
   */
  register(name: string, handler: RpcHandler, options: MethodOptions = {}): Disposable {
    if (typeof handler !== "function") {
      throw new RpcServerError("ERR_RPC_INVALID_HANDLER", `handler for method ${String(name)} must be a function, got ${typeof handler}`);
    }
    const checked = this.#table.checkName(name);
    return this.#table.add(makeEntry(checked.name, handler, options, null));
  }

  /**
   * Registers a server built-in, which may take the call context first. Keyed by a symbol
   * that only the server's modules import, so no caller can replace a built-in by accident.
   */
  [REGISTER_BUILTIN](name: string, handler: RpcHandler, options: MethodOptions & { contextual?: boolean }): void {
    this.#table.addBuiltin(makeEntry(name, handler, options, options.contextual ?? false));
  }

  /** Case-insensitive look-up. */
  get(name: string): MethodEntry | undefined {
    return this.#table.get(name);
  }

  /** Every method name, built-ins included, in registration order. */
  names(): string[] {
    return this.#table.names();
  }

  entries(): IterableIterator<MethodEntry> {
    return this.#table.values();
  }

  /** Removes every method registered with `owner`; returns how many. */
  removeOwner(owner: string): number {
    return this.#table.removeOwner(owner);
  }

  /** Calls `listener` after every registration or removal. */
  onDidChange(listener: () => void): Disposable {
    return this.#table.onDidChange(listener);
  }
}

const OPTION_KEYS: ReadonlySet<string> = new Set(["params", "result", "doc", "owner"]);

function makeEntry(name: string, handler: RpcHandler, options: MethodOptions, contextual: boolean | null): MethodEntry {
  for (const key of Object.keys(options)) {
    // `contextual` is a built-in's option only (contextual !== null).
    if (!OPTION_KEYS.has(key) && !(key === "contextual" && contextual !== null)) {
      throw new TypeError(`method ${name}: unknown option ${JSON.stringify(key)}`);
    }
  }
  if (options.doc !== undefined && typeof options.doc !== "string") throw new TypeError(`doc of method ${name} must be a string`);
  if (options.owner !== undefined && typeof options.owner !== "string") throw new TypeError(`owner of method ${name} must be a string`);
  const result = options.result === undefined ? null : copySchema(options.result, `${name} result`);
  return {
    name,
    // Built-in names are ASCII and checked names already upper-case, so there is a key.
    key: nameKey(name)!,
    owner: options.owner ?? null,
    handler,
    params: compileParams(options.params, name),
    result,
    checkResult: result === null ? null : compileResultCheck(name, result),
    doc: options.doc ?? null,
    contextual: contextual ?? false,
  };
}
