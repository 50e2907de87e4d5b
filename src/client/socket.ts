// The client's WebSocket: opening one (token as header or subprotocol, connect timeout), sending,
// closing, and telling the client when it delivers a frame or closes. Browser-safe.
import { AUTH_SUBPROTOCOL_PREFIX, CloseCode, RPC_SUBPROTOCOL } from "../protocol/constants.ts";
import { RpcConnectionError } from "./errors.ts";

/** The part of the standard WebSocket API the client uses (browsers' WebSocket, the `ws` package). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void): void; // any: each implementation types its own events
}

/**
 * A WebSocket constructor: `new (url, protocols?)` in browsers. The third argument is passed only
 * when there is something to pass (headers in `tokenTransport: "header"`, or `webSocketOptions`),
 * which Node's `ws` package understands.
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: any) => WebSocketLike; // any: implementation-specific options

/** Where a token comes from: a string, or a function asked at every (re)connect. */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

/** WebSocket readyState values (the standard's numbers, the same in `ws`). */
const OPEN = 1;
const CLOSED = 3;

/** How to open sockets; fixed for the client's life. */
export interface SocketOptions {
  readonly url: string;
  readonly WebSocket: WebSocketConstructor;
  readonly token: TokenSource | undefined;
  readonly tokenTransport: "subprotocol" | "header";
  readonly webSocketOptions: Record<string, unknown> | undefined;
  /** How long one attempt may take, in ms (0 = no limit). */
  readonly connectTimeout: number;
}

/** What the socket reports about the connection once it is open. */
export interface SocketEvents {
  message(data: unknown): void;
  close(code: number, reason: string): void;
}

/** The error that `close()` gives everything still waiting. */
export function closedError(): RpcConnectionError {
  return new RpcConnectionError("ERR_RPC_CLOSED", "the RPC client was closed");
}

/** The text of an error event: `ws` gives a message, browsers give none. */
function describeEvent(event: unknown): string | undefined {
  const e = event as { message?: unknown; error?: { message?: unknown } } | null;
  if (typeof e?.message === "string" && e.message) return e.message;
  if (typeof e?.error?.message === "string") return e.error.message;
  return undefined;
}

