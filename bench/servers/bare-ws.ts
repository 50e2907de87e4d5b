/**
 * Transport floor: a bare `ws` server that sends every text message straight back.
 * With `--cork`, replies written in the same event-loop turn are corked into one socket write
 * (the write coalescing Cogwheel does), so the floor is comparable on that point too.
 */
import type { AddressInfo } from "node:net";
import { corkPerTurn } from "../lib/cork.ts";
import { listenWebSocketServer, runServer } from "./common.ts";

const cork = process.argv.includes("--cork");

await runServer(async () => {
  const wss = await listenWebSocketServer();
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
