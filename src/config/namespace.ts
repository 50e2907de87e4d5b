/**
 * A namespace handle: one owner's (a cog's, or "Core"'s) config, with defaults
 * declared per scope, giving typed scope handles and whole-scope listings.
 *
 * @module
 */
import { toDisposable, type Disposable } from "../protocol/disposable.ts";
import type { ConfigChange } from "./bucket-cache.ts";
import { checkStoredTypes } from "./check-types.ts";
import { ConfigTypeError } from "./errors.ts";
import { deepFreeze, toJsonValue, type JsonObject } from "./json.ts";
import { Scope, valuesOf, type ConfigScope, type ScopeValues } from "./scope.ts";
import { scopeRefs, type NamespaceState, type ScopeRef } from "./state.ts";
import { runTransaction, type ConfigTransaction } from "./transaction.ts";
import { assertId } from "./validate.ts";

export type { ConfigChange };

/** The five scopes a value can live in. */
export type ScopeKind = "global" | "guild" | "channel" | "user" | "member";

/**
 * Declared keys and defaults of a namespace, per scope. Only declared keys can be
 * read or written. Write defaults as literals: their types become the value types
 * (`{ balance: 0 }` → `number`); give empty arrays a type (`[] as string[]`).
 */
export type NamespaceDefaults = { readonly [S in ScopeKind]?: ScopeValues };

/** The value types of scope `S` in a namespace declared with defaults `D` (`{}` if undeclared). */
export type ValuesOf<D extends NamespaceDefaults, S extends ScopeKind> = D[S] extends ScopeValues
  ? D[S]
  : Record<never, never>;

/**
 * One owner's config. Get it from {@link ConfigStore.namespace}.
 *
 * @typeParam D - the declared defaults
 */
export interface ConfigNamespace<D extends NamespaceDefaults> {
  /** The namespace's name, e.g. `"Economy"`. */
  readonly name: string;
  /** @returns the global scope */
  global(): ConfigScope<ValuesOf<D, "global">>;
  /** @param guildId - a guild id  @returns that guild's scope */
  guild(guildId: string): ConfigScope<ValuesOf<D, "guild">>;
  /** @param channelId - a channel id  @returns that channel's scope */
  channel(channelId: string): ConfigScope<ValuesOf<D, "channel">>;
  /** @param userId - a user id  @returns that user's scope (across guilds) */
  user(userId: string): ConfigScope<ValuesOf<D, "user">>;
  /** @param guildId - a guild id  @param userId - a user id  @returns that member's scope */
  member(guildId: string, userId: string): ConfigScope<ValuesOf<D, "member">>;
  /** @returns guild id → values (defaults filled in), for every guild with something set */
  allGuilds(): Promise<Map<string, ValuesOf<D, "guild">>>;
  /** @returns channel id → values (defaults filled in), for every channel with something set */
  allChannels(): Promise<Map<string, ValuesOf<D, "channel">>>;
  /** @returns user id → values (defaults filled in), for every user with something set */
  allUsers(): Promise<Map<string, ValuesOf<D, "user">>>;
  /**
   * Lists a guild's members, e.g. for a leaderboard.
   *
   * @param guildId - a guild id
   * @returns user id → values (defaults filled in), for every member of the guild with something set
   */
  allMembers(guildId: string): Promise<Map<string, ValuesOf<D, "member">>>;

