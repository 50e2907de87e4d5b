import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { BotError } from "./errors.ts";
import type { CoreConfig } from "./settings.ts";

/** Package names are identifiers, so they are safe as folder names and in messages. */
export const PACKAGE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENTRY_FILES = ["index.ts", "index.mts", "index.js", "index.mjs"];

/**
 * Where packages are found: the `--cog-path` folders, the paths added at run time (remembered
 * in config), then the bundled cogs; first match wins.
 */
export class PackageFinder {
  readonly #config: CoreConfig;
  readonly #fixedPaths: readonly string[];
  readonly #bundledPath: string | null;

  constructor(config: CoreConfig, cogPaths: readonly string[], bundledPath: string | null) {
    this.#config = config;
    this.#fixedPaths = cogPaths.map((p) => resolve(p));
    this.#bundledPath = bundledPath === null ? null : resolve(bundledPath);
  }

  /** The search order: --cog-path, added paths, bundled cogs. */
  async paths(): Promise<string[]> {
    const added = await this.#config.global().get("cogPaths");
    const all = [...this.#fixedPaths, ...added, ...(this.#bundledPath === null ? [] : [this.#bundledPath])];
    return [...new Set(all)];
  }

  /** Adds a cog path (remembered in config). Throws ERR_PATH_INVALID for a non-directory. */
  async addPath(dir: string): Promise<string> {
    const absolute = resolve(dir);
    if (!isDirectory(absolute)) throw new BotError("ERR_PATH_INVALID", `${absolute} is not a directory.`);
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

  /** Every package that could be loaded, by name, sorted. */
  async available(): Promise<string[]> {
    const names = new Set<string>();
    for (const path of await this.paths()) {
      let children: string[];
      try {
        children = readdirSync(path);
      } catch {
        continue; // a cog path that vanished lists nothing
      }
      for (const name of children) if (PACKAGE_NAME.test(name) && isDirectory(join(path, name)) && entryOf(join(path, name)) !== null) names.add(name);
    }
    return [...names].sort();
  }
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
