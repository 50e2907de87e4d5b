import type { ConfigNamespace, ConfigStore } from "../config/index.ts";

/** The bot's own config ("Core" namespace): what survives a restart. */
export const CORE_DEFAULTS = {
  global: {
    name: "Cogwheel",
    prefixes: ["!"] as string[],
    /** The bot's description (`!set description`); empty: none. */
    description: "",
    /** Packages loaded, in load order; loaded again at the next start. */
    packages: [] as string[],
    /** Cog paths added at run time (`addpath`). */
    cogPaths: [] as string[],
  },
  guild: {
    /** This guild's own prefixes (`!set serverprefix`); empty: the global ones. */
    prefixes: [] as string[],
    /** Role ids whose members are admins here (`!set addadminrole`). */
    adminRoles: [] as string[],
    /** Role ids whose members are mods here (`!set addmodrole`). */
    modRoles: [] as string[],
  },
};

export type CoreConfig = ConfigNamespace<typeof CORE_DEFAULTS>;

export function coreConfig(store: ConfigStore): CoreConfig {
  return store.namespace("Core", CORE_DEFAULTS);
}
