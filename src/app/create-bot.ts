import { fileURLToPath } from "node:url";
import { createConsoleAdapter } from "../adapters/console.ts";
import { createDiscordAdapter } from "../adapters/discord/index.ts";
import type { Adapter } from "../adapters/types.ts";
import { Bot, type BotDeadlines, type BotOptions } from "../bot/bot.ts";
import { openConfigStore } from "../config/index.ts";
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
 * Assembles a bot: opens the config store in `dataDir`, creates the RPC server (not yet
 * listening) and the Bot, and adds the Core cog. Call `bot.start()` next.
 */
export async function createBot(options: CreateBotOptions): Promise<Bot> {
  const config = await openConfigStore({ dir: options.dataDir });
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
}
