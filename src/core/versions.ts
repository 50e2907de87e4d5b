import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** Versions reported by CORE__VERSION_INFO and `info`, read once. */
export const versions: { readonly cogwheel: string; readonly discord_js: string; readonly node: string } = {
  // src/core/ in a checkout, dist/src/core/ when built: the first cogwheel manifest above.
  cogwheel: ownVersion(),
  discord_js: readVersion("discord.js"),
  node: process.version,
};

function ownVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    if (parsed.name === "cogwheel" && typeof parsed.version === "string") return parsed.version;
  }
  return "unknown";
}

/** A dependency's version, from the package.json above its main file (exports hide the manifest). */
function readVersion(name: string): string {
  try {
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 5; i++, dir = dirname(dir)) {
      const manifest = join(dir, "package.json");
      if (!existsSync(manifest)) continue;
      const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (parsed.name === name && typeof parsed.version === "string") return parsed.version;
    }
  } catch {
    // fall through: not installed
  }
  return "not installed";
}
