// The transport (DESIGN §2 "Transport", §3 limits): loopback bind, plain HTTP, paths, frame
// types and sizes, no compression, start-up errors and option checks.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import net from "node:net";
import { test, type TestContext } from "node:test";
import WebSocket from "ws";
import { HELP_TEXT } from "../../src/rpc/http-reply.ts";
import { createRpcServer, RpcServerError, type RpcServer, type RpcServerOptions } from "../../src/rpc/index.ts";
import { connect, startServer, upgradeStatus, type TestClient } from "../support/rpc.ts";

/** Where a TCP connect attempt ended: connected, refused with an errno code, or nothing in time. */
function tryConnect(host: string, port: number, ms = 1500): Promise<"connected" | "timeout" | string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("timeout");
    }, ms);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code ?? "error");
    });
  });
}

/** Listening TCP sockets on `port` from /proc (Linux), as "address:port" in the kernel's hex; null elsewhere. */
function listenersFromProc(port: number): { v4: string[]; v6: string[] } | null {
  const read = (file: string): string[] | null => {
    try {
      return readFileSync(file, "utf8").split("\n").slice(1);
    } catch {
      return null;
    }
  };
  const v4 = read("/proc/net/tcp");
  if (v4 === null) return null;
  const v6 = read("/proc/net/tcp6") ?? [];
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const listening = (lines: string[]): string[] =>
    lines
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length > 3 && cols[3] === "0A" && cols[1]!.endsWith(`:${hexPort}`))
      .map((cols) => cols[1]!);
  return { v4: listening(v4), v6: listening(v6) };
}

/** A plain HTTP request (no upgrade), answered with status, headers and body. Bounded. */
function plainHttp(port: number, method: string, path: string, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, agent: false }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on("error", reject);
    });
    req.setTimeout(2000, () => req.destroy(new Error("no HTTP answer in time")));
    req.on("error", reject);
    req.end(body);
  });
}

/** Writes raw bytes and collects everything until the server closes (bounded). */
function rawExchange(port: number, text: string, ms = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(text));
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close in time; got ${JSON.stringify(data)}`));
    }, ms);
    socket.on("data", (chunk) => (data += chunk.toString()));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on("error", () => {});
  });
}

async function echoServer(t: TestContext, options: RpcServerOptions = {}): Promise<RpcServer> {
  const server = await startServer(t, options);
  server.methods.register("PING", () => "pong");
  server.methods.register("LENGTH", (text: string) => text.length);
  return server;
}

async function assertAnswers(client: TestClient): Promise<void> {
  const reply = await client.call("PING");
  assert.deepEqual(reply, { jsonrpc: "2.0", id: reply.id, result: "pong" });
}

function assertServerError(code: string, ...fragments: string[]) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RpcServerError, `expected an RpcServerError, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `${JSON.stringify(error.message)} lacks ${fragment}`);
    assert.ok(!error.message.includes("\n"), "the message is one line");
    return true;
  };
}

test("the server binds 127.0.0.1 only: the listener table shows no other address, and [::1] refuses", async (t) => {
  const server = await echoServer(t);
  const port = server.port;
  assert.ok(port > 0);
  const proc = listenersFromProc(port);
  if (proc !== null) {
    // 0100007F is 127.0.0.1 in /proc/net/tcp's little-endian hex.
    assert.deepEqual(proc, { v4: [`0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`], v6: [] });
  }
  assert.equal(await tryConnect("127.0.0.1", port), "connected");
  // The kernel's listener table is the proof for other addresses: tests send traffic to
  // loopback only, never to the machine's other interfaces.
  // Also not on ::1 (the server is IPv4-only on loopback); refused or unreachable, never connected.
  assert.notEqual(await tryConnect("::1", port), "connected", "the server must not be reachable on [::1]");
});

