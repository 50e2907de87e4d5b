// A foreign client: Python's websocket-client, used the way Red-Dashboard uses it, against the real bot.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { runCli, tempDir } from "../support/cli.ts";
import { requireWebsocketClient, runPython } from "../support/python.ts";

const SCRIPT = fileURLToPath(new URL("./red_dashboard_client.py", import.meta.url));

test("a Red-Dashboard-style Python client (websocket-client, lock-step, id 0) works unchanged", { timeout: 30_000 }, async (t) => {
  requireWebsocketClient();
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", tempDir(t)]);
  const port = await bot.rpcPort();
  const run = await runPython([SCRIPT, String(port)], 10000);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 4);

  const [methods, load, info, unknown] = lines;
  assert.deepEqual(Object.keys(methods), ["jsonrpc", "id", "result"]);
  assert.equal(methods.id, 0);
  assert.deepEqual(methods.result.slice(0, 3), ["GET_METHODS", "GET_METHOD_INFO", "GET_TOPICS"]);
  assert.ok(methods.result.includes("CORE__LOAD"));

  assert.deepEqual(load, {
    jsonrpc: "2.0",
    id: 0,
    result: {
      loaded_packages: ["general"],
      failed_packages: [],
      invalid_pkg_names: [],
      notfound_packages: [],
      alreadyloaded_packages: [],
      failed_with_reason_packages: {},
      repos_with_shared_libs: [],
    },
  });
  assert.equal(info.id, 0);
  assert.match(info.result, /^Loads packages by name\./);
  assert.deepEqual(unknown, { jsonrpc: "2.0", id: 0, error: { code: -32601, message: "Method not found" } });
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});
