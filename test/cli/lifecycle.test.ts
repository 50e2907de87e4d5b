// Issue 9's shutdown scenarios through the real CLI: whatever a package does, SIGINT and SIGTERM
// end the process within 10 s with exit 0, and nothing is loaded after the signal.
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { connectTo } from "../support/rpc.ts";
import { runCli, tempDir } from "../support/cli.ts";
import { writePackage } from "../support/temp.ts";

test("scenario 2: SIGINT with a package whose cogUnload and teardown never resolve exits 0 within 10 s", { timeout: 40_000 }, async (t) => {
  const cogs = tempDir(t);
  writePackage(cogs, "stuck", { "index.js": `export async function setup(bot) {
  await bot.addCog({ name: "Stuck", cogUnload: () => new Promise(() => {}) });
}
export function teardown() { return new Promise(() => {}); }
` });
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", tempDir(t), "--cog-path", cogs]);
  const client = await connectTo(t, await bot.rpcPort());
  assert.deepEqual((await client.call("CORE__LOAD", [["stuck"]])).result.loaded_packages, ["stuck"]);
  const started = Date.now();
  bot.child.kill("SIGINT");
  const exit = await bot.until(() => (bot.child.exitCode === null ? undefined : bot.child.exitCode), 12_000, "the exit");
  assert.equal(exit, 0, bot.stderrText);
  const took = Date.now() - started;
  assert.ok(took < 10_000, `took ${took} ms`);
});

test("scenario 3: SIGTERM while a remembered package's setup hangs exits 0 within 10 s and loads nothing after the signal", { timeout: 60_000 }, async (t) => {
  const cogs = tempDir(t);
  const data = tempDir(t);
  const marks = tempDir(t);
  // "hang" hangs once marks/hang exists; "after" records that its setup ran.
  writePackage(cogs, "hang", { "index.js": `import { existsSync, writeFileSync } from "node:fs";
export async function setup(bot) {
  if (existsSync(${JSON.stringify(join(marks, "hang"))})) {
    writeFileSync(${JSON.stringify(join(marks, "hanging"))}, "");
    await new Promise(() => {});
  }
  await bot.addCog({ name: "Hang" });
}
` });
  writePackage(cogs, "after", { "index.js": `import { writeFileSync } from "node:fs";
export async function setup(bot) {
  writeFileSync(${JSON.stringify(join(marks, "after"))}, String(process.pid));
  await bot.addCog({ name: "After" });
}
` });
  const first = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data, "--cog-path", cogs]);
  const client = await connectTo(t, await first.rpcPort());
  assert.deepEqual((await client.call("CORE__LOAD", [["hang", "after"]])).result.loaded_packages, ["hang", "after"]);
  assert.deepEqual(await first.stop(), { code: 0, signal: null });

  writeFileSync(join(marks, "hang"), "");
  const second = runCli(t, ["start", "--data-dir", data, "--cog-path", cogs]);
  await second.until(() => (existsSync(join(marks, "hanging")) ? true : undefined), 15_000, "the hanging setup");
  const afterBefore = existsSync(join(marks, "after")) ? "present" : "absent";
  const started = Date.now();
  assert.deepEqual(await second.stop(12_000), { code: 0, signal: null });
  const took = Date.now() - started;
  assert.ok(took < 10_000, `took ${took} ms`);
  // "after" ran in the first process only: the second never got to it.
  assert.equal(afterBefore, "present");
  const { readFileSync } = await import("node:fs");
  assert.notEqual(readFileSync(join(marks, "after"), "utf8"), String(second.child.pid));
});
