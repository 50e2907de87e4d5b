/**
 * A soak client connection that accounts for every request: each id it sends is pending until
 * a reply with that id arrives. A connection that is closed (by us or by the server) moves its
 * pending requests to "abandoned"; only requests still pending on a connection that stayed open
 * count as lost.
 */
import WebSocket from "ws";

export interface Tally {
  sent: number;
  answered: number;
  /** Pending when their connection closed (a slow reader cut off, churn): not lost. */
  abandoned: number;
  /** Error replies by code, `-32601` etc. */
  errors: Map<number, number>;
  /** Replies with id null to frames we sent without one we could match (parse errors, oversized batches). */
  nullReplies: number;
  /** Frames sent that must draw exactly one id-null reply. */
  nullExpected: number;
  closes: Map<string, number>;
  pushes: Map<string, number>;
  /** Replies with an id we never sent or already saw answered. */
  strays: number;
}

export function newTally(): Tally {
  return { sent: 0, answered: 0, abandoned: 0, errors: new Map(), nullReplies: 0, nullExpected: 0, closes: new Map(), pushes: new Map(), strays: 0 };
}

export const bump = <K>(map: Map<K, number>, key: K, by = 1): void => void map.set(key, (map.get(key) ?? 0) + by);

type Waiter = (reply: Record<string, unknown>) => void;

export class SoakConn {
  readonly ws: WebSocket;
  readonly opened: Promise<boolean>;
  readonly closed: Promise<number>;
  readonly #tally: Tally;
  readonly #pending = new Map<string, Waiter | null>();
  #nullPending = 0;
  #nextId = 1;
  #isClosed = false;
  /** Which kind of client this is, for the close table. */
  readonly kind: string;

  constructor(port: number, tally: Tally, kind: string) {
    this.#tally = tally;
    this.kind = kind;
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    this.ws.on("error", () => {});
    this.opened = new Promise((resolve) => {
      this.ws.once("open", () => resolve(true));
      this.ws.once("close", () => resolve(false));
    });
    this.closed = new Promise((resolve) => {
      this.ws.once("close", (code) => {
        this.#isClosed = true;
        bump(tally.closes, `${kind} ${code}`);
        tally.abandoned += this.#pending.size;
        for (const waiter of this.#pending.values()) waiter?.({ abandoned: true });
        this.#pending.clear();
        this.#nullPending = 0;
        resolve(code);
      });
    });
    this.ws.on("message", (data: Buffer) => this.#receive(data.toString()));
  }

  get open(): boolean {
    return !this.#isClosed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Requests (and id-null replies) still owed to this connection. */
  get pending(): number {
    return this.#pending.size + this.#nullPending;
  }

  #receive(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.#tally.strays++;
      return;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      const reply = item as Record<string, unknown>;
      if (!("id" in reply) && typeof reply.method === "string") {
        bump(this.#tally.pushes, reply.method);
        continue;
      }
      const error = reply.error as { code?: number } | undefined;
      if (error !== undefined) bump(this.#tally.errors, error.code ?? 0);
      if (reply.id === null) {
        if (this.#nullPending > 0) {
          this.#nullPending--;
          this.#tally.nullReplies++;
        } else this.#tally.strays++;
        continue;
      }
      const key = String(reply.id);
      if (!this.#pending.has(key)) {
        this.#tally.strays++;
        continue;
      }
      const waiter = this.#pending.get(key);
      this.#pending.delete(key);
      this.#tally.answered++;
      waiter?.(reply);
    }
  }

  /** Sends a request and resolves with its reply (or `{abandoned: true}` if the socket closes first). */
  call(method: string, params?: unknown): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const id = this.request(method, params, resolve);
      if (id === null) resolve({ abandoned: true });
    });
  }

  /** Sends a request without waiting; returns its id, or null when the socket is not open. */
  request(method: string, params?: unknown, waiter: Waiter | null = null): string | null {
    if (!this.open) return null;
    const id = `${this.#nextId++}`;
    const message: Record<string, unknown> = { jsonrpc: "2.0", id, method };
    if (params !== undefined) message.params = params;
    this.#pending.set(id, waiter);
    this.#tally.sent++;
    this.ws.send(JSON.stringify(message));
    return id;
  }

  /** Several requests (and notifications) in one batch frame; ids are tracked one by one. */
  batch(items: Array<{ method: string; params?: unknown; notify?: boolean }>): void {
    if (!this.open) return;
    const frame = items.map((item) => {
      const message: Record<string, unknown> = { jsonrpc: "2.0", method: item.method };
      if (item.params !== undefined) message.params = item.params;
      if (!item.notify) {
        const id = `${this.#nextId++}`;
        message.id = id;
        this.#pending.set(id, null);
        this.#tally.sent++;
      }
      return message;
    });
    this.ws.send(JSON.stringify(frame));
  }

  /** A frame that must draw exactly one reply with id null (parse error, oversized batch, …). */
  sendBad(text: string): void {
    if (!this.open) return;
    this.#nullPending++;
    this.#tally.nullExpected++;
    this.ws.send(text);
  }

  /** A frame with an id but the wrong types: answered -32600 with that id. */
  sendWrongTypes(): void {
    if (!this.open) return;
    const id = `${this.#nextId++}`;
    this.#pending.set(id, null);
    this.#tally.sent++;
    this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method: 42, params: "x" }));
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
