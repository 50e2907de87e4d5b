// What a package sees of the bot (BotView), member by member, on a real bot with real config
// files: description, startedAt, rpcAuth, the guild settings and bot settings views (checked
// as the owner commands, errors with stable codes), ownerIds, commands().
import assert from "node:assert/strict";
import { test } from "node:test";
import { createBot } from "../../src/app/create-bot.ts";
import { COGS, dataDir, fakeAdapter, OTHER_GUILD, ROLES, say, startBot } from "../support/bot.ts";
import { recordingLogger } from "../support/rpc.ts";

test("description: empty by default, set through settings, checked, remembered across a restart", async (t) => {
  const dir = dataDir();
  const { bot } = await startBot(t, { dir });
  assert.equal(bot.view.description, "");
  await bot.view.settings.setDescription("  A bot made of cogs.  ");
  assert.equal(bot.view.description, "A bot made of cogs.");
  await assert.rejects(bot.view.settings.setDescription("x".repeat(251)), { code: "ERR_DESCRIPTION_INVALID" });
  await assert.rejects(bot.view.settings.setDescription(42 as unknown as string), { code: "ERR_DESCRIPTION_INVALID" });
  await bot.view.settings.setDescription("y".repeat(250));
  await bot.view.settings.setDescription("A bot made of cogs.");
  await bot.stop();
  const { bot: again } = await startBot(t, { dir });
  assert.equal(again.view.description, "A bot made of cogs.");
});

test("startedAt is when the bot was made, as a copy", async (t) => {
  const before = Date.now();
  const { bot } = await startBot(t);
  const started = bot.view.startedAt;
  assert.ok(started instanceof Date);
  assert.ok(started.getTime() >= before && started.getTime() <= Date.now());
  started.setTime(0);
  assert.ok(bot.view.startedAt.getTime() >= before, "changing the copy does not move the bot's start");
});

test("rpcAuth: null without the RPC server, none or token with it", async (t) => {
  const { bot: quiet } = await startBot(t);
  assert.equal(quiet.view.rpcAuth, null);
  const { bot: open } = await startBot(t, { rpc: true });
  assert.equal(open.view.rpcAuth, "none");
  const guarded = await createBot({
    dataDir: dataDir(),
    adapter: fakeAdapter(),
    logger: recordingLogger(),
    bundledCogPath: COGS,
    rpc: { port: 0, authToken: "t".repeat(40) },
  });
  t.after(() => guarded.stop());
  await guarded.start({ listenRpc: true });
  assert.equal(guarded.view.rpcAuth, "token");
});

test("guildSettings: get, set and prefixesFor, remembered across a restart in Core's config", async (t) => {
  const dir = dataDir();
  const { bot } = await startBot(t, { dir });
  const none = { prefixes: [], adminRoles: [], modRoles: [] };
  assert.deepEqual(await bot.view.guildSettings.get("g1"), none);
  assert.deepEqual(await bot.view.guildSettings.prefixesFor("g1"), ["!"]);
  assert.deepEqual(await bot.view.guildSettings.prefixesFor(null), ["!"]);
  const after = await bot.view.guildSettings.set("g1", { prefixes: ["?", "??", "?"], adminRoles: [ROLES.admin, ROLES.admin] });
  // Prefixes as `set prefix` keeps them: unique, longest first; roles unique.
  assert.deepEqual(after, { prefixes: ["??", "?"], adminRoles: [ROLES.admin], modRoles: [] });
  assert.deepEqual(await bot.view.guildSettings.set("g1", { modRoles: [ROLES.mod] }), { prefixes: ["??", "?"], adminRoles: [ROLES.admin], modRoles: [ROLES.mod] });
  assert.deepEqual(await bot.view.guildSettings.prefixesFor("g1"), ["??", "?"]);
  assert.deepEqual(await bot.view.guildSettings.prefixesFor(OTHER_GUILD.id), ["!"], "another guild keeps the global ones");
  assert.deepEqual(await bot.view.guildSettings.prefixesFor(null), ["!"]);
  await bot.stop();

  const { bot: again } = await startBot(t, { dir });
  assert.deepEqual(await again.view.guildSettings.get("g1"), { prefixes: ["??", "?"], adminRoles: [ROLES.admin], modRoles: [ROLES.mod] });
  assert.deepEqual(await again.view.guildSettings.prefixesFor("g1"), ["??", "?"]);
  // An empty list goes back to the default: the global prefixes.
  assert.deepEqual(await again.view.guildSettings.set("g1", { prefixes: [] }), { prefixes: [], adminRoles: [ROLES.admin], modRoles: [ROLES.mod] });
  assert.deepEqual(await again.view.guildSettings.prefixesFor("g1"), ["!"]);
});

