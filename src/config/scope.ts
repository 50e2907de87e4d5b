/**
 * A handle on one scope of one namespace (e.g. member g1/u1 of "Economy"):
 * typed get / set / update / all / clear.
 *
 * @module
 */
import type { Bucket } from "./document.ts";
import { ConfigTypeError } from "./errors.ts";
import { cloneJson, toJsonValue, type JsonValue } from "./json.ts";
import type { NamespaceState, ScopeRef } from "./state.ts";
import type { BucketView } from "./working-set.ts";

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
   * Sets a value. Resolves only once it is durably stored; if storing fails, the promise
   * rejects and nothing changed.
   *
   * @param key - a declared key
   * @param value - a JSON value; it is copied
   * @throws ConfigTypeError `ERR_CONFIG_UNKNOWN_KEY` or `ERR_CONFIG_INVALID_VALUE` (as rejections)
   */
  set<K extends keyof V & string>(key: K, value: V[K]): Promise<void>;

  /**
   * Atomic read-modify-write: `fn` gets the current value and returns the new one, and the
   * new value is stored only if nothing else changed the scope in between, so concurrent
   * updates are never lost, also between processes sharing a database.
   *
   * `fn` must be synchronous and free of side effects: it may run more than once. When
   * another change (from this process's same batch, or from another process) got there
   * first, the current value is read again and `fn` runs again; only its last result is
   * stored. If it throws, nothing changes. Resolves once the new value is durably stored.
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

/** Implementation of {@link ConfigScope}: each operation runs {@link ScopeOps} on a view of the buckets. */
export class Scope<V extends ScopeValues> implements ConfigScope<V> {
  readonly #state: NamespaceState;
  readonly #ops: ScopeOps;
  readonly #refs: readonly ScopeRef[];

  /**
   * @param state - the namespace's shared state
   * @param ref - which scope
   * @param defaults - the scope's declared keys with (frozen) defaults
   */
  constructor(state: NamespaceState, ref: ScopeRef, defaults: ScopeValues) {
    this.#state = state;
    this.#ops = new ScopeOps(state.name, ref, defaults);
    this.#refs = [ref];
  }

  get<K extends keyof V & string>(key: K): Promise<V[K]> {
    return this.#state.read(this.#ops.ref, (bucket) => this.#ops.getIn(bucket, key) as V[K]);
  }

  set<K extends keyof V & string>(key: K, value: V[K]): Promise<void> {
    let copy: JsonValue;
    try {
      copy = this.#ops.copyValue(key, value); // copied now: later changes by the caller do not leak in
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#state.change(this.#refs, (view) => this.#ops.put(view, key, copy));
  }

  update<K extends keyof V & string>(key: K, fn: (current: V[K]) => V[K]): Promise<V[K]> {
    return this.#state.change(this.#refs, (view) => cloneJson(this.#ops.update(view, key, fn)) as V[K]);
  }

  all(): Promise<V> {
    return this.#state.read(this.#ops.ref, (bucket) => valuesOf(bucket, this.#ops.defaults) as V);
  }

  clear(key?: keyof V & string): Promise<void> {
    return this.#state.change(this.#refs, (view) => this.#ops.clear(view, key));
  }
}

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
  get(view: BucketView, key: string): JsonValue {
    return this.getIn(view.read(this.ref), key);
  }

  /** {@link ScopeOps.get} on the scope's values as read (`undefined`: none set). */
  getIn(bucket: Bucket | undefined, key: string): JsonValue {
    this.#checkKey(key);
    return this.#current(bucket, key);
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

  /** Stores a value returned by {@link ScopeOps.copyValue} (it is never mutated, so runs can share it). */
  put(view: BucketView, key: string, copy: JsonValue): void {
    view.write(this.ref).set(key, copy);
  }

  /**
   * Read-modify-write with no await in between. If `fn` throws, or returns a non-JSON value,
   * nothing changes.
   *
   * @param fn - gets a copy of the current value (typed by the caller) and returns the new one
   * @returns the stored new value (not a copy: callers clone it before handing it out)
   */
  update(view: BucketView, key: string, fn: (current: never) => unknown): JsonValue {
    this.#checkKey(key);
    if (typeof fn !== "function") {
      throw new ConfigTypeError("ERR_CONFIG_INVALID_VALUE", `update(${JSON.stringify(key)}, fn): fn must be a function`);
    }
    const current = this.#current(view.read(this.ref), key);
    const next = toJsonValue((fn as (current: JsonValue) => unknown)(current), this.#describe(key));
    view.write(this.ref).set(key, next);
    return next;
  }

  /** @returns every declared key with its current value, as fresh copies */
  all(view: BucketView): ScopeValues {
    return valuesOf(view.read(this.ref), this.defaults);
  }

  /** Resets `key`, or every key of the scope when it is `undefined`, to the default. */
  clear(view: BucketView, key: string | undefined): void {
    if (key !== undefined) this.#checkKey(key);
    const stored = view.read(this.ref);
    if (stored === undefined || (key !== undefined && !stored.has(key))) return; // nothing set: nothing to reset
    const bucket = view.write(this.ref);
    if (key === undefined) bucket.clear();
    else bucket.delete(key);
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
