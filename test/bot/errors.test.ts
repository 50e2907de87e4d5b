// The one error catalog (src/protocol/catalog.ts): the factory, the brand across module copies,
// and the two places errors cross a boundary — the RPC dispatcher (wire errors) and the message
// handler (lines for the user) — each through a real server or a real bot.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Adapter } from "../../src/adapters/types.ts";
import { AppError } from "../../src/app/errors.ts";
import { BotError, CogLoadError, UserError } from "../../src/bot/errors.ts";
import { ConfigError, ConfigTypeError } from "../../src/config/errors.ts";
import { CogwheelError, createError, isCogwheelError } from "../../src/protocol/catalog.ts";
import { fakeAdapter, say, startBot } from "../support/bot.ts";
import { connect, recordingLogger, startServer } from "../support/rpc.ts";

type Catalog = typeof import("../../src/protocol/catalog.ts");
/** A second instance of the catalog module, as a package loaded by another loader would see. */
async function catalogCopy(): Promise<Catalog> {
  const copy = (await import(new URL("../../src/protocol/catalog.ts?copy", import.meta.url).href)) as Catalog;
  assert.notEqual(copy.CogwheelError, CogwheelError, "a separate module instance");
  return copy;
}

test("createError makes a class for one code: code, name, default message, cause, data, crossings", () => {
  const TooPoor = createError("ERR_TOO_POOR", "not enough money", { name: "EconomyError", rpc: -32010, user: true });
  const cause = new Error("balance 3");
  const error = new TooPoor(undefined, { cause, data: { balance: 3 } });
  assert.ok(error instanceof TooPoor);
  assert.ok(error instanceof CogwheelError);
  assert.ok(error instanceof Error);
  assert.equal(error.code, "ERR_TOO_POOR");
  assert.equal(error.name, "EconomyError");
  assert.equal(error.message, "not enough money");
  assert.equal(error.cause, cause);
  assert.deepEqual(error.data, { balance: 3 });
  assert.equal(error.rpc, -32010);
  assert.equal(error.user, true);
  assert.equal(new TooPoor("you only have 3 coins").message, "you only have 3 coins");
  assert.equal("data" in new TooPoor(), false, "no data property unless given");

  const Plain = createError("ERR_PLAIN");
  const plain = new Plain();
  assert.equal(plain.name, "CogwheelError");
  assert.equal(plain.message, "ERR_PLAIN", "the code is the default message");
  assert.equal(plain.rpc, undefined);
  assert.equal(plain.user, false);
  assert.deepEqual(Object.keys(plain).sort(), ["code", "name"], "crossings live on the class, not on each instance");

  assert.throws(() => createError("tooPoor"), { name: "TypeError", message: 'createError: code "tooPoor" must look like ERR_SOME_THING' });
  assert.throws(() => createError("ERR_X", "x", { rpc: -32500 }), RangeError, "-32500 is reserved by JSON-RPC");
  assert.throws(() => createError("ERR_X", "x", { rpc: 1.5 }), RangeError);
  for (const rpc of [-32700, -32602, -32099, -32000, 1, -40000]) assert.equal(new (createError("ERR_X", "x", { rpc }))().rpc, rpc);
});

test("isCogwheelError recognises catalog errors by brand, from any module copy, with or without a code", async () => {
  const copy = await catalogCopy();
  const Foreign = copy.createError("ERR_FOREIGN", "from another copy", { rpc: -32001, user: true });
  const foreign = new Foreign();
  assert.equal(foreign instanceof CogwheelError, false, "instanceof fails across copies…");
  assert.equal(isCogwheelError(foreign), true, "…the brand does not");
  assert.equal(isCogwheelError(foreign, "ERR_FOREIGN"), true);
  assert.equal(isCogwheelError(foreign, "ERR_OTHER"), false);
  assert.equal(copy.isCogwheelError(new UserError("hi"), "ERR_USER"), true, "and the other way round");

  for (const value of [new Error("x"), Object.assign(new Error("x"), { code: "ERR_USER" }), { code: "ERR_USER" }, null, undefined, "ERR_USER"]) {
    assert.equal(isCogwheelError(value), false, String(value));
  }
});

