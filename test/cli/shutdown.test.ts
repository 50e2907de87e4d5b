// SIGTERM with clients mid-call and subscribed: calls finish and are answered, then 1001, exit 0.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connectTo } from "../support/rpc.ts";
import { runCli, tempDir } from "../support/cli.ts";
import { writeSlowPackage } from "../support/packages.ts";

test("SIGTERM: in-flight calls get their replies, subscribers and callers get 1001, the process exits 0 promptly", async (t) => {
  const cogs = tempDir(t);
  writeSlowPackage(cogs);
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", tempDir(t), "--cog-path", cogs]);
  const port = await bot.rpcPort();
  const caller = await connectTo(t, port);
  const subscriber = await connectTo(t, port);
  assert.deepEqual((await caller.call("CORE__LOAD", [["slow"]])).result.loaded_packages, ["slow"]);
  await subscriber.call("SUBSCRIBE", ["CORE__STATUS", "CORE__PACKAGES"]);
  const callerClosed = caller.closed(10000);
  const subscriberClosed = subscriber.closed(10000);

  const calls = [300, 800, 1200].map((ms, i) => {
    caller.send({ jsonrpc: "2.0", id: `w${i}`, method: "SLOW__WAIT", params: [ms] });
    return ms;
  });
  await new Promise((r) => setTimeout(r, 100)); // the calls have started
  const started = Date.now();
  bot.child.kill("SIGTERM");
  const exit = await bot.exited;
  const elapsed = Date.now() - started;

  assert.deepEqual(exit, { code: 0, signal: null });
  assert.ok(elapsed >= 1000, `the bot waited for the slowest call (${elapsed} ms)`);
  assert.ok(elapsed < 5000, `and exited promptly (${elapsed} ms)`);
  const replies = caller.frames.map((f) => JSON.parse(f) as { id?: string; result?: string }).filter((f) => f.id?.startsWith("w"));
  assert.deepEqual(
    replies.map((r) => [r.id, r.result]).sort(),
    calls.map((ms, i) => [`w${i}`, `done after ${ms}`]),
  );
  assert.equal((await callerClosed).code, 1001);
  assert.equal((await subscriberClosed).code, 1001);
});
