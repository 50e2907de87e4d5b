/**
 * The Discord adapter's dashboard surface (guilds, roles, channels, members, presences,
 * application, account, leave/nickname/avatar): real discord.js against the loopback stand-in.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { PermissionsBitField } from "discord.js";
import { createDiscordAdapter, DiscordAdapterError, type DiscordAdapter } from "../../src/adapters/discord/index.ts";
import type { DiscordAdapterOptions } from "../../src/adapters/discord/options.ts";
import type { ChatMessage, GuildDetails } from "../../src/adapters/types.ts";
import { FakeDiscord, IDS, type FakeDiscordOptions } from "../support/fake-discord.ts";
import { GUILD_ICON, JOINED_AT, ROLE_PERMISSIONS } from "../support/fake-discord-guilds.ts";

const TEST = { timeout: 10_000 };
const ALL = PermissionsBitField.All.toString();
const BOTH = { members: true, presences: true };

/** When a snowflake was made. */
function createdAt(id: string): Date {
  return new Date(Number((BigInt(id) >> 22n) + 1420070400000n));
}

async function setup(
  t: TestContext,
  options: { fake?: FakeDiscordOptions; adapter?: Partial<DiscordAdapterOptions>; start?: boolean } = {},
): Promise<{ fake: FakeDiscord; adapter: DiscordAdapter; messages: ChatMessage[] }> {
  const fake = await FakeDiscord.start(options.fake);
  t.after(() => fake.close());
  const adapter = createDiscordAdapter({ token: fake.token, restApiUrl: fake.restApiUrl, ...options.adapter });
  t.after(() => adapter.stop());
  const messages: ChatMessage[] = [];
  if (options.start !== false) await adapter.start({ onMessage: (m) => void messages.push(m), onStatus: () => {} });
  return { fake, adapter, messages };
}

async function until<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The REST calls made since `from`, as "METHOD path status". */
function calls(fake: FakeDiscord, from: number): string[] {
  return fake.requests.slice(from).map((r) => `${r.method} ${r.path.replace("/api/v10", "")} ${r.status}`);
}

const ROLES = [
  { id: IDS.roleAdmin, name: "Admin", position: 4, permissions: "8", color: 0xe74c3c, managed: false },
  { id: IDS.roleBot, name: "Cogwheel", position: 3, permissions: ROLE_PERMISSIONS.bot, color: 0, managed: true },
  { id: IDS.roleMod, name: "Mod", position: 2, permissions: "8194", color: 0x3498db, managed: false },
  { id: IDS.roleRegular, name: "Regular", position: 1, permissions: "0", color: 0x2ecc71, managed: false },
  { id: IDS.guild, name: "@everyone", position: 0, permissions: ROLE_PERMISSIONS.everyone, color: 0, managed: false },
];

const GUILD_DETAILS: GuildDetails = {
  id: IDS.guild,
  name: "Test Guild",
  memberCount: 6,
  ownerId: IDS.owner,
  createdAt: createdAt(IDS.guild),
  iconUrl: `https://cdn.discordapp.com/icons/${IDS.guild}/${GUILD_ICON}.gif`,
  iconAnimated: true,
  verificationLevel: 2,
  joinedAt: new Date(JOINED_AT),
  botNickname: "Cogs",
  roles: ROLES,
  // Two text channels, one of each other type; the thread is not counted.
  channels: { text: 2, voice: 1, category: 1, stage: 1, forum: 1, announcement: 1, total: 7 },
  presences: null,
  memberKinds: null,
};

// ---- guilds ---------------------------------------------------------------------------

