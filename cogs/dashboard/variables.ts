import { commandTree } from "./commands-tree.ts";
import { botSettings, meta, type DashboardConfig, type Meta } from "./config.ts";
import { idForWire, isSnowflake, type Answer } from "./guard.ts";
import type { BotView } from "./types.ts";

/**
 * CHECK_VERSION's `version`. AAA3A's web app reconnects its socket when it changes, and fetches
 * GET_DATA/GET_VARIABLES only at start-up whatever happens, so there is nothing a change could
 * make it refetch: the number is constant (never 0, which the web app reads as "unknown").
 */
export const PROTOCOL_VERSION = 1;

/** Red's prefix length bounds (core_commands), which the web app's forms check. */
export const MIN_PREFIX_LENGTH = 1;
export const MAX_PREFIX_LENGTH = 25;
/** Every Discord permission bit known today (bits 0 to 50), the web app's invite_perms bound. */
export const MAX_DISCORD_PERMISSIONS_VALUE = 2 ** 51 - 1;

const DEFAULT_AVATAR = "https://cdn.discordapp.com/embed/avatars/0.png";

/** The bot's shown name: its account's once connected, else its configured name. */
export function botName(bot: BotView): string {
  return bot.adapter.account()?.name ?? bot.name;
}

function withName(text: string, name: string): string {
  return text.replaceAll("{name}", name);
}

/** The meta the web app shows: unset texts get defaults naming the bot, `{name}` is replaced. */
export function shownMeta(stored: Meta, bot: BotView): Meta {
  const name = botName(bot);
  const account = bot.adapter.account();
  return {
    ...stored,
    title: stored.title === null ? `${name} Dashboard` : withName(stored.title, name),
    icon: stored.icon ?? account?.avatarUrl ?? account?.defaultAvatarUrl ?? DEFAULT_AVATAR,
    website_description:
      stored.website_description === null
        ? `Interactive Dashboard to control and interact with ${name}.`
        : withName(stored.website_description, name),
    description:
      stored.description === null
        ? `Hello, welcome to the **Dashboard** for ${name}! ${name} runs on **Cogwheel**, a modular Discord bot. ` +
          `Here, you can control and interact with ${name}'s settings.`
        : withName(stored.description, name),
  };
}

/** CHECK_VERSION → `{version}`. */
export async function checkVersion(): Promise<Answer> {
  return { version: PROTOCOL_VERSION };
}

/** GET_DATA → the web app's whole `core`/`ui`/third-party/custom-pages configuration. */
export async function getData(bot: BotView, config: DashboardConfig): Promise<Answer> {
  const global = await config.global().all();
  return {
    core: {
      secret_key: global.secretKey,
      jwt_secret_key: global.jwtSecretKey,
      secret: global.secret,
      redirect_uri: global.redirectUri,
      allow_unsecure_http_requests: global.allowUnsecureHttpRequests,
      blacklisted_ips: global.blacklistedIps,
    },
    ui: { meta: shownMeta(await meta(config), bot), sidenav: global.sidenav },
    disabled_third_parties: global.disabledThirdParties,
    custom_pages: global.customPages,
  };
}

/**
 * GET_VARIABLES [only_bot_variables, [host, port]] → `{bot, stats, constants, third_parties,
 * commands}`; `commands` is `{}` when only_bot_variables is true (as AAA3A). Ids the web app
 * compares with its users' ids (owner_ids, blacklisted_users) are exact integers.
 */
export async function getVariables(bot: BotView, config: DashboardConfig, onlyBotVariables: unknown): Promise<Answer> {
  const account = bot.adapter.account();
  // The web app cannot start without this answer: a platform hiccup on the invite link or the
  // application's facts degrades those fields instead of failing the whole call.
  const [application, stats, invite, settings] = await Promise.all([
    bot.adapter.application().catch(() => ({ id: account?.id ?? "", name: botName(bot), description: "", ownerName: "", public: false })),
    bot.adapter.stats(),
    bot.inviteUrl().catch(() => null),
    botSettings(config),
  ]);
  return {
    bot: {
      name: botName(bot),
      id: idForWire(account?.id ?? bot.status().user?.id ?? application.id),
      application_id: idForWire(application.id),
      avatar: account?.avatarUrl ?? account?.defaultAvatarUrl ?? DEFAULT_AVATAR,
      default_avatar: account?.defaultAvatarUrl ?? DEFAULT_AVATAR,
      is_verified: account?.verified ?? false,
      info: settings.custom_info,
      // What SET_BOT_PROFILE changes: the bot's description (`!set description`); the
      // application's own description until one is set.
      profile_description: bot.description || application.description,
      prefixes: [...bot.prefixes],
      // Discord ids only: the web app compares them with its users' int ids; another
      // platform's owner (the console's) can never log in to it.
      owner_ids: bot.ownerIds().filter(isSnowflake).map(idForWire),
      owner: application.ownerName,
      invite_url: invite,
      invite_public: settings.invite_public && application.public,
      blacklisted_users: settings.blacklist.filter(isSnowflake).map(idForWire),
    },
    stats: {
      guilds: stats.guilds,
      text: stats.text,
      voice: stats.voice,
      categories: stats.categories,
      users: stats.users,
      uptime: Math.floor(bot.startedAt.getTime() / 1000),
    },
    constants: { MIN_PREFIX_LENGTH, MAX_PREFIX_LENGTH, MAX_DISCORD_PERMISSIONS_VALUE },
    third_parties: {},
    commands: onlyBotVariables === true ? {} : commandTree(bot),
  };
}
