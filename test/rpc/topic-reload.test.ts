// Topics outlive reloads (DESIGN §4): under a hold, a disposed topic's subscribers and state are
// parked by name and taken over by the next registration of that name; a name not registered
// again by the release is removed for good, and each of its subscribers is told once.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Subscriber, TopicEntry } from "../../src/rpc/topics.ts";
import { TopicRegistry, UNSUBSCRIBED_NOTIFICATION, UNSUBSCRIBED_REASON_REMOVED } from "../../src/rpc/index.ts";
import { connect, startServer } from "../support/rpc.ts";

const unsubscribed = (...topics: string[]): string =>
  `{"jsonrpc":"2.0","method":"UNSUBSCRIBED","params":{"topics":${JSON.stringify(topics)},"reason":"removed"}}`;

test("the notification's names are exported for clients", () => {
  assert.equal(UNSUBSCRIBED_NOTIFICATION, "UNSUBSCRIBED");
  assert.equal(UNSUBSCRIBED_REASON_REMOVED, "removed");
});

test("a topic registered again under a hold keeps its subscribers, who notice nothing", async (t) => {
  const server = await startServer(t);
  const old = server.topics.register("TICK", { owner: "clock" });
  const client = await connect(t, server);
  await client.call("SUBSCRIBE", ["TICK"]);

  const hold = server.topics.hold();
  t.after(() => hold.dispose());
  old.dispose();
  assert.deepEqual(server.topics.parkedNames(), ["TICK"]);
  // Parked: still this connection's subscription, but not a topic anyone can subscribe to.
  assert.deepEqual((await client.call("GET_SUBSCRIPTIONS")).result, ["TICK"]);
  assert.deepEqual((await client.call("GET_TOPICS")).result, []);
  const other = await connect(t, server);
  assert.deepEqual((await other.call("SUBSCRIBE", ["TICK"])).result, []);
  assert.equal(old.publish(1), 0, "a disposed handle publishes to no one");

  const renewed = server.topics.register("tick", { owner: "clock" });
  assert.deepEqual(server.topics.parkedNames(), []);
  assert.equal(renewed.subscriberCount, 1);
  assert.equal(old.subscriberCount, 0);
  assert.equal(old.publish(2), 0, "nor does it reach its successor's subscribers");
  hold.dispose();

  assert.equal(renewed.publish({ n: 3 }), 1);
  assert.equal(await client.next(), '{"jsonrpc":"2.0","method":"TICK","params":{"n":3}}');
  assert.equal(await client.nothingWithin(150), true, "no UNSUBSCRIBED, no stray push");
  assert.deepEqual((await client.call("GET_SUBSCRIPTIONS")).result, ["TICK"]);
  assert.equal(await other.nothingWithin(0), true);
});

test("stored state survives a reload; a new state from the new registration replaces it", async (t) => {
  const server = await startServer(t);
  const old = server.topics.register("ECONOMY__STATUS");
  old.publish({ v: 1 }, { state: true });
  const early = await connect(t, server);
  await early.call("SUBSCRIBE", ["ECONOMY__STATUS"]);
  assert.equal(await early.next(), '{"jsonrpc":"2.0","method":"ECONOMY__STATUS","params":{"v":1}}');

  const hold = server.topics.hold();
  t.after(() => hold.dispose());
  old.dispose();
  const renewed = server.topics.register("ECONOMY__STATUS");
  old.clearState(); // a disposed handle must not clear its successor's state
  hold.dispose();

  const late = await connect(t, server);
  late.send({ jsonrpc: "2.0", id: 1, method: "SUBSCRIBE", params: ["ECONOMY__STATUS"] });
  assert.equal(await late.next(), '{"jsonrpc":"2.0","id":1,"result":["ECONOMY__STATUS"]}');
  assert.equal(await late.next(), '{"jsonrpc":"2.0","method":"ECONOMY__STATUS","params":{"v":1}}');

  assert.equal(renewed.publish({ v: 2 }, { state: true }), 2);
  for (const client of [early, late]) assert.equal(await client.next(), '{"jsonrpc":"2.0","method":"ECONOMY__STATUS","params":{"v":2}}');
  const later = await connect(t, server);
  await later.call("SUBSCRIBE", ["ECONOMY__STATUS"]);
  assert.equal(await later.next(), '{"jsonrpc":"2.0","method":"ECONOMY__STATUS","params":{"v":2}}');
  assert.equal(await early.nothingWithin(100), true);
});

