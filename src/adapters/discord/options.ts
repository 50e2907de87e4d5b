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
  /**
   * Privileged gateway intents to ask for besides Message Content, each of which must also be
   * switched on in the Developer Portal (Bot → Privileged Gateway Intents) or Discord refuses
   * the connection. `members` (Server Members Intent): the member cache, so member look-ups
   * rarely need REST, and bot/human counts. `presences` (Presence Intent): online/idle/dnd
   * counts. Both off by default; without them those counts are null (see docs/discord.md).
   */
  intents?: DiscordIntentOptions;
  /** Bounds of the REST member look-up (a member not in the cache). */
  memberLookup?: MemberLookupOptions;
}

/** The optional privileged intents. */
export interface DiscordIntentOptions {
  members?: boolean;
  presences?: boolean;
}

/** How member look-ups that go to REST are bounded and remembered. */
export interface MemberLookupOptions {
  /** A look-up that takes longer rejects with TIMEOUT. Default 5 000 ms. */
  timeoutMs?: number;
  /** How long an answer (a member, or "not a member") is reused. Default 60 000 ms. */
  ttlMs?: number;
  /** At most this many answers are remembered; the oldest go first. Default 1 000. */
  maxEntries?: number;
}

export interface ResolvedOptions {
  readonly token: string;
  readonly restApiUrl: string | undefined;
  readonly logger: DiscordLogger;
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly invitePermissions: readonly bigint[] | undefined;
  readonly intents: { readonly members: boolean; readonly presences: boolean };
  readonly memberLookup: { readonly timeoutMs: number; readonly ttlMs: number; readonly maxEntries: number };
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

/** Checks that `value` is undefined or a plain object with only `known` keys. */
function plainObject(value: unknown, name: string, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DiscordAdapterError("INVALID_OPTIONS", `Discord adapter: ${name} must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new DiscordAdapterError("INVALID_OPTIONS", `Discord adapter: unknown option ${name}.${key} (known: ${known.join(", ")})`);
    }
  }
  return value as Record<string, unknown>;
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new DiscordAdapterError("INVALID_OPTIONS", `Discord adapter: ${name} must be true or false`);
  return value;
}

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new DiscordAdapterError("INVALID_OPTIONS", `Discord adapter: ${name} must be a positive whole number`);
  }
  return value as number;
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
  const intents = plainObject(options.intents, "intents", ["members", "presences"]);
  const lookup = plainObject(options.memberLookup, "memberLookup", ["timeoutMs", "ttlMs", "maxEntries"]);
  return {
    token,
    restApiUrl,
    logger: options.logger ?? silentLogger,
    readyTimeoutMs: positiveMs(options.readyTimeoutMs, "readyTimeoutMs", 30_000),
    stopTimeoutMs: positiveMs(options.stopTimeoutMs, "stopTimeoutMs", 5_000),
    invitePermissions: options.invitePermissions,
    intents: { members: flag(intents.members, "intents.members"), presences: flag(intents.presences, "intents.presences") },
    memberLookup: {
      timeoutMs: positiveMs(lookup.timeoutMs, "memberLookup.timeoutMs", 5_000),
      ttlMs: positiveMs(lookup.ttlMs, "memberLookup.ttlMs", 60_000),
      maxEntries: positiveInt(lookup.maxEntries, "memberLookup.maxEntries", 1_000),
    },
  };
}
