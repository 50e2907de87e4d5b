// A browser-style client: only the standard WebSocket API surface (the `ws` package's
// browser-compatible one), with the Origin a browser page would send. The bot allows one origin.
import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { createRpcClient, RpcConnectionError, type WebSocketConstructor } from "../../src/client/index.ts";
import { runCli, tempDir } from "../support/cli.ts";
import { eventually } from "../support/client.ts";

const DASHBOARD = "https://dash.example";

/** What a page on `origin` gets from `new WebSocket(url)`: the browser adds the Origin header. */
function browserWebSocketAt(origin: string): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { origin });
    }
  } as unknown as WebSocketConstructor;
}

/** Everything a standard-API page sees before the socket settles: event types in order, and the frames. */
function openPage(url: string, origin: string, onOpen: (ws: WebSocket) => void, frames: number): Promise<{ events: string[]; messages: unknown[]; error?: string; closeCode?: number }> {
  return new Promise((resolve, reject) => {
    const events: string[] = [];
    const messages: unknown[] = [];
    const ws = new WebSocket(url, { origin });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`page did not settle: ${events}`));
    }, 5000);
    let error: string | undefined;
    ws.addEventListener("open", () => {
      events.push("open");
      onOpen(ws);
    });
    ws.addEventListener("message", (event) => {
      events.push("message");
      messages.push(JSON.parse(String(event.data)));
      if (messages.length === frames) ws.close(1000);
    });
    ws.addEventListener("error", (event) => {
      events.push("error");
      error = event.message;
    });
    ws.addEventListener("close", (event) => {
      events.push("close");
      clearTimeout(timer);
      resolve({ events, messages, error, closeCode: event.code });
    });
  });
}

test("browser-style clients: an allowed Origin works, a foreign Origin is refused with 403 before open", { timeout: 30_000 }, async (t) => {
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-allow-origin", DASHBOARD, "--data-dir", tempDir(t)]);
  const port = await bot.rpcPort();
  const url = `ws://127.0.0.1:${port}/`;

  await t.test("standard API, allowed Origin: call and subscribe with addEventListener", async () => {
    const page = await openPage(
      url,
      DASHBOARD,
      (ws) => {
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: "m", method: "GET_METHODS" }));
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: "s", method: "SUBSCRIBE", params: ["CORE__PACKAGES"] }));
      },
      3,
    );
    assert.deepEqual(page.events, ["open", "message", "message", "message", "close"]);
    assert.equal(page.closeCode, 1000);
    const byId = new Map(page.messages.map((m) => [(m as { id?: string }).id ?? "push", m]));
    assert.ok(((byId.get("m") as { result: string[] }).result).includes("CORE__LOAD"));
    assert.deepEqual(byId.get("s"), { jsonrpc: "2.0", id: "s", result: ["CORE__PACKAGES"] });
    assert.deepEqual(byId.get("push"), { jsonrpc: "2.0", method: "CORE__PACKAGES", params: { loaded: [], failed: {}, available: ["dashboard", "economy", "general"] } });
  });

  await t.test("standard API, foreign Origin: error then close, never open; the server answered 403", async () => {
    for (const origin of ["https://evil.example", "https://dash.example.evil.example", "null"]) {
      const page = await openPage(url, origin, () => assert.fail("must not open"), 1);
      assert.deepEqual(page.events, ["error", "close"], origin);
      assert.equal(page.error, "Unexpected server response: 403", origin);
      assert.equal(page.closeCode, 1006, origin);
    }
  });

  await t.test("RpcClient in browser mode (globalThis-style constructor, no headers): allowed works, foreign refused", async (t2) => {
    const good = createRpcClient({ port, WebSocket: browserWebSocketAt(DASHBOARD) });
    t2.after(() => good.close());
    const versions = await good.call<Record<string, string>>("CORE__VERSION_INFO");
    assert.deepEqual(Object.keys(versions).sort(), ["cogwheel", "discord_js", "node"]);
    const pushes: unknown[] = [];
    const sub = good.subscribe("core__status", (data) => pushes.push(data));
    assert.equal(await sub.ready, true);

    const evil = createRpcClient({ port, WebSocket: browserWebSocketAt("https://evil.example") });
    t2.after(() => evil.close());
    const error = await evil.call("GET_METHODS").catch((e: unknown) => e);
    assert.ok(error instanceof RpcConnectionError);
    assert.equal(error.message, `could not connect to ${url}: Unexpected server response: 403`);
    await eventually(() => pushes.length === 1, 2000, "the stored status");
  });

  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});
