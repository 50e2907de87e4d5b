/** The window calls are counted in. */
const WINDOW_MS = 1000;

/**
 * Counts finished RPC calls per second without reading a clock per call (a clock read costs
 * about as much as 3% of a call on some VMs): calls add to the open one-second window, and a
 * timer closes it. The timer runs only while calls come in (it is armed by the first call after
 * a quiet window and stops after a window with none), and is unref'd: an idle server has none.
 */
export class CallRate {
  #current = 0;
  #previous = 0;
  #timer: NodeJS.Timeout | null = null;

  /** Counts `count` calls finished now: one addition and one check on the request path. */
  add(count: number): void {
    this.#current += count;
    if (this.#timer === null) this.#arm();
  }

  /** Calls completed in the last closed one-second window (0 once a window passed with none). */
  perSecond(): number {
    return this.#previous;
  }

  /** Stops the timer (the server's close). */
  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(): void {
    this.#timer = setTimeout(this.#close, WINDOW_MS);
    this.#timer.unref();
  }

  readonly #close = (): void => {
    this.#previous = this.#current;
    this.#current = 0;
    this.#timer = null;
    // One more window after the last busy one, so the rate falls back to 0 on its own.
    if (this.#previous > 0) this.#arm();
  };
}
