/**
 * The bundled `general` package, loaded through the real package loader into a real bot and
 * driven with messages. Randomness is pinned through the cog's `random` so replies are exact.
 */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import type { General } from "../../cogs/general/general.ts";
import { createConsoleAdapter } from "../../src/adapters/console.ts";
import type { Bot } from "../../src/bot/bot.ts";
import { ask, say, startBot } from "../support/bot.ts";

const GENERAL_COMMANDS = ["8ball", "choose", "flip", "roll", "serverinfo", "userinfo"];

async function withGeneral(t: Parameters<typeof startBot>[0]): Promise<{ bot: Bot; cog: General }> {
  const { bot } = await startBot(t);
  const result = await bot.packages.load(["general"]);
  assert.deepEqual(result.loaded_packages, ["general"]);
  return { bot, cog: bot.getCog<General>("General")! };
}

/** A `random` that returns `values` in turn, forever. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

test("general loads through the package loader, owns its commands, and unloads cleanly", async (t) => {
  const { bot } = await startBot(t);
  assert.deepEqual(await bot.packages.load(["general"]), {
    loaded_packages: ["general"],
    failed_packages: [],
    invalid_pkg_names: [],
    notfound_packages: [],
    alreadyloaded_packages: [],
    failed_with_reason_packages: {},
    repos_with_shared_libs: [],
  });
  assert.deepEqual(bot.cogNames(), ["Core", "General"]);
  const owned = bot.commands.list().filter((c) => c.cogName === "General").map((c) => c.name);
  assert.deepEqual(owned, GENERAL_COMMANDS);

  assert.deepEqual(await bot.packages.unload(["general"]), { unloaded_packages: ["general"], notloaded_packages: [], unload_errors: {} });
  assert.deepEqual(bot.cogNames(), ["Core"]);
  for (const name of GENERAL_COMMANDS) assert.equal(bot.commands.get(name), undefined, name);
  assert.deepEqual(await say(bot, "!flip"), []);
});

test("choose picks the option the random number points at, and needs two options", async (t) => {
  const { bot, cog } = await withGeneral(t);
  cog.random = sequence(0, 0.5, 0.999999, 1);
  assert.equal(await ask(bot, '!choose tea coffee "hot chocolate"'), "tea");
  assert.equal(await ask(bot, '!choose tea coffee "hot chocolate"'), "coffee");
  assert.equal(await ask(bot, '!choose tea coffee "hot chocolate"'), "hot chocolate");
  assert.equal(await ask(bot, "!choose tea coffee"), "coffee", "a random() of 1 is clamped to the last option");
  assert.equal(await ask(bot, "!choose tea"), "Give me at least two options, e.g. !choose tea coffee");
  assert.equal(await ask(bot, "!choose"), "Give me at least two options, e.g. !choose tea coffee");
});

test("roll gives 1..max (default 100) and refuses a bad maximum", async (t) => {
  const { bot, cog } = await withGeneral(t);
  cog.random = sequence(0, 0.999999, 0.5);
  assert.equal(await ask(bot, "!roll"), "alice rolled 1 (1-100).");
  assert.equal(await ask(bot, "!roll"), "alice rolled 100 (1-100).");
  assert.equal(await ask(bot, "!roll 6"), "alice rolled 4 (1-6).");
  assert.equal(await ask(bot, "!roll 1000000", { author: "200" }), "bob rolled 1 (1-1000000).");
  for (const bad of ["0", "1", "-5", "abc", "2.5", "1000001", "99999999999"]) {
    assert.equal(await ask(bot, `!roll ${bad}`), `The maximum must be a whole number from 2 to 1000000, not "${bad}".`);
  }
});

test("flip says Heads below one half and Tails from one half", async (t) => {
  const { bot, cog } = await withGeneral(t);
  cog.random = sequence(0.49, 0.5, 0);
  assert.equal(await ask(bot, "!flip"), "Heads.");
  assert.equal(await ask(bot, "!flip"), "Tails.");
  assert.equal(await ask(bot, "!flip"), "Heads.");
});

test("8ball answers a question with a classic answer, and wants a question", async (t) => {
  const { bot, cog } = await withGeneral(t);
  cog.random = sequence(0, 0.999);
  assert.equal(await ask(bot, "!8ball Will it rain?"), "It is certain.");
  assert.equal(await ask(bot, "!8ball Will it rain?"), "Very doubtful.");
  const wanted = 'Ask me a question ending with "?", e.g. !8ball Will it rain?';
  assert.equal(await ask(bot, "!8ball"), wanted);
  assert.equal(await ask(bot, "!8ball ?"), wanted);
  assert.equal(await ask(bot, "!8ball it will rain"), wanted);
});

test("serverinfo describes the guild; in DMs it says it needs a server", async (t) => {
  const { bot } = await withGeneral(t);
  assert.equal(
    await ask(bot, "!serverinfo"),
    "Server: Cog Lovers\nID: g1\nMembers: 42\nOwner: 100\nCreated: 2020-01-02",
  );
  assert.equal(await ask(bot, "!serverinfo", { guildId: null }), "This command only works in a server.");
  assert.equal(await ask(bot, "!serverinfo", { guildId: "g404" }), "I could not get this server's information.");
});

test("userinfo describes you, another user by id or mention, and refuses unknown ids", async (t) => {
  const { bot } = await withGeneral(t);
  assert.equal(await ask(bot, "!userinfo"), "User: alice\nID: 100\nBot: no\nCreated: 2016-05-06");
  assert.equal(await ask(bot, "!userinfo 200"), "User: bob\nID: 200\nBot: no\nCreated: unknown");
  assert.equal(await ask(bot, "!userinfo <@!200>"), "User: bob\nID: 200\nBot: no\nCreated: unknown");
  assert.equal(await ask(bot, "!userinfo 777"), "I could not find a user with id 777.");
});

test("setup works with no randomness injected: Math.random stays in range", async (t) => {
  const { bot } = await withGeneral(t);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const reply = await ask(bot, "!roll 3");
    assert.match(reply, /^alice rolled [123] \(1-3\)\.$/);
    seen.add(reply);
  }
  assert.equal(seen.size, 3, "200 rolls of a d3 show every face");
});

test("in console mode, serverinfo answers that it only works in a server", async (t) => {
  const input = new PassThrough();
  const output = new PassThrough();
  const { bot } = await startBot(t, { adapter: createConsoleAdapter({ input, output }) });
  assert.deepEqual((await bot.packages.load(["general"])).loaded_packages, ["general"]);
  let text = "";
  output.on("data", (chunk: Buffer) => (text += chunk.toString()));
  input.write("!serverinfo\n!userinfo\n");
  const deadline = Date.now() + 2000;
  while (text.split("\n").length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(text, "This command only works in a server.\nUser: console\nID: console\nBot: no\nCreated: unknown\n");
});
