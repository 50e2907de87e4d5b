// The public surface of `cogwheel`: what a package imports. Wiring only.
export { Bot, DEFAULT_DEADLINES, type BotDeadlines, type BotOptions } from "./bot/bot.ts";
export { PackageScope, type RpcHandlerOptions, type ScopeDisposal, type ScopeState } from "./bot/scope.ts";
export type { AdapterView, BotStatus, BotView } from "./bot/view.ts";
export type { Cog } from "./bot/cogs.ts";
export type { CommandContext, CommandDefinition } from "./bot/commands.ts";
export { BotError, CogLoadError, UserError, type BotErrorCode } from "./bot/errors.ts";
// The one error catalog: a package's own errors, with how each crosses the wire and the chat.
export {
  CogwheelError,
  createError,
  isCogwheelError,
  type CogwheelErrorClass,
  type CogwheelErrorOptions,
  type CreateErrorOptions,
  type ErrorCodes,
  type ErrorCrossing,
} from "./protocol/catalog.ts";
export type { BotEvents, BotEventName } from "./bot/events.ts";
export type { LoadResult, PackagesState, UnloadResult } from "./bot/packages.ts";
export type { Adapter, AdapterStatus, ChatMessage, ChatAuthor, GuildInfo, UserInfo } from "./adapters/types.ts";
export type { ConfigNamespace, ConfigScope, ConfigStore, ConfigTransaction, ConfigTransactionScope } from "./config/index.ts";
export { RpcError, cogMethodName, type Disposable, type Topic } from "./rpc/index.ts";
// JSON Schema helpers for typed RPC methods: `params: { member_id: snowflake() }`.
export {
  any,
  array,
  boolean,
  enumOf,
  integer,
  nullable,
  number,
  object,
  optional,
  record,
  snowflake,
  string,
  type JsonSchema,
} from "./rpc/index.ts";
