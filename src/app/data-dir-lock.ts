/**
 * One bot per data dir. Two bots writing the same config files erase each other's writes
 * (the last whole-file write wins), so a bot holds `<data-dir>/cogwheel.lock` while it runs and a
 * second bot on the same dir refuses to start. A lock left by a bot that died without releasing it
 * (SIGKILL, power loss) is taken over, safely even when several bots start at the same moment.
 *
 * How a lock is taken:
 * 1. Create the lock file with O_CREAT|O_EXCL (`open(path, "wx")`): exactly one creator wins.
 * 2. If it exists, read it. Its holder alive → {@link DataDirLockError} `ERR_DATA_DIR_LOCKED`.
 *    Unreadable and young → its writer is between create and write: wait. Holder dead, or
 *    unreadable and old (a crash mid-write) → stale: take it over (3).
 * 3. Takeover, under a mutex: create `cogwheel.lock.takeover.<k>` with O_EXCL for the smallest k
 *    whose file does not exist or whose holder is dead (a taker SIGKILLed mid-takeover). Holding
 *    it, check that the lock is still the very file judged stale (same inode, mtime and bytes),
 *    rename a complete candidate over it, remove the takeover file.
 *
 * Why two takers never both win: a takeover file is removed only by its owner at the end of its
 * critical section, or (when dead) by a bot that holds the lock live, after the stale lock is gone.
 * So while a given stale lock S is in place, the files a taker walks past are dead and stay put,
 * and a live taker's file stays until it is done: two takers of S meet at the same k, where O_EXCL
 * lets one through and the other waits and starts over (then finds the winner's live lock). A taker
 * that comes late (saw S, but the lock was replaced since) fails the "still S" check, because S's
 * bytes carry a random nonce and a replaced file never comes back. Removing a stale lock by name
 * ("unlink, then create") would not do: two bots can both judge it stale and the second unlink
 * deletes the first one's fresh lock.
 *
 * Pid reuse: a dead bot's pid may belong to a new process by now. On Linux the lock records the
 * boot id and the process start time (`/proc/<pid>/stat`), and a pid whose start time differs is
 * dead to us; elsewhere only `kill(pid, 0)` is asked, so a reused pid keeps the lock until the
 * user stops that process or deletes the file. A lock written on another host (a shared network
 * dir) cannot be checked and counts as held.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { open, readdir, rename, rm, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CogwheelError } from "../protocol/catalog.ts";

/** The lock's file name, inside the data dir. */
export const LOCK_FILE = "cogwheel.lock";

/** Every code of {@link DataDirLockError}; start-up problems, printed by the CLI. */
const LOCK_CODES = {
  /** Another live bot holds the data dir. */
  ERR_DATA_DIR_LOCKED: {},
  /** The lock could not be read or written (permissions, missing dir, a directory in its place…). */
  ERR_DATA_DIR_LOCK_FAILED: {},
} as const;

/** Stable codes of {@link DataDirLockError}. */
export type DataDirLockErrorCode = keyof typeof LOCK_CODES;

/** Why a data dir could not be locked; `message` is one line meant for the bot's owner. */
export class DataDirLockError extends CogwheelError<DataDirLockErrorCode> {
  static override readonly codes = LOCK_CODES;
  /** The absolute data dir. */
  readonly dir: string;
  /** The other bot's pid, for `ERR_DATA_DIR_LOCKED`. */
  readonly pid: number | null;
  constructor(code: DataDirLockErrorCode, dir: string, message: string, pid: number | null = null) {
    super(code, message);
    this.name = "DataDirLockError";
    this.dir = dir;
    this.pid = pid;
  }
}

/** What the lock file holds (JSON). */
export interface LockRecord {
  pid: number;
  /** ISO time the lock was taken. */
  startedAt: string;
  hostname: string;
  /** Random per acquisition: tells two locks of one pid apart (a restarted container's pid 1). */
  nonce: string;
  /** Linux: `/proc/sys/kernel/random/boot_id`. */
  bootId?: string;
  /** Linux: the holder's start time, field 22 of `/proc/<pid>/stat` (clock ticks since boot). */
  procStart?: string;
}

/** A held lock. */
export interface DataDirLock {
  /** The absolute data dir. */
  readonly dir: string;
  /** The lock file. */
  readonly path: string;
  /** What this bot wrote into it. */
  readonly record: Readonly<LockRecord>;
  /** Set when a stale lock was taken over: its holder's pid, or null if the file was unreadable. */
  readonly takenOver: { readonly pid: number | null } | null;
  /**
   * Removes the lock file if it still holds this lock. Synchronous, for exit paths; never
   * throws (a file left behind is taken over at the next start); a second call does nothing.
   */
  release(): void;
}

