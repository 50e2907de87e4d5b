import { isAbsolute } from "node:path";
import { DEFAULT_PORT } from "../protocol/constants.ts";
import { RpcServerError } from "./errors.ts";
import { silentLogger, type RpcLogger } from "./logger.ts";
import type { StaticFilesOptions } from "./static-files.ts";

/** Options of {@link createRpcServer}; every one has a documented default. */
export interface RpcServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 6133 (Red's). */
  port?: number;
  /** Extra browser origins allowed to connect, matched exactly (e.g. `https://dash.example`). Default none. */
  allowedOrigins?: readonly string[];
  /** Largest incoming message in bytes; larger frames close the socket with 1009. Default 4 MiB. */
  maxMessageBytes?: number;
  /** Most requests in one batch; a larger batch is answered with one -32600. Default 100. */
  maxBatchSize?: number;
  /** Deepest nesting of arrays/objects inside `params`. Default 64. */
  maxDepth?: number;
  /** Most simultaneous connections; beyond it the upgrade gets HTTP 503. Default 1024. */
  maxConnections?: number;
  /** Most unfinished calls per connection; beyond it the server stops reading that socket until some finish. Default 64. */
  maxInFlight?: number;
  /** Most bytes queued for a client that does not read; beyond it the connection is closed with 1008. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Ping every connection this often and drop those that did not answer the last ping; 0 turns it off. Default 30 000 ms. */
  heartbeatMs?: number;
  /** How long `close()` lets in-flight calls finish before closing sockets. Default 5 000 ms. */
  shutdownGraceMs?: number;
  /** How long a client may take to send its HTTP upgrade request; slower sockets are dropped. Default 10 000 ms. */
  handshakeTimeoutMs?: number;
  /**
   * Most sockets still sending their HTTP request, counted apart from `maxConnections`; when
   * another arrives, the oldest of them is dropped, so half-sent requests cannot lock clients
   * out. Default 128.
   */
  maxPendingHandshakes?: number;
  /** How long a closing handshake may take before the socket is destroyed. Default 1 000 ms. */
  closeTimeoutMs?: number;
  /**
   * When set, every upgrade must present this token (`Authorization: Bearer <token>` or the
   * subprotocol `cogwheel.auth.<token>`), else HTTP 401. At least 32 characters. Default: none.
   */
  authToken?: string | null;
  /** Where handler failures and connection events are logged. Default: nowhere. */
  logger?: RpcLogger;
  /** Title and version announced by `rpc.discover`. */
  info?: { title: string; version: string };
  /**
   * Serve the files under `static.root` to plain HTTP GET/HEAD requests (a web page for this
   * server, say), read into memory at `listen()`; see {@link StaticFilesOptions}. The Host and
   * Origin checks of upgrades apply to them too; the token does not (the files are no secret).
   * Default: none, and plain HTTP gets 426 with a help text.
   */
  static?: StaticFilesOptions | null;
}

/** Options after defaults are merged and values checked. */
export type ResolvedOptions = Required<Omit<RpcServerOptions, "allowedOrigins" | "authToken" | "static">> & {
  allowedOrigins: ReadonlySet<string>;
  authToken: string | null;
  static: StaticFilesOptions | null;
};

/** The defaults, in one place. */
export const DEFAULTS = {
  port: DEFAULT_PORT,
  maxMessageBytes: 4 * 1024 * 1024,
  maxBatchSize: 100,
  maxDepth: 64,
  maxConnections: 1024,
  maxInFlight: 64,
  maxBufferedBytes: 8 * 1024 * 1024,
  heartbeatMs: 30_000,
  shutdownGraceMs: 5_000,
  closeTimeoutMs: 1_000,
  handshakeTimeoutMs: 10_000,
  maxPendingHandshakes: 128,
} as const;

const INTEGER_LIMITS: ReadonlyArray<[keyof typeof DEFAULTS, number, number]> = [
  ["port", 0, 65535],
  ["maxMessageBytes", 1024, 1024 * 1024 * 1024],
  ["maxBatchSize", 1, 100_000],
  ["maxDepth", 1, 10_000],
  ["maxConnections", 1, 1_000_000],
  ["maxInFlight", 1, 1_000_000],
  ["maxBufferedBytes", 1024, 1024 * 1024 * 1024],
  ["heartbeatMs", 0, 24 * 3600_000],
  ["shutdownGraceMs", 0, 3600_000],
  ["closeTimeoutMs", 0, 3600_000],
  ["handshakeTimeoutMs", 100, 600_000],
  ["maxPendingHandshakes", 1, 1_000_000],
];

const KNOWN_OPTIONS = new Set([...Object.keys(DEFAULTS), "allowedOrigins", "authToken", "logger", "info", "static"]);

