import { randomBytes } from "node:crypto";
import type { ConfigNamespace, PackageScope } from "cogwheel";

/** A side-nav entry of the web app (AAA3A's `ui.sidenav` items, read as is). */
export type SidenavItem = {
  pos: number;
  name: string;
  icon: string;
  route: string;
  /** true: only when logged in; false: only when logged out; null: always. */
  session: boolean | null;
  owner: boolean;
  locked: boolean;
  hidden: boolean;
}

/** A page the owner wrote in the web app's admin page (`SET_CUSTOM_PAGES`). */
export type CustomPage = {
  title: string;
  url: string;
  content: string;
}

/** The web app's `ui.meta`; null text fields get a default naming the bot (see GET_DATA). */
export type Meta = {
  title: string | null;
  icon: string | null;
  website_description: string | null;
  description: string | null;
  support_server: string | null;
  default_color: string;
  default_background_theme: string;
  default_sidenav_theme: string;
}

/** The colours the web app offers (its AVAILABLE_COLORS). */
export const COLORS = ["success", "danger", "primary", "info", "warning", "dark"] as const;
/** The web app's background and side-nav themes. */
export const THEMES = ["white", "dark"] as const;

/** AAA3A's side-nav, as its cog's config defaults declare it. */
export const DEFAULT_SIDENAV: readonly SidenavItem[] = [
  { pos: 1, name: "builtin-home", icon: "ni ni-atom text-success", route: "base_blueprint.index", session: null, owner: false, locked: true, hidden: false },
  { pos: 2, name: "builtin-commands", icon: "ni ni-bullet-list-67 text-danger", route: "base_blueprint.commands", session: null, owner: false, locked: false, hidden: false },
  { pos: 3, name: "builtin-dashboard", icon: "ni ni-settings text-primary", route: "base_blueprint.dashboard", session: true, owner: false, locked: false, hidden: false },
  { pos: 4, name: "builtin-third_parties", icon: "ni ni-diamond text-success", route: "third_parties_blueprint.third_parties", session: true, owner: false, locked: false, hidden: false },
  { pos: 5, name: "builtin-admin", icon: "ni ni-badge text-danger", route: "base_blueprint.admin", session: true, owner: true, locked: true, hidden: false },
  { pos: 6, name: "builtin-credits", icon: "ni ni-book-bookmark text-info", route: "base_blueprint.credits", session: null, owner: false, locked: true, hidden: false },
  { pos: 7, name: "builtin-login", icon: "ni ni-key-25 text-success", route: "login_blueprint.login", session: false, owner: false, locked: true, hidden: false },
  { pos: 8, name: "builtin-logout", icon: "ni ni-user-run text-warning", route: "login_blueprint.logout", session: true, owner: false, locked: true, hidden: false },
];

export const DEFAULT_META: Meta = {
  title: null,
  icon: null,
  website_description: null,
  description: null,
  support_server: null,
  default_color: "success",
  default_background_theme: "white",
  default_sidenav_theme: "white",
};

/**
 * Bot-wide settings of the web app's "bot settings" form that Cogwheel has no behaviour for
 * (or only the dashboard uses): stored here and returned by GET_BOT_SETTINGS. `prefixes` and
 * `description` are not here: they are the bot's own (`bot.settings`).
 */
export const DEFAULT_BOT_SETTINGS = {
  invoke_error_msg: null as string | null,
  whitelist: [] as string[],
  /** User ids; the web app refuses their logins (GET_VARIABLES `blacklisted_users`). */
  blacklist: [] as string[],
  disabled_commands: [] as string[],
  disabled_command_msg: null as string | null,
  /** Shown on the web app's home page (GET_VARIABLES `bot.info`). */
  custom_info: null as string | null,
  embeds: true,
  color: "#E74C3C",
  fuzzy: false,
  use_buttons: false,
  /** With the application's "Public Bot" flag, the web app shows the invite to everyone. */
  invite_public: false,
  invite_commands_scope: false,
  invite_perms: 0,
  locale: "en-US",
  regional_format: null as string | null,
};
export type BotSettings = typeof DEFAULT_BOT_SETTINGS;

