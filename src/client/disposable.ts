/** Something that can be undone. Calling `dispose()` more than once is harmless. */
export interface Disposable {
  dispose(): void;
}
