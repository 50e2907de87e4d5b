// RpcClient and the server's UNSUBSCRIBED notification: a removed topic is forgotten, its handles
// end, and the client's view stays the server's (no re-subscribe after a reconnect).
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import WebSocket, { WebSocketServer } from "ws";
import { UNSUBSCRIBED_NOTIFICATION, UNSUBSCRIBED_REASON_REMOVED, type UnsubscribedInfo } from "../../src/client/index.ts";
import { createRpcServer } from "../../src/rpc/index.ts";
import { startServer } from "../support/rpc.ts";
import { eventually, nodeClient, sleep, spyWebSocket } from "../support/client.ts";

/** The `[method, params]` of each frame the client sent. */
const calls = (sent: string[]): unknown[] => sent.map((f) => JSON.parse(f) as { method: string; params: unknown }).map((m) => [m.method, m.params]);

/** Whether `promise` is still pending after the current I/O has been handled. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([promise.then(() => false), sleep(30).then(() => true)]);
}

test("the client's names for the notification are the server's", () => {
  assert.deepEqual([UNSUBSCRIBED_NOTIFICATION, UNSUBSCRIBED_REASON_REMOVED], ["UNSUBSCRIBED", "removed"]);
});

test("a topic removed on the server: forgotten, each handle's ended resolves, one unsubscribed event; subscribing again sends SUBSCRIBE", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t);
  const news = server.topics.register("NEWS");
  server.topics.register("OTHER");
  const { Ctor, sent } = spyWebSocket();
  const client = nodeClient(t, server.port, { WebSocket: Ctor });
  await client.connect();
  const events: UnsubscribedInfo[] = [];
  client.on("unsubscribed", (info) => events.push(info));
  const old: unknown[] = [];
  const a = client.subscribe("news", (data) => old.push(data));
  const b = client.subscribe("NEWS", (data) => old.push(data));
  const other = client.subscribe("other", () => {});
  assert.deepEqual(await Promise.all([a.ready, b.ready, other.ready]), [true, true, true]);

  news.dispose(); // no hold open: removed for good
  assert.deepEqual(await a.ended, { topic: "NEWS", reason: "removed" });
  assert.deepEqual(await b.ended, { topic: "NEWS", reason: "removed" });
  assert.deepEqual(events, [{ topics: ["NEWS"], reason: "removed" }]);
  assert.deepEqual(client.topics, ["OTHER"]);
  assert.deepEqual(await client.call("GET_SUBSCRIPTIONS"), ["OTHER"], "the server's view is the client's");
  assert.equal(await pending(other.ended), true, "other topics are untouched");

  a.dispose(); // already ended: no UNSUBSCRIBE for a subscription the server has dropped
  b.dispose();
  assert.deepEqual(await a.ended, { topic: "NEWS", reason: "removed" }, "ended keeps its first reason");

  const renewed = server.topics.register("NEWS");
  const fresh: unknown[] = [];
  const c = client.subscribe("News", (data) => fresh.push(data));
  assert.equal(await c.ready, true);
  assert.equal(renewed.publish("again"), 1);
  await eventually(() => fresh.length === 1, 2000, "the push to the new subscription");
  assert.deepEqual([fresh, old], [["again"], []]);
  assert.deepEqual(calls(sent), [
    ["SUBSCRIBE", ["news"]],
    ["SUBSCRIBE", ["other"]],
    ["GET_SUBSCRIPTIONS", undefined],
    ["SUBSCRIBE", ["News"]],
  ]);
  c.dispose();
  assert.deepEqual(await c.ended, { topic: "NEWS", reason: "disposed" });
});

test("after a removal, a reconnect subscribes again only to the topics the client still has", { timeout: 15_000 }, async (t) => {
  const first = await startServer(t, { shutdownGraceMs: 0 });
  const port = first.port;
  const gone = first.topics.register("GONE");
  first.topics.register("KEPT");
  const { Ctor, sent } = spyWebSocket();
  const client = nodeClient(t, port, { WebSocket: Ctor, reconnect: { initialDelayMs: 50, maxDelayMs: 200, factor: 2 } });
  await client.connect();
  const lost = client.subscribe("GONE", () => {});
  const kept = client.subscribe("KEPT", () => {});
  assert.deepEqual(await Promise.all([lost.ready, kept.ready]), [true, true]);
  gone.dispose();
  assert.deepEqual(await lost.ended, { topic: "GONE", reason: "removed" });

  let connects = 0;
  client.on("connect", () => connects++);
  await first.close();
  const second = createRpcServer({ port });
  t.after(() => second.close());
  const again = second.topics.register("GONE");
  const keptAgain = second.topics.register("KEPT");
  await second.listen();
  await eventually(() => connects === 1 && keptAgain.subscriberCount === 1, 5000, "the reconnect and its SUBSCRIBE");
  assert.equal(again.subscriberCount, 0);
  assert.deepEqual(client.topics, ["KEPT"]);
  const subscribes = calls(sent).filter((c) => (c as unknown[])[0] === "SUBSCRIBE");
  assert.deepEqual(subscribes, [["SUBSCRIBE", ["GONE"]], ["SUBSCRIBE", ["KEPT"]], ["SUBSCRIBE", ["KEPT"]]]);
  assert.equal(await pending(kept.ended), true);
});

test("ended also resolves on close() (\"closed\") and when the subscription could not be made (\"failed\")", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t);
  server.topics.register("NEWS");
  const client = nodeClient(t, server.port);
  const sub = client.subscribe("NEWS", () => {});
  assert.equal(await sub.ready, true);
  await client.close();
  assert.deepEqual(await sub.ended, { topic: "NEWS", reason: "closed" });

  const port = server.port;
  await server.close();
  const lonely = nodeClient(t, port, { connectTimeout: 1000 });
  const failed = lonely.subscribe("NEWS", () => {});
  await assert.rejects(failed.ready, { code: "ERR_RPC_CONNECT" });
  assert.deepEqual(await failed.ended, { topic: "NEWS", reason: "failed" });
});

/**
 * A stand-in server on port 0 that answers SUBSCRIBE with the names it was given and lets the
 * test write any frame: for notifications the real server never sends malformed or out of order.
 */
