/**
 * The `economy` package: a bank of per-guild balances with payday, transfers and a
 * leaderboard, remote-controllable over RPC (ECONOMY__BALANCE, ECONOMY__SET_BALANCE,
 * ECONOMY__LEADERBOARD) with a live topic (ECONOMY__BALANCE_CHANGED).
 * Load it with `!load economy` or RPC `CORE__LOAD [["economy"]]`.
 */
import type { PackageScope } from "cogwheel";
import { Economy } from "./bank.ts";
import { registerCommands } from "./commands.ts";
import { registerRpc } from "./rpc.ts";

export async function setup(bot: PackageScope): Promise<void> {
  const cog = new Economy(bot);
  // Every command reads this config: a corrupt or hand-edited Economy.json refuses the load
  // here (the package manager reports it with the file and key), instead of each command
  // failing later with no reason.
  await cog.config.ready();
  await bot.addCog(cog);
  registerCommands(bot, cog);
  registerRpc(bot, cog);
}
