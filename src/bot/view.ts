import type { AdapterStatus, GuildInfo, UserInfo } from "../adapters/types.ts";
import type { Cog } from "./cogs.ts";

/** The platform look-ups a package may use (not start, stop or rename: those are the bot's). */
export interface AdapterView {
  readonly kind: "console" | "discord";
  status(): AdapterStatus;
  guildInfo(guildId: string): Promise<GuildInfo | null>;
  userInfo(userId: string): Promise<UserInfo | null>;
}

/** The bot's status, as `CORE__STATUS` publishes it. */
export interface BotStatus {
  name: string;
  prefixes: readonly string[];
  connected: boolean;
  adapter: string;
  user: AdapterStatus["user"];
}

/**
 * What a package sees of the bot: read-only. Everything a package changes goes through its own
 * scope, so that it can be undone when the package goes; the bot's services (RPC tables,
 * command table, event bus, package manager) are not reachable from here.
 */
export interface BotView {
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly adapter: AdapterView;
  status(): BotStatus;
  isOwner(userId: string): boolean;
  /** Names of the loaded cogs, every package's. */
  cogNames(): string[];
  /** A loaded cog by name (case-insensitive), any package's, to call into it. */
  getCog<T extends Cog = Cog>(name: string): T | undefined;
  /** The bot's invite URL; null where invites do not exist (console). */
  inviteUrl(): Promise<string | null>;
}
