// The whole bot in Discord mode: the real CLI, real discord.js, the loopback Discord stand-in.
import assert from "node:assert/strict";
import { test } from "node:test";
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
