// The whole bot in Discord mode: the real CLI, real discord.js, the loopback Discord stand-in.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { createAdapter } from "../../src/app/create-bot.ts";
import { resolveAppOptions } from "../../src/app/options.ts";
import { connectTo } from "../support/rpc.ts";
import { FakeDiscord, IDS } from "../support/fake-discord.ts";
import { LISTENING, runCli, tempDir } from "../support/cli.ts";

test("Discord mode: !ping is answered by a POST to the channel; CORE__NAME renames; owner comes from the application", async (t) => {
  const fake = await FakeDiscord.start();
  t.after(() => fake.close());
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", tempDir(t)], {
    DISCORD_TOKEN: fake.token,
    COGWHEEL_DISCORD_API_URL: fake.restApiUrl,
  });
  const port = await bot.rpcPort(20000);
  await bot.until(() => (bot.logs.some((l) => l.msg === "starting in Discord mode") ? true : undefined), 5000, "Discord mode");
  // Commands flow once the adapter is ready; the status topic says so.
  const client = await connectTo(t, port);
  await fake.waitFor(() => fake.framesOf("in", 2).length > 0, 15000, "IDENTIFY");
  await bot.until(() => (bot.logs.some((l) => l.msg === LISTENING) ? true : undefined), 1000, "rpc");
  for (let i = 0; i < 100 && !(await client.call("CORE__INVITE_URL")).result; i++) await new Promise((r) => setTimeout(r, 100));

  fake.injectMessage({ content: "!ping" });
  const post = await fake.waitFor(
    () => fake.requests.find((r) => r.method === "POST" && r.path === `/api/v10/channels/${IDS.channel}/messages`),
    10000,
    "the reply",
  );
  assert.equal((post.body as { content: string }).content, "Pong.");

  // Owner-only commands: the application's owner may, a member may not.
  fake.injectMessage({ content: "!load general", authorId: IDS.owner, username: "owner" });
  const posts = () => fake.requests.filter((r) => r.method === "POST").map((r) => (r.body as { content: string }).content);
  await fake.waitFor(() => posts().includes("Loaded general."), 10000, "the owner's load");
  fake.injectMessage({ content: "!unload general" });
  await fake.waitFor(() => posts().includes("Only the bot's owner can use !unload."), 10000, "the refusal");

  assert.equal((await client.call("CORE__NAME", ["Gearbox"])).result, "Gearbox");
  const patch = fake.requests.find((r) => r.method === "PATCH" && r.path === "/api/v10/users/@me");
  assert.deepEqual(patch?.body, { username: "Gearbox" });
  assert.match((await client.call("CORE__INVITE_URL")).result, new RegExp(`client_id=${IDS.bot}.*scope=bot`));
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});

test("--discord-intents: unknown or empty lists are one line and exit 1, before anything starts", { timeout: 30_000 }, async (t) => {
  const data = tempDir(t);
  const cases: Array<[string[], string]> = [
    [["--discord-intents", "members,guilds"], '--discord-intents: unknown intent "guilds" (known: members, presences)'],
    [["--discord-intents", "presence"], '--discord-intents: unknown intent "presence" (known: members, presences)'],
    [["--discord-intents", ""], "--discord-intents needs a comma list of: members, presences"],
  ];
  for (const [args, line] of cases) {
    const bot = runCli(t, ["start", "--data-dir", data, ...args]);
    const exit = await Promise.race([bot.exited, new Promise<{ code: string }>((r) => setTimeout(() => r({ code: "still running" }), 5000))]);
    assert.equal(exit.code, 1, args.join(" "));
    assert.equal(bot.stderrText, `cogwheel: ${line}\n`, args.join(" "));
    assert.deepEqual(bot.stdout, [], "nothing started");
  }
});

test("AppOptions.discordIntents is checked up front and reaches the Discord adapter", () => {
  const base = { dataDir: "x", logger: pino({ enabled: false }) };
  assert.throws(() => resolveAppOptions({ ...base, discordIntents: { members: true, typing: true } as never }), {
    code: "ERR_APP_OPTION",
    message: "unknown option discordIntents.typing (known: members, presences)",
  });
  assert.throws(() => resolveAppOptions({ ...base, discordIntents: { presences: 1 } as never }), {
    code: "ERR_APP_OPTION",
    message: "discordIntents.presences must be true or false",
  });
  const resolved = resolveAppOptions({ ...base, discordToken: "t", discordIntents: { presences: true } });
  assert.deepEqual(resolved.discordIntents, { members: false, presences: true });
  assert.deepEqual(createAdapter(resolved).intents(), { members: false, presences: true });
  assert.deepEqual(resolveAppOptions(base).discordIntents, { members: false, presences: false });
  assert.equal(createAdapter(resolveAppOptions(base)).kind, "console");
});

test(
  "--discord-intents members,presences: IDENTIFY asks for GuildMembers and GuildPresences",
  { timeout: 30_000 },
  async (t) => {
    const fake = await FakeDiscord.start();
    t.after(() => fake.close());
    const bot = runCli(t, ["start", "--discord-intents", "members,presences", "--data-dir", tempDir(t)], {
      DISCORD_TOKEN: fake.token,
      COGWHEEL_DISCORD_API_URL: fake.restApiUrl,
    });
    const [identify] = await fake.waitFor(() => (fake.framesOf("in", 2).length > 0 ? fake.framesOf("in", 2) : null), 15000, "IDENTIFY");
    // Guilds | GuildMembers | GuildMessages | GuildPresences | DirectMessages | MessageContent
    assert.equal((identify!.payload.d as { intents: number }).intents, 1 | 2 | 256 | 512 | 4096 | 32768);
    assert.deepEqual(await bot.stop(), { code: 0, signal: null });
  },
);
