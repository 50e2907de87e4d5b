// A corrupt or hand-edited Economy.json refuses the economy package's load with a reason that
// names the file (and key), through chat and RPC alike, and the file is left byte for byte.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { type BotProcess, runCli, tempDir } from "../support/cli.ts";
import { connectTo } from "../support/rpc.ts";

/** A data dir whose config/Economy.json holds `text`; returns the dir and the file. */
function dataDirWith(t: TestContext, text: string): { dir: string; file: string } {
  const dir = tempDir(t);
  mkdirSync(join(dir, "config"));
  const file = join(dir, "config", "Economy.json");
  writeFileSync(file, text);
  return { dir, file };
}

/** Starts the bot on `dir`, asks `!load economy` in chat, then CORE__LOAD over RPC; the bot keeps running. */
async function refusals(t: TestContext, dir: string): Promise<{ bot: BotProcess; chat: string; rpc: Record<string, unknown> }> {
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", dir]);
  const client = await connectTo(t, await bot.rpcPort());
  const [chat] = await bot.say("!load economy");
  const loaded = (await client.call("CORE__LOAD", [["economy"]])).result as Record<string, unknown>;
  return { bot, chat: chat!, rpc: loaded };
}

test("a truncated Economy.json: the load fails naming the file, which stays as it was", { timeout: 30_000 }, async (t) => {
  const text = '{"version": 1, "global": {"currency": "gold"}, "member": {"global": {"console": {"bal';
  const { dir, file } = dataDirWith(t, text);
  const { bot, chat, rpc } = await refusals(t, dir);
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
  // The parser's own words differ between Node lines; the file and what to do do not.
  const reason = new RegExp(`^Config file ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid JSON \\(.+\\); fix or remove it by hand, it will not be overwritten$`);
  assert.match(chat, /^Failed to load economy: /);
  assert.match(chat.slice("Failed to load economy: ".length), reason);
  assert.deepEqual(rpc.loaded_packages, []);
  assert.deepEqual(rpc.failed_packages, []);
  assert.deepEqual(Object.keys(rpc.failed_with_reason_packages as object), ["economy"]);
  assert.match((rpc.failed_with_reason_packages as Record<string, string>).economy!, reason);
  assert.equal(readFileSync(file, "utf8"), text);
});

test('a balance of "lots" in Economy.json: the load fails naming the file, the member and the key', { timeout: 30_000 }, async (t) => {
  const text = '{"version": 1, "global": {"currency": "gold"}, "member": {"g1": {"u1": {"balance": "lots", "lastPayday": 0}}}}\n';
  const { dir, file } = dataDirWith(t, text);
  const { bot, chat, rpc } = await refusals(t, dir);
  const reason = `Config file ${file}: member "g1"/"u1" key "balance" is "lots", not a number; fix or remove it by hand, it will not be overwritten`;
  assert.equal(chat, `Failed to load economy: ${reason}`);
  assert.deepEqual(rpc.loaded_packages, []);
  assert.deepEqual(rpc.failed_with_reason_packages, { economy: reason });
  assert.equal(readFileSync(file, "utf8"), text);

  // Fixed by hand, it loads at the next try, without restarting the bot: the file is read again.
  writeFileSync(file, text.replace('"lots"', "7"));
  assert.deepEqual(await bot.say("!load economy"), ["Loaded economy."]);
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});
