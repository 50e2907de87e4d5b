// `cogwheel rpc …` end to end: a real bot in a child process, the real CLI as further children.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { type BotProcess, runCli, tempDir } from "../support/cli.ts";
import { bundledPackages } from "../support/packages.ts";

/** Waits for a CLI child to exit (bounded) and returns what it printed. */
async function finished(proc: BotProcess, ms = 10000): Promise<{ code: number | null; stdout: string[]; stderr: string }> {
  let timer: NodeJS.Timeout | undefined;
  const { code } = await Promise.race([
    proc.exited,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the CLI did not exit in time\nstdout: ${proc.stdout.join("\n")}\nstderr: ${proc.stderrText}`)), ms))),
  ]);
  clearTimeout(timer);
  return { code, stdout: proc.stdout, stderr: proc.stderrText };
}

test("cogwheel rpc against a running bot", { timeout: 30_000 }, async (t) => {
  const data = tempDir(t);
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data]);
  const port = String(await bot.rpcPort());
  const rpc = (...args: string[]) => runCli(t, ["rpc", "--port", port, "--data-dir", data, ...args]);

  await t.test("methods: one name per line; --json: one JSON array; info: the doc; errors: exit 1 with the code on stderr", async () => {
    const [text, json, info, typed, unknown, options] = await Promise.all([
      finished(rpc("methods")),
      finished(rpc("methods", "--json")),
      finished(rpc("info", "core__load")),
      finished(rpc("call", "CORE__LOAD", '["general"]')),
      finished(rpc("call", "NO_SUCH_METHOD")),
      // rpc's options also work after the subcommand
      finished(runCli(t, ["rpc", "methods", "--port", port, "--timeout", "5000"])),
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.deepEqual(text.stdout.slice(0, 8), ["GET_METHODS", "GET_METHOD_INFO", "GET_TOPICS", "GET_TOPIC", "GET_SUBSCRIPTIONS", "SUBSCRIBE", "UNSUBSCRIBE", "rpc.discover"]);
    assert.ok(text.stdout.includes("CORE__LOAD"));
    assert.equal(text.stderr, "");

    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stdout.length, 1, "compact JSON when stdout is not a terminal");
    assert.deepEqual(JSON.parse(json.stdout[0]!), text.stdout);

    assert.equal(info.code, 0, info.stderr);
    assert.deepEqual(info.stdout, [
      "Loads packages by name. Returns {loaded_packages, failed_packages, invalid_pkg_names, notfound_packages, alreadyloaded_packages, failed_with_reason_packages, repos_with_shared_libs}.",
    ]);

    // A JSON array is the params as is: here pkg_names = "general", which Core refuses.
    assert.equal(typed.code, 1);
    assert.deepEqual(typed.stdout, []);
    assert.equal(typed.stderr, 'error -32602: Invalid params {"errors":[{"path":"/pkg_names","message":"must be array"}]}\n');

    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, "error -32601: Method not found\n");

    assert.equal(options.code, 0, options.stderr);
    assert.deepEqual(options.stdout, text.stdout);
  });

  await t.test("subscribe prints each push as one JSON line, call sends JSON params or plain words, SIGINT exits 0", async () => {
    const sub = rpc("subscribe", "core__packages", "CORE__STATUS");
    await sub.until(() => (sub.stdout.length >= 2 ? true : undefined), 10000, "the stored states");
    assert.deepEqual(sub.stdout.map((l) => JSON.parse(l).topic).sort(), ["CORE__PACKAGES", "CORE__STATUS"]);
    assert.deepEqual(JSON.parse(sub.stdout.find((l) => l.includes("CORE__PACKAGES"))!), {
      topic: "CORE__PACKAGES",
      data: { loaded: [], failed: {}, available: bundledPackages() },
    });

    const load = await finished(rpc("call", "CORE__LOAD", '[["general"]]'));
    assert.equal(load.code, 0, load.stderr);
    assert.deepEqual(JSON.parse(load.stdout[0]!).loaded_packages, ["general"]);
    const named = await finished(rpc("call", "core__load", '{"pkg_names": ["general"]}'));
    assert.deepEqual(JSON.parse(named.stdout[0]!).alreadyloaded_packages, ["general"]);

    const words = await finished(rpc("call", "CORE__NAME", "Robo"));
    assert.equal(words.code, 0, words.stderr);
    assert.deepEqual(words.stdout, ['"Robo"']);

    const pushed = () =>
      sub.stdout.includes(JSON.stringify({ topic: "CORE__PACKAGES", data: { loaded: ["general"], failed: {}, available: bundledPackages() } })) &&
      sub.stdout.some((l) => l.startsWith('{"topic":"CORE__STATUS","data":{"name":"Robo"'));
    await sub.until(() => (pushed() ? true : undefined), 10000, "the pushes of the load and the rename");
    for (const line of sub.stdout) assert.deepEqual(Object.keys(JSON.parse(line)), ["topic", "data"]);
    sub.child.kill("SIGINT");
    const done = await finished(sub);
    assert.equal(done.code, 0);
    assert.equal(done.stderr, "");
  });

  await t.test("a reader that goes away (| head -1) ends methods and subscribe quietly with exit 0", async () => {
    // Our end of the pipe closed before the CLI writes: each of its writes meets EPIPE.
    const methods = rpc("methods");
    methods.child.stdout.destroy();
    // subscribe: the reader takes the first line and leaves; the next push meets EPIPE.
    const sub = rpc("subscribe", "CORE__STATUS");
    await sub.until(() => (sub.stdout.length >= 1 ? true : undefined), 10000, "the stored state");
    sub.child.stdout.destroy();
    const renamed = await finished(rpc("call", "CORE__NAME", "Piped"));
    assert.equal(renamed.code, 0, renamed.stderr);
    for (const run of [await finished(methods), await finished(sub)]) {
      assert.equal(run.stderr, "");
      assert.equal(run.code, 0);
    }
  });

  await t.test("rpc call with a word that starts like JSON but does not parse: one line, exit 1, nothing sent", async () => {
    for (const word of ['{"name": "Robo"', "[1, 2"]) {
      const run = await finished(rpc("call", "CORE__NAME", word));
      assert.equal(run.code, 1, word);
      assert.deepEqual(run.stdout, []);
      assert.equal(run.stderr, `cogwheel rpc: PARAMS ${word} starts with ${word[0]} but is not valid JSON; to send it as text, quote it as a JSON string\n`);
    }
    const name = await finished(rpc("call", "CORE__NAME"));
    assert.deepEqual(name.stdout, ['"Piped"'], "the name did not change");
  });

  await t.test("subscribe exits 2 with one line when the bot goes away", async () => {
    const sub = rpc("subscribe", "CORE__STATUS");
    await sub.until(() => (sub.stdout.length >= 1 ? true : undefined), 10000, "the stored state");
    assert.deepEqual(await bot.stop(), { code: 0, signal: null });
    const done = await finished(sub);
    assert.equal(done.code, 2);
    assert.equal(done.stderr, `cogwheel rpc: the connection to ws://127.0.0.1:${port}/ closed (code 1001: server shutting down)\n`);
  });
});

