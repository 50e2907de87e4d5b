import { isAbsolute } from "node:path";
import type { Logger } from "pino";
import type { BotDeadlines } from "../bot/bot.ts";
import { checkUrl } from "../config/postgres/options.ts";
import { DEFAULT_PORT } from "../protocol/constants.ts";
import { CONSOLE_ASSETS_DIR } from "./console-assets.ts";
import { AppError } from "./errors.ts";

/** What it takes to run a bot; `cogwheel start` fills it from flags. */
export interface AppOptions {
  /** Config (unless `configUrl`) and state (lock, token file). Created if missing. */
  readonly dataDir: string;
  /**
   * Keep config in PostgreSQL at this URL (`postgres://user[:password]@host:port/database`),
   * shared by every bot on that database, instead of JSON files in `<dataDir>/config`. Each bot
   * still keeps its own data dir for its lock and token file. Checked up front
   * (`ERR_CONFIG_INVALID_URL`); null or absent: JSON files.
   */
  readonly configUrl?: string | null;
  readonly logger: Logger;
  /** The RPC server; off unless `enabled`. */
  readonly rpc?: {
    readonly enabled?: boolean;
    readonly port?: number;
    readonly allowedOrigins?: readonly string[];
    /** `token`: clients must present the fresh token written to `<dataDir>/rpc.token`. */
    readonly auth?: "none" | "token";
    /**
     * Serve the web console at `http://127.0.0.1:<port>/` (DESIGN §8) when the server is on.
     * Default true; off, plain HTTP gets the 426 help text.
     */
    readonly console?: boolean;
    /** The console's built files (absolute). Default: `<package root>/dist/console`. */
    readonly consoleDir?: string;
  };
  /** A Discord bot token; without one the bot runs in console mode. */
  readonly discordToken?: string | null;
  /** Another Discord REST base URL (the loopback stand-in in tests). */
  readonly discordApiUrl?: string | null;
  /**
   * Privileged Discord intents to ask for (each also switched on in the Developer Portal):
   * `members` for member caches and bot/human counts, `presences` for online counts.
   */
  readonly discordIntents?: { readonly members?: boolean; readonly presences?: boolean };
  /** Extra cog paths, searched first. */
  readonly cogPaths?: readonly string[];
  /** The bundled cogs folder; null for none. Default: Cogwheel's `cogs/`. */
  readonly bundledCogPath?: string | null;
  /** Prefixes for this run, overriding the remembered ones. */
  readonly prefixes?: readonly string[];
  /** Owner ids besides those the platform reports. */
  readonly owners?: readonly string[];
  readonly deadlines?: BotDeadlines;
}

/** {@link AppOptions} with every default applied. */
export interface ResolvedAppOptions {
  readonly dataDir: string;
  readonly configUrl: string | null;
  readonly logger: Logger;
  readonly rpc: {
    readonly enabled: boolean;
    readonly port: number;
    readonly allowedOrigins: readonly string[];
    readonly auth: "none" | "token";
    readonly console: boolean;
    /** null when no package root was found (the App then warns and serves no console). */
    readonly consoleDir: string | null;
  };
  readonly discordToken: string | null;
  readonly discordApiUrl: string | null;
  readonly discordIntents: { readonly members: boolean; readonly presences: boolean };
  readonly cogPaths: readonly string[];
  readonly bundledCogPath: string | null | undefined;
  readonly prefixes: readonly string[];
  readonly owners: readonly string[];
  readonly deadlines: BotDeadlines;
}

/** The defaults, in one place. */
export const APP_DEFAULTS = {
  rpc: { enabled: false, port: DEFAULT_PORT, allowedOrigins: [] as readonly string[], auth: "none" as const, console: true, consoleDir: CONSOLE_ASSETS_DIR },
} as const;

const KNOWN = new Set(["dataDir", "configUrl", "logger", "rpc", "discordToken", "discordApiUrl", "discordIntents", "cogPaths", "bundledCogPath", "prefixes", "owners", "deadlines"]);
const KNOWN_RPC = new Set(["enabled", "port", "allowedOrigins", "auth", "console", "consoleDir"]);
const KNOWN_INTENTS = new Set(["members", "presences"]);

