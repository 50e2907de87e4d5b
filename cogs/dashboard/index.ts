/**
 * The `dashboard` package: the bot side of Red-Dashboard (the AAA3A fork, 1.7.x). Its cogs are
 * named so that the methods come out as the web app calls them: DASHBOARDRPC__*,
 * DASHBOARDRPC_DEFAULTCOGS__*, DASHBOARDRPC_THIRDPARTIES__*, DASHBOARDRPC_WEBHOOKS__*; the
 * `Dashboard` cog holds the owner commands (`dashboard …`) and DASHBOARD__SET_OAUTH.
 * Load it with `!load dashboard` or RPC `CORE__LOAD [["dashboard"]]`.
 */
import type { PackageScope } from "cogwheel";
import { registerCommands } from "./commands.ts";
import { ensureKeys, openConfig } from "./config.ts";
import { registerRpc } from "./rpc.ts";

export async function setup(bot: PackageScope): Promise<void> {
  const config = openConfig(bot);
  // A corrupt Dashboard.json refuses the load with its reason, not every method later.
  await config.ready();
  await ensureKeys(config);
  const cogs = {
    main: { name: "DASHBOARDRPC", description: "Red-Dashboard's methods: pages, guilds, settings." },
    defaultCogs: { name: "DASHBOARDRPC_DEFAULTCOGS", description: "Red-Dashboard's Alias/CustomCommands forms (absent in Cogwheel)." },
    thirdParties: { name: "DASHBOARDRPC_THIRDPARTIES", description: "Red-Dashboard's third-party pages (none in Cogwheel)." },
    webhooks: { name: "DASHBOARDRPC_WEBHOOKS", description: "Red-Dashboard's webhooks, forwarded as the webhookReceived event." },
    owner: { name: "Dashboard", description: "Interact with the bot through Red-Dashboard, a web dashboard." },
  };
  for (const cog of Object.values(cogs)) await bot.addCog(cog);
  registerCommands(bot, cogs.owner, config);
  registerRpc(bot, cogs, config);
  if (bot.bot.rpcAuth === "none") {
    // As on Red: GET_DATA hands the OAuth secret and the session keys to any RPC client.
    bot.logger.warn(
      { package: bot.name },
      "dashboard: the RPC server has no token auth (--rpc-auth none): any local process can read the Discord OAuth client secret and the dashboard's session keys",
    );
  }
}
