// Node-only helpers: the `ws` package as the WebSocket, the token file from the bot's data dir.
// Not imported by index.ts, so the browser path never sees node:fs or ws.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import WebSocket from "ws";
import { TOKEN_FILE } from "../protocol/constants.ts";
import { RpcClient, type RpcClientOptions, type TokenSource, type WebSocketConstructor } from "./client.ts";

export { TOKEN_FILE };

/**
 * Reads `<dataDir>/rpc.token` ({@link TOKEN_FILE}): the token on its first line. A missing file means the bot runs
 * without token auth (undefined); any other read error is thrown.
 */
export async function readTokenFile(dataDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, TOKEN_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read ${join(dataDir, TOKEN_FILE)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const token = text.split(/\r?\n/, 1)[0]!.trim();
  return token === "" ? undefined : token;
}

export interface NodeRpcClientOptions extends Omit<RpcClientOptions, "WebSocket" | "tokenTransport"> {
  /**
   * The bot's data dir, where it writes `rpc.token` when it runs with token auth. Read at every
   * (re)connect, so a restarted bot's new token is picked up. Default `./data` (the bot's default);
   * `false` = never read a token file. Ignored when `token` is given.
   */
  dataDir?: string | false;
  /** Sent as the Origin header (Node clients normally send none). */
  origin?: string;
  /** Another WebSocket implementation with `ws`'s constructor signature. Default: the `ws` package. */
  WebSocket?: WebSocketConstructor;
}

/** An RpcClient for Node: `ws` underneath, token sent as `Authorization: Bearer …`, found in the data dir. */
export function createNodeRpcClient(options: NodeRpcClientOptions = {}): RpcClient {
  const { dataDir = "./data", origin, WebSocket: Ctor, ...rest } = options;
  let token: TokenSource | undefined = rest.token;
  if (token === undefined && dataDir !== false) {
    const dir = resolve(dataDir);
    token = () => readTokenFile(dir);
  }
  const webSocketOptions = origin === undefined ? rest.webSocketOptions : { ...rest.webSocketOptions, origin };
  return new RpcClient({
    ...rest,
    token,
    webSocketOptions: webSocketOptions ?? {},
    tokenTransport: "header",
    WebSocket: Ctor ?? WebSocket,
  });
}
