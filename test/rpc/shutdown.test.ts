// Shutdown (DESIGN §3): stop accepting, stop reading, let in-flight calls finish within the
// grace period, close every socket with 1001, resolve — and never hang.
// (A throwing handler or a bad frame mid-session is covered by protocol.test.ts.)
import assert from "node:assert/strict";
import net from "node:net";
import { test, type TestContext } from "node:test";
import WebSocket from "ws";
import { createRpcServer, RpcServerError, type RpcServer, type RpcServerOptions } from "../../src/rpc/index.ts";
import { connect, deferred, type TestClient } from "../support/rpc.ts";
import { eventually as waitFor, sleep } from "../support/wait.ts";

/** Resolves with the promise's value, or fails after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms))),
  ]);
}

/**
 * Like support's startServer, but the cleanup close() is bounded too: in this file close() is
 * the thing under test, and a regression must fail the test, not hang the run.
 */
async function startServer(t: TestContext, options: RpcServerOptions = {}): Promise<RpcServer> {
  const server = createRpcServer({ port: 0, ...options });
  t.after(() => within(server.close(), 5000, "the cleanup close()"));
  await server.listen();
  return server;
}

/** Everything a client sees, in order: each text frame, then the close. */
function recordEvents(client: TestClient): string[] {
  const events: string[] = [];
  client.ws.on("message", (data: Buffer) => events.push(`message ${data.toString()}`));
  client.ws.on("close", (code: number) => events.push(`close ${code}`));
  return events;
}

/** An upgrade attempt that reports a refusal status or a connection error (never hangs). */
function attemptUpgrade(port: number): Promise<{ status: number } | { error: string }> {
  return within(
    new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      ws.once("open", () => {
        ws.terminate();
        resolve({ status: 101 });
      });
      ws.once("unexpected-response", (_req, res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      });
      ws.once("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    }),
    2000,
    "an upgrade attempt",
  );
}

test("close() with a call in flight: the client gets its reply, then close 1001, and close() resolves", async (t) => {
  const server = await startServer(t);
  const gate = deferred();
  let entered = 0;
  server.methods.register("HOLD", async () => {
    entered++;
    await gate.promise;
    return "finished";
  });
  const client = await connect(t, server);
  const events = recordEvents(client);
  client.send({ jsonrpc: "2.0", id: 1, method: "HOLD" });
  await waitFor(() => entered === 1, 1000, "the handler to start");
  const started = Date.now();
  const closing = server.close();
  assert.equal(server.state, "closing");
  setTimeout(() => gate.resolve(), 100);
  await within(closing, 3000, "close()");
  assert.ok(Date.now() - started >= 90, "close() waited for the call in flight");
  assert.equal(server.state, "closed");
  await waitFor(() => events.length === 2, 2000, "the reply and the close");
  assert.deepEqual(events, ['message {"jsonrpc":"2.0","id":1,"result":"finished"}', "close 1001"]);
  assert.equal(server.connectionCount, 0);
});

test("close() twice returns the same promise, and a call after closing resolves too", async (t) => {
  const server = await startServer(t);
  const client = await connect(t, server);
  const closed = client.closed();
  const first = server.close();
  const second = server.close();
  assert.equal(first, second);
  await within(first, 2000, "close()");
  assert.equal((await closed).code, 1001);
  assert.equal(server.state, "closed");
  await within(server.close(), 500, "close() after closing");
  assert.equal(server.state, "closed");
});

test("grace expiry: a handler that never finishes does not hold close() past shutdownGraceMs; the socket gets 1001", async (t) => {
  const server = await startServer(t, { shutdownGraceMs: 200 });
  let entered = 0;
  server.methods.register("FOREVER", () => {
    entered++;
    return new Promise(() => {});
  });
  const client = await connect(t, server);
  const events = recordEvents(client);
  client.send({ jsonrpc: "2.0", id: 1, method: "FOREVER" });
  await waitFor(() => entered === 1, 1000, "the handler to start");
  const started = Date.now();
  await within(server.close(), 1500, "close() with a handler that never finishes");
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 190, `close() gave the call its grace period (${elapsed} ms)`);
  await waitFor(() => events.length > 0, 1000, "the close");
  assert.deepEqual(events, ["close 1001"], "no reply to the abandoned call, then 1001");
  assert.equal(server.state, "closed");
});