test("guilds() and guildDetails() answer from the cache; without the intents, presences and member kinds are null", TEST, async (t) => {
  const { fake, adapter } = await setup(t);
  const before = fake.requests.length;
  assert.deepEqual(adapter.intents(), { members: false, presences: false });
  assert.deepEqual(await adapter.guilds(), [
    { id: IDS.guild, name: "Test Guild", memberCount: 6, ownerId: IDS.owner, createdAt: createdAt(IDS.guild) },
  ]);
  assert.deepEqual(await adapter.guildDetails(IDS.guild), GUILD_DETAILS);
  assert.equal(await adapter.guildDetails(IDS.guild2), null, "known to Discord, but the bot is not in it");
  assert.equal(await adapter.guildDetails("not-an-id"), null);
  assert.deepEqual(await adapter.stats(), { guilds: 1, text: 2, voice: 1, categories: 1, users: 6 });
  assert.deepEqual(calls(fake, before), [], "all from the cache");
});

test("with GuildMembers and GuildPresences, IDENTIFY asks for them and the counts are filled in", TEST, async (t) => {
  const { fake, adapter } = await setup(t, { adapter: { intents: BOTH } });
  const identify = fake.framesOf("in", 2)[0]!.payload.d as { intents: number };
  // Guilds | GuildMembers (2) | GuildMessages | GuildPresences (256) | DirectMessages | MessageContent
  assert.equal(identify.intents, 1 | 2 | 256 | 512 | 4096 | 32768);
  assert.deepEqual(adapter.intents(), BOTH);
  assert.deepEqual(await adapter.guildDetails(IDS.guild), {
    ...GUILD_DETAILS,
    // Five presences sent (3 online, 1 idle, 1 dnd); the sixth member is offline.
    presences: { online: 3, idle: 1, dnd: 1, offline: 1 },
    // The bot and helperbot are bots.
    memberKinds: { bots: 2, humans: 4 },
  });
});

test("one intent alone fills only its own count", TEST, async (t) => {
  const { fake, adapter } = await setup(t, { adapter: { intents: { presences: true } } });
  assert.equal((fake.framesOf("in", 2)[0]!.payload.d as { intents: number }).intents, 1 | 256 | 512 | 4096 | 32768);
  const details = await adapter.guildDetails(IDS.guild);
  assert.deepEqual([details?.presences, details?.memberKinds], [{ online: 3, idle: 1, dnd: 1, offline: 1 }, null]);
});

test("a guild joined later is listed (by name) and counted; its static icon is not animated", TEST, async (t) => {
  const { fake, adapter } = await setup(t);
  fake.addGuild();
  await until(() => adapter.client?.guilds.cache.has(IDS.guild2), "the second guild");
  assert.deepEqual(
    (await adapter.guilds()).map((g) => g.name),
    ["Another Guild", "Test Guild"],
  );
  const second = await adapter.guildDetails(IDS.guild2);
  assert.deepEqual(
    { ...second, roles: second?.roles.length },
    {
      id: IDS.guild2,
      name: "Another Guild",
      memberCount: 3,
      ownerId: IDS.admin,
      createdAt: createdAt(IDS.guild2),
      iconUrl: `https://cdn.discordapp.com/icons/${IDS.guild2}/0123456789abcdef0123456789abcdef.webp`,
      iconAnimated: false,
      verificationLevel: 0,
      joinedAt: new Date("2024-02-01T00:00:00.000Z"),
      botNickname: null,
      roles: 1,
      channels: { text: 1, voice: 0, category: 0, stage: 0, forum: 0, announcement: 0, total: 1 },
      presences: null,
      memberKinds: null,
    },
  );
  assert.deepEqual(await adapter.stats(), { guilds: 2, text: 3, voice: 1, categories: 1, users: 9 });
});

// ---- members --------------------------------------------------------------------------

