import type { IncomingMessage } from "node:http";

/**
 * The checks made before a WebSocket upgrade. Browsers apply no CORS to WebSockets, so any
 * web page could otherwise drive the bot; DNS rebinding could reach it by name. The Host
 * check stops rebinding, the Origin check stops foreign pages. Non-browser clients send no
 * Origin, or (Python's websocket-client) the server's own loopback origin; both pass.
 */
export interface Guard {
  /** Returns why the request is refused, or null when it may upgrade. */
  check(request: IncomingMessage): string | null;
}

const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/** Builds the guard for a server listening on `port` with extra allowed origins. */
export function createGuard(port: number, allowedOrigins: ReadonlySet<string>): Guard {
  const hosts = new Set<string>();
  const origins = new Set<string>(allowedOrigins);
  for (const host of LOOPBACK_HOSTS) {
    hosts.add(`${host}:${port}`);
    if (port === 80) hosts.add(host);
    origins.add(`http://${host}:${port}`);
    origins.add(`https://${host}:${port}`);
    if (port === 80) origins.add(`http://${host}`);
    if (port === 443) origins.add(`https://${host}`);
  }
  return {
    check(request) {
      const host = request.headers.host;
      if (host === undefined || !hosts.has(host.toLowerCase())) {
        return `Host ${JSON.stringify(host ?? "")} is not this server's loopback address`;
      }
      const origin = request.headers.origin;
      // `null` (sandboxed frames, file: pages) is refused like any other foreign origin.
      if (origin !== undefined && !origins.has(origin)) {
        return `Origin ${JSON.stringify(origin)} is not allowed (see --rpc-allow-origin)`;
      }
      return null;
    },
  };
}