test("state is kept under a hold even when the topic has no subscribers", async (t) => {
  const server = await startServer(t);
  const old = server.topics.register("S");
  old.publish("kept", { state: true });
  const hold = server.topics.hold();
  t.after(() => hold.dispose());
  old.dispose();
  server.topics.register("S");
  hold.dispose();
  const client = await connect(t, server);
  await client.call("SUBSCRIBE", ["S"]);
  assert.equal(await client.next(), '{"jsonrpc":"2.0","method":"S","params":"kept"}');
});

test("on release, each connection gets one UNSUBSCRIBED listing every topic it lost", async (t) => {
  const server = await startServer(t);
  const [a, b, c] = ["A", "B", "C"].map((name) => server.topics.register(name, { owner: "pkg" }));
  const d = server.topics.register("D");
  a!.publish("state of A", { state: true });
  const two = await connect(t, server); // subscribed to two of the three removed topics
  const three = await connect(t, server);
  const bystander = await connect(t, server);
  await two.call("SUBSCRIBE", ["D", "A", "B"]);
  await three.call("SUBSCRIBE", ["C", "B", "A"]);
  await bystander.call("SUBSCRIBE", ["D"]);
  two.frames.length = 0;
  three.frames.length = 0;

  const hold = server.topics.hold();
  t.after(() => hold.dispose());
  a!.dispose();
  b!.dispose();
  c!.dispose();
  assert.equal(await two.nothingWithin(100), true, "nothing is said while the hold is open");
  hold.dispose();

  // Names in the order the topics were removed, whatever the order of subscription.
  assert.equal(await two.next(), unsubscribed("A", "B"));
  assert.equal(await three.next(), unsubscribed("A", "B", "C"));
  assert.equal(await two.nothingWithin(150), true, "exactly one frame");
  assert.equal(await three.nothingWithin(0), true, "exactly one frame");
  assert.equal(await bystander.nothingWithin(0), true);
  assert.deepEqual((await two.call("GET_SUBSCRIPTIONS")).result, ["D"]);
  assert.deepEqual((await three.call("GET_SUBSCRIPTIONS")).result, []);
  assert.deepEqual(server.topics.parkedNames(), []);
  assert.equal(d.publish(1), 2);

  // Removed for good: a later registration of the name starts afresh, without state.
  const again = server.topics.register("A");
  assert.equal(again.subscriberCount, 0);
  const fresh = await connect(t, server);
  await fresh.call("SUBSCRIBE", ["A"]);
  assert.equal(await fresh.nothingWithin(100), true);
});

test("a topic disposed with no hold open is removed at once, its subscribers told", async (t) => {
  const server = await startServer(t);
  const gone = server.topics.register("GONE");
  server.topics.register("STAYS");
  const client = await connect(t, server);
  await client.call("SUBSCRIBE", ["GONE", "STAYS"]);
  gone.dispose();
  assert.equal(await client.next(), unsubscribed("GONE"));
  assert.deepEqual(server.topics.parkedNames(), []);
  assert.deepEqual((await client.call("GET_SUBSCRIPTIONS")).result, ["STAYS"]);
  gone.dispose(); // twice: harmless, nothing more is sent
  assert.equal(await client.nothingWithin(100), true);
});

test("removing an owner tells each connection once, however many of its topics it had", async (t) => {
  const server = await startServer(t);
  server.topics.register("ECONOMY__A", { owner: "economy" });
  server.topics.register("ECONOMY__B", { owner: "economy" });
  server.topics.register("GENERAL__C", { owner: "general" });
  const client = await connect(t, server);
  await client.call("SUBSCRIBE", ["ECONOMY__A", "ECONOMY__B", "GENERAL__C"]);
  assert.equal(server.topics.removeOwner("economy"), 2);
  assert.equal(await client.next(), unsubscribed("ECONOMY__B", "ECONOMY__A")); // newest first
  assert.equal(await client.nothingWithin(100), true);
  assert.deepEqual((await client.call("GET_SUBSCRIPTIONS")).result, ["GENERAL__C"]);
});

