/**
 * The `general` package: small everyday commands (choose, roll, flip, 8ball, serverinfo,
 * userinfo). Load it with `!load general` or RPC `CORE__LOAD [["general"]]`.
 */
import type { PackageScope } from "cogwheel";
import { registerCommands } from "./commands.ts";
import { General } from "./general.ts";

export async function setup(bot: PackageScope): Promise<void> {
  const cog = new General();
  await bot.addCog(cog);
  registerCommands(bot, cog);
}