test("every area's errors are catalog errors with their old names and codes", () => {
  const cases: Array<[Error, string, string]> = [
    [new BotError("ERR_COG_UNKNOWN", "x"), "BotError", "ERR_COG_UNKNOWN"],
    [new UserError("x"), "UserError", "ERR_USER"],
    [new CogLoadError("x"), "CogLoadError", "ERR_COG_LOAD_REFUSED"],
    [new ConfigError("ERR_CONFIG_CLOSED", "x", { path: "/p" }), "ConfigError", "ERR_CONFIG_CLOSED"],
    [new ConfigTypeError("ERR_CONFIG_UNKNOWN_KEY", "x"), "ConfigTypeError", "ERR_CONFIG_UNKNOWN_KEY"],
    [new AppError("ERR_APP_OPTION", "x"), "AppError", "ERR_APP_OPTION"],
  ];
  for (const [error, name, code] of cases) {
    assert.equal(error.name, name);
    assert.equal(isCogwheelError(error, code), true, name);
  }
  // ConfigTypeError stays a TypeError and joins through the brand.
  assert.ok(new ConfigTypeError("ERR_CONFIG_UNKNOWN_KEY", "x") instanceof TypeError);
  assert.equal(new ConfigTypeError("ERR_CONFIG_UNKNOWN_KEY", "x").user, false);
  // Each family's table says how a code crosses boundaries.
  const refusal = new BotError("ERR_ADAPTER", "Could not rename: too fast.");
  assert.deepEqual([refusal.rpc, refusal.user], [-32001, true]);
  const badName = new BotError("ERR_NAME_INVALID", "x");
  assert.deepEqual([badName.rpc, badName.user], [-32602, true]);
  const unknown = new BotError("ERR_COG_UNKNOWN", "x");
  assert.deepEqual([unknown.rpc, unknown.user], [undefined, false]);
  assert.deepEqual([new UserError("x").rpc, new UserError("x").user], [undefined, true]);
});

test("the dispatcher sends a catalog error's wire form; without one, a bare -32603, logged", async (t) => {
  const logger = recordingLogger();
  const server = await startServer(t, { logger });
  const copy = await catalogCopy();
  const Refused = createError("ERR_TEST_REFUSED", "Discord said no.", { rpc: -32001 });
  const BadValue = createError("ERR_TEST_BAD_VALUE", "amount must be positive", { rpc: -32602 });
  const Secret = createError("ERR_TEST_SECRET", "the database password is hunter2", { user: true });
  const ForeignRefused = copy.createError("ERR_TEST_FOREIGN", "from another copy", { rpc: 7 });
  server.methods.register("refused", () => {
    throw new Refused();
  });
  server.methods.register("refused_data", async () => {
    throw new Refused("Unknown member.", { data: { member_id: "42" } });
  });
  server.methods.register("bad_value", () => {
    throw new BadValue();
  });
  server.methods.register("bad_value_data", () => {
    throw new BadValue(undefined, { data: { path: "/amount" } });
  });
  server.methods.register("secret", () => {
    throw new Secret();
  });
  server.methods.register("foreign", () => {
    throw new ForeignRefused();
  });
  const client = await connect(t, server);

  assert.deepEqual((await client.call("refused")).error, { code: -32001, message: "Discord said no." });
  assert.deepEqual((await client.call("refused_data")).error, { code: -32001, message: "Unknown member.", data: { member_id: "42" } });
  // A standard code keeps JSON-RPC's exact message; the error's words go in data.
  assert.deepEqual((await client.call("bad_value")).error, { code: -32602, message: "Invalid params", data: { reason: "amount must be positive" } });
  assert.deepEqual((await client.call("bad_value_data")).error, { code: -32602, message: "Invalid params", data: { path: "/amount" } });
  assert.deepEqual((await client.call("foreign")).error, { code: 7, message: "from another copy" });
  assert.equal(logger.entries.filter((e) => e.level === "error").length, 0, "wire errors are answers, not failures");

  // No rpc code (even one meant for chat users): nothing leaked, logged with the method's name.
  assert.deepEqual((await client.call("secret")).error, { code: -32603, message: "Internal error" });
  const logged = logger.entries.filter((e) => e.level === "error");
  assert.equal(logged.length, 1);
  assert.equal(logged[0]!.obj.method, "SECRET");
  assert.ok(logged[0]!.obj.err instanceof Secret);
});

