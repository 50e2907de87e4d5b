// Errors an RpcClient rejects with. Browser-safe: no Node imports.
import { joinCatalog } from "../protocol/catalog.ts";

/** The server answered a call with a JSON-RPC error: code, message and data exactly as sent. */
export class RpcCallError extends Error {
  override readonly name = "RpcCallError";
  /** The JSON-RPC error code, e.g. -32601. */
  readonly code: number;
  /** The method that was called (`"<batch>"` for an error that answered a whole batch). */
  readonly method: string;
  /** The error's `data` member; the property exists only when the server sent one. */
  declare readonly data?: unknown;

  constructor(code: number, message: string, options: { method: string; data?: unknown; hasData?: boolean }) {
    super(message);
    this.code = code;
    this.method = options.method;
    if (options.hasData ?? options.data !== undefined) Object.defineProperty(this, "data", { value: options.data, enumerable: true });
  }
}

/** Why a connection-level failure happened. */
export type RpcConnectionErrorCode =
  /** The socket could not be opened (refused, HTTP 503, bad URL, connect timeout; in browsers also 401/403). */
  | "ERR_RPC_CONNECT"
  /**
   * The server refused the upgrade with HTTP 401 or 403: a wrong or missing token, or a refused
   * Host/Origin. Trying again cannot help, so reconnect stops. Only where the WebSocket shows the
   * status (Node's `ws`); a browser sees a bare failure and reports ERR_RPC_CONNECT.
   */
  | "ERR_RPC_UNAUTHORIZED"
  /** The connection dropped while the call was in flight. */
  | "ERR_RPC_DISCONNECTED"
  /** `close()` was called. */
  | "ERR_RPC_CLOSED";

/** The call could not be completed because of the connection, not because of the server's answer. */
export class RpcConnectionError extends Error {
  override readonly name = "RpcConnectionError";
  readonly code: RpcConnectionErrorCode;
  /** The WebSocket close code, when the connection closed (1006 = dropped without a close frame). */
  readonly closeCode?: number;
  /** The HTTP status of a refused upgrade, when the WebSocket implementation shows it (Node's `ws`). */
  readonly httpStatus?: number;

  constructor(code: RpcConnectionErrorCode, message: string, options: { closeCode?: number; httpStatus?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.closeCode !== undefined) this.closeCode = options.closeCode;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
  }
}

/** No reply arrived within the call's timeout. The call is forgotten; a late reply is ignored. */
export class RpcTimeoutError extends Error {
  override readonly name = "RpcTimeoutError";
  readonly code = "ERR_RPC_TIMEOUT";
  readonly method: string;
  readonly timeoutMs: number;

  constructor(method: string, timeoutMs: number) {
    super(`${method}: no reply within ${timeoutMs} ms`);
    this.method = method;
    this.timeoutMs = timeoutMs;
  }
}

// In the one catalog (their codes are ERR_* strings); RpcCallError carries a wire code instead.
joinCatalog(RpcConnectionError);
joinCatalog(RpcTimeoutError);
