// Runs Debian's Python 3 for the foreign-client tests (websocket-client, as Red-Dashboard uses it).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian's python3-websocket is installed for Debian's own interpreter, not for a pyenv/venv one earlier on PATH. */
export const PYTHON = process.env.COGWHEEL_PYTHON || (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

/** Fails the test, with how to fix it, when PYTHON cannot import websocket-client. */
export function requireWebsocketClient(): void {
  const probe = spawnSync(PYTHON, ["-c", "import websocket"], { encoding: "utf8", timeout: 10000 });
  if (probe.status !== 0) {
    assert.fail(`${PYTHON} cannot import websocket: install Debian's python3-websocket (apt-get install python3-websocket; .ci/run does it)\n${probe.stderr ?? probe.error}`);
  }
}

/** Runs PYTHON with `args`; killed and rejected after `ms`. */
export function runPython(args: string[], ms: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`python did not finish within ${ms} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, ms);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
