import { canEdit } from "./access.ts";
import { botSettings, COLORS, guildExtras, meta, THEMES, type BotSettings, type CustomPage, type DashboardConfig, type GuildExtras, type Meta } from "./config.ts";
import { bool, checkForm, color, FieldError, ids, int, oneOf, text, texts, type Check } from "./fields.ts";
import { idOf, isObject, messageOf, type Answer } from "./guard.ts";
import type { BotView } from "./types.ts";
import { MAX_DISCORD_PERMISSIONS_VALUE } from "./variables.ts";

/** Red's default embed colour, what `color: null` resets to. */
export const DEFAULT_COLOR = "#E74C3C";
/** The web app's limits for custom pages (its form's). */
export const MAX_PAGE_TITLE = 20;
export const MAX_PAGE_CONTENT = 5000;
export const MAX_PAGES = 50;

const NOT_OWNER = { status: 1, error: "only a bot owner may do this" };

/** A refused form: `{status: 1, error}`; other errors go on to the guard (logged). */
function refused(error: unknown): Answer {
  if (error instanceof FieldError) return { status: 1, error: error.message };
  throw error;
}

/** The answer's extra field naming what the form sent that nothing reads; absent when none. */
function unknownFields(unknown: string[]): Answer {
  return unknown.length > 0 ? { unknown_fields: unknown } : {};
}

type GuildForm = GuildExtras & { bot_nickname: string | null; prefixes: string[]; admin_roles: string[]; mod_roles: string[] };

const GUILD_CHECKS: { [K in keyof GuildForm]: Check<GuildForm[K]> } = {
  bot_nickname: text(32, true),
  prefixes: texts(20),
  admin_roles: ids(250),
  mod_roles: ids(250),
  whitelist: ids(),
  blacklist: ids(),
  ignored: bool,
  disabled_commands: texts(),
  embeds: bool,
  use_bot_color: bool,
  fuzzy: bool,
  delete_delay: int(-1, 60),
  locale: text(35, true),
  regional_format: text(35, true),
};

/**
 * SET_GUILD_SETTINGS [user, guild, settings] → `{status: 0, change_nickname_error}`. Prefixes
 * and admin/mod roles are Core's guild settings; the nickname goes to the platform (a refusal
 * is `change_nickname_error`, the rest is saved all the same, as AAA3A); every other field is
 * stored here. Only a bot owner, or the guild's owner or an admin there, may.
 */
export async function setGuildSettings(bot: BotView, config: DashboardConfig, user: unknown, guild: unknown, settings: unknown): Promise<Answer> {
  const userId = idOf(user);
  const guildId = idOf(guild);
  if (userId === null || guildId === null) return { status: 1, error: "invalid user or guild id" };
  const details = await bot.adapter.guildDetails(guildId);
  if (details === null) return { status: 1, error: "guild not found" };
  if (!(await canEdit(bot, guildId, userId)).allowed) return { status: 1, error: "only a bot owner, or the guild's owner or an admin, may change its settings" };
  let form: ReturnType<typeof checkForm<GuildForm>>;
  try {
    form = checkForm<GuildForm>(settings, GUILD_CHECKS, "settings");
  } catch (error) {
    return refused(error);
  }
  const { bot_nickname, prefixes, admin_roles, mod_roles, ...extras } = form.values;
  const patch: { prefixes?: string[]; adminRoles?: string[]; modRoles?: string[] } = {};
  if (prefixes !== undefined) patch.prefixes = prefixes;
  if (admin_roles !== undefined) patch.adminRoles = admin_roles;
  if (mod_roles !== undefined) patch.modRoles = mod_roles;
  if (Object.keys(patch).length > 0) {
    try {
      await bot.guildSettings.set(guildId, patch);
    } catch (error) {
      // Checked as `!set serverprefix` checks it: the reason is the user's to read.
      return { status: 1, error: messageOf(error) };
    }
  }
  if (Object.keys(extras).length > 0) {
    const current = await guildExtras(config, guildId);
    await config.guild(guildId).set("settings", { ...current, ...extras });
  }
  let change_nickname_error: string | false = false;
  if (bot_nickname !== undefined && bot_nickname !== details.botNickname) {
    try {
      await bot.adapter.setNickname(guildId, bot_nickname);
    } catch (error) {
      change_nickname_error = messageOf(error);
    }
  }
  return { status: 0, change_nickname_error, ...unknownFields(form.unknown) };
}

