/**
 * Wire constants of the RPC transport, shared by the server, the client and the CLI. Import-free:
 * the browser-safe client reaches this file too.
 */

/** Red's and Cogwheel's default RPC port (on 127.0.0.1). */
export const DEFAULT_PORT = 6133;

/** The subprotocol a browser offers (with the auth one) and the server selects. */
export const RPC_SUBPROTOCOL = "cogwheel.rpc";

/**
 * Prefix of the subprotocol that carries the token, `cogwheel.auth.<token>`: browsers cannot set
 * an `Authorization` header on a WebSocket. The server never selects (echoes) it.
 */
export const AUTH_SUBPROTOCOL_PREFIX = "cogwheel.auth.";

/** The token file's name inside the bot's data dir (`--rpc-auth token`); the token is its first line. */
export const TOKEN_FILE = "rpc.token";

/** WebSocket close codes (RFC 6455 §7.4.1) that the server sends and the client reports. */
export const CloseCode = {
  /** The client closed (`close()`). */
  Normal: 1000,
  /** The server is shutting down. */
  GoingAway: 1001,
  /** A binary frame: the server speaks JSON text only. */
  UnsupportedData: 1003,
  /** Never sent: what a socket reports when it dropped without a close frame. */
  Abnormal: 1006,
  /** The client does not read its output (past the server's output buffer limit). */
  PolicyViolation: 1008,
  /** A frame over the server's message size limit. */
  MessageTooBig: 1009,
} as const;
