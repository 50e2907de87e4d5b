// RpcClient: a JSON-RPC 2.0 client for Cogwheel's (and Red's) RPC server.
// Browser-safe: written against the standard WebSocket surface only, no Node imports.
import { parseJson, stringifyJson } from "../protocol/json.ts";
import { upperAscii } from "../protocol/names.ts";
import { jitteredDelay, resolveReconnect, type ReconnectOptions } from "./backoff.ts";
import type { Disposable } from "./disposable.ts";
import { RpcCallError, RpcConnectionError, RpcTimeoutError } from "./errors.ts";

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

/** The subprotocol the server selects when a browser presents its token as a subprotocol. */
export const RPC_SUBPROTOCOL = "cogwheel.rpc";
/** Prefix of the subprotocol carrying the token: `cogwheel.auth.<token>`. */
export const AUTH_SUBPROTOCOL_PREFIX = "cogwheel.auth.";
/** Red's and Cogwheel's default RPC port. */
export const DEFAULT_PORT = 6133;

export interface RpcClientOptions {
  /** The server's URL. Default `ws://127.0.0.1:<port>/`. */
  url?: string;
  /** Used when `url` is not given. Default 6133. */
  port?: number;
  /** The WebSocket constructor. Default `globalThis.WebSocket`; in Node pass the `ws` package's `WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** The RPC token, or a function returning it; read at every connect and reconnect. `undefined` = no token. */
  token?: TokenSource;
  /**
   * How the token is presented. `"subprotocol"` (default; the only way in browsers): subprotocols
   * `["cogwheel.rpc", "cogwheel.auth.<token>"]`. `"header"`: `Authorization: Bearer <token>`,
   * which needs a constructor taking `{ headers }` as third argument (Node's `ws`).
   */
  tokenTransport?: "subprotocol" | "header";
  /** Extra third constructor argument (Node's `ws` only), e.g. `{ origin }`. */
  webSocketOptions?: Record<string, unknown>;
  /** Default timeout of a call or batch, in ms (default 30 000; 0 = none). */
  timeout?: number;
  /** How long one connection attempt may take, in ms (default 10 000). */
  connectTimeout?: number;
  /** Reconnect after a drop (and retry a failed connect) with capped, jittered back-off. Off by default. */
  reconnect?: boolean | ReconnectOptions;
}

export interface CallOptions {
  /** Timeout in ms for this call; overrides the client's `timeout` (0 = none). */
  timeout?: number;
}

/** One member of a batch. A notification gets no reply; its result is `fulfilled` with `undefined`. */
export interface BatchItem {
  method: string;
  params?: unknown;
  notification?: boolean;
}

/** What a push handler receives: the published value, and the topic's canonical (upper-case) name. */
export type PushHandler = (data: unknown, topic: string) => void;

/**
 * A subscription handle. `ready` resolves `true` once the server confirmed the topic, `false` if
 * the server does not know it (or the handle was disposed first); it rejects if the subscription
 * could not be sent (connection failure, client closed).
 */
export interface RpcSubscription extends Disposable {
  readonly topic: string;
  readonly ready: Promise<boolean>;
}

export interface DisconnectInfo {
  code: number;
  reason: string;
  /** Whether the client will try to reconnect. */
  willReconnect: boolean;
}

export interface RpcClientEvents {
  connect: () => void;
  disconnect: (info: DisconnectInfo) => void;
  error: (error: Error) => void;
}

export type RpcClientState = "idle" | "connecting" | "open" | "closed";

interface WireReply {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

/** One unsettled operation: a call, a notification or a batch. */
interface Op {
  readonly frame: string;
  /** Ids that still await a reply (empty for notifications). */
  readonly ids: number[];
  /** Batch members, for the server's "batch too large" answer. */
  readonly batchSize: number;
  sent: boolean;
  onSent(): void;
  onReply(reply: WireReply): void;
  fail(error: Error): void;
}

interface TopicEntry {
  readonly name: string;
  readonly handlers: Set<{ fn: PushHandler }>;
  readonly ready: Promise<boolean>;
  settleReady(value: boolean | Error): void;
}

const OPEN = 1;
const CLOSED = 3;
const noop = (): void => {};

function closedError(): RpcConnectionError {
  return new RpcConnectionError("ERR_RPC_CLOSED", "the RPC client was closed");
}

/** The text of an error event: `ws` gives a message, browsers give none. */
function describeEvent(event: unknown): string | undefined {
  const e = event as { message?: unknown; error?: { message?: unknown } } | null;
  if (typeof e?.message === "string" && e.message) return e.message;
  if (typeof e?.error?.message === "string") return e.error.message;
  return undefined;
}

function textOf(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data as ArrayBuffer);
  return undefined;
}

