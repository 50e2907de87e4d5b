import type { Disposable, RpcLogger } from "../rpc/index.ts";
import { seconds, withDeadline } from "./deadline.ts";
import { isCogwheelError } from "../protocol/catalog.ts";
import { CogLoadError } from "./errors.ts";
import { importFresh } from "./module-loader.ts";
import { PACKAGE_NAME, type PackageFinder } from "./package-finder.ts";
import type { PackageScope } from "./scope.ts";
import type { CoreConfig } from "./settings.ts";

/** Red's result shape of CORE__LOAD and CORE__RELOAD. */
export interface LoadResult {
  loaded_packages: string[];
  failed_packages: string[];
  invalid_pkg_names: string[];
  notfound_packages: string[];
  alreadyloaded_packages: string[];
  failed_with_reason_packages: Record<string, string>;
  repos_with_shared_libs: string[];
}

/**
 * Red's result shape of CORE__UNLOAD, plus `unload_errors`: packages that were unloaded although
 * their `teardown` or a cog's `cogUnload` failed or ran past its deadline, with why.
 */
export interface UnloadResult {
  unloaded_packages: string[];
  notloaded_packages: string[];
  unload_errors: Record<string, string>;
}

/**
 * The state of the packages, as the `CORE__PACKAGES` topic publishes it: what is loaded (in
 * load order), what failed at its latest attempt and is not loaded (with the reason; remembered
 * packages that fail at start-up are here), and what the cog paths offer.
 */
export interface PackagesState {
  loaded: string[];
  failed: Record<string, string>;
  available: string[];
}

/** Time limits of a package's steps, in ms. */
export interface PackageDeadlines {
  /** `setup(bot)`, its module's import included. */
  readonly setupMs: number;
  /** `teardown(bot)`. */
  readonly teardownMs: number;
}

/** What the package manager needs from the bot. */
export interface PackageHost {
  /** A fresh scope for a package; disposing it undoes everything the package registered. */
  createScope(name: string): PackageScope;
  /**
   * Parks the RPC topics disposed until the hold is released: a topic registered again by then
   * keeps its subscribers (a reload), the others are removed with one UNSUBSCRIBED each.
   */
  holdTopics(): Disposable;
  readonly logger: RpcLogger;
  /** Told after every change of the loaded or failed set. */
  onChange(): void;
}

/** Lifecycle: `closing` once shutdown began (nothing more is loaded); never goes back. */
export type PackageManagerState = "open" | "closing" | "closed";

interface LoadedPackage {
  readonly module: Record<string, unknown>;
  readonly scope: PackageScope;
}

const STOPPING = "the bot is shutting down";
/** The built-in Core's scope name: no package may take it. */
const RESERVED = "core";

/**
 * Loads, unloads and reloads packages by name: the store owns the lifecycle, not the plugin.
 * Operations run one at a time, and none can jam the queue: `setup`, `teardown` and each
 * `cogUnload` have deadlines, past which the package's scope is disposed anyway and the result
 * says why. Remembered packages (config) change only by an explicit load or unload.
 */
export class PackageManager {
  readonly #host: PackageHost;
  readonly #config: CoreConfig;
  readonly #finder: PackageFinder;
  readonly #deadlines: PackageDeadlines;
  readonly #loaded = new Map<string, LoadedPackage>();
  readonly #failed = new Map<string, string>();
  #queue: Promise<unknown> = Promise.resolve();
  #state: PackageManagerState = "open";
  #stop!: () => void;
  readonly #stopped = new Promise<void>((resolve) => (this.#stop = resolve));

  constructor(host: PackageHost, config: CoreConfig, finder: PackageFinder, deadlines: PackageDeadlines) {
    this.#host = host;
    this.#config = config;
    this.#finder = finder;
    this.#deadlines = deadlines;
  }

  get state(): PackageManagerState {
    return this.#state;
  }

