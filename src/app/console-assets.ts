import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding package.json named "cogwheel", found by walking up from this module: the
 * repository root in a checkout (src/app/), the installed package's root when run from
 * dist/src/app/. One fixed relative path cannot serve both, since dist/ adds a level.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "cogwheel") return dir;
      } catch {
        // an unreadable package.json on the way up is not ours
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

/** Where `npm run build:console` puts the web console: `<package root>/dist/console`. */
export const CONSOLE_ASSETS_DIR: string | null = (() => {
  const root = packageRoot();
  return root === null ? null : join(root, "dist", "console");
})();

/** The command that builds the console's assets, for the warning when they are missing. */
export const BUILD_CONSOLE_COMMAND = "npm run build:console";

/** True when `dir` holds a built console (its index.html). */
export function hasConsole(dir: string | null): dir is string {
  return dir !== null && existsSync(join(dir, "index.html"));
}
