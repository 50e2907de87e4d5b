// `cogwheel dashboard oauth` end to end: a real bot in a child process (token auth), the real CLI
// as further children; the secret goes in on stdin and must come out nowhere but the config file.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type BotProcess, runCli, tempDir } from "../support/cli.ts";

const SECRET = "my-Secret_0123456789abcdefXYZ";

/** Runs the CLI with `input` on its stdin; resolves with what it printed once it exits. */
async function run(proc: BotProcess, input: string, ms = 10000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  proc.child.stdin.end(input);
  let timer: NodeJS.Timeout | undefined;
  const { code } = await Promise.race([
    proc.exited,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the CLI did not exit in time\nstderr: ${proc.stderrText}`)), ms))),
  ]);
  clearTimeout(timer);
  return { code, stdout: proc.stdout.join("\n"), stderr: proc.stderrText };
}

function storedCore(data: string): { secret: string | null; redirectUri: string | null } {
  const file = JSON.parse(readFileSync(join(data, "config", "Dashboard.json"), "utf8"));
  return { secret: file.global.secret ?? null, redirectUri: file.global.redirectUri ?? null };
}

test("cogwheel dashboard oauth: the secret from stdin reaches the config, never argv or any output", { timeout: 60_000 }, async (t) => {
  const data = tempDir(t);
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-auth", "token", "--data-dir", data]);
  const port = String(await bot.rpcPort());
  const cli = (...args: string[]) => runCli(t, ["dashboard", "--port", port, "--data-dir", data, ...args]);

  // The package is not loaded yet: a hint, exit 1.
  const early = await run(cli("oauth"), `${SECRET}\n`);
  assert.equal(early.code, 1);
  assert.match(early.stderr, /load the dashboard package first/);

  const load = await run(runCli(t, ["rpc", "--port", port, "--data-dir", data, "call", "CORE__LOAD", '[["dashboard"]]']), "");
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /"loaded_packages":\["dashboard"\]/);

  const set = await run(cli("oauth", "--redirect-uri", "https://dash.example.com/callback"), `${SECRET}\n`);
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout, "OAuth client secret set (set); redirect URI: https://dash.example.com/callback");
  assert.equal(set.stderr, "", "nothing on stderr: stdin is a pipe, so no prompt");
  assert.deepEqual(storedCore(data), { secret: SECRET, redirectUri: "https://dash.example.com/callback" });

  // Only the redirect: the secret stays.
  const redirect = await run(cli("oauth", "--no-secret", "--redirect-uri", "http://127.0.0.1:42356/callback"), "");
  assert.equal(redirect.code, 0, redirect.stderr);
  assert.equal(redirect.stdout, "OAuth client secret unchanged (set); redirect URI: http://127.0.0.1:42356/callback");
  assert.deepEqual(storedCore(data), { secret: SECRET, redirectUri: "http://127.0.0.1:42356/callback" });

  // Refusals: exit 1, the reason on stderr, the refused secret not echoed, nothing changed.
  const spaced = await run(cli("oauth"), "two words\n");
  assert.equal(spaced.code, 1);
  assert.match(spaced.stderr, /^error -32602: Invalid params .*one word/);
  assert.equal(spaced.stderr.includes("two words"), false);
  const badUri = await run(cli("oauth", "--redirect-uri", "https://dash.example.com/login"), "another-secret\n");
  assert.equal(badUri.code, 1);
  assert.match(badUri.stderr, /ending in \/callback/);
  const empty = await run(cli("oauth"), "\n");
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /no secret on stdin/);
  assert.deepEqual(storedCore(data), { secret: SECRET, redirectUri: "http://127.0.0.1:42356/callback" });

  await bot.stop();
  for (const [who, text] of [
    ["cli", set.stdout + set.stderr + redirect.stdout + redirect.stderr + badUri.stderr],
    ["bot stdout", bot.stdout.join("\n")],
    ["bot stderr (logs)", bot.stderrText],
  ] as const) {
    assert.equal(text.includes(SECRET), false, `the secret is not in the ${who} output`);
  }
});
