import type { Bot } from "../bot/bot.ts";
import { registerCoreCommands } from "./commands.ts";
import { registerGuildCommands } from "./guild-commands.ts";
import { registerCoreMetrics } from "./metrics.ts";
import { registerCoreRpc } from "./rpc.ts";
import { registerCoreTopics } from "./topics.ts";

/** The Core cog: always loaded, never unloadable by a package operation. */
export class Core {
  readonly name = "Core";
}

/** Adds the Core cog, in the bot's built-in scope, with its commands, RPC methods and topics. */
export async function addCore(bot: Bot): Promise<Core> {
  const core = new Core();
  const scope = bot.builtin;
  await scope.addCog(core);
  registerCoreCommands(bot, scope, core);
  registerGuildCommands(bot, scope, core);
  registerCoreRpc(bot, scope, core);
  registerCoreMetrics(bot, scope, core);
  registerCoreTopics(bot, scope, core);
  return core;
}
