/**
 * A hand-rolled JSON-RPC echo on a bare `ws` server, with the JSON codec as the only variable:
 * `--codec=json` (JSON.parse / JSON.stringify, which rounds integers above 2^53),
 * `--codec=lossless-json` or `--codec=json-bigint` (exact; see ../lib/codecs.ts). Each text
 * message is parsed, and `{jsonrpc:"2.0", id, result: params[0]}` is encoded and sent back — no
 * validation, no guards, no dispatch. Replies written in one event-loop turn are corked into one
 * socket write, as in bare-ws.ts --cork (the write coalescing Cogwheel does).
 */
import type { AddressInfo } from "node:net";
import { CODECS, isCodecKey } from "../lib/codecs.ts";
import { corkPerTurn } from "../lib/cork.ts";
import { listenWebSocketServer, runServer } from "./common.ts";

const codecArg = process.argv.find((a) => a.startsWith("--codec="))?.slice(8) ?? "json";
if (!isCodecKey(codecArg)) throw new Error(`ws-json-echo: unknown --codec=${codecArg} (json, lossless-json, json-bigint)`);
const { parse, stringify } = CODECS[codecArg];

interface Request {
  id?: unknown;
  params?: unknown;
}

await runServer(async () => {
  const wss = await listenWebSocketServer();
  wss.on("connection", (ws, req) => {
    ws.on("error", () => {});
    const cork = corkPerTurn(req.socket);
    ws.on("message", (data) => {
      const m = parse(data.toString()) as Request;
      const reply = stringify({ jsonrpc: "2.0", id: m.id, result: (m.params as unknown[])[0] });
      cork();
      ws.send(reply);
    });
  });
  return { port: (wss.address() as AddressInfo).port };
});
