import { StartError, type StartFlags } from "./start.ts";

/** The RPC flags that only mean something with `--rpc`, by option key and flag. */
const NEEDS_RPC = [
  ["rpcPort", "--rpc-port"],
  ["rpcAllowOrigin", "--rpc-allow-origin"],
  ["rpcAuth", "--rpc-auth"],
  ["rpcConsole", "--rpc-console"],
] as const;

/** Flags whose value names something: an empty (or blank) one can only be a mistake. */
const NON_EMPTY = [
  ["dataDir", "--data-dir"],
  ["cogPath", "--cog-path"],
  ["prefix", "--prefix"],
  ["owner", "--owner"],
  ["token", "--token"],
  ["config", "--config"],
] as const;

/** The environment variable naming the PostgreSQL config store when `--config` is not given. */
export const DATABASE_URL_ENV = "COGWHEEL_DATABASE_URL";

/** The names `--discord-intents` takes (AppOptions.discordIntents keys). */
export const DISCORD_INTENT_NAMES = ["members", "presences"] as const;

/** `--discord-intents a,b` (repeatable): the names, split on commas, blanks dropped. */
export function collectIntents(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((name) => name.trim().toLowerCase())];
}

/**
 * Refuses contradictory or empty flags of `cogwheel start`, as one line (a StartError), before
 * anything starts. `given(key)` says whether the user typed the flag: a default is never
 * contradictory. Silently ignoring `--rpc-auth token` without `--rpc` would let a user believe
 * a server is protected that does not run; an empty `--token` fell back to console mode, which
 * hides a script's unset variable (`--token "$TOKEN"`).
 */
export function checkStartFlags(flags: StartFlags, given: (key: keyof StartFlags) => boolean): void {
  if (!flags.rpc) {
    const stray = NEEDS_RPC.filter(([key]) => given(key)).map(([, flag]) => flag);
    if (stray.length > 0) throw new StartError(`${stray.join(", ")} ${stray.length === 1 ? "has" : "have"} no effect without --rpc (add --rpc to run the RPC server)`);
  }
  if (flags.rpcConsole !== "on" && flags.rpcConsole !== "off") {
    throw new StartError(`--rpc-console must be on or off, got ${JSON.stringify(flags.rpcConsole)}`);
  }
  for (const [key, flag] of NON_EMPTY) {
    const value = flags[key];
    const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (values.some((v) => v.trim() === "")) throw new StartError(`${flag} must not be empty`);
  }
  const intents = flags.discordIntents ?? [];
  if (given("discordIntents") && intents.every((name) => name === "")) {
    throw new StartError(`--discord-intents needs a comma list of: ${DISCORD_INTENT_NAMES.join(", ")}`);
  }
  const unknown = intents.filter((name) => name !== "" && !(DISCORD_INTENT_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new StartError(`--discord-intents: unknown intent ${unknown.map((name) => JSON.stringify(name)).join(", ")} (known: ${DISCORD_INTENT_NAMES.join(", ")})`);
  }
}
