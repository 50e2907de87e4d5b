import type { Adapter, AdapterStatus, ChatMessage } from "../adapters/types.ts";
import type { ConfigStore } from "../config/index.ts";
import {
  cogMethodName,
  wordsToUpperSnake,
  type Disposable,
  type RpcHandler,
  type RpcLogger,
  type RpcServer,
  type Topic,
} from "../rpc/index.ts";
import { CogRegistry, type Cog, type CogScope } from "./cogs.ts";
import { CommandRegistry, type CommandDefinition } from "./commands.ts";
import { BotError } from "./errors.ts";
import { EventBus, type BotEventName, type BotEvents } from "./events.ts";
import { handleMessage } from "./message-handler.ts";
import { PackageManager } from "./packages.ts";
import { coreConfig, type CoreConfig } from "./settings.ts";

/** Options of {@link RpcHandlerOptions}. */
export interface RpcHandlerOptions {
  /** The method's name when registering a function (default: the function's own name). */
  name?: string;
  /** Parameter names for by-name calls (`"name"`, `"name?"`, `"...rest"`). */
  params?: readonly string[];
  /** What GET_METHOD_INFO returns. */
  doc?: string;
}

/** What a Bot is made of; the CLI assembles it. */
export interface BotOptions {
  readonly config: ConfigStore;
  readonly logger: RpcLogger & { child?(bindings: object): RpcLogger };
  readonly adapter: Adapter;
  /** The RPC server whose tables cogs register into (listening or not). */
  readonly rpc: RpcServer;
  /** Extra cog paths searched first (`--cog-path`). */
  readonly cogPaths?: readonly string[];
  /** The bundled cogs folder, searched last; null for none. */
  readonly bundledCogPath?: string | null;
  /** Prefixes for this run, overriding the remembered ones (`--prefix`). */
  readonly prefixes?: readonly string[];
  /** Owner ids in addition to those the adapter reports (`--owner`). */
  readonly owners?: readonly string[];
  /** Answer unknown commands with a hint (console mode); silent otherwise, like Red. */
  readonly hintUnknownCommands?: boolean;
  /** How long a package's `setup` may take before its load fails. Default 30 000 ms. */
  readonly setupTimeoutMs?: number;
}

/**
 * The running bot, as cogs see it: a facade over its services (cogs, commands, RPC tables,
 * events, packages, config, adapter). Everything a cog registers through it is owned by the
 * cog and undone when the cog is removed or its package unloaded.
 */
export class Bot {
  /** The config store; a cog takes its own namespace: `bot.config.namespace("Economy", defaults)`. */
  readonly config: ConfigStore;
  readonly logger: BotOptions["logger"];
  /**
   * The RPC server, for reading (names, connection counts). Cogs register through
   * {@link Bot.registerRpcHandler} and {@link Bot.registerRpcTopic}: what is registered on
   * these tables directly is not owned by a cog and survives its unload.
   */
  readonly rpc: RpcServer;
  readonly adapter: Adapter;
  /** The command table, for reading (help); cogs register through {@link Bot.registerCommand}. */
  readonly commands = new CommandRegistry();
  /** The event bus, for emitting; cogs listen through {@link Bot.on}, which they own. */
  readonly events: EventBus;
  readonly packages: PackageManager;
  readonly hintUnknownCommands: boolean;
  readonly #cogs = new CogRegistry();
  readonly #core: CoreConfig;
  readonly #prefixOverride: readonly string[] | null;
  readonly #owners = new Set<string>();
  #name = "Cogwheel";
  #stopping = false;
  readonly #running = new Set<Promise<void>>();
  #prefixes: string[] = ["!"];
  #shutdown: { promise: Promise<void>; resolve: () => void };

  constructor(options: BotOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.rpc = options.rpc;
    this.adapter = options.adapter;
    this.hintUnknownCommands = options.hintUnknownCommands ?? false;
    this.#core = coreConfig(options.config);
    this.#prefixOverride = options.prefixes && options.prefixes.length > 0 ? normalizePrefixes(options.prefixes) : null;
    for (const owner of options.owners ?? []) this.#owners.add(owner);
    this.events = new EventBus((event, error) => this.logger.error({ event, err: error }, "event listener failed"));
    this.packages = new PackageManager(
      {
        api: this,
        logger: this.logger,
        removeCogsOf: (pkg) => this.#removeCogsOf(pkg),
        onChange: (loaded) => this.events.emit("packagesChanged", { loaded }),
      },
      this.#core,
      { cogPaths: options.cogPaths ?? [], bundledPath: options.bundledCogPath ?? null, setupTimeoutMs: options.setupTimeoutMs },
    );
    let resolve!: () => void;
    this.#shutdown = { promise: new Promise<void>((r) => (resolve = r)), resolve };
  }

  // ---- cogs -------------------------------------------------------------------------

