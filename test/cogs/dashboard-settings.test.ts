/**
 * The dashboard package, tier 3: the web app's settings forms (guild, bot profile, dashboard,
 * bot settings, custom pages) sent as the web app sends them; what Cogwheel has takes effect,
 * every other field is stored and returned (NO_EFFECT_FIELDS), across a restart too.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_EFFECT_FIELDS } from "../../cogs/dashboard/config.ts";
import { fakeAdapter, say, type FakeAdapter } from "../support/bot.ts";
import { startDashboard } from "../support/dashboard.ts";

/** The guild form as the web app posts it (admin/mod role ids as strings, as its form gives them). */
const GUILD_FORM = {
  bot_nickname: "Gears",
  prefixes: ["?", "!!"],
  admin_roles: ["501"],
  mod_roles: ["502"],
  ignored: true,
  disabled_commands: ["ping"],
  embeds: false,
  use_bot_color: true,
  fuzzy: true,
  delete_delay: 5,
  locale: "fr-FR",
  regional_format: "de-DE",
};

/** The bot settings form as the web app posts it (plus a blacklist, which GET returns). */
const BOT_FORM = {
  prefixes: ["!", "$"],
  invoke_error_msg: "Oops.",
  disabled_commands: ["ping"],
  disabled_command_msg: "That one is off.",
  description: "A helpful bot.",
  custom_info: "Info **here**",
  embeds: false,
  color: "#00ff00",
  fuzzy: true,
  use_buttons: true,
  invite_public: true,
  invite_commands_scope: true,
  invite_perms: 8,
  locale: "fr-FR",
  regional_format: "en-GB",
  whitelist: ["300"],
  blacklist: ["1234567890123456789"],
};

test("SET_GUILD_SETTINGS: prefixes and roles become Core's, the nickname the platform's, the rest is stored and returned", async (t) => {
  const first = await startDashboard(t);
  assert.deepEqual(await first.call("DASHBOARDRPC__SET_GUILD_SETTINGS", [100, "g1", GUILD_FORM]), { status: 0, change_nickname_error: false });
  assert.deepEqual((first.adapter as FakeAdapter).actions, [{ kind: "setNickname", guildId: "g1", nickname: "Gears" }]);
  assert.deepEqual(await first.bot.view.guildSettings.get("g1"), { prefixes: ["!!", "?"], adminRoles: ["501"], modRoles: ["502"] });
  assert.equal((await say(first.bot, "?ping")).length, 1, "the guild's prefix works");
  assert.deepEqual(await say(first.bot, "!ping"), [], "the global one no longer does there");
  const guild = await first.call("DASHBOARDRPC__GET_GUILD", [100, "g1", false]);
  assert.deepEqual(guild.prefixes, ["!!", "?"]);
  assert.deepEqual(guild.settings, {
    edit_permission: true,
    bot_nickname: "Gears",
    prefixes: ["!!", "?"],
    admin_roles: [{ id: 501, name: "Admin" }],
    mod_roles: [{ id: 502, name: "Mod" }],
    whitelist: [],
    blacklist: [],
    ignored: true,
    disabled_commands: ["ping"],
    embeds: false,
    use_bot_color: true,
    fuzzy: true,
    delete_delay: 5,
    locale: "fr-FR",
    regional_format: "de-DE",
  });
  await first.bot.stop();
  const second = await startDashboard(t, { dir: first.dir });
  const again = (await second.call("DASHBOARDRPC__GET_GUILD", [100, "g1", false])).settings;
  for (const field of NO_EFFECT_FIELDS.guild) {
    if (field in GUILD_FORM) assert.deepEqual(again[field], GUILD_FORM[field as keyof typeof GUILD_FORM], `${field} survives a restart`);
  }
  // Resetting: no prefixes of its own means the global ones again.
  assert.equal((await second.call("DASHBOARDRPC__SET_GUILD_SETTINGS", [100, "g1", { ...GUILD_FORM, prefixes: [] }])).status, 0);
  assert.deepEqual((await second.call("DASHBOARDRPC__GET_GUILD", [100, "g1", false])).prefixes, ["!"]);
});

