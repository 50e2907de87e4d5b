// The cog API: scopes, names, clear errors, and everything undone when a cog goes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startBot, say } from "../cogs/support.ts";

test("registrations are owned by the cog and all removed with it", async (t) => {
  const { bot } = await startBot(t);
  class Weather {
    forecast() {
      return "sunny";
    }
  }
  const cog = new Weather();
  await bot.addCog(cog);
  bot.registerRpcHandler(cog, "forecast", { doc: "Tomorrow's weather." });
  bot.registerRpcHandler(cog, function getVariables() { return 1; });
  const topic = bot.registerRpcTopic(cog, "changed");
  bot.registerCommand(cog, { name: "weather", help: "Shows the weather.", run: () => "sunny" });
  let heard = 0;
  bot.on(cog, "message", () => void heard++);
  assert.deepEqual(bot.rpc.methods.names().filter((n) => n.startsWith("WEATHER")), ["WEATHER__FORECAST", "WEATHER__GET_VARIABLES"]);
  assert.equal(topic.name, "WEATHER__CHANGED");
  assert.deepEqual(await say(bot, "!weather"), ["sunny"]);
  assert.equal(heard, 1);

  assert.equal(await bot.removeCog("weather"), true);
  assert.deepEqual(bot.rpc.methods.names().filter((n) => n.startsWith("WEATHER")), []);
  assert.equal(bot.rpc.topics.get("WEATHER__CHANGED"), undefined);
  assert.deepEqual(await say(bot, "!weather"), []);
  assert.equal(heard, 1, "the listener is gone");
  assert.equal(bot.getCog("Weather"), undefined);
  assert.equal(await bot.removeCog("weather"), false);
});

test("clear errors: unknown cog, non-function, taken names, nameless cogs", async (t) => {
  const { bot } = await startBot(t);
  class Alpha {}
  class Beta {}
  const alpha = new Alpha();
  const beta = new Beta();
  assert.throws(() => bot.registerRpcHandler(alpha, () => 1, { name: "x" }), { code: "ERR_COG_UNKNOWN" });
  await bot.addCog(alpha);
  await bot.addCog(beta);
  await assert.rejects(bot.addCog(new Alpha()), { code: "ERR_COG_NAME_TAKEN", message: "a cog named Alpha is already loaded" });
  await assert.rejects(bot.addCog({}), { code: "ERR_COG_INVALID" });
  assert.throws(() => bot.registerRpcHandler(alpha, "missing"), { code: "ERR_HANDLER_INVALID" });
  assert.throws(() => bot.registerRpcHandler(alpha, 42 as never), { code: "ERR_HANDLER_INVALID" });
  assert.throws(() => bot.registerRpcHandler(alpha, () => 1), { code: "ERR_HANDLER_INVALID", message: /needs a name/ });
  bot.registerCommand(alpha, { name: "go", help: "Goes.", run: () => "went" });
  assert.throws(() => bot.registerCommand(beta, { name: "go", help: "Also goes.", run: () => "x" }), {
    code: "ERR_COMMAND_TAKEN",
    message: 'command "go" is already registered by cog Alpha',
  });
  // A cog named like another's method prefix cannot take that cog's names.
  bot.registerRpcHandler(alpha, () => 1, { name: "ping" });
  const disposable = bot.registerRpcHandler(beta, () => 2, { name: "ping" });
  assert.deepEqual(bot.rpc.methods.names().filter((n) => n.endsWith("__PING")), ["ALPHA__PING", "BETA__PING"]);
  disposable.dispose();
  assert.deepEqual(bot.rpc.methods.names().filter((n) => n.endsWith("__PING")), ["ALPHA__PING"]);
});

test("a command's unexpected error is one friendly line for the user and logged in full", async (t) => {
  const { bot, logger } = await startBot(t);
  class Oops {}
  const cog = new Oops();
  await bot.addCog(cog);
  bot.registerCommand(cog, { name: "oops", help: "Fails.", run: () => { throw new Error("db password wrong"); } });
  assert.deepEqual(await say(bot, "!oops"), ["Something went wrong running !oops; the error was logged."]);
  const entry = logger.entries.find((e) => e.msg === "command failed");
  assert.equal((entry?.obj.err as Error).message, "db password wrong");
  assert.equal(entry?.obj.command, "oops");
});
