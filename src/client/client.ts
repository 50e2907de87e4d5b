// RpcClient: a JSON-RPC 2.0 client for Cogwheel's (and Red's) RPC server. The facade: it checks
// options, keeps the connection state and wires the parts together: codec.ts (frames),
// pending.ts (calls in flight), subscriptions.ts (topics), socket.ts (the WebSocket),
// reconnect.ts (the connect loop), events.ts (listeners).
// Browser-safe: written against the standard WebSocket surface only, no Node imports.
import { CloseCode, DEFAULT_PORT } from "../protocol/constants.ts";
import { UNSUBSCRIBED_NOTIFICATION } from "../protocol/topics.ts";
import { resolveReconnect, type ReconnectOptions } from "./backoff.ts";
import { callErrorOf, decodeFrame, encodeBatch, encodeRequest, type WireReply } from "./codec.ts";
import type { Disposable } from "./disposable.ts";
import { ClientEvents, type RpcClientEvents } from "./events.ts";
import { RpcConnectionError } from "./errors.ts";
import { checkMs, PendingCalls, type Op } from "./pending.ts";
import { Reconnector } from "./reconnect.ts";
import { ClientSocket, closedError, type TokenSource, type WebSocketConstructor } from "./socket.ts";
import { Subscriptions, type PushHandler, type RpcSubscription } from "./subscriptions.ts";

export type { TokenSource, WebSocketConstructor, WebSocketLike } from "./socket.ts";
export type { PushHandler, RpcSubscription, SubscriptionEnd, SubscriptionEndReason, UnsubscribedInfo } from "./subscriptions.ts";
export type { DisconnectInfo, RpcClientEvents } from "./events.ts";

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

export type RpcClientState = "idle" | "connecting" | "open" | "closed";

const noop = (): void => {};

/**
 * A JSON-RPC 2.0 client over one WebSocket: many calls in flight matched by id, batches, topic
 * subscriptions, timeouts, optional reconnect. Calls made before the connection is open wait for
 * it (the first call connects by itself).
 */
export class RpcClient {
  readonly url: string;
  readonly #socket: ClientSocket;
  readonly #reconnect: Reconnector;
  readonly #pending: PendingCalls;
  readonly #topics: Subscriptions;
  readonly #events = new ClientEvents();

  #state: RpcClientState = "idle";
  #connecting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;

