import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { registerBuiltins } from "./builtins.ts";
import { CallRate } from "./call-rate.ts";
import { CloseCode, Connection } from "./connection.ts";
import { Dispatcher } from "./dispatcher.ts";
import { RpcServerError } from "./errors.ts";
import { createGuard, selectSubprotocol, type Guard } from "./guards.ts";
import { PendingHandshakes } from "./handshakes.ts";
import { answerUpgradeRequired, HELP_TEXT, refuseUpgrade, UPGRADE_REQUIRED_HEADERS } from "./http-reply.ts";
import { resolveOptions, type ResolvedOptions, type RpcServerOptions } from "./options.ts";
import { MethodRegistry } from "./registry.ts";
import { loadStaticFiles, type StaticFiles } from "./static-files.ts";
import { TopicRegistry } from "./topics.ts";

/** Lifecycle states, in order; a server never goes back. */
export type RpcServerState = "new" | "starting" | "listening" | "closing" | "closed";

/**
 * Sockets allowed beyond maxConnections + maxPendingHandshakes: refused upgrades and plain
 * HTTP answers still closing. The resulting cap is only a backstop on descriptors; pending
 * handshakes are bounded by PendingHandshakes, which evicts instead of refusing newcomers.
 */
const CLOSING_MARGIN = 64;

/**
 * The JSON-RPC 2.0 WebSocket server. Knows nothing of bots: it serves whatever is in its
 * `methods` and `topics` tables, which may change at any time and are live for every
 * connection.
 */
export class RpcServer {
  /** The method table. */
  readonly methods: MethodRegistry;
  /** The topic table. */
  readonly topics: TopicRegistry;
  readonly #options: ResolvedOptions;
  readonly #dispatcher: Dispatcher;
  readonly #rate = new CallRate();
  readonly #connections = new Set<Connection>();
  readonly #wss: WebSocketServer;
  readonly #pending: PendingHandshakes;
  #http: Server | null = null;
  #guard: Guard | null = null;
  #static: StaticFiles | null = null;
  #state: RpcServerState = "new";
  #port = 0;
  #nextId = 1;
  #heartbeat: NodeJS.Timeout | null = null;
  #closing: Promise<void> | null = null;
  #starting: Promise<unknown> | null = null;
  #drained: (() => void) | null = null;

