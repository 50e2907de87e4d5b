import { any, array, boolean, nullable, object, optional, record, string, type JsonSchema } from "cogwheel";
import type { DashboardConfig } from "./config.ts";
import { guarded, type Answer } from "./guard.ts";
import { getGuild, getUserGuilds, leaveGuild } from "./guilds.ts";
import { setOAuth } from "./oauth.ts";
import {
  getBotSettings,
  getDashboardSettings,
  setBotProfile,
  setBotSettings,
  setCustomPages,
  setDashboardSettings,
  setGuildSettings,
} from "./settings.ts";
import { defaultCogAbsent, thirdPartyNotFound, webhookReceive } from "./stubs.ts";
import type { PackageScope } from "./types.ts";
import { checkVersion, getData, getVariables } from "./variables.ts";

/**
 * A user or guild id as the web app sends it: a JSON int of any size (beyond 2^53 it reaches the
 * handler as an exact bigint) or digits. Not a snowflake schema on purpose: an id a visitor typed
 * into a URL (too long, negative) must get the web app's "not found" answer, not an RPC error.
 */
const ID: JsonSchema = {
  type: ["integer", "string"],
  description: "A Discord user or guild id: a JSON integer of any size, or a string of digits.",
};
/** A page number or size: the web app passes its query string values (strings) or None. */
const PAGE_ARG = optional(nullable({ type: ["integer", "string"], description: "A positive whole number, as digits; anything else: the default." }));
const SETTINGS = record(any(), { description: "The web app's form, as an object of fields." });

/** The package's cogs, named so that the methods come out as the web app calls them. */
export interface DashboardCogs {
  main: object;
  defaultCogs: object;
  thirdParties: object;
  webhooks: object;
  /** The `Dashboard` cog: owner commands and DASHBOARD__SET_OAUTH (not a web app name). */
  owner: object;
}

/**
 * Registers every method the AAA3A web app (1.7.x) calls, each guarded (see guard.ts): params
 * are positional, as the web app sends them; the answers are the objects it reads.
 */
export function registerRpc(bot: PackageScope, cogs: DashboardCogs, config: DashboardConfig): void {
  const view = bot.bot;
  const method = <A extends unknown[]>(
    cog: object,
    name: string,
    params: Record<string, JsonSchema>,
    doc: string,
    handler: (...args: A) => Promise<Answer>,
  ): void => {
    bot.registerRpcHandler(cog, guarded(view, bot.logger, name, handler) as (...args: unknown[]) => Promise<Answer>, { name, params, doc });
  };

  method(cogs.main, "CHECK_VERSION", {}, "→ {version}: constant; the web app reconnects when it changes.", checkVersion);
  method(cogs.main, "GET_DATA", {}, "→ {core, ui{meta, sidenav}, disabled_third_parties, custom_pages}: the web app's settings, with the OAuth secret and the session keys.", () => getData(view, config));
  method(
    cogs.main,
    "GET_VARIABLES",
    { only_bot_variables: optional(nullable(boolean())), host_port: optional(nullable(any({ description: "[host, port] of the web app; unused." }))) },
    "[only_bot_variables, [host, port]] → {bot, stats, constants, third_parties, commands}.",
    (only: unknown) => getVariables(view, config, only),
  );
  method(
    cogs.main,
    "GET_USER_GUILDS",
    { user_id: ID, per_page: PAGE_ARG, page: PAGE_ARG, query: optional(nullable(string())), filter: optional(nullable(string())) },
    "[user, per_page, page, query, filter(owner/admin/mod)] → {items:[{id, name, owner, owner_id, icon_url, icon_animated, user_role}], total, per_page, pages, page, default_per_page, default_page}.",
    (user: unknown, perPage: unknown, page: unknown, query: unknown, filter: unknown) => getUserGuilds(view, user, perPage, page, query, filter),
  );
  method(
    cogs.main,
    "GET_GUILD",
    { user_id: ID, guild_id: ID, for_third_parties: optional(nullable(boolean())) },
    "[user, guild, for_third_parties] → the guild's overview and settings, or {status: 1}.",
    (user: unknown, guild: unknown, third: unknown) => getGuild(view, config, user, guild, third),
  );
  method(cogs.main, "LEAVE_GUILD", { user_id: ID, guild_id: ID }, "[user, guild] → {status}: the bot leaves the guild.", (user: unknown, guild: unknown) => leaveGuild(view, user, guild));
  method(
    cogs.main,
    "SET_GUILD_SETTINGS",
    { user_id: ID, guild_id: ID, settings: SETTINGS },
    "[user, guild, settings] → {status, change_nickname_error}.",
    (user: unknown, guild: unknown, settings: unknown) => setGuildSettings(view, config, user, guild, settings),
  );
  method(cogs.main, "SET_BOT_PROFILE", { user_id: ID, settings: SETTINGS }, "[user, {avatar, name, profile_description}] → {status}.", (user: unknown, settings: unknown) => setBotProfile(view, user, settings));
  method(cogs.main, "GET_DASHBOARD_SETTINGS", { user_id: ID }, "[user] → {status, title, icon, …, disabled_third_parties}.", (user: unknown) => getDashboardSettings(view, config, user));
  method(
    cogs.main,
    "SET_DASHBOARD_SETTINGS",
    { user_id: ID, settings: SETTINGS },
    "[user, settings] → {status}.",
    (user: unknown, settings: unknown) => setDashboardSettings(view, config, user, settings),
  );
  method(cogs.main, "GET_BOT_SETTINGS", { user_id: ID }, "[user] → {status, prefixes, description, …}.", (user: unknown) => getBotSettings(view, config, user));
  method(cogs.main, "SET_BOT_SETTINGS", { user_id: ID, settings: SETTINGS }, "[user, settings] → {status}.", (user: unknown, settings: unknown) => setBotSettings(view, config, user, settings));
  method(
    cogs.main,
    "SET_CUSTOM_PAGES",
    { user_id: ID, pages: array(any()) },
    "[user, [{title, url, content}]] → {status}.",
    (user: unknown, pages: unknown) => setCustomPages(view, config, user, pages),
  );

  const defaultCog = { user_id: ID, guild_id: optional(nullable(ID)), data: optional(any()) };
  for (const name of ["GET_ALIASES", "SET_ALIASES", "GET_CUSTOM_COMMANDS", "SET_CUSTOM_COMMANDS"]) {
    method(cogs.defaultCogs, name, defaultCog, "→ {status: 2}: no such cog in Cogwheel; the web app hides the form.", defaultCogAbsent);
  }
  for (const name of ["DATA_RECEIVE", "OAUTH_RECEIVE"]) {
    method(cogs.thirdParties, name, { "...args": any() }, "→ {status: 1, error_code: 404, …}: Cogwheel has no third-party pages.", thirdPartyNotFound);
  }
  method(
    cogs.webhooks,
    "WEBHOOK_RECEIVE",
    { payload: optional(any()) },
    '[payload] → {status: 0}; emits the bot event "webhookReceived" {source: "dashboard", payload}.',
    (payload: unknown) => webhookReceive(bot, payload),
  );

  bot.registerRpcHandler(cogs.owner, (secret: unknown, redirectUri?: unknown) => setOAuth(config, secret, redirectUri), {
    name: "SET_OAUTH",
    params: { secret: nullable(string()), redirect_uri: optional(nullable(string())) },
    result: object({ secret_set: boolean(), redirect_uri: nullable(string()) }),
    doc: "[secret, redirect_uri?] → {secret_set, redirect_uri}: sets the Discord OAuth client secret (null: keep it) and the redirect URI (absent: keep; null: clear). Never answers the secret.",
  });
}
