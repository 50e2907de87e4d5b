import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { openConfigStore, type NamespaceDocument } from "../../src/config/index.ts";
import { tempDir } from "./helpers.ts";

const SCRIPT = fileURLToPath(new URL("./fixtures/crash-writer.ts", import.meta.url));
const ROUNDS = 24;
const PARALLEL = 4;
const PADDING = 256 * 1024;
const WORKERS = 16;

interface Round {
  readonly acked: Map<string, number>;
  readonly tempFilesAtKill: number;
}

/** When to SIGKILL the writer. */
type KillPlan =
  | { readonly msAfterReady: number } // possibly before any member set is acknowledged
  | { readonly msAfterFirstAck: number } // while sets are being acknowledged
  | { readonly atAck: number }; // the instant the N-th set is acknowledged

/** Runs the writer in `dir` and SIGKILLs it as `plan` says. */
function runAndKill(dir: string, plan: KillPlan): Promise<Round> {
  return new Promise((resolve, reject) => {
    const args = ["--import", "tsx", SCRIPT, dir, String(PADDING), String(WORKERS)];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
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
      // Only complete lines count: a line is printed after its set resolved.
      const lines = stdout.split("\n").slice(0, -1);
      const acked = new Map<string, number>();
      for (const line of lines.slice(1)) {
        const match = /^(u\d+) (\d+)$/.exec(line);
        if (match === null) {
          reject(new Error(`unexpected line ${JSON.stringify(line)} from the writer`));
          return;
        }
        acked.set(match[1]!, Number(match[2])); // values per user only grow
      }
      readdir(join(dir, "config")).then(
        (files) => resolve({ acked, tempFilesAtKill: files.filter((f) => f.endsWith(".tmp")).length }),
        reject,
      );
    });
  });
}

const TITLE = "SIGKILL at any moment leaves a complete file holding every acknowledged set";

test(TITLE, { timeout: 60_000 }, async (t) => {
  let totalAcks = 0;
  let roundsWithTempFiles = 0;
  let roundsWithAcks = 0;
  const round = async (i: number) => {
    const dir = await tempDir(t);
    // Vary the moment of the kill.
    const plans: KillPlan[] = [
      { msAfterReady: (i * 7) % 40 },
      { msAfterFirstAck: (i * 13) % 120 },
      { atAck: 1 + ((i * 37) % 400) },
    ];
    const { acked, tempFilesAtKill } = await runAndKill(dir, plans[i % 3]!);
    totalAcks += [...acked.values()].reduce((a, b) => a + b, 0);
    if (acked.size > 0) roundsWithAcks++;
    if (tempFilesAtKill > 0) roundsWithTempFiles++;

    // The file parses as a complete document: never torn, never empty.
    const path = join(dir, "config", "Crash.json");
    const text = await readFile(path, "utf8");
    let document: NamespaceDocument;
    try {
      document = JSON.parse(text) as NamespaceDocument;
    } catch (error) {
      assert.fail(`round ${i}: ${path} does not parse after SIGKILL (${text.length} bytes): ${String(error)}`);
    }
    assert.equal(document.version, 1);
    assert.equal((document.global.padding as string).length, PADDING, `round ${i}: acknowledged padding`);
    for (const [user, n] of acked) {
      const stored = document.member.g?.[user]?.n as number | undefined;
      assert.ok(stored !== undefined && stored >= n, `round ${i}: ${user} acknowledged ${n}, file has ${stored}`);
    }

    // Reopening cleans up temp files and sees the same data.
    const store = await openConfigStore({ dir });
    try {
      assert.deepEqual(
        (await readdir(join(dir, "config"))).filter((f) => f !== "Crash.json"),
        [],
        `round ${i}: temp files removed at open`,
      );
      const members = await store.namespace("Crash", { member: { n: 0 } }).allMembers("g");
      for (const [user, n] of acked) assert.ok((members.get(user)?.n ?? 0) >= n);
    } finally {
      await store.close();
    }
  };
  for (let start = 0; start < ROUNDS; start += PARALLEL) {
    // allSettled: let every child of the batch die before a failure ends the test and
    // its cleanup removes their directories.
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(PARALLEL, ROUNDS - start) }, (_, k) => round(start + k)),
    );
    for (const result of results) if (result.status === "rejected") throw result.reason;
  }
  t.diagnostic(
    `${ROUNDS} kills; ${roundsWithAcks} with acknowledged sets (${totalAcks} in all); ` +
      `${roundsWithTempFiles} left a temp file behind`,
  );
  // By construction 2 rounds in 3 are killed after acknowledgements; checks the harness itself.
  assert.ok(roundsWithAcks >= (2 * ROUNDS) / 3, "kills happened while sets were being acknowledged");
});
