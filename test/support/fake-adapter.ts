// An adapter with no platform behind it, for tests of the bot, Core and the bundled packages:
// two small guilds with roles, channel counts, members and presences, and a record of the
// actions taken (leave, nickname, avatar, rename). test/support/bot.ts re-exports all of it.
import { PermissionsBitField } from "discord.js";
import type {
  Adapter,
  AdapterIntents,
  AdapterStats,
  ApplicationInfo,
  BotAccount,
  ChannelCounts,
  GuildDetails,
  GuildInfo,
  MemberInfo,
  PresenceCounts,
  RoleInfo,
  UserInfo,
} from "../../src/adapters/types.ts";
import { AdapterError } from "../../src/adapters/errors.ts";

/** Every permission bit, as Discord grants the guild owner and Administrator (decimal digits). */
export const ALL_PERMISSIONS = PermissionsBitField.All.toString();
/** What @everyone may do in GUILD: View Channel, Send Messages, Read Message History. */
export const EVERYONE_PERMISSIONS = String(1024 + 2048 + 65536);
/** Kick Members (0x2) and Manage Messages (0x2000): a moderator's bits, not Administrator. */
export const MOD_PERMISSIONS = String(0x2 | 0x2000);
/** Send Messages in Threads (1 << 38): a bit past 32, to show permissions stay exact. */
const THREADS_BIT = 1n << 38n;

/** The bot's own id and name in the fake. */
export const BOT_USER = { id: "999", name: "Cogwheel" } as const;

/** The main guild; "100" (alice) owns it. */
export const GUILD: GuildInfo = {
  id: "g1",
  name: "Cog Lovers",
  memberCount: 42,
  ownerId: "100",
  createdAt: new Date("2020-01-02T03:04:05Z"),
};

/** A second, smaller guild, owned by "200" (bob); alice is a plain member there. */
export const OTHER_GUILD: GuildInfo = {
  id: "g2",
  name: "Quiet Corner",
  memberCount: 3,
  ownerId: "200",
  createdAt: new Date("2021-06-07T08:09:10Z"),
};

export const USERS: Record<string, UserInfo> = {
  "100": { id: "100", name: "alice", bot: false, createdAt: new Date("2016-05-06T00:00:00Z") },
  "200": { id: "200", name: "bob", bot: false, createdAt: null },
  "300": { id: "300", name: "carol", bot: false, createdAt: null },
  "400": { id: "400", name: "dave", bot: false, createdAt: null },
};

/** GUILD's role ids, for tests that name them. */
export const ROLES = { everyone: "g1", admin: "501", mod: "502", regular: "503", bot: "504" } as const;

/** GUILD's roles, highest first: Admin has Administrator (0x8), Mod does not. */
export const GUILD_ROLES: readonly RoleInfo[] = [
  { id: ROLES.admin, name: "Admin", position: 4, permissions: String(0x8), color: 0xe74c3c, managed: false },
  { id: ROLES.bot, name: "Cogwheel", position: 3, permissions: String(BigInt(EVERYONE_PERMISSIONS) | THREADS_BIT), color: 0, managed: true },
  { id: ROLES.mod, name: "Mod", position: 2, permissions: MOD_PERMISSIONS, color: 0x3498db, managed: false },
  { id: ROLES.regular, name: "Regular", position: 1, permissions: "0", color: 0, managed: false },
  { id: ROLES.everyone, name: "@everyone", position: 0, permissions: EVERYONE_PERMISSIONS, color: 0, managed: false },
];

/**
 * The members of each guild, by guild id then user id. In GUILD: alice the owner, bob with
 * Admin, carol with Mod, dave with Regular, and the bot. Say-style tests attach these as
 * `ChatMessage.member`.
 */
