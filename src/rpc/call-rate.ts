/**
 * Counts finished RPC calls per wall-clock second, with no timer: the count of the current
 * second and of the one before are kept, and a call in a new second shifts them. Reading gives
 * the calls completed in the last whole second (the second before the current one), which is
 * exact and stable for a whole second, unlike a rate over a sliding window.
 */
export class CallRate {
  #second = 0;
  #current = 0;
  #previous = 0;
  readonly #now: () => number;

  /** @param now - the clock in ms (tests pass their own). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Counts `count` calls finished now. One clock read per frame, not per call. */
  add(count: number): void {
    const second = Math.floor(this.#now() / 1000);
    if (second !== this.#second) {
      this.#previous = second === this.#second + 1 ? this.#current : 0;
      this.#second = second;
      this.#current = 0;
    }
    this.#current += count;
  }

  /** Calls completed in the last whole second. */
  perSecond(): number {
    const second = Math.floor(this.#now() / 1000);
    if (second === this.#second) return this.#previous;
    if (second === this.#second + 1) return this.#current;
    return 0;
  }
}
