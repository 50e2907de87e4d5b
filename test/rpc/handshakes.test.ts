// Sockets still in their HTTP handshake (DESIGN §3 limits): half-sent upgrade requests are
// bounded apart from connections, the oldest is dropped first, and real clients get in.
import assert from "node:assert/strict";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { test, type TestContext } from "node:test";
import { createRpcServer, RpcServerError, type RpcServerOptions } from "../../src/rpc/index.ts";
import { connectTo, startServer } from "../support/rpc.ts";
import { eventually as waitFor } from "../support/wait.ts";

/** An upgrade request without its final blank line: the server waits for the rest. */
const halfSent = (port: number): string => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n`;

/** A raw socket that sent a half request; `closed` says whether the server has dropped it. */
interface Holder {
  readonly socket: net.Socket;
  closed: boolean;
}

/**
 * Opens `count` loopback sockets, each sending a half request and holding it, `batch` at a
 * time (so the listen backlog never overflows into SYN retries). Every socket is destroyed
 * when the test ends. Resolves once each has either written its request or been closed.
 */
async function holdHalfSent(t: TestContext, port: number, count: number, batch = 100): Promise<Holder[]> {
  const holders: Holder[] = [];
  t.after(() => {
    for (const holder of holders) holder.socket.destroy();
  });
  for (let opened = 0; opened < count; ) {
    const wave: Array<Promise<void>> = [];
    for (const end = Math.min(count, opened + batch); opened < end; opened++) {
      const socket = net.connect(port, "127.0.0.1");
      const holder: Holder = { socket, closed: false };
      holders.push(holder);
      socket.on("error", () => {}); // a dropped socket may see ECONNRESET
      socket.resume(); // read, so the server's close reaches us
      wave.push(
        new Promise<void>((resolve) => {
          socket.once("connect", () => socket.write(halfSent(port), () => resolve()));
          socket.once("close", () => {
            holder.closed = true;
            resolve();
          });
        }),
      );
    }
    await Promise.all(wave);
  }
  return holders;
}

/** Connects a well-formed client, calls GET_METHODS, and returns how long both took (ms). */
async function timeFirstReply(t: TestContext, port: number, headers: Record<string, string>): Promise<number> {
  const started = performance.now();
  const client = await connectTo(t, port, { headers });
  const reply = await client.call("GET_METHODS");
  const elapsed = performance.now() - started;
  assert.ok(Array.isArray(reply.result) && reply.result.includes("GET_METHODS"), JSON.stringify(reply));
  return elapsed;
}

for (const auth of ["none", "token"] as const) {
  test(`2,000 half-sent upgrade requests from one process do not lock clients out (auth ${auth})`, async (t) => {
    const token = "t".repeat(40);
    const options: RpcServerOptions = auth === "token" ? { authToken: token } : {};
    // Every other limit at its default: 1,024 connections, 128 pending handshakes, 10 s to finish one.
    const server = await startServer(t, options);
    const holders = await holdHalfSent(t, server.port, 2000);
    // The server keeps only the newest half-sent requests, dropping the others as they came.
    await waitFor(() => holders.filter((h) => !h.closed).length <= 128, 3000, "the pending handshakes to be bounded");
    assert.ok(holders.slice(0, 100).every((h) => h.closed), "the oldest half-sent requests were dropped first");
    const headers: Record<string, string> = auth === "token" ? { Authorization: `Bearer ${token}` } : {};
    const elapsed = await timeFirstReply(t, server.port, headers);
    t.diagnostic(`a client connected and got GET_METHODS in ${elapsed.toFixed(1)} ms behind 2,000 half-sent requests`);
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    // The half-sent requests still held are a bounded set, never more than the limit.
    assert.ok(holders.filter((h) => !h.closed).length <= 128);
    assert.equal(server.connectionCount, 1);
  });
}

test("maxPendingHandshakes: a new socket over the limit drops the oldest pending one; a complete request gets in", async (t) => {
  const server = await startServer(t, { maxPendingHandshakes: 2 });
  const [first, second] = await holdHalfSent(t, server.port, 2, 1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual([first!.closed, second!.closed], [false, false], "two pending sockets are within the limit");
  const [third] = await holdHalfSent(t, server.port, 1);
  await waitFor(() => first!.closed, 2000, "the oldest pending socket to be dropped");
  assert.deepEqual([second!.closed, third!.closed], [false, false], "only the oldest was dropped");
  // A well-formed client sends its request at once: it takes a pending place only briefly.
  assert.ok((await timeFirstReply(t, server.port, {})) < 2000);
  await waitFor(() => second!.closed, 2000, "the next oldest to make room for the client");
  assert.equal(third!.closed, false);
  // Once upgraded, a connection no longer counts as pending: more sockets do not evict it.
  const client = await connectTo(t, server.port);
  await holdHalfSent(t, server.port, 4, 1);
  assert.deepEqual((await client.call("GET_METHODS")).result.includes("GET_METHODS"), true);
});

test("maxPendingHandshakes is validated like the other limits", () => {
  for (const value of [0, -1, 1.5, Number.NaN, "128"]) {
    assert.throws(
      () => createRpcServer({ maxPendingHandshakes: value as number }),
      (error: unknown) => error instanceof RpcServerError && error.code === "ERR_RPC_INVALID_OPTION" && error.message.includes("maxPendingHandshakes"),
      String(value),
    );
  }
  assert.doesNotThrow(() => createRpcServer({ maxPendingHandshakes: 1 }));
});
