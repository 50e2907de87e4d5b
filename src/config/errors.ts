/**
 * Errors thrown by the config store. Every error carries a stable `code`
 * (Node style), so callers can branch on `err.code` instead of parsing messages.
 *
 * @module
 */

/** Every `code` a config error can carry. */
export type ConfigErrorCode =
  /** A key that the namespace did not declare (with a default) for that scope. */
  | "ERR_CONFIG_UNKNOWN_KEY"
  /** A value that is not JSON (function, BigInt, undefined, NaN, cycle, class instance…). */
  | "ERR_CONFIG_INVALID_VALUE"
  /** A namespace name that is not identifier-like. */
  | "ERR_CONFIG_INVALID_NAME"
  /** A guild/channel/user id that is not a non-empty string. */
  | "ERR_CONFIG_INVALID_ID"
  /** Bad arguments to `openConfigStore`. */
  | "ERR_CONFIG_INVALID_OPTIONS"
  /** A stored file that does not parse or does not have the expected shape. */
  | "ERR_CONFIG_CORRUPT_FILE"
  /** An operation on a store that has been closed. */
  | "ERR_CONFIG_CLOSED"
  /** Use of a transaction handle after its function returned or threw. */
  | "ERR_CONFIG_TRANSACTION_ENDED";

/** A runtime failure of the config store (corrupt file, closed store, ended transaction, I/O). */
export class ConfigError extends Error {
  /** Stable machine-readable code. */
  readonly code: ConfigErrorCode;
  /** The file involved, when there is one (e.g. the corrupt file). */
  readonly path: string | undefined;

  /**
   * @param code - stable code, see {@link ConfigErrorCode}
   * @param message - human-readable explanation
   * @param options - `cause` of the error and the `path` of the file involved
   */
  constructor(code: ConfigErrorCode, message: string, options: { cause?: unknown; path?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ConfigError";
    this.code = code;
    this.path = options.path;
  }
}

/** A caller mistake: unknown key, non-JSON value, bad namespace name or id. */
export class ConfigTypeError extends TypeError {
  /** Stable machine-readable code. */
  readonly code: ConfigErrorCode;

  /**
   * @param code - stable code, see {@link ConfigErrorCode}
   * @param message - human-readable explanation
   */
  constructor(code: ConfigErrorCode, message: string) {
    super(message);
    this.name = "ConfigTypeError";
    this.code = code;
  }
}
