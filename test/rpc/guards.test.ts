// Host and Origin checks before the upgrade (DESIGN §3): DNS rebinding and foreign web pages
// get 403, real clients (no Origin, or the server's own loopback origin) get in.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import net from "node:net";
import { test, type TestContext } from "node:test";
import WebSocket, { type ClientOptions } from "ws";
import { createRpcServer, RpcServerError, type RpcServer } from "../../src/rpc/index.ts";
import { connect, recordingLogger, startServer, upgradeStatus } from "../support/rpc.ts";

/** Like `upgradeStatus`, but with any ws client options (`origin`, `headers`). Bounded. */
function tryUpgrade(port: number, options: ClientOptions, path = "/"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, options);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("upgrade attempt neither opened nor was refused in time"));
    }, 2000);
    ws.on("error", () => {});
    ws.once("open", () => {
      clearTimeout(timer);
      ws.terminate();
      resolve({ status: 101, body: "" });
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on("error", reject);
    });
  });
}

/** The headers a ws client with `options` really puts on the wire (seen by a recording server). */
async function headersSentWith(t: TestContext, options: ClientOptions): Promise<IncomingHttpHeaders> {
  const recorder = createServer();
  t.after(() => recorder.close());
  const seen = new Promise<IncomingHttpHeaders>((resolve) => {
    recorder.on("upgrade", (request, socket) => {
      resolve(request.headers);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => recorder.listen(0, "127.0.0.1", resolve));
  const { port } = recorder.address() as net.AddressInfo;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, options);
  ws.on("error", () => {});
  t.after(() => ws.terminate());
  return withTimeout(seen, 2000, "the recording server saw no upgrade request");
}

/** A raw HTTP/1.1 upgrade request with no Host header at all (a ws client always sends one). */
function rawUpgradeWithoutHost(port: number): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.write(
          "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        );
      });
      let data = "";
      socket.on("data", (chunk) => (data += chunk.toString()));
      socket.on("close", () => resolve(data));
      socket.on("error", () => {});
    }),
    2000,
    "the server neither answered nor closed a request without Host",
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]);
}

/** A port that is not the server's (and not 0). */
function otherPort(server: RpcServer): number {
  return server.port === 65535 ? 65534 : server.port + 1;
}

/** Asserts that a working connection can still be made and used. */
async function assertServerWorks(t: TestContext, server: RpcServer): Promise<void> {
  const client = await connect(t, server);
  assert.deepEqual(await client.call("PING"), { jsonrpc: "2.0", id: 1, result: "pong" });
}

async function pingServer(t: TestContext, options: Parameters<typeof startServer>[1] = {}): Promise<RpcServer> {
  const server = await startServer(t, options);
  server.methods.register("PING", () => "pong");
  return server;
}

test("the ws client really sends the Origin and Host the tests ask for (and no Origin when none is given)", async (t) => {
  const viaOption = await headersSentWith(t, { origin: "https://evil.com" });
  assert.equal(viaOption.origin, "https://evil.com");
  const viaHeaders = await headersSentWith(t, { headers: { Origin: "null", Host: "evil.example:1234" } });
  assert.equal(viaHeaders.origin, "null");
  assert.equal(viaHeaders.host, "evil.example:1234");
  const bare = await headersSentWith(t, {});
  assert.equal(bare.origin, undefined);
  assert.match(bare.host ?? "", /^127\.0\.0\.1:\d+$/);
});

test("a foreign Origin is refused with 403 and a body that says why", async (t) => {
  const logger = recordingLogger();
  const server = await pingServer(t, { logger });
  const refused = await tryUpgrade(server.port, { origin: "https://evil.com" });
  assert.deepEqual(refused, {
    status: 403,
    body: 'Origin "https://evil.com" is not allowed (see --rpc-allow-origin)\n',
  });
  assert.equal(server.connectionCount, 0);
  const warning = logger.entries.find((e) => e.level === "warn");
  assert.ok(warning !== undefined, "the refusal is logged");
  assert.equal(warning.obj.host, `127.0.0.1:${server.port}`);
  assert.equal(warning.obj.origin, "https://evil.com");
});