  /** Adds a cog; its name is `cog.name` or its class name. Calls `cog.cogLoad()` if present. */
  async addCog(cog: Cog): Promise<void> {
    const scope = this.#cogs.add(cog, this.packages.loading);
    const hook = (cog as { cogLoad?: unknown }).cogLoad;
    if (typeof hook === "function") {
      try {
        await hook.call(cog);
      } catch (error) {
        this.#cogs.remove(scope.name);
        throw error;
      }
    }
    this.logger.debug({ cog: scope.name }, "cog added");
  }

  /** Removes a cog and everything it registered; calls `cog.cogUnload()` first. False if unknown. */
  async removeCog(name: string): Promise<boolean> {
    const scope = this.#cogs.get(name);
    if (scope === undefined) return false;
    const hook = (scope.instance as { cogUnload?: unknown }).cogUnload;
    if (typeof hook === "function") {
      try {
        await hook.call(scope.instance);
      } catch (error) {
        this.logger.error({ cog: scope.name, err: error }, "cogUnload failed; removing the cog anyway");
      }
    }
    const removed = this.#cogs.remove(scope.name);
    for (const error of removed?.errors ?? []) this.logger.error({ cog: scope.name, err: error }, "a registration failed to dispose");
    return true;
  }

  /** The cog instance with that name (case-insensitive), or undefined. */
  getCog<T extends Cog = Cog>(name: string): T | undefined {
    return this.#cogs.get(name)?.instance as T | undefined;
  }

  /** Names of the loaded cogs. */
  cogNames(): string[] {
    return this.#cogs.all().map((s) => s.name);
  }

