/**
 * Crash-safe file replacement: write a temp file in the same directory, fsync it,
 * rename it over the target, fsync the directory. At any instant the target is the
 * old complete file or the new complete file.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Temp files are `.<target name>.<pid>.<counter>.<random>.tmp`, next to the target. */
const TEMP_NAME = /^\..+\.\d+\.\d+\.[0-9a-f]+\.tmp$/;
let counter = 0;

/**
 * Atomically and durably replaces `path` with `data`. Resolves only when the new
 * content and the directory entry pointing at it are on stable storage.
 *
 * @param path - the target file; its directory must exist
 * @param data - the complete new content
 * @param mode - permission bits of the new file (default 0o600: config may hold secrets)
 */
export async function atomicWriteFile(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${++counter}.${randomBytes(4).toString("hex")}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, "wx", mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    renamed = true;
    await syncDirectory(dir);
  } catch (error) {
    if (!renamed) await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * fsyncs a directory so that a rename or creation inside it is durable.
 * Platforms that cannot fsync a directory (Windows) are tolerated.
 *
 * @param dir - the directory
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
  } catch (error) {
    if (isCode(error, "EISDIR", "EPERM", "EACCES")) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!isCode(error, "EINVAL", "EBADF", "EPERM")) throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Removes temp files left in `dir` by an {@link atomicWriteFile} that was interrupted
 * (crash, SIGKILL, power loss). Only call this when no write into `dir` is in progress.
 *
 * @param dir - the directory to clean
 * @returns the names of the files removed
 */
export async function removeTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() && TEMP_NAME.test(entry.name)) {
      await rm(join(dir, entry.name), { force: true });
      removed.push(entry.name);
    }
  }
  return removed;
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? "");
}
