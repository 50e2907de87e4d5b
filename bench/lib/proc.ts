/**
 * Child processes for the benchmark: spawning a TypeScript script pinned to one core (via
 * `taskset -c N`, when available) with the highest file-descriptor limit the shell allows,
 * talking to it over Node's IPC channel, and killing every child we started, always.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A message over IPC: always an object with a `type`. */
export interface Msg {
  type: string;
  [key: string]: unknown;
}

let tasksetChecked: boolean | null = null;

/** True when `taskset -c 0` and `-c 1` both work here (util-linux present, ≥ 2 CPUs allowed). */
export function canPin(): boolean {
  if (tasksetChecked === null) {
    const ok = (core: number): boolean => spawnSync("taskset", ["-c", String(core), "true"], { stdio: "ignore" }).status === 0;
    tasksetChecked = ok(0) && ok(1);
  }
  return tasksetChecked;
}

/** Soft and hard `ulimit -n` a child would get (after our wrapper raises soft to hard). */
export function fdLimits(): { soft: number; hard: number; raised: number } {
  const q = (cmd: string): number => {
    const out = spawnSync("sh", ["-c", cmd], { encoding: "utf8" }).stdout.trim();
    return out === "unlimited" ? Number.POSITIVE_INFINITY : Number(out);
  };
  return { soft: q("ulimit -Sn"), hard: q("ulimit -Hn"), raised: q(RAISE_FD + " ulimit -Sn") };
}

// Raise the soft fd limit to the hard one (no-op if not allowed); children inherit it.
const RAISE_FD = 'ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null;';

const live = new Set<ChildProcess>();

export class Child {
  readonly proc: ChildProcess;
  readonly name: string;
  readonly exited: Promise<number | null>;
  private inbox: Msg[] = [];
  private waiters: Array<{ type: string; resolve: (m: Msg) => void; reject: (e: Error) => void }> = [];
  private exitInfo: string | null = null;

  constructor(name: string, proc: ChildProcess) {
    this.name = name;
    this.proc = proc;
    live.add(proc);
    proc.on("message", (raw: unknown) => {
      const m = raw as Msg;
      if (m && m.type === "fatal") {
        this.failAll(new Error(`${name}: ${String(m.message)}`));
        return;
      }
      const i = this.waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
      else this.inbox.push(m);
    });
    this.exited = new Promise((resolve) => {
      proc.on("exit", (code, signal) => {
        live.delete(proc);
        this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
        this.failAll(new Error(`${name} ${this.exitInfo}`));
        resolve(code);
      });
    });
    proc.on("error", (err) => this.failAll(err));
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  send(msg: Msg): void {
    if (this.alive && this.proc.connected) this.proc.send(msg);
    else throw new Error(`${this.name} is not running (${this.exitInfo ?? "IPC closed"})`);
  }

  /** Next message of this type (queued or future); rejects on timeout, child exit or a `fatal` message. */
  next(type: string, timeoutMs: number): Promise<Msg> {
    const i = this.inbox.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    if (!this.alive) return Promise.reject(new Error(`${this.name} ${this.exitInfo}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const j = this.waiters.indexOf(w);
        if (j >= 0) this.waiters.splice(j, 1);
        reject(new Error(`${this.name}: no "${type}" message within ${timeoutMs} ms`));
      }, timeoutMs);
      const w = {
        type,
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(w);
    });
  }

  /** Sends a command and waits for the reply of the given type. */
  async ask(msg: Msg, replyType: string, timeoutMs: number): Promise<Msg> {
    this.send(msg);
    return this.next(replyType, timeoutMs);
  }

  /** Asks the child to exit, then SIGKILLs it if it has not within `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.alive) return;
    try {
      if (this.proc.connected) this.proc.send({ type: "exit" });
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.alive && this.proc.pid !== undefined) {
      try {
        process.kill(this.proc.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  }

  private failAll(err: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}

export interface SpawnOptions {
  /** Pin to this CPU with taskset (if available); null = unpinned. */
  core: number | null;
  /** Extra node flags, e.g. --expose-gc. */
  nodeFlags?: string[];
  args?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/**
 * Starts `node --import tsx <script>` through `sh` (to raise the fd limit) and `taskset`
 * (to pin), both via exec, so the child's pid is the node process's. stdout/stderr are
 * inherited; IPC is the control channel.
 */
export function spawnScript(name: string, script: string, opts: SpawnOptions): Child {
  const node = [process.execPath, "--import", "tsx", ...(opts.nodeFlags ?? []), script, ...(opts.args ?? [])];
  const cmd = opts.core !== null && canPin() ? ["taskset", "-c", String(opts.core), ...node] : node;
  const proc = spawn("sh", ["-c", `${RAISE_FD} exec "$@"`, "sh", ...cmd], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, NODE_ENV: "production", ...(opts.env ?? {}) },
  });
  return new Child(name, proc);
}

/** SIGKILLs every child this process started that is still running. */
export function killAllChildren(): void {
  for (const proc of live) {
    if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(proc.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  }
  live.clear();
}

/**
 * For scripts run as children: exit when the parent goes away (IPC disconnect) or on
 * SIGTERM/SIGINT, killing our own children first, and report crashes as `fatal`.
 */
export function childLifecycle(onExit?: () => void): void {
  const bye = (code: number): void => {
    try {
      onExit?.();
    } finally {
      killAllChildren();
      process.exit(code);
    }
  };
  process.on("disconnect", () => bye(0));
  process.on("SIGTERM", () => bye(143));
  process.on("SIGINT", () => bye(130));
  const fatal = (err: unknown): void => {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    try {
      process.send?.({ type: "fatal", message });
    } catch {
      /* parent gone */
    }
    process.stderr.write(`${message}\n`);
    bye(1);
  };
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
  process.on("message", (m: unknown) => {
    if ((m as Msg | null)?.type === "exit") bye(0);
  });
}

/** CPU time (user+system, seconds) a process has used, from /proc; NaN if unavailable. */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is state (field 3); utime is field 14, stime field 15 → indexes 11, 12.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

const CLK_TCK = ((): number => {
  const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const n = Number(out.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
