/**
 * What the loopback Discord stand-in (fake-discord.ts) knows: ids, users, and two guilds with
 * roles, channels of every type, members and presences, as Discord's v10 payloads.
 */

/** Snowflakes used by the stand-in (realistic 19-digit ids). */
export const IDS = {
  bot: "1100000000000000001",
  owner: "1100000000000000002",
  member: "1100000000000000003",
  teamOwner: "1100000000000000004",
  teamMember: "1100000000000000005",
  teamInvited: "1100000000000000006",
  /** A member of the guild with the Admin role (Administrator). */
  admin: "1100000000000000007",
  /** A member of the guild with the Mod role (Kick Members, Manage Messages). */
  mod: "1100000000000000008",
  /** Another bot in the guild. */
  otherBot: "1100000000000000009",
  /** Not in any guild. */
  stranger: "1100000000000000010",
  team: "1100000000000000050",
  guild: "1100000000000000100",
  channel: "1100000000000000101",
  dmChannel: "1100000000000000102",
  voice: "1100000000000000103",
  category: "1100000000000000104",
  announcement: "1100000000000000105",
  stage: "1100000000000000106",
  forum: "1100000000000000107",
  thread: "1100000000000000108",
  random: "1100000000000000109",
  roleAdmin: "1100000000000000110",
  roleMod: "1100000000000000111",
  roleRegular: "1100000000000000112",
  roleBot: "1100000000000000113",
  /** A second guild, which the bot joins when a test calls `addGuild()`. */
  guild2: "1100000000000000200",
  guild2Channel: "1100000000000000201",
} as const;

/** Gateway intent bits the stand-in looks at. */
export const INTENT = { guildMembers: 1 << 1, guildPresences: 1 << 8 } as const;

/** When the bot joined the first guild (GUILD_CREATE `joined_at`). */
export const JOINED_AT = "2024-01-01T00:00:00.000Z";

/** An animated icon hash (Discord marks those with `a_`). */
export const GUILD_ICON = "a_0123456789abcdef0123456789abcdef";

/** Role permissions as Discord sends them: decimal strings. */
export const ROLE_PERMISSIONS = {
  everyone: "1071698660929",
  admin: "8",
  mod: String(0x2 | 0x2000),
  regular: "0",
  bot: "274878024768",
} as const;

export interface RawUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  flags: number;
  bot?: boolean;
}

/** Everyone the stand-in knows, the bot (as it currently is) first. */
export function rawUsers(botUser: RawUser): RawUser[] {
  const user = (id: string, username: string, global_name: string | null, bot = false): RawUser => ({
    id,
    username,
    discriminator: "0",
    global_name,
    avatar: null,
    flags: 0,
    ...(bot ? { bot: true } : {}),
  });
  return [
    { ...botUser },
    user(IDS.owner, "owner", "The Owner"),
    user(IDS.member, "alice", "Alice"),
    user(IDS.teamOwner, "teamlead", null),
    user(IDS.teamMember, "teammate", null),
    user(IDS.teamInvited, "invitee", null),
    user(IDS.admin, "bob", "Bob"),
    user(IDS.mod, "carol", null),
    user(IDS.otherBot, "helperbot", null, true),
    user(IDS.stranger, "stranger", null),
  ];
}

export interface FixtureMember {
  readonly userId: string;
  readonly roles: readonly string[];
  /** Changed by PATCH /guilds/:id/members/@me for the bot. */
  nick: string | null;
  /** Absent: offline (Discord sends no presence for offline members). */
  readonly status?: "online" | "idle" | "dnd";
}

/** A guild as the stand-in keeps it; payloads are built from it. */
export interface GuildFixture {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly icon: string | null;
  readonly verificationLevel: number;
  readonly joinedAt: string;
  readonly roles: readonly Record<string, unknown>[];
  readonly channels: readonly Record<string, unknown>[];
  readonly threads: readonly Record<string, unknown>[];
  /** Every member, the bot's own first (its `nick` is the bot's nickname there). */
  readonly members: readonly FixtureMember[];
}

