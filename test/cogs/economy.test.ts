/**
 * The bundled `economy` package, loaded through the real package loader into a real bot
 * (real config files on disk), driven with messages and over a real RPC connection.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import type { Economy } from "../../cogs/economy/bank.ts";
import type { Bot } from "../../src/bot/bot.ts";
import type { NamespaceDocument } from "../../src/config/index.ts";
import { connect } from "../support/rpc.ts";
import { ask, dataDir, say, startBot } from "../support/bot.ts";

const METHODS = ["ECONOMY__BALANCE", "ECONOMY__LEADERBOARD", "ECONOMY__SET_BALANCE"];
const TOPIC = "ECONOMY__BALANCE_CHANGED";
const T0 = 1_700_000_000_000;

async function withEconomy(t: TestContext, options: { rpc?: boolean; dir?: string } = {}): Promise<{ bot: Bot; cog: Economy }> {
  const { bot } = await startBot(t, options);
  const result = await bot.packages.load(["economy"]);
  assert.deepEqual(result.loaded_packages, ["economy"], JSON.stringify(result));
  const cog = bot.getCog<Economy>("Economy")!;
  cog.now = () => T0;
  return { bot, cog };
}

/** Sets balances in guild g1 through the owner-only command (as the owner, alice). */
async function fund(bot: Bot, balances: Record<string, number>, guildId = "g1"): Promise<void> {
  for (const [id, amount] of Object.entries(balances)) await say(bot, `!setbalance ${id} ${amount}`, { guildId });
}

async function balances(cog: Economy, guildId = "g1"): Promise<Record<string, number>> {
  const all = await cog.config.allMembers(guildId);
  return Object.fromEntries([...all].map(([id, v]) => [id, v.balance]));
}

test("economy loads through the loader with its commands, RPC methods and topic", async (t) => {
  const { bot } = await startBot(t, { rpc: true });
  assert.deepEqual(await bot.packages.load(["economy"]), {
    loaded_packages: ["economy"],
    failed_packages: [],
    invalid_pkg_names: [],
    notfound_packages: [],
    alreadyloaded_packages: [],
    failed_with_reason_packages: {},
    repos_with_shared_libs: [],
  });
  const commands = bot.commands.list().filter((c) => c.cogName === "Economy").map((c) => c.name);
  assert.deepEqual(commands, ["balance", "leaderboard", "payday", "setbalance", "transfer"]);
  const client = await connect(t, bot.rpc);
  const methods: string[] = (await client.call("GET_METHODS")).result;
  assert.deepEqual(methods.filter((m) => m.startsWith("ECONOMY__")).sort(), METHODS);
  assert.ok((await client.call("GET_TOPICS")).result.includes(TOPIC));
  assert.equal(
    (await client.call("GET_METHOD_INFO", ["ECONOMY__BALANCE"])).result,
    'Returns a member\'s balance (a number). guild_id defaults to "global", the console/DM bank.',
  );
});

test("balance shows yours or another member's; each guild has its own bank, DMs use the global one", async (t) => {
  const { bot } = await withEconomy(t);
  assert.equal(await ask(bot, "!balance"), "You have 0 credits.");
  await fund(bot, { "200": 75 });
  assert.equal(await ask(bot, "!balance 200"), "bob has 75 credits.");
  assert.equal(await ask(bot, "!bal <@200>"), "bob has 75 credits.");
  assert.equal(await ask(bot, "!balance", { author: "200" }), "You have 75 credits.");
  assert.equal(await ask(bot, "!balance 555"), "555 has 0 credits.", "an id the adapter does not know shows as is");
  assert.equal(await ask(bot, "!balance 200", { guildId: "g2" }), "bob has 0 credits.");
  assert.equal(await ask(bot, "!balance", { author: "200", guildId: null }), "You have 0 credits.");
  await fund(bot, { "200": 5 }, "global");
  assert.equal(await ask(bot, "!balance", { author: "200", guildId: null }), "You have 5 credits.");
  assert.equal(await ask(bot, "!balance 200"), "bob has 75 credits.");
});

