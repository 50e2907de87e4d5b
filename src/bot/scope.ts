import type { ConfigNamespace, ConfigStore, NamespaceDefaults } from "../config/index.ts";
import { cogMethodName, wordsToUpperSnake, type Disposable, type MethodOptions, type RpcHandler, type RpcLogger, type RpcServer, type Topic } from "../rpc/index.ts";
import { type Cog, type CogRegistry, type CogScope } from "./cogs.ts";
import type { CommandDefinition, CommandRegistry } from "./commands.ts";
import { seconds, withDeadline } from "./deadline.ts";
import { BotError } from "./errors.ts";
import type { BotEventName, BotEvents, EventBus, PackageEventName } from "./events.ts";
import type { AdapterView, BotView } from "./view.ts";

/** Options of {@link PackageScope.registerRpcHandler}. */
export interface RpcHandlerOptions {
  /** The method's name; required when registering a function (names are declared, never inferred). */
  name?: string;
  /**
   * The parameters: names only (`"name"`, `"name?"`, `"...rest"`), or names in order mapped to
   * a JSON Schema each (`{ member_id: snowflake() }`), checked before the handler runs.
   */
  params?: MethodOptions["params"];
  /** The result's JSON Schema, published by rpc.discover. */
  result?: MethodOptions["result"];
  /** What GET_METHOD_INFO returns. */
  doc?: string;
}

/** What a scope needs from the bot that made it. */
export interface ScopeHost {
  readonly cogs: CogRegistry;
  readonly rpc: RpcServer;
  readonly commands: CommandRegistry;
  readonly events: EventBus;
  readonly config: ConfigStore;
  readonly logger: RpcLogger;
  readonly view: BotView;
  /** How long each cog's `cogUnload` may take when the scope is disposed. */
  readonly cogUnloadMs: number;
}

/** Lifecycle of a scope; it never goes back. */
export type ScopeState = "open" | "disposing" | "disposed";

/** What went wrong while a scope was disposed (it is disposed all the same). */
export interface ScopeDisposal {
  /** One line per problem, e.g. `cogUnload of Economy did not finish within 10 s`. */
  readonly problems: string[];
}

type Entry = { cog: CogScope } | { disposable: Disposable };

/**
 * A package's own scope: what its `setup(bot)` receives. Everything registered through it
 * (cogs, RPC methods, topics, commands, listeners, config handles, `track`ed clean-ups) is
 * owned by the package and disposed in reverse order when the package unloads, fails or runs
 * past a deadline. Once the scope is disposed, registering through it throws
 * `ERR_SCOPE_DISPOSED`: a setup that outlives its deadline cannot leave a zombie behind.
 */
export class PackageScope {
  /** The package's name. */
  readonly name: string;
  /** The bot, read-only. */
  readonly bot: BotView;
  readonly logger: RpcLogger;
  readonly #host: ScopeHost;
  readonly #entries: Entry[] = [];
  /** Released after every cog is gone, so a cog's `cogUnload` can still write its config. */
  readonly #leases: Lease[] = [];
  #state: ScopeState = "open";
  #disposing: Promise<ScopeDisposal> | null = null;

  constructor(name: string, host: ScopeHost) {
    this.name = name;
    this.#host = host;
    this.bot = host.view;
    this.logger = host.logger;
  }

  get state(): ScopeState {
    return this.#state;
  }

  /** Platform look-ups (guild and user info, status): `bot.adapter` as packages knew it. */
  get adapter(): AdapterView {
    return this.#host.view.adapter;
  }

  /** Adds a cog (named by its `name` property), then runs its `cogLoad()` if it has one. */
  async addCog(cog: Cog): Promise<void> {
    this.#open("add a cog");
    const scope = this.#host.cogs.add(cog, this);
    const entry: Entry = { cog: scope };
    this.#entries.push(entry);
    const hook = (cog as { cogLoad?: unknown }).cogLoad;
    if (typeof hook !== "function") return;
    try {
      await hook.call(cog);
    } catch (error) {
      // Only while the scope is open: a disposed scope has removed this cog already, and the
      // name may belong to a newer load by now.
      if (this.#state === "open") {
        this.#forget(entry);
        this.#disposeCog(scope, []);
      }
      throw error;
    }
  }