/**
 * SET_BOT_PROFILE [user, {avatar, name, profile_description}] (owners only): avatar "keep",
 * "default" (the platform's default) or base64 image bytes; name as `!set name`;
 * profile_description as `!set description`. The older web app's `username`/`description`
 * keys are read too.
 */
export async function setBotProfile(bot: BotView, user: unknown, settings: unknown): Promise<Answer> {
  const userId = idOf(user);
  if (userId === null || !bot.isOwner(userId)) return NOT_OWNER;
  if (!isObject(settings)) return { status: 1, error: "settings must be an object" };
  const avatar = settings.avatar ?? "keep";
  const name = settings.name ?? settings.username ?? null;
  const description = settings.profile_description ?? settings.description ?? null;
  if (typeof avatar !== "string") return { status: 1, error: 'avatar must be "keep", "default" or base64 image data' };
  if (name !== null && typeof name !== "string") return { status: 1, error: "name must be text" };
  if (description !== null && typeof description !== "string") return { status: 1, error: "profile_description must be text" };
  let image: Uint8Array | null | undefined;
  if (avatar === "default") image = null;
  else if (avatar !== "keep") {
    const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(avatar) ? Buffer.from(avatar, "base64") : Buffer.alloc(0);
    if (bytes.length === 0) return { status: 1, error: 'avatar must be "keep", "default" or base64 image data' };
    image = new Uint8Array(bytes);
  }
  try {
    if (image !== undefined) await bot.adapter.setAvatar(image);
    if (name !== null && name.trim() !== "" && name !== bot.name) await bot.settings.setName(name);
    if (description !== null && description !== bot.description) await bot.settings.setDescription(description);
  } catch (error) {
    // The platform's or the settings' refusal (rate limit, bad name): the owner's to read.
    return { status: 1, error: messageOf(error) };
  }
  return { status: 0 };
}

/** GET_DASHBOARD_SETTINGS [user] (owners only) → the stored meta (unset texts null) and disabled third parties. */
export async function getDashboardSettings(bot: BotView, config: DashboardConfig, user: unknown): Promise<Answer> {
  const userId = idOf(user);
  if (userId === null || !bot.isOwner(userId)) return NOT_OWNER;
  return { status: 0, ...(await meta(config)), disabled_third_parties: await config.global().get("disabledThirdParties") };
}

type DashboardForm = Meta & { disabled_third_parties: string[] };

const DASHBOARD_CHECKS: { [K in keyof DashboardForm]: Check<DashboardForm[K]> } = {
  title: text(200, true),
  icon: text(2000, true),
  website_description: text(500, true),
  description: text(5000, true),
  support_server: text(2000, true),
  default_color: oneOf(COLORS),
  default_background_theme: oneOf(THEMES),
  default_sidenav_theme: oneOf(THEMES),
  disabled_third_parties: texts(),
};

/** SET_DASHBOARD_SETTINGS [user, settings] (owners only): stored; GET_DATA `ui.meta` shows them. */
export async function setDashboardSettings(bot: BotView, config: DashboardConfig, user: unknown, settings: unknown): Promise<Answer> {
  const userId = idOf(user);
  if (userId === null || !bot.isOwner(userId)) return NOT_OWNER;
  let form: ReturnType<typeof checkForm<DashboardForm>>;
  try {
    form = checkForm<DashboardForm>(settings, DASHBOARD_CHECKS, "settings");
  } catch (error) {
    return refused(error);
  }
  const { disabled_third_parties, ...changes } = form.values;
  const current = await meta(config);
  await config.transaction((tx) => {
    tx.global().set("meta", { ...current, ...changes });
    if (disabled_third_parties !== undefined) tx.global().set("disabledThirdParties", disabled_third_parties);
  });
  return { status: 0, ...unknownFields(form.unknown) };
}

/** GET_BOT_SETTINGS [user] (owners only) → the bot's prefixes and description, and the stored rest. */
export async function getBotSettings(bot: BotView, config: DashboardConfig, user: unknown): Promise<Answer> {
  const userId = idOf(user);
  if (userId === null || !bot.isOwner(userId)) return NOT_OWNER;
  return { status: 0, prefixes: [...bot.prefixes], description: bot.description, ...(await botSettings(config)) };
}