test("a topic registered again and disposed again before the release (a failed setup) is removed", async (t) => {
  const server = await startServer(t);
  const old = server.topics.register("TICK");
  const client = await connect(t, server);
  await client.call("SUBSCRIBE", ["TICK"]);
  const hold = server.topics.hold();
  t.after(() => hold.dispose());
  old.dispose();
  const failed = server.topics.register("TICK");
  assert.equal(failed.subscriberCount, 1);
  failed.dispose();
  assert.deepEqual(server.topics.parkedNames(), ["TICK"]);
  hold.dispose();
  assert.equal(await client.next(), unsubscribed("TICK"));
  assert.equal(await client.nothingWithin(100), true);
});

test("holds nest: parked names wait for the last one; releasing twice is harmless", async (t) => {
  const server = await startServer(t);
  const topic = server.topics.register("TICK");
  const client = await connect(t, server);
  await client.call("SUBSCRIBE", ["TICK"]);
  const outer = server.topics.hold();
  t.after(() => outer.dispose());
  const inner = server.topics.hold();
  t.after(() => inner.dispose());
  topic.dispose();
  inner.dispose();
  inner.dispose(); // must not count as the outer hold's release
  assert.deepEqual(server.topics.parkedNames(), ["TICK"]);
  assert.equal(await client.nothingWithin(100), true);
  outer.dispose();
  assert.equal(await client.next(), unsubscribed("TICK"));
  outer.dispose();
  assert.equal(await client.nothingWithin(100), true);
});

test("unsubscribing from a parked topic (any case) means it is neither re-attached nor notified", async (t) => {
  const server = await startServer(t);
  const old = server.topics.register("TICK");
  const client = await connect(t, server);
  await client.call("SUBSCRIBE", ["TICK"]);
  const hold = server.topics.hold();
  t.after(() => hold.dispose());
  old.dispose();
  assert.deepEqual((await client.call("UNSUBSCRIBE", ["tick"])).result, []);
  hold.dispose();
  assert.equal(await client.nothingWithin(100), true);

  const hold2 = server.topics.hold();
  t.after(() => hold2.dispose());
  const second = server.topics.register("TICK");
  await client.call("SUBSCRIBE", ["TICK"]);
  second.dispose();
  await client.call("UNSUBSCRIBE", ["tick"]);
  const third = server.topics.register("TICK");
  hold2.dispose();
  assert.equal(third.subscriberCount, 0);
  assert.equal(await client.nothingWithin(100), true);
});

test("a connection closed while its topic is parked is forgotten: not re-attached, not notified", async (t) => {
  const server = await startServer(t);
  const old = server.topics.register("TICK");
  const stays = await connect(t, server);
  const leaves = await connect(t, server);
  await stays.call("SUBSCRIBE", ["TICK"]);
  await leaves.call("SUBSCRIBE", ["TICK"]);
  const hold = server.topics.hold();
  t.after(() => hold.dispose());
  old.dispose();
  const closed = leaves.closed();
  leaves.ws.close();
  await closed;
  for (let i = 0; i < 100 && server.connectionCount > 1; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.connectionCount, 1);
  const renewed = server.topics.register("TICK");
  assert.equal(renewed.subscriberCount, 1, "the closed connection left no subscription behind");
  hold.dispose();
  assert.equal(renewed.publish("hi"), 1);
  assert.equal(await stays.next(), '{"jsonrpc":"2.0","method":"TICK","params":"hi"}');
});

test("connections that lost the same topics get the same frame, encoded once", () => {
  const registry = new TopicRegistry();
  const received: Array<{ who: string; frame: Buffer }> = [];
  const subscriber = (who: string): Subscriber => ({
    subscriptions: new Set<TopicEntry>(),
    send: (frame) => received.push({ who, frame }),
  });
  const [x, y, z] = [subscriber("x"), subscriber("y"), subscriber("z")];
  const a = registry.register("A");
  const b = registry.register("B");
  registry.subscribe(x, ["A", "B"]);
  registry.subscribe(y, ["A", "B"]);
  registry.subscribe(z, ["B"]);
  const hold = registry.hold();
  a.dispose();
  b.dispose();
  hold.dispose();
  assert.deepEqual(received.map((r) => [r.who, r.frame.toString()]), [
    ["x", unsubscribed("A", "B")],
    ["y", unsubscribed("A", "B")],
    ["z", unsubscribed("B")],
  ]);
  assert.equal(received[0]!.frame, received[1]!.frame, "one Buffer for both");
  for (const s of [x, y, z]) assert.equal(s.subscriptions.size, 0);
});
