// The connect loop: one attempt, or (with reconnect on) attempts with capped, jittered back-off
// until one succeeds or the client closes. Browser-safe.
import { jitteredDelay, type ReconnectOptions } from "./backoff.ts";
import { closedError } from "./socket.ts";
import { RpcConnectionError } from "./errors.ts";

/** How long a connection must stay open for the back-off to start again from the initial delay. */
const STABLE_MS = 5_000;

/** What the loop drives. */
export interface ConnectHooks {
  /** Named in the error that wraps an unexpected failure. */
  readonly url: string;
  /** Whether the client is closed (checked after every await). */
  isClosed(): boolean;
  /** One attempt; resolves once the connection is open and set up. */
  attempt(): Promise<void>;
  /** An attempt failed; called before the loop waits or gives up. */
  failed(error: RpcConnectionError, willRetry: boolean): void;
}

/** The back-off state of one client, and the loop that uses it. */
export class Reconnector {
  /** The resolved settings; null = reconnect off. */
  readonly options: Required<ReconnectOptions> | null;
  #failures = 0;
  #openedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | null = null;

  constructor(options: Required<ReconnectOptions> | null) {
    this.options = options;
  }

  /** Whether a dropped connection is opened again. */
  get enabled(): boolean {
    return this.options !== null;
  }

  /**
   * Connects: waits the back-off first when `afterDrop`, then attempts until one succeeds.
   * Without reconnect the first failure rejects; with it, only `close()` (ERR_RPC_CLOSED) or a
   * refusal (ERR_RPC_UNAUTHORIZED) ends the loop. At most one loop runs per client (the client guards that).
   */
  async run(hooks: ConnectHooks, afterDrop: boolean): Promise<void> {
    if (afterDrop) await this.#sleep();
    for (;;) {
      if (hooks.isClosed()) throw closedError();
      try {
        await hooks.attempt();
        this.#openedAt = Date.now();
        return;
      } catch (error) {
        if (hooks.isClosed()) throw closedError();
        const failure = error instanceof RpcConnectionError ? error : new RpcConnectionError("ERR_RPC_CONNECT", `could not connect to ${hooks.url}: ${String(error)}`, { cause: error });
        // A refused token (401/403) is refused again on every retry: give up and say why.
        const retry = this.enabled && failure.code !== "ERR_RPC_UNAUTHORIZED";
        hooks.failed(failure, retry);
        if (!retry) throw failure;
        await this.#sleep();
      }
    }
  }

  /** The connection dropped: a connection that flaps keeps its back-off, a stable one resets it. */
  dropped(): void {
    if (Date.now() - this.#openedAt >= STABLE_MS) this.#failures = 0;
  }

  /** Cuts a back-off wait short (the client is closing). */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#wake?.();
  }

  /** Waits the next back-off delay; `cancel()` cuts it short. */
  #sleep(): Promise<void> {
    const delay = jitteredDelay(this.options!, this.#failures);
    this.#failures++;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(this.#timer);
        this.#wake = null;
        resolve();
      };
      this.#wake = done;
      this.#timer = setTimeout(done, delay);
    });
  }
}
