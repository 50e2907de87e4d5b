import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createConsoleAdapter } from "../adapters/console.ts";
import { createDiscordAdapter } from "../adapters/discord/index.ts";
import type { Adapter } from "../adapters/types.ts";
import { Bot, type BotDeadlines, type BotOptions } from "../bot/bot.ts";
import { openConfigStore, PostgresDriver, type ConfigStore } from "../config/index.ts";
import { createRpcServer, type RpcServerOptions } from "../rpc/index.ts";
import { addCore } from "../core/core-cog.ts";
import { versions } from "../core/versions.ts";
import type { ResolvedAppOptions } from "./options.ts";

/** The cogs shipped with Cogwheel (`cogs/` at the repository root). */
export const BUNDLED_COG_PATH = fileURLToPath(new URL("../../cogs/", import.meta.url));

/**
 * The adapter the options ask for: Discord when there is a token (with its REST base and
 * privileged intents), else the console.
 */
export function createAdapter(
  options: Pick<ResolvedAppOptions, "discordToken" | "discordApiUrl" | "discordIntents" | "logger">,
): Adapter {
  if (!options.discordToken) return createConsoleAdapter();
  return createDiscordAdapter({
    token: options.discordToken,
    logger: options.logger,
    restApiUrl: options.discordApiUrl ?? undefined,
    intents: options.discordIntents,
  });
}

/** What it takes to assemble a bot; the CLI fills it from flags. */
export interface CreateBotOptions {
  dataDir: string;
  /** Config in PostgreSQL at this URL instead of JSON files in `<dataDir>/config` (null/absent). */
  configUrl?: string | null;
  adapter: Adapter;
  logger: BotOptions["logger"];
  rpc?: Omit<RpcServerOptions, "logger" | "info">;
  cogPaths?: readonly string[];
  /** Defaults to the bundled cogs; null for none. */
  bundledCogPath?: string | null;
  prefixes?: readonly string[];
  owners?: readonly string[];
  hintUnknownCommands?: boolean;
  /** Time limits of package steps (setup, teardown, cogUnload). */
  deadlines?: BotDeadlines;
}

/**
 * Opens the config store: PostgreSQL when a URL is given (the store owns the driver and closes
 * it), else JSON files in `<dataDir>/config`. Logs one line saying which, never with a password.
 */
async function openStore(options: Pick<CreateBotOptions, "dataDir" | "configUrl" | "logger">): Promise<ConfigStore> {
  if (!options.configUrl) {
    const dir = join(options.dataDir, "config");
    const store = await openConfigStore({ dir: options.dataDir });
    options.logger.info({ store: "json", dir }, `config store: JSON files in ${dir}`);
    return store;
  }
  const driver = await PostgresDriver.open({ url: options.configUrl });
  try {
    const store = await openConfigStore({ buckets: driver });
    options.logger.info({ store: "postgres", database: driver.target }, `config store: PostgreSQL ${driver.target}, shared with every bot on it`);
    return store;
  } catch (error) {
    // Not yet owned by a store: an open pool and LISTEN connection would keep the process alive.
    await driver.close();
    throw error;
  }
}

/**
 * Assembles a bot: opens the config store (JSON files in `dataDir`, or PostgreSQL), creates
 * the RPC server (not yet listening) and the Bot, and adds the Core cog. Call `bot.start()`
 * next. If assembling fails, the store is closed again before the error is thrown.
 */
export async function createBot(options: CreateBotOptions): Promise<Bot> {
  const config = await openStore(options);
  try {
    const rpc = createRpcServer({
      ...options.rpc,
      logger: options.logger,
      info: { title: "Cogwheel RPC", version: versions.cogwheel },
    });
    const bot = new Bot({
      config,
      logger: options.logger,
      adapter: options.adapter,
      rpc,
      cogPaths: options.cogPaths,
      bundledCogPath: options.bundledCogPath === undefined ? BUNDLED_COG_PATH : options.bundledCogPath,
      prefixes: options.prefixes,
      owners: options.owners,
      hintUnknownCommands: options.hintUnknownCommands,
      deadlines: options.deadlines,
    });
    await addCore(bot);
    return bot;
  } catch (error) {
    await config.close().catch(() => {});
    throw error;
  }
}
