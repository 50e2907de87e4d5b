/**
 * The error catalog. Two families:
 * - {@link RpcError}: an error *on the wire*, with a JSON-RPC code; converted to a reply in one
 *   place (protocol.ts).
 * - {@link RpcServerError}: a programming or start-up error on the server side (bad option,
 *   name taken, port in use), with a stable string `code` in the style of Node's `ERR_*`.
 */

import { joinCatalog } from "../protocol/catalog.ts";
import { ErrorCode, ErrorMessage, standardErrorMessage } from "../protocol/errors.ts";

// The codes and their exact messages are wire data the client reads too: they live in src/protocol.
export { ErrorCode };

// A brand shared across module instances: a cog may end up with its own copy of this module
// (another loader), and its errors must still be recognised, so `instanceof` is not enough.
const BRAND = Symbol.for("cogwheel.RpcError");

/**
 * An error a handler may throw to send a specific JSON-RPC error to the client, as is.
 * Allowed codes: the five standard ones, the implementation range -32000…-32099, and any
 * integer outside the reserved range -32768…-32000.
 */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;
  readonly [BRAND] = true;

  constructor(code: number, message?: string, data?: unknown) {
    if (!isAllowedCode(code)) {
      throw new RangeError(
        `RpcError code ${code} is reserved by JSON-RPC 2.0; use -32000…-32099, a positive code, or a standard code`,
      );
    }
    super(message ?? standardErrorMessage(code) ?? "Server error");
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }

  /** `-32602 Invalid params`, with `data` saying what was wrong. */
  static invalidParams(data?: unknown): RpcError {
    return new RpcError(ErrorCode.InvalidParams, ErrorMessage.InvalidParams, data);
  }
  static invalidRequest(data?: unknown): RpcError {
    return new RpcError(ErrorCode.InvalidRequest, ErrorMessage.InvalidRequest, data);
  }
  static methodNotFound(data?: unknown): RpcError {
    return new RpcError(ErrorCode.MethodNotFound, ErrorMessage.MethodNotFound, data);
  }
  static internal(data?: unknown): RpcError {
    return new RpcError(ErrorCode.InternalError, ErrorMessage.InternalError, data);
  }
  static parse(data?: unknown): RpcError {
    return new RpcError(ErrorCode.ParseError, ErrorMessage.ParseError, data);
  }
}

/** True for an {@link RpcError} from any copy of this module. */
export function isRpcError(value: unknown): value is RpcError {
  return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

function isAllowedCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (standardErrorMessage(code) !== undefined) return true;
  if (code >= -32099 && code <= -32000) return true;
  return code > -32000 || code < -32768;
}

/** Stable codes of {@link RpcServerError}. */
export type RpcServerErrorCode =
  | "ERR_RPC_INVALID_OPTION"
  | "ERR_RPC_INVALID_SCHEMA"
  | "ERR_RPC_INVALID_NAME"
  | "ERR_RPC_NAME_TAKEN"
  | "ERR_RPC_INVALID_HANDLER"
  | "ERR_RPC_PORT_IN_USE"
  | "ERR_RPC_LISTEN_FAILED"
  | "ERR_RPC_STATIC_FILES"
  | "ERR_RPC_BAD_STATE";

/** A server-side error with a stable `code`; its message is one clear sentence. */
export class RpcServerError extends Error {
  readonly code: RpcServerErrorCode;
  constructor(code: RpcServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RpcServerError";
    this.code = code;
  }
}

// In the one catalog: recognised by isCogwheelError; no code of it crosses to the wire (-32603).
joinCatalog(RpcServerError);
