export { createDiscordAdapter, type DiscordAdapter } from "./adapter.ts";
export { DiscordAdapterError, type DiscordAdapterErrorCode } from "./errors.ts";
export { DISCORD_INTENTS, OPTIONAL_INTENTS } from "./client.ts";
export { DEFAULT_INVITE_PERMISSIONS, buildInviteUrl } from "./invite.ts";
export { MAX_MESSAGE_LENGTH, splitMessage } from "./split.ts";
export type { DiscordAdapterOptions, DiscordIntentOptions, DiscordLogger, MemberLookupOptions } from "./options.ts";
