// The client's side of token auth, observed on the wire: a small ws server records each upgrade
// request's headers; the last test runs against the real RpcServer's token check.
import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import WebSocket, { WebSocketServer } from "ws";
import { createRpcClient, RpcConnectionError, type WebSocketConstructor } from "../../src/client/index.ts";
import { readTokenFile } from "../../src/client/node.ts";
import { tempDir } from "../support/cli.ts";
import { startServer } from "../support/rpc.ts";
import { eventually, nodeClient } from "../support/client.ts";

const TOKEN_A = "a".repeat(32) + "0123456789abcdef0123456789abcdef";
const TOKEN_B = "b".repeat(64);

interface Recorder {
  port: number;
  requests: IncomingHttpHeaders[];
  protocols: string[];
  sockets: WebSocket[];
}

/**
 * Records every upgrade's headers and the subprotocol it selected; answers each call with
 * "ok". With `requireToken`, refuses (401) an upgrade that presents neither the header nor the
 * subprotocol carrying that token, like the server's planned check.
 */
async function recorder(t: TestContext, requireToken?: string): Promise<Recorder> {
  const rec: Recorder = { port: 0, requests: [], protocols: [], sockets: [] };
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    handleProtocols: (offered) => (offered.has("cogwheel.rpc") ? "cogwheel.rpc" : false),
    verifyClient: (info, done) => {
      rec.requests.push(info.req.headers);
      if (requireToken === undefined) return done(true);
      const offered = String(info.req.headers["sec-websocket-protocol"] ?? "").split(/,\s*/);
      const ok = info.req.headers.authorization === `Bearer ${requireToken}` || offered.includes(`cogwheel.auth.${requireToken}`);
      done(ok, 401, "Unauthorized");
    },
  });
  wss.on("connection", (ws) => {
    rec.protocols.push(ws.protocol);
    rec.sockets.push(ws);
    ws.on("message", (data) => {
      const request = JSON.parse(String(data)) as { id: number };
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: request.id, result: "ok" }));
    });
  });
  await new Promise<void>((r) => wss.once("listening", r));
  rec.port = (wss.address() as { port: number }).port;
  t.after(() => new Promise<void>((r) => {
    for (const ws of wss.clients) ws.terminate();
    wss.close(() => r());
  }));
  return rec;
}

/** What a browser offers: `new WebSocket(url, protocols)`, no headers, no third argument. */
function browserWebSocket(constructed: unknown[][]): WebSocketConstructor {
  class BrowserLike extends WebSocket {
    constructor(...args: any[]) { // any: mirrors the browser's (url, protocols?) signature
      constructed.push(args);
      if (args.length > 2) throw new TypeError("a browser WebSocket takes no options");
      super(args[0], args[1]);
    }
  }
  return BrowserLike as unknown as WebSocketConstructor;
}

