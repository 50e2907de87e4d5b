/**
 * The few actions a dashboard takes on the bot's own presence: leave a guild, change its
 * nickname in one, change its avatar. Discord's refusals become one-line API_ERRORs.
 */
import type { Client, GuildMember } from "discord.js";
import { AdapterError } from "../errors.ts";
import { apiError, DiscordAdapterError, isNotFound } from "./errors.ts";

/** Leaves a guild (DELETE /users/@me/guilds/:id); false when the bot is not in it. */
export async function leaveGuild(client: Client<true>, guildId: string): Promise<boolean> {
  const guild = client.guilds.cache.get(guildId);
  if (!guild) return false;
  try {
    await guild.leave();
  } catch (error) {
    if (isNotFound(error)) return false; // left meanwhile
    throw apiError(`Discord refused to let the bot leave ${guild.name}`, error);
  }
  return true;
}

/** Sets or (null) removes the bot's nickname in a guild (PATCH /guilds/:id/members/@me). */
export async function setNickname(client: Client<true>, guildId: string, nickname: string | null): Promise<void> {
  if (nickname !== null && typeof nickname !== "string") {
    throw new DiscordAdapterError("INVALID_OPTIONS", "Discord adapter: a nickname must be a string or null");
  }
  const guild = client.guilds.cache.get(guildId);
  if (!guild) throw new AdapterError("ERR_ADAPTER_NOT_IN_GUILD", `The bot is not in guild ${guildId}.`);
  // Discord treats an empty nickname as none; null says so plainly.
  const nick = nickname === null || nickname.trim() === "" ? null : nickname;
  let me: GuildMember;
  try {
    me = await guild.members.editMe({ nick });
  } catch (error) {
    throw apiError("Discord refused the nickname", error);
  }
  // discord.js hands back an updated copy and leaves its cache to GUILD_MEMBER_UPDATE, an
  // event of the privileged GuildMembers intent: without it the cache would keep the old name.
  guild.members.cache.set(me.id, me);
}

/** Image types Discord takes for an avatar, by their first bytes. */
const SIGNATURES: readonly { readonly mime: string; readonly bytes: readonly number[] }[] = [
  { mime: "image/png", bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mime: "image/jpeg", bytes: [0xff, 0xd8, 0xff] },
  { mime: "image/gif", bytes: [0x47, 0x49, 0x46, 0x38] },
];

/** The image's MIME type from its first bytes; null for anything else. */
export function imageType(image: Uint8Array): string | null {
  const match = SIGNATURES.find(({ bytes }) => bytes.every((byte, i) => image[i] === byte));
  return match?.mime ?? null;
}

/**
 * Sets the avatar from PNG, JPEG or GIF bytes, or with null resets it (PATCH /users/@me).
 * The data URI is built here with the image's real type (discord.js would call every buffer
 * image/jpg).
 */
export async function setAvatar(client: Client<true>, image: Uint8Array | null): Promise<void> {
  let avatar: string | null = null;
  if (image !== null) {
    if (!(image instanceof Uint8Array)) {
      throw new DiscordAdapterError("INVALID_OPTIONS", "Discord adapter: an avatar must be image bytes or null");
    }
    const mime = imageType(image);
    if (mime === null) throw new DiscordAdapterError("INVALID_OPTIONS", "Discord adapter: an avatar must be a PNG, JPEG or GIF image");
    avatar = `data:${mime};base64,${Buffer.from(image.buffer, image.byteOffset, image.byteLength).toString("base64")}`;
  }
  try {
    await client.user.setAvatar(avatar);
  } catch (error) {
    throw apiError("Discord refused the avatar", error);
  }
}
