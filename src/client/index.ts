// The public surface of cogwheel/client: browser-safe, no Node imports. Wiring only.
// Node helpers (ws + the token file) live in ./node.ts.
export {
  createRpcClient,
  RpcClient,
  type RpcClientOptions,
  type RpcClientState,
  type RpcClientEvents,
  type RpcSubscription,
  type CallOptions,
  type BatchItem,
  type PushHandler,
  type SubscriptionEnd,
  type SubscriptionEndReason,
  type UnsubscribedInfo,
  type DisconnectInfo,
  type TokenSource,
  type WebSocketLike,
  type WebSocketConstructor,
} from "./client.ts";
export { RpcCallError, RpcConnectionError, RpcTimeoutError, type RpcConnectionErrorCode } from "./errors.ts";
export { RECONNECT_DEFAULTS, type ReconnectOptions } from "./backoff.ts";
export type { Disposable } from "./disposable.ts";
export { DEFAULT_PORT, RPC_SUBPROTOCOL, AUTH_SUBPROTOCOL_PREFIX, CloseCode } from "../protocol/constants.ts";
export { ErrorCode, ErrorMessage } from "../protocol/errors.ts";
export { UNSUBSCRIBED_NOTIFICATION, UNSUBSCRIBED_REASON_REMOVED } from "../protocol/topics.ts";
