// Issue 9's package-lifecycle scenarios on a real bot (in process, real files, real RPC
// socket): a setup past its deadline leaves no zombie, a hanging cogUnload or teardown cannot
// jam the package manager, and remembered packages that fail stay remembered.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import type { Bot } from "../../src/bot/bot.ts";
import { CORE_DEFAULTS } from "../../src/bot/settings.ts";
import { createBot, type CreateBotOptions } from "../../src/app/create-bot.ts";
import { COGS, fakeAdapter, say } from "../support/bot.ts";
import { bundledPackages } from "../support/packages.ts";
import { connect, recordingLogger } from "../support/rpc.ts";
import { tempDir as temp, writePackage as pkg } from "../support/temp.ts";
import { sleep } from "../support/wait.ts";

async function bot(t: TestContext, options: Partial<CreateBotOptions> = {}): Promise<Bot> {
  const b = await createBot({ dataDir: temp(t), adapter: fakeAdapter(), logger: recordingLogger(), bundledCogPath: COGS, rpc: { port: 0 }, ...options });
  t.after(() => b.stop());
  await b.start({ listenRpc: true });
  return b;
}

test("scenario 1: a setup that runs past its deadline and then registers leaves no zombie, and the package loads again", async (t) => {
  const cogs = temp(t);
  // The delay is read from a file at each load, so the test can make the package fast again.
  pkg(cogs, "slow", {
    "index.ts": `import { readFileSync } from "node:fs";
import type { PackageScope } from "cogwheel";
export async function setup(bot: PackageScope) {
  const delay = Number(readFileSync(new URL("./delay.txt", import.meta.url), "utf8"));
  await new Promise((r) => setTimeout(r, delay));
  const cog = { name: "Slow", ping: () => "pong" };
  await bot.addCog(cog);
  bot.registerCommand(cog, { name: "slowping", help: "Answers.", run: () => "pong" });
  bot.registerRpcHandler(cog, "ping");
}
`,
    "delay.txt": "400",
  });
  const b = await bot(t, { cogPaths: [cogs], deadlines: { setupMs: 150 } });
  const client = await connect(t, b.rpc);
  const first = (await client.call("CORE__LOAD", [["slow"]])).result;
  assert.deepEqual(first.failed_with_reason_packages, { slow: "setup did not finish within 0.15 s" });
  await sleep(500); // the late setup has woken up and tried to register
  assert.deepEqual((await client.call("SLOW__PING")).error, { code: -32601, message: "Method not found" });
  assert.deepEqual(await say(b, "!slowping"), []);
  assert.deepEqual(b.cogNames(), ["Core"]);
  assert.deepEqual(await say(b, "!unload slow"), ["Not loaded: slow."]);

  writeFileSync(join(cogs, "slow", "delay.txt"), "0");
  assert.deepEqual((await client.call("CORE__LOAD", [["slow"]])).result.loaded_packages, ["slow"]);
  assert.equal((await client.call("SLOW__PING")).result, "pong");
});

test("scenario 2: a cogUnload or teardown that never resolves cannot jam the manager: unload answers, later loads work", async (t) => {
  const cogs = temp(t);
  pkg(cogs, "stuckcog", {
    "index.js": `export async function setup(bot) {
  await bot.addCog({ name: "StuckCog", cogUnload: () => new Promise(() => {}) });
}
`,
  });
  pkg(cogs, "stuckteardown", {
    "index.js": `export async function setup(bot) { await bot.addCog({ name: "StuckTeardown" }); }
export function teardown() { return new Promise(() => {}); }
`,
  });
  const b = await bot(t, { cogPaths: [cogs], deadlines: { cogUnloadMs: 150, teardownMs: 150 } });
  const client = await connect(t, b.rpc);
  assert.deepEqual((await client.call("CORE__LOAD", [["stuckcog", "stuckteardown"]])).result.loaded_packages, ["stuckcog", "stuckteardown"]);
  const started = Date.now();
  assert.deepEqual((await client.call("CORE__UNLOAD", [["stuckcog", "stuckteardown"]])).result, {
    unloaded_packages: ["stuckcog", "stuckteardown"],
    notloaded_packages: [],
    unload_errors: {
      stuckcog: "cogUnload of StuckCog did not finish within 0.15 s",
      stuckteardown: "teardown did not finish within 0.15 s",
    },
  });
  assert.ok(Date.now() - started < 2000);
  assert.deepEqual(b.cogNames(), ["Core"]);
  assert.deepEqual((await client.call("CORE__LOAD", [["general"]])).result.loaded_packages, ["general"]);
  assert.deepEqual(await say(b, "!load stuckcog"), ["Loaded stuckcog."]);
});

