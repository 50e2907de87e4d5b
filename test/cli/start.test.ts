// `cogwheel start` end to end: the real CLI in a child process, temp dirs, real sockets.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { connectTo } from "../support/rpc.ts";
import { LISTENING, runCli, tempDir } from "../support/cli.ts";
import { writePackage } from "../support/temp.ts";

test("console mode: !ping answers Pong., end of input does not stop the bot, SIGTERM exits 0", async (t) => {
  const data = tempDir(t);
  const bot = runCli(t, ["start", "--data-dir", data]);
  assert.deepEqual(await bot.say("!ping"), ["Pong."]);
  bot.child.stdin.end();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(bot.child.exitCode, null, "the bot kept running after stdin closed");
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
  assert.ok(bot.logs.some((l) => l.msg === "stopped"));
});

test("the seed example: CORE__LOAD with Red's envelope loads general and economy, downloader not found", async (t) => {
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", tempDir(t)]);
  const client = await connectTo(t, await bot.rpcPort());
  client.send({ jsonrpc: "2.0", id: 0, method: "CORE__LOAD", params: { args: [["general", "economy", "downloader"]], kwargs: {} } });
  assert.deepEqual(await client.nextJson(10000), {
    jsonrpc: "2.0",
    id: 0,
    result: {
      loaded_packages: ["general", "economy"],
      failed_packages: [],
      invalid_pkg_names: [],
      notfound_packages: ["downloader"],
      alreadyloaded_packages: [],
      failed_with_reason_packages: {},
      repos_with_shared_libs: [],
    },
  });
  const methods = (await client.call("GET_METHODS")).result as string[];
  assert.ok(methods.includes("ECONOMY__BALANCE"));
  assert.deepEqual((await client.call("CORE__UNLOAD", [["economy", "nope"]])).result, {
    unloaded_packages: ["economy"],
    notloaded_packages: ["nope"],
    unload_errors: {},
  });
  assert.ok(!((await client.call("GET_METHODS")).result as string[]).includes("ECONOMY__BALANCE"));
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});

test("reload runs the edited code from disk, seen at once on an already open connection", async (t) => {
  const cogs = tempDir(t);
  const version = (n: number) => `export const VERSION: number = ${n};\n`;
  writePackage(cogs, "counter", {
    "index.ts": `import { PackageScope, RpcError } from "cogwheel";
import { VERSION } from "./version.ts";
class Counter { readonly name = "Counter"; }
export async function setup(bot: PackageScope) {
  const cog = new Counter();
  await bot.addCog(cog);
  // "cogwheel" from a folder outside the checkout is the running framework itself.
  bot.registerRpcHandler(cog, () => bot instanceof PackageScope, { name: "sameFramework" });
  bot.registerRpcHandler(cog, () => VERSION, { name: "version", doc: "The loaded version." });
  bot.registerRpcHandler(cog, () => { throw new RpcError(-32050, "typed " + VERSION); }, { name: "fail" });
}
`,
    "version.ts": version(1),
  });
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", tempDir(t), "--cog-path", cogs]);
  const client = await connectTo(t, await bot.rpcPort());
  assert.deepEqual((await client.call("CORE__LOAD", [["counter"]])).result.loaded_packages, ["counter"]);
  assert.equal((await client.call("COUNTER__VERSION")).result, 1);
  assert.equal((await client.call("COUNTER__SAME_FRAMEWORK")).result, true);
  assert.deepEqual((await client.call("COUNTER__FAIL")).error, { code: -32050, message: "typed 1" });
  writeFileSync(join(cogs, "counter", "version.ts"), version(2));
  assert.deepEqual((await client.call("CORE__RELOAD", { pkg_names: ["counter"] })).result.loaded_packages, ["counter"]);
  assert.equal((await client.call("COUNTER__VERSION")).result, 2);
  assert.deepEqual((await client.call("COUNTER__FAIL")).error, { code: -32050, message: "typed 2" });
  assert.equal((await client.call("GET_METHOD_INFO", ["counter__version"])).result, "The loaded version.");
  await client.call("CORE__UNLOAD", [["counter"]]);
  assert.equal((await client.call("COUNTER__VERSION")).error.message, "Method not found");
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});

