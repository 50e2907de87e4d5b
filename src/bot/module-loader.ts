import * as nodeModule from "node:module";
import { pathToFileURL } from "node:url";

let installing: Promise<void> | undefined;
let generation = 0;

interface HookData {
  frameworkRoot: string;
  aliases: Record<string, string>;
}
interface SyncHooksModule {
  initialize(data: HookData): void;
  resolve: (...args: never[]) => unknown;
  load: (...args: never[]) => unknown;
}
type RegisterHooks = (hooks: { resolve: SyncHooksModule["resolve"]; load: SyncHooksModule["load"] }) => unknown;

/**
 * Installs the package hooks once per process (see loader-hooks.mjs). The framework root is
 * the `src/` folder this file lives in; `cogwheel` maps to its index.
 *
 * Where Node has `module.registerHooks` (22.15+, 23.5+) the hooks run in this thread, ahead of
 * every other loader (tsx included, whichever kind of hooks it installed); on Node 20 they go
 * through `module.register`, registered after tsx's, so they run first there too. Either way
 * the package files are resolved and loaded by the same code with the same result.
 */
export function installPackageHooks(): Promise<void> {
  installing ??= install();
  return installing;
}

async function install(): Promise<void> {
  const src = new URL("../", import.meta.url);
  // Running from sources (tsx) or from the build (dist/): the framework's files end alike.
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const data: HookData = {
    frameworkRoot: src.href,
    aliases: {
      cogwheel: new URL(`index.${ext}`, src).href,
      "cogwheel/rpc": new URL(`rpc/index.${ext}`, src).href,
    },
  };
  const hooksUrl = new URL("./loader-hooks.mjs", import.meta.url);
  const registerHooks = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof registerHooks === "function") {
    const hooks = (await import(hooksUrl.href)) as SyncHooksModule;
    hooks.initialize(data);
    registerHooks({ resolve: hooks.resolve, load: hooks.load });
  } else {
    nodeModule.register(hooksUrl, { data });
  }
}

/** Imports a package's entry file as new code: every call gets a fresh module tree. */
export async function importFresh(file: string): Promise<Record<string, unknown>> {
  await installPackageHooks();
  const url = pathToFileURL(file);
  url.searchParams.set("cogwheel-gen", String(++generation));
  return (await import(url.href)) as Record<string, unknown>;
}
