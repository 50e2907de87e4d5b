// RpcClient against a real RpcServer on port 0: calls, errors, timeouts, batches, topics, drops.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { RpcCallError, RpcConnectionError, RpcTimeoutError } from "../../src/client/index.ts";
import { RpcError } from "../../src/rpc/index.ts";
import { deferred, startServer } from "../support/rpc.ts";
import { eventually, nodeClient, sleep, spyWebSocket } from "../support/client.ts";

test("many calls in flight: each reply reaches its own caller although replies come back out of order", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t);
  const finished: number[] = [];
  server.methods.register(
    "DELAY",
    async (ms: number, value: number) => {
      await sleep(ms);
      finished.push(value);
      return { value };
    },
    { params: ["ms", "value"] },
  );
  const client = nodeClient(t, server.port);
  await client.connect();
  const values = Array.from({ length: 20 }, (_, i) => i);
  const results = await Promise.all(values.map((v) => client.call("DELAY", [(20 - v) * 5, v])));
  assert.deepEqual(results, values.map((value) => ({ value })));
  assert.deepEqual(finished, [...values].reverse(), "the server finished the calls in reverse order");
  assert.equal(client.pendingCount, 0);
});

test("errors reject with RpcCallError carrying exactly the server's code, message and data", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t);
  server.methods.register("PAY", () => {
    throw new RpcError(-32010, "Not enough credits", { balance: 3 });
  });
  server.methods.register("NULLDATA", () => {
    throw new RpcError(42, "Custom", null);
  });
  server.methods.register("TRANSFER", () => 1, { params: ["from", "to", "amount?"] });
  const client = nodeClient(t, server.port);

  const pay = await client.call("PAY").catch((e: unknown) => e);
  assert.ok(pay instanceof RpcCallError);
  assert.deepEqual([pay.code, pay.message, pay.data, pay.method], [-32010, "Not enough credits", { balance: 3 }, "PAY"]);

  const missing = await client.call("NOPE").catch((e: unknown) => e);
  assert.ok(missing instanceof RpcCallError);
  assert.deepEqual([missing.code, missing.message, "data" in missing], [-32601, "Method not found", false]);

  const nullData = await client.call("NULLDATA").catch((e: unknown) => e);
  assert.ok(nullData instanceof RpcCallError);
  assert.deepEqual([nullData.code, nullData.message, "data" in nullData, nullData.data], [42, "Custom", true, null]);

  const params = await client.call("TRANSFER", { from: "a", amout: 5 }).catch((e: unknown) => e);
  assert.ok(params instanceof RpcCallError);
  assert.deepEqual([params.code, params.message, params.data], [-32602, "Invalid params", { missing: ["to"], unknown: ["amout"] }]);
});

test("a call times out with RpcTimeoutError, is forgotten, and its late reply is ignored", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t);
  const hold = deferred<string>();
  server.methods.register("HOLD", () => hold.promise);
  const client = nodeClient(t, server.port, { timeout: 5000 });
  const errors: Error[] = [];
  client.on("error", (e) => errors.push(e));
  const started = Date.now();
  const error = await client.call("HOLD", undefined, { timeout: 100 }).catch((e: unknown) => e);
  assert.ok(error instanceof RpcTimeoutError);
  assert.equal(error.message, "HOLD: no reply within 100 ms");
  assert.equal(error.code, "ERR_RPC_TIMEOUT");
  assert.ok(Date.now() - started < 1000);
  assert.equal(client.pendingCount, 0, "nothing left pending");
  hold.resolve("late");
  assert.deepEqual(await client.call("GET_SUBSCRIPTIONS"), [], "the connection still works after the late reply");
  assert.deepEqual(errors, []);
});

test("notify runs the method and is never answered; its errors are not reported either", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t);
  const seen: unknown[] = [];
  server.methods.register("NOTE", (x: unknown) => void seen.push(x));
  const { Ctor, sent } = spyWebSocket();
  const client = nodeClient(t, server.port, { WebSocket: Ctor });
  const errors: Error[] = [];
  client.on("error", (e) => errors.push(e));
  await client.notify("NOTE", ["hello"]);
  await client.notify("NOPE");
  assert.deepEqual(JSON.parse(sent[0]!), { jsonrpc: "2.0", method: "NOTE", params: ["hello"] });
  await eventually(() => seen.length === 1, 2000, "the notification to run");
  assert.deepEqual(seen, ["hello"]);
  assert.deepEqual(await client.call("GET_TOPICS"), []);
  assert.equal(client.pendingCount, 0);
  assert.deepEqual(errors, []);
});

