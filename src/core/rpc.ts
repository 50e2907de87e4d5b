import type { Bot } from "../bot/bot.ts";
import { BotError } from "../bot/errors.ts";
import { RpcError } from "../rpc/index.ts";
import { versions } from "./versions.ts";

/** The RPC error for a refusal of the chat platform (Discord rate limit, not connected…). */
export const PLATFORM_ERROR = -32001;

/** Turns a platform refusal into a typed RPC error the client can show; rethrows anything else. */
function platformRefusal(error: unknown): never {
  if (error instanceof BotError && error.code === "ERR_ADAPTER") throw new RpcError(PLATFORM_ERROR, error.message);
  throw error;
}

/** Checks `pkg_names`: a list of strings, as Red's clients send it. */
function packageNames(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw RpcError.invalidParams({ reason: "pkg_names must be a list of package names (strings)" });
  }
  return value;
}

/** Registers Core's RPC methods (Red's names and result shapes). */
export function registerCoreRpc(bot: Bot, core: object): void {
  bot.registerRpcHandler(core, (pkgNames: unknown) => bot.packages.load(packageNames(pkgNames)), {
    name: "load",
    params: ["pkg_names"],
    doc: "Loads packages by name. Returns {loaded_packages, failed_packages, invalid_pkg_names, notfound_packages, alreadyloaded_packages, failed_with_reason_packages, repos_with_shared_libs}.",
  });
  bot.registerRpcHandler(core, (pkgNames: unknown) => bot.packages.unload(packageNames(pkgNames)), {
    name: "unload",
    params: ["pkg_names"],
    doc: "Unloads packages by name. Returns {unloaded_packages, notloaded_packages}.",
  });
  bot.registerRpcHandler(core, (pkgNames: unknown) => bot.packages.reload(packageNames(pkgNames)), {
    name: "reload",
    params: ["pkg_names"],
    doc: "Reloads packages from disk (new code runs). Returns the same shape as CORE__LOAD.",
  });
  bot.registerRpcHandler(
    core,
    async (name?: unknown) => {
      if (name !== undefined && name !== null) {
        if (typeof name !== "string") throw RpcError.invalidParams({ reason: "name must be a string" });
        try {
          await bot.setName(name);
        } catch (error) {
          if (error instanceof RangeError) throw RpcError.invalidParams({ reason: error.message });
          platformRefusal(error);
        }
      }
      return bot.name;
    },
    { name: "name", params: ["name?"], doc: "Returns the bot's name; with a name, renames the bot first." },
  );
  bot.registerRpcHandler(
    core,
    async (prefixes?: unknown) => {
      if (prefixes !== undefined && prefixes !== null) {
        try {
          await bot.setPrefixes(prefixes as string[]);
        } catch (error) {
          if (error instanceof RangeError) throw RpcError.invalidParams({ reason: error.message });
          throw error;
        }
      }
      return [...bot.prefixes];
    },
    { name: "prefixes", params: ["prefixes?"], doc: "Returns the prefixes; with a list, replaces them first." },
  );
  bot.registerRpcHandler(core, () => ({ ...versions }), {
    name: "version_info",
    params: [],
    doc: "Returns the versions of cogwheel, discord.js and Node: {cogwheel, discord_js, node}.",
  });
  bot.registerRpcHandler(core, () => bot.inviteUrl().catch(platformRefusal), {
    name: "invite_url",
    params: [],
    doc: "Returns the bot's invite URL (null when not connected to Discord).",
  });
}
