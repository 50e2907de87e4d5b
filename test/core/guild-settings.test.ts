// Core's guild commands on a real bot with real config files: set serverprefix, set
// add/remove admin and mod roles, set showsettings, set description; exact replies, who may run
// them, DMs, and what survives a restart.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dataDir, fakeAdapter, OTHER_GUILD, ROLES, say, startBot } from "../support/bot.ts";

test("set serverprefix: a guild's own prefixes replace the global ones there only, and survive a restart", async (t) => {
  const dir = dataDir();
  const { bot } = await startBot(t, { dir });
  assert.deepEqual(await say(bot, "!set serverprefix ? ??"), ["Server prefixes set to ?? ?. Only these work in this server now."]);
  assert.deepEqual(await say(bot, "?ping"), ["Pong."]);
  assert.deepEqual(await say(bot, "??ping"), ["Pong."]);
  assert.deepEqual(await say(bot, "!ping"), [], "the global prefix no longer works in g1");
  assert.deepEqual(await say(bot, "!ping", { guildId: OTHER_GUILD.id }), ["Pong."], "g2 keeps the global ones");
  assert.deepEqual(await say(bot, "?ping", { guildId: OTHER_GUILD.id }), []);
  assert.deepEqual(await say(bot, "!ping", { guildId: null }), ["Pong."], "DMs keep the global ones");
  assert.deepEqual(await say(bot, "?ping", { guildId: null }), []);
  // The prefix a command was typed with is the one its replies use.
  assert.deepEqual(await say(bot, "?set serverprefix a b"), ["Server prefixes set to a b. Only these work in this server now."]);
  assert.deepEqual(await say(bot, "aset serverprefix"), ["Server prefixes reset: the global ones work here again (!)."]);
  assert.deepEqual(await say(bot, "!set serverprefix $"), ["Server prefixes set to $. Only these work in this server now."]);
  await bot.stop();

  const { bot: again } = await startBot(t, { dir });
  assert.deepEqual(await say(again, "$ping"), ["Pong."]);
  assert.deepEqual(await say(again, "!ping"), []);
  // Changing the global prefixes does not touch a guild's own.
  await again.setPrefixes(["%"]);
  assert.deepEqual(await say(again, "$ping"), ["Pong."]);
  assert.deepEqual(await say(again, "%ping", { guildId: OTHER_GUILD.id }), ["Pong."]);
  assert.deepEqual(await say(again, "$set serverprefix"), ["Server prefixes reset: the global ones work here again (%)."]);
  assert.deepEqual(await say(again, "%ping"), ["Pong."]);
});

test("set serverprefix: admins only, checked as set prefix, not in DMs", async (t) => {
  const { bot } = await startBot(t);
  assert.deepEqual(await say(bot, "!set serverprefix ?", { author: "300" }), ["Only server admins can use !set serverprefix."]);
  assert.deepEqual(await say(bot, "!set serverprefix ?", { author: "200" }), ["Server prefixes set to ?. Only these work in this server now."], "bob has Administrator");
  assert.deepEqual(await say(bot, '?set serverprefix "a b"'), ["Those prefixes won't do: prefixes must be a non-empty list of strings without spaces."]);
  assert.deepEqual(await say(bot, "!set serverprefix ?", { guildId: null }), ["!set serverprefix only works in a server."]);
});

test("admin and mod roles: added by id, mention or name, removed, listed; only the guild's owner; remembered", async (t) => {
  const dir = dataDir();
  const { bot } = await startBot(t, { dir });
  assert.deepEqual(await say(bot, `!set addadminrole ${ROLES.regular}`), ["Regular is now an admin role."]);
  assert.deepEqual(await say(bot, `!set addadminrole <@&${ROLES.regular}>`), ["Regular is already an admin role."]);
  assert.deepEqual(await say(bot, "!set addmodrole mod"), ["Mod is now a mod role."]);
  // Dave (Regular) is an admin now: he may set the server's prefixes, but not its roles.
  assert.deepEqual(await say(bot, "!set serverprefix ?", { author: "400" }), ["Server prefixes set to ?. Only these work in this server now."]);
  assert.deepEqual(await say(bot, `?set addmodrole ${ROLES.regular}`, { author: "400" }), ["Only the server's owner can use ?set addmodrole."]);
  assert.deepEqual(await say(bot, "?set showsettings", { author: "400" }), [
    "Settings of Cog Lovers:\nPrefixes: ? (this server's own)\nAdmin roles: Regular\nMod roles: Mod",
  ]);
  await bot.stop();

  const { bot: again } = await startBot(t, { dir });
  assert.deepEqual(await again.view.guildSettings.get("g1"), { prefixes: ["?"], adminRoles: [ROLES.regular], modRoles: [ROLES.mod] });
  assert.deepEqual(await say(again, `?set removeadminrole <@&${ROLES.regular}>`), ["Regular is no longer an admin role."]);
  assert.deepEqual(await say(again, `?set removeadminrole ${ROLES.regular}`), ["Regular was not an admin role."]);
  assert.deepEqual(await say(again, "?set removemodrole Mod"), ["Mod is no longer a mod role."]);
  assert.deepEqual(await say(again, "?set removemodrole Mod"), ["Mod was not a mod role."]);
  assert.deepEqual(await say(again, "?set serverprefix", { author: "400" }), ["Only server admins can use ?set serverprefix."], "dave is no admin any more");
  assert.deepEqual(await say(again, "?set showsettings", { author: "400" }), [
    "Settings of Cog Lovers:\nPrefixes: ? (this server's own)\nAdmin roles: none\nMod roles: none",
  ]);
});

