/**
 * A handle on one scope of one namespace (e.g. member g1/u1 of "Economy"):
 * typed get / set / update / all / clear.
 *
 * @module
 */
import type { Bucket, NamespaceData } from "./document.ts";
import { ConfigTypeError } from "./errors.ts";
import { cloneJson, toJsonValue, type JsonValue } from "./json.ts";
import { ensureBucket, findBucket, pruneBucket, type NamespaceState, type ScopeRef } from "./state.ts";

/** The values of one scope: key → JSON value. */
export type ScopeValues = { readonly [key: string]: JsonValue };

/**
 * A handle on one scope. Handles are cheap; make one per use.
 *
 * @typeParam V - the scope's declared keys and their value types
 */
export interface ConfigScope<V extends ScopeValues> {
  /**
   * Reads a value: the one set in this scope, else a copy of the default.
   *
   * @param key - a declared key
   * @returns a copy of the value (mutating it changes nothing stored)
   * @throws ConfigTypeError `ERR_CONFIG_UNKNOWN_KEY` (as a rejection) for an undeclared key
   */
  get<K extends keyof V & string>(key: K): Promise<V[K]>;

  /**
   * Sets a value. Resolves only once the value (or a later one) is durably stored.
   *
   * @param key - a declared key
   * @param value - a JSON value; it is copied
   * @throws ConfigTypeError `ERR_CONFIG_UNKNOWN_KEY` or `ERR_CONFIG_INVALID_VALUE` (as rejections)
   */
  set<K extends keyof V & string>(key: K, value: V[K]): Promise<void>;

  /**
   * Atomic read-modify-write: `fn` gets the current value and returns the new one,
   * with no other change to this namespace in between, so concurrent updates are
   * never lost. `fn` must be synchronous; if it throws, nothing changes.
   * Resolves once the new value is durably stored.
   *
   * @param key - a declared key
   * @param fn - computes the new value from (a copy of) the current one
   * @returns a copy of the new value
   */
  update<K extends keyof V & string>(key: K, fn: (current: V[K]) => V[K]): Promise<V[K]>;

  /** @returns every declared key of the scope with its current value (defaults filled in), as copies */
  all(): Promise<V>;

  /**
   * Resets one key, or every key of the scope, to its default. Resolves once durable.
   *
   * @param key - the key to reset; omit it to reset the whole scope
   */
  clear(key?: keyof V & string): Promise<void>;
}

/** Implementation of {@link ConfigScope}: each operation runs {@link ScopeOps} on the loaded data. */
export class Scope<V extends ScopeValues> implements ConfigScope<V> {
  readonly #state: NamespaceState;
  readonly #ops: ScopeOps;

  /**
   * @param state - the namespace's shared state
   * @param ref - which scope
   * @param defaults - the scope's declared keys with (frozen) defaults
   */
  constructor(state: NamespaceState, ref: ScopeRef, defaults: ScopeValues) {
    this.#state = state;
    this.#ops = new ScopeOps(state.name, ref, defaults);
  }

  get<K extends keyof V & string>(key: K): Promise<V[K]> {
    return this.#state.run((data) => this.#ops.get(data, key) as V[K]);
  }

  set<K extends keyof V & string>(key: K, value: V[K]): Promise<void> {
    let copy: JsonValue;
    try {
      copy = this.#ops.copyValue(key, value); // copied now: later changes by the caller do not leak in
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#state.run((data) => {
      this.#ops.put(data, DIRECT, key, copy);
      return this.#state.persist();
    });
  }

  update<K extends keyof V & string>(key: K, fn: (current: V[K]) => V[K]): Promise<V[K]> {
    return this.#state.run(async (data) => {
      const next = this.#ops.update(data, DIRECT, key, fn);
      await this.#state.persist();
      return cloneJson(next) as V[K];
    });
  }

  all(): Promise<V> {
    return this.#state.run((data) => this.#ops.all(data) as V);
  }

  clear(key?: keyof V & string): Promise<void> {
    return this.#state.run((data) => {
      this.#ops.clear(data, DIRECT, key);
      return this.#state.persist();
    });
  }
}

/**
 * How {@link ScopeOps} reaches the buckets it changes: {@link DIRECT} for the async
 * handles; a transaction journals each bucket before its first change instead.
 */
export interface BucketWriter {
  /**
   * Called before every change to a scope's values.
   *
   * @returns the scope's bucket, created (empty) if needed
   */
  bucket(data: NamespaceData, ref: ScopeRef): Bucket;
  /** Called after keys were removed from the scope's bucket (it may now be empty). */
  cleared(data: NamespaceData, ref: ScopeRef): void;
}