/**
 * Checks options up front (unknown ones are errors) and applies the defaults.
 *
 * @throws AppError `ERR_APP_OPTION`; ConfigError `ERR_CONFIG_INVALID_URL` for `configUrl`
 */
export function resolveAppOptions(options: AppOptions): ResolvedAppOptions {
  if (typeof options !== "object" || options === null) throw invalid("options must be an object");
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) throw invalid(`unknown option ${JSON.stringify(key)}`);
  if (typeof options.dataDir !== "string" || options.dataDir.trim() === "") throw invalid("dataDir must be a non-empty path");
  if (typeof options.logger !== "object" || options.logger === null) throw invalid("logger must be a pino logger");
  const configUrl = options.configUrl ?? null;
  // A ConfigError ERR_CONFIG_INVALID_URL, whose message names the URL without its password.
  if (configUrl !== null) checkUrl(configUrl);
  const rpc = options.rpc ?? {};
  for (const key of Object.keys(rpc)) if (!KNOWN_RPC.has(key)) throw invalid(`unknown option rpc.${key}`);
  const auth = rpc.auth ?? APP_DEFAULTS.rpc.auth;
  if (auth !== "none" && auth !== "token") throw invalid('rpc.auth must be "none" or "token"');
  if (rpc.console !== undefined && typeof rpc.console !== "boolean") throw invalid("rpc.console must be true or false");
  if (rpc.consoleDir !== undefined && (typeof rpc.consoleDir !== "string" || !isAbsolute(rpc.consoleDir))) throw invalid("rpc.consoleDir must be an absolute path");
  if (rpc.port !== undefined && (!Number.isInteger(rpc.port) || rpc.port < 0 || rpc.port > 65535)) throw invalid("rpc.port must be a whole number from 0 to 65535");
  for (const [key, list] of [["rpc.allowedOrigins", rpc.allowedOrigins], ["cogPaths", options.cogPaths], ["prefixes", options.prefixes], ["owners", options.owners]] as const) {
    if (list !== undefined && (!Array.isArray(list) || !list.every((item) => typeof item === "string" && item !== ""))) {
      throw invalid(`${key} must be a list of non-empty strings`);
    }
  }
  const token = options.discordToken ?? null;
  if (token !== null && (typeof token !== "string" || token.trim() === "")) throw invalid("discordToken must be a non-empty string or null");
  const intents = options.discordIntents ?? {};
  if (typeof intents !== "object" || intents === null || Array.isArray(intents)) throw invalid("discordIntents must be an object");
  for (const [key, value] of Object.entries(intents)) {
    if (!KNOWN_INTENTS.has(key)) throw invalid(`unknown option discordIntents.${key} (known: members, presences)`);
    if (value !== undefined && typeof value !== "boolean") throw invalid(`discordIntents.${key} must be true or false`);
  }
  return {
    dataDir: options.dataDir,
    configUrl,
    logger: options.logger,
    rpc: {
      enabled: rpc.enabled ?? APP_DEFAULTS.rpc.enabled,
      port: rpc.port ?? APP_DEFAULTS.rpc.port,
      allowedOrigins: rpc.allowedOrigins ?? APP_DEFAULTS.rpc.allowedOrigins,
      auth,
      console: rpc.console ?? APP_DEFAULTS.rpc.console,
      consoleDir: rpc.consoleDir ?? APP_DEFAULTS.rpc.consoleDir,
    },
    discordToken: token,
    discordApiUrl: options.discordApiUrl ?? null,
    discordIntents: { members: intents.members ?? false, presences: intents.presences ?? false },
    cogPaths: options.cogPaths ?? [],
    bundledCogPath: options.bundledCogPath,
    prefixes: options.prefixes ?? [],
    owners: options.owners ?? [],
    deadlines: options.deadlines ?? {},
  };
}

function invalid(message: string): AppError {
  return new AppError("ERR_APP_OPTION", message);
}
