import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { AppError } from "./errors.ts";

/** Creates the data dir if needed and checks that it is a readable, writable directory. */
export function prepareDataDir(dir: string): string {
  const absolute = resolve(dir);
  try {
    makeDirectories(absolute);
    if (!statSync(absolute).isDirectory()) throw new Error("not a directory");
    accessSync(absolute, constants.W_OK | constants.R_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new AppError("ERR_APP_DATA_DIR", `cannot use data dir ${absolute}: ${reason}`);
  }
  return absolute;
}

/**
 * mkdir -p, one level at a time: Node 20's `mkdirSync(path, { recursive: true })` spins
 * forever under /proc, and a bad --data-dir must be a clear error, not a hang.
 */
function makeDirectories(path: string): void {
  const missing: string[] = [];
  for (let dir = path; !existsSync(dir); dir = dirname(dir)) {
    if (dirname(dir) === dir) break;
    missing.unshift(dir);
  }
  for (const dir of missing) mkdirSync(dir, { mode: 0o700 });
}

/** Whether `path` is a directory (false for anything unreadable). */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
