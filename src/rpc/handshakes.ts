import type { Socket } from "node:net";

/**
 * The sockets still in their HTTP handshake: from the HTTP server's `connection` event until
 * their request is read (`upgrade` or `request`) or they close. They are bounded apart from
 * established connections, so that half-sent requests cannot take the slots real clients
 * need: when a socket arrives with the set full, the oldest pending one is destroyed. A
 * well-formed client sends its whole request at once and leaves the set long before it could
 * become the oldest, so a flood of half-sent requests mostly evicts its own sockets.
 */
export class PendingHandshakes {
  /** In arrival order, so the first is the oldest. */
  readonly #sockets = new Set<Socket>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Tracks a new socket until `settle` or its close; evicts the oldest when the set is full. */
  add(socket: Socket): void {
    if (this.#sockets.size >= this.#limit) {
      const oldest = this.#sockets.values().next().value as Socket;
      this.#sockets.delete(oldest);
      oldest.destroy();
    }
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
  }

  /** The socket's request has been read: it is no longer pending. */
  settle(socket: Socket): void {
    this.#sockets.delete(socket);
  }

  get size(): number {
    return this.#sockets.size;
  }
}
