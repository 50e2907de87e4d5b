/**
 * The dashboard package, tier 2: GET_USER_GUILDS (pagination, query, filter), GET_GUILD (counts,
 * roles, the settings block, access) and LEAVE_GUILD, against the fake adapter's two guilds:
 * g1 "Cog Lovers" (alice 100 owns it and the bot; bob 200 has Administrator; carol 300 the Mod
 * role; dave 400 the Regular role) and g2 "Quiet Corner" (bob owns it; alice is a plain member).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeAdapter, MEMBERS, type FakeAdapter } from "../support/bot.ts";
import { startDashboard } from "../support/dashboard.ts";

const PAGING = { per_page: 20, pages: 1, page: 1, default_per_page: 20, default_page: 1 };
const G1_ITEM = {
  id: "g1",
  name: "Cog Lovers",
  owner: "alice",
  owner_id: 100,
  icon_url: "https://cdn.discordapp.com/icons/g1/a_0123456789abcdef.gif",
  icon_animated: true,
  user_role: null as string | null,
};
const G2_ITEM = {
  id: "g2",
  name: "Quiet Corner",
  owner: "bob",
  owner_id: 200,
  icon_url: "https://cdn.discordapp.com/embed/avatars/1.png",
  icon_animated: false,
  user_role: null as string | null,
};

function guildsOf(user: number, perPage: string | null = null, page: string | null = null, query: string | null = null, filter: string | null = null): unknown[] {
  return [user, perPage, page, query, filter];
}

test("GET_USER_GUILDS: a bot owner sees every guild (theirs first), with AAA3A's pagination fields", async (t) => {
  const { call } = await startDashboard(t);
  assert.deepEqual(await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(100)), { items: [G1_ITEM, G2_ITEM], total: 2, ...PAGING });
});

test("GET_USER_GUILDS: others see the guilds where they are owner, admin or mod, with their role; filters", async (t) => {
  const { call } = await startDashboard(t);
  const bob = await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(200));
  assert.deepEqual(bob, { items: [{ ...G2_ITEM, user_role: "OWNER" }, { ...G1_ITEM, user_role: "ADMIN" }], total: 2, ...PAGING });
  assert.deepEqual((await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(200, null, null, null, "owner"))).items.map((g: any) => g.id), ["g2"]);
  assert.deepEqual((await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(200, null, null, null, "admin"))).items.map((g: any) => g.id), ["g1"]);
  assert.deepEqual((await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(200, null, null, null, "mod"))).items, []);
  // The owner with a filter: only where they are that (alice owns g1).
  assert.deepEqual(await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(100, null, null, null, "owner")), { items: [{ ...G1_ITEM, user_role: "OWNER" }], total: 1, ...PAGING });
  // A plain member (dave) sees nothing, and so does a mod before the guild names a mod role.
  const none = { items: [], total: 0, per_page: 20, pages: 0, page: 0, default_per_page: 20, default_page: 1 };
  assert.deepEqual(await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(400)), none);
  assert.deepEqual(await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(300)), none);
  const set = await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [100, "g1", { mod_roles: ["502"] }]);
  assert.equal(set.status, 0);
  assert.deepEqual(await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(300, null, null, null, "mod")), { items: [{ ...G1_ITEM, user_role: "MOD" }], total: 1, ...PAGING });
});

test("GET_USER_GUILDS: a user the bot does not know still gets `items` (empty), never another shape", async (t) => {
  const { call } = await startDashboard(t);
  assert.deepEqual(await call("DASHBOARDRPC__GET_USER_GUILDS", [BigInt("98765432109876543210"), null, null, null, null]), {
    items: [],
    total: 0,
    per_page: 20,
    pages: 0,
    page: 0,
    default_per_page: 20,
    default_page: 1,
  });
});

test("GET_USER_GUILDS: per_page and page as the web app passes its query string, clamped as AAA3A; query by name or id", async (t) => {
  const { call } = await startDashboard(t);
  const page2 = await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(100, "1", "2"));
  assert.deepEqual(page2, { items: [G2_ITEM], total: 2, per_page: 1, pages: 2, page: 2, default_per_page: 20, default_page: 1 });
  assert.equal((await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(100, "1", "9"))).page, 2, "past the end: the last page");
  assert.deepEqual((await call("DASHBOARDRPC__GET_USER_GUILDS", [100, 1, 1, null, null])).items, [G1_ITEM], "JSON ints work too");
  for (const bad of ["0", "abc", "500", "-1"]) {
    const result = await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(100, bad, bad));
    assert.equal(result.per_page, 20, bad);
    assert.equal(result.page, 1, bad);
  }
  assert.deepEqual((await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(100, null, null, "  QUIET "))).items, [G2_ITEM]);
  assert.deepEqual((await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(100, null, null, "g1"))).items, [G1_ITEM]);
  const nothing = await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(100, null, null, "zzz"));
  assert.deepEqual([nothing.items, nothing.total, nothing.pages, nothing.page], [[], 0, 0, 0]);
  assert.equal((await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(100, null, null, null, "nonsense"))).total, 2, "an unknown filter is no filter");
});

test("GET_GUILD: the full overview and settings block, field by field", async (t) => {
  const { call } = await startDashboard(t);
  const guild = await call("DASHBOARDRPC__GET_GUILD", [100, "g1", false]);
  assert.deepEqual(guild, {
    status: 0,
    id: "g1",
    name: "Cog Lovers",
    owner: "alice",
    owner_id: 100,
    icon_url: "https://cdn.discordapp.com/icons/g1/a_0123456789abcdef.gif",
    icon_animated: true,
    verification_level: "2 - Medium",
    created_at: Date.parse("2020-01-02T03:04:05Z") / 1000,
    joined_at: Date.parse("2022-03-04T05:06:07Z") / 1000,
    members_number: 42,
    online_number: 12,
    dnd_number: 3,
    idle_number: 5,
    offline_number: 22,
    bots_number: 3,
    humans_number: 39,
    channels_number: 12,
    text_channels_number: 6,
    voice_channels_number: 2,
    roles_number: 5,
    // @everyone first: the web app's role pickers skip roles[0].
    roles: [
      { id: "g1", name: "@everyone" },
      { id: 501, name: "Admin" },
      { id: 504, name: "Cogwheel" },
      { id: 502, name: "Mod" },
      { id: 503, name: "Regular" },
    ],
    prefixes: ["!"],
    settings: {
      edit_permission: true,
      bot_nickname: "Cogs",
      prefixes: [],
      admin_roles: [],
      mod_roles: [],
      whitelist: [],
      blacklist: [],
      ignored: false,
      disabled_commands: [],
      embeds: true,
      use_bot_color: false,
      fuzzy: false,
      delete_delay: -1,
      locale: "en-US",
      regional_format: null,
    },
    perms: "Everything (Bot Owner)",
  });
});

test("GET_GUILD: presence and bot/human counts are zeros without their intents", async (t) => {
  const { call } = await startDashboard(t, { adapter: fakeAdapter({ intents: { presences: false, members: false } }) });
  const guild = await call("DASHBOARDRPC__GET_GUILD", [100, "g1", false]);
  assert.deepEqual(
    [guild.online_number, guild.idle_number, guild.dnd_number, guild.offline_number, guild.bots_number, guild.humans_number, guild.members_number],
    [0, 0, 0, 0, 0, 0, 42],
  );
});

test("GET_GUILD: who may see a guild, and what each may do", async (t) => {
  const { call } = await startDashboard(t);
  const view = async (user: number, guild: string, third = false) => call("DASHBOARDRPC__GET_GUILD", [user, guild, third]);
  assert.deepEqual([(await view(200, "g1")).perms, (await view(200, "g1")).settings.edit_permission], ["Admin", true]);
  assert.deepEqual([(await view(200, "g2")).perms, (await view(200, "g2")).settings.edit_permission], ["Everything (Guild Owner)", true]);
  assert.deepEqual(await view(400, "g1"), { status: 1, error: "no access to this guild" }, "a plain member: 404");
  const forThird = await view(400, "g1", true);
  assert.deepEqual([forThird.status, forThird.perms, forThird.settings.edit_permission], [0, "None", false], "any member, for third parties");
  assert.deepEqual(await view(300, "g2", true), { status: 1, error: "no access to this guild" }, "not a member");
  assert.deepEqual(await view(100, "g9"), { status: 1, error: "guild not found" });
  assert.equal((await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [100, "g1", { mod_roles: ["502"], admin_roles: [504] }])).status, 0);
  const carol = await view(300, "g1");
  assert.deepEqual([carol.perms, carol.settings.edit_permission], ["Mod", false]);
  const owner = await view(100, "g1");
  assert.deepEqual(owner.settings.mod_roles, [{ id: 502, name: "Mod" }]);
  assert.deepEqual(owner.settings.admin_roles, [{ id: 504, name: "Cogwheel" }]);
  // The older web app sends no for_third_parties: two params work.
  assert.equal((await call("DASHBOARDRPC__GET_GUILD", [100, "g1"])).status, 0);
});

test("LEAVE_GUILD: refused to a plain member; a bot owner or the guild's admin makes the bot leave", async (t) => {
  const { call, adapter } = await startDashboard(t);
  const actions = (adapter as FakeAdapter).actions;
  assert.equal((await call("DASHBOARDRPC__LEAVE_GUILD", [400, "g1"])).status, 1);
  assert.equal((await call("DASHBOARDRPC__LEAVE_GUILD", [300, "g2"])).status, 1);
  assert.deepEqual(actions, [], "nothing left");
  assert.deepEqual(await call("DASHBOARDRPC__LEAVE_GUILD", [100, "g2"]), { status: 0 });
  assert.deepEqual(actions, [{ kind: "leaveGuild", guildId: "g2" }]);
  assert.deepEqual((await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(100))).items, [G1_ITEM]);
  assert.deepEqual(await call("DASHBOARDRPC__LEAVE_GUILD", [100, "g2"]), { status: 1, error: "guild not found" });
  assert.deepEqual(await call("DASHBOARDRPC__LEAVE_GUILD", [200, "g1"]), { status: 0 }, "bob has Administrator in g1");
});

test("Manage Server counts as admin for the dashboard, as AAA3A: listed as ADMIN, may edit", async (t) => {
  const inner = fakeAdapter();
  const MANAGE_GUILD = String(0x20);
  const adapter = {
    ...inner,
    member: async (guildId: string, userId: string) =>
      guildId === "g1" && userId === "400" ? { ...MEMBERS.g1!["400"]!, permissions: MANAGE_GUILD } : inner.member(guildId, userId),
  };
  const { call } = await startDashboard(t, { adapter });
  assert.deepEqual((await call("DASHBOARDRPC__GET_USER_GUILDS", guildsOf(400))).items, [{ ...G1_ITEM, user_role: "ADMIN" }]);
  const guild = await call("DASHBOARDRPC__GET_GUILD", [400, "g1", false]);
  assert.deepEqual([guild.perms, guild.settings.edit_permission], ["Admin", true]);
  assert.equal((await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [400, "g1", { fuzzy: true }])).status, 0);
});
