import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { AUTH_SUBPROTOCOL_PREFIX, RPC_SUBPROTOCOL, TOKEN_FILE } from "../protocol/constants.ts";

/**
 * The checks made before a WebSocket upgrade. Browsers apply no CORS to WebSockets, so any
 * web page could otherwise drive the bot; DNS rebinding could reach it by name. The Host
 * check stops rebinding, the Origin check stops foreign pages. Non-browser clients send no
 * Origin, or (Python's websocket-client) the server's own loopback origin; both pass.
 */
export interface Guard {
  /** Returns the HTTP status and why the request is refused, or null when it may upgrade. */
  check(request: IncomingMessage): { status: 401 | 403; reason: string } | null;
  /**
   * The same Host and Origin checks for a plain HTTP request (static files): a rebinding
   * page must not read them either. No token: a page is loaded before it can ask for one.
   */
  checkPage(request: IncomingMessage): { status: 403; reason: string } | null;
}

const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/**
 * Builds the guard for a server listening on `port` with extra allowed origins and, when
 * `token` is set, token authentication (Bearer header or auth subprotocol).
 */
export function createGuard(port: number, allowedOrigins: ReadonlySet<string>, token: string | null): Guard {
  const expected = token === null ? null : digest(token);
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
  const checkPage = (request: IncomingMessage): { status: 403; reason: string } | null => {
    const host = request.headers.host;
    if (host === undefined || !hosts.has(host.toLowerCase())) {
      return { status: 403, reason: `Host ${JSON.stringify(host ?? "")} is not this server's loopback address` };
    }
    const origin = request.headers.origin;
    // `null` (sandboxed frames, file: pages) is refused like any other foreign origin.
    if (origin !== undefined && !origins.has(origin)) {
      return { status: 403, reason: `Origin ${JSON.stringify(origin)} is not allowed (see --rpc-allow-origin)` };
    }
    return null;
  };
  return {
    checkPage,
    check(request) {
      const refusal = checkPage(request);
      if (refusal !== null) return refusal;
      if (expected !== null) {
        const presented = presentedToken(request);
        // Digests have one length whatever was sent, so the comparison leaks neither the
        // token's length nor how much of it matched.
        if (presented === null || !timingSafeEqual(digest(presented), expected)) {
          return { status: 401, reason: `A valid RPC token is required (Authorization: Bearer <token>, see ${TOKEN_FILE} in the data dir)` };
        }
      }
      return null;
    },
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** The token from `Authorization: Bearer …` or from a `cogwheel.auth.<token>` subprotocol. */
function presentedToken(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match === null ? null : match[1]!;
  }
  const protocols = request.headers["sec-websocket-protocol"];
  if (protocols !== undefined) {
    for (const protocol of protocols.split(",")) {
      const trimmed = protocol.trim();
      if (trimmed.startsWith(AUTH_SUBPROTOCOL_PREFIX)) return trimmed.slice(AUTH_SUBPROTOCOL_PREFIX.length);
    }
  }
  return null;
}

/**
 * Chooses the subprotocol to answer with: ours when offered, else the first offered one that
 * is not an auth token (never echo a secret), else none.
 */
export function selectSubprotocol(offered: Set<string>): string | false {
  if (offered.has(RPC_SUBPROTOCOL)) return RPC_SUBPROTOCOL;
  for (const protocol of offered) if (!protocol.startsWith(AUTH_SUBPROTOCOL_PREFIX)) return protocol;
  return false;
}