  constructor(options: RpcClientOptions = {}) {
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof Ctor !== "function") throw new TypeError("no WebSocket implementation: pass options.WebSocket (in Node, the ws package's WebSocket)");
    const port = options.port ?? DEFAULT_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError("port must be an integer from 1 to 65535");
    this.url = options.url ?? `ws://127.0.0.1:${port}/`;
    this.#pending = new PendingCalls(checkMs("timeout", options.timeout ?? 30_000));
    this.#socket = new ClientSocket(
      {
        url: this.url,
        WebSocket: Ctor,
        token: options.token,
        tokenTransport: options.tokenTransport ?? "subprotocol",
        webSocketOptions: options.webSocketOptions,
        connectTimeout: checkMs("connectTimeout", options.connectTimeout ?? 10_000),
      },
      { message: (data) => this.#onMessage(data), close: (code, reason) => this.#onClose(code, reason) },
    );
    this.#reconnect = new Reconnector(resolveReconnect(options.reconnect));
    this.#topics = new Subscriptions({
      request: (method, params, done) => this.#request(method, params, {}, (result) => done(null, result), (error) => done(error)),
      isOpen: () => this.#state === "open",
      added: () => void (this.#state === "idle" && this.connect().catch(noop)),
      // Dropped before the answer: with reconnect on, the next connection subscribes again.
      willRetry: (error) => error instanceof RpcConnectionError && error.code === "ERR_RPC_DISCONNECTED" && this.#reconnect.enabled,
      report: (error) => this.#events.report(error),
    });
  }

  /** `idle` (not connected), `connecting` (an attempt or a back-off wait), `open`, `closed`. */
  get state(): RpcClientState {
    return this.#state;
  }

  /** Calls, notifications and batches not settled yet (sent or waiting for the connection). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** The topics this client is subscribed to (canonical upper-case names). */
  get topics(): string[] {
    return this.#topics.names;
  }

  /**
   * Opens the connection; resolves once it is open. Concurrent calls share one attempt. Without
   * `reconnect` a failure rejects with an RpcConnectionError; with it, attempts repeat with back-off
   * until one succeeds or `close()` is called.
   */
  connect(): Promise<void> {
    if (this.#state === "closed") return Promise.reject(closedError());
    if (this.#state === "open") return Promise.resolve();
    return this.#connecting ?? this.#startConnecting(false);
  }

  /** Calls `method`; resolves with its result, rejects with RpcCallError, RpcTimeoutError or RpcConnectionError. */
  call<T = unknown>(method: string, params?: unknown, options: CallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => this.#request(method, params, options, (result) => resolve(result as T), reject));
  }

  /** Sends a notification (no reply, errors included); resolves once it is written to the socket. */
  notify(method: string, params?: unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const op = this.#pending.create({ frame: encodeRequest({ method, params }), ids: [], batchSize: 1, timeout: undefined, method, reject });
      op.onSent = () => {
        this.#pending.finish(op);
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
      if (!Array.isArray(items) || items.length === 0) throw new TypeError("a batch needs at least one item");
      const ids = items.map((item) => (item.notification ? undefined : this.#pending.nextId()));
      const frame = encodeBatch(items.map((item, i) => ({ id: ids[i], method: item.method, params: item.params })));
      const replies = new Map<number, WireReply>();
      const awaited = ids.filter((id): id is number => id !== undefined);
      const op = this.#pending.create({ frame, ids: awaited, batchSize: items.length, timeout: options.timeout, method: "<batch>", reject });
      const complete = (): void => {
        this.#pending.finish(op);
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
   * get only later pushes. Subscriptions are sent again after a reconnect. When the server ends
   * the subscription (UNSUBSCRIBED: the topic was removed), the topic is forgotten and the
   * handle's `ended` resolves with the server's reason.
   */
  subscribe(topic: string, handler: PushHandler): RpcSubscription {
    if (typeof topic !== "string" || topic === "") throw new TypeError("topic must be a non-empty string");
    if (typeof handler !== "function") throw new TypeError("handler must be a function");
    if (this.#state === "closed") throw closedError();
    return this.#topics.add(topic, handler);
  }

  /**
   * Listens to `connect`, `disconnect` (with `{code, reason, willReconnect}`), `error`, or
   * `unsubscribed` (with `{topics, reason}`: the server ended those subscriptions).
   */
  on<K extends keyof RpcClientEvents>(event: K, listener: RpcClientEvents[K]): Disposable {
    return this.#events.on(event, listener);
  }

  /**
   * Closes the connection and stops reconnecting. Every unsettled call rejects with
   * ERR_RPC_CLOSED. Resolves once the socket is closed; calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const wasOpen = this.#state === "open";
    this.#state = "closed";
    this.#reconnect.cancel();
    const error = closedError();
    this.#pending.failAll(error);
    this.#topics.close(error);
    this.#closing = this.#socket.close();
    if (wasOpen) this.#events.emit("disconnect", { code: CloseCode.Normal, reason: "client closed", willReconnect: false });
    return this.#closing;
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────

  /** Sends a call; `resolve`/`reject` run synchronously when its reply is read (or it fails). Throws what encoding throws. */
  #request(method: string, params: unknown, options: CallOptions, resolve: (result: unknown) => void, reject: (error: Error) => void): void {
    const id = this.#pending.nextId();
    const op = this.#pending.create({ frame: encodeRequest({ id, method, params }), ids: [id], batchSize: 1, timeout: options.timeout, method, reject });
    op.onReply = (reply) => {
      this.#pending.finish(op);
      if (reply.error !== undefined) reject(callErrorOf(reply.error, method));
      else resolve(reply.result);
    };
    this.#submit(op);
  }

  /** Starts the connect loop; `#connecting` guards that only one runs at a time. */
  #startConnecting(afterDrop: boolean): Promise<void> {
    this.#state = "connecting";
    const attempt = this.#reconnect.run(
      {
        url: this.url,
        isClosed: () => this.#state === "closed",
        attempt: () => this.#attempt(),
        failed: (error, willRetry) => this.#connectFailed(error, willRetry),
      },
      afterDrop,
    );
    this.#connecting = attempt;
    const done = (): void => void (this.#connecting === attempt && (this.#connecting = null));
    attempt.then(done, done);
    return attempt;
  }

  /** One connection attempt, then what a new connection needs: SUBSCRIBE, the queued frames. */
  async #attempt(): Promise<void> {
    await this.#socket.open(() => this.#state === "closed");
    if (this.#state === "closed") {
      void this.#socket.close();
      throw closedError();
    }
    this.#state = "open";
    this.#topics.resubscribe();
    for (const op of this.#pending.list()) if (!op.sent && this.#pending.has(op)) this.#write(op);
    this.#events.emit("connect");
  }

  #connectFailed(error: RpcConnectionError, willRetry: boolean): void {
    this.#events.emit("error", error);
    if (willRetry) return;
    this.#state = "idle";
    this.#pending.failAll(error, (op) => !op.sent);
    this.#topics.failAll(error);
  }

  #submit(op: Op): void {
    if (this.#state === "closed") {
      op.fail(closedError());
      return;
    }
    this.#pending.add(op);
    if (this.#state === "open") this.#write(op);
    else if (this.#state === "idle") this.connect().catch(noop); // queued ops fail with the connect error
  }

  #write(op: Op): void {
    try {
      this.#socket.send(op.frame);
    } catch (error) {
      op.fail(error as Error);
      return;
    }
    op.sent = true;
    op.onSent();
  }

  #onClose(code: number, reason: string): void {
    if (this.#state === "closed") return;
    const willReconnect = this.#reconnect.enabled;
    this.#state = willReconnect ? "connecting" : "idle";
    this.#reconnect.dropped();
    const error = new RpcConnectionError("ERR_RPC_DISCONNECTED", `the connection closed (code ${code}${reason ? `: ${reason}` : ""})`, { closeCode: code });
    this.#pending.failAll(error, (op) => op.sent);
    this.#events.emit("disconnect", { code, reason, willReconnect });
    if (willReconnect && this.#state === "connecting") this.#startConnecting(true).catch(noop);
  }

  #onMessage(data: unknown): void {
    if (this.#state !== "open") return;
    const incoming = decodeFrame(data);
    switch (incoming.kind) {
      case "invalid":
        this.#events.emit("error", new Error("the server sent a frame that is not JSON text"));
        return;
      case "replies":
        for (const reply of incoming.replies) {
          const stray = this.#pending.deliver(reply);
          if (stray !== undefined) this.#events.emit("error", stray);
        }
        return;
      case "push":
        // Exact name: the server sends it upper-case and allows no topic of that name.
        if (incoming.method === UNSUBSCRIBED_NOTIFICATION) this.#onUnsubscribed(incoming.params);
        else this.#topics.dispatch(incoming.method, incoming.params);
        return;
      case "other":
        return;
    }
  }

  #onUnsubscribed(params: unknown): void {
    const outcome = this.#topics.unsubscribed(params);
    if (outcome instanceof Error) this.#events.emit("error", outcome);
    else if (outcome.topics.length > 0) this.#events.emit("unsubscribed", outcome);
  }
}

/** Creates an RpcClient (see {@link RpcClientOptions}). It connects on `connect()` or on the first call. */
export function createRpcClient(options: RpcClientOptions = {}): RpcClient {
  return new RpcClient(options);
}
