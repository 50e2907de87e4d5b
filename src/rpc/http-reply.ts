import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/** Refuses an upgrade on the raw socket with a short plain-text HTTP answer, then closes it. */
export function refuseUpgrade(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  socket.on("error", () => {}); // the peer may already be gone; nothing to do about it
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
    "Connection: close",
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
  // A peer that never closes its side must not keep the socket forever.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** The page plain HTTP requests get: what this port is and how to use it. */
export const HELP_TEXT =
  "This is Cogwheel's JSON-RPC 2.0 WebSocket endpoint. Connect with a WebSocket client to ws://127.0.0.1:<port>/ and send JSON-RPC requests, e.g. {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"GET_METHODS\"}.";