  async #removeCogsOf(packageName: string): Promise<void> {
    for (const scope of this.#cogs.all().reverse()) {
      if (scope.packageName === packageName) await this.removeCog(scope.name);
    }
  }

  // ---- registrations (owned by a cog) ------------------------------------------------

  /**
   * Exposes a method over RPC as `<COG>__<METHOD>` (Red's naming, computed here once).
   * `method` is the name of a method of the cog, or a function (named by `options.name` or
   * its own name). Throws for a non-function, an unknown cog or a name another cog owns.
   */
  registerRpcHandler(cog: Cog, method: string | RpcHandler, options: RpcHandlerOptions = {}): Disposable {
    const scope = this.#cogs.scopeOf(cog);
    let handler: RpcHandler;
    let name: string;
    if (typeof method === "string") {
      const fn = (cog as Record<string, unknown>)[method];
      if (typeof fn !== "function") {
        throw new BotError("ERR_HANDLER_INVALID", `cog ${scope.name} has no method ${JSON.stringify(method)} to register`);
      }
      handler = (fn as RpcHandler).bind(cog);
      name = options.name ?? method;
    } else if (typeof method === "function") {
      handler = method;
      name = options.name ?? method.name;
    } else {
      throw new BotError("ERR_HANDLER_INVALID", `registerRpcHandler needs a method name or a function, got ${typeof method}`);
    }
    if (typeof name !== "string" || wordsToUpperSnake(name) === "") {
      throw new BotError("ERR_HANDLER_INVALID", `an RPC handler of cog ${scope.name} needs a name: pass { name }`);
    }
    const registration = this.rpc.methods.register(cogMethodName(scope.name, name), handler, {
      params: options.params,
      doc: options.doc,
      owner: scope.name,
    });
    return this.#cogs.own(scope, registration);
  }

  /** Registers a topic `<COG>__<NAME>` that the cog publishes to. */
  registerRpcTopic(cog: Cog, name: string, options: { doc?: string } = {}): Topic {
    const scope = this.#cogs.scopeOf(cog);
    const topic = this.rpc.topics.register(cogMethodName(scope.name, name), { doc: options.doc, owner: scope.name });
    const owned = this.#cogs.own(scope, topic);
    return {
      name: topic.name,
      publish: (data, publishOptions) => topic.publish(data, publishOptions),
      clearState: () => topic.clearState(),
      get subscriberCount() {
        return topic.subscriberCount;
      },
      dispose: () => owned.dispose(),
    };
  }

  /** Adds a prefix command owned by the cog. */
  registerCommand(cog: Cog, definition: CommandDefinition): Disposable {
    const scope = this.#cogs.scopeOf(cog);
    return this.#cogs.own(scope, this.commands.register(scope.name, definition));
  }

  /** Listens to a bot event for as long as the cog is loaded. */
  on<E extends BotEventName>(cog: Cog, event: E, listener: (payload: BotEvents[E]) => void | Promise<void>): Disposable {
    const scope: CogScope = this.#cogs.scopeOf(cog);
    return this.#cogs.own(scope, this.events.on(event, listener));
  }

  /** Ties any clean-up to the cog's life: it runs when the cog is removed. */
  track(cog: Cog, disposable: Disposable): Disposable {
    return this.#cogs.own(this.#cogs.scopeOf(cog), disposable);
  }

  // ---- identity -----------------------------------------------------------------------

  get name(): string {
    return this.#name;
  }

  get prefixes(): readonly string[] {
    return this.#prefixes;
  }

  /** Renames the bot (remembered; on Discord also the username). */
  async setName(name: string): Promise<void> {
    const trimmed = typeof name === "string" ? name.trim() : "";
    if (trimmed.length < 2 || trimmed.length > 32) throw new RangeError("a name must be 2 to 32 characters long");
    try {
      await this.adapter.setName(trimmed);
    } catch (error) {
      // The platform refused (Discord: rate limit, bad name): a reason for the user, not a crash.
      throw new BotError("ERR_ADAPTER", `the rename was refused: ${(error as Error).message}`);
    }
    await this.#core.global().set("name", trimmed);
    this.#name = trimmed;
    this.events.emit("statusChanged", undefined);
  }

  /** Replaces the prefixes (remembered). Longest first, so `!!` wins over `!`. */
  async setPrefixes(prefixes: readonly string[]): Promise<void> {
    const unique = normalizePrefixes(prefixes);
    await this.#core.global().set("prefixes", unique);
    this.#prefixes = unique;
    this.events.emit("statusChanged", undefined);
  }

  /** The bot's invite URL; null where invites do not exist (console). Platform errors are ERR_ADAPTER. */
  async inviteUrl(): Promise<string | null> {
    try {
      return await this.adapter.inviteUrl();
    } catch (error) {
      throw new BotError("ERR_ADAPTER", (error as Error).message);
    }
  }

  /** Whether a user id belongs to an owner. */
  isOwner(userId: string): boolean {
    return this.#owners.has(userId);
  }

  status(): { name: string; prefixes: readonly string[]; connected: boolean; adapter: string; user: AdapterStatus["user"] } {
    const adapter = this.adapter.status();
    return { name: this.#name, prefixes: this.#prefixes, connected: adapter.connected, adapter: this.adapter.kind, user: adapter.user };
  }

  // ---- life -----------------------------------------------------------------------------

  /**
   * Start-up in Red's order: read settings, load the remembered packages, then open the RPC
   * server (if `listenRpc`), then connect the adapter. Core must already be added.
   */
  async start(options: { listenRpc: boolean }): Promise<void> {
    const global = this.#core.global();
    this.#name = await global.get("name");
    this.#prefixes = this.#prefixOverride ? [...this.#prefixOverride] : normalizePrefixes(await global.get("prefixes"));
    const remembered = await global.get("packages");
    if (remembered.length > 0) {
      const result = await this.packages.load(remembered);
      const failed = remembered.filter((p) => !result.loaded_packages.includes(p));
      if (failed.length > 0) this.logger.warn({ failed }, "some remembered packages did not load");
    }
    if (options.listenRpc) await this.rpc.listen();
    await this.adapter.start({
      onMessage: (message) => this.handleMessage(message),
      onStatus: () => this.events.emit("statusChanged", undefined),
    });
    try {
      for (const owner of await this.adapter.ownerIds()) this.#owners.add(owner);
    } catch (error) {
      this.logger.warn({ err: error }, "could not look up the owners; only --owner ids are owners for now");
    }
    this.events.emit("ready", { name: this.#name });
  }

  /**
   * Handles one incoming message: events, then prefix commands. Never throws. Once the bot is
   * stopping, messages are ignored, so nothing starts that could not finish.
   */
  handleMessage(message: ChatMessage): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    this.events.emit("message", message);
    const running = handleMessage(this, message);
    this.#running.add(running);
    void running.finally(() => this.#running.delete(running));
    return running;
  }

  /** Asks the process that runs the bot to shut it down (the `shutdown` command). */
  requestShutdown(): void {
    this.#shutdown.resolve();
  }

  /** Settles when someone asked for a shutdown. */
  get shutdownRequested(): Promise<void> {
    return this.#shutdown.promise;
  }

  /**
   * Stops in an order that loses nothing: take no new messages, let running commands finish
   * (up to `graceMs`) while the RPC server drains its calls and closes (sockets get 1001), tear
   * the packages down (their `teardown` and `cogUnload` run; the remembered list is kept),
   * disconnect the adapter, and only then close the config.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.#stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.all([Promise.race([Promise.allSettled([...this.#running]), grace]), this.rpc.close()]);
    clearTimeout(timer);
    await this.packages.teardownAll();
    await this.adapter.stop();
    await this.config.close();
  }
}

/**
 * Checks prefixes and orders them longest first, so `!!` is tried before `!`.
 * Throws a RangeError for an empty list, an empty prefix or one with white space.
 */
export function normalizePrefixes(prefixes: readonly string[]): string[] {
  if (!Array.isArray(prefixes) || prefixes.length === 0 || !prefixes.every((p) => typeof p === "string" && p !== "" && !/\s/.test(p))) {
    throw new RangeError("prefixes must be a non-empty list of strings without spaces");
  }
  return [...new Set(prefixes)].sort((a, b) => b.length - a.length);
}