test("batch: one frame, settled results in request order, notifications fulfilled with undefined", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t, { maxBatchSize: 4 });
  const noted: unknown[] = [];
  server.methods.register("SLOW", async (v: unknown) => (await sleep(30), v));
  server.methods.register("FAST", (v: unknown) => v);
  server.methods.register("NOTE", (v: unknown) => void noted.push(v));
  const { Ctor, sent } = spyWebSocket();
  const client = nodeClient(t, server.port, { WebSocket: Ctor });
  const results = await client.batch([
    { method: "SLOW", params: ["first"] },
    { method: "NOTE", params: ["n"], notification: true },
    { method: "NOPE" },
    { method: "FAST", params: ["last"] },
  ]);
  assert.equal(sent.length, 1, "one frame");
  assert.equal(JSON.parse(sent[0]!).length, 4);
  assert.deepEqual(results.slice(0, 2), [{ status: "fulfilled", value: "first" }, { status: "fulfilled", value: undefined }]);
  assert.equal(results[2]!.status, "rejected");
  const reason = (results[2] as PromiseRejectedResult).reason as RpcCallError;
  assert.ok(reason instanceof RpcCallError);
  assert.deepEqual([reason.code, reason.message, reason.method], [-32601, "Method not found", "NOPE"]);
  assert.deepEqual(results[3], { status: "fulfilled", value: "last" });
  assert.deepEqual(noted, ["n"]);

  assert.deepEqual(await client.batch([{ method: "NOTE", params: [1], notification: true }]), [{ status: "fulfilled", value: undefined }]);

  const tooLarge = await client.batch(Array.from({ length: 5 }, () => ({ method: "FAST", params: [1] }))).catch((e: unknown) => e);
  assert.ok(tooLarge instanceof RpcCallError);
  assert.deepEqual([tooLarge.code, tooLarge.message, tooLarge.data], [-32600, "Invalid Request", { reason: "batch too large", limit: 4 }]);
  await assert.rejects(client.batch([]), TypeError);
  assert.equal(client.pendingCount, 0);
});

test("subscribe: SUBSCRIBE once per topic, stored state to the first handler, UNSUBSCRIBE when the last handler goes", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t);
  const news = server.topics.register("NEWS");
  news.publish({ headline: "stored" }, { state: true });
  const { Ctor, sent } = spyWebSocket();
  const client = nodeClient(t, server.port, { WebSocket: Ctor });
  const a: unknown[] = [];
  const b: unknown[] = [];
  const subA = client.subscribe("news", (data, topic) => a.push([topic, data]));
  assert.equal(await subA.ready, true);
  await eventually(() => a.length === 1, 2000, "the stored state");
  assert.deepEqual(a, [["NEWS", { headline: "stored" }]]);
  const subB = client.subscribe("NEWS", (data) => b.push(data));
  assert.equal(await subB.ready, true);
  assert.equal(news.subscriberCount, 1);

  assert.equal(news.publish({ headline: "live" }), 1);
  await eventually(() => a.length === 2 && b.length === 1, 2000, "the push to both handlers");
  assert.deepEqual(b, [{ headline: "live" }], "a later handler gets later pushes only");

  subA.dispose();
  subA.dispose();
  await sleep(50);
  assert.equal(news.subscriberCount, 1, "one handler left: still subscribed");
  subB.dispose();
  await eventually(() => news.subscriberCount === 0, 2000, "UNSUBSCRIBE");
  news.publish("after");
  await sleep(50);
  assert.equal(a.length + b.length, 3, "no handler runs after dispose");

  const methods = sent.map((f) => JSON.parse(f)).map((m: { method: string; params: unknown }) => [m.method, m.params]);
  assert.deepEqual(methods, [["SUBSCRIBE", ["news"]], ["UNSUBSCRIBE", ["news"]]]);

  const unknown = client.subscribe("NO_SUCH_TOPIC", () => {});
  assert.equal(await unknown.ready, false, "a topic the server does not know");
  unknown.dispose();
  assert.deepEqual(client.topics, []);
});

