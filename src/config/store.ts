/**
 * The config store: opens a driver, hands out namespaces, and closes cleanly. Every driver is
 * used through the versioned bucket contract (`bucket-driver.ts`): the JSON-file driver through
 * its in-memory adapter, PostgreSQL directly, so the code above the driver is one path.
 *
 * @module
 */
import type { Disposable } from "../protocol/disposable.ts";
import type { BucketDriver, Invalidation } from "./bucket-driver.ts";
import type { ConfigDriver } from "./driver.ts";
import { ConfigError } from "./errors.ts";
import { JsonBucketDriver } from "./json-buckets.ts";
import { JsonFileDriver } from "./json-driver.ts";
import { Namespace, type ConfigNamespace, type NamespaceDefaults } from "./namespace.ts";
import { NamespaceState, type Lifecycle } from "./state.ts";
import { assertNamespaceName } from "./validate.ts";

/** Where to keep the data: a data directory (JSON files), or a driver of your own. */
export type ConfigStoreOptions =
  | { /** The bot's data directory; files go to `<dir>/config/<namespace>.json`. */ readonly dir: string }
  | { /** A whole-namespace driver to use instead of the JSON-file driver (single process). */ readonly driver: ConfigDriver }
  | {
      /**
       * A versioned bucket driver, such as `await PostgresDriver.open({ url })`: several
       * processes may share its store. The store closes it.
       */
      readonly buckets: BucketDriver;
    };

/** An open config store. */
export interface ConfigStore {
  /**
   * Gets a namespace handle, declaring its keys and defaults. Loading its data starts
   * at once; operations wait for it (and reject, with `ERR_CONFIG_CORRUPT_FILE`, if
   * the stored data is unreadable). Calling again with the same name (e.g. when a
   * cog is reloaded) gives a new handle with the new defaults over the same data.
   *
   * @param name - identifier-like owner name, such as a cog name (`"Economy"`) or `"Core"`
   * @param defaults - per-scope declared keys with default values; deep-copied
   * @throws ConfigTypeError `ERR_CONFIG_INVALID_NAME` / `ERR_CONFIG_INVALID_VALUE`;
   *   ConfigError `ERR_CONFIG_CLOSED` after {@link ConfigStore.close}
   */
  namespace<D extends NamespaceDefaults>(name: string, defaults?: D): ConfigNamespace<D>;

  /**
   * Changes made by this store's namespaces that conflicted with other changes and ran again,
   * and those that took the driver's locked path: for tests and the benchmark.
   */
  stats(): { conflicts: number; lockedUpdates: number };

  /**
   * Waits for operations in progress and their writes, then releases the driver.
   * Later operations reject with `ERR_CONFIG_CLOSED`. Safe to call more than once.
   */
  close(): Promise<void>;
}

/**
 * Opens a config store. With `{ dir }` it uses the JSON-file driver, which creates
 * `<dir>/config` if needed and removes temp files left there by a crash. With `{ buckets }`
 * (e.g. PostgreSQL) several processes may share one store: changes are checked against what
 * they read, so none is lost, and each process's cache follows the others' changes.
 *
 * @param options - a data directory or a driver
 * @returns the open store
 * @example
 * ```ts
 * const store = await openConfigStore({ dir: "./data" });
 * const conf = store.namespace("Economy", { member: { balance: 0 } });
 * await conf.member("g1", "u1").update("balance", (b) => b + 5);
 * await store.close();
 * ```
 */
export async function openConfigStore(options: ConfigStoreOptions): Promise<ConfigStore> {
  const given = options as { dir?: unknown; driver?: unknown; buckets?: unknown } | null | undefined;
  const present = (value: unknown): boolean => value !== undefined && value !== null;
  const hasDir = typeof given?.dir === "string" && given.dir.length > 0;
  const hasDriver = present(given?.driver);
  const hasBuckets = present(given?.buckets);
  const known = new Set(["dir", "driver", "buckets"]);
  const unknown = given !== null && typeof given === "object" ? Object.keys(given).filter((key) => !known.has(key)) : [];
  if (Number(hasDir) + Number(hasDriver) + Number(hasBuckets) !== 1 || unknown.length > 0) {
    throw new ConfigError(
      "ERR_CONFIG_INVALID_OPTIONS",
      "openConfigStore needs exactly one of { dir } (a non-empty path), { driver } or { buckets }" +
        (unknown.length > 0 ? `; unknown option ${unknown.join(", ")}` : ""),
    );
  }
  if (hasBuckets) return new Store(given?.buckets as BucketDriver, DRAIN_MS);
  const driver = hasDriver ? (given?.driver as ConfigDriver) : await JsonFileDriver.open(given?.dir as string);
  return new Store(new JsonBucketDriver(driver), Infinity);
}

/**
 * How long `close()` lets a shared driver's operations in flight finish before closing it (which
 * cuts off any still waiting on a dead server). With the PostgreSQL driver's own bound (1 s plus
 * 250 ms) a close stays under 2 s whatever the server does.
 */
const DRAIN_MS = 250;

class Store implements ConfigStore {
  readonly #driver: BucketDriver;
  readonly #lifecycle: Lifecycle = { closed: false, inflight: new Set() };
  readonly #states = new Map<string, NamespaceState>();
  readonly #subscription: Disposable;
  #closing: Promise<void> | undefined;
  /** How long close() waits for operations in flight before closing the driver. */
  readonly #drainMs: number;

  /**
   * @param driver - the versioned driver; the store closes it
   * @param drainMs - see {@link DRAIN_MS}; `Infinity` for the JSON adapter
   */
  constructor(driver: BucketDriver, drainMs: number) {
    this.#driver = driver;
    this.#drainMs = drainMs;
    this.#subscription = driver.onInvalidate((invalidation) => this.#invalidate(invalidation));
  }

  namespace<D extends NamespaceDefaults>(name: string, defaults?: D): ConfigNamespace<D> {
    if (this.#lifecycle.closed) throw new ConfigError("ERR_CONFIG_CLOSED", "Config store is closed");
    assertNamespaceName(name);
    let state = this.#states.get(name);
    if (state === undefined) {
      state = new NamespaceState(name, this.#driver, this.#lifecycle);
      this.#states.set(name, state);
    }
    return new Namespace(state, defaults ?? ({} as D));
  }

  stats(): { conflicts: number; lockedUpdates: number } {
    let conflicts = 0;
    let lockedUpdates = 0;
    for (const state of this.#states.values()) {
      conflicts += state.committer.conflicts;
      lockedUpdates += state.committer.lockedUpdates;
    }
    return { conflicts, lockedUpdates };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#lifecycle.closed = true;
    const drained = (async () => {
      while (this.#lifecycle.inflight.size > 0) await Promise.all(this.#lifecycle.inflight);
      await Promise.all([...this.#states.values()].map((state) => state.idle()));
    })();
    // A local file write always ends, so the JSON store waits for all of them. A database write
    // can hang on a dead or frozen server: after a short grace the driver is closed, which cuts
    // such writes off (they reject: nothing is ever reported stored that was not), so that
    // close() stays bounded.
    if (this.#drainMs !== Infinity) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, this.#drainMs)))]);
      clearTimeout(timer);
    } else {
      await drained;
    }
    this.#subscription.dispose();
    await this.#driver.close();
    await drained;
  }

  #invalidate(invalidation: Invalidation): void {
    if (invalidation.kind === "all") {
      for (const state of this.#states.values()) state.cache.invalidate(invalidation);
    } else {
      this.#states.get(invalidation.namespace)?.cache.invalidate(invalidation);
    }
  }
}
