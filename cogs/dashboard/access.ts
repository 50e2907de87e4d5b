import type { BotView, MemberInfo } from "./types.ts";

/** Discord's MANAGE_GUILD bit: AAA3A's dashboard lets such members edit like admins. */
const MANAGE_GUILD = 1n << 5n;

/** What a member is in a guild, for the dashboard (GET_USER_GUILDS `user_role`). */
export type GuildRole = "OWNER" | "ADMIN" | "MOD";

function hasManageGuild(member: MemberInfo): boolean {
  try {
    return (BigInt(member.permissions) & MANAGE_GUILD) !== 0n;
  } catch {
    return false; // not digits: no permission bits to read
  }
}

/**
 * A member's dashboard role: `OWNER` for the guild's owner, `ADMIN` for an admin (admin role,
 * Administrator, Manage Server, or a bot owner), `MOD` for a mod, null for anyone else.
 */
export async function guildRole(bot: BotView, member: MemberInfo): Promise<GuildRole | null> {
  if (member.isGuildOwner) return "OWNER";
  const privilege = await bot.privilegeOf(member);
  if (privilege === "admin" || privilege === "guildOwner" || privilege === "owner" || hasManageGuild(member)) return "ADMIN";
  if (privilege === "mod") return "MOD";
  return null;
}

/**
 * Who may change a guild's settings or make the bot leave it: a bot owner, or a member who is
 * the guild's owner or an admin there (as AAA3A: admin, Administrator or Manage Server).
 * Resolves the member too, for callers that need it; null when the user is not in the guild.
 */
export async function canEdit(bot: BotView, guildId: string, userId: string): Promise<{ allowed: boolean; member: MemberInfo | null }> {
  const member = await bot.adapter.member(guildId, userId);
  if (bot.isOwner(userId)) return { allowed: true, member };
  if (member === null) return { allowed: false, member };
  const role = await guildRole(bot, member);
  return { allowed: role === "OWNER" || role === "ADMIN", member };
}