test("the message handler shows a user error's message and answers anything else with the generic line", async (t) => {
  const { bot, logger } = await startBot(t);
  const scope = bot.createScope("oops");
  const cog = { name: "Oops" };
  await scope.addCog(cog);
  const Shown = createError("ERR_TEST_SHOWN", "You can't do that here.", { user: true });
  const Hidden = createError("ERR_TEST_HIDDEN", "internal detail", { rpc: -32001 });
  const copy = await catalogCopy();
  const ForeignShown = copy.createError("ERR_TEST_FOREIGN", "Shown from another copy.\nnot this line", { user: true });
  scope.registerCommand(cog, { name: "shown", help: "x", run: () => { throw new Shown(); } });
  scope.registerCommand(cog, { name: "hidden", help: "x", run: async () => { throw new Hidden(); } });
  scope.registerCommand(cog, { name: "foreign", help: "x", run: () => { throw new ForeignShown(); } });
  scope.registerCommand(cog, { name: "plain", help: "x", run: () => { throw new Error("kaboom"); } });

  assert.deepEqual(await say(bot, "!shown"), ["You can't do that here."]);
  assert.deepEqual(await say(bot, "!foreign"), ["Shown from another copy."], "first line only");
  assert.equal(logger.entries.filter((e) => e.level === "error").length, 0);
  assert.deepEqual(await say(bot, "!hidden"), ["Something went wrong running !hidden; the error was logged."]);
  assert.deepEqual(await say(bot, "!plain"), ["Something went wrong running !plain; the error was logged."]);
  const logged = logger.entries.filter((e) => e.level === "error" && e.msg === "command failed");
  assert.deepEqual(logged.map((e) => e.obj.command), ["hidden", "plain"]);
});

test("Core needs no translation: a refusal is -32001 over RPC and the same line in chat; bad values are -32602", async (t) => {
  let refuse: string | null = "You are changing your username too fast";
  const adapter: Adapter = {
    ...fakeAdapter(),
    setName: async () => {
      if (refuse !== null) throw new Error(refuse);
    },
    inviteUrl: async () => {
      throw new Error("not connected");
    },
  };
  const { bot } = await startBot(t, { rpc: true, adapter });
  const client = await connect(t, bot.rpc);
  const line = "Could not rename: You are changing your username too fast.";
  assert.deepEqual((await client.call("CORE__NAME", ["Gearbox"])).error, { code: -32001, message: line });
  assert.deepEqual(await say(bot, "!set name Gearbox"), [line]);
  assert.deepEqual((await client.call("CORE__INVITE_URL")).error, { code: -32001, message: "No invite link right now: not connected." });
  assert.deepEqual(await say(bot, "!invite"), ["No invite link right now: not connected."]);

  refuse = null;
  // Trimmed to one character: past the schema's minLength, refused by the bot itself.
  const tooShort = "That name won't do: a name must be 2 to 32 characters long.";
  assert.deepEqual((await client.call("CORE__NAME", ["  x  "])).error, { code: -32602, message: "Invalid params", data: { reason: tooShort } });
  assert.deepEqual(await say(bot, "!set name x"), [tooShort]);
  assert.deepEqual(await say(bot, "!set name Gearbox"), ["Done. I am now Gearbox."]);
  // Chat words and the schema both stop bad prefixes first; the bot's own check says the same.
  await assert.rejects(bot.setPrefixes(["!", ""]), {
    name: "BotError",
    code: "ERR_PREFIXES_INVALID",
    message: "Those prefixes won't do: prefixes must be a non-empty list of strings without spaces.",
    rpc: -32602,
    user: true,
  });
});