test("SET_GUILD_SETTINGS: a refused nickname is change_nickname_error; the rest is saved", async (t) => {
  const inner = fakeAdapter();
  const adapter = { ...inner, setNickname: async () => Promise.reject(new Error("Missing Permissions")) };
  const { call } = await startDashboard(t, { adapter });
  assert.deepEqual(await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [100, "g1", GUILD_FORM]), { status: 0, change_nickname_error: "Missing Permissions" });
  assert.equal((await call("DASHBOARDRPC__GET_GUILD", [100, "g1", false])).settings.fuzzy, true);
  // An unchanged nickname is not sent again.
  const same = await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [100, "g1", { bot_nickname: "Cogs" }]);
  assert.deepEqual(same, { status: 0, change_nickname_error: false });
});

test("SET_GUILD_SETTINGS: only the guild's owner or admins (or a bot owner); a bad field refuses the whole form", async (t) => {
  const { call, adapter } = await startDashboard(t);
  const refused = { status: 1, error: "only a bot owner, or the guild's owner or an admin, may change its settings" };
  assert.deepEqual(await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [400, "g1", GUILD_FORM]), refused);
  assert.deepEqual(await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [200, "g2", { fuzzy: true }]), { status: 0, change_nickname_error: false }, "bob owns g2");
  assert.deepEqual(await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [100, "g1", { ...GUILD_FORM, delete_delay: 99 }]), {
    status: 1,
    error: "delete_delay must be a whole number from -1 to 60",
  });
  const bad = await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [100, "g1", { ...GUILD_FORM, prefixes: ["a b"] }]);
  assert.equal(bad.status, 1);
  assert.match(bad.error, /prefix/i);
  assert.deepEqual((adapter as FakeAdapter).actions, [], "nothing was changed by a refused form");
  assert.equal((await call("DASHBOARDRPC__GET_GUILD", [100, "g1", false])).settings.fuzzy, false);
  assert.deepEqual(await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [100, "g1", { fuzzy: true, shiny: 1 }]), {
    status: 0,
    change_nickname_error: false,
    unknown_fields: ["shiny"],
  });
  assert.deepEqual(await call("DASHBOARDRPC__SET_GUILD_SETTINGS", [100, "g9", {}]), { status: 1, error: "guild not found" });
});

test("SET_BOT_PROFILE: avatar keep/default/base64, name and description as the owner commands; owners only", async (t) => {
  const { bot, call, adapter } = await startDashboard(t);
  const actions = (adapter as FakeAdapter).actions;
  assert.deepEqual(await call("DASHBOARDRPC__SET_BOT_PROFILE", [200, { avatar: "keep", name: "Evil", profile_description: null }]), { status: 1, error: "only a bot owner may do this" });
  assert.deepEqual(actions, []);
  assert.deepEqual(await call("DASHBOARDRPC__SET_BOT_PROFILE", [100, { avatar: "keep", name: "Gearbox", profile_description: "Turns things." }]), { status: 0 });
  assert.deepEqual(actions, [{ kind: "setName", name: "Gearbox" }]);
  assert.equal(bot.name, "Gearbox");
  assert.equal(bot.description, "Turns things.");
  assert.equal((await call("DASHBOARDRPC__GET_VARIABLES", [true, ["h", 1]])).bot.profile_description, "Turns things.");
  assert.deepEqual(await call("DASHBOARDRPC__SET_BOT_PROFILE", [100, { avatar: Buffer.from("PNGDATA").toString("base64"), name: null, profile_description: null }]), { status: 0 });
  assert.deepEqual(await call("DASHBOARDRPC__SET_BOT_PROFILE", [100, { avatar: "default", name: null, profile_description: null }]), { status: 0 });
  assert.deepEqual(actions.slice(1), [{ kind: "setAvatar", bytes: 7 }, { kind: "setAvatar", bytes: null }]);
  assert.equal((await call("DASHBOARDRPC__SET_BOT_PROFILE", [100, { avatar: "not base64!" }])).status, 1);
  const short = await call("DASHBOARDRPC__SET_BOT_PROFILE", [100, { avatar: "keep", name: "x", profile_description: null }]);
  assert.equal(short.status, 1);
  assert.match(short.error, /2 to 32 characters/);
  // The older web app's keys.
  assert.deepEqual(await call("DASHBOARDRPC__SET_BOT_PROFILE", [100, { avatar: "keep", username: "Cogwheel", description: null }]), { status: 0 });
  assert.equal(bot.name, "Cogwheel");
});