test("a package that throws in setup leaves nothing behind; a CogLoadError is reported with its reason", async (t) => {
  const cogs = tempDir(t);
  writePackage(cogs, "broken", {
    "index.ts": `import type { Bot } from "cogwheel";
class Broken { readonly name = "Broken"; }
export async function setup(bot: Bot) {
  const cog = new Broken();
  await bot.addCog(cog);
  bot.registerRpcHandler(cog, () => 1, { name: "half" });
  bot.registerRpcTopic(cog, "news");
  bot.registerCommand(cog, { name: "brokencmd", help: "x", run: () => "should not exist" });
  bot.on(cog, "message", () => { throw new Error("listener must be gone"); });
  throw new Error("setup failed halfway");
}
`,
  });
  writePackage(cogs, "refuses", {
    "index.js": `import { CogLoadError } from "cogwheel";
export function setup() { throw new CogLoadError("needs a Discord connection"); }
`,
  });
  writePackage(cogs, "nosetup", { "index.js": "export const nothing = 1;\n" });
  writePackage(cogs, "manifest", {
    "package.json": JSON.stringify({ main: "lib/entry.js" }),
    "index.js": "export function setup() { throw new Error('index.js must not be used when main is set'); }\n",
  });
  mkdirSync(join(cogs, "manifest", "lib"));
  writeFileSync(join(cogs, "manifest", "lib", "entry.js"), "export async function setup(bot) { await bot.addCog({ name: 'Manifest' }); }\n");
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", tempDir(t), "--cog-path", cogs]);
  const client = await connectTo(t, await bot.rpcPort());
  const before = (await client.call("GET_METHODS")).result;
  const result = (await client.call("CORE__LOAD", [["broken", "refuses", "nosetup", "bad-name"]])).result;
  assert.deepEqual(result, {
    loaded_packages: [],
    failed_packages: ["broken"],
    invalid_pkg_names: ["bad-name"],
    notfound_packages: [],
    alreadyloaded_packages: [],
    failed_with_reason_packages: {
      refuses: "needs a Discord connection",
      nosetup: "package nosetup does not export a setup(bot) function",
    },
    repos_with_shared_libs: [],
  });
  assert.deepEqual((await client.call("GET_METHODS")).result, before);
  assert.ok(!((await client.call("GET_TOPICS")).result as string[]).includes("BROKEN__NEWS"));
  assert.deepEqual(await bot.say("!brokencmd"), ['Unknown command "brokencmd". Type !help for the list.']);
  assert.ok(!bot.logs.some((l) => l.msg === "event listener failed"), "the listener was removed");
  assert.ok(bot.logs.some((l) => l.msg === "package failed to load; everything it registered was removed" && l.package === "broken"));
  assert.deepEqual((await client.call("CORE__LOAD", [["manifest"]])).result.loaded_packages, ["manifest"], "package.json main is the entry");
  // Nothing was remembered, so a fixed package can load under the same names.
  assert.deepEqual((await client.call("CORE__LOAD", [["broken"]])).result.failed_packages, ["broken"]);
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});