/** Merges defaults and validates every option up front; throws `ERR_RPC_INVALID_OPTION`. */
export function resolveOptions(options: RpcServerOptions = {}): ResolvedOptions {
  for (const key of Object.keys(options)) {
    // A typo (maxInflight) must not silently leave a limit at its default.
    if (!KNOWN_OPTIONS.has(key)) throw invalid(`unknown option ${key}`);
  }
  const merged = { ...DEFAULTS } as Record<keyof typeof DEFAULTS, number>;
  for (const [key, min, max] of INTEGER_LIMITS) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw invalid(`option ${key} must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
    merged[key] = value;
  }
  const origins = new Set<string>();
  for (const origin of options.allowedOrigins ?? []) origins.add(checkOrigin(origin));
  const logger = options.logger === undefined ? silentLogger : options.logger;
  if (typeof logger !== "object" || logger === null) throw invalid("option logger must be an object with error/warn/info/debug methods");
  for (const level of ["error", "warn", "info", "debug"] as const) {
    if (typeof logger[level] !== "function") throw invalid(`option logger must have a ${level}() method`);
  }
  const info = options.info === undefined ? { title: "Cogwheel RPC", version: "0.0.0" } : options.info;
  if (typeof info !== "object" || info === null || typeof info.title !== "string" || typeof info.version !== "string") {
    throw invalid("option info must be { title: string, version: string }");
  }
  const authToken = options.authToken ?? null;
  if (authToken !== null && (typeof authToken !== "string" || authToken.length < 32 || !/^[\x21-\x7e]+$/.test(authToken))) {
    throw invalid("option authToken must be a string of at least 32 visible ASCII characters");
  }
  return { ...merged, allowedOrigins: origins, logger, info, authToken, static: checkStatic(options.static) } as ResolvedOptions;
}

/** HTTP header names are tokens; values are visible ASCII and spaces (no CR/LF to split on). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\x20-\x7e]*$/;
/** Set by the static answer itself, so not configurable. */
const OWN_HEADERS = new Set(["content-type", "content-length", "content-encoding", "etag", "vary", "allow"]);

function checkStatic(value: RpcServerOptions["static"]): StaticFilesOptions | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object") throw invalid("option static must be { root: <absolute directory>, headers?: {name: value} }");
  for (const key of Object.keys(value)) if (key !== "root" && key !== "headers") throw invalid(`unknown option static.${key}`);
  if (typeof value.root !== "string" || !isAbsolute(value.root)) {
    throw invalid(`option static.root must be an absolute directory path, got ${JSON.stringify(value.root)}`);
  }
  const headers: Record<string, string> = {};
  if (value.headers !== undefined) {
    if (typeof value.headers !== "object" || value.headers === null) throw invalid("option static.headers must be an object of header names to string values");
    for (const [name, header] of Object.entries(value.headers)) {
      if (!HEADER_NAME.test(name)) throw invalid(`option static.headers: ${JSON.stringify(name)} is not a header name`);
      if (OWN_HEADERS.has(name.toLowerCase())) throw invalid(`option static.headers: ${name} is set by the server for each file`);
      if (typeof header !== "string" || !HEADER_VALUE.test(header)) {
        throw invalid(`option static.headers.${name} must be a string of visible ASCII characters and spaces`);
      }
      headers[name] = header;
    }
  }
  return { root: value.root, headers };
}

/** Schemes whose pages send `Origin: null`, as sandboxed frames do. */
const NULL_ORIGIN_SCHEMES = new Set(["file:", "data:", "about:", "blob:"]);

/** An allowed origin is `scheme://host[:port]`, exactly as a browser sends it. */
function checkOrigin(origin: unknown): string {
  if (typeof origin !== "string") {
    throw invalid(`allowed origin ${JSON.stringify(origin)} is not an origin`);
  }
  if (origin === "null") throw nullOrigin(origin);
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw invalid(`allowed origin ${JSON.stringify(origin)} is not a URL like https://dash.example`);
  }
  if (url.origin === "null") {
    // new URL() gives these the opaque origin "null", which must never be suggested as the fix.
    if (NULL_ORIGIN_SCHEMES.has(url.protocol)) throw nullOrigin(origin);
    throw invalid(`allowed origin ${JSON.stringify(origin)} is not supported: list http:// or https:// origins like https://dash.example`);
  }
  if (url.origin !== origin) {
    throw invalid(`allowed origin ${JSON.stringify(origin)} must be written exactly as ${JSON.stringify(url.origin)} (scheme://host[:port], no path or trailing slash)`);
  }
  return origin;
}

/**
 * Origin null stays refused (DESIGN §3): any page can send it from a sandboxed frame, so
 * allowing it would allow every page. The message says what to do instead.
 */
function nullOrigin(origin: string): RpcServerError {
  return invalid(
    `allowed origin ${JSON.stringify(origin)}: file:// pages and sandboxed frames send Origin null, which any web page can send too, so it can never be allowed; serve the page over http://localhost:<port> and allow that origin, or use a non-browser client`,
  );
}

function invalid(message: string): RpcServerError {
  return new RpcServerError("ERR_RPC_INVALID_OPTION", message);
}