  /**
   * Exposes a method over RPC as `<COG>__<METHOD>` (Red's naming, computed once here).
   * `method` names a method of the cog, or is a function named by `options.name`.
   */
  registerRpcHandler(cog: Cog, method: string | RpcHandler, options: RpcHandlerOptions = {}): Disposable {
    this.#open("register an RPC method");
    const scope = this.#cogOf(cog);
    let handler: RpcHandler;
    let name: string | undefined;
    if (typeof method === "string") {
      const fn = (cog as Record<string, unknown>)[method];
      if (typeof fn !== "function") {
        throw new BotError("ERR_HANDLER_INVALID", `cog ${scope.name} has no method ${JSON.stringify(method)} to register`);
      }
      handler = (fn as RpcHandler).bind(cog);
      name = options.name ?? method;
    } else if (typeof method === "function") {
      handler = method;
      name = options.name;
    } else {
      throw new BotError("ERR_HANDLER_INVALID", `registerRpcHandler needs a method name or a function, got ${typeof method}`);
    }
    if (typeof name !== "string" || wordsToUpperSnake(name) === "") {
      throw new BotError("ERR_HANDLER_INVALID", `an RPC handler function of cog ${scope.name} needs a declared name: pass { name }`);
    }
    const registration = this.#host.rpc.methods.register(cogMethodName(scope.name, name), handler, {
      params: options.params,
      result: options.result,
      doc: options.doc,
      owner: this.name,
    });
    return this.#host.cogs.own(scope, registration);
  }

  /** Registers a topic `<COG>__<NAME>` that the cog publishes to. */
  registerRpcTopic(cog: Cog, name: string, options: { doc?: string } = {}): Topic {
    this.#open("register an RPC topic");
    const scope = this.#cogOf(cog);
    const topic = this.#host.rpc.topics.register(cogMethodName(scope.name, name), { doc: options.doc, owner: this.name });
    const owned = this.#host.cogs.own(scope, topic);
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
    this.#open("register a command");
    const scope = this.#cogOf(cog);
    return this.#host.cogs.own(scope, this.#host.commands.register(scope.name, definition));
  }

  /** Listens to a bot event for as long as the cog is loaded. */
  on<E extends BotEventName>(cog: Cog, event: E, listener: (payload: BotEvents[E]) => void | Promise<void>): Disposable {
    this.#open("listen to an event");
    return this.#host.cogs.own(this.#cogOf(cog), this.#host.events.on(event, listener));
  }

  /**
   * Emits one of the events packages may raise (see {@link PackageEventName}), e.g. the
   * dashboard package forwarding a webhook. Listeners' failures never reach the caller.
   */
  emit<E extends PackageEventName>(event: E, payload: BotEvents[E]): void {
    this.#open("emit an event");
    this.#host.events.emit(event, payload);
  }

  /** Ties any clean-up to the cog's life: it runs when the cog is removed. */
  track(cog: Cog, disposable: Disposable): Disposable {
    this.#open("track a clean-up");
    return this.#host.cogs.own(this.#cogOf(cog), disposable);
  }

  /**
   * A config namespace, typed by its defaults: `bot.config("Economy", { member: { balance: 0 } })`.
   * The handle belongs to the package: once the package is unloaded it refuses further use.
   */
  config<D extends NamespaceDefaults>(namespace: string, defaults?: D): ConfigNamespace<D> {
    this.#open("open a config namespace");
    const handle = this.#host.config.namespace(namespace, defaults);
    const released: Lease = { value: false, listeners: [] };
    this.#leases.push(released);
    return leased(handle, released, this.name, handle.name);
  }

  /**
   * Disposes everything the package registered, newest first: each cog's `cogUnload()` (within
   * its deadline), then its registrations; config handles last, so `cogUnload` may still save. Safe to call twice (the
   * second call returns the first's result); never rejects and never waits past the deadlines.
   */
  dispose(): Promise<ScopeDisposal> {
    this.#disposing ??= this.#dispose();
    return this.#disposing;
  }

  async #dispose(): Promise<ScopeDisposal> {
    this.#state = "disposing";
    const problems: string[] = [];
    for (const entry of this.#entries.splice(0).reverse()) {
      if ("cog" in entry) {
        const hook = (entry.cog.instance as { cogUnload?: unknown }).cogUnload;
        if (typeof hook === "function") {
          const outcome = await withDeadline(() => hook.call(entry.cog.instance) as unknown, this.#host.cogUnloadMs);
          if (!outcome.ok) {
            problems.push(
              outcome.timedOut
                ? `cogUnload of ${entry.cog.name} did not finish within ${seconds(this.#host.cogUnloadMs)}`
                : `cogUnload of ${entry.cog.name} failed: ${messageOf(outcome.error)}`,
            );
          }
        }
        this.#disposeCog(entry.cog, problems);
      } else {
        try {
          entry.disposable.dispose();
        } catch (error) {
          problems.push(`a clean-up failed: ${messageOf(error)}`);
        }
      }
    }
    for (const lease of this.#leases.splice(0)) {
      lease.value = true;
      for (const listener of lease.listeners.splice(0)) listener.dispose(); // onDidChange listeners end with the package
    }
    this.#state = "disposed";
    for (const problem of problems) this.logger.warn({ package: this.name, problem }, "problem while unloading a package");
    return { problems };
  }

  #disposeCog(cog: CogScope, problems: string[]): void {
    const removed = this.#host.cogs.removeRecord(cog);
    for (const error of removed?.errors ?? []) problems.push(`a registration of ${cog.name} failed to dispose: ${messageOf(error)}`);
  }

  #forget(entry: Entry): void {
    const at = this.#entries.indexOf(entry);
    if (at >= 0) this.#entries.splice(at, 1);
  }

  #open(what: string): void {
    if (this.#state !== "open") {
      throw new BotError("ERR_SCOPE_DISPOSED", `package ${this.name} is unloaded (or failed to load): it can no longer ${what}`);
    }
  }

  /** The cog's record, if this package added it. */
  #cogOf(cog: Cog): CogScope {
    const scope = this.#host.cogs.scopeOf(cog);
    if (scope.owner !== this) {
      throw new BotError("ERR_COG_UNKNOWN", `cog ${scope.name} belongs to package ${scope.owner.name}, not to ${this.name}`);
    }
    return scope;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The namespace methods that hand out a scope object, which must be leased too. */
const SCOPE_GETTERS = new Set<PropertyKey>(["global", "guild", "channel", "user", "member"]);

/** A package's hold on one config handle: released when the package is unloaded. */
interface Lease {
  value: boolean;
  /** What its `onDidChange` registered, disposed on release. */
  readonly listeners: Disposable[];
}

/**
 * A namespace handle that refuses use once its package's scope released it, and so do the
 * scope objects it handed out (`global()`, `member(…)`…): a `ConfigScope` kept by a package
 * must not write after the package is gone.
 */
function leased<T extends object>(handle: T, released: Lease, owner: string, what: string): T {
  return new Proxy(handle, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]): unknown => {
        if (released.value) {
          throw new BotError("ERR_SCOPE_DISPOSED", `package ${owner} is unloaded: its config handle ${what} can no longer be used`);
        }
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (property === "onDidChange") released.listeners.push(result as Disposable);
        return SCOPE_GETTERS.has(property) && typeof result === "object" && result !== null ? leased(result, released, owner, what) : result;
      };
    },
  });
}
