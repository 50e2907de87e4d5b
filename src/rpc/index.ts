// The public surface of cogwheel/rpc. Wiring only.
export { createRpcServer, RpcServer, type RpcServerState } from "./server.ts";
export { DEFAULTS, type RpcServerOptions } from "./options.ts";
export { STATIC_DEFAULT_HEADERS, STATIC_LIMITS, type StaticFilesOptions } from "./static-files.ts";
export { ErrorCode, RpcError, RpcServerError, isRpcError, type RpcServerErrorCode } from "./errors.ts";
export { MethodRegistry, type MethodOptions, type RpcHandler } from "./registry.ts";
export { TopicRegistry, type Topic, type TopicOptions, type PublishOptions } from "./topics.ts";
export { UNSUBSCRIBED_NOTIFICATION, UNSUBSCRIBED_REASON_REMOVED, type UnsubscribedParams } from "../protocol/topics.ts";
export { toDisposable, type Disposable } from "./disposable.ts";
export { cogMethodName, wordsToUpperSnake } from "./naming.ts";
export { NO_DOC } from "./builtins.ts";
export { OPENRPC_VERSION } from "./openrpc.ts";
export type { RpcLogger } from "./logger.ts";
export {
  snowflake, string, integer, number, boolean, array, object, record, enumOf, nullable, any, optional,
  type JsonSchema, type Annotations, type NumberOptions, type StringOptions, type ArrayOptions, type ObjectOptions,
} from "./schema.ts";
export { MAX_LISTED_ERRORS, type SchemaErrorItem } from "./schema-compile.ts";
export type { ParamsDeclaration } from "./params.ts";
