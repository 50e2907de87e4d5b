/**
 * A serial, coalescing write queue for one namespace: at most one write runs at a
 * time, and every request made while a write runs is served by the single next write.
 *
 * @module
 */

interface Batch {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** Runs `flush` serially; requests made while a flush runs share the next flush. */
export class CoalescingWriter {
  readonly #flush: () => Promise<void>;
  /** The batch whose flush has not started yet; every new request joins it. */
  #pending: Batch | undefined;
  /** Settles when the flush in progress (if any) has finished. */
  #running: Promise<void> | undefined;

  /**
   * @param flush - writes the current state durably; it must capture that state
   *   synchronously, before its first `await`
   */
  constructor(flush: () => Promise<void>) {
    this.#flush = flush;
  }

  /**
   * Requests a write of the current state.
   *
   * @returns a promise that resolves once a flush that started after this call has
   *   completed (so it includes every change made before the call), or rejects with
   *   that flush's error
   */
  request(): Promise<void> {
    if (this.#pending === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#pending = { promise, resolve, reject };
      // Start on the next turn so that changes made in the same turn share one write.
      if (this.#running === undefined) setImmediate(() => this.#start());
    }
    return this.#pending.promise;
  }

  /** @returns a promise that settles once no flush is running or pending */
  async idle(): Promise<void> {
    while (this.#pending !== undefined || this.#running !== undefined) {
      await (this.#running ?? this.#pending?.promise)?.catch(() => {});
    }
  }

  #start(): void {
    const batch = this.#pending;
    if (batch === undefined || this.#running !== undefined) return;
    this.#pending = undefined;
    let flushing: Promise<void>;
    try {
      flushing = this.#flush();
    } catch (error) {
      flushing = Promise.reject(error);
    }
    this.#running = flushing.then(batch.resolve, batch.reject).finally(() => {
      this.#running = undefined;
      if (this.#pending !== undefined) this.#start();
    });
  }
}
