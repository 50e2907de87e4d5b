// Runs the real `cogwheel` CLI as a child process, in temp dirs, and reads what it prints.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(ROOT, "src/cli/main.ts");

/** The message of the CLI's one start-up line saying the RPC server takes clients. */
export const LISTENING = "RPC server listening on 127.0.0.1";

export { tempDir } from "./temp.ts";

/** One run of `cogwheel start …` (or any subcommand). */
export class BotProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: string[] = [];
  readonly logs: Array<Record<string, unknown>> = [];
  stderrText = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: Array<() => void> = [];

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, DISCORD_TOKEN: "", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    this.child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split("\n");
      out = lines.pop()!;
      this.stdout.push(...lines);
      this.#wake();
    });
    let err = "";
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderrText += chunk.toString();
      err += chunk.toString();
      const lines = err.split("\n");
      err = lines.pop()!;
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a log line (e.g. a usage error)
        }
      }
      this.#wake();
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => {
      this.#wake();
      resolve({ code, signal });
    }));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until `check` returns something other than undefined, or fails after `ms`. */
  async until<T>(check: () => T | undefined, ms: number, what: string): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}\nstdout: ${this.stdout.join("\n")}\nstderr: ${this.stderrText}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The RPC port, from the start-up log line (written once the RPC server takes clients). */
  rpcPort(ms = 15000): Promise<number> {
    return this.until(() => this.logs.find((l) => l.msg === LISTENING)?.port as number | undefined, ms, "the RPC server");
  }

  /** Types a line on the bot's stdin and returns the next `count` stdout lines it prints. */
  async say(line: string, count = 1, ms = 10000): Promise<string[]> {
    const start = this.stdout.length;
    this.child.stdin.write(`${line}\n`);
    await this.until(() => (this.stdout.length >= start + count ? true : undefined), ms, `a reply to ${line}`);
    return this.stdout.slice(start, start + count);
  }

  /** Sends SIGTERM and waits for the exit. */
  async stop(ms = 15000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      this.exited,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("the bot did not exit in time")), ms))),
    ]);
    clearTimeout(timer);
    return result;
  }
}

/** Starts the CLI; the process is killed when the test ends if still running. */
export function runCli(t: TestContext, args: string[], env?: Record<string, string>): BotProcess {
  const bot = new BotProcess(args, env);
  t.after(() => {
    if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill("SIGKILL");
  });
  return bot;
}
