import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import { CloseCode } from "../protocol/constants.ts";
import type { Subscriber, TopicEntry } from "./topics.ts";

/** Send options for a Buffer frame: still a text frame (see `send`). */
const TEXT_FRAME = { binary: false } as const;

// Close codes are wire data the client interprets too: they live in src/protocol.
export { CloseCode };

/** What a connection needs from its server. */
export interface ConnectionLimits {
  readonly maxInFlight: number;
  readonly maxBufferedBytes: number;
  readonly closeTimeoutMs: number;
}

/** Runs one text frame of a connection (the dispatcher, behind the server's checks). */
export type FrameRunner = (connection: Connection, text: string) => void;

/**
 * One client. Owns the per-connection limits: in-flight calls (at the limit the socket stops
 * being read and frames already read wait in order: back-pressure, not errors) and queued
 * output (a client that stops reading is cut off with 1008 instead of growing server memory).
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
  readonly #run: FrameRunner;
  /**
   * Frames read while at the in-flight limit. Pausing the socket stops further reads, but ws
   * still delivers the frames of the chunk it has read; they wait here, so this stays bounded
   * by one read (about 64 KiB) rather than by what the client sends.
   */
  #backlog: string[] | null = null;
  #paused = false;
  /** Paused for good (shutdown): finishing calls must not resume reading. */
  #held = false;
  #corked = false;
  #cutOff = false;

  constructor(id: number, ws: WebSocket, socket: Socket, limits: ConnectionLimits, run: FrameRunner, onIdle: () => void) {
    this.id = id;
    this.#ws = ws;
    this.#socket = socket;
    this.#limits = limits;
    this.#run = run;
    this.#onIdle = onIdle;
  }

  /** Runs a text frame now, or keeps it, in order, while the connection is at its in-flight limit. */
  receive(text: string): void {
    if (this.#backlog !== null || this.inFlight >= this.#limits.maxInFlight) {
      (this.#backlog ??= []).push(text);
      return;
    }
    this.#run(this, text);
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
    // A topic push is a Buffer (encoded once for every subscriber); ws would send a Buffer as a
    // binary frame, which a browser hands to the page as a Blob. JSON-RPC frames are text.
    if (typeof frame === "string") this.#ws.send(frame);
    else this.#ws.send(frame, TEXT_FRAME);
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
    const max = this.#limits.maxInFlight;
    while (this.#backlog !== null && this.inFlight < max) {
      const next = this.#backlog.shift()!;
      if (this.#backlog.length === 0) this.#backlog = null;
      this.#run(this, next);
    }
    if (this.#paused && !this.#held && this.#backlog === null && this.inFlight < max) {
      this.#paused = false;
      this.#ws.resume();
    }
    if (this.inFlight === 0) this.#onIdle();
  }

  /** Stops reading new requests for good (used while shutting down). */
  hold(): void {
    this.#held = true;
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
