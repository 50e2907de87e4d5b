/** Shared helpers for the config tests. */
import type { BucketDriver, ConfigDriver, JsonFileDriver, NamespaceDocument } from "../../src/config/index.ts";

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

/**
 * A real bucket driver with some members replaced (to delay a reply or a notification, count
 * loads, or fail one call); every other member, getters included, is the driver's own.
 */
export function wrapDriver<D extends BucketDriver>(driver: D, over: Partial<BucketDriver>): BucketDriver {
  return new Proxy(driver, {
    get(target, property) {
      if (Object.hasOwn(over, property)) return (over as Record<PropertyKey, unknown>)[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as unknown as BucketDriver;
}
