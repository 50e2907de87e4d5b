// `--rpc-auth token` end to end: the token file, 401 without it, removal on exit.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { connectTo, upgradeStatus } from "../support/rpc.ts";
import { LISTENING, runCli, tempDir, type BotProcess } from "../support/cli.ts";

/** Waits for the start-up line, which follows the token file's creation; returns the RPC port. */
async function startedWithToken(bot: BotProcess): Promise<number> {
  const port = await bot.rpcPort();
  assert.ok(bot.logs.some((l) => l.msg === LISTENING && l.auth === "token"), "the listening line says token auth");
  return port;
}

test("--rpc-auth token: a fresh 0600 token file replaces a looser one, gates the upgrade, and goes on exit", async (t) => {
  const data = tempDir(t);
  const file = join(data, "rpc.token");
  writeFileSync(file, "stale\n", { mode: 0o644 });
  const oldInode = statSync(file).ino;
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-auth", "token", "--data-dir", data]);
  const port = await startedWithToken(bot);
  const token = readFileSync(file, "utf8");
  assert.match(token, /^[0-9a-f]{64}\n$/, JSON.stringify(token));
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.notEqual(statSync(file).ino, oldInode, "a new file was renamed into place, not the old one rewritten");
  const line = bot.logs.find((l) => l.msg === LISTENING);
  assert.equal(line?.auth, "token");
  assert.equal(line?.tokenFile, file);
  assert.ok(!bot.stderrText.includes(token.trim()), "the token is not logged");

  assert.equal((await upgradeStatus(port, {})).status, 401);
  assert.equal((await upgradeStatus(port, { Authorization: `Bearer ${"0".repeat(64)}` })).status, 401);
  assert.equal((await upgradeStatus(port, { Authorization: `Bearer ${token.trim()}` })).status, 101);

  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
  assert.equal(existsSync(file), false, "the token file is removed on a clean exit");
});

test("each start gets a new token", async (t) => {
  const data = tempDir(t);
  const tokens: string[] = [];
  for (let i = 0; i < 2; i++) {
    const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-auth", "token", "--data-dir", data]);
    await startedWithToken(bot);
    tokens.push(readFileSync(join(data, "rpc.token"), "utf8"));
    await bot.stop();
  }
  assert.notEqual(tokens[0], tokens[1]);
});

test("without --rpc-auth the log says that no auth is on, and no token file is written", async (t) => {
  const data = tempDir(t);
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data]);
  const port = await bot.rpcPort();
  const line = bot.logs.find((l) => l.msg === LISTENING);
  assert.deepEqual([line?.auth, line?.note, line?.tokenFile], ["none", "any local program may connect", undefined]);
  assert.equal(existsSync(join(data, "rpc.token")), false);
  assert.equal((await upgradeStatus(port, {})).status, 101);
  await bot.stop();
});

test("a second start that fails (port in use) leaves the running bot's token file alone", async (t) => {
  const data = tempDir(t);
  const first = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-auth", "token", "--data-dir", data]);
  const port = await startedWithToken(first);
  const token = readFileSync(join(data, "rpc.token"), "utf8").trim();
  const second = runCli(t, ["start", "--rpc", "--rpc-port", String(port), "--rpc-auth", "token", "--data-dir", data]);
  assert.equal((await second.exited).code, 1);
  assert.equal(readFileSync(join(data, "rpc.token"), "utf8").trim(), token);
  assert.equal((await upgradeStatus(port, { Authorization: `Bearer ${token}` })).status, 101);
  assert.deepEqual(await first.stop(), { code: 0, signal: null });
});

test("one \"listening\" line, written once the token file holds the token that authenticates", async (t) => {
  const data = tempDir(t);
  const file = join(data, "rpc.token");
  writeFileSync(file, `${"0".repeat(64)}\n`, { mode: 0o600 }); // what a killed earlier run leaves behind
  // At debug level too: no other line may say "listening" (the server's own is neutral).
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-auth", "token", "--data-dir", data, "--log-level", "debug"]);
  // The file as it is in the very turn the line is read, before anything else can run.
  let tokenAtLine: string | null | undefined;
  let partial = "";
  bot.child.stderr.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      if (line.includes("listening") && tokenAtLine === undefined) tokenAtLine = existsSync(file) ? readFileSync(file, "utf8") : null;
    }
  });
  const port = await bot.rpcPort();
  assert.ok(tokenAtLine !== undefined && tokenAtLine !== null, "the token file exists when the line is read");
  assert.match(tokenAtLine, /^[0-9a-f]{64}\n$/);
  assert.notEqual(tokenAtLine.trim(), "0".repeat(64), "not the stale token");
  const client = await connectTo(t, port, { headers: { Authorization: `Bearer ${tokenAtLine.trim()}` } });
  assert.ok((await client.call("GET_METHODS")).result.includes("GET_METHODS"));
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
  const listening = bot.stderrText.split("\n").filter((l) => l.includes("listening"));
  assert.equal(listening.length, 1, listening.join("\n"));
  assert.ok(bot.logs.some((l) => l.msg === "RPC server bound to 127.0.0.1" && l.level === 20), "the server's own line is at debug level");
});
