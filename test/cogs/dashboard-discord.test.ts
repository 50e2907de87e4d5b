/**
 * The dashboard package on the real Discord adapter (discord.js against the loopback stand-in,
 * both privileged intents on): 19-digit ids stay exact integers on the wire, and the counts,
 * roles and settings come from the guild as Discord describes it.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { createDiscordAdapter } from "../../src/adapters/discord/index.ts";
import { GUILD_ICON, JOINED_AT } from "../support/fake-discord-guilds.ts";
import { FakeDiscord, IDS } from "../support/fake-discord.ts";
import { startDashboard, type Dashboard } from "../support/dashboard.ts";

const TEST = { timeout: 20_000 };
const big = (id: string): bigint => BigInt(id);

async function onDiscord(t: TestContext): Promise<Dashboard & { fake: FakeDiscord }> {
  const fake = await FakeDiscord.start();
  t.after(() => fake.close());
  const adapter = createDiscordAdapter({ token: fake.token, restApiUrl: fake.restApiUrl, intents: { members: true, presences: true } });
  const dashboard = await startDashboard(t, { adapter });
  return { ...dashboard, fake };
}

test("on Discord: GET_VARIABLES has the bot's and owners' 19-digit ids as exact integers, and the guild counts", TEST, async (t) => {
  const { call, client } = await onDiscord(t);
  const v = await call("DASHBOARDRPC__GET_VARIABLES", [false, ["0.0.0.0", 42356]]);
  assert.equal(v.bot.id, big(IDS.bot));
  assert.equal(v.bot.application_id, big(IDS.bot));
  assert.ok(v.bot.owner_ids.includes(big(IDS.owner)), JSON.stringify(v.bot.owner_ids, (_, x) => (typeof x === "bigint" ? `${x}n` : x)));
  assert.deepEqual(
    { guilds: v.stats.guilds, text: v.stats.text, voice: v.stats.voice, categories: v.stats.categories, users: v.stats.users },
    { guilds: 1, text: 2, voice: 1, categories: 1, users: 6 },
  );
  assert.equal(typeof v.bot.invite_url, "string");
  assert.match(v.bot.invite_url, new RegExp(`client_id=${IDS.bot}`));
  // The wire text itself carries the digits (no rounding to …000).
  client.send({ jsonrpc: "2.0", id: 0, method: "DASHBOARDRPC__GET_VARIABLES", params: [true, ["h", 1]] });
  const text = await client.next(5000);
  assert.match(text, new RegExp(`"owner_ids":\\[[^\\]]*\\b${IDS.owner}\\b`), "bare digits, not a string or a rounded double");
  assert.match(text, new RegExp(`"id":${IDS.bot},`));
});

test("on Discord: the guild list and overview, ids exact, counts and roles as Discord has them", TEST, async (t) => {
  const { call } = await onDiscord(t);
  const list = await call("DASHBOARDRPC__GET_USER_GUILDS", [big(IDS.admin), null, null, null, null]);
  assert.deepEqual(list.items, [
    {
      id: big(IDS.guild),
      name: "Test Guild",
      owner: list.items[0].owner,
      owner_id: big(IDS.owner),
      icon_url: `https://cdn.discordapp.com/icons/${IDS.guild}/${GUILD_ICON}.gif`,
      icon_animated: true,
      user_role: "ADMIN",
    },
  ]);
  assert.equal(typeof list.items[0].owner, "string");
  const guild = await call("DASHBOARDRPC__GET_GUILD", [big(IDS.owner), big(IDS.guild), false]);
  assert.equal(guild.status, 0);
  assert.equal(guild.id, big(IDS.guild));
  assert.equal(guild.verification_level, "2 - Medium");
  assert.equal(guild.joined_at, Date.parse(JOINED_AT) / 1000);
  assert.deepEqual(
    [guild.members_number, guild.online_number, guild.idle_number, guild.dnd_number, guild.offline_number, guild.bots_number, guild.humans_number],
    [6, 3, 1, 1, 1, 2, 4],
  );
  assert.deepEqual([guild.channels_number, guild.text_channels_number, guild.voice_channels_number, guild.roles_number], [7, 3, 1, 5]);
  assert.deepEqual(guild.roles, [
    { id: big(IDS.guild), name: "@everyone" },
    { id: big(IDS.roleAdmin), name: "Admin" },
    { id: big(IDS.roleBot), name: "Cogwheel" },
    { id: big(IDS.roleMod), name: "Mod" },
    { id: big(IDS.roleRegular), name: "Regular" },
  ]);
  assert.equal(guild.settings.bot_nickname, "Cogs");
  assert.equal(guild.perms, "Everything (Bot Owner)");
  const mod = await call("DASHBOARDRPC__GET_GUILD", [big(IDS.mod), big(IDS.guild), false]);
  assert.equal(mod.status, 1, "the Mod role is no mod role until the guild names it");
  assert.equal((await call("DASHBOARDRPC__GET_GUILD", [big(IDS.stranger), big(IDS.guild), false])).status, 1);
});

test("on Discord: SET_GUILD_SETTINGS with role ids as the web app's form sends them, and the nickname through REST", TEST, async (t) => {
  const { call, fake } = await onDiscord(t);
  const from = fake.requests.length;
  const answer = await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [
    big(IDS.admin),
    big(IDS.guild),
    { bot_nickname: "Gears", prefixes: ["?"], admin_roles: [IDS.roleAdmin], mod_roles: [IDS.roleMod], ignored: false, disabled_commands: [], embeds: true, use_bot_color: false, fuzzy: false, delete_delay: -1, locale: "en-US", regional_format: null },
  ]);
  assert.deepEqual(answer, { status: 0, change_nickname_error: false });
  assert.ok(fake.requests.slice(from).some((r) => r.method === "PATCH" && r.path.includes(`/guilds/${IDS.guild}/members/@me`)), "the nickname went to Discord");
  const guild = await call("DASHBOARDRPC__GET_GUILD", [big(IDS.mod), big(IDS.guild), false]);
  assert.equal(guild.status, 0, "now a mod");
  assert.equal(guild.perms, "Mod");
  assert.deepEqual(guild.settings.mod_roles, [{ id: big(IDS.roleMod), name: "Mod" }]);
  assert.deepEqual(guild.prefixes, ["?"]);
});
