// The cog API: a package's scope owns everything registered through it, names are declared,
// errors are clear, and a disposed scope refuses late registrations.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startBot, say } from "../support/bot.ts";

test("registrations are owned by the scope and all removed, newest first, when it is disposed", async (t) => {
  const { bot } = await startBot(t);
  const scope = bot.createScope("weather");
  const unloaded: string[] = [];
  const cog = {
    name: "Weather",
    forecast: () => "sunny",
    cogUnload: () => void unloaded.push("Weather"),
  };
  await scope.addCog(cog);
  scope.registerRpcHandler(cog, "forecast", { doc: "Tomorrow's weather." });
  scope.registerRpcHandler(cog, () => 1, { name: "getVariables" });
  const topic = scope.registerRpcTopic(cog, "changed");
  scope.registerCommand(cog, { name: "weather", help: "Shows the weather.", run: () => "sunny" });
  let heard = 0;
  scope.on(cog, "message", () => void heard++);
  const order: string[] = [];
  scope.track(cog, { dispose: () => void order.push("tracked") });
  assert.deepEqual(bot.rpc.methods.names().filter((n) => n.startsWith("WEATHER")), ["WEATHER__FORECAST", "WEATHER__GET_VARIABLES"]);
  assert.equal(topic.name, "WEATHER__CHANGED");
  assert.deepEqual(await say(bot, "!weather"), ["sunny"]);
  assert.equal(heard, 1);
  assert.equal(bot.view.getCog("weather"), cog);

  assert.deepEqual(await scope.dispose(), { problems: [] });
  assert.equal(scope.state, "disposed");
  assert.deepEqual(unloaded, ["Weather"]);
  assert.deepEqual(order, ["tracked"]);
  assert.deepEqual(bot.rpc.methods.names().filter((n) => n.startsWith("WEATHER")), []);
  assert.equal(bot.rpc.topics.get("WEATHER__CHANGED"), undefined);
  assert.deepEqual(await say(bot, "!weather"), []);
  assert.equal(heard, 1, "the listener is gone");
  assert.equal(bot.getCog("Weather"), undefined);
  assert.deepEqual(await scope.dispose(), { problems: [] }, "disposing twice is harmless");
});

test("a disposed scope refuses every late registration with ERR_SCOPE_DISPOSED, so nothing can linger", async (t) => {
  const { bot } = await startBot(t);
  const scope = bot.createScope("late");
  const cog = { name: "Late", ping: () => "pong" };
  await scope.addCog(cog);
  await scope.dispose();
  const refused = { code: "ERR_SCOPE_DISPOSED", message: /package late is unloaded/ };
  await assert.rejects(scope.addCog({ name: "Later" }), refused);
  assert.throws(() => scope.registerRpcHandler(cog, "ping"), refused);
  assert.throws(() => scope.registerRpcTopic(cog, "t"), refused);
  assert.throws(() => scope.registerCommand(cog, { name: "late", help: "x", run: () => "x" }), refused);
  assert.throws(() => scope.on(cog, "message", () => {}), refused);
  assert.throws(() => scope.config("Late"), refused);
  assert.equal(bot.rpc.methods.get("LATE__PING"), undefined);
  // The name is free again for a new scope.
  const again = bot.createScope("late");
  t.after(() => again.dispose());
  await again.addCog({ name: "Late" });
});