function callErrorOf(error: WireReply["error"], method: string): RpcCallError {
  const code = typeof error?.code === "number" ? error.code : -32603;
  const message = typeof error?.message === "string" ? error.message : "Invalid error reply";
  return new RpcCallError(code, message, { method, data: error?.data, hasData: error !== undefined && error !== null && "data" in error });
}

function encodeRequest(id: number | undefined, method: string, params: unknown): Record<string, unknown> {
  if (typeof method !== "string") throw new TypeError("method must be a string");
  const request: Record<string, unknown> = { jsonrpc: "2.0" };
  if (id !== undefined) request.id = id;
  request.method = method;
  if (params !== undefined) request.params = params;
  return request;
}

/**
 * A JSON-RPC 2.0 client over one WebSocket: many calls in flight matched by id, batches, topic
 * subscriptions, timeouts, optional reconnect. Calls made before the connection is open wait for
 * it (the first call connects by itself).
 */
export class RpcClient {
  readonly url: string;
  readonly #Ctor: WebSocketConstructor;
  readonly #token: TokenSource | undefined;
  readonly #tokenTransport: "subprotocol" | "header";
  readonly #webSocketOptions: Record<string, unknown> | undefined;
  readonly #timeout: number;
  readonly #connectTimeout: number;
  readonly #reconnect: Required<ReconnectOptions> | null;

  #state: RpcClientState = "idle";
  #ws: WebSocketLike | null = null;
  #connecting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  #nextId = 1;
  readonly #ops = new Set<Op>();
  readonly #byId = new Map<number, Op>();
  readonly #timers = new Map<Op, ReturnType<typeof setTimeout> | undefined>();
  readonly #topics = new Map<string, TopicEntry>();
  readonly #listeners: { [K in keyof RpcClientEvents]: Set<RpcClientEvents[K]> } = { connect: new Set(), disconnect: new Set(), error: new Set() };
  #failures = 0;
  #openedAt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | null = null;

