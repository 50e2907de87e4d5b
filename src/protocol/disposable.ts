/** Something that can be undone. Calling `dispose()` more than once is harmless. */
export interface Disposable {
  dispose(): void;
}

/** Wraps a clean-up function so that it runs at most once. */
export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}