test("clear errors: unknown cog, another package's cog, non-function, taken names, undeclared names", async (t) => {
  const { bot } = await startBot(t);
  const one = bot.createScope("one");
  const two = bot.createScope("two");
  t.after(() => Promise.all([one.dispose(), two.dispose()]));
  const alpha = { name: "Alpha" };
  const beta = { name: "Beta" };
  assert.throws(() => one.registerRpcHandler(alpha, () => 1, { name: "x" }), { code: "ERR_COG_UNKNOWN" });
  await one.addCog(alpha);
  await two.addCog(beta);
  assert.throws(() => two.registerRpcHandler(alpha, () => 1, { name: "x" }), {
    code: "ERR_COG_UNKNOWN",
    message: "cog Alpha belongs to package one, not to two",
  });
  await assert.rejects(two.addCog({ name: "alpha" }), { code: "ERR_COG_NAME_TAKEN", message: "a cog named Alpha is already loaded" });
  // Names are declared: a class name or a function's name is never used.
  class Gamma {}
  await assert.rejects(one.addCog(new Gamma()), { code: "ERR_COG_INVALID", message: /declared name/ });
  await assert.rejects(one.addCog({}), { code: "ERR_COG_INVALID" });
  assert.throws(() => one.registerRpcHandler(alpha, "missing"), { code: "ERR_HANDLER_INVALID" });
  assert.throws(() => one.registerRpcHandler(alpha, 42 as never), { code: "ERR_HANDLER_INVALID" });
  assert.throws(() => one.registerRpcHandler(alpha, function named() { return 1; }), {
    code: "ERR_HANDLER_INVALID",
    message: /needs a declared name/,
  });
  one.registerCommand(alpha, { name: "go", help: "Goes.", run: () => "went" });
  assert.throws(() => two.registerCommand(beta, { name: "go", help: "Also goes.", run: () => "x" }), {
    code: "ERR_COMMAND_TAKEN",
    message: 'command "go" is already registered by cog Alpha',
  });
  one.registerRpcHandler(alpha, () => 1, { name: "ping" });
  const disposable = two.registerRpcHandler(beta, () => 2, { name: "ping" });
  assert.deepEqual(bot.rpc.methods.names().filter((n) => n.endsWith("__PING")), ["ALPHA__PING", "BETA__PING"]);
  disposable.dispose();
  assert.deepEqual(bot.rpc.methods.names().filter((n) => n.endsWith("__PING")), ["ALPHA__PING"]);
  assert.throws(() => two.registerRpcHandler(beta, () => 2, { name: "../x" }), { code: "ERR_RPC_INVALID_NAME" });
});

test("a config handle from a scope is typed by its defaults and refuses use once the package is gone", async (t) => {
  const { bot } = await startBot(t);
  const scope = bot.createScope("notes");
  const notes = scope.config("Notes", { global: { count: 0 } });
  await notes.global().set("count", 2);
  assert.equal(await notes.global().get("count"), 2);
  await scope.dispose();
  assert.throws(() => notes.global(), { code: "ERR_SCOPE_DISPOSED", message: /config handle Notes/ });
});

test("a command's unexpected error is one friendly line for the user and logged in full", async (t) => {
  const { bot, logger } = await startBot(t);
  const scope = bot.createScope("oops");
  t.after(() => scope.dispose());
  const cog = { name: "Oops" };
  await scope.addCog(cog);
  scope.registerCommand(cog, { name: "oops", help: "Fails.", run: () => { throw new Error("db password wrong"); } });
  assert.deepEqual(await say(bot, "!oops"), ["Something went wrong running !oops; the error was logged."]);
  const entry = logger.entries.find((e) => e.msg === "command failed");
  assert.equal((entry?.obj.err as Error).message, "db password wrong");
  assert.equal(entry?.obj.command, "oops");
});

test("a cog's cogUnload can still save through a config handle opened after the cog was added", async (t) => {
  const { bot } = await startBot(t);
  const scope = bot.createScope("saver");
  const cog = { name: "Saver", cogUnload: async () => notes.global().set("saved", true) };
  await scope.addCog(cog);
  const notes = scope.config("Saver", { global: { saved: false as boolean } });
  assert.deepEqual(await scope.dispose(), { problems: [] });
  assert.equal(await bot.config.namespace("Saver", { global: { saved: false as boolean } }).global().get("saved"), true);
  assert.throws(() => notes.global(), { code: "ERR_SCOPE_DISPOSED" });
});

test("a config scope object kept by a package refuses writes once the package is gone", async (t) => {
  const { bot } = await startBot(t);
  const scope = bot.createScope("keeper");
  const kept = scope.config("Keeper", { global: { n: 0 } }).global();
  await kept.set("n", 1);
  await scope.dispose();
  assert.throws(() => kept.set("n", 42), { code: "ERR_SCOPE_DISPOSED" });
  assert.equal(await bot.config.namespace("Keeper", { global: { n: 0 } }).global().get("n"), 1);
});
