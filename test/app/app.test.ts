// The App: the one place that assembles a bot and tears down what it opened, in reverse.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { pino } from "pino";
import { createApp } from "../../src/app/app.ts";
import { tempDir } from "../support/cli.ts";

const logger = pino({ level: "silent" });

test("options are checked up front: unknown or bad ones are ERR_APP_OPTION", () => {
  assert.throws(() => createApp({ dataDir: "x", logger, colour: true } as never), { code: "ERR_APP_OPTION", message: 'unknown option "colour"' });
  assert.throws(() => createApp({ dataDir: "x", logger, rpc: { tls: true } } as never), { code: "ERR_APP_OPTION", message: "unknown option rpc.tls" });
  assert.throws(() => createApp({ dataDir: "", logger }), { code: "ERR_APP_OPTION" });
  assert.throws(() => createApp({ dataDir: "x", logger, rpc: { auth: "password" as never } }), { code: "ERR_APP_OPTION" });
  assert.throws(() => createApp({ dataDir: "x", logger, rpc: { port: 70000 } }), { code: "ERR_APP_OPTION", message: "rpc.port must be a whole number from 0 to 65535" });
  assert.throws(() => createApp({ dataDir: "x", logger, cogPaths: [""] }), { code: "ERR_APP_OPTION", message: "cogPaths must be a list of non-empty strings" });
});

test("start opens everything and stop closes it in reverse; stop is safe twice", async (t) => {
  const data = tempDir(t);
  const app = createApp({ dataDir: data, logger, rpc: { enabled: true, port: 0, auth: "token", console: false } });
  t.after(() => app.stop());
  assert.equal(app.state, "new");
  const info = await app.start();
  assert.equal(app.state, "running");
  assert.deepEqual({ ...info, rpcPort: typeof info?.rpcPort }, {
    mode: "console",
    dataDir: data,
    rpcPort: "number",
    consoleUrl: null,
    tokenFile: join(data, "rpc.token"),
    lockFile: join(data, "cogwheel.lock"),
  });
  assert.ok(existsSync(join(data, "rpc.token")) && existsSync(join(data, "cogwheel.lock")));
  const stopping = app.stop();
  assert.equal(app.stop(), stopping);
  await stopping;
  assert.equal(app.state, "stopped");
  assert.equal(existsSync(join(data, "rpc.token")), false);
  assert.equal(existsSync(join(data, "cogwheel.lock")), false);
  await assert.rejects(app.start(), { code: "ERR_APP_BAD_STATE" });
});

test("a start that fails half-way (port in use) rejects with one line and tears down what it opened", async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as AddressInfo).port;
  const data = tempDir(t);
  const app = createApp({ dataDir: data, logger, rpc: { enabled: true, port } });
  await assert.rejects(app.start(), {
    code: "ERR_APP_START",
    message: `port ${port} on 127.0.0.1 is already in use: is another bot running? Choose another port with --rpc-port`,
  });
  assert.equal(app.state, "stopped");
  assert.equal(existsSync(join(data, "cogwheel.lock")), false, "the lock is released");
});

test("stop() during start (a remembered package's setup hangs) ends the start with null, quickly", async (t) => {
  const cogs = tempDir(t);
  const data = tempDir(t);
  mkdirSync(join(cogs, "hang"));
  writeFileSync(join(cogs, "hang", "index.js"), "export function setup() { return new Promise(() => {}); }\n");
  mkdirSync(join(data, "config"), { recursive: true });
  writeFileSync(join(data, "config", "Core.json"), JSON.stringify({ version: 1, global: { packages: ["hang"] } }));
  const app = createApp({ dataDir: data, logger, cogPaths: [cogs], rpc: { enabled: true, port: 0 } });
  const started = app.start();
  await new Promise((r) => setTimeout(r, 300));
  const begun = Date.now();
  await app.stop();
  assert.equal(await started, null);
  assert.ok(Date.now() - begun < 5000);
  assert.equal(existsSync(join(data, "cogwheel.lock")), false);
});

test("stop() right after start() still closes what start() was opening: the lock is released", async (t) => {
  const data = tempDir(t);
  const app = createApp({ dataDir: data, logger });
  const started = app.start();
  await app.stop();
  assert.equal(await started, null);
  assert.equal(existsSync(join(data, "cogwheel.lock")), false);
  const again = createApp({ dataDir: data, logger });
  t.after(() => again.stop());
  assert.notEqual(await again.start(), null);
});