test("member(): a cache miss is one REST call, remembered; the owner and Administrator get every bit", TEST, async (t) => {
  const { fake, adapter } = await setup(t);
  const before = fake.requests.length;
  // The bot's own member came with GUILD_CREATE: no call.
  assert.deepEqual(await adapter.member(IDS.guild, IDS.bot), {
    guildId: IDS.guild,
    userId: IDS.bot,
    name: "Cogs",
    bot: true,
    roleIds: [IDS.roleBot],
    permissions: String(BigInt(ROLE_PERMISSIONS.everyone) | BigInt(ROLE_PERMISSIONS.bot)),
    isGuildOwner: false,
  });
  assert.deepEqual(calls(fake, before), []);

  const admin = { guildId: IDS.guild, userId: IDS.admin, name: "Bobby", bot: false, roleIds: [IDS.roleAdmin], permissions: ALL, isGuildOwner: false };
  assert.deepEqual(await adapter.member(IDS.guild, IDS.admin), admin);
  assert.deepEqual(calls(fake, before), [`GET /guilds/${IDS.guild}/members/${IDS.admin} 200`]);
  assert.deepEqual(await adapter.member(IDS.guild, IDS.admin), admin, "the second look-up is remembered");
  assert.equal(fake.requests.length, before + 1);
  // The REST answer did not go into discord.js's cache (which nothing would ever empty).
  assert.equal(adapter.client!.guilds.cache.get(IDS.guild)!.members.cache.has(IDS.admin), false);

  assert.deepEqual(await adapter.member(IDS.guild, IDS.owner), {
    guildId: IDS.guild,
    userId: IDS.owner,
    name: "The Owner",
    bot: false,
    roleIds: [],
    permissions: ALL,
    isGuildOwner: true,
  });
  assert.deepEqual(await adapter.member(IDS.guild, IDS.mod), {
    guildId: IDS.guild,
    userId: IDS.mod,
    name: "carol",
    bot: false,
    roleIds: [IDS.roleMod],
    permissions: String(BigInt(ROLE_PERMISSIONS.everyone) | 8194n),
    isGuildOwner: false,
  });
  // Not a member: Discord's 10007 is null, remembered too.
  assert.equal(await adapter.member(IDS.guild, IDS.stranger), null);
  assert.equal(await adapter.member(IDS.guild, IDS.stranger), null);
  // A guild the bot is not in, or not an id: null without asking.
  assert.equal(await adapter.member(IDS.guild2, IDS.admin), null);
  assert.equal(await adapter.member(IDS.guild, "../@me"), null);
  assert.deepEqual(calls(fake, before), [
    `GET /guilds/${IDS.guild}/members/${IDS.admin} 200`,
    `GET /guilds/${IDS.guild}/members/${IDS.owner} 200`,
    `GET /guilds/${IDS.guild}/members/${IDS.mod} 200`,
    `GET /guilds/${IDS.guild}/members/${IDS.stranger} 404`,
  ]);
});

test("member(): with GuildMembers every member is in the cache, so no REST call at all", TEST, async (t) => {
  const { fake, adapter } = await setup(t, { adapter: { intents: { members: true } } });
  const before = fake.requests.length;
  assert.equal((await adapter.member(IDS.guild, IDS.admin))?.permissions, ALL);
  assert.deepEqual((await adapter.member(IDS.guild, IDS.member))?.roleIds, [IDS.roleRegular]);
  assert.deepEqual(calls(fake, before), []);
});

test("member(): concurrent look-ups of one member share one call", TEST, async (t) => {
  const { fake, adapter } = await setup(t);
  const before = fake.requests.length;
  const [a, b] = await Promise.all([adapter.member(IDS.guild, IDS.mod), adapter.member(IDS.guild, IDS.mod)]);
  assert.deepEqual(a, b);
  assert.equal(fake.requests.length, before + 1);
});

test("member(): a stalled REST call is bounded by memberLookup.timeoutMs", TEST, async (t) => {
  const { fake, adapter } = await setup(t, { adapter: { memberLookup: { timeoutMs: 200 } } });
  fake.stallMemberLookups = true;
  const started = Date.now();
  await assert.rejects(adapter.member(IDS.guild, IDS.mod), {
    name: "DiscordAdapterError",
    code: "TIMEOUT",
    message: `Discord did not answer the member look-up of ${IDS.mod} within 200 ms`,
  });
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 190 && elapsed < 2000, `took ${elapsed} ms`);
  assert.deepEqual(
    fake.requests.filter((r) => r.path.includes("/members/")).map((r) => r.status),
    [0],
    "one call, never answered",
  );
});