test("guildSettings.set checks the whole patch first, with stable codes, and changes nothing on a refusal", async (t) => {
  const { bot } = await startBot(t);
  const settings = bot.view.guildSettings;
  await settings.set("g1", { prefixes: ["?"], modRoles: [ROLES.mod] });
  const refusals: Array<[string, unknown, string]> = [
    ["g1", { prefixes: ["a b"] }, "ERR_PREFIXES_INVALID"],
    ["g1", { prefixes: [""] }, "ERR_PREFIXES_INVALID"],
    ["g1", { prefixes: "?" }, "ERR_PREFIXES_INVALID"],
    ["g1", { adminRoles: ["Admin"] }, "ERR_ROLE_INVALID"],
    ["g1", { adminRoles: [501] }, "ERR_ROLE_INVALID"],
    ["g1", { modRoles: ["1".repeat(21)] }, "ERR_ROLE_INVALID"],
    ["g1", { modRoles: ROLES.mod }, "ERR_GUILD_SETTINGS_INVALID"],
    ["g1", { colour: "red" }, "ERR_GUILD_SETTINGS_INVALID"],
    ["g1", null, "ERR_GUILD_SETTINGS_INVALID"],
    ["g1", [], "ERR_GUILD_SETTINGS_INVALID"],
    // One bad key refuses the good ones with it.
    ["g1", { prefixes: ["$"], adminRoles: ["nope"] }, "ERR_ROLE_INVALID"],
    ["", { prefixes: ["$"] }, "ERR_GUILD_SETTINGS_INVALID"],
    ["g 1", { prefixes: ["$"] }, "ERR_GUILD_SETTINGS_INVALID"],
  ];
  for (const [guildId, patch, code] of refusals) {
    await assert.rejects(settings.set(guildId, patch as never), { code }, JSON.stringify([guildId, patch]));
  }
  await assert.rejects(settings.get(42 as unknown as string), { code: "ERR_GUILD_SETTINGS_INVALID" });
  await assert.rejects(settings.prefixesFor("" as string), { code: "ERR_GUILD_SETTINGS_INVALID" });
  assert.deepEqual(await settings.get("g1"), { prefixes: ["?"], adminRoles: [], modRoles: [ROLES.mod] });
  // The refusals read well in chat and on the wire (-32602).
  const error = (await settings.set("g1", { adminRoles: ["Admin"] }).then(() => null, (e: unknown) => e)) as { rpc: number; user: boolean; message: string };
  assert.deepEqual([error.rpc, error.user, error.message], [-32602, true, '"Admin" is not a role id: role ids are Discord snowflakes (digits).']);
});

test("settings: setName and setPrefixes go through the owner commands' paths", async (t) => {
  const adapter = fakeAdapter();
  const { bot } = await startBot(t, { adapter });
  await bot.view.settings.setName("  Gearbox ");
  assert.equal(bot.view.name, "Gearbox");
  assert.deepEqual(adapter.actions, [{ kind: "setName", name: "Gearbox" }]);
  await assert.rejects(bot.view.settings.setName("x"), { code: "ERR_NAME_INVALID" });
  await bot.view.settings.setPrefixes(["?", "??"]);
  assert.deepEqual(bot.view.prefixes, ["??", "?"]);
  await assert.rejects(bot.view.settings.setPrefixes([]), { code: "ERR_PREFIXES_INVALID" });
  assert.deepEqual(await say(bot, "??ping", { guildId: null }), ["Pong."]);
});

test("ownerIds: --owner ids and the platform's; commands(): every command once, sorted, Core's owner ones as owner", async (t) => {
  const bot = await createBot({ dataDir: dataDir(), adapter: fakeAdapter(), logger: recordingLogger(), bundledCogPath: COGS, owners: ["700"] });
  t.after(() => bot.stop());
  await bot.start({ listenRpc: false });
  assert.deepEqual([...bot.view.ownerIds()].sort(), ["100", "700"]);
  const commands = bot.view.commands();
  const names = commands.map((c) => c.name);
  assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)));
  assert.equal(new Set(names).size, names.length);
  const byName = new Map(commands.map((c) => [c.name, c]));
  assert.deepEqual(byName.get("load"), {
    name: "load",
    aliases: [],
    help: "Loads packages; alone, shows which are loaded, failed and available.",
    usage: "[package]...",
    privilege: "owner",
    cogName: "Core",
  });
  assert.deepEqual(byName.get("ping"), { name: "ping", aliases: [], help: "Checks that the bot answers.", usage: "", privilege: "none", cogName: "Core" });
  const levels = Object.fromEntries(commands.filter((c) => c.cogName === "Core").map((c) => [c.name, c.privilege]));
  assert.deepEqual(levels, {
    addpath: "owner",
    help: "none",
    info: "none",
    invite: "none",
    load: "owner",
    paths: "owner",
    ping: "none",
    reload: "owner",
    "set addadminrole": "guildOwner",
    "set addmodrole": "guildOwner",
    "set description": "owner",
    "set name": "owner",
    "set prefix": "owner",
    "set removeadminrole": "guildOwner",
    "set removemodrole": "guildOwner",
    "set serverprefix": "admin",
    "set showsettings": "none",
    shutdown: "owner",
    unload: "owner",
  });
});

test("the view and its parts are frozen", async (t) => {
  const { bot } = await startBot(t);
  for (const part of [bot.view, bot.view.adapter, bot.view.guildSettings, bot.view.settings]) assert.ok(Object.isFrozen(part));
  assert.ok(Object.isFrozen(bot.view.commands()[0]));
});
