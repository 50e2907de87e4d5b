/**
 * Builds the discord.js Client the adapter drives: the intents a prefix-command bot needs
 * (plus the privileged ones the options ask for),
 * plain-JSON gateway, safe mention defaults, and the REST base URL (the test seam).
 */
import { Client, GatewayIntentBits, Partials, type ClientOptions } from "discord.js";
import { StoppableShardingStrategy } from "./gateway.ts";
import type { ResolvedOptions } from "./options.ts";

/**
 * Guilds (guild and channel cache), GuildMessages and DirectMessages (message events),
 * MessageContent (privileged: the text of messages, needed for prefix commands).
 */
export const DISCORD_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
] as const;

/**
 * The privileged intents an option may add, with the name the Developer Portal gives each
 * switch (the 4014 refusal names the ones to turn on).
 */
export const OPTIONAL_INTENTS = {
  members: { bit: GatewayIntentBits.GuildMembers, portalName: "Server Members Intent" },
  presences: { bit: GatewayIntentBits.GuildPresences, portalName: "Presence Intent" },
} as const;

/** The intents to identify with: the base ones plus those `options.intents` turns on. */
export function intentsFor(options: Pick<ResolvedOptions, "intents">): GatewayIntentBits[] {
  const extra = (Object.keys(OPTIONAL_INTENTS) as (keyof typeof OPTIONAL_INTENTS)[]).filter((key) => options.intents[key]);
  return [...DISCORD_INTENTS, ...extra.map((key) => OPTIONAL_INTENTS[key].bit)];
}

/** Developer Portal names of the privileged intents these options ask for, Message Content first. */
export function privilegedIntentNames(options: Pick<ResolvedOptions, "intents">): string[] {
  const extra = (Object.keys(OPTIONAL_INTENTS) as (keyof typeof OPTIONAL_INTENTS)[]).filter((key) => options.intents[key]);
  return ["Message Content Intent", ...extra.map((key) => OPTIONAL_INTENTS[key].portalName)];
}

/**
 * Client options. `onStrategy` receives the gateway strategy discord.js builds, so the
 * adapter can drop its sockets if a shutdown handshake stalls.
 */
export function buildClientOptions(
  options: ResolvedOptions,
  onStrategy: (strategy: StoppableShardingStrategy) => void = () => {},
): ClientOptions {
  return {
    intents: intentsFor(options),
    // DM channels are not in the cache until a message arrives in them.
    partials: [Partials.Channel],
    // Replies often echo user input: never let that ping @everyone/@here or roles.
    allowedMentions: { parse: ["users"], repliedUser: false },
    // discord.js sends `compress` only when the optional zlib-sync package is installed,
    // which Cogwheel does not depend on: the gateway speaks plain JSON text frames.
    rest: options.restApiUrl === undefined ? {} : { api: options.restApiUrl },
    ws: {
      buildStrategy: (manager) => {
        const strategy = new StoppableShardingStrategy(manager);
        onStrategy(strategy);
        return strategy;
      },
    },
  };
}

export function buildClient(
  options: ResolvedOptions,
  onStrategy?: (strategy: StoppableShardingStrategy) => void,
): Client {
  return new Client(buildClientOptions(options, onStrategy));
}
