// The acceptance test of the `dashboard` package: Red-Dashboard's web app (AAA3A fork, 1.7.x)
// replayed by dashboard_replay.py, in its own style (websocket-client, one socket, lock-step,
// id 0, int ids), against the real bot started by the CLI, on Discord (the loopback stand-in)
// and in console mode, set up as docs/dashboard.md tells a user to.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BotProcess, runCli, tempDir } from "../support/cli.ts";
import { FakeDiscord, IDS } from "../support/fake-discord.ts";
import { requireWebsocketClient, runPython } from "../support/python.ts";

const SCRIPT = fileURLToPath(new URL("./dashboard_replay.py", import.meta.url));
const SECRET = "replay-client-secret-0123456789ab";
const REDIRECT = "http://127.0.0.1:42356/callback";

/** Every page the replay walks, in order. */
const PAGES = [
  "ok start-up (GET_DATA, GET_VARIABLES)",
  "ok version poll",
  "ok /commands",
  "ok /login",
  "ok /dashboard",
  "ok /dashboard/<guild>",
  "ok /admin",
  "ok settings saved and restored",
  "ok third parties, webhook",
];

/** Runs the replay; its stdout lines, or a failure showing what it printed (method and field). */
async function replay(port: number, args: string[]): Promise<string[]> {
  // `localhost`, as the web app writes it: websocket-client tries ::1, then 127.0.0.1.
  const run = await runPython([SCRIPT, `ws://localhost:${port}`, ...args], 60_000);
  assert.equal(run.code, 0, `the replay failed:\n${run.stderr}\n${run.stdout}`);
  return run.stdout.trim().split("\n");
}

/** The package's start-up warning that any local RPC client can read the OAuth secret. */
function secretWarning(bot: BotProcess): boolean {
  return bot.logs.some((l) => l.level === 40 && typeof l.msg === "string" && /secret/i.test(l.msg) && /--rpc-auth none/.test(l.msg));
}

test("Discord mode: the web app's start-up and page calls get every field its pages read", { timeout: 120_000 }, async (t) => {
  requireWebsocketClient();
  const fake = await FakeDiscord.start();
  t.after(() => fake.close());
  const bot = runCli(
    t,
    ["start", "--rpc", "--rpc-port", "0", "--rpc-auth", "none", "--discord-intents", "members,presences", "--data-dir", tempDir(t)],
    { DISCORD_TOKEN: fake.token, COGWHEEL_DISCORD_API_URL: fake.restApiUrl },
  );
  const port = await bot.rpcPort(20_000);
  // Ready (READY and the guilds received): messages from now on reach the bot's commands.
  await bot.until(() => (bot.logs.some((l) => l.msg === "discord connected" && l.connected === true) ? true : undefined), 20_000, "Discord");

  // The owner loads the package in a channel and names the guild's mod role (its admin has
  // Administrator), then sets the OAuth settings in a direct message.
  const posts = () => fake.requests.filter((r) => r.method === "POST").map((r) => (r.body as { content?: string }).content ?? "");
  const owner = { authorId: IDS.owner, username: "owner" };
  fake.injectMessage({ content: "!load dashboard", ...owner });
  await fake.waitFor(() => posts().includes("Loaded dashboard."), 15_000, "the owner's load");
  fake.injectMessage({ content: "!set addmodrole Mod", ...owner });
  await fake.waitFor(() => posts().includes("Mod is now a mod role."), 10_000, "the mod role");
  fake.injectMessage({ content: `!dashboard secret ${SECRET}`, guildId: null, ...owner });
  await fake.waitFor(() => posts().includes("Discord OAuth client secret set."), 10_000, "the secret");
  fake.injectMessage({ content: `!dashboard redirect ${REDIRECT}`, guildId: null, ...owner });
  await fake.waitFor(() => posts().includes(`Redirect URI set to ${REDIRECT}.`), 10_000, "the redirect URI");
  assert.ok(secretWarning(bot), "the load warns that any local process can read the OAuth secret");

  // Counts from the stand-in's first guild (fake-discord-guilds.ts), as the guild page shows them.
  const guild = (field: string) => `DASHBOARDRPC__GET_GUILD.${field}`;
  const expect = {
    "DASHBOARDRPC__GET_VARIABLES.stats.guilds": 1,
    [guild("name")]: "Test Guild",
    [guild("owner_id")]: BigInt(IDS.owner),
    [guild("icon_animated")]: true,
    [guild("verification_level")]: "2 - Medium",
    [guild("joined_at")]: Date.parse("2024-01-01T00:00:00.000Z") / 1000,
    [guild("members_number")]: 6,
    [guild("online_number")]: 3,
    [guild("idle_number")]: 1,
    [guild("dnd_number")]: 1,
    [guild("offline_number")]: 1,
    [guild("bots_number")]: 2,
    [guild("humans_number")]: 4,
    [guild("roles_number")]: 5,
  };
  const lines = await replay(port, [
    "--owner", IDS.owner, "--admin", IDS.admin, "--mod", IDS.mod, "--member", IDS.member, "--stranger", IDS.stranger,
    "--guild", IDS.guild, "--bot-id", IDS.bot,
    "--secret", SECRET, "--redirect-uri", REDIRECT,
    "--command", "ping=NONE", "--command", "load=BOT_OWNER", "--command", "set serverprefix=ADMIN",
    // An exact integer in JSON: 1100000000000000002 reaches Python as that int, not a rounded float.
    "--expect", JSON.stringify(expect, (_key, value: unknown) => (typeof value === "bigint" ? `@@${value}@@` : value)).replace(/"@@(\d+)@@"/g, "$1"),
    "--wait", "15", "--leave",
  ]);
  assert.deepEqual(lines, [...PAGES, "ok left the guild"]);
  // LEAVE_GUILD reached Discord; the unchanged profile form renamed nothing.
  assert.ok(fake.requests.some((r) => r.method === "DELETE" && r.path === `/api/v10/users/@me/guilds/${IDS.guild}` && r.status === 204));
  assert.deepEqual(fake.requests.filter((r) => r.method === "PATCH" && r.path === "/api/v10/users/@me"), []);
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});

test("console mode: the methods answer with a bot and no guilds; the secret set by the CLI from stdin", { timeout: 90_000 }, async (t) => {
  requireWebsocketClient();
  const dataDir = tempDir(t);
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-auth", "none", "--owner", IDS.owner, "--data-dir", dataDir]);
  const port = await bot.rpcPort();
  assert.deepEqual(await bot.say("!load dashboard"), ["Loaded dashboard."]);
  assert.ok(secretWarning(bot), "the load warns that any local process can read the OAuth secret");

  const cli = runCli(t, ["dashboard", "oauth", "--port", String(port), "--redirect-uri", REDIRECT, "--data-dir", dataDir]);
  cli.child.stdin.end(`${SECRET}\n`);
  assert.deepEqual(await cli.exited, { code: 0, signal: null }, cli.stderrText);
  assert.ok(!cli.stdout.join("\n").includes(SECRET) && !cli.stderrText.includes(SECRET), "the CLI never prints the secret");

  const lines = await replay(port, [
    "--owner", IDS.owner, "--stranger", IDS.stranger, "--secret", SECRET, "--redirect-uri", REDIRECT,
    "--command", "ping=NONE", "--command", "load=BOT_OWNER",
    "--expect", JSON.stringify({ "DASHBOARDRPC__GET_VARIABLES.stats.guilds": 0, "DASHBOARDRPC__GET_USER_GUILDS.total": 0 }),
    "--wait", "5",
  ]);
  assert.deepEqual(lines, PAGES);
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});
