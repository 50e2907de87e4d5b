/** Shared helpers for the config tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

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