test("GET/SET_DASHBOARD_SETTINGS: stored, {name} filled in GET_DATA's meta; owners only; checked", async (t) => {
  const { call } = await startDashboard(t);
  assert.deepEqual(await call("DASHBOARDRPC__GET_DASHBOARD_SETTINGS", [200]), { status: 1, error: "only a bot owner may do this" });
  assert.deepEqual(await call("DASHBOARDRPC__GET_DASHBOARD_SETTINGS", [100]), {
    status: 0,
    title: null,
    icon: null,
    website_description: null,
    description: null,
    support_server: null,
    default_color: "success",
    default_background_theme: "white",
    default_sidenav_theme: "white",
    disabled_third_parties: [],
  });
  const form = {
    title: "{name} HQ",
    icon: "https://example.com/icon.png",
    website_description: "Control {name}.",
    description: "Hello from {name}!",
    support_server: "https://discord.gg/example",
    default_color: "danger",
    default_background_theme: "dark",
    default_sidenav_theme: "dark",
    disabled_third_parties: ["Something"],
  };
  assert.deepEqual(await call("DASHBOARDRPC__SET_DASHBOARD_SETTINGS", [200, form]), { status: 1, error: "only a bot owner may do this" });
  assert.deepEqual(await call("DASHBOARDRPC__SET_DASHBOARD_SETTINGS", [100, form]), { status: 0 });
  assert.deepEqual(await call("DASHBOARDRPC__GET_DASHBOARD_SETTINGS", [100]), { status: 0, ...form });
  const data = await call("DASHBOARDRPC__GET_DATA");
  assert.deepEqual(data.ui.meta, {
    title: "Cogwheel HQ",
    icon: "https://example.com/icon.png",
    website_description: "Control Cogwheel.",
    description: "Hello from Cogwheel!",
    support_server: "https://discord.gg/example",
    default_color: "danger",
    default_background_theme: "dark",
    default_sidenav_theme: "dark",
  });
  assert.deepEqual(data.disabled_third_parties, ["Something"]);
  assert.deepEqual(await call("DASHBOARDRPC__SET_DASHBOARD_SETTINGS", [100, { ...form, default_color: "pink" }]), {
    status: 1,
    error: "default_color must be one of success, danger, primary, info, warning, dark",
  });
  // Blank texts (the web app sends None for an emptied field) go back to the defaults.
  assert.deepEqual(await call("DASHBOARDRPC__SET_DASHBOARD_SETTINGS", [100, { ...form, title: null }]), { status: 0 });
  assert.equal((await call("DASHBOARDRPC__GET_DATA")).ui.meta.title, "Cogwheel Dashboard");
});

