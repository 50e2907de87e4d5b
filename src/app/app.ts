import type { Adapter } from "../adapters/types.ts";
import type { Bot } from "../bot/bot.ts";
import { BUILD_CONSOLE_COMMAND, hasConsole } from "./console-assets.ts";
import { newToken, type RpcToken } from "./rpc-token.ts";
import { createAdapter, createBot } from "./create-bot.ts";
import { isDirectory, prepareDataDir } from "./data-dir.ts";
import { acquireDataDirLock, type DataDirLock } from "./data-dir-lock.ts";
import { AppError } from "./errors.ts";
import { resolveAppOptions, type AppOptions, type ResolvedAppOptions } from "./options.ts";

/** Lifecycle states, in order; an app never goes back. */
export type AppState = "new" | "starting" | "running" | "stopping" | "stopped";

/** What a running app reports, for the start-up log. */
export interface AppInfo {
  readonly mode: Adapter["kind"];
  readonly dataDir: string;
  /** The RPC port, when the server is on. */
  readonly rpcPort: number | null;
  /** The web console's address (`http://127.0.0.1:<port>/`), when it is served; never with a token in it. */
  readonly consoleUrl: string | null;
  /** The token file, with `rpc.auth: "token"`. */
  readonly tokenFile: string | null;
  /** The data-dir lock file. */
  readonly lockFile: string;
}

type Cleanup = () => unknown;

/** Thrown inside start() when stop() was called meanwhile; never escapes. */
const STOPPED = Symbol("stopped");

/**
 * The one place that assembles a bot from options and tears down what it opened, in reverse:
 * data-dir lock, token file, config store, RPC server, adapter and bot (the last three through
 * createBot and Bot.stop). `stop()` may be called at any time, during `start()` too (a signal
 * while a package's setup hangs), and is safe to call twice.
 */
export class App {
  readonly #options: ResolvedAppOptions;
  readonly #cleanups: Cleanup[] = [];
  #state: AppState = "new";
  #bot: Bot | null = null;
  #lock: DataDirLock | null = null;
  #token: RpcToken | null = null;
  #stopping: Promise<void> | null = null;
  /** The resource being opened right now, which stop() lets finish (then closes). */
  #opening: Promise<unknown> | null = null;
  #stopRequested!: () => void;
  readonly #stopSignal = new Promise<void>((resolve) => (this.#stopRequested = resolve));

  constructor(options: AppOptions) {
    this.#options = resolveAppOptions(options);
  }

  get state(): AppState {
    return this.#state;
  }

