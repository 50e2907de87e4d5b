import { createApp, type App } from "../app/app.ts";
import { AppError } from "../app/errors.ts";
import { createError } from "../protocol/catalog.ts";
import { createLogger, type LogLevel } from "./logger.ts";
import { DATABASE_URL_ENV } from "./start-flags.ts";

/** Flags of `cogwheel start`, already parsed. */
export interface StartFlags {
  rpc: boolean;
  rpcPort: number;
  rpcAllowOrigin: string[];
  rpcAuth: "none" | "token";
  /** `--rpc-console`: `on` (default) or `off`; any other value is refused by checkStartFlags. */
  rpcConsole: string;
  dataDir: string;
  cogPath: string[];
  prefix: string[];
  token?: string;
  /** `--config`: the PostgreSQL URL of the config store (default: $COGWHEEL_DATABASE_URL; none: JSON files). */
  config?: string;
  /** `--discord-intents`: privileged intent names, checked by checkStartFlags. */
  discordIntents?: string[];
  owner: string[];
  logLevel: LogLevel;
}

/** A start-up problem the user can fix: printed as one line, exit code 1. */
export const StartError = createError("ERR_START", "the bot could not start", { name: "StartError" });
export type StartError = InstanceType<typeof StartError>;

/**
 * How long a graceful shutdown may take before the process gives up and exits 1. Bot.stop()
 * bounds each step (commands and RPC calls 5 s, packages 2 s, Core 0.5 s, the adapter 1 s), so
 * this is a last resort that still ends the process within 10 s of the signal.
 */
const SHUTDOWN_LIMIT_MS = 9_500;

/**
 * Runs the bot until SIGINT, SIGTERM or the `shutdown` command; resolves with the exit code.
 * The App assembles and tears down; this function only turns flags into options, signals into
 * stop(), and outcomes into log lines and exit codes.
 */
export async function runStart(flags: StartFlags): Promise<number> {
  const logger = createLogger(flags.logLevel);
  // The flag wins over the environment; an empty variable counts as unset, as DISCORD_TOKEN does.
  const configUrl = flags.config ?? (process.env[DATABASE_URL_ENV] || null);
  let app: App;
  try {
    app = createApp({
      dataDir: flags.dataDir,
      configUrl,
      logger,
      rpc: { enabled: flags.rpc, port: flags.rpcPort, allowedOrigins: flags.rpcAllowOrigin, auth: flags.rpcAuth, console: flags.rpcConsole !== "off" },
      discordToken: flags.token ?? (process.env.DISCORD_TOKEN || null),
      discordApiUrl: process.env.COGWHEEL_DISCORD_API_URL || null,
      discordIntents: { members: flags.discordIntents?.includes("members"), presences: flags.discordIntents?.includes("presences") },
      cogPaths: flags.cogPath,
      prefixes: flags.prefix,
      owners: flags.owner,
    });
  } catch (error) {
    // Say where a bad URL came from; its message names it without the password.
    const from = (error as { code?: unknown }).code === "ERR_CONFIG_INVALID_URL" ? `${flags.config !== undefined ? "--config" : DATABASE_URL_ENV}: ` : "";
    throw new StartError(`${from}${error instanceof Error ? error.message : String(error)}`);
  }

  // Signals are handled from the start: the first stops gracefully (during start-up too: a
  // package's setup hanging, Discord unreachable), a second one exits at once.
  let signalled!: (signal: string) => void;
  const signal = new Promise<string>((resolveSignal) => (signalled = resolveSignal));
  let signals = 0;
  const onSignal = (name: string): void => {
    if (++signals === 1) return signalled(name);
    logger.warn({ signal: name }, "second signal: exiting now");
    exitNow(app);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const started = app.start();
  started.catch(() => undefined);
  const first = await Promise.race([started.then((info) => ({ info }), (error: unknown) => ({ error })), signal]);
  if (typeof first === "string") {
    logger.info({ reason: first }, "stopping during start-up");
    await stopWithin(app, logger);
    return 0;
  }
  if ("error" in first) {
    throw new StartError(first.error instanceof AppError ? first.error.message : String(first.error));
  }
  const info = first.info;
  if (info === null) return 0; // stopped meanwhile
  if (info.rpcPort !== null) {
    // The one "listening" line, written after the token file: a script that waits for it
    // never reads a previous run's token. Its message is fixed, for scripts to match.
    const auth = info.tokenFile !== null ? { auth: "token", tokenFile: info.tokenFile } : { auth: "none", note: "any local program may connect" };
    const page = info.consoleUrl !== null ? { console: info.consoleUrl } : {};
    logger.info({ port: info.rpcPort, url: `ws://127.0.0.1:${info.rpcPort}/`, ...page, ...auth }, "RPC server listening on 127.0.0.1");
  }

  // Signal handlers hold no handle: with stdin at its end and no RPC server, nothing else would
  // keep the process alive until a signal or the shutdown command.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const reason = await Promise.race([signal, app.shutdownRequested.then(() => "shutdown command")]);
  clearInterval(keepAlive);
  logger.info({ reason }, "shutting down");
  await stopWithin(app, logger);
  logger.info({}, "stopped");
  return 0;
}

/** Stops the app, or exits 1 if that takes longer than SHUTDOWN_LIMIT_MS. */
async function stopWithin(app: App, logger: ReturnType<typeof createLogger>): Promise<void> {
  const limit = setTimeout(() => {
    logger.error({}, "shutdown took too long; exiting");
    exitNow(app);
  }, SHUTDOWN_LIMIT_MS);
  limit.unref();
  await app.stop();
  clearTimeout(limit);
}

/** The CLI's last resort: release the lock and the token file synchronously, then exit 1. */
function exitNow(app: App): never {
  app.releaseNow();
  process.exit(1);
}