test("payday pays 120 once per 300 s and says how long to wait", async (t) => {
  const { bot, cog } = await withEconomy(t);
  let now = T0;
  cog.now = () => now;
  assert.equal(await ask(bot, "!payday"), "Here is your pay: 120 credits. You now have 120 credits.");
  now += 1_000;
  assert.equal(await ask(bot, "!payday"), "Too soon: wait 299 s for your next payday.");
  now = T0 + 299_001;
  assert.equal(await ask(bot, "!payday"), "Too soon: wait 1 s for your next payday.");
  assert.equal(await ask(bot, "!payday", { author: "200" }), "Here is your pay: 120 credits. You now have 120 credits.");
  now = T0 + 300_000;
  assert.equal(await ask(bot, "!payday"), "Here is your pay: 120 credits. You now have 240 credits.");

  // Settings live in the global scope and are read at each payday.
  await cog.config.global().set("paydayAmount", 500);
  await cog.config.global().set("currency", "coins");
  await cog.config.global().set("paydayCooldown", 10);
  now += 10_000;
  assert.equal(await ask(bot, "!payday"), "Here is your pay: 500 coins. You now have 740 coins.");

  // Ten paydays at the same moment pay once: the cool-down is claimed atomically.
  now += 10_000;
  const replies = await Promise.all(Array.from({ length: 10 }, () => ask(bot, "!payday", { author: "300" })));
  assert.equal(replies.filter((r) => r.startsWith("Here is your pay")).length, 1);
  assert.equal(replies.filter((r) => r === "Too soon: wait 10 s for your next payday.").length, 9);
  assert.equal(await cog.balance("g1", "300"), 500);
});

test("transfer moves money and refuses bad amounts, yourself, unknown users and missing funds", async (t) => {
  const { bot, cog } = await withEconomy(t);
  await fund(bot, { "100": 100 });
  assert.equal(await ask(bot, "!transfer 200 30"), "You sent 30 credits to bob. You now have 70 credits.");
  assert.equal(await ask(bot, "!give <@!200> 70"), "You sent 70 credits to bob. You now have 0 credits.");
  assert.equal(await cog.balance("g1", "200"), 100);
  assert.equal(await ask(bot, "!transfer 100 1", { author: "200" }), "You sent 1 credits to alice. You now have 99 credits.");

  assert.equal(await ask(bot, "!transfer 300 100", { author: "200" }), "You only have 99 credits.");
  assert.equal(await ask(bot, "!transfer 200 5", { author: "200" }), "You can't transfer money to yourself.");
  assert.equal(await ask(bot, "!transfer 777 5", { author: "200" }), "I could not find a user with id 777.");
  for (const bad of ["0", "-3", "1.5", "ten", "99999999999999999"]) {
    assert.equal(await ask(bot, `!transfer 300 ${bad}`, { author: "200" }), `The amount must be a positive whole number, not "${bad}".`);
  }
  assert.equal(await ask(bot, "!transfer 300"), "Usage: !transfer <user id> <amount>");
  assert.equal(await ask(bot, "!give"), "Usage: !give <user id> <amount>");
  assert.deepEqual(await balances(cog), { "100": 1, "200": 99 }, "refused transfers changed nothing");
});

test("50 concurrent transfers neither lose nor create money", async (t) => {
  const { bot, cog } = await withEconomy(t);
  const ids = ["100", "200", "300", "400"];
  await fund(bot, { "100": 1000, "200": 1000, "300": 1000, "400": 1000 });
  const expected: Record<string, number> = { "100": 1000, "200": 1000, "300": 1000, "400": 1000 };
  const sends = Array.from({ length: 50 }, (_, i) => {
    const from = ids[i % 4]!;
    const to = ids[(i + 1 + (i % 3)) % 4]!; // never the sender
    const amount = 1 + ((i * 13) % 17);
    expected[from]! -= amount;
    expected[to]! += amount;
    return say(bot, `!transfer ${to} ${amount}`, { author: from });
  });
  const replies = (await Promise.all(sends)).flat();
  assert.equal(replies.filter((r) => r.startsWith("You sent ")).length, 50);
  assert.deepEqual(await balances(cog), expected);

  // Contention on the funds check: 50 sends of 3 from 100 credits, all at once.
  await fund(bot, { "100": 100, "200": 0 });
  const rush = (await Promise.all(Array.from({ length: 50 }, () => say(bot, "!transfer 200 3")))).flat();
  assert.equal(rush.filter((r) => r.startsWith("You sent 3 credits to bob.")).length, 33);
  assert.equal(rush.filter((r) => r === "You only have 1 credits.").length, 17);
  assert.equal(await cog.balance("g1", "100"), 1);
  assert.equal(await cog.balance("g1", "200"), 99);
});