  /** Names of the loaded packages, in load order. */
  loaded(): string[] {
    return [...this.#loaded.keys()];
  }

  /** The state `CORE__PACKAGES` publishes. */
  async snapshot(): Promise<PackagesState> {
    return { loaded: this.loaded(), failed: Object.fromEntries(this.#failed), available: await this.#finder.available() };
  }

  /** Where packages are searched, first match wins. */
  paths(): Promise<string[]> {
    return this.#finder.paths();
  }

  /** Adds a cog path (remembered). Throws ERR_PATH_INVALID for a non-directory. */
  addPath(dir: string): Promise<string> {
    return this.#finder.addPath(dir);
  }

  /** Loads packages by name, each from fresh code; those that load are remembered. Never rejects for a package's fault. */
  load(names: readonly string[]): Promise<LoadResult> {
    return this.#serial(emptyLoadResult, names, async (result) => {
      for (const name of unique(names)) await this.#loadOne(name, result, true);
    });
  }

  /** Loads the remembered packages (start-up); those that fail stay remembered, to be tried again next time. */
  async loadRemembered(): Promise<LoadResult> {
    const remembered = await this.#config.global().get("packages");
    const result = await this.#serial(emptyLoadResult, remembered, async (r) => {
      for (const name of unique(remembered)) await this.#loadOne(name, r, false);
    });
    const failed = remembered.filter((name) => !result.loaded_packages.includes(name));
    if (failed.length > 0) {
      const reason = (n: string): string => result.failed_with_reason_packages[n] ?? this.#failed.get(n) ?? "not found in the cog paths";
      this.#host.logger.warn({ failed: Object.fromEntries(failed.map((n) => [n, reason(n)])) }, "remembered packages did not load; they stay remembered");
    }
    return result;
  }

  /** Unloads packages by name and forgets them: `teardown(bot)`, then everything their scope owns. */
  unload(names: readonly string[]): Promise<UnloadResult> {
    return this.#serial(emptyUnloadResult, names, async (result) => {
      // One UNSUBSCRIBED frame per subscriber for everything this unload removes.
      const hold = this.#host.holdTopics();
      try {
        for (const name of unique(names)) {
          const wasFailed = this.#failed.delete(name);
          // Forgotten only if it is this bot's: loaded here, or failed here. With a shared config
          // (PostgreSQL) a remembered package neither loaded nor failed here is another bot's.
          if (wasFailed || this.#loaded.has(name)) await this.#forget(name);
          if (!this.#loaded.has(name)) {
            result.notloaded_packages.push(name);
            if (wasFailed) this.#host.onChange();
            continue;
          }
          const problems = await this.#unloadOne(name);
          result.unloaded_packages.push(name);
          if (problems.length > 0) result.unload_errors[name] = problems.join("; ");
        }
      } finally {
        hold.dispose();
      }
    });
  }

  /** Unloads what is loaded among `names`, then loads them all again from disk. */
  reload(names: readonly string[]): Promise<LoadResult> {
    return this.#serial(emptyLoadResult, names, async (result) => {
      for (const name of unique(names)) {
        // Subscribers of the package's topics stay subscribed across the reload.
        const hold = this.#host.holdTopics();
        try {
          if (this.#loaded.has(name)) await this.#unloadOne(name);
          await this.#loadOne(name, result, true);
        } finally {
          hold.dispose();
        }
      }
    });
  }

  async #loadOne(name: string, result: LoadResult, remember: boolean): Promise<void> {
    if (typeof name !== "string" || !PACKAGE_NAME.test(name)) {
      result.invalid_pkg_names.push(String(name));
      return;
    }
    if (this.#loaded.has(name)) {
      result.alreadyloaded_packages.push(name);
      return;
    }
    if (name.toLowerCase() === RESERVED) {
      result.failed_with_reason_packages[name] = `the name ${RESERVED} is reserved for the bot's built-in Core`;
      return;
    }
    if (this.#state !== "open") {
      result.failed_with_reason_packages[name] = STOPPING;
      return;
    }
    const entry = await this.#finder.find(name);
    if (entry === null) {
      result.notfound_packages.push(name);
      // A remembered package that vanished is worth reporting; a typo in !load is not.
      if (!remember) this.#fail(name, "not found in the cog paths");
      return;
    }
    const scope = this.#host.createScope(name);
    let module: Record<string, unknown> = {};
    const { setupMs } = this.#deadlines;
    const outcome = await withDeadline(async () => {
      module = await importFresh(entry);
      if (typeof module.setup !== "function") throw new CogLoadError(`package ${name} does not export a setup(bot) function`);
      await (module.setup as (bot: PackageScope) => unknown)(scope);
    }, setupMs, this.#stopped);
    if (outcome.ok && this.#state === "open") {
      this.#loaded.set(name, { module, scope });
      this.#failed.delete(name);
      if (remember) await this.#remember(name);
      result.loaded_packages.push(name);
      this.#host.logger.info({ package: name }, "package loaded");
      this.#host.onChange();
      return;
    }
    // Failed, late or interrupted: whatever the package registered goes, and anything it
    // registers later is refused by its disposed scope.
    await scope.dispose();
    const reason = outcome.ok || outcome.stopped
      ? STOPPING
      : outcome.timedOut
        ? `setup did not finish within ${seconds(setupMs)}`
        : refusal(outcome.error);
    if (reason !== null) {
      result.failed_with_reason_packages[name] = reason;
      this.#host.logger.warn({ package: name, reason }, "package refused to load; everything it registered was removed");
      this.#fail(name, reason);
    } else {
      const error = (outcome as { error: unknown }).error;
      result.failed_packages.push(name);
      this.#host.logger.error({ package: name, err: error }, "package failed to load; everything it registered was removed");
      this.#fail(name, `setup threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** `teardown`, then the scope; returns what went wrong (the package is unloaded regardless). */
  async #unloadOne(name: string, stop?: Promise<void>): Promise<string[]> {
    const loaded = this.#loaded.get(name)!;
    this.#loaded.delete(name);
    const problems: string[] = [];
    const teardown = loaded.module.teardown;
    if (typeof teardown === "function") {
      const { teardownMs } = this.#deadlines;
      const outcome = await withDeadline(() => teardown(loaded.scope) as unknown, teardownMs, stop);
      if (!outcome.ok && !outcome.stopped) {
        problems.push(outcome.timedOut ? `teardown did not finish within ${seconds(teardownMs)}` : `teardown failed: ${messageOf(outcome.error)}`);
      }
    }
    const disposal = stop === undefined ? await loaded.scope.dispose() : await Promise.race([loaded.scope.dispose(), stop.then(() => ({ problems: [] }))]);
    problems.push(...disposal.problems);
    this.#host.logger.info({ package: name, problems }, "package unloaded");
    this.#host.onChange();
    return problems;
  }

  /**
   * Shutdown, first step: nothing more is loaded. A setup in progress is abandoned (its scope
   * disposed) and queued operations answer at once that the bot is shutting down. Synchronous
   * and safe to call twice.
   */
  stopLoading(): void {
    if (this.#state !== "open") return;
    this.#state = "closing";
    this.#stop();
  }

  /**
   * Shutdown, second step: every package is torn down, newest first, all within `budgetMs`;
   * past it the rest are disposed without waiting for their hooks. The remembered list is kept.
   * Safe to call twice.
   */
  async close(budgetMs: number): Promise<void> {
    if (this.#state === "closed") return;
    this.stopLoading();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, budgetMs).unref());
    await Promise.race([this.#queue, deadline]);
    for (const name of this.loaded().reverse()) await this.#unloadOne(name, deadline);
    this.#state = "closed";
  }

  // Bots sharing a config database share this list, so the change is an update (retried on a
  // conflict, never lost); it writes (and fsyncs) only when the list really changes.
  async #remember(name: string): Promise<void> {
    const global = this.#config.global();
    if (!(await global.get("packages")).includes(name)) await global.update("packages", (list) => (list.includes(name) ? list : [...list, name]));
  }

  async #forget(name: string): Promise<void> {
    const global = this.#config.global();
    if ((await global.get("packages")).includes(name)) await global.update("packages", (list) => list.filter((n) => n !== name));
  }

  #fail(name: string, reason: string): void {
    this.#failed.set(name, reason);
    this.#host.onChange();
  }

  /** Runs operations one at a time; after shutdown began, answers at once that nothing ran. */
  #serial<R extends LoadResult | UnloadResult>(empty: () => R, names: readonly string[], task: (result: R) => Promise<void>): Promise<R> {
    const run = async (): Promise<R> => {
      const result = empty();
      if (this.#state !== "open") {
        markStopping(result, names);
        return result;
      }
      await task(result);
      return result;
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

/** The reason to report for a refusal (Red's CogLoadError, or no setup), or null for a crash. */
function refusal(error: unknown): string | null {
  // By code, not instanceof: the package imports CogLoadError through its own module graph.
  // A config file the owner must fix by hand is a refusal too, with the file (and key) named.
  for (const code of REFUSALS) if (isCogwheelError(error, code)) return error.message;
  return null;
}

/** Errors that refuse a load with a reason for the owner, not a crash of the package. */
const REFUSALS = ["ERR_COG_LOAD_REFUSED", "ERR_CONFIG_CORRUPT_FILE", "ERR_CONFIG_WRONG_TYPE"] as const;

function markStopping(result: LoadResult | UnloadResult, names: readonly string[]): void {
  if ("failed_with_reason_packages" in result) for (const name of unique(names)) result.failed_with_reason_packages[String(name)] = STOPPING;
  else for (const name of unique(names)) result.unload_errors[String(name)] = STOPPING;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function emptyLoadResult(): LoadResult {
  return {
    loaded_packages: [],
    failed_packages: [],
    invalid_pkg_names: [],
    notfound_packages: [],
    alreadyloaded_packages: [],
    failed_with_reason_packages: {},
    repos_with_shared_libs: [],
  };
}

function emptyUnloadResult(): UnloadResult {
  return { unloaded_packages: [], notloaded_packages: [], unload_errors: {} };
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