test("token auth: cogwheel rpc finds the token in --data-dir; without it, exit 2 with the 401 and a hint", { timeout: 30_000 }, async (t) => {
  const data = tempDir(t);
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-auth", "token", "--data-dir", data]);
  const port = String(await bot.rpcPort());
  const other = tempDir(t);
  const [ok, refused] = await Promise.all([
    finished(runCli(t, ["rpc", "--port", port, "--data-dir", data, "call", "CORE__NAME"])),
    finished(runCli(t, ["rpc", "--port", port, "--data-dir", other, "methods"])),
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.length, 1);
  assert.equal(refused.code, 2);
  assert.deepEqual(refused.stdout, []);
  assert.equal(
    refused.stderr,
    `cogwheel rpc: could not connect to ws://127.0.0.1:${port}/: Unexpected server response: 401: the bot wants its RPC token: is --data-dir (${other}) the bot's data dir, with a readable rpc.token?\n`,
  );
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});

test("connection failure: exit 2 and one line with the hint, never a stack trace", { timeout: 30_000 }, async (t) => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const [byPort, byUrl] = await Promise.all([
    finished(runCli(t, ["rpc", "--port", String(port), "call", "GET_METHODS"])),
    finished(runCli(t, ["rpc", "--url", `ws://127.0.0.1:${port}/`, "methods"])),
  ]);
  for (const run of [byPort, byUrl]) {
    assert.equal(run.code, 2);
    assert.deepEqual(run.stdout, []);
    assert.equal(
      run.stderr,
      `cogwheel rpc: could not connect to ws://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}: is the bot running with --rpc? on port ${port}?\n`,
    );
  }
});

test("rpc call PARAMS: a JSON array or object as is, a quoted JSON string as one argument, other words as strings", async () => {
  const { parseCallParams } = await import("../../src/cli/rpc.ts");
  assert.deepEqual(parseCallParams([]), undefined);
  assert.deepEqual(parseCallParams(['[["general"]]']), [["general"]]);
  assert.deepEqual(parseCallParams(['{"name":"x"}']), { name: "x" });
  assert.deepEqual(parseCallParams(['"two words"']), ["two words"]);
  assert.deepEqual(parseCallParams(["42"]), ["42"]);
  assert.deepEqual(parseCallParams(["general", "economy"]), ["general", "economy"]);
  assert.throws(() => parseCallParams(['{"name": "Robo"']), { name: "CallParamsError" });
  assert.deepEqual(parseCallParams(["{a", "b"]), ["{a", "b"], "several words are always words");
});
