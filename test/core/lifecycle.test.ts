// Core commands and the package lifecycle on a real bot: help, info, invite, paths, reload,
// teardown and cog hooks, stop draining commands, setup time limit, JSON reload, refusals.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import type { Adapter } from "../../src/adapters/types.ts";
import type { Bot } from "../../src/bot/bot.ts";
import { createBot, type CreateBotOptions } from "../../src/app/create-bot.ts";
import { COGS, fakeAdapter, say } from "../support/bot.ts";
import { connect, recordingLogger } from "../support/rpc.ts";
import { tempDir as temp, writePackage as pkg } from "../support/temp.ts";

/** The `set` group's help: every `set` command of Core, sorted. */
const SET_HELP = [
  "!set addadminrole <role> - Makes a role an admin role in this server.",
  "!set addmodrole <role> - Makes a role a mod role in this server.",
  "!set description [description] - Sets the bot's description, shown atop help; alone, removes it.",
  "!set name <name> - Renames the bot.",
  "!set prefix <prefix>... - Sets the command prefixes.",
  "!set removeadminrole <role> - Makes a role no longer an admin role in this server.",
  "!set removemodrole <role> - Makes a role no longer a mod role in this server.",
  "!set serverprefix [prefix]... - Sets this server's own prefixes, used here instead of the global ones; alone, goes back to the global ones.",
  "!set showsettings - Shows this server's prefixes and admin and mod roles.",
].join("\n");

async function bot(t: TestContext, options: Partial<CreateBotOptions> & { rpc?: boolean } = {}): Promise<Bot> {
  const { rpc, ...rest } = options;
  const b = await createBot({ dataDir: temp(t), adapter: fakeAdapter(), logger: recordingLogger(), bundledCogPath: COGS, rpc: { port: 0 }, ...rest });
  t.after(() => b.stop());
  await b.start({ listenRpc: rpc ?? false });
  return b;
}

test("help lists commands by cog, explains one, lists a group, and hides owner-only ones from others", async (t) => {
  const b = await bot(t);
  const all = (await say(b, "!help"))[0]!;
  assert.match(all, /^Core:\n/);
  assert.match(all, /!load \[package\]\.\.\. - Loads packages; alone, shows which are loaded, failed and available\./);
  const member = (await say(b, "!help", { author: "200" }))[0]!;
  assert.doesNotMatch(member, /!load/);
  assert.match(member, /!ping - Checks that the bot answers\./);
  assert.deepEqual(await say(b, "!help load"), ["!load [package]...\nLoads packages; alone, shows which are loaded, failed and available. (owner only)"]);
  assert.deepEqual(await say(b, "!help set"), [SET_HELP]);
  assert.deepEqual(await say(b, "!help nope"), ['No command called "nope".']);
  // A group without a subcommand (or with one it lacks) shows the group's help, on any platform.
  assert.deepEqual(await say(b, "!set"), [SET_HELP]);
  assert.deepEqual(await say(b, "!SET nickname x"), [SET_HELP]);
  assert.deepEqual(await say(b, "!load general", { author: "200" }), ["Only the bot's owner can use !load."]);
});

test("info and invite answer; addpath is remembered across a restart and paths lists the search order", async (t) => {
  const data = temp(t);
  const extra = temp(t);
  const first = await createBot({ dataDir: data, adapter: fakeAdapter(), logger: recordingLogger(), bundledCogPath: COGS });
  await first.start({ listenRpc: false });
  assert.match((await say(first, "!info"))[0]!, /^Cogwheel: Cogwheel \d+\.\d+\.\d+, discord\.js 14\.\d+\.\d+, Node v\d+/);
  assert.deepEqual(await say(first, "!invite"), ["Invites exist only when the bot is connected to Discord."]);
  assert.deepEqual(await say(first, `!addpath ${extra}`), [`Added ${extra} to the cog paths.`]);
  assert.deepEqual(await say(first, `!addpath ${join(extra, "missing")}`), [`${join(extra, "missing")} is not a directory.`]);
  await first.stop();
  const second = await createBot({ dataDir: data, adapter: fakeAdapter(), logger: recordingLogger(), bundledCogPath: COGS });
  t.after(() => second.stop());
  await second.start({ listenRpc: false });
  assert.deepEqual(await say(second, "!paths"), [`1. ${extra}\n2. ${COGS.replace(/\/$/, "")}`]);
});