/** A guild's settings of the web app's guild form that are stored here (see NO_EFFECT_FIELDS). */
export const DEFAULT_GUILD_SETTINGS = {
  whitelist: [] as string[],
  blacklist: [] as string[],
  ignored: false,
  disabled_commands: [] as string[],
  embeds: true,
  use_bot_color: false,
  fuzzy: false,
  delete_delay: -1,
  locale: null as string | null,
  regional_format: null as string | null,
};
export type GuildExtras = typeof DEFAULT_GUILD_SETTINGS;

/**
 * Fields the web app can set that are stored and returned but change nothing in Cogwheel
 * (Red behaviours Cogwheel does not have). For the docs; tests check each round-trips.
 */
export const NO_EFFECT_FIELDS = {
  guild: ["whitelist", "blacklist", "ignored", "disabled_commands", "embeds", "use_bot_color", "fuzzy", "delete_delay", "locale", "regional_format"],
  bot: [
    "invoke_error_msg",
    "whitelist",
    "disabled_commands",
    "disabled_command_msg",
    "embeds",
    "color",
    "fuzzy",
    "use_buttons",
    "invite_commands_scope",
    "invite_perms",
    "locale",
    "regional_format",
  ],
} as const;

/** The package's config namespace: keys, settings, pages, and the guild settings it keeps. */
export const DEFAULTS = {
  global: {
    /** Fernet keys, made once on first load: the web app's session and JWT keys. */
    secretKey: null as string | null,
    jwtSecretKey: null as string | null,
    /** Discord's OAuth client secret (owner command or DASHBOARD__SET_OAUTH). */
    secret: null as string | null,
    redirectUri: null as string | null,
    allowUnsecureHttpRequests: false,
    blacklistedIps: [] as string[],
    meta: DEFAULT_META as Meta,
    sidenav: DEFAULT_SIDENAV as SidenavItem[],
    disabledThirdParties: [] as string[],
    customPages: [] as CustomPage[],
    botSettings: DEFAULT_BOT_SETTINGS as BotSettings,
  },
  guild: {
    settings: DEFAULT_GUILD_SETTINGS as GuildExtras,
  },
};

export type DashboardConfig = ConfigNamespace<typeof DEFAULTS>;

/** Opens the namespace (`Dashboard.json` in the data dir). */
export function openConfig(bot: PackageScope): DashboardConfig {
  return bot.config("Dashboard", DEFAULTS);
}

/** A Fernet key: the URL-safe base64 of 32 random bytes, padded (44 characters). */
export function fernetKey(): string {
  return randomBytes(32).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** True for a string in Fernet key form (what the web app decodes as its keys). */
export function isFernetKey(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{43}=$/.test(value) && Buffer.from(value, "base64url").length === 32;
}

/**
 * Makes the two Fernet keys if they are missing (first load) or not keys (a hand edit); kept
 * otherwise, so web sessions survive restarts. One transaction: both keys or neither.
 */
export async function ensureKeys(config: DashboardConfig): Promise<void> {
  await config.transaction((tx) => {
    const global = tx.global();
    if (!isFernetKey(global.get("secretKey"))) global.set("secretKey", fernetKey());
    if (!isFernetKey(global.get("jwtSecretKey"))) global.set("jwtSecretKey", fernetKey());
  });
}

/** The stored bot settings, with defaults for keys a older file lacks. */
export async function botSettings(config: DashboardConfig): Promise<BotSettings> {
  return { ...DEFAULT_BOT_SETTINGS, ...(await config.global().get("botSettings")) };
}

/** A guild's stored settings, with defaults for keys a older file lacks. */
export async function guildExtras(config: DashboardConfig, guildId: string): Promise<GuildExtras> {
  return { ...DEFAULT_GUILD_SETTINGS, ...(await config.guild(guildId).get("settings")) };
}

/** The stored meta, with defaults for keys a older file lacks. */
export async function meta(config: DashboardConfig): Promise<Meta> {
  return { ...DEFAULT_META, ...(await config.global().get("meta")) };
}
