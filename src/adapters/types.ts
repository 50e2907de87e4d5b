/**
 * The seam between the bot and wherever messages come from (the console, Discord).
 * The bot only ever sees these shapes; adapters translate to and from their platform.
 */

/** Who sent a message. */
export interface ChatAuthor {
  readonly id: string;
  readonly name: string;
  /** True for other bots (and the bot itself); the bot ignores such messages. */
  readonly bot: boolean;
}

/** Facts about a guild (Discord server), where the adapter has them. */
export interface GuildInfo {
  readonly id: string;
  readonly name: string;
  readonly memberCount: number | null;
  readonly ownerId: string | null;
  readonly createdAt: Date | null;
}

/** Facts about a user, where the adapter has them. */
export interface UserInfo {
  readonly id: string;
  readonly name: string;
  readonly bot: boolean;
  readonly createdAt: Date | null;
}

/** One incoming message, already stripped of platform details. */
export interface ChatMessage {
  readonly content: string;
  readonly author: ChatAuthor;
  readonly channelId: string;
  /** null in direct messages and in the console. */
  readonly guildId: string | null;
  /** Sends a reply into the channel the message came from. */
  reply(text: string): Promise<void>;
}

/** What the bot hands an adapter when it starts it. */
export interface AdapterHandlers {
  /**
   * Called once per incoming message, including the bot's own (filter on author.bot).
   * Settles when the bot has handled it; it never rejects. An adapter may wait for it to keep
   * messages in order (the console does), or not.
   */
  onMessage(message: ChatMessage): void | Promise<void>;
  /** Called whenever the connection state changes (for the status topic). */
  onStatus(status: AdapterStatus): void;
}

/** Connection state as a dashboard would show it. */
export interface AdapterStatus {
  readonly connected: boolean;
  /** The bot's own account once known (Discord: after READY). */
  readonly user: { readonly id: string; readonly name: string } | null;
}

/**
 * A message source. Contract: `start` resolves once messages can flow (Discord: READY
 * received) or rejects with a clear error; `stop` is safe to call twice and never hangs.
 */
export interface Adapter {
  readonly kind: "console" | "discord";
  start(handlers: AdapterHandlers): Promise<void>;
  stop(): Promise<void>;
  status(): AdapterStatus;
  /** Owners as the platform knows them (Discord: the application's owner or team members). */
  ownerIds(): Promise<string[]>;
  /** Changes the bot's visible name where the platform allows it (Discord: the username). */
  setName(name: string): Promise<void>;
  /** An invite URL for the bot, or null where the notion does not apply (console). */
  inviteUrl(): Promise<string | null>;
  guildInfo(guildId: string): Promise<GuildInfo | null>;
  userInfo(userId: string): Promise<UserInfo | null>;
}
