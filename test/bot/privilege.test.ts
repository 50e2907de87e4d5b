// Command privilege levels on a real bot: the matrix of who may run what (bot owner, guild
// owner, Administrator bit, admin role, mod role, plain member, direct messages), the member
// attached to the message or looked up, the refusal lines, and how definitions declare levels.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import type { MemberInfo } from "../../src/adapters/types.ts";
import type { Bot } from "../../src/bot/bot.ts";
import type { CommandDefinition } from "../../src/bot/commands.ts";
import type { PrivilegeLevel } from "../../src/bot/view.ts";
import { fakeAdapter, MEMBERS, OTHER_GUILD, ROLES, say, startBot } from "../support/bot.ts";

/** One command per level, each answering "ran <name>". */
const LEVELS: ReadonlyArray<{ name: string; definition: Partial<CommandDefinition> }> = [
  { name: "lvl-none", definition: {} },
  { name: "lvl-mod", definition: { privilege: "mod" } },
  { name: "lvl-admin", definition: { privilege: "admin" } },
  { name: "lvl-guildowner", definition: { privilege: "guildOwner" } },
  { name: "lvl-owner", definition: { privilege: "owner" } },
  { name: "lvl-owneronly", definition: { ownerOnly: true } },
];

const REFUSALS: Record<string, string> = {
  "lvl-mod": "Only server mods and admins can use !lvl-mod.",
  "lvl-admin": "Only server admins can use !lvl-admin.",
  "lvl-guildowner": "Only the server's owner can use !lvl-guildowner.",
  "lvl-owner": "Only the bot's owner can use !lvl-owner.",
  "lvl-owneronly": "Only the bot's owner can use !lvl-owneronly.",
};

async function levelsBot(t: TestContext, adapter = fakeAdapter()): Promise<Bot> {
  const { bot } = await startBot(t, { adapter });
  const scope = bot.createScope("levels");
  t.after(() => scope.dispose());
  const cog = { name: "Levels" };
  await scope.addCog(cog);
  for (const { name, definition } of LEVELS) {
    scope.registerCommand(cog, { name, help: `Level ${name}.`, run: () => `ran ${name}`, ...definition });
  }
  return bot;
}

/** Runs every level's command as `who`; returns each reply. */
async function runAll(bot: Bot, options: Parameters<typeof say>[2]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { name } of LEVELS) out[name] = (await say(bot, `!${name}`, options)).join(" | ");
  return out;
}

/** What runAll answers for someone whose highest level is `level`, in a guild. */
function expected(level: PrivilegeLevel): Record<string, string> {
  const order = ["lvl-none", "lvl-mod", "lvl-admin", "lvl-guildowner", "lvl-owner"];
  const rank = { none: 0, mod: 1, admin: 2, guildOwner: 3, owner: 4 }[level];
  const out: Record<string, string> = {};
  for (const { name } of LEVELS) {
    const needed = name === "lvl-owneronly" ? 4 : order.indexOf(name);
    out[name] = needed <= rank ? `ran ${name}` : REFUSALS[name]!;
  }
  return out;
}

test("the privilege matrix: owner, guild owner, Administrator bit, admin role, mod role, plain member", async (t) => {
  const bot = await levelsBot(t);
  // Dave's "Regular" role (no Administrator bit) is made an admin role; carol's "Mod" a mod role.
  await bot.view.guildSettings.set("g1", { adminRoles: [ROLES.regular], modRoles: [ROLES.mod] });

  assert.deepEqual(await runAll(bot, { author: "100" }), expected("owner"), "alice, a bot owner");
  assert.deepEqual(await runAll(bot, { author: "200", guildId: OTHER_GUILD.id }), expected("guildOwner"), "bob owns g2");
  assert.deepEqual(await runAll(bot, { author: "200" }), expected("admin"), "bob has Administrator in g1");
  assert.deepEqual(await runAll(bot, { author: "400" }), expected("admin"), "dave has an admin role in g1");
  assert.deepEqual(await runAll(bot, { author: "300" }), expected("mod"), "carol has a mod role in g1");
  // The member attached to the message wins over a look-up: dave without his roles is nobody.
  const plain: MemberInfo = { ...MEMBERS.g1!["400"]!, roleIds: [] };
  assert.deepEqual(await runAll(bot, { author: "400", member: plain }), expected("none"), "a plain member");
  // Someone the adapter does not know in the guild has no level.
  assert.deepEqual(await runAll(bot, { author: "300", guildId: OTHER_GUILD.id }), expected("none"), "not a member of g2");
});

test("roles count only in their own guild, and only while listed", async (t) => {
  const bot = await levelsBot(t);
  assert.deepEqual(await runAll(bot, { author: "300" }), expected("none"), "carol before her role is a mod role");
  await bot.view.guildSettings.set("g2", { modRoles: [ROLES.mod] });
  assert.deepEqual(await runAll(bot, { author: "300" }), expected("none"), "a mod role of g2 does nothing in g1");
  await bot.view.guildSettings.set("g1", { modRoles: [ROLES.mod] });
  assert.deepEqual(await runAll(bot, { author: "300" }), expected("mod"));
  await bot.view.guildSettings.set("g1", { modRoles: [] });
  assert.deepEqual(await runAll(bot, { author: "300" }), expected("none"), "after the role is taken off the list");
});