/** Options of {@link acquireDataDirLock}. */
export interface AcquireDataDirLockOptions {
  /**
   * How long to keep retrying while another bot is in the middle of writing the lock or taking
   * a stale one over (normally milliseconds), before giving up with `ERR_DATA_DIR_LOCK_FAILED`.
   * Default 5000.
   */
  waitMs?: number;
}

/** A lock file still unreadable after this long was left by a crash mid-write, not being written. */
const WRITING_GRACE_MS = 1000;
/** How many abandoned takeover files are walked past before asking the user to clean up. */
const MAX_TAKEOVER_FILES = 16;

// The nonces of the locks this process holds or is acquiring (its lock and takeover files carry
// them), shared by every copy of this module (a package may load its own): a file with our pid is
// live only if its nonce is here; otherwise an earlier process with our pid left it (a restarted
// container's bot is pid 1 again).
const HELD_KEY = Symbol.for("cogwheel.dataDirLocks");
const held: Set<string> = ((globalThis as Record<symbol, unknown>)[HELD_KEY] ??= new Set<string>()) as Set<string>;

/**
 * Locks `dir` (which must exist) for this process.
 *
 * @throws {@link DataDirLockError} `ERR_DATA_DIR_LOCKED` if a live bot holds it,
 *   `ERR_DATA_DIR_LOCK_FAILED` if the lock cannot be read or written
 */