test("member(): remembered answers expire after ttlMs and at most maxEntries are kept", TEST, async (t) => {
  const { fake, adapter } = await setup(t, { adapter: { memberLookup: { ttlMs: 300, maxEntries: 2 } } });
  const lookups = (): string[] => fake.requests.filter((r) => r.path.includes("/members/")).map((r) => r.path.split("/").at(-1)!);
  await adapter.member(IDS.guild, IDS.admin);
  await adapter.member(IDS.guild, IDS.mod);
  await adapter.member(IDS.guild, IDS.member); // the third: admin, the oldest, is forgotten
  await adapter.member(IDS.guild, IDS.member);
  await adapter.member(IDS.guild, IDS.admin);
  assert.deepEqual(lookups(), [IDS.admin, IDS.mod, IDS.member, IDS.admin]);
  await sleep(350);
  await adapter.member(IDS.guild, IDS.admin);
  assert.deepEqual(lookups(), [IDS.admin, IDS.mod, IDS.member, IDS.admin, IDS.admin], "expired, asked again");
});

test("ChatMessage.member: the author's roles and permissions in guilds, null in DMs", TEST, async (t) => {
  const { fake, messages } = await setup(t);
  fake.injectMessage({ content: "mod", authorId: IDS.mod, username: "carol" });
  fake.injectMessage({ content: "owner", authorId: IDS.owner, username: "owner" });
  fake.injectMessage({ content: "dm", guildId: null });
  await until(() => messages.length === 3, "three messages");
  assert.deepEqual(messages[0]!.member, {
    guildId: IDS.guild,
    userId: IDS.mod,
    name: "carol",
    bot: false,
    roleIds: [IDS.roleMod],
    permissions: String(BigInt(ROLE_PERMISSIONS.everyone) | 8194n),
    isGuildOwner: false,
  });
  assert.deepEqual(messages[1]!.member, {
    guildId: IDS.guild,
    userId: IDS.owner,
    name: "owner",
    bot: false,
    roleIds: [],
    permissions: ALL,
    isGuildOwner: true,
  });
  assert.equal(messages[2]!.member, null);
});

// ---- application and account ----------------------------------------------------------

test("application() is the portal entry, fetched once a minute; ownerName is the owner's username, or the team's name", TEST, async (t) => {
  const { fake, adapter } = await setup(t);
  const expected = { id: IDS.bot, name: "Cogwheel", description: "A bot made of cogs.", ownerName: "owner", public: true };
  assert.deepEqual(await adapter.application(), expected);
  assert.deepEqual(await adapter.application(), expected);
  assert.equal(fake.requests.filter((r) => r.path === "/api/v10/applications/@me").length, 1);

  const team = await setup(t, { fake: { owner: "team" } });
  assert.equal((await team.adapter.application()).ownerName, "Cog Team");
});

test("account() and readyAt() are null until READY and after stop", TEST, async (t) => {
  const { adapter } = await setup(t, { start: false });
  assert.equal(adapter.account(), null);
  assert.equal(adapter.readyAt(), null);
  assert.deepEqual(adapter.intents(), { members: false, presences: false });
  const before = Date.now();
  await adapter.start({ onMessage: () => {}, onStatus: () => {} });
  const readyAt = adapter.readyAt();
  assert.ok(readyAt instanceof Date && readyAt.getTime() >= before - 5 && readyAt.getTime() <= Date.now(), String(readyAt));
  assert.deepEqual(adapter.account(), {
    id: IDS.bot,
    name: "Cogwheel",
    avatarUrl: null,
    defaultAvatarUrl: `https://cdn.discordapp.com/embed/avatars/${(BigInt(IDS.bot) >> 22n) % 6n}.png`,
    verified: true,
  });
  await adapter.stop();
  assert.equal(adapter.account(), null);
  assert.equal(adapter.readyAt(), null);
});

