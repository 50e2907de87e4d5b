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

/** A role of a guild. */
export interface RoleInfo {
  readonly id: string;
  readonly name: string;
  /** Higher is more senior; `@everyone` is 0. */
  readonly position: number;
  /** The role's permission bits, as decimal digits (64-bit: exact as a string). */
  readonly permissions: string;
  /** RGB colour as a number; 0 for none. */
  readonly color: number;
  /** Managed by an integration (a bot's own role): cannot be given by hand. */
  readonly managed: boolean;
}

/** A guild's channels counted by type. */
export interface ChannelCounts {
  readonly text: number;
  readonly voice: number;
  readonly category: number;
  readonly stage: number;
  readonly forum: number;
  readonly announcement: number;
  /** Every channel, threads excluded. */
  readonly total: number;
}

/** How many members are in each presence state. */
export interface PresenceCounts {
  readonly online: number;
  readonly idle: number;
  readonly dnd: number;
  readonly offline: number;
}

/** Everything a dashboard shows about one guild. */
export interface GuildDetails extends GuildInfo {
  readonly iconUrl: string | null;
  readonly iconAnimated: boolean;
  /** Discord's verification level, 0 (none) to 4 (highest). */
  readonly verificationLevel: number;
  /** When the bot joined the guild. */
  readonly joinedAt: Date | null;
  /** The bot's nickname in the guild, if it has one. */
  readonly botNickname: string | null;
  /** Every role, `@everyone` included, highest position first. */
  readonly roles: readonly RoleInfo[];
  readonly channels: ChannelCounts;
  /** Presence counts; null unless the GuildPresences intent is on. */
  readonly presences: PresenceCounts | null;
  /** Bots and humans among the members; null unless the GuildMembers intent is on. */
  readonly memberKinds: { readonly bots: number; readonly humans: number } | null;
}

/** A member of a guild, with what permission checks need. */
export interface MemberInfo {
  readonly guildId: string;
  readonly userId: string;
  /** The name shown in the guild (nickname, else global name, else username). */
  readonly name: string;
  readonly bot: boolean;
  /** Ids of the member's roles (`@everyone` not listed). */
  readonly roleIds: readonly string[];
  /** Guild-level permission bits as decimal digits; the owner and Administrator get every bit. */
  readonly permissions: string;
  readonly isGuildOwner: boolean;
}

/** The application behind the bot (Discord: the Developer Portal entry). */
export interface ApplicationInfo {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** A name to show for the owner: the user's, or the team's. */
  readonly ownerName: string;
  /** Anyone may invite the bot (Developer Portal "Public Bot"). */
  readonly public: boolean;
}

/** The bot's own account, once connected. */
export interface BotAccount {
  readonly id: string;
  readonly name: string;
  readonly avatarUrl: string | null;
  readonly defaultAvatarUrl: string;
  readonly verified: boolean;
}

/** Counts across every guild the bot is in. */
export interface AdapterStats {
  readonly guilds: number;
  readonly text: number;
  readonly voice: number;
  readonly categories: number;
  /** Members summed over guilds (Discord's member counts, not unique users). */
  readonly users: number;
}

/** Which optional (privileged) platform features are on. */
export interface AdapterIntents {
  /** Discord GuildMembers: member lists and bot/human counts. */
  readonly members: boolean;
  /** Discord GuildPresences: online/idle/dnd/offline counts. */
  readonly presences: boolean;
}

/** One incoming message, already stripped of platform details. */
export interface ChatMessage {
  readonly content: string;
  readonly author: ChatAuthor;
  readonly channelId: string;
  /** null in direct messages and in the console. */
  readonly guildId: string | null;
  /** The author as a guild member (roles, permissions), in guilds; null or absent elsewhere. */
  readonly member?: MemberInfo | null;
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
  /** Every guild the bot is in (Discord: from the cache the Guilds intent fills). */
  guilds(): Promise<GuildInfo[]>;
  /** One guild in full, or null if the bot is not in it. */
  guildDetails(guildId: string): Promise<GuildDetails | null>;
  /** A member (cache first, else one bounded and cached REST look-up), or null if not a member. */
  member(guildId: string, userId: string): Promise<MemberInfo | null>;
  /** The application's facts. */
  application(): Promise<ApplicationInfo>;
  /** The bot's own account; null until connected. */
  account(): BotAccount | null;
  stats(): Promise<AdapterStats>;
  /** When the adapter last became ready; null while not connected. */
  readyAt(): Date | null;
  intents(): AdapterIntents;
  /** Leaves a guild. Resolves false if the bot was not in it. */
  leaveGuild(guildId: string): Promise<boolean>;
  /** Sets (or with null, removes) the bot's nickname in a guild. */
  setNickname(guildId: string, nickname: string | null): Promise<void>;
  /** Sets the bot's avatar (PNG/JPEG/GIF bytes), or with null resets it to the default. */
  setAvatar(image: Uint8Array | null): Promise<void>;
}