  constructor(options: RpcClientOptions = {}) {
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof Ctor !== "function") throw new TypeError("no WebSocket implementation: pass options.WebSocket (in Node, the ws package's WebSocket)");
    this.#Ctor = Ctor;
    const port = options.port ?? DEFAULT_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError("port must be an integer from 1 to 65535");
    this.url = options.url ?? `ws://127.0.0.1:${port}/`;
    this.#token = options.token;
    this.#tokenTransport = options.tokenTransport ?? "subprotocol";
    this.#webSocketOptions = options.webSocketOptions;
    this.#timeout = checkMs("timeout", options.timeout ?? 30_000);
    this.#connectTimeout = checkMs("connectTimeout", options.connectTimeout ?? 10_000);
    this.#reconnect = resolveReconnect(options.reconnect);
  }

  /** `idle` (not connected), `connecting` (an attempt or a back-off wait), `open`, `closed`. */
  get state(): RpcClientState {
    return this.#state;
  }

  /** Calls, notifications and batches not settled yet (sent or waiting for the connection). */
  get pendingCount(): number {
    return this.#ops.size;
  }

  /** The topics this client is subscribed to (canonical upper-case names). */
  get topics(): string[] {
    return [...this.#topics.keys()];
  }

  /**
   * Opens the connection; resolves once it is open. Concurrent calls share one attempt. Without
   * `reconnect` a failure rejects with an RpcConnectionError; with it, attempts repeat with back-off
   * until one succeeds or `close()` is called.
   */
  connect(): Promise<void> {
    if (this.#state === "closed") return Promise.reject(closedError());
    if (this.#state === "open") return Promise.resolve();
    if (this.#connecting === null) {
      const attempt = this.#run(false);
      this.#connecting = attempt;
      attempt.then(
        () => this.#connecting === attempt && (this.#connecting = null),
        () => this.#connecting === attempt && (this.#connecting = null),
      );
    }
    return this.#connecting;
  }

  /** Calls `method`; resolves with its result, rejects with RpcCallError, RpcTimeoutError or RpcConnectionError. */
  call<T = unknown>(method: string, params?: unknown, options: CallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.#nextId++;
      let frame: string;
      try {
        frame = stringifyJson(encodeRequest(id, method, params));
      } catch (error) {
        reject(error);
        return;
      }
      const op = this.#makeOp(frame, [id], 1, options.timeout, method, reject);
      op.onReply = (reply) => {
        this.#finish(op);
        if (reply.error !== undefined) reject(callErrorOf(reply.error, method));
        else resolve(reply.result as T);
      };
      this.#submit(op);
    });
  }

  /** Sends a notification (no reply, errors included); resolves once it is written to the socket. */
  notify(method: string, params?: unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let frame: string;
      try {
        frame = stringifyJson(encodeRequest(undefined, method, params));
      } catch (error) {
        reject(error);
        return;
      }
      const op = this.#makeOp(frame, [], 1, undefined, method, reject);
      op.onSent = () => {
        this.#finish(op);
        resolve();
      };
      this.#submit(op);
    });
  }

  /**
   * Sends a batch in one frame. Resolves with one settled result per item, in request order
   * (notifications: fulfilled with `undefined`). Rejects as a whole only when the batch could not
   * be answered: connection, timeout, or the server refusing the batch (e.g. too large).
   */
  batch(items: readonly BatchItem[], options: CallOptions = {}): Promise<Array<PromiseSettledResult<unknown>>> {
    return new Promise((resolve, reject) => {
      if (!Array.isArray(items) || items.length === 0) {
        reject(new TypeError("a batch needs at least one item"));
        return;
      }
      const ids: Array<number | undefined> = [];
      let frame: string;
      try {
        const requests = items.map((item) => {
          const id = item.notification ? undefined : this.#nextId++;
          ids.push(id);
          return encodeRequest(id, item.method, item.params);
        });
        frame = stringifyJson(requests);
      } catch (error) {
        reject(error);
        return;
      }
      const replies = new Map<number, WireReply>();
      const awaited = ids.filter((id): id is number => id !== undefined);
      const op = this.#makeOp(frame, awaited, items.length, options.timeout, "<batch>", reject);
      const complete = (): void => {
        this.#finish(op);
        resolve(
          ids.map((id, i): PromiseSettledResult<unknown> => {
            if (id === undefined) return { status: "fulfilled", value: undefined };
            const reply = replies.get(id)!;
            return reply.error !== undefined
              ? { status: "rejected", reason: callErrorOf(reply.error, items[i]!.method) }
              : { status: "fulfilled", value: reply.result };
          }),
        );
      };
      op.onReply = (reply) => {
        replies.set(reply.id as number, reply);
        if (replies.size === awaited.length) complete();
      };
      if (awaited.length === 0) op.onSent = complete;
      this.#submit(op);
    });
  }

  /**
   * Calls `handler` with every push of `topic`. The first handler of a topic sends SUBSCRIBE (now,
   * or when the connection opens); disposing the last one sends UNSUBSCRIBE. A topic's stored state
   * arrives right after SUBSCRIBE, so the first handler gets it; later handlers of the same topic
   * get only later pushes. Subscriptions are sent again after a reconnect.
   */
  subscribe(topic: string, handler: PushHandler): RpcSubscription {
    if (typeof topic !== "string" || topic === "") throw new TypeError("topic must be a non-empty string");
    if (typeof handler !== "function") throw new TypeError("handler must be a function");
    if (this.#state === "closed") throw closedError();
    const key = upperAscii(topic);
    let entry = this.#topics.get(key);
    if (entry === undefined) {
      let settle!: (value: boolean | Error) => void;
      let settled = false;
      const ready = new Promise<boolean>((resolve, reject) => {
        settle = (value) => {
          if (settled) return;
          settled = true;
          if (value instanceof Error) reject(value);
          else resolve(value);
        };
      });
      ready.catch(noop); // a rejection is the caller's to observe, never an unhandled one
      entry = { name: topic, handlers: new Set(), ready, settleReady: settle };
      this.#topics.set(key, entry);
      if (this.#state === "open") this.#sendSubscribe([entry]);
      else if (this.#state === "idle") this.connect().catch(noop);
    }
    const own = entry;
    const registration = { fn: handler };
    own.handlers.add(registration);
    let disposed = false;
    return {
      topic: key,
      ready: own.ready,
      dispose: () => {
        if (disposed) return;
        disposed = true;
        own.handlers.delete(registration);
        if (own.handlers.size > 0 || this.#topics.get(key) !== own) return;
        this.#topics.delete(key);
        own.settleReady(false);
        if (this.#state === "open") this.call("UNSUBSCRIBE", [own.name]).catch(noop);
      },
    };
  }

  /** Listens to `connect`, `disconnect` (with `{code, reason, willReconnect}`) or `error`. */
  on<K extends keyof RpcClientEvents>(event: K, listener: RpcClientEvents[K]): Disposable {
    const set = this.#listeners[event] as Set<RpcClientEvents[K]> | undefined;
    if (set === undefined) throw new TypeError(`unknown event ${String(event)}`);
    set.add(listener);
    return { dispose: () => void set.delete(listener) };
  }

  /**
   * Closes the connection and stops reconnecting. Every unsettled call rejects with
   * ERR_RPC_CLOSED. Resolves once the socket is closed; calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const wasOpen = this.#state === "open";
    this.#state = "closed";
    clearTimeout(this.#retryTimer);
    this.#wake?.();
    const error = closedError();
    for (const op of [...this.#ops]) op.fail(error);
    for (const entry of this.#topics.values()) entry.settleReady(error);
    const ws = this.#ws;
    this.#ws = null;
    this.#closing = ws === null ? Promise.resolve() : closeSocket(ws);
    if (wasOpen) this.#emit("disconnect", { code: 1000, reason: "client closed", willReconnect: false });
    return this.#closing;
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────

  #makeOp(frame: string, ids: number[], batchSize: number, timeout: number | undefined, method: string, reject: (error: Error) => void): Op {
    const ms = timeout === undefined ? this.#timeout : checkMs("timeout", timeout);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const op: Op = {
      frame,
      ids,
      batchSize,
      sent: false,
      onSent: noop,
      onReply: noop,
      fail: (error) => {
        this.#finish(op);
        reject(error);
      },
    };
    if (ms > 0) timer = setTimeout(() => op.fail(new RpcTimeoutError(method, ms)), ms);
    this.#timers.set(op, timer);
    return op;
  }

  /** Forgets an op: its ids, its timer. A late reply to it is then ignored. */
  #finish(op: Op): void {
    this.#ops.delete(op);
    for (const id of op.ids) if (this.#byId.get(id) === op) this.#byId.delete(id);
    clearTimeout(this.#timers.get(op));
    this.#timers.delete(op);
  }

  #submit(op: Op): void {
    if (this.#state === "closed") {
      op.fail(closedError());
      return;
    }
    this.#ops.add(op);
    for (const id of op.ids) this.#byId.set(id, op);
    if (this.#state === "open") this.#write(op);
    else if (this.#state === "idle") this.connect().catch(noop); // queued ops fail with the connect error
  }

  #write(op: Op): void {
    try {
      this.#ws!.send(op.frame);
    } catch (error) {
      op.fail(new RpcConnectionError("ERR_RPC_DISCONNECTED", "could not send: the connection is not open", { cause: error }));
      return;
    }
    op.sent = true;
    op.onSent();
  }

  #sendSubscribe(entries: TopicEntry[]): void {
    this.call<unknown>("SUBSCRIBE", entries.map((e) => e.name)).then(
      (result) => {
        const confirmed = new Set(Array.isArray(result) ? result.map((t) => upperAscii(String(t))) : []);
        for (const entry of entries) entry.settleReady(confirmed.has(upperAscii(entry.name)));
      },
      (error: Error) => {
        // Dropped before the answer: a reconnect subscribes again and settles it then.
        if (error instanceof RpcConnectionError && error.code === "ERR_RPC_DISCONNECTED" && this.#reconnect) return;
        for (const entry of entries) this.#fail(entry, error);
      },
    );
  }

  /**
   * A subscription that could not be made: its `ready` rejects, and the topic is forgotten so
   * that a later `subscribe()` of it asks the server again instead of reusing the failure.
   */
  #fail(entry: TopicEntry, error: Error): void {
    entry.settleReady(error);
    const key = upperAscii(entry.name);
    if (this.#topics.get(key) === entry) this.#topics.delete(key);
  }

  #emit<K extends keyof RpcClientEvents>(event: K, ...args: Parameters<RpcClientEvents[K]>): void {
    for (const listener of [...this.#listeners[event]]) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        if (event !== "error") this.#emit("error", error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /** The connect loop: at most one runs at a time (guarded by #connecting). */
  async #run(afterDrop: boolean): Promise<void> {
    this.#state = "connecting";
    if (afterDrop) await this.#sleep();
    for (;;) {
      if (this.#isClosed()) throw closedError();
      try {
        const ws = await this.#openSocket();
        if (this.#isClosed()) {
          void closeSocket(ws);
          throw closedError();
        }
        this.#onOpen(ws);
        return;
      } catch (error) {
        if (this.#isClosed()) throw closedError();
        const failure = error instanceof RpcConnectionError ? error : new RpcConnectionError("ERR_RPC_CONNECT", `could not connect to ${this.url}: ${String(error)}`, { cause: error });
        this.#emit("error", failure);
        if (this.#reconnect === null) {
          this.#state = "idle";
          for (const op of [...this.#ops]) if (!op.sent) op.fail(failure);
          for (const entry of [...this.#topics.values()]) this.#fail(entry, failure);
          throw failure;
        }
        await this.#sleep();
      }
    }
  }

  /** A method, so that TypeScript does not narrow #state across awaits. */
  #isClosed(): boolean {
    return this.#state === "closed";
  }

  /** Waits the next back-off delay; `close()` cuts it short. */
  #sleep(): Promise<void> {
    const delay = jitteredDelay(this.#reconnect!, this.#failures);
    this.#failures++;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(this.#retryTimer);
        this.#wake = null;
        resolve();
      };
      this.#wake = done;
      this.#retryTimer = setTimeout(done, delay);
    });
  }

  async #readToken(): Promise<string | undefined> {
    const source = this.#token;
    const value = typeof source === "function" ? await source() : source;
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") throw new TypeError("the token must be a string");
    return value;
  }

  /** One connection attempt; resolves with the open socket. */
  async #openSocket(): Promise<WebSocketLike> {
    let token: string | undefined;
    try {
      token = await this.#readToken();
    } catch (error) {
      throw new RpcConnectionError("ERR_RPC_CONNECT", `could not read the RPC token: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    if (this.#state === "closed") throw closedError();
    let protocols: string[] | undefined;
    let extra = this.#webSocketOptions;
    if (token !== undefined && this.#tokenTransport === "subprotocol") protocols = [RPC_SUBPROTOCOL, AUTH_SUBPROTOCOL_PREFIX + token];
    if (token !== undefined && this.#tokenTransport === "header") {
      const headers = { ...((extra?.headers as Record<string, string> | undefined) ?? {}), Authorization: `Bearer ${token}` };
      extra = { ...extra, headers };
    }
    let ws: WebSocketLike;
    try {
      ws = extra !== undefined ? new this.#Ctor(this.url, protocols ?? [], extra) : protocols !== undefined ? new this.#Ctor(this.url, protocols) : new this.#Ctor(this.url);
    } catch (error) {
      throw new RpcConnectionError("ERR_RPC_CONNECT", `could not connect to ${this.url}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
    this.#ws = ws;
    return new Promise<WebSocketLike>((resolve, reject) => {
      let opened = false;
      let settled = false;
      let detail: string | undefined;
      const fail = (message: string, closeCode?: number): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.#ws === ws) this.#ws = null;
        try {
          ws.close();
        } catch {
          // already closing
        }
        reject(new RpcConnectionError("ERR_RPC_CONNECT", `could not connect to ${this.url}: ${message}`, closeCode === undefined ? {} : { closeCode }));
      };
      const timer = setTimeout(() => fail(`no connection within ${this.#connectTimeout} ms`), this.#connectTimeout || 2 ** 31 - 1);
      ws.addEventListener("open", () => {
        if (settled) return;
        settled = opened = true;
        clearTimeout(timer);
        resolve(ws);
      });
      ws.addEventListener("error", (event) => {
        detail ??= describeEvent(event);
        if (!opened) fail(detail ?? "connection failed");
      });
      ws.addEventListener("close", (event: { code?: number; reason?: string }) => {
        if (!opened) fail(detail ?? `closed with code ${event?.code}`, event?.code);
        else this.#onClose(ws, event?.code ?? 1006, event?.reason ?? "");
      });
      ws.addEventListener("message", (event: { data?: unknown }) => {
        if (opened && this.#ws === ws && this.#state === "open") this.#onMessage(event?.data);
      });
    });
  }

  #onOpen(ws: WebSocketLike): void {
    this.#ws = ws;
    this.#state = "open";
    this.#openedAt = Date.now();
    if (this.#topics.size > 0) this.#sendSubscribe([...this.#topics.values()]);
    for (const op of [...this.#ops]) if (!op.sent && this.#ops.has(op)) this.#write(op);
    this.#emit("connect");
  }

  #onClose(ws: WebSocketLike, code: number, reason: string): void {
    if (this.#ws !== ws || this.#state === "closed") return;
    this.#ws = null;
    const willReconnect = this.#reconnect !== null;
    this.#state = willReconnect ? "connecting" : "idle";
    // A connection that flaps (opens, then drops at once) keeps its back-off; a stable one resets it.
    if (Date.now() - this.#openedAt >= STABLE_MS) this.#failures = 0;
    const error = new RpcConnectionError("ERR_RPC_DISCONNECTED", `the connection closed (code ${code}${reason ? `: ${reason}` : ""})`, { closeCode: code });
    for (const op of [...this.#ops]) if (op.sent) op.fail(error);
    this.#emit("disconnect", { code, reason, willReconnect });
    if (willReconnect && this.#state === "connecting") {
      const attempt = this.#run(true);
      this.#connecting = attempt;
      attempt.then(
        () => this.#connecting === attempt && (this.#connecting = null),
        () => this.#connecting === attempt && (this.#connecting = null),
      );
    }
  }

  #onMessage(data: unknown): void {
    const text = textOf(data);
    let message: unknown;
    try {
      if (text === undefined) throw new Error("not a text frame");
      message = parseJson(text); // ids beyond 2^53 arrive as bigints, exactly
    } catch {
      this.#emit("error", new Error("the server sent a frame that is not JSON text"));
      return;
    }
    if (Array.isArray(message)) {
      for (const reply of message) this.#onReply(reply as WireReply);
      return;
    }
    if (message === null || typeof message !== "object") return;
    const m = message as WireReply & { method?: unknown; params?: unknown };
    if ("id" in m && ("result" in m || "error" in m)) this.#onReply(m);
    else if (typeof m.method === "string" && !("id" in m)) this.#onPush(m.method, m.params);
  }

  #onReply(reply: WireReply): void {
    if (reply === null || typeof reply !== "object") return;
    if (typeof reply.id === "number") {
      this.#byId.get(reply.id)?.onReply(reply); // unknown id: a late reply after a timeout
      return;
    }
    if (reply.id !== null || reply.error === undefined) return;
    // An error with id null answers a whole batch the server refused ("batch too large").
    const data = reply.error.data as { reason?: unknown; limit?: unknown } | undefined;
    const limit = data?.reason === "batch too large" && typeof data.limit === "number" ? data.limit : undefined;
    const refused = limit === undefined ? [] : [...this.#ops].filter((op) => op.sent && op.batchSize > limit && op.ids.length > 0);
    for (const op of refused) op.fail(callErrorOf(reply.error, "<batch>"));
    if (refused.length === 0) this.#emit("error", callErrorOf(reply.error, "<unknown>"));
  }

  #onPush(method: string, params: unknown): void {
    const key = upperAscii(method);
    const entry = this.#topics.get(key);
    if (entry === undefined) return;
    for (const { fn } of [...entry.handlers]) {
      try {
        fn(params, key);
      } catch (error) {
        this.#emit("error", error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}

/** How long a connection must stay open for the back-off to start again from the initial delay. */
const STABLE_MS = 5_000;

function checkMs(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number of milliseconds >= 0`);
  return value;
}

/** Closes a socket and resolves once it is closed (or after 2 s). */
function closeSocket(ws: WebSocketLike): Promise<void> {
  if (ws.readyState === CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    ws.addEventListener("close", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      if (ws.readyState === OPEN) ws.close(1000, "client closed");
      else ws.close();
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Creates an RpcClient (see {@link RpcClientOptions}). It connects on `connect()` or on the first call. */
export function createRpcClient(options: RpcClientOptions = {}): RpcClient {
  return new RpcClient(options);
}