test("GET/SET_BOT_SETTINGS: prefixes and description are the bot's, every other field stored and returned; owners only", async (t) => {
  const first = await startDashboard(t);
  assert.deepEqual(await first.call("DASHBOARDRPC__GET_BOT_SETTINGS", [300]), { status: 1, error: "only a bot owner may do this" });
  assert.deepEqual(await first.call("DASHBOARDRPC__GET_BOT_SETTINGS", [100]), {
    status: 0,
    prefixes: ["!"],
    description: "",
    invoke_error_msg: null,
    whitelist: [],
    blacklist: [],
    disabled_commands: [],
    disabled_command_msg: null,
    custom_info: null,
    embeds: true,
    color: "#E74C3C",
    fuzzy: false,
    use_buttons: false,
    invite_public: false,
    invite_commands_scope: false,
    invite_perms: 0,
    locale: "en-US",
    regional_format: null,
  });
  assert.deepEqual(await first.call("DASHBOARDRPC__SET_BOT_SETTINGS", [300, BOT_FORM]), { status: 1, error: "only a bot owner may do this" });
  assert.deepEqual(await first.call("DASHBOARDRPC__SET_BOT_SETTINGS", [100, BOT_FORM]), { status: 0 });
  assert.deepEqual([...first.bot.prefixes].sort(), ["!", "$"]);
  assert.equal(first.bot.description, "A helpful bot.");
  const expected = { status: 0, ...BOT_FORM, color: "#00FF00" };
  const got = await first.call("DASHBOARDRPC__GET_BOT_SETTINGS", [100]);
  assert.deepEqual({ ...got, prefixes: [...got.prefixes].sort() }, expected);
  const variables = await first.call("DASHBOARDRPC__GET_VARIABLES", [true, ["h", 1]]);
  assert.equal(variables.bot.info, "Info **here**");
  assert.equal(variables.bot.invite_public, true);
  assert.deepEqual(variables.bot.blacklisted_users, [BigInt("1234567890123456789")]);
  await first.bot.stop();
  const second = await startDashboard(t, { dir: first.dir });
  const after = await second.call("DASHBOARDRPC__GET_BOT_SETTINGS", [100]);
  for (const field of NO_EFFECT_FIELDS.bot) assert.deepEqual(after[field], expected[field], `${field} survives a restart`);
  // Refusals change nothing: a bad colour, prefixes the bot refuses.
  assert.deepEqual(await second.call("DASHBOARDRPC__SET_BOT_SETTINGS", [100, { ...BOT_FORM, color: "green", fuzzy: false }]), {
    status: 1,
    error: "color must be a colour such as #E74C3C",
  });
  const bad = await second.call("DASHBOARDRPC__SET_BOT_SETTINGS", [100, { ...BOT_FORM, prefixes: [], fuzzy: false }]);
  assert.equal(bad.status, 1);
  assert.equal((await second.call("DASHBOARDRPC__GET_BOT_SETTINGS", [100])).fuzzy, true);
  assert.deepEqual(await second.call("DASHBOARDRPC__SET_BOT_SETTINGS", [100, { color: null, extra: true }]), { status: 0, unknown_fields: ["extra"] });
  assert.equal((await second.call("DASHBOARDRPC__GET_BOT_SETTINGS", [100])).color, "#E74C3C");
});

test("SET_CUSTOM_PAGES: checked, stored, shown in GET_DATA; owners only", async (t) => {
  const { call } = await startDashboard(t);
  const pages = [
    { title: "About Us", content: "We make **cogs**.", url: "about-us" },
    { title: "Rules", content: "Be nice." },
  ];
  assert.deepEqual(await call("DASHBOARDRPC__SET_CUSTOM_PAGES", [200, pages]), { status: 1, error: "only a bot owner may do this" });
  assert.deepEqual(await call("DASHBOARDRPC__SET_CUSTOM_PAGES", [100, pages]), { status: 0 });
  assert.deepEqual((await call("DASHBOARDRPC__GET_DATA")).custom_pages, [pages[0], { title: "Rules", url: "rules", content: "Be nice." }]);
  assert.deepEqual(await call("DASHBOARDRPC__SET_CUSTOM_PAGES", [100, [{ title: "x".repeat(21), content: "" }]]), { status: 1, error: "page 1: title must be 1 to 20 characters" });
  assert.deepEqual(await call("DASHBOARDRPC__SET_CUSTOM_PAGES", [100, [pages[0], pages[0]]]), { status: 1, error: 'page 2: url "about-us" is used twice' });
  assert.deepEqual(await call("DASHBOARDRPC__SET_CUSTOM_PAGES", [100, [{ title: "A", content: "", url: "a/b" }]]), { status: 1, error: "page 1: url must be one path segment (no /, ?, # or spaces)" });
  assert.equal((await call("DASHBOARDRPC__GET_DATA")).custom_pages.length, 2, "a refused list changes nothing");
  assert.deepEqual(await call("DASHBOARDRPC__SET_CUSTOM_PAGES", [100, []]), { status: 0 });
  assert.deepEqual((await call("DASHBOARDRPC__GET_DATA")).custom_pages, []);
});
