/**
 * json-rpc-2.0's JSONRPCServer over a `ws` WebSocketServer, wired as its README's WebSocket
 * section shows: a JSONRPCServerAndClient per socket, `receiveAndSend(JSON.parse(data))`,
 * replies sent with `webSocket.send(JSON.stringify(...))`.
 */
import type { AddressInfo } from "node:net";
import { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient } from "json-rpc-2.0";
import { listenWebSocketServer, runServer } from "./common.ts";

await runServer(async () => {
  const rpc = new JSONRPCServer();
  // Positional params arrive as the params array.
  rpc.addMethod("echo", (params: unknown) => (params as unknown[])[0]);
  const wss = await listenWebSocketServer();
  wss.on("connection", (webSocket) => {
    webSocket.on("error", () => {});
    const serverAndClient = new JSONRPCServerAndClient(
      rpc,
      new JSONRPCClient((request) => {
        try {
          webSocket.send(JSON.stringify(request));
          return Promise.resolve();
        } catch (error) {
          return Promise.reject(error);
        }
      }),
    );
    webSocket.on("message", (data) => {
      serverAndClient.receiveAndSend(JSON.parse(data.toString())).catch(() => {});
    });
    webSocket.on("close", () => serverAndClient.rejectAllPendingRequests("Connection is closed."));
  });
  return { port: (wss.address() as AddressInfo).port };
});
