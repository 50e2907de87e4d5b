import type { Bot } from "../bot/bot.ts";
import type { PackageScope } from "../bot/scope.ts";
import { array, boolean, integer, nullable, number, object, optional, record, string, type JsonSchema } from "../rpc/index.ts";
import { versions } from "./versions.ts";

const names = (description: string): JsonSchema => array(string(), { description });
const pkgNames = { pkg_names: names("Package names, as `[pkg_names]`: `[[\"general\", \"economy\"]]`.") };

/** CORE__LOAD's and CORE__RELOAD's result (Red's shape). */
export const LOAD_RESULT: JsonSchema = object({
  loaded_packages: names("Loaded now."),
  failed_packages: names("Found but failed to load (setup threw or ran past its deadline)."),
  invalid_pkg_names: names("Not valid package names."),
  notfound_packages: names("Not found in any cog path."),
  alreadyloaded_packages: names("Already loaded; left as they were."),
  failed_with_reason_packages: record(string(), { description: "Why each failed package failed: {name: reason}." }),
  repos_with_shared_libs: names("Always empty (Red's downloader field)."),
});

/** CORE__UNLOAD's result (Red's shape, plus the reasons of unloads that did not go cleanly). */
export const UNLOAD_RESULT: JsonSchema = object({
  unloaded_packages: names("Unloaded now."),
  notloaded_packages: names("Were not loaded."),
  unload_errors: record(string(), { description: "Unloaded anyway, but a clean-up failed or ran late: {name: reason}; {} when all went well." }),
});

/**
 * CORE__METRICS's declaration; src/core/metrics.ts registers the method and spreads this into
 * its options (`{ ...METRICS_SCHEMAS, name, doc }`).
 */
export const METRICS_SCHEMAS = {
  params: { reset: optional(nullable(boolean({ description: "true: start a new delay histogram after answering." }))) },
  result: object({
    uptime_s: integer({ minimum: 0 }),
    rss_bytes: integer({ minimum: 0 }),
    heap_used_bytes: integer({ minimum: 0 }),
    rpc_connections: integer({ minimum: 0 }),
    rpc_calls_per_s: integer({ minimum: 0, description: "RPC requests answered in the last closed one-second window." }),
    event_loop_delay_ms: object({
      p50: number({ minimum: 0 }),
      p99: number({ minimum: 0 }),
      max: number({ minimum: 0 }),
      samples: integer({ minimum: 0 }),
    }),
  }),
} as const;

/**
 * Registers Core's RPC methods (Red's names and result shapes). Errors are not translated here:
 * the bot's catalog errors say their wire code (a refused rename is -32001 with the platform's
 * reason, a name too long -32602) and the server sends them as such.
 */
export function registerCoreRpc(bot: Bot, scope: PackageScope, core: object): void {
  // The server checks params against the schemas below before a handler runs.
  scope.registerRpcHandler(core, (pkgNames: string[]) => bot.packages.load(pkgNames), {
    name: "load",
    params: pkgNames,
    result: LOAD_RESULT,
    doc: "Loads packages by name. Returns {loaded_packages, failed_packages, invalid_pkg_names, notfound_packages, alreadyloaded_packages, failed_with_reason_packages, repos_with_shared_libs}.",
  });
  scope.registerRpcHandler(core, (pkgNames: string[]) => bot.packages.unload(pkgNames), {
    name: "unload",
    params: pkgNames,
    result: UNLOAD_RESULT,
    doc: "Unloads packages by name. Returns {unloaded_packages, notloaded_packages, unload_errors}.",
  });
  scope.registerRpcHandler(core, (pkgNames: string[]) => bot.packages.reload(pkgNames), {
    name: "reload",
    params: pkgNames,
    result: LOAD_RESULT,
    doc: "Reloads packages from disk (new code runs). Returns the same shape as CORE__LOAD.",
  });
  scope.registerRpcHandler(
    core,
    async (name?: string | null) => {
      if (name !== undefined && name !== null) await bot.setName(name);
      return bot.name;
    },
    {
      name: "name",
      params: { name: optional(nullable(string({ minLength: 2, description: "The new name: 2 to 32 characters once trimmed." }))) },
      result: string(),
      doc: "Returns the bot's name; with a name, renames the bot first.",
    },
  );
  scope.registerRpcHandler(
    core,
    async (prefixes?: string[] | null) => {
      if (prefixes !== undefined && prefixes !== null) await bot.setPrefixes(prefixes);
      return [...bot.prefixes];
    },
    {
      name: "prefixes",
      params: {
        prefixes: optional(
          nullable(array(string({ minLength: 1, pattern: "^\\S+$" }), { minItems: 1, description: "The new prefixes: at least one, without spaces." })),
        ),
      },
      result: array(string()),
      doc: "Returns the prefixes; with a list, replaces them first.",
    },
  );
  scope.registerRpcHandler(core, () => ({ ...versions }), {
    name: "version_info",
    params: {},
    result: object({ cogwheel: string(), discord_js: string(), node: string() }),
    doc: "Returns the versions of cogwheel, discord.js and Node: {cogwheel, discord_js, node}.",
  });
  scope.registerRpcHandler(core, () => bot.inviteUrl(), {
    name: "invite_url",
    params: {},
    result: nullable(string({ format: "uri" })),
    doc: "Returns the bot's invite URL (null when not connected to Discord).",
  });
}
