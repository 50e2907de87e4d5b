// Packages that tests load into real bots, written to a cog path on disk.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePackage } from "./temp.ts";

/**
 * The bundled packages' names, sorted: what `available` lists with no other cog path. Read
 * from cogs/ so that a new bundled package does not break every test that lists them.
 */
export function bundledPackages(): string[] {
  const root = fileURLToPath(new URL("../../cogs/", import.meta.url));
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && ["index.ts", "index.js"].some((f) => existsSync(join(root, d.name, f))))
    .map((d) => d.name)
    .sort();
}

/** `slow`: SLOW__WAIT [ms] answers "done after <ms>" after that long; holds a shutdown open. */
export function writeSlowPackage(root: string): void {
  writePackage(root, "slow", {
    "index.ts": `import type { PackageScope } from "cogwheel";
export async function setup(bot: PackageScope) {
  const cog = { name: "Slow" };
  await bot.addCog(cog);
  bot.registerRpcHandler(cog, (ms: number) => new Promise((r) => setTimeout(() => r("done after " + ms), ms)), { name: "wait", params: ["ms"] });
}
`,
  });
}
