// `cogwheel rpc call` keeps Discord ids exact, both ways: a real bot in a child process with a
// package whose method echoes its arguments, and the real CLI as another child.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../support/cli.ts";

test("cogwheel rpc call X '[123456789012345678]' sends and prints the exact digits", { timeout: 30_000 }, async (t) => {
  const cogs = tempDir(t);
  mkdirSync(join(cogs, "probe"));
  writeFileSync(
    join(cogs, "probe", "index.ts"),
    `import type { PackageScope } from "cogwheel";
export async function setup(bot: PackageScope) {
  const cog = { name: "Probe" };
  await bot.addCog(cog);
  bot.registerRpcHandler(cog, (...args: unknown[]) => args.map((a) => [typeof a, a]), { name: "echo" });
}
`,
  );
  const data = tempDir(t);
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data, "--cog-path", cogs]);
  const port = String(await bot.rpcPort());
  const call = async (...args: string[]): Promise<{ code: number | null; stdout: string[]; stderr: string }> => {
    const cli = runCli(t, ["rpc", "--port", port, "--data-dir", data, "call", ...args]);
    const { code } = await cli.exited;
    return { code, stdout: cli.stdout, stderr: cli.stderrText };
  };
  assert.equal((await call("CORE__LOAD", '[["probe"]]')).code, 0);
  const echoed = await call("PROBE__ECHO", "[123456789012345678, -81384788765712384, 42]");
  assert.equal(echoed.code, 0, echoed.stderr);
  assert.deepEqual(echoed.stdout, ['[["bigint",123456789012345678],["bigint",-81384788765712384],["number",42]]']);
});
