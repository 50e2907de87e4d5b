/**
 * The naive fan-out baseline: a small `ws` server that answers SUBSCRIBE ["TICK"] like
 * Cogwheel and publishes by looping over subscribers with a JSON.stringify + send each.
 */
import type { AddressInfo } from "node:net";
import type { WebSocket } from "ws";
import { listenWebSocketServer, runServer, tickData } from "./common.ts";

await runServer(async () => {
  const subscribers = new Set<WebSocket>();
  const wss = await listenWebSocketServer();
  wss.on("connection", (ws) => {
    ws.on("error", () => {});
    ws.on("close", () => subscribers.delete(ws));
    ws.on("message", (data) => {
      const req = JSON.parse(data.toString()) as { id?: unknown; method?: unknown; params?: unknown };
      if (typeof req.method === "string" && req.method.toUpperCase() === "SUBSCRIBE" && Array.isArray(req.params) && req.params.includes("TICK")) {
        subscribers.add(ws);
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, result: ["TICK"] }));
      } else {
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id ?? null, error: { code: -32601, message: "Method not found" } }));
      }
    });
  });
  let seq = 0;
  return {
    port: (wss.address() as AddressInfo).port,
    publish(count: number): void {
      for (let i = 0; i < count; i++) {
        const message = { jsonrpc: "2.0", method: "TICK", params: tickData(seq++) };
        for (const ws of subscribers) ws.send(JSON.stringify(message));
      }
    },
  };
});