test("Node: the token from <dataDir>/rpc.token goes out as Authorization: Bearer, re-read at every reconnect", { timeout: 10_000 }, async (t) => {
  const rec = await recorder(t);
  const dataDir = tempDir(t);
  writeFileSync(join(dataDir, "rpc.token"), `${TOKEN_A}\n`, { mode: 0o600 });
  const client = nodeClient(t, rec.port, { dataDir, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
  assert.equal(await client.call("ANY"), "ok");
  assert.equal(rec.requests[0]!.authorization, `Bearer ${TOKEN_A}`);
  assert.equal(rec.requests[0]!["sec-websocket-protocol"], undefined, "no token in subprotocols in Node");

  writeFileSync(join(dataDir, "rpc.token"), `${TOKEN_B}\n`); // the bot restarted with a new token
  rec.sockets[0]!.terminate();
  await eventually(() => rec.requests.length === 2 && client.state === "open", 3000, "the reconnect");
  assert.equal(rec.requests[1]!.authorization, `Bearer ${TOKEN_B}`);

  const noFile = nodeClient(t, rec.port, { dataDir: tempDir(t) });
  assert.equal(await noFile.call("ANY"), "ok");
  assert.equal(rec.requests[2]!.authorization, undefined, "no token file: no header");
});

test("Node: a refused token is a one-line connection error naming the 401; an explicit token wins over the file", { timeout: 10_000 }, async (t) => {
  const rec = await recorder(t, TOKEN_A);
  const dataDir = tempDir(t);
  writeFileSync(join(dataDir, "rpc.token"), `${TOKEN_B}\n`);
  const wrong = nodeClient(t, rec.port, { dataDir });
  const error = await wrong.connect().catch((e: unknown) => e);
  assert.ok(error instanceof RpcConnectionError);
  assert.equal(error.code, "ERR_RPC_UNAUTHORIZED");
  assert.equal(error.httpStatus, 401);
  assert.equal(error.message, `could not connect to ws://127.0.0.1:${rec.port}/: Unexpected server response: 401`);
  const explicit = nodeClient(t, rec.port, { dataDir, token: TOKEN_A });
  assert.equal(await explicit.call("ANY"), "ok");
  const throwing = nodeClient(t, rec.port, { token: () => { throw new Error("vault locked"); } });
  await assert.rejects(throwing.connect(), { code: "ERR_RPC_CONNECT", message: "could not read the RPC token: vault locked" });
});

test("browser mode: the token goes out as subprotocols cogwheel.rpc + cogwheel.auth.<token>, never as a header", { timeout: 10_000 }, async (t) => {
  const rec = await recorder(t, TOKEN_A);
  const constructed: unknown[][] = [];
  const BrowserLike = browserWebSocket(constructed);
  let asked = 0;
  const client = createRpcClient({ port: rec.port, WebSocket: BrowserLike, token: async () => (asked++, TOKEN_A) });
  t.after(() => client.close());
  assert.equal(await client.call("ANY"), "ok");
  assert.deepEqual(constructed, [[`ws://127.0.0.1:${rec.port}/`, ["cogwheel.rpc", `cogwheel.auth.${TOKEN_A}`]]]);
  // ws joins with ",", browsers with ", ": a server must split on /,\s*/.
  assert.deepEqual(String(rec.requests[0]!["sec-websocket-protocol"]).split(/,\s*/), ["cogwheel.rpc", `cogwheel.auth.${TOKEN_A}`]);
  assert.equal(rec.requests[0]!.authorization, undefined);
  assert.deepEqual(rec.protocols, ["cogwheel.rpc"]);
  assert.equal(asked, 1);

  // Without a token nothing is offered, so it works with a server that does no token auth.
  const open = await recorder(t);
  const plain = createRpcClient({ port: open.port, WebSocket: BrowserLike });
  t.after(() => plain.close());
  assert.equal(await plain.call("ANY"), "ok");
  assert.deepEqual(constructed[1], [`ws://127.0.0.1:${open.port}/`]);
  assert.equal(open.requests[0]!["sec-websocket-protocol"], undefined);
});

test("browser mode: globalThis.WebSocket is the default constructor; none at all is a clear TypeError", { timeout: 10_000 }, async (t) => {
  const rec = await recorder(t);
  const g = globalThis as { WebSocket?: unknown };
  const saved = g.WebSocket;
  const constructed: unknown[][] = [];
  g.WebSocket = browserWebSocket(constructed);
  t.after(() => (g.WebSocket = saved));
  const client = createRpcClient({ url: `ws://127.0.0.1:${rec.port}/`, token: TOKEN_B });
  t.after(() => client.close());
  assert.equal(await client.call("ANY"), "ok");
  assert.equal(constructed.length, 1);
  delete g.WebSocket;
  assert.throws(() => createRpcClient(), { name: "TypeError", message: /no WebSocket implementation/ });
});

test("readTokenFile: first line, trimmed; a missing file means no token", { timeout: 10_000 }, async (t) => {
  const dir = tempDir(t);
  assert.equal(await readTokenFile(dir), undefined);
  writeFileSync(join(dir, "rpc.token"), `${TOKEN_A}\r\n`);
  assert.equal(await readTokenFile(dir), TOKEN_A);
});

test("against the real RpcServer with token auth: the Node header and the browser subprotocols are both accepted, no token is a 401", { timeout: 10_000 }, async (t) => {
  const server = await startServer(t, { authToken: TOKEN_A });
  const dataDir = tempDir(t);
  writeFileSync(join(dataDir, "rpc.token"), `${TOKEN_A}\n`, { mode: 0o600 });
  const node = nodeClient(t, server.port, { dataDir });
  assert.deepEqual(await node.call("GET_TOPICS"), []);

  const browser = createRpcClient({ port: server.port, WebSocket: browserWebSocket([]), token: TOKEN_A });
  t.after(() => browser.close());
  assert.deepEqual(await browser.call("GET_TOPICS"), []);

  const none = nodeClient(t, server.port, { dataDir: tempDir(t) });
  await assert.rejects(none.connect(), { code: "ERR_RPC_UNAUTHORIZED", message: `could not connect to ws://127.0.0.1:${server.port}/: Unexpected server response: 401` });

  // A browser's WebSocket has only the standard API and hides the HTTP status: the refusal is a
  // bare connection failure there (ERR_RPC_CONNECT, retried with back-off under reconnect).
  class StandardOnly {
    readonly #ws: WebSocket;
    constructor(url: string, protocols?: string | string[]) {
      this.#ws = new WebSocket(url, protocols);
    }
    get readyState(): number {
      return this.#ws.readyState;
    }
    send(data: string): void {
      this.#ws.send(data);
    }
    close(code?: number, reason?: string): void {
      this.#ws.close(code, reason);
    }
    addEventListener(type: string, listener: (event: any) => void): void { // any: as WebSocketLike
      this.#ws.addEventListener(type as "open", listener);
    }
  }
  const standard = createRpcClient({ port: server.port, WebSocket: StandardOnly, token: TOKEN_B });
  t.after(() => standard.close());
  await assert.rejects(standard.connect(), { code: "ERR_RPC_CONNECT" });
});