test("roles the guild does not have are refused; unknown guilds take ids; a deleted role can still be removed", async (t) => {
  const adapter = fakeAdapter();
  const { bot } = await startBot(t, { adapter });
  assert.deepEqual(await say(bot, "!set addadminrole 777"), ["There is no role 777 in this server."]);
  assert.deepEqual(await say(bot, "!set addadminrole <@&777>"), ["There is no role 777 in this server."]);
  assert.deepEqual(await say(bot, "!set addmodrole Moderators"), ['No role "Moderators" here: give the role\'s id, a mention (<@&id>) or its exact name.']);
  assert.deepEqual(await say(bot, "!set addmodrole"), ["Usage: !set addmodrole <role>"]);
  // @everyone (its id is the guild's) would count for nobody: MemberInfo.roleIds leaves it out.
  assert.deepEqual(await say(bot, "!set addadminrole 1234", { guildId: "1234" }), ["@everyone cannot be an admin role: it would count for nobody."]);
  // A role set earlier (say, through a dashboard) and deleted since can be taken off the list.
  await bot.view.guildSettings.set("g1", { modRoles: ["777"] });
  assert.deepEqual(await say(bot, "!set removemodrole 777"), ["Role 777 is no longer a mod role."]);
  assert.deepEqual(await say(bot, "!set removemodrole 777"), ["There is no role 777 in this server."]);
  // Where the adapter does not know the guild, ids and mentions are taken as given (names cannot be).
  assert.deepEqual(await say(bot, "!set addadminrole 888", { guildId: "g9", author: "100" }), ["Role 888 is now an admin role."]);
  assert.deepEqual(await say(bot, "!set addadminrole Admin", { guildId: "g9" }), ['No role "Admin" here: give the role\'s id, a mention (<@&id>) or its exact name.']);
  assert.deepEqual(await say(bot, "!set showsettings", { guildId: "g9" }), ["Settings of g9:\nPrefixes: ! (the global ones)\nAdmin roles: role 888\nMod roles: none"]);
});

test("role commands: the guild's owner, not an admin; refuse in DMs; showsettings is for everyone but only in a server", async (t) => {
  const { bot } = await startBot(t);
  for (const name of ["addadminrole", "removeadminrole", "addmodrole", "removemodrole"]) {
    assert.deepEqual(await say(bot, `!set ${name} ${ROLES.mod}`, { author: "200" }), [`Only the server's owner can use !set ${name}.`], `bob (Administrator) in g1: ${name}`);
    assert.deepEqual(await say(bot, `!set ${name} ${ROLES.mod}`, { guildId: null }), [`!set ${name} only works in a server.`]);
  }
  // Bob owns g2 (no roles there but @everyone, whose id is not a snowflake).
  assert.deepEqual(await say(bot, "!set addmodrole 123", { author: "200", guildId: OTHER_GUILD.id }), ["There is no role 123 in this server."]);
  assert.deepEqual(await say(bot, "!set showsettings", { author: "400" }), [
    "Settings of Cog Lovers:\nPrefixes: ! (the global ones)\nAdmin roles: none\nMod roles: none",
  ]);
  assert.deepEqual(await say(bot, "!set showsettings", { guildId: null }), ["!set showsettings only works in a server."]);
});

test("set description: owner only, shown atop help, removed when empty, too long refused, remembered", async (t) => {
  const dir = dataDir();
  const { bot } = await startBot(t, { dir });
  assert.deepEqual(await say(bot, "!set description Gears   and \"cogs\"."), ["Description set."]);
  assert.equal(bot.view.description, 'Gears   and "cogs".');
  assert.match((await say(bot, "!help", { author: "300" }))[0]!, /^Gears {3}and "cogs"\.\nCore:\n/);
  assert.deepEqual(await say(bot, "!set description nope", { author: "200" }), ["Only the bot's owner can use !set description."]);
  assert.deepEqual(await say(bot, `!set description ${"x".repeat(251)}`), ["That description is too long: at most 250 characters, not 251."]);
  await bot.stop();
  const { bot: again } = await startBot(t, { dir });
  assert.equal(again.view.description, 'Gears   and "cogs".');
  assert.deepEqual(await say(again, "!set description", { guildId: null }), ["Description removed."]);
  assert.match((await say(again, "!help"))[0]!, /^Core:\n/);
});

test("concurrent role changes are all kept, in memory and on disk", async (t) => {
  const dir = dataDir();
  const { bot } = await startBot(t, { dir });
  const ids = Array.from({ length: 30 }, (_, i) => String(1000 + i));
  // g9 is unknown to the adapter: ids are taken as given.
  const replies = await Promise.all(ids.map((id) => say(bot, `!set addadminrole ${id}`, { guildId: "g9" })));
  assert.deepEqual(replies, ids.map((id) => [`Role ${id} is now an admin role.`]));
  await Promise.all([
    ...ids.slice(0, 10).map((id) => say(bot, `!set removeadminrole ${id}`, { guildId: "g9" })),
    bot.view.guildSettings.set("g9", { prefixes: ["&"] }),
  ]);
  const expected = { prefixes: ["&"], adminRoles: ids.slice(10), modRoles: [] };
  assert.deepEqual(await bot.view.guildSettings.get("g9"), expected);
  await bot.stop();
  const { bot: again } = await startBot(t, { dir });
  assert.deepEqual(await again.view.guildSettings.get("g9"), expected);
  assert.deepEqual(await say(again, "&ping", { guildId: "g9" }), ["Pong."]);
});