  /**
   * Reads and changes any keys of any scopes of this namespace as one atomic unit.
   *
   * `fn` runs synchronously on a consistent view of the namespace; through `tx` it reads
   * (seeing its own changes) and changes values with the same keys, validation, defaults,
   * copying and error codes as the scope handles. Its changes are stored by one commit that
   * succeeds only if none of the scopes it read changed meanwhile (one file write for the JSON
   * files; one SQL transaction for PostgreSQL), so a crash leaves either none or all of them,
   * and processes sharing a database never see half of one.
   *
   * **`fn` may run more than once**: when a scope it reads was not loaded yet, or another
   * change (of this process or another one sharing the store) got there first, the scopes are
   * read again and `fn` runs again; only the last run's changes and result count. So `fn`
   * must have no side effects other than through `tx` (no sending messages, no counters).
   * If the last run throws, nothing changes and the promise rejects with that error. If the
   * commit fails, the promise rejects with its error and nothing changes.
   *
   * `fn` must not be `async` (it gets nothing to await), and `tx` is valid only while it
   * runs. Scope-handle operations started inside `fn` run after the transaction.
   *
   * @typeParam T - what `fn` returns
   * @param fn - reads and changes values through `tx`; throws to abort
   * @returns `fn`'s result, once its changes are stored (at once if it changed nothing)
   * @throws (as rejections) whatever `fn` throws, with nothing changed: e.g. ConfigTypeError
   *   `ERR_CONFIG_UNKNOWN_KEY` / `ERR_CONFIG_INVALID_VALUE` / `ERR_CONFIG_INVALID_ID` from
   *   `tx`; ConfigTypeError `ERR_CONFIG_INVALID_VALUE` if `fn` is not a function or
   *   returns a promise; ConfigError `ERR_CONFIG_CLOSED` after the store is closed; the
   *   driver's errors (`ERR_CONFIG_QUERY_FAILED`, `ERR_CONFIG_OUTCOME_UNKNOWN`, a file
   *   system error) when the commit fails
   * @example
   * ```ts
   * // Move 5 from u1 to u2: both balances change, or neither does.
   * await conf.transaction((tx) => {
   *   const from = tx.member("g1", "u1");
   *   const balance = from.get("balance");
   *   if (balance < 5) throw new Error("not enough");
   *   from.set("balance", balance - 5);
   *   tx.member("g1", "u2").update("balance", (b) => b + 5);
   * });
   * ```
   */
  transaction<T>(fn: (tx: ConfigTransaction<D>) => T): Promise<T>;

  /**
   * Loads the namespace now and checks every stored value against the type of its declared
   * default. Other operations load lazily and pass stored values through; a package awaits
   * this in `setup` so that a corrupt or hand-edited file refuses the load, with the reason,
   * instead of failing every later command. Nothing is written either way.
   *
   * @returns a promise that resolves once the data is loaded and matches the declared types
   * @throws (as rejections) ConfigError `ERR_CONFIG_CORRUPT_FILE` (the file does not parse or
   *   has the wrong shape) or `ERR_CONFIG_WRONG_TYPE` (a value of another type than its
   *   default's), each naming the file; ConfigError `ERR_CONFIG_CLOSED`
   */
  ready(): Promise<void>;

  /**
   * Listens for changes that other processes sharing the store made to this namespace (with
   * PostgreSQL; the JSON files have no other writer). `{kind: "bucket", ref}` names the scope
   * that changed; `{kind: "all"}` means anything may have changed (notifications were lost,
   * e.g. the database connection dropped). Reads made after the call see the change (within
   * the notification delay). Use it to refresh what you keep in memory.
   *
   * @param listener - called after each change; its exceptions are ignored
   * @returns a Disposable that removes this listener
   */
  onDidChange(listener: (change: ConfigChange) => void): Disposable;
}

const KINDS: readonly ScopeKind[] = ["global", "guild", "channel", "user", "member"];

/** Implementation of {@link ConfigNamespace}. */
export class Namespace<D extends NamespaceDefaults> implements ConfigNamespace<D> {
  readonly name: string;
  readonly #state: NamespaceState;
  readonly #defaults: { readonly [S in ScopeKind]: ScopeValues };

  /**
   * @param state - the namespace's shared state
   * @param defaults - declared defaults; validated and deep-copied here
   */
  constructor(state: NamespaceState, defaults: D) {
    this.name = state.name;
    this.#state = state;
    this.#defaults = checkDefaults(state.name, defaults);
  }

  global(): ConfigScope<ValuesOf<D, "global">> {
    return this.#scope(scopeRefs.global());
  }

  guild(guildId: string): ConfigScope<ValuesOf<D, "guild">> {
    return this.#scope(scopeRefs.guild(guildId));
  }

  channel(channelId: string): ConfigScope<ValuesOf<D, "channel">> {
    return this.#scope(scopeRefs.channel(channelId));
  }

