/** Shared helpers for the config tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { ConfigDriver, JsonFileDriver, NamespaceDocument } from "../../src/config/index.ts";

/**
 * Creates a fresh temp directory, removed when the test ends.
 *
 * @param t - the running test
 * @returns the directory's path
 */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cogwheel-config-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

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