test("a transfer is all-or-nothing: a credit over the cap changes and publishes nothing; both sides are stored by one write", async (t) => {
  const MAX_BALANCE = Number.MAX_SAFE_INTEGER;
  const dir = dataDir();
  const { bot, cog } = await withEconomy(t, { rpc: true, dir });
  const client = await connect(t, bot.rpc);
  await fund(bot, { "100": 50, "200": MAX_BALANCE - 10 });
  assert.deepEqual((await client.call("SUBSCRIBE", [TOPIC])).result, [TOPIC]);
  const file = () => JSON.parse(readFileSync(join(dir, "config", "Economy.json"), "utf8")) as NamespaceDocument;
  const before = file();

  assert.equal(await ask(bot, "!transfer 200 11"), `That would take their balance over ${MAX_BALANCE} credits.`);
  await assert.rejects(cog.transfer("g1", "100", "200", 11), { message: `That would take their balance over ${MAX_BALANCE} credits.` });
  assert.deepEqual(await balances(cog), { "100": 50, "200": MAX_BALANCE - 10 }, "the sender was never debited");
  assert.deepEqual(file(), before, "nothing was written");
  assert.equal(await client.nothingWithin(100), true, "a refused transfer publishes nothing");

  // Up to the cap is fine; when transfer resolves, the file holds both sides.
  const done = cog.transfer("g1", "100", "200", 10).then((result) => ({ result, stored: file().member.g1 }));
  const { result, stored } = await done;
  assert.deepEqual(result, { from: 40, to: MAX_BALANCE });
  assert.deepEqual(stored, { "100": { balance: 40 }, "200": { balance: MAX_BALANCE } });
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", method: TOPIC, params: { guild_id: "g1", member_id: "100", balance: 40 } });
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", method: TOPIC, params: { guild_id: "g1", member_id: "200", balance: MAX_BALANCE } });

  // Payday: the cool-down claim and the pay are stored together.
  const paid = await cog.payday("g1", "300").then((r) => ({ balance: r.balance, stored: file().member.g1?.["300"] }));
  assert.deepEqual(paid, { balance: 120, stored: { lastPayday: T0, balance: 120 } });
});

test("leaderboard lists the richest first, n places, ties by id", async (t) => {
  const { bot } = await withEconomy(t);
  assert.equal(await ask(bot, "!leaderboard"), "Nobody has any credits yet.");
  await fund(bot, { "300": 50 }); // before bob, so the tie is not ordered by chance
  await fund(bot, { "100": 10, "200": 50, "400": 0, "555": 7 });
  assert.equal(await ask(bot, "!leaderboard"), "1. bob: 50 credits\n2. carol: 50 credits\n3. alice: 10 credits\n4. 555: 7 credits");
  assert.equal(await ask(bot, "!top 2"), "1. bob: 50 credits\n2. carol: 50 credits");
  assert.equal(await ask(bot, "!leaderboard", { guildId: "g2" }), "Nobody has any credits yet.");
  for (const bad of ["0", "101", "x", "-1"]) {
    assert.equal(await ask(bot, `!leaderboard ${bad}`), `The number of places must be a whole number from 1 to 100, not "${bad}".`);
  }
});

test("setbalance is for owners only and checks its amount", async (t) => {
  const { bot, cog } = await withEconomy(t);
  assert.equal(await ask(bot, "!setbalance 300 500", { author: "200" }), "Only the bot's owner can use !setbalance.");
  assert.equal(await cog.balance("g1", "300"), 0);
  assert.equal(await ask(bot, "!setbalance 300 500"), "carol now has 500 credits.");
  assert.equal(await ask(bot, "!setbalance 300 -1"), 'The amount must be a non-negative whole number, not "-1".');
  assert.equal(await ask(bot, "!setbalance 300 0"), "carol now has 0 credits.");
});

