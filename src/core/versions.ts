import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Versions reported by CORE__VERSION_INFO and `info`, read once. */
export const versions: { readonly cogwheel: string; readonly discord_js: string; readonly node: string } = {
  cogwheel: (require("../../package.json") as { version: string }).version,
  discord_js: readVersion("discord.js/package.json"),
  node: process.version,
};

function readVersion(manifest: string): string {
  try {
    return (require(manifest) as { version: string }).version;
  } catch {
    return "not installed";
  }
}
