import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { Subscriber, TopicEntry } from "./topics.ts";

/** Close codes used by the server (RFC 6455 §7.4.1). */
export const CloseCode = {
  GoingAway: 1001,
  UnsupportedData: 1003,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
} as const;

/** What a connection needs from its server. */
export interface ConnectionLimits {
  readonly maxInFlight: number;
  readonly maxBufferedBytes: number;
  readonly closeTimeoutMs: number;
}

/**
 * One client. Owns the per-connection limits: in-flight calls (reading pauses at the limit:
 * back-pressure, not errors) and queued output (a client that stops reading is cut off with
 * 1008 instead of growing server memory).
 */
export class Connection implements Subscriber {
  readonly id: number;
  readonly subscriptions = new Set<TopicEntry>();
  /** Answered the last heartbeat ping. */
  alive = true;
  inFlight = 0;
  // Made on demand: most connections never need it, and idle connections should be cheap.
  #closed: Promise<void> | null = null;
  #markClosed: (() => void) | null = null;
  #isClosed = false;
  readonly #ws: WebSocket;
  readonly #socket: Socket;
  readonly #limits: ConnectionLimits;
  readonly #onIdle: () => void;
  #paused = false;
  #corked = false;
  #cutOff = false;

  constructor(id: number, ws: WebSocket, socket: Socket, limits: ConnectionLimits, onIdle: () => void) {
    this.id = id;
    this.#ws = ws;
    this.#socket = socket;
    this.#limits = limits;
    this.#onIdle = onIdle;
  }

  /** Settles when the socket has closed, however it closed. */
  get closed(): Promise<void> {
    if (this.#isClosed) return Promise.resolve();
    return (this.#closed ??= new Promise((resolve) => (this.#markClosed = resolve)));
  }

  /** Called by the server when the socket has closed. */
  markClosed(): void {
    this.#isClosed = true;
    this.#markClosed?.();
  }

  get open(): boolean {
    return this.#ws.readyState === 1;
  }

  /**
   * Queues one frame. Frames sent in the same turn of the event loop are corked into one
   * write: a client with 32 requests in flight gets its replies in a few syscalls, not 32.
   */
  send(frame: string | Buffer): void {
    if (this.#ws.readyState !== 1) return;
    if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      // Corked output is ours, not the client's fault: hand it to the kernel first, and cut
      // the connection off only if it is still over the limit (the client is not reading).
      if (this.#corked) this.#uncork();
      if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
        this.cutOff(CloseCode.PolicyViolation, "output buffer limit exceeded: the client is not reading");
        return;
      }
    }
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      setImmediate(this.#uncork);
    }
    this.#ws.send(frame);
  }

  readonly #uncork = (): void => {
    if (!this.#corked) return; // already flushed early by send()
    this.#corked = false;
    this.#socket.uncork();
  };

  /** A call started and will finish later. */
  begin(): void {
    if (++this.inFlight >= this.#limits.maxInFlight && !this.#paused) {
      this.#paused = true;
      this.#ws.pause();
    }
  }

  /** A call that `begin()` counted has finished. */
  end(): void {
    this.inFlight--;
    if (this.#paused && this.inFlight < this.#limits.maxInFlight) {
      this.#paused = false;
      this.#ws.resume();
    }
    if (this.inFlight === 0) this.#onIdle();
  }

  /** Stops reading new requests (used while shutting down). */
  pause(): void {
    this.#paused = true;
    this.#ws.pause();
  }

  ping(): void {
    this.#ws.ping();
  }

  /** Closes with `code`; a peer that does not finish the closing handshake is destroyed. */
  close(code: number, reason: string): void {
    if (this.#ws.readyState >= 2) return;
    this.#ws.resume(); // read the peer's close frame
    this.#ws.close(code, reason);
    const timer = setTimeout(() => this.#ws.terminate(), this.#limits.closeTimeoutMs);
    void this.closed.then(() => clearTimeout(timer));
  }

  /** Closes for a policy reason; once only. */
  cutOff(code: number, reason: string): void {
    if (this.#cutOff) return;
    this.#cutOff = true;
    this.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }
}