test("ECONOMY__BALANCE, SET_BALANCE and LEADERBOARD over RPC, positional and by name", async (t) => {
  const { bot } = await withEconomy(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  const result = async (method: string, params?: unknown) => {
    const reply = await client.call(method, params);
    assert.equal(reply.error, undefined, JSON.stringify(reply.error));
    return reply.result;
  };
  assert.equal(await result("ECONOMY__SET_BALANCE", ["200", 300, "g1"]), 300);
  assert.equal(await result("ECONOMY__SET_BALANCE", { member_id: "300", amount: 150, guild_id: "g1" }), 150);
  assert.equal(await result("ECONOMY__SET_BALANCE", { args: ["100", 40], kwargs: { guild_id: "g1" } }), 40);
  assert.equal(await result("ECONOMY__SET_BALANCE", ["100", 9]), 9, "no guild_id: the global bank");
  assert.equal(await result("ECONOMY__BALANCE", ["200", "g1"]), 300);
  assert.equal(await result("ECONOMY__BALANCE", { member_id: "300", guild_id: "g1" }), 150);
  assert.equal(await result("economy__balance", ["100"]), 9);
  assert.equal(await result("ECONOMY__BALANCE", { member_id: "999" }), 0);
  assert.equal(await ask(bot, "!balance 200"), "bob has 300 credits.", "RPC and commands share the bank");
  assert.deepEqual(await result("ECONOMY__LEADERBOARD", ["g1"]), [
    { member_id: "200", balance: 300 },
    { member_id: "300", balance: 150 },
    { member_id: "100", balance: 40 },
  ]);
  assert.deepEqual(await result("ECONOMY__LEADERBOARD", { guild_id: "g1", limit: 1 }), [{ member_id: "200", balance: 300 }]);
  assert.deepEqual(await result("ECONOMY__LEADERBOARD", { limit: 5 }), [{ member_id: "100", balance: 9 }]);
  assert.deepEqual(await result("ECONOMY__LEADERBOARD"), [{ member_id: "100", balance: 9 }]);
});

test("bad RPC params are -32602 Invalid params with data naming the parameter; numeric Discord ids are ids", async (t) => {
  const { bot, cog } = await withEconomy(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  const error = async (method: string, params: unknown) => (await client.call(method, params)).error;
  const invalid = (data: unknown) => ({ code: -32602, message: "Invalid params", data });
  const at = async (method: string, params: unknown) => {
    const e = await error(method, params);
    assert.equal(e?.code, -32602, JSON.stringify(params));
    return (e.data.errors as Array<{ path: string }>).map((x) => x.path);
  };
  assert.deepEqual(await error("ECONOMY__BALANCE", []), invalid({ missing: ["member_id"] }));
  assert.deepEqual(await error("ECONOMY__BALANCE", { member: "1" }), invalid({ missing: ["member_id"], unknown: ["member"] }));
  assert.deepEqual(await error("ECONOMY__SET_BALANCE", ["1"]), invalid({ missing: ["amount"] }));
  assert.deepEqual(await at("ECONOMY__BALANCE", [""]), ["/member_id"]);
  assert.deepEqual(await at("ECONOMY__BALANCE", [-5]), ["/member_id"]);
  assert.deepEqual(await at("ECONOMY__BALANCE", ["1", true]), ["/guild_id"]);
  for (const bad of [-1, 1.5, "10", null, Number.MAX_SAFE_INTEGER + 1]) {
    assert.deepEqual(await at("ECONOMY__SET_BALANCE", ["1", bad, "g1"]), ["/amount"], String(bad));
  }
  for (const bad of [0, 101, "5", 2.5]) assert.deepEqual(await at("ECONOMY__LEADERBOARD", { limit: bad }), ["/limit"], String(bad));
  assert.deepEqual(await balances(cog), {}, "nothing was written");
  // Red's clients send Discord ids as JSON numbers, beyond 2^53 too: they are the same member.
  client.send('{"jsonrpc":"2.0","id":"big","method":"ECONOMY__SET_BALANCE","params":[80351110224678912, 5, 81384788765712384]}');
  assert.equal((await client.nextJson()).result, 5);
  assert.equal((await client.call("ECONOMY__BALANCE", ["80351110224678912", "81384788765712384"])).result, 5);
});

test("ECONOMY__BALANCE_CHANGED is pushed on payday, both sides of a transfer and set_balance", async (t) => {
  const { bot } = await withEconomy(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  const other = await connect(t, bot.rpc);
  assert.deepEqual((await client.call("SUBSCRIBE", [TOPIC])).result, [TOPIC]);
  const push = (params: unknown) => ({ jsonrpc: "2.0", method: TOPIC, params });

  await ask(bot, "!payday");
  assert.deepEqual(await client.nextJson(), push({ guild_id: "g1", member_id: "100", balance: 120 }));
  await ask(bot, "!transfer 200 20");
  assert.deepEqual(await client.nextJson(), push({ guild_id: "g1", member_id: "100", balance: 100 }));
  assert.deepEqual(await client.nextJson(), push({ guild_id: "g1", member_id: "200", balance: 20 }));
  assert.equal((await other.call("ECONOMY__SET_BALANCE", ["300", 7])).result, 7);
  assert.deepEqual(await client.nextJson(), push({ guild_id: "global", member_id: "300", balance: 7 }));
  await ask(bot, "!transfer 200 1000");
  await ask(bot, "!payday");
  assert.equal(await client.nothingWithin(100), true, "refused changes publish nothing");
  assert.equal(other.frames.length, 0, "a connection that did not subscribe gets no push");
  assert.deepEqual((await other.call("SUBSCRIBE", [TOPIC])).result, [TOPIC]);
  assert.equal(await other.nothingWithin(100), true, "changes are events, not state: a new subscriber gets no replay");
});

test("balances, cool-downs and settings survive a restart, and economy is loaded again", async (t) => {
  const dir = dataDir();
  const first = await withEconomy(t, { dir });
  assert.equal(await ask(first.bot, "!payday"), "Here is your pay: 120 credits. You now have 120 credits.");
  await ask(first.bot, "!transfer 200 20");
  await first.cog.config.global().set("currency", "coins");
  await first.bot.stop();

  const { bot } = await startBot(t, { dir });
  assert.deepEqual(bot.packages.loaded(), ["economy"], "remembered packages load at start");
  const cog = bot.getCog<Economy>("Economy")!;
  cog.now = () => T0 + 60_000;
  assert.equal(await ask(bot, "!balance"), "You have 100 coins.");
  assert.equal(await ask(bot, "!balance 200"), "bob has 20 coins.");
  assert.equal(await ask(bot, "!payday"), "Too soon: wait 240 s for your next payday.");
});

test("unloading economy removes its commands, RPC methods and topic", async (t) => {
  const { bot } = await withEconomy(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  assert.deepEqual((await client.call("SUBSCRIBE", [TOPIC])).result, [TOPIC]);
  assert.deepEqual((await client.call("CORE__UNLOAD", [["economy"]])).result, { unloaded_packages: ["economy"], notloaded_packages: [], unload_errors: {} });

  const methods: string[] = (await client.call("GET_METHODS")).result;
  assert.deepEqual(methods.filter((m) => m.startsWith("ECONOMY__")), []);
  assert.ok(methods.includes("CORE__LOAD"));
  assert.equal((await client.call("GET_TOPICS")).result.includes(TOPIC), false);
  assert.deepEqual((await client.call("GET_SUBSCRIPTIONS")).result, []);
  assert.equal((await client.call("ECONOMY__BALANCE", ["100"])).error.code, -32601);
  for (const command of ["balance", "bal", "payday", "transfer", "give", "leaderboard", "top", "setbalance"]) {
    assert.equal(bot.commands.get(command), undefined, command);
  }
  assert.deepEqual(await say(bot, "!payday"), []);
  assert.equal(bot.getCog("Economy"), undefined);

  // And it comes back, whole, with the same bank.
  assert.deepEqual((await client.call("CORE__LOAD", [["economy"]])).result.loaded_packages, ["economy"]);
  assert.deepEqual((await client.call("GET_METHODS")).result.filter((m: string) => m.startsWith("ECONOMY__")).sort(), METHODS);
});

test('the seed example: CORE__LOAD {"args": [["general", "economy", "downloader"]]} over RPC', async (t) => {
  const { bot } = await startBot(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  const reply = await client.call("CORE__LOAD", { args: [["general", "economy", "downloader"]], kwargs: {} });
  assert.deepEqual(reply.result, {
    loaded_packages: ["general", "economy"],
    failed_packages: [],
    invalid_pkg_names: [],
    notfound_packages: ["downloader"],
    alreadyloaded_packages: [],
    failed_with_reason_packages: {},
    repos_with_shared_libs: [],
  });
  assert.equal((await client.call("ECONOMY__BALANCE", ["100"])).result, 0);
  assert.equal(await ask(bot, "!flip").then((r) => r === "Heads." || r === "Tails."), true);
});
