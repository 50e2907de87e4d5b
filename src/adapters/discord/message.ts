/**
 * Translation of a discord.js Message into the bot's ChatMessage, and sending replies.
 */
import type { Message, TextBasedChannel } from "discord.js";
import type { ChatMessage } from "../types.ts";
import { displayName } from "./info.ts";
import { toMemberInfo } from "./members.ts";
import { splitMessage } from "./split.ts";

/**
 * Sends `text` into `channel`, split into several messages when longer than Discord's limit,
 * in order. An empty text sends nothing (Discord rejects empty messages).
 */
export async function sendText(channel: TextBasedChannel, text: string): Promise<void> {
  if (typeof text !== "string") throw new TypeError("reply text must be a string");
  if (!channel.isSendable()) throw new Error(`Discord channel ${channel.id} does not accept messages`);
  for (const chunk of splitMessage(text)) {
    await channel.send(chunk);
  }
}

export function toChatMessage(message: Message): ChatMessage {
  const { author } = message;
  return {
    content: message.content,
    author: { id: author.id, name: displayName(author), bot: author.bot },
    channelId: message.channelId,
    guildId: message.guildId ?? null,
    // Discord sends the author's member (roles) with every guild message; null in DMs.
    member: message.member ? toMemberInfo(message.member) : null,
    reply: (text: string) => sendText(message.channel, text),
  };
}