test("in direct messages only everyone's and the bot owners' commands run; guild levels refuse for all", async (t) => {
  const bot = await levelsBot(t);
  const serverOnly = (name: string) => `!${name} only works in a server.`;
  assert.deepEqual(await runAll(bot, { author: "100", guildId: null }), {
    "lvl-none": "ran lvl-none",
    "lvl-mod": serverOnly("lvl-mod"),
    "lvl-admin": serverOnly("lvl-admin"),
    "lvl-guildowner": serverOnly("lvl-guildowner"),
    "lvl-owner": "ran lvl-owner",
    "lvl-owneronly": "ran lvl-owneronly",
  });
  assert.deepEqual(await runAll(bot, { author: "200", guildId: null }), {
    "lvl-none": "ran lvl-none",
    "lvl-mod": serverOnly("lvl-mod"),
    "lvl-admin": serverOnly("lvl-admin"),
    "lvl-guildowner": serverOnly("lvl-guildowner"),
    "lvl-owner": REFUSALS["lvl-owner"]!,
    "lvl-owneronly": REFUSALS["lvl-owneronly"]!,
  });
});

test("a failing member look-up counts as no privilege, is logged, and answers the refusal", async (t) => {
  const adapter = fakeAdapter();
  adapter.member = async () => {
    throw new Error("Discord is down");
  };
  const { bot, logger } = await startBot(t, { adapter });
  const scope = bot.createScope("levels");
  t.after(() => scope.dispose());
  const cog = { name: "Levels" };
  await scope.addCog(cog);
  scope.registerCommand(cog, { name: "lvl-admin", help: "x", privilege: "admin", run: () => "ran" });
  assert.deepEqual(await say(bot, "!lvl-admin", { author: "200" }), ["Only server admins can use !lvl-admin."]);
  assert.ok(logger.entries.some((r) => r.level === "warn" && r.msg === "could not look up a member for a permission check; treated as no privilege"));
  // With the member on the message, no look-up is needed.
  assert.deepEqual(await say(bot, "!lvl-admin", { author: "200", member: MEMBERS.g1!["200"]! }), ["ran"]);
});

test("privilegeOf gives each member's level; bot owners are owner everywhere", async (t) => {
  const bot = await levelsBot(t);
  await bot.view.guildSettings.set("g1", { adminRoles: [ROLES.regular], modRoles: [ROLES.mod] });
  const of = (guild: string, user: string) => bot.view.privilegeOf(MEMBERS[guild]![user]!);
  assert.equal(await of("g1", "100"), "owner");
  assert.equal(await of("g2", "100"), "owner");
  assert.equal(await of("g2", "200"), "guildOwner");
  assert.equal(await of("g1", "200"), "admin");
  assert.equal(await of("g1", "400"), "admin");
  assert.equal(await of("g1", "300"), "mod");
  assert.equal(await bot.view.privilegeOf({ ...MEMBERS.g1!["300"]!, roleIds: [] }), "none");
  // Administrator is bit 0x8 of exact 64-bit permissions; bits past 2^53 do not confuse it.
  assert.equal(await bot.view.privilegeOf({ ...MEMBERS.g1!["300"]!, roleIds: [], permissions: String((1n << 60n) | 0x8n) }), "admin");
  assert.equal(await bot.view.privilegeOf({ ...MEMBERS.g1!["300"]!, roleIds: [], permissions: String((1n << 60n) | 0x7n) }), "none");
  await assert.rejects(bot.view.privilegeOf({ guildId: "g1" } as MemberInfo), { code: "ERR_OPTION_INVALID" });
});

test("a command declares its level with privilege or ownerOnly; contradictions and unknown levels are refused", async (t) => {
  const { bot } = await startBot(t);
  const scope = bot.createScope("decl");
  t.after(() => scope.dispose());
  const cog = { name: "Decl" };
  await scope.addCog(cog);
  const run = () => "ok";
  const bad: Array<Partial<CommandDefinition>> = [
    { ownerOnly: true, privilege: "admin" },
    { ownerOnly: false, privilege: "owner" },
    { privilege: "superuser" as PrivilegeLevel },
  ];
  for (const definition of bad) {
    assert.throws(() => scope.registerCommand(cog, { name: "decl-bad", help: "x", run, ...definition }), { code: "ERR_COMMAND_INVALID" }, JSON.stringify(definition));
  }
  scope.registerCommand(cog, { name: "decl-both", help: "Both.", run, ownerOnly: true, privilege: "owner" });
  scope.registerCommand(cog, { name: "decl-old", aliases: ["DECL-OLDER"], help: "Old.", run, ownerOnly: true });
  scope.registerCommand(cog, { name: "decl-mod", help: "Mod.", usage: "<who>", run, privilege: "mod" });
  const mine = bot.view.commands().filter((c) => c.cogName === "Decl");
  assert.deepEqual(mine, [
    { name: "decl-both", aliases: [], help: "Both.", usage: "", privilege: "owner", cogName: "Decl" },
    { name: "decl-mod", aliases: [], help: "Mod.", usage: "<who>", privilege: "mod", cogName: "Decl" },
    { name: "decl-old", aliases: ["decl-older"], help: "Old.", usage: "", privilege: "owner", cogName: "Decl" },
  ]);
  // ownerOnly is still readable on the registered command, and help names the level.
  assert.equal(bot.commands.get("decl-old")?.ownerOnly, true);
  assert.equal(bot.commands.get("decl-mod")?.ownerOnly, false);
  assert.deepEqual(await say(bot, "!help decl-mod"), ["!decl-mod <who>\nMod. (server mods and admins only)"]);
  assert.deepEqual(await say(bot, "!help decl-old"), ["!decl-old\nOld. (owner only)"]);
});