test("Origin: null (sandboxed frames, file: pages) is refused with 403", async (t) => {
  const server = await pingServer(t);
  assert.deepEqual(await upgradeStatus(server.port, { Origin: "null" }), {
    status: 403,
    body: 'Origin "null" is not allowed (see --rpc-allow-origin)\n',
  });
});

test("look-alike Origins are refused: suffixes, other ports, other schemes, a path, and case variants (exact match by design)", async (t) => {
  const server = await pingServer(t);
  const p = server.port;
  const lookAlikes = [
    `http://127.0.0.1:${p}.evil.com`,
    `http://127.0.0.1.evil.com:${p}`,
    `http://localhost.evil.com:${p}`,
    `http://localhost:${otherPort(server)}`,
    `http://[::1]:${otherPort(server)}`,
    `http://127.0.0.1`,
    `http://localhost`,
    `http://127.0.0.2:${p}`,
    `http://127.0.0.1:${p}/`,
    `ws://127.0.0.1:${p}`,
    "https://evil.com",
    `https://evil.com:${p}`,
    // Browsers always send the serialized (lower-case) origin; DESIGN §3 asks for an exact match.
    `HTTP://127.0.0.1:${p}`,
    `http://LOCALHOST:${p}`,
  ];
  for (const origin of lookAlikes) {
    const result = await tryUpgrade(p, { origin });
    assert.equal(result.status, 403, `Origin ${origin} must be refused`);
    assert.equal(result.body, `Origin ${JSON.stringify(origin)} is not allowed (see --rpc-allow-origin)\n`);
  }
  assert.equal(server.connectionCount, 0);
});

test("DNS rebinding: a Host that is not this server's loopback name and port is refused with 403", async (t) => {
  const server = await pingServer(t);
  const p = server.port;
  const hosts = [
    `evil.example:${p}`,
    `127.0.0.1:${otherPort(server)}`,
    `localhost:${otherPort(server)}`,
    `127.0.0.1:${p}.evil.example`,
    `127.0.0.1.evil.example:${p}`,
    "127.0.0.1",
    "localhost",
    `192.0.2.1:${p}`,
    `[::2]:${p}`,
  ];
  for (const host of hosts) {
    const result = await upgradeStatus(p, { Host: host });
    assert.deepEqual(result, { status: 403, body: `Host ${JSON.stringify(host)} is not this server's loopback address\n` }, host);
  }
  // The Host check does not depend on the Origin: a rebinding page sends its own origin too.
  const result = await tryUpgrade(p, { origin: `http://evil.example:${p}`, headers: { Host: `evil.example:${p}` } });
  assert.equal(result.status, 403);
  assert.equal(server.connectionCount, 0);
});

test("a request without any Host header is refused with 403", async (t) => {
  const server = await pingServer(t);
  const answer = await rawUpgradeWithoutHost(server.port);
  const [head, body] = answer.split("\r\n\r\n");
  assert.equal(head?.split("\r\n")[0], "HTTP/1.1 403 Forbidden");
  assert.equal(body, `Host "" is not this server's loopback address\n`);
  assert.equal(server.connectionCount, 0);
  await assertServerWorks(t, server);
});

test("the server's own loopback origins and no Origin at all are let in (101) and can call methods", async (t) => {
  const server = await pingServer(t);
  const p = server.port;
  for (const origin of [`http://127.0.0.1:${p}`, `http://localhost:${p}`, `http://[::1]:${p}`]) {
    assert.deepEqual(await tryUpgrade(p, { origin }), { status: 101, body: "" }, origin);
    const client = await connect(t, server, { origin });
    assert.deepEqual(await client.call("PING"), { jsonrpc: "2.0", id: 1, result: "pong" });
  }
  assert.deepEqual(await tryUpgrade(p, {}), { status: 101, body: "" });
  await assertServerWorks(t, server);
});

test("the Host may be any loopback name for this port: 127.0.0.1, localhost, [::1] (case-insensitive)", async (t) => {
  const server = await pingServer(t);
  const p = server.port;
  for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `[::1]:${p}`, `LocalHost:${p}`]) {
    assert.deepEqual(await upgradeStatus(p, { Host: host }), { status: 101, body: "" }, host);
  }
  // With a loopback Host and its matching origin, as Python's websocket-client sends them.
  const client = await connect(t, server, { headers: { Host: `localhost:${p}` }, origin: `http://localhost:${p}` });
  assert.deepEqual(await client.call("PING"), { jsonrpc: "2.0", id: 1, result: "pong" });
});

