import type { Bot } from "../bot/bot.ts";
import { registerCoreCommands } from "./commands.ts";
import { registerCoreMetrics } from "./metrics.ts";
import { registerCoreRpc } from "./rpc.ts";
import { registerCoreTopics } from "./topics.ts";

/** The Core cog: always loaded, never unloadable by a package operation. */
export class Core {
  readonly name = "Core";
}

/** Adds the Core cog with its commands, RPC methods and topics. */
export async function addCore(bot: Bot): Promise<Core> {
  const core = new Core();
  await bot.addCog(core);
  registerCoreCommands(bot, core, Date.now());
  registerCoreRpc(bot, core);
  registerCoreMetrics(bot, core);
  registerCoreTopics(bot, core);
  return core;
}
