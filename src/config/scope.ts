/**
 * A handle on one scope of one namespace (e.g. member g1/u1 of "Economy"):
 * typed get / set / update / all / clear.
 *
 * @module
 */
import type { Bucket } from "./document.ts";
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

/** Implementation of {@link ConfigScope}. */
export class Scope<V extends ScopeValues> implements ConfigScope<V> {
  readonly #state: NamespaceState;
  readonly #ref: ScopeRef;
  readonly #defaults: ScopeValues;

  /**
   * @param state - the namespace's shared state
   * @param ref - which scope
   * @param defaults - the scope's declared keys with (frozen) defaults
   */
  constructor(state: NamespaceState, ref: ScopeRef, defaults: ScopeValues) {
    this.#state = state;
    this.#ref = ref;
    this.#defaults = defaults;
  }

  get<K extends keyof V & string>(key: K): Promise<V[K]> {
    return this.#state.run((data) => {
      this.#checkKey(key);
      return this.#current(findBucket(data, this.#ref), key) as V[K];
    });
  }

  set<K extends keyof V & string>(key: K, value: V[K]): Promise<void> {
    let copy: JsonValue;
    try {
      this.#checkKey(key);
      copy = toJsonValue(value, this.#describe(key)); // copied now: later changes by the caller do not leak in
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#state.run((data) => {
      ensureBucket(data, this.#ref).set(key, copy);
      return this.#state.persist();
    });
  }

  update<K extends keyof V & string>(key: K, fn: (current: V[K]) => V[K]): Promise<V[K]> {
    return this.#state.run(async (data) => {
      this.#checkKey(key);
      if (typeof fn !== "function") {
        throw new ConfigTypeError("ERR_CONFIG_INVALID_VALUE", `update(${JSON.stringify(key)}, fn): fn must be a function`);
      }
      // Read, compute and write with no await in between: this is what makes it atomic.
      const next = toJsonValue(fn(this.#current(findBucket(data, this.#ref), key) as V[K]), this.#describe(key));
      ensureBucket(data, this.#ref).set(key, next);
      await this.#state.persist();
      return cloneJson(next) as V[K];
    });
  }

  all(): Promise<V> {
    return this.#state.run((data) => valuesOf(findBucket(data, this.#ref), this.#defaults) as V);
  }

  clear(key?: keyof V & string): Promise<void> {
    return this.#state.run((data) => {
      if (key === undefined) {
        findBucket(data, this.#ref)?.clear();
      } else {
        this.#checkKey(key);
        findBucket(data, this.#ref)?.delete(key);
      }
      pruneBucket(data, this.#ref);
      return this.#state.persist();
    });
  }

  #current(bucket: Bucket | undefined, key: string): JsonValue {
    const stored = bucket?.get(key);
    return cloneJson(stored !== undefined ? stored : (this.#defaults[key] as JsonValue));
  }

  #checkKey(key: unknown): void {
    if (typeof key !== "string" || !Object.hasOwn(this.#defaults, key)) {
      const declared = Object.keys(this.#defaults);
      throw new ConfigTypeError(
        "ERR_CONFIG_UNKNOWN_KEY",
        `Unknown config key ${typeof key === "string" ? JSON.stringify(key) : `(${typeof key})`} ` +
          `in the ${this.#ref.kind} scope of namespace "${this.#state.name}"; ` +
          (declared.length > 0 ? `declared keys: ${declared.join(", ")}` : "it declares no keys for this scope"),
      );
    }
  }

  #describe(key: string): string {
    return `key "${key}" (${this.#ref.kind} scope of namespace "${this.#state.name}")`;
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
