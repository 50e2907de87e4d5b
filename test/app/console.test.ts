// The App serves the web console on the RPC port (DESIGN §8) when it is built and not turned
// off; the server itself knows nothing of consoles (test/rpc/static.test.ts).
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { pino } from "pino";
import { createApp, type App } from "../../src/app/app.ts";
import { CONSOLE_ASSETS_DIR, packageRoot } from "../../src/app/console-assets.ts";
import type { AppOptions } from "../../src/app/options.ts";
import { HELP_TEXT } from "../../src/rpc/http-reply.ts";
import { ROOT, tempDir } from "../support/cli.ts";
import { connectTo } from "../support/rpc.ts";

const PAGE = "<!doctype html><title>Cogwheel console (test build)</title>\n";

/** A pino logger writing into an array, to read the warning lines. */
function recordingPino(): { logger: AppOptions["logger"]; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/** A console build of our own, so these tests do not depend on `npm run build:console`. */
function fakeConsole(t: TestContext): string {
  const dir = join(tempDir(t), "console");
  mkdirSync(dir);
  writeFileSync(join(dir, "index.html"), PAGE);
  writeFileSync(join(dir, "app.js"), "export {};\n");
  return dir;
}

async function started(t: TestContext, options: Omit<AppOptions, "dataDir">): Promise<{ app: App; port: number; consoleUrl: string | null }> {
  const app = createApp({ dataDir: tempDir(t), ...options });
  t.after(() => app.stop());
  const info = await app.start();
  assert.ok(info !== null && info.rpcPort !== null);
  return { app, port: info.rpcPort, consoleUrl: info.consoleUrl };
}

function get(port: number, path: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], body }));
    });
    req.setTimeout(2000, () => req.destroy(new Error("no answer in time")));
    req.on("error", reject);
    req.end();
  });
}

test("the console's folder is <package root>/dist/console, found from the module whether run from src/ or dist/src/", () => {
  assert.equal(packageRoot(), ROOT.replace(/\/$/, ""));
  assert.equal(CONSOLE_ASSETS_DIR, join(ROOT, "dist", "console"));
  assert.equal(packageRoot(join(ROOT, "dist", "src", "app")), ROOT.replace(/\/$/, ""), "the installed layout finds the same root");
  assert.equal(packageRoot("/"), null);
});

test("rpc.console is validated: a boolean, and consoleDir an absolute path", () => {
  const { logger } = recordingPino();
  assert.throws(() => createApp({ dataDir: "x", logger, rpc: { console: "off" as never } }), { code: "ERR_APP_OPTION", message: "rpc.console must be true or false" });
  assert.throws(() => createApp({ dataDir: "x", logger, rpc: { consoleDir: "dist/console" } }), { code: "ERR_APP_OPTION", message: "rpc.consoleDir must be an absolute path" });
});

test("with the RPC server on, the console is served by default: GET / is the page, the WebSocket still works", async (t) => {
  const { logger, lines } = recordingPino();
  const { port, consoleUrl } = await started(t, { logger, rpc: { enabled: true, port: 0, consoleDir: fakeConsole(t) } });
  assert.equal(consoleUrl, `http://127.0.0.1:${port}/`);
  const page = await get(port, "/");
  assert.deepEqual(page, { status: 200, type: "text/html; charset=utf-8", body: PAGE });
  assert.equal((await get(port, "/app.js")).type, "text/javascript; charset=utf-8");
  const client = await connectTo(t, port);
  assert.equal((await client.call("CORE__NAME")).result, "Cogwheel");
  assert.deepEqual(lines.filter((l) => l.level === 40), [], "no warning");
});

test("rpc.console false: plain HTTP gets the 426 help text, and no console URL is reported", async (t) => {
  const { logger } = recordingPino();
  const { port, consoleUrl } = await started(t, { logger, rpc: { enabled: true, port: 0, console: false, consoleDir: fakeConsole(t) } });
  assert.equal(consoleUrl, null);
  assert.deepEqual(await get(port, "/"), { status: 426, type: "text/plain; charset=utf-8", body: `${HELP_TEXT}\n` });
});

test("a console that was not built: one warning naming npm run build:console, the bot runs without it", async (t) => {
  const { logger, lines } = recordingPino();
  const missing = join(tempDir(t), "not-built");
  const { port, consoleUrl } = await started(t, { logger, rpc: { enabled: true, port: 0, consoleDir: missing } });
  assert.equal(consoleUrl, null);
  const warnings = lines.filter((l) => l.level === 40);
  assert.equal(warnings.length, 1);
  assert.equal(
    warnings[0]!.msg,
    `web console not served: ${missing}/index.html is missing; run \`npm run build:console\` (or start with --rpc-console off)`,
  );
  assert.equal((await get(port, "/")).status, 426);
  const client = await connectTo(t, port);
  assert.equal((await client.call("CORE__NAME")).result, "Cogwheel");
});

test("without the RPC server nothing about the console is checked or logged", async (t) => {
  const { logger, lines } = recordingPino();
  const app = createApp({ dataDir: tempDir(t), logger, rpc: { consoleDir: join(tempDir(t), "not-built") } });
  t.after(() => app.stop());
  const info = await app.start();
  assert.equal(info?.consoleUrl, null);
  assert.deepEqual(lines.filter((l) => l.level === 40), []);
});
