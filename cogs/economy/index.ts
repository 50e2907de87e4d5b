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
  await bot.addCog(cog);
  registerCommands(bot, cog);
  registerRpc(bot, cog);
}
