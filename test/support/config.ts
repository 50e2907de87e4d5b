/** Shared helpers for the config tests. */
import type { ConfigDriver, JsonFileDriver, NamespaceDocument } from "../../src/config/index.ts";

export { tempDir } from "./temp.ts";

/** Wraps the JSON driver and records every write that completed, as a snapshot. */
export class SpyDriver implements ConfigDriver {
  readonly completed: NamespaceDocument[] = [];
  started = 0;
  failNext = false;
  constructor(readonly inner: JsonFileDriver) {}
  load(namespace: string) {
    return this.inner.load(namespace);
  }
  async write(namespace: string, document: NamespaceDocument) {
    const snapshot = structuredClone(document);
    this.started++;
    if (this.failNext) {
      this.failNext = false;
      throw Object.assign(new Error("disk full"), { code: "ENOSPC" });
    }
    await this.inner.write(namespace, document);
    this.completed.push(snapshot);
  }
  close() {
    return this.inner.close();
  }
}