  constructor(options: RpcServerOptions = {}) {
    this.#options = resolveOptions(options);
    const { maxBatchSize, maxDepth, logger, maxMessageBytes } = this.#options;
    const onListenerError = (error: unknown): void => logger.error({ err: error }, "a registry change listener threw");
    this.methods = new MethodRegistry(onListenerError);
    this.topics = new TopicRegistry(onListenerError);
    this.#dispatcher = new Dispatcher(this.methods, { maxBatchSize, maxDepth }, logger, this.#rate);
    registerBuiltins(this.methods, this.topics, this.#options.info);
    this.#pending = new PendingHandshakes(this.#options.maxPendingHandshakes);
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: maxMessageBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: selectSubprotocol,
    });
  }

  get state(): RpcServerState {
    return this.#state;
  }

  /** The port actually bound (useful with `port: 0`); 0 before `listen()`. */
  get port(): number {
    return this.#port;
  }

  /** How clients are admitted: `"token"` when an auth token is set, else `"none"`. */
  get auth(): "none" | "token" {
    return this.#options.authToken === null ? "none" : "token";
  }

  /**
   * RPC calls completed in the last closed one-second window (each request of a batch counts,
   * notifications and error replies too; unparsable frames do not). See CallRate.
   */
  get callsPerSecond(): number {
    return this.#rate.perSecond();
  }

  /** How many WebSocket connections are open. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Binds 127.0.0.1 (never another address) and starts accepting connections.
   * Rejects with `ERR_RPC_PORT_IN_USE` when the port is taken, `ERR_RPC_LISTEN_FAILED` otherwise.
   */
  listen(): Promise<{ port: number }> {
    if (this.#state !== "new") {
      return Promise.reject(new RpcServerError("ERR_RPC_BAD_STATE", `cannot listen: the server is ${this.#state}`));
    }
    this.#state = "starting";
    const starting = this.#bind();
    this.#starting = starting;
    return starting;
  }

  async #bind(): Promise<{ port: number }> {
    const { handshakeTimeoutMs, maxConnections, maxPendingHandshakes } = this.#options;
    if (this.#options.static !== null) {
      // Read once, before binding: a bad root fails the start, not the first page load.
      try {
        this.#static = await loadStaticFiles(this.#options.static);
      } catch (error) {
        this.#state = "closed";
        throw error;
      }
    }
    // A socket that never finishes its HTTP handshake is dropped after handshakeTimeoutMs, or
    // sooner when newer sockets need its place among the pending ones (PendingHandshakes).
    const http = createServer({
      headersTimeout: handshakeTimeoutMs,
      requestTimeout: handshakeTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, handshakeTimeoutMs),
    }, (request, response) => this.#request(request, response));
    // Beyond this Node drops new sockets unseen: a backstop on descriptors, not the bound on
    // half-sent requests.
    http.maxConnections = maxConnections + maxPendingHandshakes + CLOSING_MARGIN;
    http.on("connection", (socket: Socket) => this.#pending.add(socket));
    http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#pending.settle(request.socket);
      this.#upgrade(request, socket, head);
    });
    this.#http = http;
    const { port } = this.#options;
    try {
      await new Promise<void>((resolve, reject) => {
        http.once("error", reject);
        http.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
          http.off("error", reject);
          resolve();
        });
      });
    } catch (error) {
      this.#state = "closed";
      this.#http = null;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE") {
        throw new RpcServerError("ERR_RPC_PORT_IN_USE", `port ${port} on 127.0.0.1 is already in use`, { cause: error });
      }
      throw new RpcServerError("ERR_RPC_LISTEN_FAILED", `cannot listen on 127.0.0.1:${port}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    http.on("error", (error) => this.#options.logger.error({ err: error }, "RPC HTTP server error"));
    this.#port = (http.address() as { port: number }).port;
    if (this.#state !== "starting") {
      // close() was called while binding; it takes over from here.
      throw new RpcServerError("ERR_RPC_BAD_STATE", "the server was closed while it was starting");
    }
    this.#state = "listening";
    this.#guard = createGuard(this.#port, this.#options.allowedOrigins, this.#options.authToken);
    if (this.#options.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatMs);
      this.#heartbeat.unref();
    }
    // Debug only: the program that runs the server says when it is ready for clients (the
    // CLI, once the token file is written), so that there is one "listening" line, never early.
    this.#options.logger.debug({ port: this.#port, auth: this.#options.authToken === null ? "none" : "token" }, "RPC server bound to 127.0.0.1");
    return { port: this.#port };
  }

  /**
   * A plain HTTP request (no upgrade): the static files when the `static` option is set (after
   * the Host and Origin checks), else, whatever its method and path, 426 saying what this port
   * is. Never crashes.
   */
  #request(request: IncomingMessage, response: ServerResponse): void {
    this.#pending.settle(request.socket);
    if (this.#static === null) {
      answerUpgradeRequired(response);
      return;
    }
    // The guard exists once bound, before any request can arrive; the fallback only satisfies the types.
    const refusal = this.#guard === null ? { status: 503, reason: "The server is not listening." } : this.#guard.checkPage(request);
    if (refusal !== null) {
      this.#options.logger.warn({ status: refusal.status, host: request.headers.host, origin: request.headers.origin }, `HTTP request refused: ${refusal.reason}`);
      const body = `${refusal.reason}\n`;
      response.writeHead(refusal.status, { Connection: "close", "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
      response.end(body);
      return;
    }
    this.#static.serve(request, response);
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (request.headers.upgrade?.toLowerCase() !== "websocket") {
      // An upgrade to another protocol (h2c…) is no more a WebSocket than plain HTTP is.
      refuseUpgrade(socket, 426, HELP_TEXT, UPGRADE_REQUIRED_HEADERS);
      return;
    }
    if (this.#state !== "listening" || this.#guard === null) {
      refuseUpgrade(socket, 503, "The server is shutting down.");
      return;
    }
    const path = request.url ?? "/";
    if (path !== "/" && !path.startsWith("/?")) {
      refuseUpgrade(socket, 404, "The RPC endpoint is at path /.");
      return;
    }
    const refusal = this.#guard.check(request);
    if (refusal !== null) {
      this.#options.logger.warn(
        { status: refusal.status, host: request.headers.host, origin: request.headers.origin },
        `RPC connection refused: ${refusal.reason}`,
      );
      refuseUpgrade(socket, refusal.status, refusal.reason, refusal.status === 401 ? { "WWW-Authenticate": "Bearer" } : {});
      return;
    }
    if (this.#connections.size >= this.#options.maxConnections) {
      refuseUpgrade(socket, 503, `Too many connections (limit ${this.#options.maxConnections}).`);
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, socket as Socket));
  }

  #accept(ws: WebSocket, socket: Socket): void {
    const connection = new Connection(this.#nextId++, ws, socket, this.#options, this.#runFrame, this.#onIdle);
    this.#connections.add(connection);
    if (this.#state !== "listening") connection.hold();
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      // Lock-step clients (Python's websocket-client) answer pings only while reading, so
      // any frame proves the peer alive too.
      connection.alive = true;
      if (isBinary) {
        connection.cutOff(CloseCode.UnsupportedData, "binary frames are not supported; send JSON text");
        return;
      }
      connection.receive(data.toString());
    });
    ws.on("pong", () => {
      connection.alive = true;
    });
    ws.on("error", (error) => {
      // ws has already closed the socket with the right code (1009 too big, 1007 bad UTF-8…).
      this.#options.logger.debug({ connection: connection.id, err: error }, "RPC connection error");
    });
    ws.on("close", () => {
      connection.markClosed();
      this.#connections.delete(connection);
      this.topics.dropSubscriber(connection);
      if (connection.inFlight > 0) this.#onIdle();
    });
  }

  readonly #runFrame = (connection: Connection, text: string): void => {
    // Once close() has begun, new requests are not run (they would outlive the grace period);
    // nor are those of a connection being closed (cut off), whose replies could not be sent.
    if (this.#state !== "listening" || !connection.open) return;
    this.#dispatcher.handle(connection, text);
  };

  /** One heartbeat for everyone: drop the peers that missed the previous ping. */
  #beat(): void {
    for (const connection of this.#connections) {
      // A connection at its in-flight limit is not being read, so its pong cannot arrive yet:
      // busy is not dead.
      if (!connection.alive && connection.inFlight === 0) {
        this.#options.logger.debug({ connection: connection.id }, "RPC peer missed a heartbeat; dropping it");
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ping();
    }
  }

  readonly #onIdle = (): void => {
    if (this.#drained !== null && this.#inFlight() === 0) this.#drained();
  };

  #inFlight(): number {
    let total = 0;
    for (const connection of this.#connections) if (connection.open) total += connection.inFlight;
    return total;
  }

  /**
   * Stops accepting, stops reading new requests, lets in-flight calls finish for up to
   * `shutdownGraceMs`, closes every socket with 1001 and resolves. Safe to call twice (the
   * second call returns the same promise); never hangs.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    if (this.#state === "new") {
      this.#state = "closed";
      this.#closing = Promise.resolve();
      return this.#closing;
    }
    const wasStarting = this.#state === "starting";
    this.#state = "closing";
    this.#closing = wasStarting
      ? (async () => {
          await this.#starting?.catch(() => undefined);
          if (this.#http === null) this.#state = "closed"; // the bind failed: nothing to close
          else await this.#shutdown();
        })()
      : this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const { shutdownGraceMs } = this.#options;
    const http = this.#http;
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#rate.dispose();
    const httpClosed = new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
    for (const connection of this.#connections) connection.hold();

    if (this.#inFlight() > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, shutdownGraceMs);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#drained = null;
    }
    // Let the replies of the last calls (corked until the next turn) reach the sockets.
    await new Promise((resolve) => setImmediate(resolve));

    const closed: Array<Promise<void>> = [];
    for (const connection of this.#connections) {
      connection.close(CloseCode.GoingAway, "server shutting down");
      closed.push(connection.closed);
    }
    // Connection.close() destroys a peer that does not answer within closeTimeoutMs.
    await Promise.all(closed);
    http?.closeAllConnections();
    await httpClosed;
    this.#wss.close();
    this.#state = "closed";
    this.#options.logger.info({}, "RPC server closed");
  }
}

/** Creates a server; nothing is bound until `listen()`. Options are checked here, up front. */
export function createRpcServer(options?: RpcServerOptions): RpcServer {
  return new RpcServer(options);
}
