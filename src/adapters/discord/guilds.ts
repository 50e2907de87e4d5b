/**
 * The guild side of the dashboard surface, from discord.js's cache (the Guilds intent fills
 * it with guilds, roles and channels; members and presences need the privileged intents).
 */
import { ChannelType, type Client, type Guild } from "discord.js";
import type { AdapterIntents, AdapterStats, ChannelCounts, GuildDetails, GuildInfo, PresenceCounts, RoleInfo } from "../types.ts";
import { toGuildInfo } from "./info.ts";

/** Guilds in the cache with their data (one in an outage is only an id until it returns). */
function available(client: Client<true>): Guild[] {
  return [...client.guilds.cache.values()].filter((guild) => guild.available);
}

/** Every guild the bot is in and can see, by name then id (a stable order for lists). */
export function listGuilds(client: Client<true>): GuildInfo[] {
  return available(client)
    .map(toGuildInfo)
    .sort((a, b) => a.name.localeCompare(b.name) || compareIds(a.id, b.id));
}

/** Snowflakes compared as numbers (longer is larger), without BigInt. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A guild's channels by type; threads are not channels here. A media channel (type 16) counts
 * in `total` only: the contract has no bucket for it.
 */
export function channelCounts(guild: Guild): ChannelCounts {
  const counts = { text: 0, voice: 0, category: 0, stage: 0, forum: 0, announcement: 0, total: 0 };
  for (const channel of guild.channels.cache.values()) {
    if (channel.isThread()) continue;
    counts.total++;
    switch (channel.type) {
      case ChannelType.GuildText:
        counts.text++;
        break;
      case ChannelType.GuildVoice:
        counts.voice++;
        break;
      case ChannelType.GuildCategory:
        counts.category++;
        break;
      case ChannelType.GuildStageVoice:
        counts.stage++;
        break;
      case ChannelType.GuildForum:
        counts.forum++;
        break;
      case ChannelType.GuildAnnouncement:
        counts.announcement++;
        break;
      default:
        break;
    }
  }
  return counts;
}

function roles(guild: Guild): RoleInfo[] {
  return [...guild.roles.cache.values()]
    .sort((a, b) => b.position - a.position || compareIds(a.id, b.id))
    .map((role) => ({
      id: role.id,
      name: role.name,
      position: role.position,
      permissions: role.permissions.bitfield.toString(),
      color: role.colors.primaryColor,
      managed: role.managed,
    }));
}

/**
 * Discord sends presences of members who are not offline (GUILD_CREATE, PRESENCE_UPDATE);
 * everyone else in the member count is offline (invisible members look offline to bots too).
 */
function presenceCounts(guild: Guild): PresenceCounts {
  const counts = { online: 0, idle: 0, dnd: 0, offline: 0 };
  for (const presence of guild.presences.cache.values()) {
    if (presence.status === "online" || presence.status === "idle" || presence.status === "dnd") counts[presence.status]++;
  }
  counts.offline = Math.max(0, guild.memberCount - counts.online - counts.idle - counts.dnd);
  return counts;
}

/**
 * Bots among the members the bot has seen (GUILD_CREATE and member events, which the
 * GuildMembers intent brings); humans are the rest of the member count.
 */
function memberKinds(guild: Guild): { bots: number; humans: number } {
  const bots = guild.members.cache.filter((member) => member.user.bot).size;
  return { bots, humans: Math.max(0, guild.memberCount - bots) };
}

/** One guild in full; null when the bot is not in it. */
export function guildDetails(client: Client<true>, guildId: string, intents: AdapterIntents): GuildDetails | null {
  const guild = client.guilds.cache.get(guildId);
  if (!guild?.available) return null;
  return {
    ...toGuildInfo(guild),
    iconUrl: guild.iconURL(),
    iconAnimated: guild.icon?.startsWith("a_") ?? false,
    verificationLevel: guild.verificationLevel,
    joinedAt: guild.joinedTimestamp ? new Date(guild.joinedTimestamp) : null,
    botNickname: guild.members.me?.nickname ?? null,
    roles: roles(guild),
    channels: channelCounts(guild),
    presences: intents.presences ? presenceCounts(guild) : null,
    memberKinds: intents.members ? memberKinds(guild) : null,
  };
}

/** Counts across every guild in the cache. */
export function stats(client: Client<true>): AdapterStats {
  const totals = { guilds: 0, text: 0, voice: 0, categories: 0, users: 0 };
  for (const guild of available(client)) {
    const channels = channelCounts(guild);
    totals.guilds++;
    totals.text += channels.text;
    totals.voice += channels.voice;
    totals.categories += channels.category;
    totals.users += guild.memberCount ?? 0;
  }
  return totals;
}
