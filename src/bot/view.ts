import type { Adapter, AdapterStatus, MemberInfo } from "../adapters/types.ts";
import type { Cog } from "./cogs.ts";

/**
 * The platform a package may use: look-ups, and the few actions a dashboard takes on the bot's
 * own presence (leave a guild, nickname, avatar). Not start, stop or rename: those are the bot's.
 */
export type AdapterView = Readonly<
  Pick<
    Adapter,
    | "kind"
    | "status"
    | "guildInfo"
    | "userInfo"
    | "guilds"
    | "guildDetails"
    | "member"
    | "application"
    | "account"
    | "stats"
    | "readyAt"
    | "intents"
    | "leaveGuild"
    | "setNickname"
    | "setAvatar"
  >
>;

/** The bot's status, as `CORE__STATUS` publishes it. */
export interface BotStatus {
  name: string;
  prefixes: readonly string[];
  connected: boolean;
  adapter: string;
  user: AdapterStatus["user"];
}

/**
 * Who may run a command, lowest to highest, as Red's privilege levels: `mod` (a mod or admin
 * role, or admin), `admin` (an admin role, Administrator, or the guild's owner), `guildOwner`,
 * `owner` (the bot's owners). Bot owners pass every level.
 */
export type PrivilegeLevel = "none" | "mod" | "admin" | "guildOwner" | "owner";

/** A command as packages and dashboards see it. */
export interface CommandInfo {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly help: string;
  readonly usage: string;
  readonly privilege: PrivilegeLevel;
  readonly cogName: string;
}

/** A guild's own settings, kept in Core's config. */
export interface GuildSettings {
  /** This guild's prefixes; empty means the bot's global ones. */
  readonly prefixes: readonly string[];
  /** Role ids whose members count as admins here. */
  readonly adminRoles: readonly string[];
  /** Role ids whose members count as mods here. */
  readonly modRoles: readonly string[];
}

/**
 * Per-guild settings. Changes are checked as the owner commands that make them (prefixes as
 * `!set serverprefix`), and throw the same catalog errors.
 */
export interface GuildSettingsView {
  get(guildId: string): Promise<GuildSettings>;
  /** Changes the given keys; returns the guild's settings after the change. */
  set(guildId: string, patch: Partial<GuildSettings>): Promise<GuildSettings>;
  /** The prefixes that work in a guild (its own, else the global ones); global for null. */
  prefixesFor(guildId: string | null): Promise<readonly string[]>;
}

/**
 * The bot's global settings a dashboard may change, each checked as the owner command that
 * makes it (`!set name`, `!set prefix`, `!set description`).
 */
export interface BotSettingsView {
  setName(name: string): Promise<void>;
  setPrefixes(prefixes: readonly string[]): Promise<void>;
  setDescription(description: string): Promise<void>;
}

/**
 * What a package sees of the bot. Everything a package registers goes through its own scope, so
 * that it can be undone when the package goes; the bot's services (RPC tables, command table,
 * event bus, package manager) are not reachable from here. The settings views are the one way
 * to change the bot, for dashboards; each change is checked as the owner command that makes it.
 */
export interface BotView {
  readonly name: string;
  readonly prefixes: readonly string[];
  /** The bot's description (`!set description`), shown by `help` and dashboards. */
  readonly description: string;
  /** When this bot process started. */
  readonly startedAt: Date;
  /** How the RPC server admits clients; null when it is not listening. */
  readonly rpcAuth: "none" | "token" | null;
  readonly adapter: AdapterView;
  readonly guildSettings: GuildSettingsView;
  readonly settings: BotSettingsView;
  status(): BotStatus;
  isOwner(userId: string): boolean;
  /** The bot's owners: `--owner` ids and those the platform reports. */
  ownerIds(): readonly string[];
  /** The privilege a member has in its guild (bot owners: `owner`). */
  privilegeOf(member: MemberInfo): Promise<PrivilegeLevel>;
  /** Every command once, sorted by name. */
  commands(): CommandInfo[];
  /** Names of the loaded cogs, every package's. */
  cogNames(): string[];
  /** A loaded cog by name (case-insensitive), any package's, to call into it. */
  getCog<T extends Cog = Cog>(name: string): T | undefined;
  /** The bot's invite URL; null where invites do not exist (console). */
  inviteUrl(): Promise<string | null>;
}