test("readyAt() is null while the gateway is down", TEST, async (t) => {
  const { fake, adapter } = await setup(t, { adapter: { stopTimeoutMs: 500 } });
  assert.ok(adapter.readyAt() instanceof Date);
  await fake.close(); // Discord gone: discord.js reconnects in vain
  await until(() => !adapter.status().connected, "disconnected");
  assert.equal(adapter.readyAt(), null);
});

test("the look-ups reject with NOT_READY before start", TEST, async (t) => {
  const { fake, adapter } = await setup(t, { start: false });
  for (const call of [
    () => adapter.guilds(),
    () => adapter.guildDetails(IDS.guild),
    () => adapter.member(IDS.guild, IDS.owner),
    () => adapter.application(),
    () => adapter.stats(),
    () => adapter.leaveGuild(IDS.guild),
    () => adapter.setNickname(IDS.guild, "x"),
    () => adapter.setAvatar(null),
  ]) {
    await assert.rejects(call(), { name: "DiscordAdapterError", code: "NOT_READY" });
  }
  assert.equal(fake.requests.length, 0);
});

// ---- actions --------------------------------------------------------------------------

test("leaveGuild(): DELETE /users/@me/guilds/:id, then the guild is gone; false for a guild the bot is not in", TEST, async (t) => {
  const { fake, adapter } = await setup(t);
  const before = fake.requests.length;
  assert.equal(await adapter.leaveGuild(IDS.guild2), false);
  assert.equal(await adapter.leaveGuild("nonsense"), false);
  assert.deepEqual(calls(fake, before), [], "nothing asked for a guild the bot is not in");
  assert.equal(await adapter.leaveGuild(IDS.guild), true);
  assert.deepEqual(calls(fake, before), [`DELETE /users/@me/guilds/${IDS.guild} 204`]);
  // Discord then sends GUILD_DELETE.
  await until(() => !adapter.client!.guilds.cache.has(IDS.guild), "the guild gone");
  assert.deepEqual(await adapter.guilds(), []);
  assert.equal(await adapter.guildDetails(IDS.guild), null);
  assert.deepEqual(await adapter.stats(), { guilds: 0, text: 0, voice: 0, categories: 0, users: 0 });
});

test("setNickname(): PATCH /guilds/:id/members/@me, shown at once even without GuildMembers; refusals are one line", TEST, async (t) => {
  const { fake, adapter } = await setup(t);
  const patches = (): unknown[] => fake.requests.filter((r) => r.method === "PATCH").map((r) => [r.path.replace("/api/v10", ""), r.body, r.status]);
  await adapter.setNickname(IDS.guild, "Gears");
  assert.equal((await adapter.guildDetails(IDS.guild))?.botNickname, "Gears");
  await adapter.setNickname(IDS.guild, null);
  assert.equal((await adapter.guildDetails(IDS.guild))?.botNickname, null);
  assert.equal(fake.botNickname(IDS.guild), null);
  await assert.rejects(adapter.setNickname(IDS.guild, "x".repeat(33)), {
    name: "DiscordAdapterError",
    code: "API_ERROR",
    message: "Discord refused the nickname: Invalid Form Body nick[BASE_TYPE_MAX_LENGTH]: Must be 32 or fewer in length.",
  });
  await assert.rejects(adapter.setNickname(IDS.guild2, "Gears"), {
    name: "AdapterError",
    code: "ERR_ADAPTER_NOT_IN_GUILD",
    message: `The bot is not in guild ${IDS.guild2}.`,
  });
  assert.deepEqual(patches(), [
    [`/guilds/${IDS.guild}/members/@me`, { nick: "Gears" }, 200],
    [`/guilds/${IDS.guild}/members/@me`, { nick: null }, 200],
    [`/guilds/${IDS.guild}/members/@me`, { nick: "x".repeat(33) }, 400],
  ]);
});

