// One bot per data dir, through the real CLI: a second bot refuses to start; a killed bot's lock
// is taken over; every way out of `cogwheel start` releases the lock.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { connectTo } from "../support/rpc.ts";
import { runCli, tempDir } from "../support/cli.ts";
import { writeSlowPackage } from "../support/packages.ts";

function lockPid(data: string): number {
  return (JSON.parse(readFileSync(join(data, "cogwheel.lock"), "utf8")) as { pid: number }).pid;
}

test("a second bot on the same data dir exits 1 with one line naming the dir and the first bot's pid; the first keeps running", async (t) => {
  const data = tempDir(t);
  const first = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data]);
  const port = await first.rpcPort();
  const client = await connectTo(t, port);
  // The scenario: both bots with economy, one config file between them.
  assert.deepEqual((await client.call("CORE__LOAD", [["economy"]])).result.loaded_packages, ["economy"]);
  assert.equal(lockPid(data), first.child.pid);

  const started = Date.now();
  const second = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data]);
  assert.deepEqual(await second.exited, { code: 1, signal: null });
  assert.ok(Date.now() - started < 10_000, "refused promptly");
  assert.equal(
    second.stderrText,
    `cogwheel: data dir ${data} is in use by another Cogwheel bot (pid ${first.child.pid}); stop it or choose another --data-dir\n`,
  );
  assert.deepEqual(second.stdout, []);

  assert.equal((await client.call("CORE__NAME")).result, "Cogwheel");
  assert.deepEqual(await first.say("!ping"), ["Pong."]);
  assert.equal(lockPid(data), first.child.pid, "the refused bot left the lock alone");
  assert.deepEqual(await first.stop(), { code: 0, signal: null });
  assert.equal(existsSync(join(data, "cogwheel.lock")), false, "released on shutdown");
});

test("a SIGKILLed bot's lock is taken over by the next start, which then holds it", async (t) => {
  const data = tempDir(t);
  const first = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data]);
  await first.rpcPort();
  first.child.kill("SIGKILL");
  assert.deepEqual(await first.exited, { code: null, signal: "SIGKILL" });
  assert.equal(lockPid(data), first.child.pid, "a killed bot cannot release its lock");

  const second = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data]);
  const port = await second.rpcPort();
  assert.equal(lockPid(data), second.child.pid);
  const warning = second.logs.find((l) => l.msg === "took over a data dir lock left by a bot that is no longer running");
  assert.deepEqual([warning?.level, warning?.previousPid, warning?.lockFile], [40, first.child.pid, join(data, "cogwheel.lock")]);
  const client = await connectTo(t, port);
  assert.equal((await client.call("CORE__NAME")).result, "Cogwheel");
  assert.deepEqual(await second.stop(), { code: 0, signal: null });
  assert.equal(existsSync(join(data, "cogwheel.lock")), false);
});

test("a start that fails after taking the lock (port in use) releases it", async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const data = tempDir(t);
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", String(port), "--data-dir", data]);
  assert.equal((await bot.exited).code, 1);
  assert.ok(existsSync(join(data, "config")), "the bot got as far as opening its config");
  assert.equal(existsSync(join(data, "cogwheel.lock")), false);
  // So the next start on this dir is not refused, and not a takeover either.
  const next = runCli(t, ["start", "--data-dir", data]);
  assert.deepEqual(await next.say("!ping"), ["Pong."]);
  assert.equal(next.logs.some((l) => typeof l.msg === "string" && l.msg.startsWith("took over")), false);
  assert.deepEqual(await next.stop(), { code: 0, signal: null });
});

test("the shutdown command releases the lock", async (t) => {
  const data = tempDir(t);
  const bot = runCli(t, ["start", "--data-dir", data]);
  assert.deepEqual(await bot.say("!shutdown"), ["Shutting down..."]);
  assert.deepEqual(await bot.exited, { code: 0, signal: null });
  assert.equal(existsSync(join(data, "cogwheel.lock")), false);
});

test("a second signal during a slow shutdown exits 1 at once and still releases the lock", async (t) => {
  const cogs = tempDir(t);
  writeSlowPackage(cogs);
  const data = tempDir(t);
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data, "--cog-path", cogs]);
  const client = await connectTo(t, await bot.rpcPort());
  assert.deepEqual((await client.call("CORE__LOAD", [["slow"]])).result.loaded_packages, ["slow"]);
  client.send({ jsonrpc: "2.0", id: 1, method: "SLOW__WAIT", params: [4000] }); // holds the graceful shutdown
  await new Promise((r) => setTimeout(r, 100));
  bot.child.kill("SIGTERM");
  await bot.until(() => bot.logs.find((l) => l.msg === "shutting down"), 5000, "the graceful shutdown");
  bot.child.kill("SIGTERM");
  assert.deepEqual(await bot.exited, { code: 1, signal: null });
  assert.ok(bot.logs.some((l) => l.msg === "second signal: exiting now"));
  assert.equal(existsSync(join(data, "cogwheel.lock")), false);
});