type BotForm = BotSettings & { prefixes: string[]; description: string | null };

const BOT_CHECKS: { [K in keyof BotForm]: Check<BotForm[K]> } = {
  prefixes: texts(20),
  description: text(250, true),
  invoke_error_msg: text(1000, true),
  whitelist: ids(),
  blacklist: ids(),
  disabled_commands: texts(),
  disabled_command_msg: text(1000, true),
  custom_info: text(1024, true),
  embeds: bool,
  color: (value, field) => color(value, field) ?? DEFAULT_COLOR,
  fuzzy: bool,
  use_buttons: bool,
  invite_public: bool,
  invite_commands_scope: bool,
  invite_perms: int(0, MAX_DISCORD_PERMISSIONS_VALUE),
  locale: (value, field) => text(35, true)(value, field) ?? "en-US",
  regional_format: text(35, true),
};

/**
 * SET_BOT_SETTINGS [user, settings] (owners only): prefixes as `!set prefix`, description as
 * `!set description`; every other field is stored and returned by GET_BOT_SETTINGS
 * (`blacklist`, `custom_info` and `invite_public` also reach the web app through GET_VARIABLES).
 */
export async function setBotSettings(bot: BotView, config: DashboardConfig, user: unknown, settings: unknown): Promise<Answer> {
  const userId = idOf(user);
  if (userId === null || !bot.isOwner(userId)) return NOT_OWNER;
  let form: ReturnType<typeof checkForm<BotForm>>;
  try {
    form = checkForm<BotForm>(settings, BOT_CHECKS, "settings");
  } catch (error) {
    return refused(error);
  }
  const { prefixes, description, ...stored } = form.values;
  try {
    if (prefixes !== undefined && prefixes.join("\n") !== bot.prefixes.join("\n")) await bot.settings.setPrefixes(prefixes);
    if (description !== undefined && (description ?? "") !== bot.description) await bot.settings.setDescription(description ?? "");
  } catch (error) {
    return { status: 1, error: messageOf(error) };
  }
  if (Object.keys(stored).length > 0) {
    const current = await botSettings(config);
    await config.global().set("botSettings", { ...current, ...stored });
  }
  return { status: 0, ...unknownFields(form.unknown) };
}

/**
 * SET_CUSTOM_PAGES [user, [{title, url, content}]] (owners only): checked (titles 1–20
 * characters, content up to 5000, urls one path segment, unique; `url` defaults to the title
 * lower-cased with dashes, as the web app makes it) and stored; GET_DATA `custom_pages` shows them.
 */
export async function setCustomPages(bot: BotView, config: DashboardConfig, user: unknown, pages: unknown): Promise<Answer> {
  const userId = idOf(user);
  if (userId === null || !bot.isOwner(userId)) return NOT_OWNER;
  if (!Array.isArray(pages) || pages.length > MAX_PAGES) return { status: 1, error: `custom pages must be a list of at most ${MAX_PAGES} pages` };
  const checked: CustomPage[] = [];
  for (const [i, page] of pages.entries()) {
    if (!isObject(page)) return { status: 1, error: `page ${i + 1} must be an object {title, url, content}` };
    const { title, content } = page;
    if (typeof title !== "string" || title.trim() === "" || title.length > MAX_PAGE_TITLE) return { status: 1, error: `page ${i + 1}: title must be 1 to ${MAX_PAGE_TITLE} characters` };
    if (typeof content !== "string" || content.length > MAX_PAGE_CONTENT) return { status: 1, error: `page ${i + 1}: content must be text of at most ${MAX_PAGE_CONTENT} characters` };
    const url = page.url ?? title.toLowerCase().replace(/ /g, "-");
    if (typeof url !== "string" || url === "" || url.length > 100 || /[/\\?#\s]/.test(url)) return { status: 1, error: `page ${i + 1}: url must be one path segment (no /, ?, # or spaces)` };
    if (checked.some((p) => p.url === url)) return { status: 1, error: `page ${i + 1}: url ${JSON.stringify(url)} is used twice` };
    checked.push({ title, url, content });
  }
  await config.global().set("customPages", checked);
  return { status: 0 };
}
