import { UserError } from "cogwheel";
import type { DashboardConfig } from "./config.ts";
import { masked, setOAuth } from "./oauth.ts";
import type { PackageScope } from "./types.ts";

/**
 * The owner commands: `dashboard secret <secret>`, `dashboard redirect <uri|reset>`,
 * `dashboard http <on|off>` and `dashboard settings`. The secret is refused in a guild channel
 * (everyone there would read it): it is taken in a direct message or the console.
 */
export function registerCommands(bot: PackageScope, cog: object, config: DashboardConfig): void {
  bot.registerCommand(cog, {
    name: "dashboard secret",
    usage: "<client secret>",
    help: "Sets the Discord OAuth client secret the web dashboard logs in with (owner only; in a DM).",
    ownerOnly: true,
    run: async (ctx, args) => {
      if (ctx.message.guildId !== null) {
        throw new UserError("Not here: everyone in this channel could read it. Send it to me in a direct message (or use `cogwheel dashboard oauth`).");
      }
      if (args.length !== 1) throw new UserError(`Usage: ${ctx.prefix}dashboard secret <client secret>`);
      await setOAuth(config, args[0]);
      return "Discord OAuth client secret set.";
    },
  });

  bot.registerCommand(cog, {
    name: "dashboard redirect",
    usage: "<https://…/callback | reset>",
    help: "Sets the OAuth redirect URI of the web dashboard (owner only).",
    ownerOnly: true,
    run: async (ctx, args) => {
      if (args.length !== 1) throw new UserError(`Usage: ${ctx.prefix}dashboard redirect <https://…/callback | reset>`);
      const state = await setOAuth(config, null, args[0]!.toLowerCase() === "reset" ? null : args[0]);
      return state.redirect_uri === null ? "Redirect URI cleared." : `Redirect URI set to ${state.redirect_uri}.`;
    },
  });

  bot.registerCommand(cog, {
    name: "dashboard http",
    usage: "<on|off>",
    help: "Lets the web dashboard serve plain http to other hosts, not only https (owner only).",
    ownerOnly: true,
    run: async (ctx, args) => {
      const choice = args[0]?.toLowerCase();
      if (args.length !== 1 || (choice !== "on" && choice !== "off")) throw new UserError(`Usage: ${ctx.prefix}dashboard http <on|off>`);
      await config.global().set("allowUnsecureHttpRequests", choice === "on");
      return choice === "on"
        ? "The dashboard will accept plain http requests. Restart the web app to apply it."
        : "The dashboard will require https (except from this machine and private networks). Restart the web app to apply it.";
    },
  });

  bot.registerCommand(cog, {
    name: "dashboard settings",
    help: "Shows the web dashboard's settings, the OAuth secret masked (owner only).",
    ownerOnly: true,
    run: async () => {
      const global = await config.global().all();
      return [
        `OAuth client secret: ${masked(global.secret)}`,
        `Redirect URI: ${global.redirectUri ?? "not set"}`,
        `Plain http allowed: ${global.allowUnsecureHttpRequests ? "yes" : "no"}`,
        `Custom pages: ${global.customPages.length}`,
        `RPC: ${bot.bot.rpcAuth === null ? "not listening" : bot.bot.rpcAuth === "none" ? "no token auth: any local process can read the OAuth secret" : "token auth"}`,
      ].join("\n");
    },
  });
}
