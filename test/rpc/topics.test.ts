// Topics: only subscribers get pushes, state reaches new subscribers right after the reply,
// one encode per publish, subscriptions end with the connection or the topic (whose removal the
// subscriber is told of; reloads are in topic-reload.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect, startServer } from "../support/rpc.ts";

test("a push is a JSON-RPC notification sent only to subscribed connections", async (t) => {
  const server = await startServer(t);
  const topic = server.topics.register("ECONOMY__BALANCE_CHANGED");
  const subscriber = await connect(t, server);
  const bystander = await connect(t, server);
  await subscriber.call("SUBSCRIBE", ["ECONOMY__BALANCE_CHANGED"]);
  assert.equal(topic.publish({ member_id: "42", balance: 7 }), 1);
  assert.equal(await subscriber.next(), '{"jsonrpc":"2.0","method":"ECONOMY__BALANCE_CHANGED","params":{"member_id":"42","balance":7}}');
  assert.equal(await bystander.nothingWithin(100), true);
  await subscriber.call("UNSUBSCRIBE", ["ECONOMY__BALANCE_CHANGED"]);
  assert.equal(topic.publish({ member_id: "42", balance: 8 }), 0);
  assert.equal(await subscriber.nothingWithin(100), true);
});

test("stored state is delivered to a new subscriber right after its SUBSCRIBE reply", async (t) => {
  const server = await startServer(t);
  const status = server.topics.register("CORE__STATUS");
  status.publish({ connected: false }, { state: true });
  status.publish({ connected: true }, { state: true });
  status.publish({ transient: true }); // not stored
  const client = await connect(t, server);
  client.send({ jsonrpc: "2.0", id: 1, method: "SUBSCRIBE", params: ["CORE__STATUS"] });
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: 1, result: ["CORE__STATUS"] });
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", method: "CORE__STATUS", params: { connected: true } });
  client.send({ jsonrpc: "2.0", id: 2, method: "SUBSCRIBE", params: ["CORE__STATUS"] });
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: 2, result: ["CORE__STATUS"] });
  assert.equal(await client.nothingWithin(100), true, "re-subscribing does not replay the state");
  status.clearState();
  const late = await connect(t, server);
  await late.call("SUBSCRIBE", ["CORE__STATUS"]);
  assert.equal(await late.nothingWithin(100), true);
});

test("state pushes follow the batch reply when SUBSCRIBE is inside a batch", async (t) => {
  const server = await startServer(t);
  server.topics.register("A").publish(1, { state: true });
  const client = await connect(t, server);
  client.send([
    { jsonrpc: "2.0", id: 1, method: "SUBSCRIBE", params: ["A"] },
    { jsonrpc: "2.0", id: 2, method: "GET_TOPICS" },
  ]);
  assert.equal((await client.nextJson()).length, 2);
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", method: "A", params: 1 });
});

test("a publish encodes its data once, whatever the number of subscribers", async (t) => {
  const server = await startServer(t);
  const topic = server.topics.register("TICK");
  const clients = await Promise.all(Array.from({ length: 5 }, () => connect(t, server)));
  for (const client of clients) await client.call("SUBSCRIBE", ["TICK"]);
  let encodes = 0;
  const data = { toJSON: () => (encodes++, { n: 1 }) };
  assert.equal(topic.publish(data), 5);
  for (const client of clients) assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", method: "TICK", params: { n: 1 } });
  assert.equal(encodes, 1);
});

test("publishing data that is not JSON throws at the publisher and sends nothing", async (t) => {
  const server = await startServer(t);
  const topic = server.topics.register("TICK");
  const client = await connect(t, server);
  await client.call("SUBSCRIBE", ["TICK"]);
  assert.throws(() => topic.publish({ f: () => 1 }), TypeError);
  assert.throws(() => topic.publish([Symbol("s")]), TypeError);
  assert.equal(await client.nothingWithin(100), true);
});

test("disposing a topic drops it and its subscriptions; a closed connection is forgotten", async (t) => {
  const server = await startServer(t);
  const topic = server.topics.register("GONE");
  const stays = server.topics.register("STAYS");
  const client = await connect(t, server);
  await client.call("SUBSCRIBE", ["GONE", "STAYS"]);
  topic.dispose();
  assert.equal(await client.next(), '{"jsonrpc":"2.0","method":"UNSUBSCRIBED","params":{"topics":["GONE"],"reason":"removed"}}');
  assert.deepEqual((await client.call("GET_SUBSCRIPTIONS")).result, ["STAYS"]);
  assert.equal(topic.publish(1), 0);
  assert.equal(stays.subscriberCount, 1);
  const closed = client.closed();
  client.ws.close();
  await closed;
  for (let i = 0; i < 50 && stays.subscriberCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(stays.subscriberCount, 0);
});

test("UNSUBSCRIBED is reserved: no topic may push frames that look like the server's notification", async (t) => {
  const server = await startServer(t);
  for (const name of ["UNSUBSCRIBED", "unsubscribed"]) {
    assert.throws(() => server.topics.register(name), (error: Error & { code?: string }) => error.code === "ERR_RPC_INVALID_NAME" && /reserved/.test(error.message));
  }
  assert.deepEqual(server.topics.names(), []);
  server.topics.register("UNSUBSCRIBED_TOO"); // only the exact name is reserved
});

test("a burst published in one turn does not cut off a client that reads: corked output is flushed before judging", async (t) => {
  const server = await startServer(t, { maxBufferedBytes: 64 * 1024 });
  const topic = server.topics.register("BULK");
  const client = await connect(t, server);
  await client.call("SUBSCRIBE", ["BULK"]);
  const chunk = "x".repeat(40 * 1024);
  for (let i = 0; i < 3; i++) topic.publish({ i, chunk });
  for (let i = 0; i < 3; i++) assert.equal((await client.nextJson()).params.i, i);
  assert.equal(client.ws.readyState, client.ws.OPEN);
  assert.equal(topic.subscriberCount, 1);
});