function role(id: string, name: string, position: number, permissions: string, color: number, botId?: string): Record<string, unknown> {
  return {
    id,
    name,
    color,
    colors: { primary_color: color, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions,
    managed: botId !== undefined,
    mentionable: false,
    flags: 0,
    ...(botId !== undefined ? { tags: { bot_id: botId } } : {}),
  };
}

function channel(id: string, type: number, name: string, position: number, parentId: string | null = null): Record<string, unknown> {
  const base: Record<string, unknown> = { id, type, name, position, permission_overwrites: [], parent_id: parentId };
  if (type === 0 || type === 5) Object.assign(base, { nsfw: false, topic: null, last_message_id: null, rate_limit_per_user: 0 });
  if (type === 2 || type === 13) Object.assign(base, { bitrate: 64000, user_limit: 0, rtc_region: null });
  if (type === 15) Object.assign(base, { nsfw: false, topic: null, available_tags: [], default_reaction_emoji: null, default_sort_order: null, default_forum_layout: 0 });
  return base;
}

/**
 * The stand-in's guilds. The first: 6 members (owner, an Admin, a Mod, alice with a plain role,
 * the bot, another bot), 5 roles, 7 channels (2 text, voice, category, announcement, stage,
 * forum) and a thread, 5 members online/idle/dnd. The second is small and has a static icon.
 */
export function guildFixtures(): Map<string, GuildFixture> {
  const first: GuildFixture = {
    id: IDS.guild,
    name: "Test Guild",
    ownerId: IDS.owner,
    icon: GUILD_ICON,
    verificationLevel: 2,
    joinedAt: JOINED_AT,
    roles: [
      role(IDS.guild, "@everyone", 0, ROLE_PERMISSIONS.everyone, 0),
      role(IDS.roleRegular, "Regular", 1, ROLE_PERMISSIONS.regular, 0x2ecc71),
      role(IDS.roleMod, "Mod", 2, ROLE_PERMISSIONS.mod, 0x3498db),
      role(IDS.roleBot, "Cogwheel", 3, ROLE_PERMISSIONS.bot, 0, IDS.bot),
      role(IDS.roleAdmin, "Admin", 4, ROLE_PERMISSIONS.admin, 0xe74c3c),
    ],
    channels: [
      channel(IDS.category, 4, "Text Channels", 0),
      channel(IDS.channel, 0, "general", 0, IDS.category),
      channel(IDS.random, 0, "random", 1, IDS.category),
      channel(IDS.voice, 2, "Voice", 2),
      channel(IDS.announcement, 5, "news", 3),
      channel(IDS.stage, 13, "Stage", 4),
      channel(IDS.forum, 15, "forum", 5),
    ],
    threads: [
      {
        id: IDS.thread,
        type: 11,
        name: "a thread",
        parent_id: IDS.channel,
        owner_id: IDS.member,
        guild_id: IDS.guild,
        last_message_id: null,
        rate_limit_per_user: 0,
        message_count: 0,
        member_count: 1,
        thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: JOINED_AT, locked: false },
      },
    ],
    members: [
      { userId: IDS.bot, roles: [IDS.roleBot], nick: "Cogs", status: "online" },
      { userId: IDS.owner, roles: [], nick: null, status: "online" },
      { userId: IDS.admin, roles: [IDS.roleAdmin], nick: "Bobby", status: "idle" },
      { userId: IDS.mod, roles: [IDS.roleMod], nick: null, status: "dnd" },
      { userId: IDS.member, roles: [IDS.roleRegular], nick: null, status: "online" },
      { userId: IDS.otherBot, roles: [], nick: null },
    ],
  };
  const second: GuildFixture = {
    id: IDS.guild2,
    name: "Another Guild",
    ownerId: IDS.admin,
    icon: "0123456789abcdef0123456789abcdef",
    verificationLevel: 0,
    joinedAt: "2024-02-01T00:00:00.000Z",
    roles: [role(IDS.guild2, "@everyone", 0, ROLE_PERMISSIONS.everyone, 0)],
    channels: [channel(IDS.guild2Channel, 0, "lobby", 0)],
    threads: [],
    members: [
      { userId: IDS.bot, roles: [], nick: null, status: "online" },
      { userId: IDS.admin, roles: [], nick: null },
      { userId: IDS.owner, roles: [], nick: null },
    ],
  };
  return new Map([
    [first.id, first],
    [second.id, second],
  ]);
}

/** A guild member payload (GUILD_CREATE `members`, GET /guilds/:id/members/:user). */
export function memberPayload(guild: GuildFixture, member: FixtureMember, user: RawUser): Record<string, unknown> {
  return {
    user,
    nick: member.nick,
    avatar: null,
    roles: [...member.roles],
    joined_at: member.userId === IDS.bot ? guild.joinedAt : JOINED_AT,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
  };
}

/**
 * GUILD_CREATE for a guild. Members are listed only when the GuildMembers intent was
 * identified (the bot's own member always), presences only with GuildPresences. Discord's own
 * rule is subtler (large guilds get a subset, tied to presences), but with the same effect for
 * the adapter: without the intents, member caches and presence counts are empty.
 */
export function guildCreatePayload(guild: GuildFixture, users: readonly RawUser[], intents: number): Record<string, unknown> {
  const userOf = (id: string): RawUser => users.find((u) => u.id === id)!;
  const members = intents & INTENT.guildMembers ? guild.members : guild.members.filter((m) => m.userId === IDS.bot);
  const presences =
    intents & INTENT.guildPresences
      ? guild.members
          .filter((m) => m.status !== undefined)
          .map((m) => ({ user: { id: m.userId }, status: m.status, activities: [], client_status: { desktop: m.status } }))
      : [];
  return {
    ...guildPayload(guild),
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    member_count: guild.members.length,
    voice_states: [],
    members: members.map((m) => memberPayload(guild, m, userOf(m.userId))),
    channels: guild.channels.map((c) => ({ ...c })),
    threads: guild.threads.map((c) => ({ ...c })),
    presences,
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** The guild object without the gateway-only fields (GET /guilds/:id). */
export function guildPayload(guild: GuildFixture): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: guild.icon,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: guild.verificationLevel,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    application_id: null,
    system_channel_id: guild.channels.find((c) => c.type === 0)?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: "en-US",
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    features: [],
    roles: guild.roles.map((r) => ({ ...r })),
    emojis: [],
    stickers: [],
  };
}
