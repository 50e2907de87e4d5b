import type { ConfigNamespace, ConfigStore } from "../config/index.ts";

/** The bot's own config ("Core" namespace): what survives a restart. */
export const CORE_DEFAULTS = {
  global: {
    name: "Cogwheel",
    prefixes: ["!"] as string[],
    /** Packages loaded, in load order; loaded again at the next start. */
    packages: [] as string[],
    /** Cog paths added at run time (`addpath`). */
    cogPaths: [] as string[],
  },
};

export type CoreConfig = ConfigNamespace<typeof CORE_DEFAULTS>;

export function coreConfig(store: ConfigStore): CoreConfig {
  return store.namespace("Core", CORE_DEFAULTS);
}
