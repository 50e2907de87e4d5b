// CORE__METRICS's calls per second and the CORE__METRICS stateful topic (the web console's
// status chart), on a real bot with a real RPC server on port 0.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CallRate } from "../../src/rpc/call-rate.ts";
import { startBot } from "../support/bot.ts";
import { connect } from "../support/rpc.ts";
import { sleep } from "../support/wait.ts";

const KEYS = ["uptime_s", "rss_bytes", "heap_used_bytes", "rpc_connections", "rpc_calls_per_s", "event_loop_delay_ms"];

test("CallRate counts the calls of the last closed one-second window, with a timer only while calls come in", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const rate = new CallRate();
  t.after(() => rate.dispose());
  rate.add(3);
  rate.add(2);
  assert.equal(rate.perSecond(), 0, "the first window is still open");
  t.mock.timers.tick(999);
  rate.add(1);
  t.mock.timers.tick(1);
  assert.equal(rate.perSecond(), 6);
  rate.add(4);
  t.mock.timers.tick(999);
  assert.equal(rate.perSecond(), 6, "the same all through the next window");
  t.mock.timers.tick(1);
  assert.equal(rate.perSecond(), 4);
  t.mock.timers.tick(1000);
  assert.equal(rate.perSecond(), 0, "a window with no calls");
  t.mock.timers.tick(5000);
  assert.equal(rate.perSecond(), 0);
  rate.add(1);
  t.mock.timers.tick(1000);
  assert.equal(rate.perSecond(), 1, "a new call after a quiet spell opens a window again");
});

test("CORE__METRICS counts the RPC requests answered in the last one-second window, batch items and errors included", async (t) => {
  const { bot } = await startBot(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  await sleep(2100); // the start-up's own calls (none here, but be sure) are out of the windows
  const opened = Date.now();
  for (let i = 0; i < 17; i++) await client.call("GET_METHODS");
  assert.equal((await client.call("NO_SUCH_METHOD")).error.code, -32601);
  client.send([
    { jsonrpc: "2.0", id: "a", method: "CORE__NAME" },
    { jsonrpc: "2.0", method: "CORE__NAME" },
  ]);
  assert.equal((await client.nextJson()).length, 1);
  assert.ok(Date.now() - opened < 900, "the calls fit in one window");
  await sleep(opened + 1150 - Date.now());
  const metrics = (await client.call("CORE__METRICS")).result;
  assert.deepEqual(Object.keys(metrics), KEYS);
  assert.equal(metrics.rpc_calls_per_s, 20);
  await sleep(opened + 2150 - Date.now());
  // The second window held only the CORE__METRICS call above.
  assert.equal((await client.call("CORE__METRICS")).result.rpc_calls_per_s, 1);
});

test("the CORE__METRICS topic pushes the metrics once a second only while subscribed, and stores the latest for new subscribers", async (t) => {
  const { bot } = await startBot(t, { rpc: true });
  const intervals: number[] = [];
  const realSetInterval = globalThis.setInterval;
  // Counts the 1 s timers started from now on: there must be one only while someone listens.
  t.mock.method(globalThis, "setInterval", ((fn: () => void, ms: number) => {
    if (ms === 1000) intervals.push(ms);
    return realSetInterval(fn, ms);
  }) as typeof setInterval);
  const first = await connect(t, bot.rpc);
  const second = await connect(t, bot.rpc);
  assert.ok(bot.rpc.topics.names().includes("CORE__METRICS"));
  await sleep(1200);
  assert.equal(intervals.length, 0, "no timer without subscribers");

  assert.deepEqual((await first.call("SUBSCRIBE", ["CORE__METRICS"])).result, ["CORE__METRICS"]);
  const fresh = await first.nextJson(500);
  assert.equal(fresh.method, "CORE__METRICS");
  assert.deepEqual(Object.keys(fresh.params), KEYS);
  assert.equal(fresh.params.rpc_connections, 2);
  assert.equal(intervals.length, 1);
  const tick = await first.nextJson(1500);
  assert.equal(tick.method, "CORE__METRICS");
  assert.deepEqual(Object.keys(tick.params), KEYS);

  // A second subscriber gets the stored state right after its reply, without waiting a tick.
  second.send({ jsonrpc: "2.0", id: 1, method: "SUBSCRIBE", params: ["CORE__METRICS"] });
  assert.deepEqual(await second.nextJson(), { jsonrpc: "2.0", id: 1, result: ["CORE__METRICS"] });
  const stored = await second.nextJson(100);
  assert.deepEqual(stored, tick);
  assert.equal(intervals.length, 1, "one timer for all subscribers");

  // The last subscriber leaving (one unsubscribes, the other goes away) stops the pushes.
  await first.call("UNSUBSCRIBE", ["CORE__METRICS"]);
  first.frames.length = 0;
  second.ws.close();
  await second.closed().catch(() => undefined);
  await sleep(50);
  assert.equal(await first.nothingWithin(1500), true, "no push once nobody listens");
  // Back again: fresh numbers at once, not the stale snapshot from before.
  assert.deepEqual((await first.call("SUBSCRIBE", ["CORE__METRICS"])).result, ["CORE__METRICS"]);
  const again = await first.nextJson(500);
  assert.ok(again.params.uptime_s >= tick.params.uptime_s + 1, `uptime ${again.params.uptime_s} after ${tick.params.uptime_s}`);
  assert.equal(again.params.rpc_connections, 1);
  assert.equal(intervals.length, 2);
});
