// Packages that tests load into real bots, written to a cog path on disk.
import { writePackage } from "./temp.ts";

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