function messageOf(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

/**
 * The one current WebSocket of a client. An attempt's socket is current from the moment it is
 * made, so that `close()` during a connect closes it; only the current socket's frames and close
 * reach the client.
 */
export class ClientSocket {
  readonly #options: SocketOptions;
  readonly #events: SocketEvents;
  #ws: WebSocketLike | null = null;

  constructor(options: SocketOptions, events: SocketEvents) {
    this.#options = options;
    this.#events = events;
  }

  /**
   * One connection attempt; resolves once the socket is open. Rejects with ERR_RPC_CONNECT, or
   * ERR_RPC_CLOSED when `isClosed()` turns true while the token is read.
   */
  async open(isClosed: () => boolean): Promise<void> {
    const { url, connectTimeout } = this.#options;
    let token: string | undefined;
    try {
      token = await this.#readToken();
    } catch (error) {
      throw new RpcConnectionError("ERR_RPC_CONNECT", `could not read the RPC token: ${messageOf(error)}`, { cause: error });
    }
    if (isClosed()) throw closedError();
    const ws = this.#construct(token);
    this.#ws = ws;
    return new Promise<void>((resolve, reject) => {
      let opened = false;
      let settled = false;
      let detail: string | undefined;
      const fail = (message: string, closeCode?: number, httpStatus?: number): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.#ws === ws) this.#ws = null;
        try {
          ws.close();
        } catch {
          // already closing
        }
        const refused = httpStatus === 401 || httpStatus === 403;
        reject(new RpcConnectionError(refused ? "ERR_RPC_UNAUTHORIZED" : "ERR_RPC_CONNECT", `could not connect to ${url}: ${message}`, { closeCode, httpStatus }));
      };
      const timer = setTimeout(() => fail(`no connection within ${connectTimeout} ms`), connectTimeout || 2 ** 31 - 1);
      ws.addEventListener("open", () => {
        if (settled) return;
        settled = opened = true;
        clearTimeout(timer);
        resolve();
      });
      onRefusedUpgrade(ws, (status) => fail(`Unexpected server response: ${status}`, undefined, status));
      ws.addEventListener("error", (event) => {
        detail ??= describeEvent(event);
        if (!opened) fail(detail ?? "connection failed");
      });
      ws.addEventListener("close", (event: { code?: number; reason?: string }) => {
        if (!opened) fail(detail ?? `closed with code ${event?.code}`, event?.code);
        else if (this.#ws === ws) {
          this.#ws = null;
          this.#events.close(event?.code ?? CloseCode.Abnormal, event?.reason ?? "");
        }
      });
      ws.addEventListener("message", (event: { data?: unknown }) => {
        if (opened && this.#ws === ws) this.#events.message(event?.data);
      });
    });
  }

  /** Writes a frame to the open socket; throws ERR_RPC_DISCONNECTED when it cannot. */
  send(frame: string): void {
    try {
      if (this.#ws === null) throw new Error("no socket");
      this.#ws.send(frame);
    } catch (error) {
      throw new RpcConnectionError("ERR_RPC_DISCONNECTED", "could not send: the connection is not open", { cause: error });
    }
  }

  /**
   * Closes the current socket, if any, and forgets it (its close is not reported). Resolves once
   * it is closed, or after 2 s.
   */
  close(): Promise<void> {
    const ws = this.#ws;
    this.#ws = null;
    return ws === null ? Promise.resolve() : closeSocket(ws);
  }

  async #readToken(): Promise<string | undefined> {
    const source = this.#options.token;
    const value = typeof source === "function" ? await source() : source;
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") throw new TypeError("the token must be a string");
    return value;
  }

  /** Makes the socket, with the token where the transport wants it. */
  #construct(token: string | undefined): WebSocketLike {
    const { url, WebSocket: Ctor, tokenTransport } = this.#options;
    let protocols: string[] | undefined;
    let extra = this.#options.webSocketOptions;
    if (token !== undefined && tokenTransport === "subprotocol") protocols = [RPC_SUBPROTOCOL, AUTH_SUBPROTOCOL_PREFIX + token];
    if (token !== undefined && tokenTransport === "header") {
      const headers = { ...((extra?.headers as Record<string, string> | undefined) ?? {}), Authorization: `Bearer ${token}` };
      extra = { ...extra, headers };
    }
    try {
      // Browsers' constructor takes two arguments; pass a third only when there is one.
      return extra !== undefined ? new Ctor(url, protocols ?? [], extra) : protocols !== undefined ? new Ctor(url, protocols) : new Ctor(url);
    } catch (error) {
      throw new RpcConnectionError("ERR_RPC_CONNECT", `could not connect to ${url}: ${messageOf(error)}`, { cause: error });
    }
  }
}

/**
 * Calls `refused(status)` when the server answers the upgrade with an HTTP status instead of 101.
 * Only Node's `ws` shows it (its `unexpected-response` event; with a listener there, ws leaves
 * the request to us, and `fail` closing the socket aborts it). Browsers hide the status by
 * design: their socket just fails, so a 401 stays ERR_RPC_CONNECT and reconnect keeps trying.
 */
function onRefusedUpgrade(ws: WebSocketLike, refused: (status: number) => void): void {
  const emitter = ws as WebSocketLike & { once?: (event: string, listener: (request: unknown, response: { statusCode?: number; resume?: () => void }) => void) => void };
  if (typeof emitter.once !== "function") return;
  emitter.once("unexpected-response", (_request, response) => {
    response.resume?.(); // drain the body so the socket can close
    refused(response.statusCode ?? 0);
  });
}

/** Closes a socket and resolves once it is closed (or after 2 s). */
export function closeSocket(ws: WebSocketLike): Promise<void> {
  if (ws.readyState === CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    ws.addEventListener("close", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      if (ws.readyState === OPEN) ws.close(CloseCode.Normal, "client closed");
      else ws.close();
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