  user(userId: string): ConfigScope<ValuesOf<D, "user">> {
    return this.#scope(scopeRefs.user(userId));
  }

  member(guildId: string, userId: string): ConfigScope<ValuesOf<D, "member">> {
    return this.#scope(scopeRefs.member(guildId, userId));
  }

  allGuilds(): Promise<Map<string, ValuesOf<D, "guild">>> {
    return this.#list("guild");
  }

  allChannels(): Promise<Map<string, ValuesOf<D, "channel">>> {
    return this.#list("channel");
  }

  allUsers(): Promise<Map<string, ValuesOf<D, "user">>> {
    return this.#list("user");
  }

  allMembers(guildId: string): Promise<Map<string, ValuesOf<D, "member">>> {
    try {
      assertId(guildId, "guildId");
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#state.list("member", guildId).then((listed) => {
      const out = new Map<string, ValuesOf<D, "member">>();
      for (const { ref, data } of listed) {
        if (ref.kind === "member") out.set(ref.userId, valuesOf(new Map(Object.entries(data)), this.#defaults.member) as ValuesOf<D, "member">);
      }
      return out;
    });
  }

  transaction<T>(fn: (tx: ConfigTransaction<D>) => T): Promise<T> {
    if (typeof fn !== "function") {
      const error = new ConfigTypeError("ERR_CONFIG_INVALID_VALUE", `transaction(fn) on namespace "${this.name}": fn must be a function`);
      return Promise.reject(error);
    }
    return runTransaction(this.#state, this.#defaults, fn);
  }

  async ready(): Promise<void> {
    const listed = (await Promise.all(KINDS.map((kind) => this.#state.list(kind)))).flat();
    try {
      checkStoredTypes(listed, this.#defaults, this.#state.where);
    } catch (error) {
      this.#state.forget(); // read the file again once it is fixed
      throw error;
    }
  }

  onDidChange(listener: (change: ConfigChange) => void): Disposable {
    if (typeof listener !== "function") throw new ConfigTypeError("ERR_CONFIG_INVALID_VALUE", `onDidChange(listener) on namespace "${this.name}": listener must be a function`);
    return toDisposable(this.#state.cache.listen(listener));
  }

  #scope<V extends ScopeValues>(ref: ScopeRef): ConfigScope<V> {
    return new Scope<V>(this.#state, ref, this.#defaults[ref.kind]);
  }

  #list<S extends "guild" | "channel" | "user">(kind: S): Promise<Map<string, ValuesOf<D, S>>> {
    return this.#state.list(kind).then((listed) => {
      const out = new Map<string, ValuesOf<D, S>>();
      for (const { ref, data } of listed) {
        if (ref.kind === kind) out.set(ref.id, valuesOf(new Map(Object.entries(data)), this.#defaults[kind]) as ValuesOf<D, S>);
      }
      return out;
    });
  }
}

function checkDefaults(name: string, defaults: unknown): { readonly [S in ScopeKind]: ScopeValues } {
  if (defaults === null || typeof defaults !== "object" || Array.isArray(defaults)) {
    throw new ConfigTypeError("ERR_CONFIG_INVALID_VALUE", `Defaults of namespace "${name}" must be an object`);
  }
  for (const key of Object.keys(defaults)) {
    if (!(KINDS as readonly string[]).includes(key)) {
      throw new ConfigTypeError(
        "ERR_CONFIG_INVALID_VALUE",
        `Defaults of namespace "${name}" have an unknown scope "${key}"; scopes are ${KINDS.join(", ")}`,
      );
    }
  }
  const out = {} as Record<ScopeKind, ScopeValues>;
  for (const kind of KINDS) {
    const given = (defaults as Partial<Record<ScopeKind, unknown>>)[kind] ?? {};
    const copy = toJsonValue(given, `the ${kind} defaults of namespace "${name}"`);
    if (copy === null || typeof copy !== "object" || Array.isArray(copy)) {
      throw new ConfigTypeError(
        "ERR_CONFIG_INVALID_VALUE",
        `The ${kind} defaults of namespace "${name}" must be an object of key → default value`,
      );
    }
    out[kind] = deepFreeze(copy as JsonObject);
  }
  return out;
}
