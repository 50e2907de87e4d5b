/**
 * A namespace handle: one owner's (a cog's, or "Core"'s) config, with defaults
 * declared per scope, giving typed scope handles and whole-scope listings.
 *
 * @module
 */
import { checkStoredTypes } from "./check-types.ts";
import { ConfigTypeError } from "./errors.ts";
import { deepFreeze, toJsonValue, type JsonObject } from "./json.ts";
import { Scope, valuesOf, type ConfigScope, type ScopeValues } from "./scope.ts";
import { scopeRefs, type NamespaceState, type ScopeRef } from "./state.ts";
import { runTransaction, type ConfigTransaction } from "./transaction.ts";
import { assertId } from "./validate.ts";

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
   * `fn` runs once, synchronously, on the loaded data, with no other change to the
   * namespace in between; through `tx` it reads (seeing its own changes) and changes
   * values with the same keys, validation, defaults, copying and error codes as the
   * scope handles. If `fn` throws, every change it made is undone and the promise
   * rejects with that error. Otherwise the promise resolves with `fn`'s result once all
   * of its changes are durable: the namespace is one file, so one write stores them
   * all, and a crash leaves either none or all of them. If that write fails, the
   * promise rejects with its error and the changes stay in memory for the next
   * write, as with `set`.
   *
   * `fn` must not be `async` (it gets nothing to await), and `tx` is valid only while
   * it runs. Scope-handle operations started inside `fn` run after the transaction.
   *
   * @typeParam T - what `fn` returns
   * @param fn - reads and changes values through `tx`; throws to abort
   * @returns `fn`'s result, once its changes are stored (at once if it changed nothing)
   * @throws (as rejections) whatever `fn` throws, with nothing changed: e.g. ConfigTypeError
   *   `ERR_CONFIG_UNKNOWN_KEY` / `ERR_CONFIG_INVALID_VALUE` / `ERR_CONFIG_INVALID_ID` from
   *   `tx`; ConfigTypeError `ERR_CONFIG_INVALID_VALUE` if `fn` is not a function or
   *   returns a promise; ConfigError `ERR_CONFIG_CLOSED` after the store is closed
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
    return this.#state.run((data) => {
      const out = new Map<string, ValuesOf<D, "member">>();
      for (const [userId, bucket] of data.member.get(guildId) ?? []) {
        out.set(userId, valuesOf(bucket, this.#defaults.member) as ValuesOf<D, "member">);
      }
      return out;
    });
  }

  transaction<T>(fn: (tx: ConfigTransaction<D>) => T): Promise<T> {
    if (typeof fn !== "function") {
      const error = new ConfigTypeError("ERR_CONFIG_INVALID_VALUE", `transaction(fn) on namespace "${this.name}": fn must be a function`);
      return Promise.reject(error);
    }
    return this.#state.run((data) => runTransaction(this.#state, data, this.#defaults, fn));
  }

  ready(): Promise<void> {
    return this.#state.run((data) => {
      try {
        checkStoredTypes(data, this.#defaults, this.#state.where);
      } catch (error) {
        this.#state.failed = true; // read the file again once it is fixed
        throw error;
      }
    });
  }

  #scope<V extends ScopeValues>(ref: ScopeRef): ConfigScope<V> {
    return new Scope<V>(this.#state, ref, this.#defaults[ref.kind]);
  }

  #list<S extends "guild" | "channel" | "user">(kind: S): Promise<Map<string, ValuesOf<D, S>>> {
    return this.#state.run((data) => {
      const out = new Map<string, ValuesOf<D, S>>();
      for (const [id, bucket] of data[kind]) out.set(id, valuesOf(bucket, this.#defaults[kind]) as ValuesOf<D, S>);
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
