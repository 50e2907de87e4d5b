import type { ChatMessage } from "../adapters/types.ts";
import type { Bot } from "./bot.ts";
import { isCogwheelError } from "../protocol/catalog.ts";
import { groupHelp } from "./commands.ts";

/**
 * Runs the prefix command a message invokes, if any. This is the one place where an error
 * becomes a line for the user: a catalog error whose code says `user` is shown as is (its first
 * line); anything else is logged in full and answered with a generic line.
 */
export async function handleMessage(bot: Bot, message: ChatMessage): Promise<void> {
  if (message.author.bot) return;
  const prefix = bot.prefixes.find((p) => message.content.startsWith(p));
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
  if (command.ownerOnly && !isOwner) {
    await reply(`Only the bot's owner can use ${prefix}${invokedAs}.`);
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