test("a restart remembers loaded packages, prefixes and the name", async (t) => {
  const data = tempDir(t);
  const first = runCli(t, ["start", "--data-dir", data]);
  assert.deepEqual(await first.say("!load general"), ["Loaded general."]);
  assert.deepEqual(await first.say("!set prefix ? ."), ["Prefixes set to ? ."]);
  assert.deepEqual(await first.say("?set name Gearbox"), ["Done. I am now Gearbox."]);
  assert.deepEqual(await first.stop(), { code: 0, signal: null });

  const second = runCli(t, ["start", "--data-dir", data, "--rpc", "--rpc-port", "0"]);
  const client = await connectTo(t, await second.rpcPort());
  assert.match((await second.say(".flip"))[0]!, /^(Heads|Tails)\.$/);
  assert.deepEqual((await client.call("CORE__PREFIXES")).result, ["?", "."]);
  assert.equal((await client.call("CORE__NAME")).result, "Gearbox");
  client.send({ jsonrpc: "2.0", id: "s", method: "SUBSCRIBE", params: ["CORE__PACKAGES"] });
  assert.deepEqual(await client.nextJson(), { jsonrpc: "2.0", id: "s", result: ["CORE__PACKAGES"] });
  assert.deepEqual((await client.nextJson()).params.loaded, ["general"]);
  assert.deepEqual(await second.stop(), { code: 0, signal: null });
});

test("SIGTERM with an RPC client connected: the socket gets 1001 and the process exits 0", async (t) => {
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", tempDir(t)]);
  const client = await connectTo(t, await bot.rpcPort());
  const closed = client.closed(10000);
  const started = Date.now();
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
  assert.equal((await closed).code, 1001);
  assert.ok(Date.now() - started < 5000);
});

test("the shutdown command stops the bot with exit code 0", async (t) => {
  const bot = runCli(t, ["start", "--data-dir", tempDir(t)]);
  assert.deepEqual(await bot.say("!shutdown"), ["Shutting down..."]);
  assert.deepEqual(await bot.exited, { code: 0, signal: null });
});

test("a port in use is one clear line and exit 1", async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", String(port), "--data-dir", tempDir(t)]);
  const exit = await bot.exited;
  assert.equal(exit.code, 1);
  const lines = bot.stderrText.split("\n").filter((l) => l.startsWith("cogwheel:"));
  assert.deepEqual(lines, [
    `cogwheel: port ${port} on 127.0.0.1 is already in use: is another bot running? Choose another port with --rpc-port`,
  ]);
  assert.ok(!bot.stderrText.includes("    at "), "no stack trace");
});

test("bad flags and an unusable data dir are one line and a non-zero exit", async (t) => {
  const file = join(tempDir(t), "a-file");
  writeFileSync(file, "x");
  const cases: Array<[string[], RegExp]> = [
    [["start", "--data-dir", join(file, "sub")], /^cogwheel: cannot use data dir .*a-file\/sub: ENOTDIR$/m],
    [["start", "--rpc-port", "70000"], /argument '70000' is invalid/],
    [["start", "--cog-path", join(file, "nope")], /^cogwheel: --cog-path .* is not a directory$/m],
    [["start", "--bogus"], /unknown option '--bogus'/],
  ];
  for (const [args, expected] of cases) {
    const bot = runCli(t, args);
    const exit = await bot.exited;
    assert.notEqual(exit.code, 0, args.join(" "));
    assert.match(bot.stderrText, expected);
    assert.ok(!bot.stderrText.includes("    at "), `no stack trace for ${args.join(" ")}`);
  }
});

test("--rpc-allow-origin for a file:// page or null is one line saying why it cannot be allowed and what to do, exit 1", async (t) => {
  for (const origin of ["file:///home/me/dashboard.html", "null"]) {
    const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--rpc-allow-origin", origin, "--data-dir", tempDir(t)]);
    assert.equal((await bot.exited).code, 1, origin);
    const lines = bot.stderrText.split("\n").filter((l) => l.startsWith("cogwheel:"));
    assert.deepEqual(lines, [
      `cogwheel: allowed origin ${JSON.stringify(origin)}: file:// pages and sandboxed frames send Origin null, which any web page can send too, so it can never be allowed; serve the page over http://localhost:<port> and allow that origin, or use a non-browser client`,
    ]);
    assert.ok(!bot.stderrText.includes("    at "), "no stack trace");
    assert.ok(!bot.logs.some((l) => l.msg === LISTENING), "the bot did not start");
  }
});