  /** The bot, once start() has assembled it. */
  get bot(): Bot {
    if (this.#bot === null) throw new AppError("ERR_APP_BAD_STATE", `the app has no bot (it is ${this.#state})`);
    return this.#bot;
  }

  /**
   * Opens everything in order and starts the bot. Resolves with what runs, or with null when
   * stop() was called meanwhile. Rejects with a one-line AppError after tearing down what it
   * had opened.
   */
  async start(): Promise<AppInfo | null> {
    if (this.#state !== "new") throw new AppError("ERR_APP_BAD_STATE", `cannot start: the app is ${this.#state}`);
    this.#state = "starting";
    try {
      return await this.#start();
    } catch (error) {
      if (error === STOPPED) return null;
      await this.stop();
      throw error instanceof AppError ? error : new AppError("ERR_APP_START", describe(error), { cause: error });
    }
  }

  async #start(): Promise<AppInfo> {
    const options = this.#options;
    const dataDir = prepareDataDir(options.dataDir);
    for (const path of options.cogPaths) {
      if (!isDirectory(path)) throw new AppError("ERR_APP_OPTION", `--cog-path ${path} is not a directory`);
    }
    // First, before anything writes into the data dir: a second bot on the same dir would
    // silently overwrite the first one's config.
    const lock: DataDirLock = await this.#open(() => acquireDataDirLock(dataDir), (l) => l.release());
    this.#lock = lock;
    const { logger } = options;
    if (lock.takenOver !== null) {
      logger.warn({ lockFile: lock.path, previousPid: lock.takenOver.pid }, "took over a data dir lock left by a bot that is no longer running");
    }
    // Logged only now, so that a refused lock is the one line a user sees.
    logger.info(
      { mode: options.discordToken ? "discord" : "console", dataDir },
      options.discordToken ? "starting in Discord mode" : "starting in console mode (no Discord token): type commands with the prefix",
    );
    const adapter = createAdapter(options); // Discord (with the privileged intents asked for) or the console
    const token: RpcToken | null = options.rpc.enabled && options.rpc.auth === "token" ? newToken(dataDir) : null;
    if (token !== null) this.#cleanups.push(() => token.remove());
    this.#token = token;
    const consoleRoot = options.rpc.enabled && options.rpc.console ? this.#consoleRoot() : null;
    const bot = await this.#open(
      () =>
        createBot({
          dataDir,
          configUrl: options.configUrl,
          adapter,
          logger: options.logger,
          rpc: {
            port: options.rpc.port,
            allowedOrigins: options.rpc.allowedOrigins,
            authToken: token?.value ?? null,
            static: consoleRoot === null ? null : { root: consoleRoot },
          },
          cogPaths: options.cogPaths,
          bundledCogPath: options.bundledCogPath,
          prefixes: options.prefixes,
          owners: options.owners,
          hintUnknownCommands: adapter.kind === "console",
          deadlines: options.deadlines,
        }),
      (b) => b.stop(),
    );
    this.#bot = bot;
    // bot.start may wait on the platform (Discord unreachable) or on a package: stop() wins.
    await Promise.race([bot.start({ listenRpc: options.rpc.enabled }), this.#stopSignal]);
    this.#check();
    // Only once the server listens: a start that fails (port in use) must not replace the
    // token of a bot already running on this data dir.
    await token?.write();
    this.#check();
    this.#state = "running";
    return {
      mode: adapter.kind,
      dataDir,
      rpcPort: options.rpc.enabled ? bot.rpc.port : null,
      consoleUrl: consoleRoot === null ? null : `http://127.0.0.1:${bot.rpc.port}/`,
      tokenFile: token?.path ?? null,
      lockFile: lock.path,
    };
  }

  /**
   * The console's folder when it is built; else one warning line saying how to build it, and
   * the bot runs without a console (the RPC server is what matters; the page is a convenience).
   */
  #consoleRoot(): string | null {
    const dir = this.#options.rpc.consoleDir;
    if (hasConsole(dir)) return dir;
    this.#options.logger.warn(
      { consoleDir: dir },
      `web console not served: ${dir === null ? "Cogwheel's package folder was not found" : `${dir}/index.html is missing`}; run \`${BUILD_CONSOLE_COMMAND}\` (or start with --rpc-console off)`,
    );
    return null;
  }

  /**
   * Opens one resource and registers its clean-up. stop() waits for an open in progress before
   * it runs the clean-ups, so a resource that finishes opening after stop() began is still closed.
   */
  async #open<T>(open: () => Promise<T>, close: (value: T) => unknown): Promise<T> {
    this.#check();
    const opening = open();
    this.#opening = opening;
    try {
      const value = await opening;
      this.#cleanups.push(() => close(value));
      this.#check();
      return value;
    } finally {
      this.#opening = null;
    }
  }

  #check(): void {
    if (this.#state !== "starting") throw STOPPED;
  }

  /** Settles when someone asked the bot to shut down (the `shutdown` command). */
  get shutdownRequested(): Promise<void> {
    return this.bot.shutdownRequested;
  }

  /**
   * For a process about to exit without a graceful stop (a second signal, a stuck shutdown):
   * removes the token file and releases the data-dir lock, synchronously. Both are idempotent.
   */
  releaseNow(): void {
    this.#token?.remove();
    this.#lock?.release();
  }

  /**
   * Tears down everything opened so far, newest first; a failing step does not stop the rest.
   * Safe to call twice and in any state.
   */
  stop(): Promise<void> {
    if (this.#stopping !== null) return this.#stopping;
    this.#state = "stopping";
    this.#stopRequested();
    this.#stopping = (async () => {
      // Opening steps are bounded (the lock waits at most 5 s; the rest is local I/O).
      await this.#opening?.catch(() => undefined);
      for (const cleanup of this.#cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch (error) {
          this.#options.logger.warn({ err: error }, "a clean-up step failed while stopping");
        }
      }
      this.#state = "stopped";
    })();
    return this.#stopping;
  }
}

/** Creates an app; options are checked here, up front. */
export function createApp(options: AppOptions): App {
  return new App(options);
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ERR_RPC_PORT_IN_USE") return `${(error as Error).message}: is another bot running? Choose another port with --rpc-port`;
  return error instanceof Error ? error.message : String(error);
}