test("while closing, new connections are refused (503 or connection refused), and an upgrade request half-sent before close() is refused too", async (t) => {
  const server = await startServer(t, { shutdownGraceMs: 2000 });
  const gate = deferred();
  server.methods.register("HOLD", () => gate.promise.then(() => "done"));
  const client = await connect(t, server);
  const events = recordEvents(client);
  client.send({ jsonrpc: "2.0", id: 1, method: "HOLD" });
  await sleep(20);
  // A request started before close() and finished after it.
  const raw = net.connect(server.port, "127.0.0.1");
  raw.on("error", () => {});
  t.after(() => raw.destroy());
  await new Promise<void>((resolve) => raw.once("connect", () => resolve()));
  raw.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`);
  await sleep(20);
  let answer = "";
  raw.on("data", (chunk) => (answer += chunk.toString()));
  const rawClosed = new Promise<void>((resolve) => raw.once("close", () => resolve()));

  const closing = server.close();
  assert.equal(server.state, "closing");
  const outcome = await attemptUpgrade(server.port);
  assert.ok(
    ("status" in outcome && outcome.status === 503) || ("error" in outcome && outcome.error === "ECONNREFUSED"),
    `a new connection while closing must be refused, got ${JSON.stringify(outcome)}`,
  );
  raw.write("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  await within(rawClosed, 2000, "the half-sent upgrade's answer");
  // Refused either way: a 503 saying why, or the socket closed without an answer.
  if (answer !== "") {
    assert.equal(answer.split("\r\n")[0], "HTTP/1.1 503 Service Unavailable");
    assert.ok(answer.endsWith("\r\n\r\nThe server is shutting down.\n"), answer);
  }
  t.diagnostic(`half-sent upgrade: ${answer === "" ? "closed without an answer" : "503"}`);
  assert.equal(server.connectionCount, 1, "only the original connection");
  gate.resolve();
  await within(closing, 3000, "close()");
  assert.deepEqual(events, ['message {"jsonrpc":"2.0","id":1,"result":"done"}', "close 1001"]);
});

test("requests sent after close() started are not executed, even when a call in flight finishes later", async (t) => {
  const server = await startServer(t, { shutdownGraceMs: 2000 });
  const gate = deferred();
  let holds = 0;
  let late = 0;
  server.methods.register("HOLD", async () => {
    holds++;
    await gate.promise;
    return "done";
  });
  server.methods.register("LATE", () => {
    late++;
    return "ran";
  });
  const client = await connect(t, server);
  const events = recordEvents(client);
  client.send({ jsonrpc: "2.0", id: 1, method: "HOLD" });
  await waitFor(() => holds === 1, 1000, "the handler to start");
  const closing = server.close();
  client.send({ jsonrpc: "2.0", id: 2, method: "LATE" });
  client.send({ jsonrpc: "2.0", method: "LATE" });
  client.send({ jsonrpc: "2.0", id: 3, method: "HOLD" });
  await sleep(100);
  assert.equal(late, 0, "nothing is read once closing has started");
  gate.resolve();
  await within(closing, 3000, "close()");
  await waitFor(() => events.includes("close 1001"), 2000, "the close");
  assert.equal(late, 0, "requests sent after close() started were executed");
  assert.equal(holds, 1, "requests sent after close() started were executed");
  assert.deepEqual(events, ['message {"jsonrpc":"2.0","id":1,"result":"done"}', "close 1001"]);
});

test("requests sent after close() started are not executed when no call is in flight", async (t) => {
  const server = await startServer(t);
  let late = 0;
  server.methods.register("LATE", () => {
    late++;
    return "ran";
  });
  const client = await connect(t, server);
  const events = recordEvents(client);
  const closing = server.close();
  client.send({ jsonrpc: "2.0", id: 2, method: "LATE" });
  client.send({ jsonrpc: "2.0", method: "LATE" });
  await within(closing, 3000, "close()");
  await waitFor(() => events.includes("close 1001"), 2000, "the close");
  assert.equal(late, 0, "requests sent after close() started were executed");
  assert.deepEqual(events, ["close 1001"]);
});

test("close() with 20 idle clients resolves quickly and every client sees 1001", async (t) => {
  const server = await startServer(t);
  const clients = await Promise.all(Array.from({ length: 20 }, () => connect(t, server)));
  assert.equal(server.connectionCount, 20);
  const closes = clients.map((c) => c.closed(2000));
  const started = Date.now();
  await within(server.close(), 2000, "close() with 20 idle clients");
  const elapsed = Date.now() - started;
  const codes = await Promise.all(closes);
  assert.deepEqual(
    codes.map((c) => c.code),
    Array.from({ length: 20 }, () => 1001),
  );
  assert.deepEqual(new Set(codes.map((c) => c.reason)), new Set(["server shutting down"]));
  assert.equal(server.connectionCount, 0);
  assert.ok(elapsed < 1000, `close() took ${elapsed} ms`);
});

test("close() never hangs on a client that does not answer the closing handshake", async (t) => {
  const server = await startServer(t, { closeTimeoutMs: 300 });
  const deaf = await connect(t, server);
  deaf.ws.pause(); // reads nothing, so never answers the close frame
  const started = Date.now();
  await within(server.close(), 1500, "close() with a client that does not answer");
  assert.ok(Date.now() - started >= 250, "the peer was given closeTimeoutMs to answer");
  assert.equal(server.state, "closed");
  assert.equal(server.connectionCount, 0);
});

test("close() before listen() resolves and the state is closed; listen() after close() is ERR_RPC_BAD_STATE", async (t) => {
  const never = createRpcServer({ port: 0 });
  assert.equal(never.state, "new");
  await within(never.close(), 500, "close() before listen()");
  assert.equal(never.state, "closed");
  const badState = (error: unknown): boolean => {
    assert.ok(error instanceof RpcServerError);
    assert.equal(error.code, "ERR_RPC_BAD_STATE");
    assert.match(error.message, /closed/);
    return true;
  };
  await assert.rejects(never.listen(), badState);
  assert.equal(never.port, 0, "nothing was bound");

  const server = await startServer(t);
  const port = server.port;
  await within(server.close(), 2000, "close()");
  await assert.rejects(server.listen(), badState);
  assert.deepEqual(await attemptUpgrade(port), { error: "ECONNREFUSED" }, "the port is released");
});

test("close() while listen() is still binding: both settle, listen() with ERR_RPC_BAD_STATE", { timeout: 5000 }, async () => {
  const server = createRpcServer({ port: 0 });
  const listening = server.listen();
  assert.equal(server.state, "starting");
  const closing = server.close();
  await assert.rejects(listening, { code: "ERR_RPC_BAD_STATE" });
  await closing;
  assert.equal(server.state, "closed");
});
