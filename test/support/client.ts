// Helpers for RpcClient tests: a client on a real server, a ws subclass that records what it sends.
import type { TestContext } from "node:test";
import WebSocket from "ws";
import type { RpcClient, WebSocketConstructor } from "../../src/client/index.ts";
import { createNodeRpcClient, type NodeRpcClientOptions } from "../../src/client/node.ts";

/** A Node RpcClient on `port`, without token file, closed when the test ends. */
export function nodeClient(t: TestContext, port: number, options: NodeRpcClientOptions = {}): RpcClient {
  const client = createNodeRpcClient({ port, dataDir: false, ...options });
  t.after(() => client.close());
  return client;
}

/** A `ws` WebSocket class that records every frame it sends, and the constructor arguments. */
export function spyWebSocket(): { Ctor: WebSocketConstructor; sent: string[]; constructed: unknown[][] } {
  const sent: string[] = [];
  const constructed: unknown[][] = [];
  class Spy extends WebSocket {
    constructor(...args: any[]) { // any: forwards ws's overloaded constructor arguments
      constructed.push(args);
      super(args[0], args[1], args[2]);
    }
    override send(data: any, ...rest: any[]): void { // any: ws's overloads
      sent.push(String(data));
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  }
  return { Ctor: Spy as unknown as WebSocketConstructor, sent, constructed };
}

export { eventually, sleep } from "./wait.ts";
