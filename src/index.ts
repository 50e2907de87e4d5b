// The public surface of `cogwheel`: what a package imports. Wiring only.
export { Bot, type BotOptions, type RpcHandlerOptions } from "./bot/bot.ts";
export type { Cog } from "./bot/cogs.ts";
export type { CommandContext, CommandDefinition } from "./bot/commands.ts";
export { BotError, CogLoadError, UserError, type BotErrorCode } from "./bot/errors.ts";
export type { BotEvents, BotEventName } from "./bot/events.ts";
export type { LoadResult, UnloadResult } from "./bot/packages.ts";
export type { Adapter, AdapterStatus, ChatMessage, ChatAuthor, GuildInfo, UserInfo } from "./adapters/types.ts";
export type { ConfigNamespace, ConfigScope, ConfigStore, ConfigTransaction, ConfigTransactionScope } from "./config/index.ts";
export { RpcError, cogMethodName, type Disposable, type Topic } from "./rpc/index.ts";