test("setAvatar(): PATCH /users/@me with a data URI of the image's real type; null resets; not an image is refused", TEST, async (t) => {
  const { fake, adapter } = await setup(t);
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  const gif = new TextEncoder().encode("GIF89a-tiny");
  await adapter.setAvatar(png);
  const hash = fake.botUser.avatar!;
  assert.match(hash, /^[0-9a-f]{32}$/);
  assert.equal(adapter.account()?.avatarUrl, `https://cdn.discordapp.com/avatars/${IDS.bot}/${hash}.webp`);
  await adapter.setAvatar(gif);
  assert.equal(adapter.account()?.avatarUrl, `https://cdn.discordapp.com/avatars/${IDS.bot}/${fake.botUser.avatar}.gif`);
  await adapter.setAvatar(null);
  assert.equal(adapter.account()?.avatarUrl, null);
  await assert.rejects(adapter.setAvatar(new TextEncoder().encode("hello")), {
    name: "DiscordAdapterError",
    code: "INVALID_OPTIONS",
    message: "Discord adapter: an avatar must be a PNG, JPEG or GIF image",
  });
  assert.deepEqual(
    fake.requests.filter((r) => r.method === "PATCH").map((r) => r.body),
    [
      { avatar: `data:image/png;base64,${Buffer.from(png).toString("base64")}` },
      { avatar: `data:image/gif;base64,${Buffer.from(gif).toString("base64")}` },
      { avatar: null },
    ],
  );
});

// ---- options and refusals -------------------------------------------------------------

test("intents and memberLookup options are checked up front; unknown keys are errors", () => {
  const create = (extra: Record<string, unknown>) => () => createDiscordAdapter({ token: "t", ...extra } as DiscordAdapterOptions);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ intents: { members: true, guilds: true } }, "Discord adapter: unknown option intents.guilds (known: members, presences)"],
    [{ intents: { presences: "yes" } }, "Discord adapter: intents.presences must be true or false"],
    [{ intents: ["members"] }, "Discord adapter: intents must be an object"],
    [{ memberLookup: { timeoutMs: 0 } }, "Discord adapter: memberLookup.timeoutMs must be a positive number of ms"],
    [{ memberLookup: { maxEntries: 1.5 } }, "Discord adapter: memberLookup.maxEntries must be a positive whole number"],
    [{ memberLookup: { size: 3 } }, "Discord adapter: unknown option memberLookup.size (known: timeoutMs, ttlMs, maxEntries)"],
  ];
  for (const [extra, message] of cases) {
    assert.throws(create(extra), (error: unknown) => {
      assert.ok(error instanceof DiscordAdapterError);
      assert.deepEqual([error.code, error.message], ["INVALID_OPTIONS", message]);
      return true;
    });
  }
  assert.deepEqual(createDiscordAdapter({ token: "t", intents: { members: true } }).intents(), { members: true, presences: false });
});

test("Discord refusing the privileged intents (4014) names each one to enable in the portal", TEST, async (t) => {
  // The "portal" allows Guilds, GuildMessages, DirectMessages and MessageContent only.
  const fake = await FakeDiscord.start({ allowedIntents: 1 | 512 | 4096 | 32768 });
  t.after(() => fake.close());
  for (const [intents, names] of [
    [{ members: true }, '"Message Content Intent" and "Server Members Intent"'],
    [BOTH, '"Message Content Intent", "Server Members Intent" and "Presence Intent"'],
  ] as const) {
    const adapter = createDiscordAdapter({ token: fake.token, restApiUrl: fake.restApiUrl, intents });
    t.after(() => adapter.stop());
    await assert.rejects(adapter.start({ onMessage: () => {}, onStatus: () => {} }), {
      name: "DiscordAdapterError",
      code: "DISALLOWED_INTENTS",
      message: `Discord refused the gateway intents (close 4014): enable ${names} under Bot → Privileged Gateway Intents in the Discord Developer Portal`,
    });
  }
});