/** Changes go straight into the data; emptied buckets are removed at once. */
export const DIRECT: BucketWriter = { bucket: ensureBucket, cleared: pruneBucket };

/**
 * The synchronous core of the operations on one scope: key checks, validation,
 * defaults and copying. Shared by the async handles ({@link Scope}) and by
 * transactions, so both follow the same rules and throw the same errors.
 */
export class ScopeOps {
  /**
   * @param namespace - the namespace's name, for messages
   * @param ref - which scope
   * @param defaults - the scope's declared keys with (frozen) defaults
   */
  constructor(
    readonly namespace: string,
    readonly ref: ScopeRef,
    readonly defaults: ScopeValues,
  ) {}

  /** @returns a copy of the key's current value (the stored one, else the default) */
  get(data: NamespaceData, key: string): JsonValue {
    this.#checkKey(key);
    return this.#current(findBucket(data, this.ref), key);
  }

  /**
   * Checks the key and the value without touching any data.
   *
   * @returns a private deep copy of `value`, to give to {@link ScopeOps.put}
   */
  copyValue(key: string, value: unknown): JsonValue {
    this.#checkKey(key);
    return toJsonValue(value, this.#describe(key));
  }

  /** Stores a value returned by {@link ScopeOps.copyValue}. */
  put(data: NamespaceData, writer: BucketWriter, key: string, copy: JsonValue): void {
    writer.bucket(data, this.ref).set(key, copy);
  }

  /**
   * Read-modify-write with no await in between: this is what makes it atomic.
   * If `fn` throws, or returns a non-JSON value, nothing changes.
   *
   * @param fn - gets a copy of the current value (typed by the caller) and returns the new one
   * @returns the stored new value (not a copy: callers clone it before handing it out)
   */
  update(data: NamespaceData, writer: BucketWriter, key: string, fn: (current: never) => unknown): JsonValue {
    this.#checkKey(key);
    if (typeof fn !== "function") {
      throw new ConfigTypeError("ERR_CONFIG_INVALID_VALUE", `update(${JSON.stringify(key)}, fn): fn must be a function`);
    }
    const current = this.#current(findBucket(data, this.ref), key);
    const next = toJsonValue((fn as (current: JsonValue) => unknown)(current), this.#describe(key));
    writer.bucket(data, this.ref).set(key, next);
    return next;
  }

  /** @returns every declared key with its current value, as fresh copies */
  all(data: NamespaceData): ScopeValues {
    return valuesOf(findBucket(data, this.ref), this.defaults);
  }

  /** Resets `key`, or every key of the scope when it is `undefined`, to the default. */
  clear(data: NamespaceData, writer: BucketWriter, key: string | undefined): void {
    if (key !== undefined) this.#checkKey(key);
    if (findBucket(data, this.ref) === undefined) return; // nothing set: nothing to reset
    const bucket = writer.bucket(data, this.ref);
    if (key === undefined) bucket.clear();
    else bucket.delete(key);
    writer.cleared(data, this.ref);
  }

  #current(bucket: Bucket | undefined, key: string): JsonValue {
    const stored = bucket?.get(key);
    return cloneJson(stored !== undefined ? stored : (this.defaults[key] as JsonValue));
  }

  #checkKey(key: unknown): void {
    if (typeof key !== "string" || !Object.hasOwn(this.defaults, key)) {
      const declared = Object.keys(this.defaults);
      throw new ConfigTypeError(
        "ERR_CONFIG_UNKNOWN_KEY",
        `Unknown config key ${typeof key === "string" ? JSON.stringify(key) : `(${typeof key})`} ` +
          `in the ${this.ref.kind} scope of namespace "${this.namespace}"; ` +
          (declared.length > 0 ? `declared keys: ${declared.join(", ")}` : "it declares no keys for this scope"),
      );
    }
  }

  #describe(key: string): string {
    return `key "${key}" (${this.ref.kind} scope of namespace "${this.namespace}")`;
  }
}

/**
 * @param bucket - the values set in a scope, if any
 * @param defaults - the scope's declared keys with defaults
 * @returns every declared key with its current value, as fresh copies
 */
export function valuesOf(bucket: Bucket | undefined, defaults: ScopeValues): ScopeValues {
  return Object.fromEntries(
    Object.keys(defaults).map((key) => {
      const stored = bucket?.get(key);
      return [key, cloneJson(stored !== undefined ? stored : (defaults[key] as JsonValue))];
    }),
  );
}
