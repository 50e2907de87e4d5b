// Token authentication before the upgrade: Bearer header or auth subprotocol, else 401.
import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { createRpcServer } from "../../src/rpc/index.ts";
import { connect, recordingLogger, startServer, upgradeStatus } from "../support/rpc.ts";

const TOKEN = "a".repeat(24) + "0123456789abcdef0123456789abcdef";

test("with a token set, no token, a wrong token or a malformed header gets 401 before the upgrade", async (t) => {
  const logger = recordingLogger();
  const server = await startServer(t, { authToken: TOKEN, logger });
  const { port } = server;
  assert.deepEqual((await upgradeStatus(port, {})).status, 401);
  assert.deepEqual((await upgradeStatus(port, { Authorization: `Bearer ${TOKEN}x` })).status, 401);
  assert.deepEqual((await upgradeStatus(port, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` })).status, 401);
  assert.deepEqual((await upgradeStatus(port, { Authorization: `Basic ${TOKEN}` })).status, 401);
  assert.deepEqual((await upgradeStatus(port, { Authorization: "Bearer" })).status, 401);
  const refused = await upgradeStatus(port, {});
  assert.match(refused.body, /A valid RPC token is required/);
  assert.ok(!refused.body.includes(TOKEN), "the token is never echoed");
  assert.ok(!JSON.stringify(logger.entries).includes(TOKEN), "the token is never logged");
});

test("the right token opens the connection, as a Bearer header or as a browser subprotocol", async (t) => {
  const server = await startServer(t, { authToken: TOKEN });
  const byHeader = await connect(t, server, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal((await byHeader.call("GET_TOPICS")).result.length, 0);
  const lowerScheme = await connect(t, server, { headers: { Authorization: `bearer ${TOKEN}` } });
  assert.equal((await lowerScheme.call("GET_TOPICS")).result.length, 0);

  const browser = new WebSocket(`ws://127.0.0.1:${server.port}/`, ["cogwheel.rpc", `cogwheel.auth.${TOKEN}`]);
  t.after(() => browser.terminate());
  await new Promise<void>((resolve, reject) => {
    browser.once("open", () => resolve());
    browser.once("error", reject);
  });
  assert.equal(browser.protocol, "cogwheel.rpc", "the server selects the RPC subprotocol, never the token");
});

test("the auth subprotocol is never selected, even when it is the only one offered", async (t) => {
  const server = await startServer(t, { authToken: TOKEN });
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, [`cogwheel.auth.${TOKEN}`]);
  t.after(() => ws.terminate());
  // A client that offers protocols must get one back; the server offers none, so ws fails it.
  const outcome = await new Promise<string>((resolve) => {
    ws.once("open", () => resolve(`open ${ws.protocol}`));
    ws.once("error", (error) => resolve(error.message));
  });
  assert.match(outcome, /Server sent no subprotocol/);
});

test("without a token (Red's behaviour) a client with no credentials connects", async (t) => {
  const server = await startServer(t);
  assert.equal((await upgradeStatus(server.port, {})).status, 101);
});

test("a short or non-ASCII token is refused as an option", () => {
  assert.throws(() => createRpcServer({ authToken: "short" }), { code: "ERR_RPC_INVALID_OPTION" });
  assert.throws(() => createRpcServer({ authToken: "é".repeat(40) }), { code: "ERR_RPC_INVALID_OPTION" });
});