test("scenario 5: a remembered package that fails at start-up stays remembered, is reported by name, and loads at the next start", async (t) => {
  const cogs = temp(t);
  const data = temp(t);
  const flaky = (fail: boolean): string => `import { CogLoadError } from "cogwheel";
export async function setup(bot) {
  ${fail ? 'throw new CogLoadError("the weather service is down");' : 'await bot.addCog({ name: "Flaky" });'}
}
`;
  pkg(cogs, "flaky", { "index.js": flaky(false) });
  const options = { dataDir: data, adapter: fakeAdapter(), bundledCogPath: COGS, cogPaths: [cogs], rpc: { port: 0 } };
  const first = await createBot({ ...options, logger: recordingLogger() });
  await first.start({ listenRpc: false });
  assert.deepEqual(await say(first, "!load flaky general"), ["Loaded flaky, general."]);
  await first.stop();

  writeFileSync(join(cogs, "flaky", "index.js"), flaky(true));
  const logger = recordingLogger();
  const second = await createBot({ ...options, logger });
  await second.start({ listenRpc: true });
  const client = await connect(t, second.rpc);
  client.send({ jsonrpc: "2.0", id: 1, method: "SUBSCRIBE", params: ["CORE__PACKAGES"] });
  await client.nextJson();
  assert.deepEqual((await client.nextJson()).params, {
    loaded: ["general"],
    failed: { flaky: "the weather service is down" },
    available: [...bundledPackages(), "flaky"].sort(),
  });
  const warning = logger.entries.find((e) => e.msg.startsWith("remembered packages did not load"));
  assert.deepEqual(warning?.obj.failed, { flaky: "the weather service is down" });
  assert.deepEqual(await say(second, "!load"), [`Loaded: general.\nFailed: flaky (the weather service is down).\nAvailable: ${[...bundledPackages(), "flaky"].sort().join(", ")}.`]);
  await second.stop();

  writeFileSync(join(cogs, "flaky", "index.js"), flaky(false));
  const third = await createBot({ ...options, logger: recordingLogger() });
  t.after(() => third.stop());
  await third.start({ listenRpc: false });
  assert.deepEqual(third.packages.loaded(), ["flaky", "general"]);
  // Only an explicit unload forgets it.
  assert.deepEqual(await say(third, "!unload flaky"), ["Unloaded flaky."]);
  assert.deepEqual(await third.config.namespace("Core", CORE_DEFAULTS).global().get("packages"), ["general"]);
});

test("scenario 6: a subscriber of a package's topic keeps receiving across CORE__RELOAD, and hears UNSUBSCRIBED once it is unloaded", async (t) => {
  const b = await bot(t);
  const client = await connect(t, b.rpc);
  assert.deepEqual((await client.call("CORE__LOAD", [["economy"]])).result.loaded_packages, ["economy"]);
  assert.deepEqual((await client.call("SUBSCRIBE", ["ECONOMY__BALANCE_CHANGED"])).result, ["ECONOMY__BALANCE_CHANGED"]);
  assert.deepEqual((await client.call("CORE__RELOAD", [["economy"]])).result.loaded_packages, ["economy"]);
  assert.deepEqual((await client.call("GET_SUBSCRIPTIONS")).result, ["ECONOMY__BALANCE_CHANGED"]);
  assert.equal((await client.call("ECONOMY__SET_BALANCE", ["42", 7])).result, 7);
  assert.deepEqual(await client.nextJson(), {
    jsonrpc: "2.0",
    method: "ECONOMY__BALANCE_CHANGED",
    params: { guild_id: "global", member_id: "42", balance: 7 },
  });
  await client.call("CORE__UNLOAD", [["economy"]]);
  assert.deepEqual(await client.nextJson(), {
    jsonrpc: "2.0",
    method: "UNSUBSCRIBED",
    params: { topics: ["ECONOMY__BALANCE_CHANGED"], reason: "removed" },
  });
  assert.deepEqual((await client.call("GET_SUBSCRIPTIONS")).result, []);
});

test("a late cogLoad failure of an abandoned load never removes the cog a newer load added under that name", async (t) => {
  const cogs = temp(t);
  pkg(cogs, "flaky", {
    "index.js": `import { readFileSync } from "node:fs";
export async function setup(bot) {
  const slow = readFileSync(new URL("./mode.txt", import.meta.url), "utf8") === "slow";
  const cog = { name: "Flaky", ping: () => "pong", cogLoad: () => slow ? new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 500)) : undefined };
  await bot.addCog(cog);
  bot.registerRpcHandler(cog, "ping");
}
`,
    "mode.txt": "slow",
  });
  const b = await bot(t, { cogPaths: [cogs], deadlines: { setupMs: 150 } });
  const client = await connect(t, b.rpc);
  assert.deepEqual((await client.call("CORE__LOAD", [["flaky"]])).result.failed_with_reason_packages, { flaky: "setup did not finish within 0.15 s" });
  writeFileSync(join(cogs, "flaky", "mode.txt"), "fast");
  assert.deepEqual((await client.call("CORE__LOAD", [["flaky"]])).result.loaded_packages, ["flaky"]);
  await sleep(600); // the first load's cogLoad has rejected by now
  assert.equal((await client.call("FLAKY__PING")).result, "pong");
  assert.deepEqual(b.cogNames(), ["Core", "Flaky"]);
});

test("no package can register on another's cog, Core's included, and none may be named core", async (t) => {
  const cogs = temp(t);
  pkg(cogs, "grabber", {
    "index.js": `export async function setup(bot) {
  const core = bot.bot.getCog("Core");
  bot.registerRpcHandler(core, () => "owned", { name: "evil" });
}
`,
  });
  pkg(cogs, "core", { "index.js": "export async function setup() {}\n" });
  const b = await bot(t, { cogPaths: [cogs] });
  const client = await connect(t, b.rpc);
  const result = (await client.call("CORE__LOAD", [["grabber", "core"]])).result;
  assert.deepEqual([result.failed_packages, result.failed_with_reason_packages], [["grabber"], { core: "the name core is reserved for the bot's built-in Core" }]);
  assert.deepEqual((await client.call("CORE__EVIL")).error, { code: -32601, message: "Method not found" });
});
