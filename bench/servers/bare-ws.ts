/**
 * Transport floor: a bare `ws` server that sends every text message straight back.
 * With `--cork`, replies written in the same event-loop turn are corked into one socket write
 * (the write coalescing Cogwheel does), so the floor is comparable on that point too.
 */
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { corkPerTurn } from "../lib/cork.ts";
import { runServer } from "./common.ts";

const cork = process.argv.includes("--cork");

await runServer(async () => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  wss.on("connection", (ws, req) => {
    ws.on("error", () => {});
    if (!cork) {
      ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
      return;
    }
    const corkNow = corkPerTurn(req.socket);
    ws.on("message", (data, isBinary) => {
      corkNow();
      ws.send(data, { binary: isBinary });
    });
  });
  return { port: (wss.address() as AddressInfo).port };
});