test("every pending call is rejected with a connection error when the server goes away", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t, { shutdownGraceMs: 50 });
  server.methods.register("HANG", () => new Promise(() => {}));
  const client = nodeClient(t, server.port);
  const disconnects: unknown[] = [];
  client.on("disconnect", (info) => disconnects.push(info));
  await client.connect();
  const calls = [client.call("HANG"), client.call("HANG", [1]), client.batch([{ method: "HANG" }, { method: "HANG" }])].map((p) => p.catch((e: unknown) => e));
  await sleep(50);
  assert.equal(client.pendingCount, 3);
  await server.close();
  const errors = await Promise.all(calls);
  for (const error of errors) {
    assert.ok(error instanceof RpcConnectionError, String(error));
    assert.equal(error.code, "ERR_RPC_DISCONNECTED");
    assert.equal(error.closeCode, 1001);
  }
  assert.equal(client.pendingCount, 0);
  assert.deepEqual(disconnects, [{ code: 1001, reason: "server shutting down", willReconnect: false }]);
  assert.equal(client.state, "idle");
});

test("connect failure: a clear RpcConnectionError, and calls waiting for the connection fail with it", { timeout: 10_000 }, async (t) => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const client = nodeClient(t, port);
  const call = client.call("GET_METHODS").catch((e: unknown) => e);
  const error = await client.connect().catch((e: unknown) => e);
  assert.ok(error instanceof RpcConnectionError);
  assert.equal(error.code, "ERR_RPC_CONNECT");
  assert.equal(error.message, `could not connect to ws://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}`);
  assert.equal(await call, error);
  assert.equal(client.pendingCount, 0);
  assert.equal(client.state, "idle");
});

test("close(): safe twice, rejects what is pending, later calls fail with ERR_RPC_CLOSED", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t);
  server.methods.register("HANG", () => new Promise(() => {}));
  const client = nodeClient(t, server.port);
  const disconnects: unknown[] = [];
  const connects: number[] = [];
  client.on("disconnect", (info) => disconnects.push(info));
  const listener = client.on("connect", () => connects.push(1));
  await client.connect();
  await client.connect();
  listener.dispose();
  const pending = client.call("HANG").catch((e: unknown) => e);
  await sleep(20);
  const first = client.close();
  const second = client.close();
  assert.equal(first, second);
  await Promise.all([first, second]);
  const error = await pending;
  assert.ok(error instanceof RpcConnectionError);
  assert.equal(error.code, "ERR_RPC_CLOSED");
  await assert.rejects(client.call("GET_METHODS"), { code: "ERR_RPC_CLOSED" });
  await assert.rejects(client.connect(), { code: "ERR_RPC_CLOSED" });
  assert.throws(() => client.subscribe("X", () => {}), { code: "ERR_RPC_CLOSED" });
  assert.equal(client.state, "closed");
  assert.deepEqual(connects, [1]);
  assert.deepEqual(disconnects, [{ code: 1000, reason: "client closed", willReconnect: false }]);
  await eventually(() => server.connectionCount === 0, 2000, "the server to see the close");

  const never = nodeClient(t, server.port);
  await never.close();
  await never.close();
  assert.equal(never.state, "closed");
});

test("a subscription that could not be made is forgotten, so subscribing again asks the server again", async (t) => {
  const server = await startServer(t);
  const port = server.port;
  await server.close();
  const client = nodeClient(t, port, { connectTimeout: 1000 });
  const subscription = client.subscribe("CORE__STATUS", () => {});
  await assert.rejects(subscription.ready);
  assert.deepEqual(client.topics, []);
});

test("topic names fold ASCII letters only: a look-alike name is a different topic, refused by the server", async (t) => {
  const server = await startServer(t);
  const topic = server.topics.register("STATUS");
  const client = nodeClient(t, server.port);
  const real: unknown[] = [];
  const fake: unknown[] = [];
  assert.equal(await client.subscribe("status", (data) => real.push(data)).ready, true);
  assert.equal(await client.subscribe("STATUſ", (data) => fake.push(data)).ready, false);
  topic.publish(1);
  await eventually(() => real.length === 1, 2000, "the push");
  await sleep(50);
  assert.deepEqual([real, fake], [[1], []]);
});
