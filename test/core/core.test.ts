// Core's RPC methods and stateful topics, on a real bot with a real RPC server on port 0.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "../support/rpc.ts";
import { startBot } from "../support/bot.ts";
import { bundledPackages } from "../support/packages.ts";

test("CORE__STATUS, CORE__PACKAGES and CORE__METHODS give their state on subscribe and push every change", async (t) => {
  const { bot } = await startBot(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  client.send({ jsonrpc: "2.0", id: 1, method: "SUBSCRIBE", params: ["CORE__STATUS", "CORE__PACKAGES", "CORE__METHODS"] });
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: 1, result: ["CORE__STATUS", "CORE__PACKAGES", "CORE__METHODS"] });
  const initial = [await client.nextJson(), await client.nextJson(), await client.nextJson()];
  assert.deepEqual(initial[0], {
    jsonrpc: "2.0",
    method: "CORE__STATUS",
    params: { name: "Cogwheel", prefixes: ["!"], connected: true, adapter: "discord", user: { id: "999", name: "Cogwheel" } },
  });
  const available = bundledPackages();
  assert.deepEqual(initial[1], { jsonrpc: "2.0", method: "CORE__PACKAGES", params: { loaded: [], failed: {}, available } });
  assert.ok(initial[2].params.includes("CORE__LOAD"));

  assert.deepEqual((await client.call("CORE__PREFIXES", [["?", "!!"]])).result, ["!!", "?"]);
  assert.deepEqual((await client.nextJson()).params.prefixes, ["!!", "?"]);
  assert.equal((await client.call("CORE__NAME", { name: "Gearbox" })).result, "Gearbox");
  assert.equal((await client.nextJson()).params.name, "Gearbox");

  await client.call("CORE__LOAD", [["economy"]]);
  const pushes = [await client.nextJson(), await client.nextJson()].sort((a, b) => a.method.localeCompare(b.method));
  assert.equal(pushes[0].method, "CORE__METHODS");
  assert.ok(pushes[0].params.includes("ECONOMY__BALANCE"));
  assert.deepEqual(pushes[1], { jsonrpc: "2.0", method: "CORE__PACKAGES", params: { loaded: ["economy"], failed: {}, available } });
  assert.equal(await client.nothingWithin(100), true, "one METHODS push for the whole load, not one per method");
});

test("Core methods validate their parameters with -32602 and report versions", async (t) => {
  const { bot } = await startBot(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  assert.deepEqual((await client.call("CORE__LOAD", "general")).error, {
    code: -32602,
    message: "Invalid params",
    data: { errors: [{ path: "/pkg_names", message: "must be array" }] },
  });
  assert.deepEqual((await client.call("CORE__NAME", ["x"])).error.data, { errors: [{ path: "/name", message: "must NOT have fewer than 2 characters" }] });
  assert.equal((await client.call("CORE__PREFIXES", [[]])).error.code, -32602);
  assert.equal((await client.call("CORE__PREFIXES", [["has space"]])).error.code, -32602);
  const versions = (await client.call("CORE__VERSION_INFO")).result;
  assert.deepEqual(Object.keys(versions), ["cogwheel", "discord_js", "node"]);
  assert.match(versions.discord_js, /^14\./);
  assert.equal(versions.node, process.version);
  assert.equal((await client.call("CORE__INVITE_URL")).result, null);
  assert.equal((await client.call("GET_METHOD_INFO", ["CORE__LOAD"])).result.startsWith("Loads packages by name."), true);
});

test("CORE__METRICS reports memory, connections and the event loop's delay, and can reset it", async (t) => {
  const { bot } = await startBot(t, { rpc: true });
  const client = await connect(t, bot.rpc);
  await new Promise((r) => setTimeout(r, 100));
  const first = (await client.call("CORE__METRICS", [true])).result;
  assert.deepEqual(Object.keys(first), ["uptime_s", "rss_bytes", "heap_used_bytes", "rpc_connections", "rpc_calls_per_s", "event_loop_delay_ms"]);
  assert.equal(first.rpc_connections, 1);
  assert.ok(first.rss_bytes > 0 && first.heap_used_bytes > 0);
  assert.ok(first.event_loop_delay_ms.samples > 0);
  await new Promise((r) => setTimeout(r, 50)); // after a reset, the histogram needs one tick as a baseline
  const blockedUntil = Date.now() + 120;
  while (Date.now() < blockedUntil); // block the loop the bot runs on (the same process here)
  await new Promise((r) => setTimeout(r, 30));
  const second = (await client.call("CORE__METRICS")).result;
  assert.ok(second.event_loop_delay_ms.max >= 100, `max ${second.event_loop_delay_ms.max} ms after a 120 ms block`);
  assert.equal((await client.call("CORE__METRICS", ["yes"])).error.code, -32602);
});
