/**
 * Options of the Discord adapter, their defaults and their up-front validation.
 */
import { DiscordAdapterError } from "./errors.ts";

/** A pino-compatible logger: `(obj, msg)` at four levels. */
export interface DiscordLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DiscordAdapterOptions {
  /** The bot token from the Developer Portal (Bot → Token). A leading "Bot " is accepted. */
  token: string;
  /**
   * Base URL of Discord's REST API, as discord.js `rest.api` (it appends `/v10/...`).
   * Default `https://discord.com/api`. The gateway URL is whatever `GET /gateway/bot` returns.
   */
  restApiUrl?: string;
  logger?: DiscordLogger;
  /** `start()` rejects if the bot is not ready within this many ms. Default 30 000. */
  readyTimeoutMs?: number;
  /** `stop()` gives up waiting for the gateway close handshake after this many ms. Default 5 000. */
  stopTimeoutMs?: number;
  /** Permissions requested by `inviteUrl()`, as `PermissionFlagsBits` values. Default: see invite.ts. */
  invitePermissions?: readonly bigint[];
}

export interface ResolvedOptions {
  readonly token: string;
  readonly restApiUrl: string | undefined;
  readonly logger: DiscordLogger;
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly invitePermissions: readonly bigint[] | undefined;
}

const noop = (): void => {};
export const silentLogger: DiscordLogger = { debug: noop, info: noop, warn: noop, error: noop };

function positiveMs(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new DiscordAdapterError("INVALID_OPTIONS", `Discord adapter: ${name} must be a positive number of ms`);
  }
  return value;
}

/** Validates options; throws a DiscordAdapterError with a one-line message on bad input. */
export function resolveOptions(options: DiscordAdapterOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") {
    throw new DiscordAdapterError("INVALID_OPTIONS", "Discord adapter: options object is required");
  }
  const raw: unknown = options.token;
  const token = typeof raw === "string" ? raw.trim().replace(/^Bot(?:\s+|$)/i, "") : "";
  if (token === "") {
    throw new DiscordAdapterError(
      "INVALID_TOKEN",
      "Discord adapter: a bot token is required (set DISCORD_TOKEN or pass --token)",
    );
  }
  if (/\s/.test(token)) {
    throw new DiscordAdapterError("INVALID_TOKEN", "Discord adapter: the bot token must not contain whitespace");
  }
  let restApiUrl: string | undefined;
  if (options.restApiUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.restApiUrl);
    } catch {
      throw new DiscordAdapterError("INVALID_OPTIONS", `Discord adapter: restApiUrl is not a URL: ${options.restApiUrl}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new DiscordAdapterError("INVALID_OPTIONS", "Discord adapter: restApiUrl must be http(s)");
    }
    restApiUrl = options.restApiUrl.replace(/\/+$/, "");
  }
  return {
    token,
    restApiUrl,
    logger: options.logger ?? silentLogger,
    readyTimeoutMs: positiveMs(options.readyTimeoutMs, "readyTimeoutMs", 30_000),
    stopTimeoutMs: positiveMs(options.stopTimeoutMs, "stopTimeoutMs", 5_000),
    invitePermissions: options.invitePermissions,
  };
}
