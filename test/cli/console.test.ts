// `cogwheel start --rpc` serves the web console (built by `npm run build:console`, which
// `npm test` runs first); `--rpc-console off` turns it off.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { HELP_TEXT } from "../../src/rpc/http-reply.ts";
import { LISTENING, ROOT, runCli, tempDir } from "../support/cli.ts";
import { connectTo } from "../support/rpc.ts";

function get(port: number, path: string): Promise<{ status: number; type: string | undefined; csp: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], csp: res.headers["content-security-policy"] as string | undefined, body }));
    });
    req.setTimeout(2000, () => req.destroy(new Error("no answer in time")));
    req.on("error", reject);
    req.end();
  });
}

test("start --rpc serves the console at / and says where in the listening line; the RPC still works", async (t) => {
  assert.ok(existsSync(join(ROOT, "dist", "console", "index.html")), "npm test builds the console first (npm run build:console)");
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", tempDir(t)]);
  const port = await bot.rpcPort();
  const line = bot.logs.find((l) => l.msg === LISTENING)!;
  assert.equal(line.console, `http://127.0.0.1:${port}/`);
  const page = await get(port, "/");
  assert.equal(page.status, 200);
  assert.equal(page.type, "text/html; charset=utf-8");
  assert.match(page.csp ?? "", /^default-src 'none'; script-src 'self';/);
  assert.match(page.body, /<html/i);
  const client = await connectTo(t, port);
  assert.equal((await client.call("CORE__NAME")).result, "Cogwheel");
  // `cogwheel console` prints the checked address, nothing else.
  const printer = runCli(t, ["console", "--port", String(port)]);
  assert.equal((await printer.exited).code, 0);
  assert.deepEqual([printer.stdout, printer.stderrText], [[`http://127.0.0.1:${port}/`], ""]);
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
  // Once the bot is gone: one line, exit 2.
  const none = runCli(t, ["console", "--port", String(port)]);
  assert.equal((await none.exited).code, 2);
  assert.equal(none.stderrText, `cogwheel console: nothing answers on 127.0.0.1:${port} (ECONNREFUSED): start the bot with --rpc, or give its --port\n`);
});

test("start --rpc --rpc-console off: GET / is the 426 help text and the listening line names no console", async (t) => {
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-console", "off", "--data-dir", tempDir(t)]);
  const port = await bot.rpcPort();
  assert.equal(bot.logs.find((l) => l.msg === LISTENING)!.console, undefined);
  const answer = await get(port, "/");
  assert.equal(answer.status, 426);
  assert.equal(answer.body, `${HELP_TEXT}\n`);
  const printer = runCli(t, ["console", "--port", String(port)]);
  assert.equal((await printer.exited).code, 1);
  assert.deepEqual(printer.stdout, []);
  assert.equal(printer.stderrText, `cogwheel console: the bot on port ${port} serves no console: it runs with --rpc-console off, or its console is not built (npm run build:console)\n`);
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});

test("a bad --rpc-console value, or the flag without --rpc, is one line and exit 1", async (t) => {
  const data = tempDir(t);
  const cases: Array<[string[], string]> = [
    [["--rpc", "--rpc-console", "maybe"], '--rpc-console must be on or off, got "maybe"'],
    [["--rpc", "--rpc-console", "OFF"], '--rpc-console must be on or off, got "OFF"'],
    [["--rpc-console", "off"], "--rpc-console has no effect without --rpc (add --rpc to run the RPC server)"],
  ];
  for (const [args, line] of cases) {
    const bot = runCli(t, ["start", "--data-dir", data, ...args]);
    const exit = await Promise.race([bot.exited, new Promise<{ code: string }>((r) => setTimeout(() => r({ code: "still running" }), 5000))]);
    assert.equal(exit.code, 1, args.join(" "));
    assert.equal(bot.stderrText, `cogwheel: ${line}\n`, args.join(" "));
  }
});