async function fakeServer(t: TestContext): Promise<{ port: number; peer: Promise<WebSocket>; subscribes: Array<{ id: number; params: string[] }>; answer(id: number, result: unknown): void }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  t.after(() => {
    for (const ws of wss.clients) ws.terminate(); // close() alone waits for its clients
    return new Promise<void>((r) => wss.close(() => r()));
  });
  await new Promise<void>((r) => wss.once("listening", r));
  const subscribes: Array<{ id: number; params: string[] }> = [];
  let socket!: WebSocket;
  const peer = new Promise<WebSocket>((resolve) =>
    wss.once("connection", (ws) => {
      socket = ws;
      ws.on("message", (data) => {
        const m = JSON.parse(String(data)) as { id: number; method: string; params: string[] };
        if (m.method === "SUBSCRIBE") subscribes.push(m);
      });
      resolve(ws);
    }),
  );
  return {
    port: (wss.address() as { port: number }).port,
    peer,
    subscribes,
    answer: (id, result) => socket.send(JSON.stringify({ jsonrpc: "2.0", id, result })),
  };
}

test("a malformed UNSUBSCRIBED is an error event and changes nothing; names fold; topics the client lacks are left out", { timeout: 10_000 }, async (t) => {
  const fake = await fakeServer(t);
  const client = nodeClient(t, fake.port);
  const errors: Error[] = [];
  const events: UnsubscribedInfo[] = [];
  client.on("error", (e) => errors.push(e));
  client.on("unsubscribed", (info) => events.push(info));
  const sub = client.subscribe("news", () => {});
  const peer = await fake.peer;
  await eventually(() => fake.subscribes.length === 1, 2000, "SUBSCRIBE");
  fake.answer(fake.subscribes[0]!.id, ["NEWS"]);
  assert.equal(await sub.ready, true);

  peer.send('{"jsonrpc":"2.0","method":"UNSUBSCRIBED","params":{"topics":"NEWS","reason":"removed"}}');
  peer.send('{"jsonrpc":"2.0","method":"UNSUBSCRIBED","params":{"topics":["NOT_MINE"],"reason":"removed"}}');
  await eventually(() => errors.length === 1, 2000, "the error event");
  assert.equal(errors[0]!.message, "the server sent an UNSUBSCRIBED notification without {topics: string[], reason: string}");
  assert.deepEqual(client.topics, ["NEWS"]);
  assert.equal(await pending(sub.ended), true);

  peer.send('{"jsonrpc":"2.0","method":"UNSUBSCRIBED","params":{"topics":["news","NOT_MINE"],"reason":"some future reason"}}');
  assert.deepEqual(await sub.ended, { topic: "NEWS", reason: "some future reason" });
  assert.deepEqual(events, [{ topics: ["NEWS"], reason: "some future reason" }], "one event, none for the notification about no topic of ours");
  assert.deepEqual(client.topics, []);
  assert.equal(errors.length, 1);
});

test("an UNSUBSCRIBED read before the reply to a SUBSCRIBE of that name is about an earlier subscription: the reply decides", { timeout: 10_000 }, async (t) => {
  const fake = await fakeServer(t);
  const client = nodeClient(t, fake.port);
  const got: unknown[] = [];
  const sub = client.subscribe("NEWS", (data) => got.push(data));
  const peer = await fake.peer;
  await eventually(() => fake.subscribes.length === 1, 2000, "SUBSCRIBE");
  // The notification comes first, so the server sent it before it processed this SUBSCRIBE.
  const reply = JSON.stringify({ jsonrpc: "2.0", id: fake.subscribes[0]!.id, result: ["NEWS"] });
  peer.send('{"jsonrpc":"2.0","method":"UNSUBSCRIBED","params":{"topics":["NEWS"],"reason":"removed"}}');
  peer.send(reply);
  assert.equal(await sub.ready, true);
  assert.deepEqual(client.topics, ["NEWS"]);
  peer.send('{"jsonrpc":"2.0","method":"NEWS","params":1}');
  await eventually(() => got.length === 1, 2000, "the push");

  // The other order: the removal is about this subscription. Sent back to back, both frames are
  // usually read in one tick with no microtask between them, so this also checks that the reply
  // is applied as it is read, not a promise turn later.
  const second = client.subscribe("LATER", () => {});
  await eventually(() => fake.subscribes.length === 2, 2000, "the second SUBSCRIBE");
  peer.send(JSON.stringify({ jsonrpc: "2.0", id: fake.subscribes[1]!.id, result: ["NEWS", "LATER"] }));
  peer.send('{"jsonrpc":"2.0","method":"UNSUBSCRIBED","params":{"topics":["LATER"],"reason":"removed"}}');
  assert.deepEqual(await second.ended, { topic: "LATER", reason: "removed" });
  assert.equal(await second.ready, true);
  assert.deepEqual(client.topics, ["NEWS"]);
});