test("a client given ws://localhost:PORT/ (Red-Dashboard's URL) connects and calls, whichever address localhost resolves to first", async (t) => {
  const server = await pingServer(t);
  // Node tries every address of localhost (autoSelectFamily), as websocket-client does.
  const ws = new WebSocket(`ws://localhost:${server.port}/`);
  t.after(() => ws.terminate());
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    }),
    3000,
    "ws://localhost did not open",
  );
  const reply = new Promise<string>((resolve) => ws.once("message", (data: Buffer) => resolve(data.toString())));
  ws.send('{"jsonrpc":"2.0","id":0,"method":"PING","params":[]}');
  assert.deepEqual(JSON.parse(await withTimeout(reply, 2000, "no reply")), { jsonrpc: "2.0", id: 0, result: "pong" });
});

test("allowedOrigins opens exactly the listed origin, not a trailing slash, another port or scheme", async (t) => {
  const server = await pingServer(t, { allowedOrigins: ["https://dash.example"] });
  assert.deepEqual(await tryUpgrade(server.port, { origin: "https://dash.example" }), { status: 101, body: "" });
  const client = await connect(t, server, { origin: "https://dash.example" });
  assert.deepEqual(await client.call("PING"), { jsonrpc: "2.0", id: 1, result: "pong" });
  for (const origin of [
    "https://dash.example/",
    "https://dash.example:8443",
    "http://dash.example",
    "https://dash.example.evil.com",
    "https://evil.dash.example",
  ]) {
    assert.equal((await tryUpgrade(server.port, { origin })).status, 403, origin);
  }
  // The loopback origins still work next to the listed ones.
  assert.equal((await tryUpgrade(server.port, { origin: `http://127.0.0.1:${server.port}` })).status, 101);
});

test("invalid allowedOrigins values throw ERR_RPC_INVALID_OPTION at createRpcServer time", () => {
  const bad: unknown[] = ["null", "file:///home/me/dash.html", "data:text/html,x", "https://x/path", 42, "https://dash.example/", "*", "dash.example", ""];
  for (const origin of bad) {
    assert.throws(
      () => createRpcServer({ port: 0, allowedOrigins: [origin as string] }),
      (error: unknown) => {
        assert.ok(error instanceof RpcServerError, `${String(origin)}: not an RpcServerError`);
        assert.equal(error.code, "ERR_RPC_INVALID_OPTION");
        assert.ok(error.message.includes(JSON.stringify(origin)), error.message);
        return true;
      },
      `allowedOrigins [${JSON.stringify(origin)}] must be rejected`,
    );
  }
  // The valid spelling of the same origin is accepted.
  assert.doesNotThrow(() => createRpcServer({ port: 0, allowedOrigins: ["https://dash.example", "http://localhost:8080"] }));
});

test("refused upgrades never crash the server: after a burst of refusals a normal client still works", async (t) => {
  const server = await pingServer(t);
  const p = server.port;
  const attempts: Array<Promise<{ status: number; body: string }>> = [];
  for (let i = 0; i < 20; i++) {
    attempts.push(tryUpgrade(p, { origin: "https://evil.com" }));
    attempts.push(upgradeStatus(p, { Host: `evil.example:${p}` }));
    attempts.push(upgradeStatus(p, { Origin: "null" }));
  }
  const results = await Promise.all(attempts);
  assert.deepEqual(new Set(results.map((r) => r.status)), new Set([403]));
  // A peer that vanishes right after sending its request must not hurt either.
  await new Promise<void>((resolve) => {
    const socket = net.connect(p, "127.0.0.1", () => {
      socket.end(`GET / HTTP/1.1\r\nHost: evil.example:${p}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
      socket.destroy();
      resolve();
    });
    socket.on("error", () => {});
  });
  assert.equal(await rawUpgradeWithoutHost(p).then((a) => a.split("\r\n")[0]), "HTTP/1.1 403 Forbidden");
  assert.equal(server.connectionCount, 0);
  assert.equal(server.state, "listening");
  await assertServerWorks(t, server);
});