export const MEMBERS: Readonly<Record<string, Readonly<Record<string, MemberInfo>>>> = {
  g1: {
    "100": { guildId: "g1", userId: "100", name: "alice", bot: false, roleIds: [], permissions: ALL_PERMISSIONS, isGuildOwner: true },
    "200": { guildId: "g1", userId: "200", name: "bob", bot: false, roleIds: [ROLES.admin], permissions: ALL_PERMISSIONS, isGuildOwner: false },
    "300": {
      guildId: "g1",
      userId: "300",
      name: "carol",
      bot: false,
      roleIds: [ROLES.mod],
      permissions: String(BigInt(EVERYONE_PERMISSIONS) | BigInt(MOD_PERMISSIONS)),
      isGuildOwner: false,
    },
    "400": { guildId: "g1", userId: "400", name: "dave", bot: false, roleIds: [ROLES.regular], permissions: EVERYONE_PERMISSIONS, isGuildOwner: false },
    "999": {
      guildId: "g1",
      userId: "999",
      name: "Cogs",
      bot: true,
      roleIds: [ROLES.bot],
      permissions: String(BigInt(EVERYONE_PERMISSIONS) | THREADS_BIT),
      isGuildOwner: false,
    },
  },
  g2: {
    "100": { guildId: "g2", userId: "100", name: "alice", bot: false, roleIds: [], permissions: "0", isGuildOwner: false },
    "200": { guildId: "g2", userId: "200", name: "bob", bot: false, roleIds: [], permissions: ALL_PERMISSIONS, isGuildOwner: true },
    "999": { guildId: "g2", userId: "999", name: "Cogwheel", bot: true, roleIds: [], permissions: "0", isGuildOwner: false },
  },
};

const GUILD_CHANNELS: ChannelCounts = { text: 5, voice: 2, category: 2, stage: 1, forum: 1, announcement: 1, total: 12 };
const GUILD_PRESENCES: PresenceCounts = { online: 12, idle: 5, dnd: 3, offline: 22 };

/** Each guild in full, as guildDetails() answers with both intents on (the nickname may change). */
export const GUILD_DETAILS: Readonly<Record<string, GuildDetails>> = {
  g1: {
    ...GUILD,
    iconUrl: "https://cdn.discordapp.com/icons/g1/a_0123456789abcdef.gif",
    iconAnimated: true,
    verificationLevel: 2,
    joinedAt: new Date("2022-03-04T05:06:07Z"),
    botNickname: "Cogs",
    roles: GUILD_ROLES,
    channels: GUILD_CHANNELS,
    presences: GUILD_PRESENCES,
    memberKinds: { bots: 3, humans: 39 },
  },
  g2: {
    ...OTHER_GUILD,
    iconUrl: null,
    iconAnimated: false,
    verificationLevel: 0,
    joinedAt: new Date("2023-01-01T00:00:00Z"),
    botNickname: null,
    roles: [{ id: "g2", name: "@everyone", position: 0, permissions: "0", color: 0, managed: false }],
    channels: { text: 1, voice: 0, category: 0, stage: 0, forum: 0, announcement: 0, total: 1 },
    presences: { online: 1, idle: 0, dnd: 0, offline: 2 },
    memberKinds: { bots: 1, humans: 2 },
  },
};

export const APPLICATION: ApplicationInfo = {
  id: BOT_USER.id,
  name: BOT_USER.name,
  description: "A bot made of cogs.",
  ownerName: "alice",
  public: true,
};

const DEFAULT_AVATAR_URL = "https://cdn.discordapp.com/embed/avatars/4.png";

/** An action the fake adapter was asked to take, in order. */
export type FakeAction =
  | { readonly kind: "setName"; readonly name: string }
  | { readonly kind: "leaveGuild"; readonly guildId: string }
  | { readonly kind: "setNickname"; readonly guildId: string; readonly nickname: string | null }
  | { readonly kind: "setAvatar"; readonly bytes: number | null };

/** The fake adapter: an Adapter plus the actions it was asked to take. */
export interface FakeAdapter extends Adapter {
  readonly actions: FakeAction[];
}

