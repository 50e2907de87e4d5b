/**
 * Look-ups: owners, guilds and users, from discord.js's cache or a REST fetch.
 */
import { Team, TeamMemberMembershipState, User, type Client, type Guild } from "discord.js";
import type { GuildInfo, UserInfo } from "../types.ts";
import { isNotFound } from "./errors.ts";

/** The name people see: the global display name, else the username. */
export function displayName(user: Pick<User, "globalName" | "username">): string {
  return user.globalName ?? user.username;
}

const SNOWFLAKE = /^\d{17,20}$/;

/** True for strings shaped like a Discord id; anything else is unknown without asking. */
export function isSnowflake(id: unknown): id is string {
  return typeof id === "string" && SNOWFLAKE.test(id);
}

/**
 * The application's owner, or the team members who accepted their invitation when a team
 * owns the application (pending invitees are not owners).
 */
export async function fetchOwnerIds(client: Client<true>): Promise<string[]> {
  const application = await client.application.fetch();
  const owner = application.owner;
  if (owner instanceof Team) {
    return owner.members
      .filter((member) => member.membershipState === TeamMemberMembershipState.Accepted)
      .map((member) => member.id);
  }
  if (owner instanceof User) return [owner.id];
  return [];
}

/** The facts every guild look-up answers with. */
export function toGuildInfo(guild: Guild): GuildInfo {
  return {
    id: guild.id,
    name: guild.name,
    memberCount: guild.memberCount ?? guild.approximateMemberCount ?? null,
    ownerId: guild.ownerId ?? null,
    createdAt: guild.createdAt,
  };
}

export async function lookUpGuild(client: Client<true>, guildId: string): Promise<GuildInfo | null> {
  if (!isSnowflake(guildId)) return null;
  try {
    // Answers from the cache when the guild is there (GUILD_CREATE), else GET /guilds/:id.
    return toGuildInfo(await client.guilds.fetch(guildId));
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

function toUserInfo(user: User): UserInfo {
  return { id: user.id, name: displayName(user), bot: user.bot, createdAt: user.createdAt };
}

export async function lookUpUser(client: Client<true>, userId: string): Promise<UserInfo | null> {
  if (!isSnowflake(userId)) return null;
  try {
    // Answers from the cache when the user is there, else GET /users/:id.
    return toUserInfo(await client.users.fetch(userId));
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
