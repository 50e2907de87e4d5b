import { canEdit, guildRole } from "./access.ts";
import { botSettings, guildExtras, type DashboardConfig } from "./config.ts";
import { idForWire, idOf, type Answer } from "./guard.ts";
import type { BotView, GuildDetails, GuildInfo, RoleInfo } from "./types.ts";

/** The web app's default guilds per page, and the most it may ask for (AAA3A's Pagination). */
export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;
/** The icon AAA3A shows for a guild without one. */
export const DEFAULT_GUILD_ICON = "https://cdn.discordapp.com/embed/avatars/1.png";

const VERIFICATION = ["None", "1 - Low", "2 - Medium", "3 - High", "4 - Extreme"];

/** A positive whole number from a query string value (or a JSON int); null otherwise. */
function positive(value: unknown): number | null {
  const text = typeof value === "number" || typeof value === "bigint" ? String(value) : typeof value === "string" ? value.trim() : "";
  if (!/^\d{1,9}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 ? n : null;
}

/** AAA3A's pagination: per_page 1–100 (else 20), page ≥ 1 (else 1) and at most the last page. */
export function paginate<T>(items: readonly T[], perPageArg: unknown, pageArg: unknown) {
  const asked = positive(perPageArg);
  const per_page = asked !== null && asked <= MAX_PER_PAGE ? asked : DEFAULT_PER_PAGE;
  const total = items.length;
  const pages = Math.ceil(total / per_page);
  // As AAA3A: a list with no pages is on page 0 (the web app then shows no page links).
  const page = Math.min(positive(pageArg) ?? 1, pages);
  const start = Math.max(0, (page - 1) * per_page);
  return {
    items: page === 0 ? [] : items.slice(start, start + per_page),
    total,
    per_page,
    pages,
    page,
    default_per_page: DEFAULT_PER_PAGE,
    default_page: 1,
  };
}

function iconUrl(details: GuildDetails | null): string {
  return details?.iconUrl?.split("?")[0] ?? DEFAULT_GUILD_ICON;
}

/** The display name of a guild's owner: as a member, else as a user, else "Unknown". */
async function ownerName(bot: BotView, guild: GuildInfo): Promise<string> {
  if (guild.ownerId === null) return "Unknown";
  const member = await bot.adapter.member(guild.id, guild.ownerId).catch(() => null);
  if (member !== null) return member.name;
  const user = await bot.adapter.userInfo(guild.ownerId).catch(() => null);
  return user?.name ?? "Unknown";
}

/**
 * GET_USER_GUILDS [user, per_page, page, query, filter] → the guilds the web app lists for a
 * user, paginated: always with `items` (empty for a user the bot does not know). Bot owners see
 * every guild unless they filter; others see the guilds where they are owner, admin or mod.
 * `filter` is "owner", "admin" or "mod" (anything else: no filter); `query` matches a name
 * (case-insensitive) or an exact id.
 */
export async function getUserGuilds(bot: BotView, user: unknown, perPage: unknown, page: unknown, query: unknown, filterArg: unknown): Promise<Answer> {
  const userId = idOf(user);
  if (userId === null) return paginate([], perPage, page);
  const filter = filterArg === "owner" || filterArg === "admin" || filterArg === "mod" ? filterArg : null;
  const isOwner = bot.isOwner(userId);
  const all = [...(await bot.adapter.guilds())].sort(
    (a, b) => Number(a.ownerId !== userId) - Number(b.ownerId !== userId) || a.name.toLowerCase().localeCompare(b.name.toLowerCase()),
  );
  const listed: Array<{ guild: GuildInfo; role: string | null }> = [];
  for (const guild of all) {
    if (filter === null && isOwner) {
      listed.push({ guild, role: null });
      continue;
    }
    const member = await bot.adapter.member(guild.id, userId).catch(() => null);
    if (member === null) continue;
    const role = await guildRole(bot, member);
    if (role === null) continue;
    if (filter === null || (filter === "owner" && role === "OWNER") || (filter === "admin" && role === "ADMIN") || (filter === "mod" && role === "MOD")) {
      listed.push({ guild, role });
    }
  }
  const q = typeof query === "string" ? query.trim().toLowerCase() : "";
  const matching = q === "" ? listed : listed.filter(({ guild }) => guild.name.toLowerCase().includes(q) || guild.id === q);
  const result = paginate(matching, perPage, page);
  // Only the page shown needs the details (icon, owner's name): one look-up per guild shown.
  const items = await Promise.all(
    result.items.map(async ({ guild, role }) => {
      const details = await bot.adapter.guildDetails(guild.id).catch(() => null);
      return {
        id: idForWire(guild.id),
        name: guild.name,
        owner: await ownerName(bot, guild),
        owner_id: guild.ownerId === null ? null : idForWire(guild.ownerId),
        icon_url: iconUrl(details),
        icon_animated: details?.iconAnimated ?? false,
        user_role: role,
      };
    }),
  );
  return { ...result, items };
}

/**
 * The roles for the web app: `@everyone` first, then the others highest first. The web app's
 * role pickers skip the first role (`roles[1:]`), so this order offers every role but
 * `@everyone`.
 */
function rolesForWeb(roles: readonly RoleInfo[], guildId: string): Array<{ id: number | bigint | string; name: string }> {
  const everyone = roles.filter((r) => r.id === guildId || r.position === 0).slice(0, 1);
  const others = roles.filter((r) => !everyone.includes(r));
  return [...everyone, ...others].map((r) => ({ id: idForWire(r.id), name: r.name }));
}

function seconds(date: Date | null): number | null {
  return date === null ? null : date.getTime() / 1000;
}

/**
 * GET_GUILD [user, guild, for_third_parties] → the guild's overview and settings block, or
 * `{status: 1}` (the web app shows 404) when the bot is not in the guild or the user may not
 * see it (not a bot owner, and not owner/admin/mod there — any member, for third parties).
 * Presence counts are zeros without the GuildPresences intent, bot/human counts zeros without
 * GuildMembers.
 */
export async function getGuild(bot: BotView, config: DashboardConfig, user: unknown, guild: unknown, forThirdParties: unknown): Promise<Answer> {
  const userId = idOf(user);
  const guildId = idOf(guild);
  if (userId === null || guildId === null) return { status: 1, error: "invalid user or guild id" };
  const details = await bot.adapter.guildDetails(guildId);
  if (details === null) return { status: 1, error: "guild not found" };
  const isOwner = bot.isOwner(userId);
  const member = await bot.adapter.member(guildId, userId);
  const role = member === null ? null : await guildRole(bot, member);
  if (!isOwner && (member === null || (role === null && forThirdParties !== true))) return { status: 1, error: "no access to this guild" };
  const perms = isOwner ? "Everything (Bot Owner)" : role === "OWNER" ? "Everything (Guild Owner)" : role === "ADMIN" ? "Admin" : role === "MOD" ? "Mod" : "None";
  const [core, extras, global, prefixes] = await Promise.all([
    bot.guildSettings.get(guildId),
    guildExtras(config, guildId),
    botSettings(config),
    bot.guildSettings.prefixesFor(guildId),
  ]);
  const named = (ids: readonly string[]) =>
    ids.flatMap((id) => details.roles.filter((r) => r.id === id).map((r) => ({ id: idForWire(r.id), name: r.name })));
  const presences = details.presences ?? { online: 0, idle: 0, dnd: 0, offline: 0 };
  return {
    status: 0,
    id: idForWire(details.id),
    name: details.name,
    owner: await ownerName(bot, details),
    owner_id: details.ownerId === null ? null : idForWire(details.ownerId),
    icon_url: iconUrl(details),
    icon_animated: details.iconAnimated,
    verification_level: VERIFICATION[details.verificationLevel] ?? "Unknown",
    created_at: seconds(details.createdAt) ?? 0,
    joined_at: seconds(details.joinedAt),
    members_number: details.memberCount ?? 0,
    online_number: presences.online,
    dnd_number: presences.dnd,
    idle_number: presences.idle,
    offline_number: presences.offline,
    bots_number: details.memberKinds?.bots ?? 0,
    humans_number: details.memberKinds?.humans ?? 0,
    channels_number: details.channels.total,
    text_channels_number: details.channels.text + details.channels.announcement,
    voice_channels_number: details.channels.voice,
    roles_number: details.roles.length,
    roles: rolesForWeb(details.roles, details.id),
    prefixes: [...prefixes].sort(),
    settings: {
      edit_permission: isOwner || role === "OWNER" || role === "ADMIN",
      bot_nickname: details.botNickname,
      prefixes: [...core.prefixes],
      admin_roles: named(core.adminRoles),
      mod_roles: named(core.modRoles),
      whitelist: extras.whitelist,
      blacklist: extras.blacklist,
      ignored: extras.ignored,
      disabled_commands: extras.disabled_commands,
      embeds: extras.embeds,
      use_bot_color: extras.use_bot_color,
      fuzzy: extras.fuzzy,
      delete_delay: extras.delete_delay,
      // As Red: a guild without its own locale uses the bot's.
      locale: extras.locale ?? global.locale,
      regional_format: extras.regional_format ?? global.regional_format,
    },
    perms,
  };
}

/** LEAVE_GUILD [user, guild] → `{status: 0}` once left; `{status: 1, error}` otherwise. */
export async function leaveGuild(bot: BotView, user: unknown, guild: unknown): Promise<Answer> {
  const userId = idOf(user);
  const guildId = idOf(guild);
  if (userId === null || guildId === null) return { status: 1, error: "invalid user or guild id" };
  if ((await bot.adapter.guildInfo(guildId)) === null) return { status: 1, error: "guild not found" };
  const { allowed } = await canEdit(bot, guildId, userId);
  if (!allowed) return { status: 1, error: "only a bot owner, or the guild's owner or an admin, may make the bot leave" };
  return (await bot.adapter.leaveGuild(guildId)) ? { status: 0 } : { status: 1, error: "the bot was not in that guild" };
}
