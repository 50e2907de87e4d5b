// Test helpers for the RPC server: a real server on port 0 and real ws clients.
import type { TestContext } from "node:test";
import WebSocket, { type ClientOptions } from "ws";
import { createRpcServer, type RpcServer, type RpcServerOptions, type RpcLogger } from "../../src/rpc/index.ts";

/** A logger that remembers every entry, for asserting what the server logged. */
export function recordingLogger(): RpcLogger & { entries: Array<{ level: string; obj: Record<string, unknown>; msg: string }> } {
  const entries: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: object, msg: string) => entries.push({ level, obj: obj as Record<string, unknown>, msg });
  return { entries, error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

/** Starts a server on a free port; it is closed when the test ends. */
export async function startServer(t: TestContext, options: RpcServerOptions = {}): Promise<RpcServer> {
  const server = createRpcServer({ port: 0, ...options });
  t.after(() => server.close());
  await server.listen();
  return server;
}

/** A ws client that queues every text frame it receives. */
export class TestClient {
  readonly ws: WebSocket;
  readonly frames: string[] = [];
  #waiters: Array<() => void> = [];
  #nextId = 1;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      // JSON-RPC travels in text frames: a browser hands a binary one to the page as a Blob that
      // no JSON client reads, so a binary frame is recorded as something no test can parse.
      this.frames.push(isBinary ? `<binary frame: ${data.toString()}>` : data.toString());
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
    });
  }

  /** Waits for the next unread frame (text), failing after `ms`. */
  async next(ms = 2000): Promise<string> {
    const deadline = Date.now() + ms;
    while (this.frames.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no frame arrived in time");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames.shift()!;
  }

  /** Waits for the next frame and parses it. */
  async nextJson(ms?: number): Promise<any> { // any: tests inspect arbitrary reply shapes
    return JSON.parse(await this.next(ms));
  }

  /** Asserts that no frame arrives within `ms`. */
  async nothingWithin(ms: number): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.frames.length === 0;
  }

  /** Sends raw text (or a value, JSON-encoded). */
  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Sends one request and returns the reply with that id (other frames stay queued). */
  async call(method: string, params?: unknown): Promise<any> { // any: see nextJson
    const id = this.#nextId++;
    const request: Record<string, unknown> = { jsonrpc: "2.0", id, method };
    if (params !== undefined) request.params = params;
    this.send(request);
    const deadline = Date.now() + 2000;
    for (;;) {
      const index = this.frames.findIndex((f) => {
        try {
          return JSON.parse(f).id === id;
        } catch {
          return false;
        }
      });
      if (index >= 0) return JSON.parse(this.frames.splice(index, 1)[0]!);
      if (Date.now() > deadline) throw new Error(`no reply to ${method} in time`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves with the close code and reason. */
  closed(ms = 3000): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error("already closed"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("socket did not close in time")), ms);
      this.ws.once("close", (code, reason) => {
        clearTimeout(timer);
        resolve({ code, reason: reason.toString() });
      });
    });
  }
}

/** Opens a client to `server` (closed when the test ends). */
export function connect(t: TestContext, server: RpcServer, options: ClientOptions = {}): Promise<TestClient> {
  return connectTo(t, server.port, options);
}

/** Opens a client to the RPC server on 127.0.0.1:`port` (closed when the test ends). */
export async function connectTo(t: TestContext, port: number, options: ClientOptions = {}): Promise<TestClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, options);
  t.after(() => ws.terminate());
  ws.on("error", () => {}); // failures surface through the open/close assertions below
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
  return new TestClient(ws);
}

/** Tries to open a WebSocket and reports the HTTP status of a refusal (or 101 when it opened). */
export function upgradeStatus(port: number, headers: Record<string, string>, path = "/"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on("error", () => {});
    ws.once("open", () => {
      ws.terminate();
      resolve({ status: 101, body: "" });
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
  });
}

/** A promise with its resolve exposed, to hold a handler mid-call. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
