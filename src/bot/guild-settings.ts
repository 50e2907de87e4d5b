import { BotError } from "./errors.ts";
import { normalizeGuildPrefixes } from "./prefixes.ts";
import type { ConfigChange } from "../config/index.ts";
import type { CoreConfig } from "./settings.ts";
import type { GuildSettings, GuildSettingsView } from "./view.ts";

/** The role lists of a guild's settings. */
export type RoleListKey = "adminRoles" | "modRoles";

/** A Discord snowflake: digits only, at most 20 (a 64-bit integer). */
const SNOWFLAKE = /^\d{1,20}$/;
/** Discord caps a guild at 250 roles; a longer list cannot be real. */
const MAX_ROLES = 250;
const KEYS: ReadonlySet<string> = new Set(["prefixes", "adminRoles", "modRoles"]);
const NONE: GuildSettings = Object.freeze({ prefixes: Object.freeze([]), adminRoles: Object.freeze([]), modRoles: Object.freeze([]) });

/**
 * Per-guild settings (prefixes, admin and mod roles), stored in Core's config at guild scope
 * and mirrored in memory, so that the message handler finds a guild's prefixes and roles
 * without awaiting anything. The mirror is filled once by {@link load}, updated once each of
 * this process's changes is committed (a change whose write fails changes neither the config
 * nor the mirror), and, when bots share a database, refreshed by {@link refresh} when another
 * process changed a guild's settings.
 */
export class GuildSettingsStore implements GuildSettingsView {
  readonly #core: CoreConfig;
  readonly #globalPrefixes: () => readonly string[];
  /** Guilds with something set; a guild absent here has {@link NONE}. */
  readonly #cache = new Map<string, GuildSettings>();
  #loading: Promise<void> | null = null;
  /**
   * Mirror writes are ordered by when their data was read: each read (or own commit) takes the
   * next number, and a guild's mirror only takes data read after what it holds. So a refresh
   * whose read started before this process's own commit cannot put older data back when it
   * finishes last.
   */
  #reads = 0;
  readonly #readAt = new Map<string, number>();

  /**
   * @param core - Core's config namespace
   * @param globalPrefixes - the bot's current global prefixes (they may change at run time)
   */
  constructor(core: CoreConfig, globalPrefixes: () => readonly string[]) {
    this.#core = core;
    this.#globalPrefixes = globalPrefixes;
  }

  /** Reads every guild's settings into memory (once; later calls share the first). */
  load(): Promise<void> {
    return (this.#loading ??= (async () => {
      const read = ++this.#reads;
      for (const [guildId, values] of await this.#core.allGuilds()) this.#remember(guildId, values, read);
    })());
  }

  /** A guild's settings from memory, without waiting: for the message handler. */
  cached(guildId: string): GuildSettings {
    return this.#cache.get(guildId) ?? NONE;
  }

  /** The prefixes that work where a message came from, without waiting: a guild's own, else the global ones. */
  prefixesIn(guildId: string | null): readonly string[] {
    if (guildId !== null) {
      const own = this.#cache.get(guildId)?.prefixes;
      if (own !== undefined && own.length > 0) return own;
    }
    return this.#globalPrefixes();
  }

  async get(guildId: string): Promise<GuildSettings> {
    checkGuildId(guildId);
    await this.load();
    return this.cached(guildId);
  }

  /**
   * Changes the given keys at once (all or none). Prefixes are checked as `!set prefix` checks
   * them, except that an empty list means "the global ones"; roles must be snowflakes.
   * Throws BotError `ERR_GUILD_SETTINGS_INVALID`, `ERR_PREFIXES_INVALID` or `ERR_ROLE_INVALID`.
   */
  async set(guildId: string, patch: Partial<GuildSettings>): Promise<GuildSettings> {
    checkGuildId(guildId);
    const clean = checkPatch(patch);
    await this.load();
    const before = this.#reads;
    const values = await this.#core.transaction((tx) => {
      const scope = tx.guild(guildId);
      for (const [key, value] of Object.entries(clean) as Array<[keyof GuildSettings, string[]]>) {
        // An empty list is the default: cleared rather than stored, so the file keeps only what is set.
        if (value.length === 0) scope.clear(key);
        else scope.set(key, value);
      }
      return scope.all();
    });
    return this.#rememberOwn(guildId, values, before);
  }

  /**
   * Follows a change another process made to Core's config: re-reads the guild it names, or
   * every guild after `{kind: "all"}`. Errors are left to the next change (the mirror keeps
   * what it had).
   *
   * @returns a promise that settles once the mirror is up to date
   */
  async refresh(change: ConfigChange): Promise<void> {
    if (change.kind === "bucket" && change.ref.kind !== "guild") return;
    await this.load();
    const read = ++this.#reads;
    try {
      if (change.kind === "bucket" && change.ref.kind === "guild") {
        this.#remember(change.ref.id, await this.#core.guild(change.ref.id).all(), read);
      } else {
        const all = await this.#core.allGuilds();
        for (const guildId of [...this.#cache.keys()]) if (!all.has(guildId)) this.#remember(guildId, { prefixes: [], adminRoles: [], modRoles: [] }, read);
        for (const [guildId, values] of all) this.#remember(guildId, values, read);
      }
    } catch {
      // the store is closing, or the database is unreachable: nothing newer to show
    }
  }

  /**
   * Adds a role id to a guild's admin or mod roles. Resolves false if it was there already.
   * Atomic: concurrent changes to the same list are never lost.
   */
  addRole(guildId: string, key: RoleListKey, roleId: string): Promise<boolean> {
    return this.#changeRoles(guildId, key, roleId, (roles) => (roles.includes(roleId) ? null : [...roles, roleId]));
  }

  /** Removes a role id from a guild's admin or mod roles. Resolves false if it was not there. */
  removeRole(guildId: string, key: RoleListKey, roleId: string): Promise<boolean> {
    return this.#changeRoles(guildId, key, roleId, (roles) => (roles.includes(roleId) ? roles.filter((r) => r !== roleId) : null));
  }

  async prefixesFor(guildId: string | null): Promise<readonly string[]> {
    if (guildId !== null) checkGuildId(guildId);
    await this.load();
    return this.prefixesIn(guildId);
  }

  async #changeRoles(guildId: string, key: RoleListKey, roleId: string, change: (roles: string[]) => string[] | null): Promise<boolean> {
    checkGuildId(guildId);
    checkRoles([roleId], key);
    await this.load();
    const before = this.#reads;
    const values = await this.#core.transaction((tx) => {
      const scope = tx.guild(guildId);
      const roles = change(scope.get(key));
      if (roles === null) return null;
      if (roles.length > MAX_ROLES) throw new BotError("ERR_ROLE_INVALID", `A server has at most ${MAX_ROLES} roles; that list is full.`);
      if (roles.length === 0) scope.clear(key);
      else scope.set(key, roles);
      return scope.all();
    });
    if (values === null) return false;
    this.#rememberOwn(guildId, values, before);
    return true;
  }

  /**
   * Mirrors this process's committed change. If a read started while it was in flight (a
   * refresh for another bot's change), which of the two holds newer data is unknown: the
   * guild is read once more, after both, and that read settles it.
   */
  #rememberOwn(guildId: string, values: { prefixes: string[]; adminRoles: string[]; modRoles: string[] }, before: number): GuildSettings {
    const settings = this.#remember(guildId, values, ++this.#reads);
    if (this.#reads - 1 !== before) void this.refresh({ kind: "bucket", ref: { kind: "guild", id: guildId } });
    return settings;
  }

  /** Mirrors a guild's values read (or committed) as read number `read`, unless it holds newer ones. */
  #remember(guildId: string, values: { prefixes: string[]; adminRoles: string[]; modRoles: string[] }, read: number): GuildSettings {
    const settings = freeze(values);
    if (read < (this.#readAt.get(guildId) ?? 0)) return settings;
    this.#readAt.set(guildId, read);
    if (settings === NONE) this.#cache.delete(guildId);
    else this.#cache.set(guildId, settings);
    return settings;
  }
}

