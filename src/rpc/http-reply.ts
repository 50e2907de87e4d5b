import { STATUS_CODES, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/** Refuses an upgrade on the raw socket with a short plain-text HTTP answer, then closes it. */
export function refuseUpgrade(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  socket.on("error", () => {}); // the peer may already be gone; nothing to do about it
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  const fields: Record<string, string> = {
    Connection: "close",
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
    ...headers,
  };
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`, ...Object.entries(fields).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
  // A peer that never closes its side must not keep the socket forever.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** The page plain HTTP requests get: what this port is and how to use it. */
export const HELP_TEXT =
  "This is Cogwheel's JSON-RPC 2.0 WebSocket endpoint. Connect with a WebSocket client to ws://127.0.0.1:<port>/ and send JSON-RPC requests, e.g. {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"GET_METHODS\"}.";

/**
 * The headers of a 426 answer. A 426 must name the protocol to switch to in `Upgrade`, and
 * whoever sends `Upgrade` must list it in `Connection` (RFC 9110 §15.5.22, §7.8); `close`
 * ends the connection after the answer, as for every refusal here.
 */
export const UPGRADE_REQUIRED_HEADERS: Readonly<Record<string, string>> = { Upgrade: "websocket", Connection: "Upgrade, close" };

/**
 * Answers a request that is not a WebSocket upgrade, whatever its method and path: 426 with
 * the help text, then the connection closes.
 */
export function answerUpgradeRequired(response: ServerResponse): void {
  const body = `${HELP_TEXT}\n`;
  response.writeHead(426, {
    ...UPGRADE_REQUIRED_HEADERS,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  response.end(body);
}
