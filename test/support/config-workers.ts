// Drives config-worker.ts child processes: each holds its own config store on PostgreSQL, so
// the tests see what several bot processes sharing one database see.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./config-worker.ts", import.meta.url));

/** A failed command: the worker's error code (a ConfigError's, or null) and message. */
export class WorkerError extends Error {
  readonly code: string | null;
  constructor(code: string | null, message: string) {
    super(message);
    this.code = code;
  }
}

/** What a running `loop` printed. */
export interface LoopEvent {
  readonly event: "ack" | "error";
  readonly value?: number;
  readonly code?: string | null;
  readonly message?: string;
}

/** One worker process. */
export class ConfigWorker {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every `loop` event, in order; only complete lines. */
  readonly events: LoopEvent[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #next = 0;
  readonly #waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #onEvent: (() => void) | null = null;

  constructor() {
    this.child = spawn(process.execPath, ["--import", "tsx", SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => (this.stderr += chunk));
    this.child.stdout.setEncoding("utf8");
    let partial = "";
    this.child.stdout.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!; // an unfinished line (a kill can cut one) is never an ack
      for (const line of lines) this.#line(line);
    });
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => {
        for (const { reject } of this.#waiting.values()) reject(new Error(`worker exited (${code ?? signal}):\n${this.stderr}`));
        this.#waiting.clear();
        resolve({ code, signal });
      }),
    );
  }

  #line(line: string): void {
    const message = JSON.parse(line) as { id?: number; ok?: boolean; result?: unknown; code?: string | null; message?: string } & Partial<LoopEvent>;
    if (message.event !== undefined) {
      this.events.push(message as LoopEvent);
      this.#onEvent?.();
      return;
    }
    const waiter = this.#waiting.get(message.id!);
    this.#waiting.delete(message.id!);
    if (message.ok) waiter?.resolve(message.result);
    else waiter?.reject(new WorkerError(message.code ?? null, message.message ?? "?"));
  }

  /** Sends a command and waits for its answer, at most `ms`. */
  call<T = unknown>(op: string, args: Record<string, unknown> = {}, ms = 20_000): Promise<T> {
    const id = ++this.#next;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`worker ${this.child.pid}: no answer to ${op} in ${ms} ms\n${this.stderr}`));
      }, ms);
      this.#waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** Resolves once `check(events)` holds; fails after `ms`. */
  async until(check: (events: readonly LoopEvent[]) => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`worker ${this.child.pid}: timed out waiting for ${what}\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#onEvent = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The acknowledged values, in order. */
  acks(): number[] {
    return this.events.filter((e) => e.event === "ack").map((e) => e.value!);
  }

  /** SIGKILL, and waits for the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/**
 * Starts `count` workers, each with its own store on `url` (application_name `<name>-<i>`
 * when `name` is given). They are killed when the test ends.
 */
export async function startWorkers(t: TestContext, url: string, count: number, name?: string): Promise<ConfigWorker[]> {
  const workers = Array.from({ length: count }, () => new ConfigWorker());
  t.after(() => Promise.all(workers.map((w) => w.kill())));
  await Promise.all(workers.map((w, i) => w.call("open", { url, ...(name === undefined ? {} : { applicationName: `${name}-${i}` }) })));
  return workers;
}
