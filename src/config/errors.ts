/**
 * Errors thrown by the config store, in the one catalog (src/protocol/catalog.ts). Every error
 * carries a stable `code`, so callers can branch on `err.code` instead of parsing messages.
 *
 * @module
 */

import { CogwheelError, joinCatalog } from "../protocol/catalog.ts";

/**
 * Every `code` a config error can carry. None crosses a boundary: on the wire a config error
 * is a bare `-32603`, in chat the generic line (the owner reads the log).
 */
const CONFIG_CODES = {
  /** A key that the namespace did not declare (with a default) for that scope. */
  ERR_CONFIG_UNKNOWN_KEY: {},
  /** A value that is not JSON (function, BigInt, undefined, NaN, cycle, class instance…). */
  ERR_CONFIG_INVALID_VALUE: {},
  /** A namespace name that is not identifier-like. */
  ERR_CONFIG_INVALID_NAME: {},
  /** A guild/channel/user id that is not a non-empty string. */
  ERR_CONFIG_INVALID_ID: {},
  /** Bad arguments to `openConfigStore`. */
  ERR_CONFIG_INVALID_OPTIONS: {},
  /** A stored file that does not parse or does not have the expected shape. */
  ERR_CONFIG_CORRUPT_FILE: {},
  /** A stored value whose JSON type differs from its declared default's (a hand edit). */
  ERR_CONFIG_WRONG_TYPE: {},
  /** An operation on a store that has been closed. */
  ERR_CONFIG_CLOSED: {},
  /** Use of a transaction handle after its function returned or threw. */
  ERR_CONFIG_TRANSACTION_ENDED: {},
  /** A database URL that cannot be used (scheme, host, database name, syntax). */
  ERR_CONFIG_INVALID_URL: {},
  /** The database could not be reached or refused us (refused, timeout, auth, no such database). */
  ERR_CONFIG_CONNECT_FAILED: {},
  /** The database would not keep acknowledged writes (`fsync` or `synchronous_commit` off). */
  ERR_CONFIG_NOT_DURABLE: {},
  /** A statement failed (lost connection, permission, timeout); nothing was changed. */
  ERR_CONFIG_QUERY_FAILED: {},
  /** The connection was lost during COMMIT and whether it happened could not be found out. */
  ERR_CONFIG_OUTCOME_UNKNOWN: {},
  /**
   * A change that kept conflicting with other processes' changes to the same buckets and gave
   * up (nothing was changed); rare, as a hot single bucket switches to a locked update.
   */
  ERR_CONFIG_CONTENDED: {},
  /** The database holds a newer schema than this version of Cogwheel knows. */
  ERR_CONFIG_SCHEMA_TOO_NEW: {},
} as const;

/** Every `code` a config error can carry. */
export type ConfigErrorCode = keyof typeof CONFIG_CODES;

/** A runtime failure of the config store (corrupt file, closed store, ended transaction, I/O). */
export class ConfigError extends CogwheelError<ConfigErrorCode> {
  static override readonly codes = CONFIG_CODES;
  /** The file involved, when there is one (e.g. the corrupt file). */
  readonly path: string | undefined;

  /**
   * @param code - stable code, see {@link ConfigErrorCode}
   * @param message - human-readable explanation
   * @param options - `cause` of the error and the `path` of the file involved
   */
  constructor(code: ConfigErrorCode, message: string, options: { cause?: unknown; path?: string } = {}) {
    super(code, message, { cause: options.cause });
    this.name = "ConfigError";
    this.path = options.path;
  }
}

/**
 * A caller mistake: unknown key, non-JSON value, bad namespace name or id. It stays a
 * `TypeError` (callers check `instanceof TypeError`), so it joins the catalog by its brand
 * rather than by extending CogwheelError.
 */
export class ConfigTypeError extends TypeError {
  static readonly codes = CONFIG_CODES;
  /** Stable machine-readable code. */
  readonly code: ConfigErrorCode;
  /** From the catalog (see joinCatalog): none of its codes crosses a boundary. */
  declare readonly rpc: number | undefined;
  declare readonly user: boolean;

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
joinCatalog(ConfigTypeError);
