/** rpc-websockets' Server with an `echo` method registered as its README shows. */
import { Server } from "rpc-websockets";
import { runServer } from "./common.ts";

await runServer(async () => {
  const server = new Server({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  server.on("socket-error", () => {});
  // Its methods receive the params array (README: `server.register('sum', (params) => params[0] + params[1])`).
  server.register("echo", (params: unknown) => (params as unknown[])[0]);
  const address = server.wss.address();
  if (address === null || typeof address === "string") throw new Error("rpc-websockets: no TCP address");
  return { port: address.port };
});
