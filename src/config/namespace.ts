/**
 * A namespace handle: one owner's (a cog's, or "Core"'s) config, with defaults
 * declared per scope, giving typed scope handles and whole-scope listings.
 *
 * @module
 */
import { ConfigTypeError } from "./errors.ts";
import { deepFreeze, toJsonValue, type JsonObject } from "./json.ts";
import { Scope, valuesOf, type ConfigScope, type ScopeValues } from "./scope.ts";
import type { NamespaceState } from "./state.ts";
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
    return new Scope(this.#state, { kind: "global" }, this.#defaults.global);
  }

  guild(guildId: string): ConfigScope<ValuesOf<D, "guild">> {
    assertId(guildId, "guildId");
    return new Scope(this.#state, { kind: "guild", id: guildId }, this.#defaults.guild);
  }

  channel(channelId: string): ConfigScope<ValuesOf<D, "channel">> {
    assertId(channelId, "channelId");
    return new Scope(this.#state, { kind: "channel", id: channelId }, this.#defaults.channel);
  }

  user(userId: string): ConfigScope<ValuesOf<D, "user">> {
    assertId(userId, "userId");
    return new Scope(this.#state, { kind: "user", id: userId }, this.#defaults.user);
  }

  member(guildId: string, userId: string): ConfigScope<ValuesOf<D, "member">> {
    assertId(guildId, "guildId");
    assertId(userId, "userId");
    return new Scope(this.#state, { kind: "member", guildId, userId }, this.#defaults.member);
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
