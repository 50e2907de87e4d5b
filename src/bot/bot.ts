import type { Adapter, ChatMessage, MemberInfo } from "../adapters/types.ts";
import type { ConfigChange, ConfigStore } from "../config/index.ts";
import type { Disposable } from "../protocol/disposable.ts";
import type { RpcLogger, RpcServer } from "../rpc/index.ts";
import { CogRegistry, type Cog } from "./cogs.ts";
import { CommandRegistry } from "./commands.ts";
import { withDeadline } from "./deadline.ts";
import { BotError } from "./errors.ts";
import { EventBus } from "./events.ts";
import { GuildSettingsStore } from "./guild-settings.ts";
import { makeView } from "./bot-view.ts";
import { handleMessage } from "./message-handler.ts";
import { PackageFinder } from "./package-finder.ts";
import { PackageManager } from "./packages.ts";
import { normalizePrefixes } from "./prefixes.ts";
import { memberPrivilege } from "./privilege.ts";
import { PackageScope } from "./scope.ts";
import { coreConfig, type CoreConfig } from "./settings.ts";
import type { BotStatus, BotView, PrivilegeLevel } from "./view.ts";

export type { RpcHandlerOptions } from "./scope.ts";
export { normalizePrefixes } from "./prefixes.ts";

/** The longest description `!set description` takes (Red's limit: it must fit a help embed's title). */
export const MAX_DESCRIPTION_LENGTH = 250;

/** Time limits of the steps a package controls, in ms; see {@link BotOptions.deadlines}. */
export interface BotDeadlines {
  /** A package's `setup` (its import included). Default 30 000, as Red. */
  readonly setupMs?: number;
  /** A package's `teardown`. Default 10 000. */
  readonly teardownMs?: number;
  /** Each cog's `cogUnload`. Default 10 000. */
  readonly cogUnloadMs?: number;
}

/** The defaults of {@link BotDeadlines}, in one place. */
export const DEFAULT_DEADLINES: Required<BotDeadlines> = { setupMs: 30_000, teardownMs: 10_000, cogUnloadMs: 10_000 };

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
  /** Time limits of `setup`, `teardown` and `cogUnload`; past one, the package's scope is disposed anyway. */
  readonly deadlines?: BotDeadlines;
}

/**
 * The running bot: its lifecycle (start, stop), its identity (name, prefixes, owners) and
 * read-only views. Packages never get this object: their `setup` receives their own
 * {@link PackageScope}, whose registrations are undone when the package goes.
 */
export class Bot {
  readonly config: ConfigStore;
  readonly logger: BotOptions["logger"];
  /** The RPC server whose tables scopes register into. */
  readonly rpc: RpcServer;
  readonly adapter: Adapter;
  /** The command table, for reading (help, dispatch). */
  readonly commands = new CommandRegistry();
  /** The event bus; scopes listen through `on`, the bot emits. */
  readonly events: EventBus;
  readonly packages: PackageManager;
  readonly hintUnknownCommands: boolean;
  /** What packages see of the bot. */
  readonly view: BotView;
  /** Per-guild prefixes and roles, mirrored in memory for the message handler. */
  readonly guildSettings: GuildSettingsStore;
  /** When this bot was made (its process started it). */
  readonly startedAt = new Date();
  readonly #cogs = new CogRegistry();
  readonly #core: CoreConfig;
  readonly #deadlines: Required<BotDeadlines>;
  readonly #prefixOverride: readonly string[] | null;
  readonly #owners = new Set<string>();
  #name = "Cogwheel";
  #description = "";
  /** Whether start() was told to open the RPC server: packages loading before it listens see it too. */
  #listenRpc = false;
  #stopping = false;
  readonly #running = new Set<Promise<void>>();
  #prefixes: string[] = ["!"];
  #shutdown: { promise: Promise<void>; resolve: () => void };
  #builtin: PackageScope | null = null;
  /** Following Core's config changes made by other bots on the same database. */
  #following: Disposable | null = null;

