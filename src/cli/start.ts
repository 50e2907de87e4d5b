import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Logger } from "pino";
import { createConsoleAdapter } from "../adapters/console.ts";
import { createDiscordAdapter } from "../adapters/discord/index.ts";
import type { Adapter } from "../adapters/types.ts";
import { acquireDataDirLock, type DataDirLock } from "../app/data-dir-lock.ts";
import type { Bot } from "../bot/bot.ts";
import { createBot } from "../core/create.ts";
import { createLogger, type LogLevel } from "./logger.ts";
import { newToken } from "./token.ts";

/** Flags of `cogwheel start`, already parsed. */
export interface StartFlags {
  rpc: boolean;
  rpcPort: number;
  rpcAllowOrigin: string[];
  rpcAuth: "none" | "token";
  dataDir: string;
  cogPath: string[];
  prefix: string[];
  token?: string;
  owner: string[];
  logLevel: LogLevel;
}

/** A start-up problem the user can fix: printed as one line, exit code 1. */
export class StartError extends Error {}

/**
 * How long a graceful shutdown may take before the process gives up and exits 1. Bot.stop()
 * bounds itself (commands and RPC calls 5 s, then 1 s to close sockets, then packages 2.5 s),
 * so this is a last resort that still ends the process within 10 s of the signal.
 */
const SHUTDOWN_LIMIT_MS = 9_500;

/**
 * Runs the bot until SIGINT, SIGTERM or the `shutdown` command; resolves with the exit code.
 * Start-up order as in Red: settings, remembered packages, then the RPC server, then the adapter.
 */
export async function runStart(flags: StartFlags): Promise<number> {
  const dataDir = prepareDataDir(flags.dataDir);
  for (const path of flags.cogPath) {
    if (!isDirectory(path)) throw new StartError(`--cog-path ${path} is not a directory`);
  }
  // Before anything writes into the data dir (token file, config store): a second bot on the
  // same dir would silently overwrite the first one's config. Taken before the logger exists, so
  // a refusal is the one line main() prints, nothing else.
  let lock: DataDirLock;
  try {
    lock = await acquireDataDirLock(dataDir);
  } catch (error) {
    throw new StartError(describe(error));
  }
  try {
    return await runLocked(flags, dataDir, lock);
  } finally {
    // Last, after the config store is closed (bot.stop), on every path out of here.
    lock.release();
  }
}

/** The rest of {@link runStart}, with the data dir locked; every exit path leaves through the caller's release. */
async function runLocked(flags: StartFlags, dataDir: string, lock: DataDirLock): Promise<number> {
  const logger = createLogger(flags.logLevel);
  if (lock.takenOver) logger.warn({ lockFile: lock.path, previousPid: lock.takenOver.pid }, "took over a data dir lock left by a bot that is no longer running");
  const discordToken = flags.token ?? process.env.DISCORD_TOKEN;
  let adapter: Adapter;
  try {
    adapter = discordToken
      ? createDiscordAdapter({ token: discordToken, logger, restApiUrl: process.env.COGWHEEL_DISCORD_API_URL || undefined })
      : createConsoleAdapter();
  } catch (error) {
    throw new StartError(describe(error));
  }
  logger.info({ mode: adapter.kind, dataDir }, discordToken ? "starting in Discord mode" : "starting in console mode (no Discord token): type commands with the prefix");

  const token = flags.rpc && flags.rpcAuth === "token" ? newToken(dataDir) : null;

  // Signals are handled from the start: the first shuts down gracefully, a second one (the
  // user insisting) exits at once, but never leaves the token file behind.
  let signalled!: (signal: string) => void;
  const signal = new Promise<string>((resolveSignal) => (signalled = resolveSignal));
  let signals = 0;
  const onSignal = (name: string): void => {
    if (++signals === 1) return signalled(name);
    logger.warn({ signal: name }, "second signal: exiting now");
    token?.remove();
    lock.release();
    process.exit(1);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let bot: Bot;
  try {
    bot = await createBot({
      dataDir,
      adapter,
      logger,
      rpc: { port: flags.rpcPort, allowedOrigins: flags.rpcAllowOrigin, authToken: token?.value ?? null },
      cogPaths: flags.cogPath,
      prefixes: flags.prefix,
      owners: flags.owner,
      hintUnknownCommands: adapter.kind === "console",
    });
  } catch (error) {
    throw new StartError(describe(error));
  }

  try {
    // A signal during start-up (a package's setup hanging, Discord unreachable) still stops.
    const first = await Promise.race([bot.start({ listenRpc: flags.rpc }).then(() => null), signal]);
    if (first !== null) {
      logger.info({ reason: first }, "stopping during start-up");
      await stopQuietly(bot, logger);
      return 0;
    }
    await token?.write();
  } catch (error) {
    await stopQuietly(bot, logger);
    token?.remove();
    throw new StartError(describe(error));
  }
  if (flags.rpc) {
    // The one "listening" line, written after the token file: a script that waits for it
    // never reads a previous run's token. Its message is fixed, for scripts to match.
    const port = bot.rpc.port;
    const auth = token ? { auth: "token", tokenFile: token.path } : { auth: "none", note: "any local program may connect" };
    logger.info({ port, url: `ws://127.0.0.1:${port}/`, ...auth }, "RPC server listening on 127.0.0.1");
  }

  // Signal handlers hold no handle: with stdin at its end and no RPC server, nothing else would
  // keep the process alive until a signal or the shutdown command.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const reason = await Promise.race([signal, bot.shutdownRequested.then(() => "shutdown command")]);
  clearInterval(keepAlive);
  logger.info({ reason }, "shutting down");
  const limit = setTimeout(() => {
    logger.error({}, "shutdown took too long; exiting");
    token?.remove();
    lock.release();
    process.exit(1);
  }, SHUTDOWN_LIMIT_MS);
  limit.unref();
  await bot.stop();
  token?.remove();
  clearTimeout(limit);
  logger.info({}, "stopped");
  return 0;
}

async function stopQuietly(bot: Bot, logger: Logger): Promise<void> {
  try {
    await bot.stop();
  } catch (error) {
    logger.debug({ err: error }, "error while stopping after a failed start");
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ERR_RPC_PORT_IN_USE") return `${(error as Error).message}: is another bot running? Choose another port with --rpc-port`;
  return error instanceof Error ? error.message : String(error);
}

/** Creates the data dir if needed and checks that it is a writable directory. */
function prepareDataDir(dir: string): string {
  const absolute = resolve(dir);
  try {
    makeDirectories(absolute);
    if (!statSync(absolute).isDirectory()) throw new Error("not a directory");
    accessSync(absolute, constants.W_OK | constants.R_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartError(`cannot use data dir ${absolute}: ${reason}`);
  }
  return absolute;
}

/**
 * mkdir -p, one level at a time: Node 20's `mkdirSync(path, { recursive: true })` spins
 * forever under /proc, and a bad --data-dir must be a clear error, not a hang.
 */
function makeDirectories(path: string): void {
  const missing: string[] = [];
  for (let dir = path; !existsSync(dir); dir = dirname(dir)) {
    if (dirname(dir) === dir) break;
    missing.unshift(dir);
  }
  for (const dir of missing) mkdirSync(dir, { mode: 0o700 });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
