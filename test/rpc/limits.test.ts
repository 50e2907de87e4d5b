// The limits of DESIGN §3: batch size, nesting depth, connections, in-flight calls
// (back-pressure), buffered output (slow readers cut off with 1008) and the heartbeat.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect, deferred, startServer, upgradeStatus } from "../support/rpc.ts";
import { eventually as waitFor, sleep } from "../support/wait.ts";

const request = (id: number, method: string, params?: unknown): Record<string, unknown> =>
  params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params };

test("maxBatchSize: a batch at the limit is answered as an array; one over it is a single -32600 with id null, nothing run", async (t) => {
  const server = await startServer(t, { maxBatchSize: 3 });
  let runs = 0;
  server.methods.register("DOUBLE", (n: number) => {
    runs++;
    return n * 2;
  });
  const client = await connect(t, server);
  client.send([request(1, "DOUBLE", [1]), request(2, "DOUBLE", [2]), request(3, "DOUBLE", [3])]);
  const replies = (await client.nextJson()) as Array<{ id: number }>;
  assert.ok(Array.isArray(replies));
  assert.deepEqual(
    replies.sort((a, b) => a.id - b.id),
    [
      { jsonrpc: "2.0", id: 1, result: 2 },
      { jsonrpc: "2.0", id: 2, result: 4 },
      { jsonrpc: "2.0", id: 3, result: 6 },
    ],
  );
  assert.equal(runs, 3);
  client.send([request(4, "DOUBLE", [4]), request(5, "DOUBLE", [5]), request(6, "DOUBLE", [6]), request(7, "DOUBLE", [7])]);
  assert.deepEqual(await client.nextJson(), {
    jsonrpc: "2.0",
    id: null,
    error: { code: -32600, message: "Invalid Request", data: { reason: "batch too large", limit: 3 } },
  });
  assert.equal(runs, 3, "no member of an oversized batch runs");
  assert.ok(await client.nothingWithin(50), "exactly one reply to the oversized batch");
  // The connection is fine afterwards.
  assert.deepEqual(await client.call("DOUBLE", [21]), { jsonrpc: "2.0", id: 1, result: 42 });
});

test("maxDepth: params nested to the limit are fine; one level deeper is -32600 with the request's id, not run", async (t) => {
  const server = await startServer(t, { maxDepth: 4 });
  let runs = 0;
  server.methods.register("ECHO", (...args: unknown[]) => {
    runs++;
    return args;
  });
  const client = await connect(t, server);
  // The params array itself is level 1.
  client.send(request(1, "ECHO", [[[[1]]]]));
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: 1, result: [[[[1]]]] });
  client.send(request(2, "ECHO", [{ a: [{ b: 1 }] }]));
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: 2, result: [{ a: [{ b: 1 }] }] });
  assert.equal(runs, 2);
  const tooDeep = { code: -32600, message: "Invalid Request", data: { reason: "params nest too deep", limit: 4 } };
  client.send(request(3, "ECHO", [[[[[1]]]]]));
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: 3, error: tooDeep });
  client.send(request(4, "ECHO", [{ a: [{ b: [1] }] }]));
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: 4, error: tooDeep });
  // A hostile nesting far beyond the limit (and beyond any sane recursion) is answered the same way.
  client.send(`{"jsonrpc":"2.0","id":"deep","method":"ECHO","params":${"[".repeat(50_000)}${"]".repeat(50_000)}}`);
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: "deep", error: tooDeep });
  assert.equal(runs, 2, "too-deep requests never reach the handler");
  assert.deepEqual(await client.call("ECHO", [1]), { jsonrpc: "2.0", id: 1, result: [1] });
});

test("maxConnections: the upgrade over the limit gets 503; after one closes a new one opens", async (t) => {
  const server = await startServer(t, { maxConnections: 2 });
  server.methods.register("PING", () => "pong");
  const first = await connect(t, server);
  const second = await connect(t, server);
  assert.equal(server.connectionCount, 2);
  assert.deepEqual(await upgradeStatus(server.port, {}), { status: 503, body: "Too many connections (limit 2).\n" });
  assert.equal(server.connectionCount, 2);
  // The open ones still work.
  assert.deepEqual(await second.call("PING"), { jsonrpc: "2.0", id: 1, result: "pong" });
  const closed = first.closed();
  first.ws.close(1000, "bye");
  assert.equal((await closed).code, 1000);
  await waitFor(() => server.connectionCount === 1, 2000, "the server to forget the closed connection");
  const third = await connect(t, server);
  assert.deepEqual(await third.call("PING"), { jsonrpc: "2.0", id: 1, result: "pong" });
  assert.equal(server.connectionCount, 2);
  assert.equal((await upgradeStatus(server.port, {})).status, 503);
});

