import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { RpcLogger } from "../rpc/index.ts";
import { BotError, isCogLoadError } from "./errors.ts";
import { importFresh } from "./module-loader.ts";
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

/** Red's result shape of CORE__UNLOAD. */
export interface UnloadResult {
  unloaded_packages: string[];
  notloaded_packages: string[];
}

/** What the package manager needs from the bot. */
export interface PackageHost {
  /** Passed to `setup(bot)` and `teardown(bot)`. */
  readonly api: unknown;
  /** Removes every cog the package added (and so everything they registered). */
  removeCogsOf(packageName: string): Promise<void>;
  readonly logger: RpcLogger;
  /** Told after every change of the loaded set. */
  onChange(loaded: readonly string[]): void;
}

interface LoadedPackage {
  readonly dir: string;
  readonly module: Record<string, unknown>;
}

const PACKAGE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENTRY_FILES = ["index.ts", "index.mts", "index.js", "index.mjs"];

/**
 * Finds, loads, unloads and reloads packages by name. Owns their lifecycle (the store, not
 * the plugin): operations run one at a time, a failed setup is rolled back completely, and
 * the loaded set is remembered in config.
 */
export class PackageManager {
  readonly #host: PackageHost;
  readonly #config: CoreConfig;
  readonly #fixedPaths: readonly string[];
  readonly #bundledPath: string | null;
  readonly #loaded = new Map<string, LoadedPackage>();
  #queue: Promise<unknown> = Promise.resolve();
  readonly #setupTimeoutMs: number;
  #loading: string | null = null;

  constructor(
    host: PackageHost,
    config: CoreConfig,
    options: { cogPaths: readonly string[]; bundledPath: string | null; setupTimeoutMs?: number },
  ) {
    this.#host = host;
    // Red gives a package 30 s; a setup that never settles must not block every later load.
    this.#setupTimeoutMs = options.setupTimeoutMs ?? 30_000;
    this.#config = config;
    this.#fixedPaths = options.cogPaths.map((p) => resolve(p));
    this.#bundledPath = options.bundledPath === null ? null : resolve(options.bundledPath);
  }

  /** The package whose `setup` is running now (cogs added meanwhile belong to it), or null. */
  get loading(): string | null {
    return this.#loading;
  }

  /** Names of the loaded packages, in load order. */
  loaded(): string[] {
    return [...this.#loaded.keys()];
  }

  /** Where packages are searched, first match wins: --cog-path, added paths, bundled cogs. */
  async paths(): Promise<string[]> {
    const added = await this.#config.global().get("cogPaths");
    const all = [...this.#fixedPaths, ...added, ...(this.#bundledPath === null ? [] : [this.#bundledPath])];
    return [...new Set(all)];
  }

  /** Adds a cog path (remembered in config). Throws ERR_PATH_INVALID for a non-directory. */
  async addPath(dir: string): Promise<string> {
    const absolute = resolve(dir);
    if (!isDirectory(absolute)) throw new BotError("ERR_PATH_INVALID", `${absolute} is not a directory`);
    await this.#config.global().update("cogPaths", (paths) => (paths.includes(absolute) ? paths : [...paths, absolute]));
    return absolute;
  }

  /** The entry file of package `name`, or null when no cog path has it. */
  async find(name: string): Promise<string | null> {
    for (const path of await this.paths()) {
      const dir = join(path, name);
      if (!isDirectory(dir)) continue;
      const entry = entryOf(dir);
      if (entry !== null) return entry;
    }
    return null;
  }

  /**
   * Loads packages by name, each from fresh code, one operation at a time; a failed setup is
   * rolled back completely. The loaded set is remembered. Never rejects for a package's fault:
   * failures are in the result, in Red's shape.
   */
  load(names: readonly string[]): Promise<LoadResult> {
    return this.#serial(async () => {
      const result = emptyLoadResult();
      for (const name of unique(names)) await this.#loadOne(name, result);
      await this.#changed();
      return result;
    });
  }

