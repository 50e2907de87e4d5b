/**
 * Transactions: several reads and changes, on any scopes of one namespace, applied
 * all together or not at all, and stored by one file write.
 *
 * @module
 */
import type { Bucket, NamespaceData } from "./document.ts";
import { ConfigError, ConfigTypeError } from "./errors.ts";
import { cloneJson } from "./json.ts";
import type { NamespaceDefaults, ScopeKind, ValuesOf } from "./namespace.ts";
import { ScopeOps, type BucketWriter, type ScopeValues } from "./scope.ts";
import { ensureBucket, findBucket, pruneBucket, scopeRefs, type NamespaceState, type ScopeRef } from "./state.ts";

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

/** A bucket changed by the transaction, with what to restore on rollback. */
interface Touched {
  readonly ref: ScopeRef;
  /** A copy of the bucket's entries before the first change; `undefined` if the transaction created it. */
  readonly before: Bucket | undefined;
}

/**
 * Runs `fn` as one transaction on the loaded `data`; call it from `NamespaceState.run`.
 * `fn` runs synchronously: nothing else touches the data until it returns. If it
 * throws (or returns a promise), every change it made is undone before this returns.
 *
 * @param state - the namespace's shared state (for its name and its write queue)
 * @param data - its loaded data
 * @param defaults - its declared defaults, per scope kind
 * @param fn - the caller's function
 * @returns `fn`'s result, once its changes are durable (at once if it changed nothing)
 */
export async function runTransaction<D extends NamespaceDefaults, T>(
  state: NamespaceState,
  data: NamespaceData,
  defaults: { readonly [S in ScopeKind]: ScopeValues },
  fn: (tx: ConfigTransaction<D>) => T,
): Promise<T> {
  const tx = new Transaction<D>(state.name, data, defaults);
  let result: T;
  try {
    result = fn(tx);
    if (isThenable(result)) {
      Promise.resolve(result).catch(() => {}); // its later steps fail with ERR_CONFIG_TRANSACTION_ENDED
      throw new ConfigTypeError(
        "ERR_CONFIG_INVALID_VALUE",
        `transaction(fn) on namespace "${state.name}": fn must be synchronous, but it returned a promise; nothing was changed`,
      );
    }
  } catch (error) {
    tx.end(false);
    throw error;
  }
  // Every change is in memory now, before the write queue's next flush captures the
  // data: one file write holds all of them.
  if (tx.end(true)) await state.persist();
  return result;
}

/** Implementation of {@link ConfigTransaction}; journals each bucket before its first change. */
class Transaction<D extends NamespaceDefaults> implements ConfigTransaction<D>, BucketWriter {
  readonly #name: string;
  readonly #data: NamespaceData;
  readonly #defaults: { readonly [S in ScopeKind]: ScopeValues };
  readonly #touched = new Map<Bucket, Touched>();
  #open = true;

  constructor(name: string, data: NamespaceData, defaults: { readonly [S in ScopeKind]: ScopeValues }) {
    this.#name = name;
    this.#data = data;
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

  /** @throws ConfigError `ERR_CONFIG_TRANSACTION_ENDED` once the transaction's function has returned or thrown */
  check(): void {
    if (!this.#open) {
      throw new ConfigError(
        "ERR_CONFIG_TRANSACTION_ENDED",
        `This transaction on namespace "${this.#name}" has ended: use its handle only inside the function given to transaction()`,
      );
    }
  }

  /** @returns the data, for the scope views (after {@link Transaction.check}) */
  get data(): NamespaceData {
    return this.#data;
  }

  bucket(data: NamespaceData, ref: ScopeRef): Bucket {
    const existing = findBucket(data, ref);
    const bucket = existing ?? ensureBucket(data, ref);
    if (!this.#touched.has(bucket)) {
      this.#touched.set(bucket, { ref, before: existing === undefined ? undefined : new Map(existing) });
    }
    return bucket;
  }

  cleared(): void {
    // Emptied buckets are pruned at commit, so that a rollback finds every bucket where it was.
  }

  /**
   * Ends the transaction: commits (prunes emptied buckets) or rolls back (restores every
   * touched bucket's entries, in their order, and removes the buckets it created).
   *
   * @param commit - whether the function succeeded
   * @returns whether anything was changed (and so needs writing)
   */
  end(commit: boolean): boolean {
    this.#open = false;
    for (const [bucket, { ref, before }] of this.#touched) {
      if (!commit) {
        bucket.clear();
        for (const [key, value] of before ?? []) bucket.set(key, value);
      }
      pruneBucket(this.#data, ref);
    }
    return commit && this.#touched.size > 0;
  }

  /** @param ref - looks the scope up (validating its ids), once the transaction is known to be open */
  #scope<V extends ScopeValues>(ref: () => ScopeRef): ConfigTransactionScope<V> {
    this.check();
    const scopeRef = ref();
    return new TransactionScope<V>(this, new ScopeOps(this.#name, scopeRef, this.#defaults[scopeRef.kind]));
  }
}

/** Implementation of {@link ConfigTransactionScope}: {@link ScopeOps} through the transaction's journal. */
class TransactionScope<V extends ScopeValues> implements ConfigTransactionScope<V> {
  readonly #tx: Transaction<NamespaceDefaults>;
  readonly #ops: ScopeOps;

  constructor(tx: Transaction<NamespaceDefaults>, ops: ScopeOps) {
    this.#tx = tx;
    this.#ops = ops;
  }

  get<K extends keyof V & string>(key: K): V[K] {
    this.#tx.check();
    return this.#ops.get(this.#tx.data, key) as V[K];
  }

  set<K extends keyof V & string>(key: K, value: V[K]): void {
    this.#tx.check();
    this.#ops.put(this.#tx.data, this.#tx, key, this.#ops.copyValue(key, value));
  }

  update<K extends keyof V & string>(key: K, fn: (current: V[K]) => V[K]): V[K] {
    this.#tx.check();
    return cloneJson(this.#ops.update(this.#tx.data, this.#tx, key, fn)) as V[K];
  }

  all(): V {
    this.#tx.check();
    return this.#ops.all(this.#tx.data) as V;
  }

  clear(key?: keyof V & string): void {
    this.#tx.check();
    this.#ops.clear(this.#tx.data, this.#tx, key);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