test("unload runs teardown, cogUnload and tracked clean-ups; stop tears down too but remembers the package", async (t) => {
  const cogs = temp(t);
  const marks = join(cogs, "marks.json");
  pkg(cogs, "hooks", {
    "index.ts": `import { appendFileSync } from "node:fs";
import type { PackageScope } from "cogwheel";
const mark = (m: string) => appendFileSync(${JSON.stringify(marks)}, m + "\\n");
class Hooks { readonly name = "Hooks"; cogLoad() { mark("cogLoad"); } cogUnload() { mark("cogUnload"); } }
export async function setup(bot: PackageScope) {
  const cog = new Hooks();
  await bot.addCog(cog);
  bot.track(cog, { dispose: () => mark("tracked") });
}
export function teardown() { mark("teardown"); }
`,
  });
  const data = temp(t);
  const b = await createBot({ dataDir: data, adapter: fakeAdapter(), logger: recordingLogger(), bundledCogPath: COGS, cogPaths: [cogs] });
  await b.start({ listenRpc: false });
  const read = async () => (await import("node:fs")).readFileSync(marks, "utf8").trim().split("\n");
  assert.deepEqual(await say(b, "!load hooks"), ["Loaded hooks."]);
  assert.deepEqual(await say(b, "!reload hooks"), ["Reloaded hooks."]);
  assert.deepEqual(await read(), ["cogLoad", "teardown", "cogUnload", "tracked", "cogLoad"]);
  await b.stop();
  assert.deepEqual((await read()).slice(5), ["teardown", "cogUnload", "tracked"]);
  const again = await createBot({ dataDir: data, adapter: fakeAdapter(), logger: recordingLogger(), bundledCogPath: COGS, cogPaths: [cogs] });
  t.after(() => again.stop());
  await again.start({ listenRpc: false });
  assert.deepEqual(again.packages.loaded(), ["hooks"], "shutdown keeps the remembered list");
});

test("stop lets a running command finish before the config closes", async (t) => {
  const b = await bot(t);
  const scope = b.createScope("slow");
  const cog = { name: "Slow" };
  await scope.addCog(cog);
  const conf = scope.config("Slow", { global: { done: false as boolean } });
  scope.registerCommand(cog, {
    name: "slow",
    help: "Writes config after a while.",
    run: async () => {
      await new Promise((r) => setTimeout(r, 200));
      await conf.global().set("done", true);
      return "written";
    },
  });
  const replies = say(b, "!slow");
  await new Promise((r) => setTimeout(r, 20));
  await b.stop();
  assert.deepEqual(await replies, ["written"]);
  assert.deepEqual(await say(b, "!ping"), [], "messages after stop began are ignored");
});

test("a setup that never finishes fails with a reason after the time limit, and later loads still work", async (t) => {
  const cogs = temp(t);
  pkg(cogs, "stuck", { "index.js": "export function setup() { return new Promise(() => {}); }\n" });
  const b = await bot(t, { cogPaths: [cogs], deadlines: { setupMs: 200 } });
  const result = await b.packages.load(["stuck"]);
  assert.deepEqual(result.failed_with_reason_packages, { stuck: "setup did not finish within 0.2 s" });
  assert.deepEqual((await b.packages.load(["general"])).loaded_packages, ["general"]);
});

test("reload re-reads JSON files a package imports", async (t) => {
  const cogs = temp(t);
  pkg(cogs, "withdata", {
    "index.ts": `import type { PackageScope } from "cogwheel";
import data from "./data.json" with { type: "json" };
class WithData { readonly name = "WithData"; }
export async function setup(bot: PackageScope) {
  const cog = new WithData();
  await bot.addCog(cog);
  bot.registerRpcHandler(cog, () => data.value, { name: "value" });
}
`,
    "data.json": JSON.stringify({ value: 1 }),
  });
  const b = await bot(t, { cogPaths: [cogs], rpc: true });
  const client = await connect(t, b.rpc);
  await client.call("CORE__LOAD", [["withdata"]]);
  assert.equal((await client.call("WITHDATA__VALUE")).result, 1);
  writeFileSync(join(cogs, "withdata", "data.json"), JSON.stringify({ value: 2 }));
  await client.call("CORE__RELOAD", [["withdata"]]);
  assert.equal((await client.call("WITHDATA__VALUE")).result, 2);
});

test("a platform refusal is -32001 over RPC and one line in chat; prefixes are checked and longest first", async (t) => {
  const refusing: Adapter = { ...fakeAdapter(), setName: async () => { throw new Error("You are changing your username too fast"); } };
  const b = await bot(t, { adapter: refusing, rpc: true, prefixes: ["!", "!!"] });
  const client = await connect(t, b.rpc);
  // One message, worded for both audiences: the catalog error crosses the wire and the chat as is.
  assert.deepEqual((await client.call("CORE__NAME", ["Gearbox"])).error, {
    code: -32001,
    message: "Could not rename: You are changing your username too fast.",
  });
  assert.deepEqual(await say(b, "!set name Gearbox"), ["Could not rename: You are changing your username too fast."]);
  assert.deepEqual(await say(b, "!!ping"), ["Pong."]);
  await assert.rejects(createBot({ dataDir: temp(t), adapter: fakeAdapter(), logger: recordingLogger(), prefixes: [""] }), {
    name: "BotError",
    code: "ERR_PREFIXES_INVALID",
  });
});

test("a cog cannot take an RPC name another cog owns, even through the naming rule", async (t) => {
  const b = await bot(t);
  const one = b.createScope("one");
  const two = b.createScope("two");
  const a = { name: "A" };
  const ab = { name: "A__B" };
  await one.addCog(a);
  await two.addCog(ab);
  one.registerRpcHandler(a, () => 1, { name: "b__c" }); // A__B__C
  assert.throws(() => two.registerRpcHandler(ab, () => 2, { name: "c" }), {
    code: "ERR_RPC_NAME_TAKEN",
    message: 'method A__B__C is already registered by "one"',
  });
});