  constructor(options: BotOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.rpc = options.rpc;
    this.adapter = options.adapter;
    this.hintUnknownCommands = options.hintUnknownCommands ?? false;
    this.#deadlines = resolveDeadlines(options.deadlines);
    this.#core = coreConfig(options.config);
    this.#prefixOverride = options.prefixes && options.prefixes.length > 0 ? normalizePrefixes(options.prefixes) : null;
    for (const owner of options.owners ?? []) this.#owners.add(owner);
    this.guildSettings = new GuildSettingsStore(this.#core, () => this.#prefixes);
    this.events = new EventBus((event, error) => this.logger.error({ event, err: error }, "event listener failed"));
    this.view = makeView(this);
    this.packages = new PackageManager(
      {
        createScope: (name) => this.createScope(name),
        holdTopics: () => this.rpc.topics.hold(),
        logger: this.logger,
        onChange: () => this.events.emit("packagesChanged", { loaded: this.packages.loaded() }),
      },
      this.#core,
      new PackageFinder(this.#core, options.cogPaths ?? [], options.bundledCogPath ?? null),
      this.#deadlines,
    );
    let resolve!: () => void;
    this.#shutdown = { promise: new Promise<void>((r) => (resolve = r)), resolve };
  }

  /**
   * A new scope named `name`: what a package's setup receives. The package manager makes one
   * per load; the app makes Core's; embedders and tests may make their own (and dispose them).
   */
  createScope(name: string): PackageScope {
    return new PackageScope(name, {
      cogs: this.#cogs,
      rpc: this.rpc,
      commands: this.commands,
      events: this.events,
      config: this.config,
      logger: this.logger,
      view: this.view,
      cogUnloadMs: this.#deadlines.cogUnloadMs,
    });
  }

  /** The cog instance with that name (case-insensitive), or undefined. */
  getCog<T extends Cog = Cog>(name: string): T | undefined {
    return this.#cogs.get(name)?.instance as T | undefined;
  }

  /** Names of the loaded cogs. */
  cogNames(): string[] {
    return this.#cogs.all().map((s) => s.name);
  }

  /** The scope of the built-in Core cog, which the app disposes last. */
  get builtin(): PackageScope {
    return (this.#builtin ??= this.createScope("core"));
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
    if (trimmed.length < 2 || trimmed.length > 32) {
      throw new BotError("ERR_NAME_INVALID", "That name won't do: a name must be 2 to 32 characters long.");
    }
    try {
      await this.adapter.setName(trimmed);
    } catch (error) {
      // The platform refused (Discord: rate limit, bad name): a reason for the user, not a crash.
      throw new BotError("ERR_ADAPTER", `Could not rename: ${sentence(error)}`, { cause: error });
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

  /** The bot's description (`!set description`); empty for none. */
  get description(): string {
    return this.#description;
  }

  /**
   * Sets the description (remembered); an empty or blank one removes it. Throws BotError
   * `ERR_DESCRIPTION_INVALID` for a non-string or more than {@link MAX_DESCRIPTION_LENGTH} characters.
   */
  async setDescription(description: string): Promise<void> {
    if (typeof description !== "string") throw new BotError("ERR_DESCRIPTION_INVALID", "That description won't do: it must be text.");
    const trimmed = description.trim();
    if (trimmed.length > MAX_DESCRIPTION_LENGTH) {
      throw new BotError("ERR_DESCRIPTION_INVALID", `That description is too long: at most ${MAX_DESCRIPTION_LENGTH} characters, not ${trimmed.length}.`);
    }
    await this.#core.global().set("description", trimmed);
    this.#description = trimmed;
  }

  /** How the RPC server admits clients; null when this bot does not run it. */
  get rpcAuth(): "none" | "token" | null {
    return this.#listenRpc ? this.rpc.auth : null;
  }

  /** The bot's invite URL; null where invites do not exist (console). Platform errors are ERR_ADAPTER. */
  async inviteUrl(): Promise<string | null> {
    try {
      return await this.adapter.inviteUrl();
    } catch (error) {
      throw new BotError("ERR_ADAPTER", `No invite link right now: ${sentence(error)}`, { cause: error });
    }
  }

  /** Whether a user id belongs to an owner. */
  isOwner(userId: string): boolean {
    return this.#owners.has(userId);
  }

  /** The owners' ids: `--owner` ones and those the platform reported at start. */
  ownerIds(): string[] {
    return [...this.#owners];
  }

  /** The level a member has in its guild (bot owners: `owner`), from the guild's settings in memory. */
  privilegeOf(member: MemberInfo): PrivilegeLevel {
    return memberPrivilege(member, this.guildSettings.cached(member.guildId), this.isOwner(member.userId));
  }

  status(): BotStatus {
    const adapter = this.adapter.status();
    return { name: this.#name, prefixes: this.#prefixes, connected: adapter.connected, adapter: this.adapter.kind, user: adapter.user };
  }

  // ---- life -----------------------------------------------------------------------------

  /**
   * Start-up in Red's order: read settings, load the remembered packages, then open the RPC
   * server (if `listenRpc`), then connect the adapter. Core must already be added.
   */
  async start(options: { listenRpc: boolean }): Promise<void> {
    this.#listenRpc = options.listenRpc;
    const global = this.#core.global();
    // Listening first: a change another bot makes while these are read is followed too.
    this.#following = this.#core.onDidChange((change) => void this.#follow(change));
    this.#name = await global.get("name");
    this.#description = await global.get("description");
    await this.guildSettings.load();
    this.#prefixes = this.#prefixOverride ? [...this.#prefixOverride] : normalizePrefixes(await global.get("prefixes"));
    await this.packages.loadRemembered();
    if (this.#stopping) return;
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
   * Stops in an order that loses nothing, and within bounds whatever a package does: take no
   * new messages and load nothing more, let running commands finish (up to `graceMs`) while the
   * RPC server drains its calls and closes (sockets get 1001), tear the packages down (their
   * `teardown` and `cogUnload` run, within `teardownBudgetMs` for all of them; the remembered
   * list is kept), disconnect the adapter, and only then close the config.
   */
  async stop(graceMs = 5000, teardownBudgetMs = 2000): Promise<void> {
    this.#stopping = true;
    this.packages.stopLoading();
    // Each step is bounded, so the whole stays under the CLI's 9.5 s: commands and RPC calls
    // 5 s (the server goes on closing sockets meanwhile), packages 2 s, Core 0.5 s, the
    // adapter 1 s. Only the config store is waited for: it holds acknowledged writes.
    await withDeadline(() => Promise.all([Promise.allSettled([...this.#running]), this.rpc.close()]), graceMs);
    await this.packages.close(teardownBudgetMs);
    await withDeadline(() => this.#builtin?.dispose(), 500);
    await withDeadline(() => this.adapter.stop(), 1000);
    this.#following?.dispose();
    await this.config.close();
  }

  /**
   * Another bot sharing the config database changed Core's settings: take its name, prefixes,
   * description and guild settings, as if they had been set here.
   */
  async #follow(change: ConfigChange): Promise<void> {
    void this.guildSettings.refresh(change);
    if (change.kind === "bucket" && change.ref.kind !== "global") return;
    try {
      const global = await this.#core.global().all();
      this.#name = global.name;
      this.#description = global.description;
      if (this.#prefixOverride === null) this.#prefixes = normalizePrefixes(global.prefixes);
      this.events.emit("statusChanged", undefined);
    } catch {
      // the store is closing, or the database is unreachable: keep what we have
    }
  }
}

function resolveDeadlines(given: BotDeadlines = {}): Required<BotDeadlines> {
  const deadlines = { ...DEFAULT_DEADLINES };
  for (const [key, value] of Object.entries(given) as Array<[keyof BotDeadlines, unknown]>) {
    if (!(key in DEFAULT_DEADLINES)) throw new BotError("ERR_OPTION_INVALID", `unknown deadline ${JSON.stringify(key)}`);
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 3_600_000) {
      throw new BotError("ERR_OPTION_INVALID", `deadline ${key} must be a whole number of ms from 1 to 3600000`);
    }
    deadlines[key] = value;
  }
  return deadlines;
}

/** A platform's reason as the end of a sentence: one line, ending with a full stop. */
function sentence(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ").trim();
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