  /** Unloads packages by name: `teardown(bot)`, then everything their cogs registered. */
  unload(names: readonly string[]): Promise<UnloadResult> {
    return this.#serial(async () => {
      const result: UnloadResult = { unloaded_packages: [], notloaded_packages: [] };
      for (const name of unique(names)) {
        if (this.#loaded.has(name)) {
          await this.#unloadOne(name);
          result.unloaded_packages.push(name);
        } else {
          result.notloaded_packages.push(name);
        }
      }
      await this.#changed();
      return result;
    });
  }

  /** Unloads what is loaded among `names`, then loads them all again from disk. */
  reload(names: readonly string[]): Promise<LoadResult> {
    return this.#serial(async () => {
      const result = emptyLoadResult();
      for (const name of unique(names)) {
        if (this.#loaded.has(name)) await this.#unloadOne(name);
        await this.#loadOne(name, result);
      }
      await this.#changed();
      return result;
    });
  }

  async #loadOne(name: string, result: LoadResult): Promise<void> {
    if (typeof name !== "string" || !PACKAGE_NAME.test(name)) {
      result.invalid_pkg_names.push(String(name));
      return;
    }
    if (this.#loaded.has(name)) {
      result.alreadyloaded_packages.push(name);
      return;
    }
    const entry = await this.find(name);
    if (entry === null) {
      result.notfound_packages.push(name);
      return;
    }
    this.#loading = name;
    try {
      const module = await importFresh(entry);
      const setup = module.setup;
      if (typeof setup !== "function") throw new NoSetupError(`package ${name} does not export a setup(bot) function`);
      await withTimeout(Promise.resolve(setup(this.#host.api)), this.#setupTimeoutMs, () =>
        new NoSetupError(`setup did not finish within ${this.#setupTimeoutMs / 1000} s`),
      );
      this.#loaded.set(name, { dir: entry, module });
      result.loaded_packages.push(name);
      this.#host.logger.info({ package: name }, "package loaded");
    } catch (error) {
      await this.#host.removeCogsOf(name);
      if (isCogLoadError(error) || error instanceof NoSetupError) {
        result.failed_with_reason_packages[name] = (error as Error).message;
        this.#host.logger.warn({ package: name, reason: (error as Error).message }, "package refused to load");
      } else {
        result.failed_packages.push(name);
        this.#host.logger.error({ package: name, err: error }, "package failed to load; everything it registered was removed");
      }
    } finally {
      this.#loading = null;
    }
  }

  /**
   * Tears every package down at shutdown, newest first, without changing the remembered list:
   * they load again at the next start.
   */
  teardownAll(): Promise<void> {
    return this.#serial(async () => {
      for (const name of this.loaded().reverse()) await this.#unloadOne(name);
    });
  }

  async #unloadOne(name: string): Promise<void> {
    const loaded = this.#loaded.get(name)!;
    this.#loaded.delete(name);
    const teardown = loaded.module.teardown;
    if (typeof teardown === "function") {
      try {
        await teardown(this.#host.api);
      } catch (error) {
        this.#host.logger.error({ package: name, err: error }, "package teardown failed; unloading it anyway");
      }
    }
    await this.#host.removeCogsOf(name);
    this.#host.logger.info({ package: name }, "package unloaded");
  }

  async #changed(): Promise<void> {
    const loaded = this.loaded();
    await this.#config.global().set("packages", loaded);
    this.#host.onChange(loaded);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** A load failure whose message is the reason to report (no setup, setup timed out). */
class NoSetupError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** package.json `main`, else index.ts / index.mts / index.js / index.mjs. */
function entryOf(dir: string): string | null {
  const manifest = join(dir, "package.json");
  if (existsSync(manifest)) {
    try {
      const main = (JSON.parse(readFileSync(manifest, "utf8")) as { main?: unknown }).main;
      if (typeof main === "string" && existsSync(join(dir, main))) return join(dir, main);
    } catch {
      // An unreadable package.json falls back to the index files.
    }
  }
  for (const file of ENTRY_FILES) if (existsSync(join(dir, file))) return join(dir, file);
  return null;
}
