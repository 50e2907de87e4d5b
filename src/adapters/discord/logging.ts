/**
 * Forwards discord.js's own diagnostics to the adapter's logger, and remembers the last
 * connection problem so a start timeout can say what went wrong.
 */
import { Events, type Client } from "discord.js";
import type { DiscordLogger } from "./options.ts";

export interface ProblemLog {
  /** The last connection problem seen, as a short phrase, or null. */
  readonly last: string | null;
}

export function attachLogging(client: Client, logger: DiscordLogger): ProblemLog {
  const problems: { last: string | null } = { last: null };
  client.on(Events.Debug, (message) => {
    logger.debug({ source: "discord.js" }, message);
    if (message.includes("Failed to connect to the gateway URL specified due to a network error")) {
      const gateway = client.ws.gateway;
      problems.last = `could not connect to the gateway${gateway ? ` at ${gateway}` : ""} (network error)`;
    } else if (message.includes("Waiting for event hello")) {
      problems.last ??= "the gateway did not say HELLO";
    }
  });
  client.on(Events.Warn, (message) => logger.warn({ source: "discord.js" }, message));
  // Without an "error" listener an EventEmitter error would crash the process.
  client.on(Events.Error, (error) => logger.error({ err: error }, "discord.js client error"));
  client.on(Events.ShardError, (error, shardId) => {
    problems.last = `gateway error: ${error.message}`;
    logger.warn({ err: error, shardId }, "discord gateway error");
  });
  return problems;
}