test("SIGKILL during a burst of config writes leaves valid config holding every acknowledged write", async (t) => {
  const data = tempDir(t);
  for (let round = 0; round < 6; round++) {
    const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data]);
    const client = await connectTo(t, await bot.rpcPort());
    await client.call("CORE__LOAD", [["economy"]]);
    const acked = new Map<string, number>();
    client.ws.on("message", (raw: Buffer) => {
      const reply = JSON.parse(raw.toString()) as { id?: string; result?: unknown };
      if (typeof reply.id === "string" && reply.id.startsWith("m")) {
        const [member, value] = reply.id.slice(1).split(":");
        acked.set(member!, Math.max(acked.get(member!) ?? 0, Number(value)));
      }
    });
    let value = round * 100_000;
    const burst = setInterval(() => {
      for (let m = 0; m < 8; m++) {
        value++;
        client.send({ jsonrpc: "2.0", id: `m${m}:${value}`, method: "ECONOMY__SET_BALANCE", params: [String(m), value, "g1"] });
      }
    }, 2);
    await new Promise((r) => setTimeout(r, 250 + (round % 3) * 200));
    bot.child.kill("SIGKILL");
    clearInterval(burst);
    await bot.exited;
    assert.ok(acked.size > 0, "some writes were acknowledged before the kill");
    for (const file of readdirSync(join(data, "config")).filter((f) => f.endsWith(".json"))) {
      JSON.parse(readFileSync(join(data, "config", file), "utf8")); // throws if torn
    }
    const economy = JSON.parse(readFileSync(join(data, "config", "Economy.json"), "utf8")) as {
      member: Record<string, Record<string, { balance: number }>>;
    };
    for (const [member, value] of acked) {
      assert.ok(economy.member.g1![member]!.balance >= value, `member ${member}: acknowledged ${value}, stored ${economy.member.g1![member]!.balance}`);
    }
  }
  // And the bot starts again on that data, with economy remembered.
  const bot = runCli(t, ["start", "--rpc", "--rpc-port", "0", "--data-dir", data]);
  const client = await connectTo(t, await bot.rpcPort());
  assert.ok(((await client.call("GET_METHODS")).result as string[]).includes("ECONOMY__BALANCE"));
  assert.deepEqual(await bot.stop(), { code: 0, signal: null });
});

test("contradictory or empty flags of start are one line and exit 1, before anything starts", { timeout: 30_000 }, async (t) => {
  const data = tempDir(t);
  const cases: Array<[string[], string]> = [
    [["--rpc-auth", "token"], "--rpc-auth has no effect without --rpc (add --rpc to run the RPC server)"],
    [["--rpc-port", "0"], "--rpc-port has no effect without --rpc (add --rpc to run the RPC server)"],
    [["--rpc-allow-origin", "http://localhost:8080", "--rpc-auth", "none"], "--rpc-allow-origin, --rpc-auth have no effect without --rpc (add --rpc to run the RPC server)"],
    [["--token", ""], "--token must not be empty"],
    [["--token", "  "], "--token must not be empty"],
    [["--prefix", "!", "--prefix", ""], "--prefix must not be empty"],
    [["--owner", ""], "--owner must not be empty"],
    [["--cog-path", ""], "--cog-path must not be empty"],
    [["--data-dir", " "], "--data-dir must not be empty"],
  ];
  for (const [args, line] of cases) {
    const bot = runCli(t, ["start", "--data-dir", data, ...args]);
    const exit = await Promise.race([bot.exited, new Promise<{ code: string }>((r) => setTimeout(() => r({ code: "still running" }), 5000))]);
    assert.equal(exit.code, 1, args.join(" "));
    assert.equal(bot.stderrText, `cogwheel: ${line}\n`, args.join(" "));
    assert.deepEqual(bot.stdout, [], "nothing started");
  }
});
