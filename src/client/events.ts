// The client's events: `on(event, listener)` returning a Disposable, and emitting to a snapshot
// of the listeners so that one may remove itself. Browser-safe.
import type { Disposable } from "./disposable.ts";
import type { UnsubscribedInfo } from "./subscriptions.ts";

/** Why the connection closed, as the `disconnect` event reports it. */
export interface DisconnectInfo {
  code: number;
  reason: string;
  /** Whether the client will try to reconnect. */
  willReconnect: boolean;
}

/** The events of an RpcClient and their listeners' signatures. */
export interface RpcClientEvents {
  connect: () => void;
  disconnect: (info: DisconnectInfo) => void;
  error: (error: Error) => void;
  /** The server ended some of this client's subscriptions (UNSUBSCRIBED); they are forgotten. */
  unsubscribed: (info: UnsubscribedInfo) => void;
}

/** Listener sets per event; a listener that throws is reported as an `error` event. */
export class ClientEvents {
  readonly #listeners: { [K in keyof RpcClientEvents]: Set<RpcClientEvents[K]> } = { connect: new Set(), disconnect: new Set(), error: new Set(), unsubscribed: new Set() };

  /** Adds a listener; disposing the result removes only that listener. Unknown events throw a TypeError. */
  on<K extends keyof RpcClientEvents>(event: K, listener: RpcClientEvents[K]): Disposable {
    const set = (Object.hasOwn(this.#listeners, event) ? this.#listeners[event] : undefined) as Set<RpcClientEvents[K]> | undefined;
    if (set === undefined) throw new TypeError(`unknown event ${String(event)}`);
    set.add(listener);
    return { dispose: () => void set.delete(listener) };
  }

  emit<K extends keyof RpcClientEvents>(event: K, ...args: Parameters<RpcClientEvents[K]>): void {
    for (const listener of [...this.#listeners[event]]) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        // An error listener's own exception is dropped: reporting it would loop.
        if (event !== "error") this.emit("error", error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  /** Reports an error (a thrown non-Error is wrapped). */
  report(error: unknown): void {
    this.emit("error", error instanceof Error ? error : new Error(String(error)));
  }
}