/**
 * An adapter with no platform behind it: it knows GUILD, OTHER_GUILD, USERS and MEMBERS; "100"
 * (alice) is the bot's owner. Both intents are on unless `intents` says otherwise; with one off,
 * the guilds' presences or memberKinds are null, as on Discord. Leaving a guild removes it;
 * a nickname or avatar change shows in guildDetails() and account().
 */
export function fakeAdapter(options: { intents?: Partial<AdapterIntents> } = {}): FakeAdapter {
  const intents: AdapterIntents = { members: options.intents?.members ?? true, presences: options.intents?.presences ?? true };
  const actions: FakeAction[] = [];
  const joined = new Set([GUILD.id, OTHER_GUILD.id]);
  const nicknames = new Map(Object.values(GUILD_DETAILS).map((g) => [g.id, g.botNickname]));
  let avatarUrl: string | null = `https://cdn.discordapp.com/avatars/${BOT_USER.id}/0f0f0f0f.png`;
  let connected = false;
  let readyAt: Date | null = null;

  const infoOf = (id: string): GuildInfo | null => (!joined.has(id) ? null : id === GUILD.id ? GUILD : id === OTHER_GUILD.id ? OTHER_GUILD : null);
  const notIn = (guildId: string): AdapterError => new AdapterError("ERR_ADAPTER_NOT_IN_GUILD", `The bot is not in guild ${guildId}.`);

  return {
    kind: "discord",
    actions,
    start: async () => {
      connected = true;
      readyAt = new Date();
    },
    stop: async () => {
      connected = false;
      readyAt = null;
    },
    status: () => ({ connected, user: connected ? { ...BOT_USER } : null }),
    ownerIds: async () => ["100"],
    setName: async (name) => void actions.push({ kind: "setName", name }),
    inviteUrl: async () => null,
    guildInfo: async (id) => infoOf(id),
    userInfo: async (id) => USERS[id] ?? null,
    guilds: async () => [GUILD, OTHER_GUILD].filter((g) => joined.has(g.id)),
    guildDetails: async (id) => {
      const details = joined.has(id) ? GUILD_DETAILS[id] : undefined;
      if (!details) return null;
      return {
        ...details,
        botNickname: nicknames.get(id) ?? null,
        presences: intents.presences ? details.presences : null,
        memberKinds: intents.members ? details.memberKinds : null,
      };
    },
    member: async (guildId, userId) => (joined.has(guildId) ? MEMBERS[guildId]?.[userId] ?? null : null),
    application: async () => APPLICATION,
    account: (): BotAccount | null =>
      connected ? { ...BOT_USER, avatarUrl, defaultAvatarUrl: DEFAULT_AVATAR_URL, verified: false } : null,
    stats: async (): Promise<AdapterStats> => {
      const mine = Object.values(GUILD_DETAILS).filter((g) => joined.has(g.id));
      const sum = (f: (g: GuildDetails) => number): number => mine.reduce((n, g) => n + f(g), 0);
      return {
        guilds: mine.length,
        text: sum((g) => g.channels.text),
        voice: sum((g) => g.channels.voice),
        categories: sum((g) => g.channels.category),
        users: sum((g) => g.memberCount ?? 0),
      };
    },
    readyAt: () => readyAt,
    intents: () => ({ ...intents }),
    leaveGuild: async (guildId) => {
      actions.push({ kind: "leaveGuild", guildId });
      return joined.delete(guildId);
    },
    setNickname: async (guildId, nickname) => {
      actions.push({ kind: "setNickname", guildId, nickname });
      if (!joined.has(guildId)) throw notIn(guildId);
      nicknames.set(guildId, nickname);
    },
    setAvatar: async (image) => {
      actions.push({ kind: "setAvatar", bytes: image === null ? null : image.byteLength });
      avatarUrl = image === null ? null : `https://cdn.discordapp.com/avatars/${BOT_USER.id}/${image.byteLength.toString(16)}.png`;
    },
  };
}
