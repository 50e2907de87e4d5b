// RpcClient reconnect: back-off against a bot that is down, re-subscription once it is back.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { test, type TestContext } from "node:test";
import { createRpcServer } from "../../src/rpc/index.ts";
import { startServer } from "../support/rpc.ts";
import { eventually, nodeClient, sleep, spyWebSocket } from "../support/client.ts";

/** Listens on a fixed port, retrying briefly while the previous owner lets it go. */
async function listenOn(http: Server, port: number): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await new Promise<void>((resolve, reject) => {
        http.once("error", reject).listen(port, "127.0.0.1", () => resolve());
      });
      return;
    } catch (error) {
      if (tries >= 20) throw error;
      await sleep(25);
    }
  }
}

/**
 * A stand-in for a bot that is down but whose port answers: it counts WebSocket upgrade attempts
 * (and how many are open at once) and refuses each with 503.
 */
async function attemptCounter(t: TestContext, port: number): Promise<{ times: number[]; maxConcurrent: number; close(): Promise<void> }> {
  const state = { times: [] as number[], maxConcurrent: 0 };
  let open = 0;
  const http = createServer((_req, res) => res.writeHead(405).end());
  http.on("upgrade", (_req, socket: Socket) => {
    state.times.push(Date.now());
    open++;
    state.maxConcurrent = Math.max(state.maxConcurrent, open);
    socket.on("close", () => open--);
    socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  await listenOn(http, port);
  const close = () => new Promise<void>((r) => http.close(() => r()));
  t.after(close);
  return Object.assign(state, { close });
}

test("reconnect: after the bot restarts on the same port the client reconnects and re-subscribes, and gets the new state", { timeout: 15_000 }, async (t) => {
  const first = await startServer(t, { shutdownGraceMs: 0 });
  const port = first.port;
  first.topics.register("NEWS").publish("v1", { state: true });
  const { Ctor, sent } = spyWebSocket();
  const client = nodeClient(t, port, { WebSocket: Ctor, reconnect: { initialDelayMs: 50, maxDelayMs: 200, factor: 2 } });
  const events: string[] = [];
  client.on("connect", () => events.push("connect"));
  client.on("disconnect", (info) => events.push(`disconnect ${info.code} ${info.willReconnect}`));
  const got: unknown[] = [];
  const sub = client.subscribe("news", (data) => got.push(data));
  await client.connect();
  assert.equal(await sub.ready, true);
  await eventually(() => got.length === 1, 2000, "the first state");

  await first.close();
  await eventually(() => events.length === 2, 2000, "the disconnect event");
  assert.equal(client.state, "connecting");
  const during = await client.call("GET_METHODS", undefined, { timeout: 30 }).catch((e: unknown) => e);
  assert.equal((during as Error).name, "RpcTimeoutError", "a call while reconnecting waits, bounded by its timeout");

  const second = createRpcServer({ port });
  t.after(() => second.close());
  const news = second.topics.register("NEWS");
  news.publish("v2", { state: true });
  await second.listen(); // the first server's close() has released the port
  await eventually(() => got.length === 2, 5000, "the state from the new server");
  assert.deepEqual(got, ["v1", "v2"]);
  assert.deepEqual(events, ["connect", "disconnect 1001 true", "connect"]);
  assert.equal(news.subscriberCount, 1);
  assert.deepEqual(await client.call("GET_SUBSCRIPTIONS"), ["NEWS"]);
  const subscribes = sent.map((f) => JSON.parse(f)).filter((m: { method: string }) => m.method === "SUBSCRIBE");
  assert.deepEqual(subscribes.map((m: { params: unknown }) => m.params), [["news"], ["news"]], "once per connection");
  news.publish("v3");
  await eventually(() => got.length === 3, 2000, "a live push after reconnecting");
});

test("reconnect does not hammer a bot that is down: attempts follow the back-off, one at a time, and stop on close()", { timeout: 15_000 }, async (t) => {
  const server = await startServer(t, { shutdownGraceMs: 0 });
  const port = server.port;
  const client = nodeClient(t, port, { reconnect: { initialDelayMs: 40, maxDelayMs: 320, factor: 2 } });
  const errors: Error[] = [];
  client.on("error", (e) => errors.push(e));
  await client.connect();
  await server.close();
  const counter = await attemptCounter(t, port);
  const windowStart = Date.now();
  await sleep(2000);
  const times = counter.times.filter((at) => at - windowStart <= 2000);
  // Nominal delays 40, 80, 160, 320, 320, … each jittered to at least half: at most 3 + 2000/160 ≈ 15.
  assert.ok(times.length >= 4, `it kept trying (${times.length} attempts)`);
  assert.ok(times.length <= 15, `no more attempts than the back-off allows (${times.length})`);
  const gaps = times.slice(1).map((at, i) => at - times[i]!);
  assert.ok(gaps.every((g) => g >= 15), `every gap at least half the initial delay: ${gaps}`);
  assert.ok(gaps.slice(4).every((g) => g >= 140), `later gaps at least half the cap: ${gaps}`);
  assert.equal(counter.maxConcurrent, 1, "never more than one attempt at a time");
  assert.ok(errors.filter((e) => /: Unexpected server response: 503$/.test(e.message)).length >= times.length - 1, "each failed attempt is an error event");
  assert.ok(errors.every((e) => /503|ECONNREFUSED/.test(e.message)), errors.map((e) => e.message).join("\n"));

  await client.close();
  const after = counter.times.length;
  await sleep(700);
  assert.equal(counter.times.length, after, "no attempt after close()");
  assert.equal(client.state, "closed");
});

test("reconnect against a bot that answers 401: no retries, calls and later calls reject with ERR_RPC_UNAUTHORIZED, the error event says why", { timeout: 15_000 }, async (t) => {
  const server = await startServer(t, { authToken: "r".repeat(64) });
  const { Ctor, constructed } = spyWebSocket();
  const client = nodeClient(t, server.port, { WebSocket: Ctor, token: "w".repeat(64), reconnect: { initialDelayMs: 20, maxDelayMs: 40, factor: 2 }, timeout: 3000 });
  const errors: Error[] = [];
  client.on("error", (e) => errors.push(e));
  const refused = {
    name: "RpcConnectionError",
    code: "ERR_RPC_UNAUTHORIZED",
    httpStatus: 401,
    message: `could not connect to ws://127.0.0.1:${server.port}/: Unexpected server response: 401`,
  };
  const started = Date.now();
  await assert.rejects(client.call("GET_METHODS"), refused);
  assert.ok(Date.now() - started < 2000, "at once, not at the call's timeout");
  await sleep(300); // a dozen back-off delays: none is waited
  assert.equal(constructed.length, 1, "one attempt, no reconnecting");
  assert.deepEqual(errors.map((e) => (e as { code?: string }).code), ["ERR_RPC_UNAUTHORIZED"]);
  assert.equal(client.state, "idle");
  // A later call tries once more (the token may have been fixed) and is refused the same way.
  await assert.rejects(client.call("GET_METHODS"), refused);
  assert.equal(constructed.length, 2);
});

test("a reconnect after a drop that meets 401 (the bot restarted with a new token) stops there with ERR_RPC_UNAUTHORIZED", { timeout: 15_000 }, async (t) => {
  const first = await startServer(t, { authToken: "a".repeat(64), shutdownGraceMs: 0 });
  const port = first.port;
  const client = nodeClient(t, port, { token: "a".repeat(64), reconnect: { initialDelayMs: 20, maxDelayMs: 40, factor: 2 } });
  const events: string[] = [];
  client.on("disconnect", (info) => events.push(`disconnect ${info.code} ${info.willReconnect}`));
  client.on("error", (e) => events.push(`error ${(e as { code?: string }).code}`));
  await client.connect();
  await first.close();
  const second = createRpcServer({ port, authToken: "b".repeat(64) });
  t.after(() => second.close());
  await second.listen();
  await eventually(() => events.includes("error ERR_RPC_UNAUTHORIZED"), 5000, "the refusal");
  await sleep(300);
  assert.deepEqual(events.filter((e) => !e.includes("ECONNREFUSED") && e !== "error ERR_RPC_CONNECT"), ["disconnect 1001 true", "error ERR_RPC_UNAUTHORIZED"]);
  assert.equal(client.state, "idle", "reconnecting stopped");
});