test("maxInFlight: at the limit the server stops reading (back-pressure, no errors) and resumes when calls finish", async (t) => {
  const server = await startServer(t, { maxInFlight: 2 });
  const gate = deferred();
  let entered = 0;
  server.methods.register("HOLD", async (n: number) => {
    entered++;
    await gate.promise;
    return n * 10;
  });
  const client = await connect(t, server);
  client.send(request(1, "HOLD", [1]));
  client.send(request(2, "HOLD", [2]));
  await waitFor(() => entered === 2, 1000, "the first two calls to start");
  await sleep(50);
  for (const id of [3, 4, 5]) {
    client.send(request(id, "HOLD", [id]));
    await sleep(20);
  }
  await sleep(50);
  assert.equal(entered, 2, "no third call may start while two are in flight");
  assert.deepEqual(client.frames, [], "back-pressure is not an error: nothing is answered yet");
  gate.resolve();
  const replies: Array<{ id: number }> = [];
  for (let i = 0; i < 5; i++) replies.push(await client.nextJson());
  assert.deepEqual(
    replies.sort((a, b) => a.id - b.id),
    [1, 2, 3, 4, 5].map((id) => ({ jsonrpc: "2.0", id, result: id * 10 })),
  );
  assert.equal(entered, 5);
  assert.ok(await client.nothingWithin(30));
});

test("a subscriber that stops reading is cut off with 1008 once its output passes maxBufferedBytes; a reading one gets every push", async (t) => {
  const total = 300;
  // A long closing handshake, so the slow client can still read the 1008 close frame after it resumes.
  const server = await startServer(t, { maxBufferedBytes: 64 * 1024, closeTimeoutMs: 5000 });
  const feed = server.topics.register("FEED");
  const normal = await connect(t, server);
  const slow = await connect(t, server);
  assert.deepEqual(await normal.call("SUBSCRIBE", ["FEED"]), { jsonrpc: "2.0", id: 1, result: ["FEED"] });
  assert.deepEqual(await slow.call("SUBSCRIBE", ["FEED"]), { jsonrpc: "2.0", id: 1, result: ["FEED"] });
  assert.equal(feed.subscriberCount, 2);
  slow.ws.pause(); // stops reading its socket: the server's output to it piles up
  const pad = "x".repeat(64 * 1024);
  for (let i = 0; i < total; i++) {
    feed.publish({ i, pad });
    // The normal client reads each push before the next is published.
    const push = await normal.nextJson();
    assert.equal(push.method, "FEED");
    assert.equal(push.params.i, i, "the reading client gets every push, in order");
  }
  assert.equal(normal.ws.readyState, 1, "the reading client stays open");
  const closed = slow.closed(5000);
  slow.ws.resume();
  const { code } = await closed;
  assert.equal(code, 1008);
  const received = slow.frames.map((f) => (JSON.parse(f) as { params: { i: number } }).params.i);
  t.diagnostic(`the slow client got ${received.length} of ${total} pushes before the cut-off`);
  assert.ok(received.length < total, `the server stopped queuing for the slow client (it got ${received.length} of ${total})`);
  assert.deepEqual(received, received.map((_, i) => i), "what it did get is a prefix of the feed");
  await waitFor(() => server.connectionCount === 1, 2000, "the slow connection to be dropped");
  assert.equal(feed.subscriberCount, 1);
  assert.equal(feed.publish({ i: total, pad: "" }), 1);
  assert.deepEqual(await normal.nextJson(), { jsonrpc: "2.0", method: "FEED", params: { i: total, pad: "" } });
});

test("heartbeat: a peer that does not answer pings is dropped within a few periods; a live one stays", async (t) => {
  const server = await startServer(t, { heartbeatMs: 100 });
  server.methods.register("PING", () => "pong");
  const live = await connect(t, server);
  const dead = await connect(t, server, { autoPong: false });
  const started = Date.now();
  const { code } = await dead.closed(1500);
  const elapsed = Date.now() - started;
  assert.equal(code, 1006, "terminated, no closing handshake");
  assert.ok(elapsed < 800, `dropped after ${elapsed} ms`);
  await sleep(Math.max(0, 800 - (Date.now() - started)));
  assert.equal(live.ws.readyState, 1, "the live peer is still open after several heartbeats");
  assert.deepEqual(await live.call("PING"), { jsonrpc: "2.0", id: 1, result: "pong" });
  assert.equal(server.connectionCount, 1);
});

test("in-flight limit holds for requests sent back to back in one write: the rest wait, in order", async (t) => {
  const server = await startServer(t, { maxInFlight: 4 });
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  server.methods.register("WORK", async (n: number) => {
    started.push(n);
    peak = Math.max(peak, ++running);
    await sleep(5);
    running--;
    return n;
  });
  const client = await connect(t, server);
  // One frame string per request, all handed to the socket in the same tick.
  for (let n = 0; n < 200; n++) client.send(request(n, "WORK", [n]));
  const ids = new Set<number>();
  while (ids.size < 200) ids.add((await client.nextJson(5000)).id as number);
  assert.equal(peak, 4, "never more than maxInFlight handlers at once");
  assert.deepEqual(started, Array.from({ length: 200 }, (_, i) => i), "waiting requests start in the order they came");
});

test("a connection busy at its in-flight limit is not dropped by the heartbeat, and gets its replies", async (t) => {
  const server = await startServer(t, { heartbeatMs: 100, maxInFlight: 1 });
  server.methods.register("SLOW", async () => {
    await sleep(600);
    return "done";
  });
  const client = await connect(t, server);
  client.send(request(1, "SLOW"));
  client.send(request(2, "SLOW"));
  assert.deepEqual(await client.nextJson(3000), { jsonrpc: "2.0", id: 1, result: "done" });
  assert.deepEqual(await client.nextJson(3000), { jsonrpc: "2.0", id: 2, result: "done" });
  assert.equal(client.ws.readyState, client.ws.OPEN);
});