/** @returns the values as frozen settings ({@link NONE} when nothing is set) */
function freeze(values: { prefixes: string[]; adminRoles: string[]; modRoles: string[] }): GuildSettings {
  if (values.prefixes.length === 0 && values.adminRoles.length === 0 && values.modRoles.length === 0) return NONE;
  return Object.freeze({
    prefixes: Object.freeze([...values.prefixes]),
    adminRoles: Object.freeze([...values.adminRoles]),
    modRoles: Object.freeze([...values.modRoles]),
  });
}

/** Whether a string is a role id as Discord writes them (a snowflake). */
export function isSnowflake(value: unknown): value is string {
  return typeof value === "string" && SNOWFLAKE.test(value);
}

function checkGuildId(guildId: unknown): asserts guildId is string {
  if (typeof guildId !== "string" || guildId === "" || guildId.length > 32 || /\s/.test(guildId)) {
    throw new BotError("ERR_GUILD_SETTINGS_INVALID", `Invalid guild id ${JSON.stringify(guildId) ?? String(guildId)}: expected a non-empty id without spaces.`);
  }
}

function checkRoles(roles: unknown, key: string): string[] {
  if (!Array.isArray(roles)) throw new BotError("ERR_GUILD_SETTINGS_INVALID", `${key} must be a list of role ids.`);
  const bad = roles.find((r) => !isSnowflake(r));
  if (bad !== undefined) {
    throw new BotError("ERR_ROLE_INVALID", `${JSON.stringify(bad) ?? String(bad)} is not a role id: role ids are Discord snowflakes (digits).`);
  }
  const unique = [...new Set(roles as string[])];
  if (unique.length > MAX_ROLES) throw new BotError("ERR_ROLE_INVALID", `${key} may list at most ${MAX_ROLES} roles.`);
  return unique;
}

/** Checks a whole patch before anything is written: one bad key refuses all of it. */
function checkPatch(patch: unknown): Partial<Record<keyof GuildSettings, string[]>> {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    throw new BotError("ERR_GUILD_SETTINGS_INVALID", "Guild settings must be an object of prefixes, adminRoles and modRoles.");
  }
  const clean: Partial<Record<keyof GuildSettings, string[]>> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!KEYS.has(key)) throw new BotError("ERR_GUILD_SETTINGS_INVALID", `Unknown guild setting ${JSON.stringify(key)}: expected prefixes, adminRoles or modRoles.`);
    if (key === "prefixes") clean.prefixes = normalizeGuildPrefixes(value as string[]);
    else clean[key as RoleListKey] = checkRoles(value, key);
  }
  return clean;
}
