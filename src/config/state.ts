/**
 * The shared state of one namespace in one store: its bucket cache and its committer, over the
 * store's versioned driver. Every operation of a handle runs through {@link NamespaceState.run},
 * which refuses it once the store is closed and tracks it so that `close()` can wait for it.
 * Internal: callers use the handles from `namespace.ts` and `scope.ts`.
 *
 * @module
 */
import type { BucketDriver, ListedBucket } from "./bucket-driver.ts";
import { BucketCache } from "./bucket-cache.ts";
import { Committer } from "./committer.ts";
import type { Bucket } from "./document.ts";
import { ConfigError } from "./errors.ts";
import type { ScopeKind } from "./namespace.ts";
import { assertId } from "./validate.ts";
import type { WorkingSet } from "./working-set.ts";

/** Which scope a bucket belongs to. */
export type ScopeRef =
  | { readonly kind: "global" }
  | { readonly kind: "guild" | "channel" | "user"; readonly id: string }
  | { readonly kind: "member"; readonly guildId: string; readonly userId: string };

/**
 * Scope look-up: each function validates the ids (`ERR_CONFIG_INVALID_ID`) and names
 * the scope. Used by namespace handles and transactions alike.
 */
export const scopeRefs = {
  global: (): ScopeRef => ({ kind: "global" }),
  guild: (guildId: string): ScopeRef => {
    assertId(guildId, "guildId");
    return { kind: "guild", id: guildId };
  },
  channel: (channelId: string): ScopeRef => {
    assertId(channelId, "channelId");
    return { kind: "channel", id: channelId };
  },
  user: (userId: string): ScopeRef => {
    assertId(userId, "userId");
    return { kind: "user", id: userId };
  },
  member: (guildId: string, userId: string): ScopeRef => {
    assertId(guildId, "guildId");
    assertId(userId, "userId");
    return { kind: "member", guildId, userId };
  },
} as const;

/** Store-wide bookkeeping shared by every namespace: closed flag and operations in flight. */
export interface Lifecycle {
  closed: boolean;
  readonly inflight: Set<Promise<unknown>>;
}

/** One namespace: reads through its cache, changes through its committer. */
export class NamespaceState {
  readonly name: string;
  /** Where the data is kept, for messages: `Config file <path>`, or the namespace and database. */
  readonly where: { readonly text: string; readonly path?: string };
  readonly cache: BucketCache;
  readonly committer: Committer;
  readonly #driver: BucketDriver;
  readonly #lifecycle: Lifecycle;

  /**
   * @param name - validated namespace name
   * @param driver - where the data lives
   * @param lifecycle - the owning store's bookkeeping
   */
  constructor(name: string, driver: BucketDriver, lifecycle: Lifecycle) {
    this.name = name;
    this.where = driver.whereOf?.(name) ?? { text: `Config namespace "${name}"` };
    this.#driver = driver;
    this.#lifecycle = lifecycle;
    this.cache = new BucketCache(name, driver);
    this.committer = new Committer(name, driver, this.cache);
  }

  /**
   * Runs one operation of a handle: refuses it once the store is closed, and tracks it so
   * that `close()` can wait for it.
   */
  run<T>(operation: () => T | Promise<T>): Promise<T> {
    if (this.#lifecycle.closed) return Promise.reject(this.#closed());
    return this.#track(Promise.resolve().then(operation));
  }

  /**
   * Reads the scope's committed values (cached, else loaded).
   *
   * @param fn - computes the result from the values (`undefined`: none set)
   */
  read<T>(ref: ScopeRef, fn: (bucket: Bucket | undefined) => T): Promise<T> {
    const cached = this.#lifecycle.closed ? undefined : this.cache.peek(ref);
    // The common case, a cached bucket, needs neither I/O nor tracking: it ends in this microtask.
    if (cached !== undefined) return Promise.resolve(cached.data).then(fn);
    return this.run(async () => fn((await this.cache.get(ref)).data));
  }

  /**
   * Changes buckets: `fn` runs in the next batch, possibly more than once (see committer.ts).
   *
   * @param refs - the buckets `fn` is known to use (loaded before its first run)
   * @returns `fn`'s last result, once its changes are durable
   */
  change<T>(refs: readonly ScopeRef[], fn: (view: WorkingSet) => T): Promise<T> {
    if (this.#lifecycle.closed) return Promise.reject(this.#closed());
    return this.#track(this.committer.submit(refs, fn));
  }

  /** @returns every stored bucket of a scope kind (of one guild, for members), as committed */
  list(kind: ScopeKind, guildId?: string): Promise<ListedBucket[]> {
    return this.run(() => this.#driver.listBuckets(this.name, kind, guildId));
  }

  /** Drops every cached bucket, here and in the driver, so that the next read goes to the source. */
  forget(): void {
    this.cache.clear();
    this.#driver.forget?.(this.name);
  }

  #track<T>(result: Promise<T>): Promise<T> {
    const tracked = result.then(
      () => void this.#lifecycle.inflight.delete(tracked),
      () => void this.#lifecycle.inflight.delete(tracked),
    );
    this.#lifecycle.inflight.add(tracked);
    return result;
  }

  #closed(): ConfigError {
    return new ConfigError("ERR_CONFIG_CLOSED", `Config store is closed (namespace "${this.name}")`);
  }

  /** @returns a promise that settles when no batch is running or queued */
  idle(): Promise<void> {
    return this.committer.idle();
  }
}
