import type { ChatMessage, MemberInfo } from "../adapters/types.ts";
import type { Bot } from "./bot.ts";
import { isCogwheelError } from "../protocol/catalog.ts";
import { groupHelp, type Command } from "./commands.ts";
import { isGuildLevel, levelWho, meets } from "./privilege.ts";

/**
 * Runs the prefix command a message invokes, if any. This is the one place where an error
 * becomes a line for the user: a catalog error whose code says `user` is shown as is (its first
 * line); anything else is logged in full and answered with a generic line.
 *
 * Cheap for messages that are no command: the prefixes (a guild's own, else the global ones)
 * come from memory, and nothing is awaited before a prefix matched.
 */
export async function handleMessage(bot: Bot, message: ChatMessage): Promise<void> {
  if (message.author.bot) return;
  const prefix = bot.guildSettings.prefixesIn(message.guildId).find((p) => message.content.startsWith(p));
  if (prefix === undefined) return;
  const match = bot.commands.match(message.content.slice(prefix.length));
  const reply = (text: string): Promise<void> =>
    message.reply(text).catch((error: unknown) => bot.logger.error({ err: error }, "could not send a reply"));
  if (match === null) {
    const word = message.content.slice(prefix.length).trim().split(/\s+/)[0];
    // A group alone (`!set`), or with a word that is none of its commands, shows the group's
    // help, as `!help set` does: `!help` lists `!set name`, so `set` is not an unknown command.
    const group = word ? bot.commands.group(word) : [];
    if (group.length > 0) {
      await reply(groupHelp(prefix, group));
      return;
    }
    if (bot.hintUnknownCommands && word) await reply(`Unknown command "${word}". Type ${prefix}help for the list.`);
    return;
  }
  const { command, invokedAs, args } = match;
  const isOwner = bot.isOwner(message.author.id);
  const refusal = await refuse(bot, message, command, `${prefix}${invokedAs}`, isOwner);
  if (refusal !== null) {
    await reply(refusal);
    return;
  }
  try {
    const result = await command.run({ message, prefix, command: invokedAs, isOwner, reply }, args);
    if (typeof result === "string" && result !== "") await reply(result);
  } catch (error) {
    if (isCogwheelError(error) && error.user) {
      await reply(error.message.split("\n")[0]!);
      return;
    }
    bot.logger.error({ command: invokedAs, cog: command.cogName, err: error }, "command failed");
    await reply(`Something went wrong running ${prefix}${invokedAs}; the error was logged.`);
  }
}

/**
 * Why the author may not run the command (`typed`, as `!set serverprefix`), or null if they may.
 * The guild levels exist only in a guild, so they refuse in direct messages even a bot owner;
 * elsewhere bot owners pass everything.
 */
async function refuse(bot: Bot, message: ChatMessage, command: Command, typed: string, isOwner: boolean): Promise<string | null> {
  const needed = command.privilege;
  if (needed === "none") return null;
  if (isGuildLevel(needed) && message.guildId === null) return `${typed} only works in a server.`;
  if (isOwner) return null;
  if (needed !== "owner") {
    const member = message.member ?? (await lookUpMember(bot, message.guildId!, message.author.id));
    if (member !== null && meets(bot.privilegeOf(member), needed)) return null;
  }
  return `Only ${levelWho(needed)} can use ${typed}.`;
}

/** The author as a member when the adapter did not attach it; null if unknown or the look-up fails. */
async function lookUpMember(bot: Bot, guildId: string, userId: string): Promise<MemberInfo | null> {
  try {
    return await bot.adapter.member(guildId, userId);
  } catch (error) {
    bot.logger.warn({ guildId, userId, err: error }, "could not look up a member for a permission check; treated as no privilege");
    return null;
  }
}
