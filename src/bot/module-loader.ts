import { register } from "node:module";
import { pathToFileURL } from "node:url";

let installed = false;
let generation = 0;

/**
 * Installs the package resolution hooks once per process (see loader-hooks.mjs). The
 * framework root is the `src/` folder this file lives in; `cogwheel` maps to its index.
 */
export function installPackageHooks(): void {
  if (installed) return;
  installed = true;
  const src = new URL("../", import.meta.url);
  // Running from sources (tsx) or from the build (dist/): the framework's files end alike.
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  register(new URL("./loader-hooks.mjs", import.meta.url), {
    data: {
      frameworkRoot: src.href,
      aliases: {
        cogwheel: new URL(`index.${ext}`, src).href,
        "cogwheel/rpc": new URL(`rpc/index.${ext}`, src).href,
      },
    },
  });
}

/** Imports a package's entry file as new code: every call gets a fresh module tree. */
export async function importFresh(file: string): Promise<Record<string, unknown>> {
  installPackageHooks();
  const url = pathToFileURL(file);
  url.searchParams.set("cogwheel-gen", String(++generation));
  return (await import(url.href)) as Record<string, unknown>;
}
