/**
 * The config store: opens a driver, hands out namespaces, and closes cleanly.
 *
 * @module
 */
import type { ConfigDriver } from "./driver.ts";
import { ConfigError } from "./errors.ts";
import { JsonFileDriver } from "./json-driver.ts";
import { Namespace, type ConfigNamespace, type NamespaceDefaults } from "./namespace.ts";
import { NamespaceState, type Lifecycle } from "./state.ts";
import { assertNamespaceName } from "./validate.ts";

/** Where to keep the data: a data directory (JSON files), or a driver of your own. */
export type ConfigStoreOptions =
  | { /** The bot's data directory; files go to `<dir>/config/<namespace>.json`. */ readonly dir: string }
  | { /** A driver to use instead of the JSON-file driver. */ readonly driver: ConfigDriver };

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
   * Waits for operations in progress and their writes, then releases the driver.
   * Later operations reject with `ERR_CONFIG_CLOSED`. Safe to call more than once.
   */
  close(): Promise<void>;
}

/**
 * Opens a config store. With `{ dir }` it uses the JSON-file driver, which creates
 * `<dir>/config` if needed and removes temp files left there by a crash.
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
  const given = options as { dir?: unknown; driver?: unknown } | null | undefined;
  const hasDir = typeof given?.dir === "string" && given.dir.length > 0;
  const hasDriver = given?.driver !== undefined && given.driver !== null;
  if (hasDir === hasDriver) {
    throw new ConfigError("ERR_CONFIG_INVALID_OPTIONS", "openConfigStore needs exactly one of { dir } (a non-empty path) or { driver }");
  }
  const driver = hasDriver ? (given?.driver as ConfigDriver) : await JsonFileDriver.open(given?.dir as string);
  return new Store(driver);
}

class Store implements ConfigStore {
  readonly #driver: ConfigDriver;
  readonly #lifecycle: Lifecycle = { closed: false, inflight: new Set() };
  readonly #states = new Map<string, NamespaceState>();
  #closing: Promise<void> | undefined;

  constructor(driver: ConfigDriver) {
    this.#driver = driver;
  }

  namespace<D extends NamespaceDefaults>(name: string, defaults?: D): ConfigNamespace<D> {
    if (this.#lifecycle.closed) throw new ConfigError("ERR_CONFIG_CLOSED", "Config store is closed");
    assertNamespaceName(name);
    let state = this.#states.get(name);
    if (state === undefined || state.failed) {
      state = new NamespaceState(name, this.#driver, this.#lifecycle);
      this.#states.set(name, state);
    }
    return new Namespace(state, defaults ?? ({} as D));
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#lifecycle.closed = true;
    while (this.#lifecycle.inflight.size > 0) await Promise.all(this.#lifecycle.inflight);
    await Promise.all([...this.#states.values()].map((state) => state.idle()));
    await this.#driver.close();
  }
}
