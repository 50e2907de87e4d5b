/**
 * The bot's errors, made with the one catalog (src/protocol/catalog.ts): each code listed once,
 * with how it crosses boundaries. The dispatcher and the message handler read that; Core does
 * not translate errors by hand.
 */
import { CogwheelError, createError, type CogwheelErrorOptions } from "../protocol/catalog.ts";
import { ErrorCode } from "../protocol/errors.ts";

/** The JSON-RPC code of a refusal by the chat platform (Discord rate limit, not connected…). */
export const PLATFORM_REFUSED = -32001;

/** Every code of {@link BotError}, and how each crosses boundaries. */
const BOT_CODES = {
  ERR_COG_INVALID: {},
  ERR_COG_NAME_TAKEN: {},
  ERR_COG_UNKNOWN: {},
  ERR_HANDLER_INVALID: {},
  ERR_COMMAND_INVALID: {},
  ERR_COMMAND_TAKEN: {},
  /** A cog path that is not a directory: the owner typed it, so the owner reads why. */
  ERR_PATH_INVALID: { user: true },
  ERR_SCOPE_DISPOSED: {},
  ERR_OPTION_INVALID: {},
  /** The platform refused (rename too fast, not connected): its reason, on the wire and in chat. */
  ERR_ADAPTER: { rpc: PLATFORM_REFUSED, user: true },
  /** A name the bot will not take (length): `-32602` on the wire, the reason in chat. */
  ERR_NAME_INVALID: { rpc: ErrorCode.InvalidParams, user: true },
  /** Prefixes the bot will not take (empty, white space): `-32602` on the wire, the reason in chat. */
  ERR_PREFIXES_INVALID: { rpc: ErrorCode.InvalidParams, user: true },
  /** A description the bot will not take (not a string, too long): `-32602` on the wire, the reason in chat. */
  ERR_DESCRIPTION_INVALID: { rpc: ErrorCode.InvalidParams, user: true },
  /** A role id that is no snowflake, or a role the guild does not have: `-32602`, the reason in chat. */
  ERR_ROLE_INVALID: { rpc: ErrorCode.InvalidParams, user: true },
  /** Guild settings the bot will not take (bad guild id, unknown key, not a list): `-32602`. */
  ERR_GUILD_SETTINGS_INVALID: { rpc: ErrorCode.InvalidParams, user: true },
} as const;

/** Stable codes of {@link BotError}. */
export type BotErrorCode = keyof typeof BOT_CODES;

/** An error of the bot: mostly how a cog uses it (bad name, unknown cog, taken name…). */
export class BotError extends CogwheelError<BotErrorCode> {
  static override readonly codes = BOT_CODES;
  constructor(code: BotErrorCode, message: string, options?: CogwheelErrorOptions) {
    super(code, message, options);
    this.name = "BotError";
  }
}

/**
 * An error meant for the person who typed the command: its message is shown to them as is,
 * in one line. Anything else a command throws is logged and answered with a generic line.
 */
export const UserError = createError("ERR_USER", "That did not work.", { name: "UserError", user: true });
export type UserError = InstanceType<typeof UserError>;

/**
 * Thrown by a package's `setup` to refuse loading with a reason for the owner; reported in
 * `failed_with_reason_packages` (Red's CogLoadError). Other exceptions are `failed_packages`.
 */
export const CogLoadError = createError("ERR_COG_LOAD_REFUSED", "the package refused to load", { name: "CogLoadError" });
export type CogLoadError = InstanceType<typeof CogLoadError>;
