/**
 * The adapter's error type, and the translation of whatever discord.js throws during login
 * into one clear line.
 */
import { DiscordAPIError, DiscordjsError, DiscordjsErrorCodes, HTTPError } from "discord.js";
import { CogwheelError } from "../../protocol/catalog.ts";

/**
 * Every code of {@link DiscordAdapterError}. These predate the catalog's `ERR_*` scheme and are
 * kept as they are: docs/discord.md and owners' scripts match on them. None crosses a boundary
 * by itself; Bot wraps a refusal in BotError `ERR_ADAPTER`, which does.
 */
const DISCORD_CODES = {
  INVALID_OPTIONS: {},
  INVALID_TOKEN: {},
  DISALLOWED_INTENTS: {},
  GATEWAY_REFUSED: {},
  UNREACHABLE: {},
  TIMEOUT: {},
  STOPPED: {},
  ALREADY_STARTED: {},
  NOT_READY: {},
  API_ERROR: {},
} as const;

export type DiscordAdapterErrorCode = keyof typeof DISCORD_CODES;

/** A failure of the Discord adapter; its message is one line (discord.js's line breaks folded). */
export class DiscordAdapterError extends CogwheelError<DiscordAdapterErrorCode> {
  static override readonly codes = DISCORD_CODES;
  constructor(code: DiscordAdapterErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message.replace(/\s*\n\s*/g, " "), options);
    this.name = "DiscordAdapterError";
  }
}

function causeText(error: unknown): string {
  let current: unknown = error;
  const parts: string[] = [];
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === "string" && !current.message.includes(code) ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.join(": ") || String(error);
}

/** Joins names as English does: `"A"`, `"A" and "B"`, `"A", "B" and "C"`. */
function quotedList(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}`;
}

/**
 * Maps a login failure to a DiscordAdapterError with a one-line, actionable message.
 * `privilegedIntents` are the Developer Portal names of the privileged intents asked for:
 * Discord's 4014 does not say which one is off, so the message names each.
 */
export function describeStartError(
  error: unknown,
  restApiUrl: string,
  privilegedIntents: readonly string[] = ["Message Content Intent"],
): DiscordAdapterError {
  if (error instanceof DiscordAdapterError) return error;
  if (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid) {
    return new DiscordAdapterError(
      "INVALID_TOKEN",
      "Discord rejected the bot token (401 Unauthorized); check DISCORD_TOKEN / --token",
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (message === "Authentication failed") {
    return new DiscordAdapterError(
      "INVALID_TOKEN",
      "Discord gateway rejected the bot token (close 4004 Authentication failed); check DISCORD_TOKEN / --token",
      { cause: error },
    );
  }
  if (message === "Used disallowed intents") {
    return new DiscordAdapterError(
      "DISALLOWED_INTENTS",
      `Discord refused the gateway intents (close 4014): enable ${quotedList(privilegedIntents)} under Bot → Privileged Gateway Intents in the Discord Developer Portal`,
      { cause: error },
    );
  }
  if (["Used invalid intents", "Invalid shard", "Sharding is required", "Used an invalid API version"].includes(message)) {
    return new DiscordAdapterError("GATEWAY_REFUSED", `Discord gateway refused the connection: ${message}`, {
      cause: error,
    });
  }
  if (error instanceof DiscordAPIError || error instanceof HTTPError) {
    return new DiscordAdapterError("API_ERROR", `Discord API error while logging in: ${error.status} ${message}`, {
      cause: error,
    });
  }
  return new DiscordAdapterError("UNREACHABLE", `Cannot reach Discord at ${restApiUrl}: ${causeText(error)}`, {
    cause: error,
  });
}

/** True for REST errors meaning "no such thing (or not visible to the bot)". */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof DiscordAPIError)) return false;
  // 10004 Unknown Guild, 10013 Unknown User, 50001 Missing Access.
  return error.status === 404 || error.code === 10004 || error.code === 10013 || error.code === 50001;
}

/** A failed REST call of an action or look-up, as one line: `Discord refused the nickname: Missing Permissions`. */
export function apiError(what: string, error: unknown): DiscordAdapterError {
  if (error instanceof DiscordAdapterError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DiscordAdapterError("API_ERROR", `${what}: ${message}`, { cause: error });
}