test("plain HTTP (no upgrade), any method and path, gets 426 Upgrade Required with Upgrade: websocket and the help text, then closes", async (t) => {
  const server = await echoServer(t);
  for (const [method, path] of [["GET", "/"], ["POST", "/"], ["PUT", "/"], ["HEAD", "/"], ["GET", "/index.html"], ["OPTIONS", "/rpc"]] as const) {
    const what = `${method} ${path}`;
    const answer = await plainHttp(server.port, method, path, method === "POST" || method === "PUT" ? '{"jsonrpc":"2.0","id":1,"method":"PING"}' : undefined);
    assert.equal(answer.status, 426, what);
    assert.equal(answer.headers.upgrade, "websocket", what);
    assert.equal(answer.headers.connection, "Upgrade, close", what);
    assert.equal(answer.headers.allow, undefined, what);
    assert.equal(answer.headers["content-type"], "text/plain; charset=utf-8", what);
    assert.equal(answer.body, method === "HEAD" ? "" : `${HELP_TEXT}\n`, what);
  }
  assert.match(HELP_TEXT, /WebSocket/);
  assert.match(HELP_TEXT, /ws:\/\/127\.0\.0\.1:/);
  // On the wire: the status line, the headers, the body, and the server closes the connection.
  const raw = await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
  const [head, body] = raw.split("\r\n\r\n");
  const lines = head!.split("\r\n");
  assert.equal(lines[0], "HTTP/1.1 426 Upgrade Required");
  assert.ok(lines.includes("Upgrade: websocket"), head);
  assert.ok(lines.includes("Connection: Upgrade, close"), head);
  assert.ok(lines.includes(`Content-Length: ${Buffer.byteLength(`${HELP_TEXT}\n`)}`), head);
  assert.equal(body, `${HELP_TEXT}\n`);
  // An upgrade to another protocol is not a WebSocket either.
  const h2c = await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`);
  const [h2cHead, h2cBody] = h2c.split("\r\n\r\n");
  assert.equal(h2cHead!.split("\r\n")[0], "HTTP/1.1 426 Upgrade Required");
  assert.ok(h2cHead!.split("\r\n").includes("Upgrade: websocket"), h2cHead);
  assert.ok(h2cHead!.split("\r\n").includes("Connection: Upgrade, close"), h2cHead);
  assert.equal(h2cBody, `${HELP_TEXT}\n`);
  // Garbage that is not HTTP at all is answered by the HTTP layer, not a crash.
  const garbage = await rawExchange(server.port, "\x00\x01 this is not http\r\n\r\n");
  assert.match(garbage, /^HTTP\/1\.1 400 /);
  const client = await connect(t, server);
  await assertAnswers(client);
  assert.equal(server.state, "listening");
});

test("an upgrade on another path than / gets 404; / with a query string is the endpoint", async (t) => {
  const server = await echoServer(t);
  for (const path of ["/rpc", "/ws", "//", "/index.html", "/%2F"]) {
    assert.deepEqual(await upgradeStatus(server.port, {}, path), { status: 404, body: "The RPC endpoint is at path /.\n" }, path);
  }
  assert.deepEqual(await upgradeStatus(server.port, {}, "/?client=test"), { status: 101, body: "" });
  await assertAnswers(await connect(t, server));
});

test("a binary frame closes that connection with 1003; other connections are unaffected", async (t) => {
  const server = await echoServer(t);
  const bystander = await connect(t, server);
  const client = await connect(t, server);
  await assertAnswers(client);
  const closed = client.closed();
  client.ws.send(Buffer.from('{"jsonrpc":"2.0","id":9,"method":"PING"}'), { binary: true });
  assert.deepEqual(await closed, { code: 1003, reason: "binary frames are not supported; send JSON text" });
  assert.deepEqual(client.frames, [], "the binary request was not answered");
  await assertAnswers(bystander);
  await assertAnswers(await connect(t, server));
});

test("a frame over maxMessageBytes closes with 1009; one of exactly the limit is accepted and answered", async (t) => {
  const limit = 64 * 1024;
  const server = await echoServer(t, { maxMessageBytes: limit });
  const bystander = await connect(t, server);
  const emptyLength = `{"jsonrpc":"2.0","id":1,"method":"LENGTH","params":[""]}`.length;
  const frameOf = (size: number, id: number): string =>
    `{"jsonrpc":"2.0","id":${id},"method":"LENGTH","params":["${"x".repeat(size - emptyLength)}"]}`;
  const client = await connect(t, server);
  const atLimit = frameOf(limit, 1);
  assert.equal(Buffer.byteLength(atLimit), limit);
  client.send(atLimit);
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: 1, result: limit - emptyLength });
  const overLimit = frameOf(limit + 1, 2);
  assert.equal(Buffer.byteLength(overLimit), limit + 1);
  const closed = client.closed();
  client.send(overLimit);
  assert.equal((await closed).code, 1009);
  assert.deepEqual(client.frames, [], "the oversized request was not answered");
  await assertAnswers(bystander);
});

test("a text frame with invalid UTF-8 closes that connection with 1007, without crashing the server", async (t) => {
  const server = await echoServer(t);
  const bystander = await connect(t, server);
  const client = await connect(t, server);
  const closed = client.closed();
  // ws sends a Buffer as a text frame when told binary: false, without checking it.
  client.ws.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
  assert.equal((await closed).code, 1007);
  assert.deepEqual(client.frames, []);
  await assertAnswers(bystander);
  await assertAnswers(await connect(t, server));
  assert.equal(server.state, "listening");
});

test("permessage-deflate is never negotiated, even when the client offers it", async (t) => {
  const server = await echoServer(t);
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { perMessageDeflate: true });
  t.after(() => ws.terminate());
  const responseHeaders = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
    ws.once("upgrade", (res) => resolve(res.headers));
    ws.once("error", reject);
  });
  await new Promise<void>((resolve, reject) => {
    if (ws.readyState === WebSocket.OPEN) resolve();
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  assert.equal(responseHeaders["sec-websocket-extensions"], undefined);
  assert.equal(ws.extensions, "");
  // And on the raw wire, with the offer written by hand.
  const key = "dGhlIHNhbXBsZSBub25jZQ==";
  const head = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(server.port, "127.0.0.1", () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
          "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n",
      ),
    );
    let data = "";
    const timer = setTimeout(() => reject(new Error("no handshake answer")), 2000);
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      if (data.includes("\r\n\r\n")) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.slice(0, data.indexOf("\r\n\r\n")));
      }
    });
    socket.on("error", reject);
  });
  assert.match(head, /^HTTP\/1\.1 101 /);
  assert.doesNotMatch(head, /sec-websocket-extensions/i);
});

test("a port in use makes listen() reject with ERR_RPC_PORT_IN_USE and a one-line message naming the port", async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => blocker.close());
  const { port } = blocker.address() as net.AddressInfo;
  const server = createRpcServer({ port });
  t.after(() => server.close());
  await assert.rejects(server.listen(), assertServerError("ERR_RPC_PORT_IN_USE", String(port)));
  // The failed server holds nothing: closing it resolves.
  await server.close();
});

test("listen() twice, or while the first call is pending, rejects with ERR_RPC_BAD_STATE", async (t) => {
  const server = await echoServer(t);
  await assert.rejects(server.listen(), assertServerError("ERR_RPC_BAD_STATE"));
  const other = createRpcServer({ port: 0 });
  t.after(() => other.close());
  const first = other.listen();
  await assert.rejects(other.listen(), assertServerError("ERR_RPC_BAD_STATE"));
  assert.ok((await first).port > 0);
  // The first server is unharmed by the refused second listen().
  await assertAnswers(await connect(t, server));
});

test("invalid options throw ERR_RPC_INVALID_OPTION naming the option, at createRpcServer time", () => {
  const cases: Array<[RpcServerOptions, string]> = [
    [{ port: -1 }, "port"],
    [{ port: 65536 }, "port"],
    [{ maxBatchSize: 0 }, "maxBatchSize"],
    [{ heartbeatMs: 1.5 }, "heartbeatMs"],
    [{ maxMessageBytes: "4MiB" as unknown as number }, "maxMessageBytes"],
    [{ maxInFlight: Number.NaN }, "maxInFlight"],
    [{ maxConnections: 0 }, "maxConnections"],
    [{ maxDepth: Infinity }, "maxDepth"],
  ];
  for (const [options, name] of cases) {
    assert.throws(() => createRpcServer(options), assertServerError("ERR_RPC_INVALID_OPTION", name), JSON.stringify(options));
  }
});

test("a socket that never finishes its upgrade request is dropped after handshakeTimeoutMs", async (t) => {
  const server = await startServer(t, { handshakeTimeoutMs: 300 });
  const socket = net.connect(server.port, "127.0.0.1");
  t.after(() => socket.destroy());
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.resume(); // read what the server says, so its end reaches us
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\n`); // never finished
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the half-sent request was kept open")), 5000);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on("error", () => {});
  });
  assert.ok(Date.now() - started < 3000);
});
