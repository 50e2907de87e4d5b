/** Shared by the crash tests: run a writer child process and SIGKILL it at a chosen moment. */
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** What a killed writer left: its acknowledgements, and the temp files in `<dir>/config` at the kill. */
export interface Round {
  /** Per name, the last number the writer printed ("<name> <n>" lines after "ready"). */
  readonly acked: Map<string, number>;
  readonly tempFilesAtKill: number;
}

/** When to SIGKILL the writer. */
export type KillPlan =
  | { readonly msAfterReady: number } // possibly before anything is acknowledged
  | { readonly msAfterFirstAck: number } // while changes are being acknowledged
  | { readonly atAck: number }; // the instant the N-th change is acknowledged

/**
 * Runs `node --import tsx <script> <dir> ...args` and SIGKILLs it as `plan` says. The
 * writer prints "ready", then one "<name> <n>" line per acknowledged (durable) change.
 *
 * @param script - the writer's path
 * @param dir - its data directory (its first argument)
 * @param args - its further arguments
 * @param plan - when to kill it
 * @returns what it acknowledged before the kill
 */
export function runAndKill(script: string, dir: string, args: readonly string[], plan: KillPlan): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, dir, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let ready = false;
    let acks = 0;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      child.kill("SIGKILL");
    };
    const guard = setTimeout(kill, 10_000); // never hang the test
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (stderr += chunk));
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      const before = acks;
      acks += chunk.split("\n").length - 1; // the first line is "ready"
      if (!ready && stdout.includes("ready\n")) {
        ready = true;
        if ("msAfterReady" in plan) setTimeout(kill, plan.msAfterReady);
      }
      if ("msAfterFirstAck" in plan && before <= 1 && acks > 1) setTimeout(kill, plan.msAfterFirstAck);
      if ("atAck" in plan && acks - 1 >= plan.atAck) kill();
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      if (signal !== "SIGKILL") {
        reject(new Error(`writer ended by itself (code ${code}, signal ${signal}):\n${stderr}`));
        return;
      }
      if (!ready) {
        reject(new Error(`writer killed before it was ready (too slow?):\n${stderr}`));
        return;
      }
      // Only complete lines count: a line is printed after its change resolved.
      const lines = stdout.split("\n").slice(0, -1);
      const acked = new Map<string, number>();
      for (const line of lines.slice(1)) {
        const match = /^(\S+) (\d+)$/.exec(line);
        if (match === null) {
          reject(new Error(`unexpected line ${JSON.stringify(line)} from the writer`));
          return;
        }
        acked.set(match[1]!, Number(match[2])); // numbers per name only grow
      }
      readdir(join(dir, "config")).then(
        (files) => resolve({ acked, tempFilesAtKill: files.filter((f) => f.endsWith(".tmp")).length }),
        reject,
      );
    });
  });
}

/**
 * Runs `rounds` kill rounds, `parallel` at a time. allSettled: every child of a batch dies
 * before a failure ends the test and its cleanup removes their directories.
 */
export async function inBatches(rounds: number, parallel: number, round: (i: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < rounds; start += parallel) {
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(parallel, rounds - start) }, (_, k) => round(start + k)),
    );
    for (const result of results) if (result.status === "rejected") throw result.reason;
  }
}
