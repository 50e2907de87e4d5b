/**
 * Transactions: several reads and changes, on any scopes of one namespace, applied all together
 * or not at all, by one commit (one file write for the JSON files; one SQL transaction, checked
 * against every bucket read, for PostgreSQL).
 *
 * @module
 */
import { ConfigError, ConfigTypeError } from "./errors.ts";
import { cloneJson } from "./json.ts";
import type { NamespaceDefaults, ScopeKind, ValuesOf } from "./namespace.ts";
import { ScopeOps, type ScopeValues } from "./scope.ts";
import { scopeRefs, type NamespaceState, type ScopeRef } from "./state.ts";
import type { BucketView } from "./working-set.ts";

/**
 * The synchronous view of one scope inside a transaction. Same keys, validation,
 * defaults, copying and error codes as {@link ConfigScope}, but every method acts at
 * once (no promise) and its changes belong to the transaction.
 *
 * @typeParam V - the scope's declared keys and their value types
 */
export interface ConfigTransactionScope<V extends ScopeValues> {
  /**
   * Reads a value, seeing the transaction's own earlier changes.
   *
   * @param key - a declared key
   * @returns a copy of the value set in this scope, else of the default
   * @throws ConfigTypeError `ERR_CONFIG_UNKNOWN_KEY`
   */
  get<K extends keyof V & string>(key: K): V[K];

  /**
   * Sets a value (stored when the transaction commits).
   *
   * @param key - a declared key
   * @param value - a JSON value; it is copied
   * @throws ConfigTypeError `ERR_CONFIG_UNKNOWN_KEY` or `ERR_CONFIG_INVALID_VALUE`
   */
  set<K extends keyof V & string>(key: K, value: V[K]): void;

  /**
   * Read-modify-write of one key; if `fn` throws, the key is unchanged (and, unless
   * the transaction's function catches the error, so is everything else).
   *
   * @param key - a declared key
   * @param fn - computes the new value from (a copy of) the current one
   * @returns a copy of the new value
   * @throws ConfigTypeError `ERR_CONFIG_UNKNOWN_KEY` or `ERR_CONFIG_INVALID_VALUE`; whatever `fn` throws
   */
  update<K extends keyof V & string>(key: K, fn: (current: V[K]) => V[K]): V[K];

  /** @returns every declared key of the scope with its current value (defaults filled in), as copies */
  all(): V;

  /**
   * Resets one key, or every key of the scope, to its default.
   *
   * @param key - the key to reset; omit it to reset the whole scope
   * @throws ConfigTypeError `ERR_CONFIG_UNKNOWN_KEY`
   */
  clear(key?: keyof V & string): void;
}

/**
 * The handle a transaction's function receives: synchronous scope views of the
 * namespace. Valid only while that function runs; afterwards every method throws
 * ConfigError `ERR_CONFIG_TRANSACTION_ENDED`.
 *
 * @typeParam D - the namespace's declared defaults
 */
export interface ConfigTransaction<D extends NamespaceDefaults> {
  /** @returns the global scope */
  global(): ConfigTransactionScope<ValuesOf<D, "global">>;
  /** @param guildId - a guild id  @returns that guild's scope */
  guild(guildId: string): ConfigTransactionScope<ValuesOf<D, "guild">>;
  /** @param channelId - a channel id  @returns that channel's scope */
  channel(channelId: string): ConfigTransactionScope<ValuesOf<D, "channel">>;
  /** @param userId - a user id  @returns that user's scope (across guilds) */
  user(userId: string): ConfigTransactionScope<ValuesOf<D, "user">>;
  /** @param guildId - a guild id  @param userId - a user id  @returns that member's scope */
  member(guildId: string, userId: string): ConfigTransactionScope<ValuesOf<D, "member">>;
}

/**
 * Runs `fn` as one transaction of the namespace. Each run of `fn` gets a fresh handle on the
 * batch's working set; the committer undoes a run that throws, and runs `fn` again when a
 * bucket it read was not loaded yet or changed before the commit.
 *
 * @param state - the namespace's shared state
 * @param defaults - its declared defaults, per scope kind
 * @param fn - the caller's function
 * @returns `fn`'s result of its last run, once its changes are durable
 */