export async function acquireDataDirLock(dir: string, options: AcquireDataDirLockOptions = {}): Promise<DataDirLock> {
  if (typeof dir !== "string" || dir === "") throw new TypeError("acquireDataDirLock: dir must be a non-empty string");
  const waitMs = options.waitMs ?? 5000;
  if (typeof waitMs !== "number" || !Number.isFinite(waitMs) || waitMs < 0) {
    throw new TypeError("acquireDataDirLock: options.waitMs must be a finite number >= 0");
  }
  const absolute = resolve(dir);
  const path = join(absolute, LOCK_FILE);
  const record = ownRecord();
  const text = `${JSON.stringify(record)}\n`;
  const deadline = Date.now() + waitMs;
  // Live from the first write on: another acquirer in this process must not judge our files dead.
  held.add(record.nonce);
  let acquired = false;
  try {
    for (;;) {
      if (await createExclusive(path, text)) {
        acquired = true;
        await removeAbandonedTakeovers(absolute).catch(() => {}); // tidying only
        return heldLock(absolute, path, record, null);
      }
      const seen = await readState(path);
      if (seen === null) continue; // released between our create and our read: try again
      const verdict = judge(seen);
      if (verdict === "alive") throw lockedError(absolute, seen.record!);
      if (verdict === "dead") {
        if (await takeOver(path, seen, text)) {
          acquired = true;
          await removeAbandonedTakeovers(absolute).catch(() => {}); // tidying only
          return heldLock(absolute, path, record, { pid: seen.record?.pid ?? null });
        }
      }
      // Being written, or someone else is taking it over: look again shortly.
      if (Date.now() >= deadline) {
        throw new DataDirLockError("ERR_DATA_DIR_LOCK_FAILED", absolute, `cannot lock data dir ${absolute}: ${path} stayed busy for ${waitMs} ms`);
      }
      await sleep(10 + Math.random() * 40);
    }
  } catch (error) {
    if (error instanceof DataDirLockError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DataDirLockError("ERR_DATA_DIR_LOCK_FAILED", absolute, `cannot lock data dir ${absolute}: ${reason}`);
  } finally {
    if (!acquired) held.delete(record.nonce);
  }
}

function lockedError(dir: string, holder: LockRecord): DataDirLockError {
  const where = holder.hostname === hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on host ${holder.hostname}`;
  return new DataDirLockError(
    "ERR_DATA_DIR_LOCKED",
    dir,
    `data dir ${dir} is in use by another Cogwheel bot (${where}); stop it or choose another --data-dir`,
    holder.pid,
  );
}

function heldLock(dir: string, path: string, record: LockRecord, takenOver: { pid: number | null } | null): DataDirLock {
  let released = false;
  return {
    dir,
    path,
    record,
    takenOver,
    release() {
      if (released) return;
      released = true;
      held.delete(record.nonce);
      try {
        // Only our own lock: if someone deleted ours and another bot took the dir, leave theirs.
        if (parseRecord(readFileSync(path, "utf8"))?.nonce === record.nonce) unlinkSync(path);
      } catch {
        // Gone already, or unreadable: the next start judges what is left.
      }
    },
  };
}

/** The file's bytes and identity, read through one descriptor so they belong together. */
interface FileState {
  raw: string;
  ino: number;
  mtimeMs: number;
  record: LockRecord | null;
}

async function readState(path: string): Promise<FileState | null> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const stat = await handle.stat();
    const raw = await handle.readFile("utf8");
    return { raw, ino: stat.ino, mtimeMs: stat.mtimeMs, record: parseRecord(raw) };
  } finally {
    await handle.close();
  }
}

function sameState(a: FileState, b: FileState): boolean {
  return a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.raw === b.raw;
}

/** The record in a lock or takeover file, or null if it is not a complete one. */
function parseRecord(raw: string): LockRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const r = value as Partial<LockRecord>;
  if (!Number.isSafeInteger(r.pid) || (r.pid as number) <= 0) return null;
  if (typeof r.hostname !== "string" || typeof r.nonce !== "string" || typeof r.startedAt !== "string") return null;
  if (r.bootId !== undefined && typeof r.bootId !== "string") return null;
  if (r.procStart !== undefined && typeof r.procStart !== "string") return null;
  return r as LockRecord;
}

/**
 * Is the file's writer still there? "writing": unreadable but young, so probably between its
 * O_EXCL create and its write. Unreadable and old: a crash mid-write, so "dead".
 */
function judge(state: FileState): "alive" | "dead" | "writing" {
  const r = state.record;
  if (r === null) return Date.now() - state.mtimeMs < WRITING_GRACE_MS ? "writing" : "dead";
  if (r.hostname !== hostname()) return "alive";
  if (r.pid === process.pid) return held.has(r.nonce) ? "alive" : "dead";
  const bootId = readBootId();
  if (r.bootId !== undefined && bootId !== undefined && r.bootId !== bootId) return "dead"; // rebooted since
  try {
    process.kill(r.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return "dead";
  }
  if (r.procStart !== undefined) {
    const start = processStart(r.pid);
    if (start !== undefined && start !== r.procStart) return "dead"; // the pid was reused
  }
  return "alive";
}

/** Creates `path` with O_EXCL and writes `text` durably; false if it exists. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  let written = false;
  try {
    await handle.writeFile(text);
    await handle.sync();
    written = true;
  } finally {
    await handle.close();
    // A half-written file of ours (disk full) would only make others wait for the grace period.
    if (!written) await rm(path, { force: true });
  }
  return true;
}

/** Step 3 of the module doc. True if the lock is now ours; false to start over. */
async function takeOver(path: string, stale: FileState, text: string): Promise<boolean> {
  let mutex: string | undefined;
  for (let k = 0; k < MAX_TAKEOVER_FILES; k++) {
    const candidate = `${path}.takeover.${k}`;
    if (await createExclusive(candidate, text)) {
      mutex = candidate;
      break;
    }
    const other = await readState(candidate);
    if (other === null || judge(other) !== "dead") return false; // another taker is at work
  }
  if (mutex === undefined) {
    throw new DataDirLockError(
      "ERR_DATA_DIR_LOCK_FAILED",
      resolve(path, ".."),
      `cannot lock data dir ${resolve(path, "..")}: ${MAX_TAKEOVER_FILES} abandoned ${LOCK_FILE}.takeover.* files; delete them`,
    );
  }
  try {
    const now = await readState(path);
    if (now === null || !sameState(now, stale)) return false;
    // A complete candidate renamed over the stale file: the lock never exists half-written.
    const next = `${path}.${randomBytes(6).toString("hex")}.new`;
    try {
      if (!(await createExclusive(next, text))) return false;
      await rename(next, path);
    } finally {
      await rm(next, { force: true });
    }
    const mine = await readState(path);
    return mine !== null && mine.raw === text;
  } finally {
    await unlink(mutex).catch(() => {});
  }
}

/**
 * Removes takeover files whose takers died mid-takeover. Called while holding the lock live, so
 * no lock these files guarded is still in place (see the module doc).
 */
async function removeAbandonedTakeovers(dir: string): Promise<void> {
  const prefix = `${LOCK_FILE}.takeover.`;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix)) continue;
    const state = await readState(join(dir, name)).catch(() => null);
    if (state !== null && judge(state) === "dead") await rm(join(dir, name), { force: true });
  }
}

function ownRecord(): LockRecord {
  const record: LockRecord = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    hostname: hostname(),
    nonce: randomBytes(16).toString("hex"),
  };
  const bootId = readBootId();
  const procStart = processStart(process.pid);
  if (bootId !== undefined) record.bootId = bootId;
  if (procStart !== undefined) record.procStart = procStart;
  return record;
}

function readBootId(): string | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Linux: a process's start time in clock ticks since boot, or undefined if unknown. */
function processStart(pid: number): string | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 is "(comm)" and comm may hold spaces and parentheses: count from the last ")".
    // After it come fields 3, 4, …; the start time is field 22.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = fields[22 - 3];
    return start !== undefined && /^\d+$/.test(start) ? start : undefined;
  } catch {
    return undefined;
  }
}
