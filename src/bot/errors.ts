/** Stable codes of {@link BotError}. */
export type BotErrorCode =
  | "ERR_COG_INVALID"
  | "ERR_COG_NAME_TAKEN"
  | "ERR_COG_UNKNOWN"
  | "ERR_HANDLER_INVALID"
  | "ERR_COMMAND_INVALID"
  | "ERR_COMMAND_TAKEN"
  | "ERR_PATH_INVALID"
  | "ERR_SCOPE_DISPOSED"
  | "ERR_OPTION_INVALID"
  | "ERR_ADAPTER";

/** A programming error in how a cog uses the bot (bad name, unknown cog, taken name…). */
export class BotError extends Error {
  readonly code: BotErrorCode;
  constructor(code: BotErrorCode, message: string) {
    super(message);
    this.name = "BotError";
    this.code = code;
  }
}

/**
 * An error meant for the person who typed the command: its message is shown to them as is,
 * in one line. Anything else a command throws is logged and answered with a generic line.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/**
 * Thrown by a package's `setup` to refuse loading with a reason for the owner; reported in
 * `failed_with_reason_packages` (Red's CogLoadError). Other exceptions are `failed_packages`.
 */
export class CogLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CogLoadError";
  }
}

// Brands shared across module copies, like RpcError's: a package may see another instance.
export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && error.name === "UserError";
}
export function isCogLoadError(error: unknown): error is CogLoadError {
  return error instanceof Error && error.name === "CogLoadError";
}