export function runTransaction<D extends NamespaceDefaults, T>(
  state: NamespaceState,
  defaults: { readonly [S in ScopeKind]: ScopeValues },
  fn: (tx: ConfigTransaction<D>) => T,
): Promise<T> {
  return state.change([], (view) => {
    const tx = new Transaction<D>(state.name, view, defaults);
    try {
      const result = fn(tx);
      if (isThenable(result)) {
        Promise.resolve(result).catch(() => {}); // its later steps fail with ERR_CONFIG_TRANSACTION_ENDED
        throw new ConfigTypeError(
          "ERR_CONFIG_INVALID_VALUE",
          `transaction(fn) on namespace "${state.name}": fn must be synchronous, but it returned a promise; nothing was changed`,
        );
      }
      return result;
    } finally {
      tx.end();
    }
  });
}

/** Implementation of {@link ConfigTransaction}: scope views on the batch's working set. */
class Transaction<D extends NamespaceDefaults> implements ConfigTransaction<D> {
  readonly #name: string;
  readonly #view: BucketView;
  readonly #defaults: { readonly [S in ScopeKind]: ScopeValues };
  #open = true;

  constructor(name: string, view: BucketView, defaults: { readonly [S in ScopeKind]: ScopeValues }) {
    this.#name = name;
    this.#view = view;
    this.#defaults = defaults;
  }

  global(): ConfigTransactionScope<ValuesOf<D, "global">> {
    return this.#scope(() => scopeRefs.global());
  }

  guild(guildId: string): ConfigTransactionScope<ValuesOf<D, "guild">> {
    return this.#scope(() => scopeRefs.guild(guildId));
  }

  channel(channelId: string): ConfigTransactionScope<ValuesOf<D, "channel">> {
    return this.#scope(() => scopeRefs.channel(channelId));
  }

  user(userId: string): ConfigTransactionScope<ValuesOf<D, "user">> {
    return this.#scope(() => scopeRefs.user(userId));
  }

  member(guildId: string, userId: string): ConfigTransactionScope<ValuesOf<D, "member">> {
    return this.#scope(() => scopeRefs.member(guildId, userId));
  }

  /** @returns the working set, for the scope views, while the transaction is open */
  get view(): BucketView {
    if (!this.#open) {
      throw new ConfigError(
        "ERR_CONFIG_TRANSACTION_ENDED",
        `This transaction on namespace "${this.#name}" has ended: use its handle only inside the function given to transaction()`,
      );
    }
    return this.#view;
  }

  /** Ends this run of the transaction: its handles refuse every later call. */
  end(): void {
    this.#open = false;
  }

  /** @param ref - looks the scope up (validating its ids), once the transaction is known to be open */
  #scope<V extends ScopeValues>(ref: () => ScopeRef): ConfigTransactionScope<V> {
    void this.view;
    const scopeRef = ref();
    return new TransactionScope<V>(this, new ScopeOps(this.#name, scopeRef, this.#defaults[scopeRef.kind]));
  }
}

/** Implementation of {@link ConfigTransactionScope}: {@link ScopeOps} on the transaction's view. */
class TransactionScope<V extends ScopeValues> implements ConfigTransactionScope<V> {
  readonly #tx: Transaction<NamespaceDefaults>;
  readonly #ops: ScopeOps;

  constructor(tx: Transaction<NamespaceDefaults>, ops: ScopeOps) {
    this.#tx = tx;
    this.#ops = ops;
  }

  get<K extends keyof V & string>(key: K): V[K] {
    return this.#ops.get(this.#tx.view, key) as V[K];
  }

  set<K extends keyof V & string>(key: K, value: V[K]): void {
    const view = this.#tx.view;
    this.#ops.put(view, key, this.#ops.copyValue(key, value));
  }

  update<K extends keyof V & string>(key: K, fn: (current: V[K]) => V[K]): V[K] {
    return cloneJson(this.#ops.update(this.#tx.view, key, fn)) as V[K];
  }

  all(): V {
    return this.#ops.all(this.#tx.view) as V;
  }

  clear(key?: keyof V & string): void {
    this.#ops.clear(this.#tx.view, key);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
