// Temp dirs and package folders for tests: real files, removed when the test ends.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

/** A fresh temp dir, removed when the test ends. */
export function tempDir(t: TestContext, prefix = "cogwheel-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => {
    // A failed test may leave a bot writing into the dir (ENOTEMPTY): a throwing hook would
    // skip the later ones, among them the one that kills the bot, and the run would hang.
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // leave it to the OS's temp cleanup
    }
  });
  return dir;
}

/** Writes a package folder `<root>/<name>/` with the given files (name → text). */
export function writePackage(root: string, name: string, files: Record<string, string>): void {
  mkdirSync(join(root, name), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, name, file), text);
}
