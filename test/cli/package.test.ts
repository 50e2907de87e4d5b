// The published package, tried as a new user would: `npm pack` (which builds dist/ through
// `prepack`), install the tarball into a fresh project, then use it from plain Node, from a
// strict NodeNext TypeScript project that compiles with emit, and through `npx cogwheel`.
//
// Nothing is downloaded. `npm ci` fills npm's cache with the tarballs the lockfile pins but
// not with the registry's package documents, so `npm install --offline <tarball>` alone fails
// (ENOTCACHED): the temp project gets a lockfile made from ours (the same pinned versions),
// and the install runs with --offline against the cache.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, relative, sep } from "node:path";
import { test, type TestContext } from "node:test";
import { promisify } from "node:util";
import { ROOT, tempDir } from "../support/cli.ts";
import { writePackage } from "../support/temp.ts";

const run = promisify(execFile);
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/** The environment of every child: npm's variables of the outer `npm test` removed, offline. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return {
    ...env,
    // The Node running this suite runs npm, npx and the installed bin too.
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
    DISCORD_TOKEN: "",
    npm_config_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    npm_config_yes: "false",
  };
}

async function sh(cmd: string, args: string[], cwd: string, timeout = 30_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(cmd, args, { cwd, env: childEnv(), timeout, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

interface LockEntry {
  version?: string;
  resolved?: string;
  link?: boolean;
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** A consumer's lockfile: our production dependencies and @types/node, as our lockfile pins them. */
/**
 * Our lockfile omits `resolved` (the registry's tarball URL is implied). Offline, npm then fills
 * some entries in from the package document, which `npm ci` does not cache (pg's exact
 * `pgpass: "1.0.5"` was one): naming the tarball makes npm take it from the cache by integrity.
 */
function withResolved(path: string, entry: LockEntry): LockEntry {
  if (entry.resolved !== undefined || entry.link === true || entry.version === undefined) return entry;
  const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
  const base = name.slice(name.lastIndexOf("/") + 1);
  return { ...entry, resolved: `https://registry.npmjs.org/${name}/-/${base}-${entry.version}.tgz` };
}

function consumerLock(name: string, tarballSpec: string): unknown {
  const ours = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown> & {
    devDependencies: Record<string, string>;
  };
  const packages: Record<string, unknown> = {};
  const add = (path: string): void => {
    const entry = ours.packages[path];
    if (entry === undefined || path in packages) return;
    packages[path] = withResolved(path, entry);
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      add(`${path}/node_modules/${dep}` in ours.packages ? `${path}/node_modules/${dep}` : `node_modules/${dep}`);
    }
  };
  for (const [path, entry] of Object.entries(ours.packages)) if (path.startsWith("node_modules/") && entry.dev !== true) add(path);
  add("node_modules/@types/node");
  const root = { name, version: "1.0.0", dependencies: { cogwheel: tarballSpec }, devDependencies: { "@types/node": manifest.devDependencies["@types/node"] } };
  const { version, license, dependencies, bin, engines } = manifest;
  packages["node_modules/cogwheel"] = { version, resolved: tarballSpec, license, dependencies, bin, engines };
  return { name, version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": root, ...packages } };
}

/** `npx cogwheel start …` in its own process group (npx's children go with it). */
function startBot(t: TestContext, cwd: string, args: string[]): { port: Promise<number>; stderr: () => string } {
  const child = spawn("npx", ["cogwheel", "start", ...args], { cwd, env: childEnv(), detached: true, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 20 s\n${stdout}\n${stderr}`)), 20_000);
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /"port":(\d+).*"msg":"RPC server listening on 127\.0\.0\.1"/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`cogwheel start exited (${code})\n${stdout}\n${stderr}`));
    });
  });
  t.after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  });
  return { port, stderr: () => stderr };
}

test("the npm package: packed, installed offline into a fresh project, used from .mjs, NodeNext TypeScript and npx", { timeout: 120_000 }, async (t) => {
  const started = Date.now();
  const work = tempDir(t, "cogwheel-pkg-");
  const packDir = join(work, "pack");
  const project = join(work, "project");
  mkdirSync(packDir);
  mkdirSync(project);

  // Packed from a copy: `prepack` empties and rebuilds dist/, which the other test files,
  // running at the same time, read (the web console in dist/console).
  const source = join(work, "source");
  const skipped = new Set(["node_modules", "dist", ".git", "data"]);
  cpSync(ROOT, source, { recursive: true, filter: (path) => !skipped.has(relative(ROOT, path).split(sep)[0]!) });
  symlinkSync(join(ROOT, "node_modules"), join(source, "node_modules"), "dir");

  let tarball = "";
  await t.test("npm pack builds dist/ and ships no tests, benchmarks, CI files or sources", async () => {
    await sh("npm", ["pack", "--pack-destination", packDir], source, 60_000);
    const [file] = readdirSync(packDir).filter((f) => f.endsWith(".tgz"));
    assert.ok(file !== undefined, "npm pack wrote a tarball");
    tarball = join(packDir, file);
    const files = (await sh("tar", ["-tzf", tarball], work)).stdout.split("\n").filter(Boolean);
    const shipped = (prefix: string) => files.filter((f) => f.startsWith(`package/${prefix}`));
    for (const dir of ["test/", "bench/", ".ci/", "src/", "cogs/", "docs/", "data/"]) assert.deepEqual(shipped(dir), [], `${dir} is not shipped`);
    for (const file of ["bin/cogwheel.js", "package.json", "README.md", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/rpc/index.d.ts", "dist/src/client/index.d.ts", "dist/src/client/node.d.ts", "dist/src/bot/loader-hooks.mjs", "dist/cogs/general/index.js", "dist/cogs/economy/index.js"]) {
      assert.ok(files.includes(`package/${file}`), `${file} is shipped`);
    }
    assert.deepEqual(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), [], "no TypeScript sources");
  });

  await t.test("installs offline into a fresh project", async () => {
    const spec = `file:${relative(project, tarball).split("\\").join("/")}`;
    const lock = consumerLock("consumer", spec) as { packages: { "": Record<string, unknown> } };
    writeFileSync(join(project, "package-lock.json"), JSON.stringify(lock, null, 2));
    // No `allowScripts` and no --ignore-scripts: what a new user has. Nothing the package brings
    // has an install script, so npm 11 has nothing to ask about, and esbuild is not installed.
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module", devDependencies: lock.packages[""].devDependencies }, null, 2));
    const install = await sh("npm", ["install", "--offline", "--no-audit", "--no-fund", spec], project, 60_000);
    assert.doesNotMatch(install.stdout + install.stderr, /allowScripts|install script|esbuild/i);
    assert.equal(existsSync(join(project, "node_modules/esbuild")), false, "esbuild is not a dependency of the installed package");
    const installed = JSON.parse(readFileSync(join(project, "node_modules/cogwheel/package.json"), "utf8")) as { version: string };
    assert.equal(installed.version, (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version);
  });

  await t.test("plain Node: cogwheel/rpc serves on port 0, cogwheel/client/node calls it", async () => {
    writeFileSync(
      join(project, "plain.mjs"),
      `import { createRpcServer } from "cogwheel/rpc";
import { createNodeRpcClient } from "cogwheel/client/node";
import { RpcClient } from "cogwheel/client";
import { Bot } from "cogwheel";
const server = createRpcServer({ port: 0 });
server.methods.register("ADD", (a, b) => a + b);
const { port } = await server.listen();
const client = createNodeRpcClient({ port, dataDir: false });
await client.connect();
const sum = await client.call("ADD", [2, 3]);
await client.close();
await server.close();
console.log(JSON.stringify({ sum, port: port > 0, client: client instanceof RpcClient, bot: typeof Bot }));
`,
    );
    const { stdout } = await sh(process.execPath, ["plain.mjs"], project);
    assert.deepEqual(JSON.parse(stdout), { sum: 5, port: true, client: true, bot: "function" });
  });

  await t.test("TypeScript: a strict NodeNext project compiles with emit against the .d.ts files and runs", async () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, outDir: "out", rootDir: "ts", types: ["node"], skipLibCheck: false },
        include: ["ts"],
      }),
    );
    mkdirSync(join(project, "ts"));
    writeFileSync(
      join(project, "ts", "main.ts"),
      `import { CogLoadError, type PackageScope } from "cogwheel";
import { createRpcServer, type RpcHandler } from "cogwheel/rpc";
import { ErrorCode, RpcCallError, type RpcClient } from "cogwheel/client";
import { createNodeRpcClient } from "cogwheel/client/node";

export async function setup(scope: PackageScope): Promise<void> {
  await scope.addCog({ name: "Typed" });
}
const add: RpcHandler = (a: unknown, b: unknown) => Number(a) + Number(b);
const server = createRpcServer({ port: 0 });
server.methods.register("ADD", add);
const { port } = await server.listen();
const client: RpcClient = createNodeRpcClient({ port, dataDir: false });
await client.connect();
const sum: number = await client.call<number>("ADD", [4, 5]);
const missing = await client.call("NOPE").catch((e: unknown) => e);
await client.close();
await server.close();
console.log(JSON.stringify({ sum, notFound: missing instanceof RpcCallError && missing.code === ErrorCode.MethodNotFound, cogLoadError: new CogLoadError("x") instanceof Error }));
`,
    );
    await sh(process.execPath, [TSC, "-p", "."], project, 60_000);
    const { stdout } = await sh(process.execPath, ["out/main.js"], project);
    assert.deepEqual(JSON.parse(stdout), { sum: 9, notFound: true, cogLoadError: true });
  });

  await t.test("npx cogwheel start --rpc: rpc methods lists CORE__LOAD; the bundled cogs and a TypeScript package load", async (t) => {
    const cogs = join(work, "cogs");
    // A user's package in TypeScript: an enum (which Node's type stripping rejects), a `.js`
    // import of a `.ts` file, and "cogwheel" mapped to the installed framework.
    writePackage(cogs, "hello", {
      "index.ts": `import { PackageScope } from "cogwheel";
import { greet } from "./greet.js";
enum Mood { Happy = "happy" }
export async function setup(bot: PackageScope): Promise<void> {
  const cog = { name: "Hello" };
  await bot.addCog(cog);
  bot.registerRpcHandler(cog, () => greet(Mood.Happy) + " " + (bot instanceof PackageScope), { name: "greet" });
}
`,
      "greet.ts": `export const greet = (mood: string): string => "hello, " + mood;\n`,
    });
    const bot = startBot(t, project, ["--rpc", "--rpc-port", "0", "--data-dir", join(work, "data"), "--cog-path", cogs]);
    const port = String(await bot.port);
    const cli = (...args: string[]) => sh("npx", ["cogwheel", "rpc", ...args, "--port", port], project);
    const methods = (await cli("methods")).stdout.split("\n");
    assert.ok(methods.includes("CORE__LOAD"), methods.join("\n"));
    const loaded = JSON.parse((await cli("call", "CORE__LOAD", '[["general","economy","hello"]]')).stdout) as Record<string, unknown>;
    assert.deepEqual(loaded.loaded_packages, ["general", "economy", "hello"], JSON.stringify(loaded));
    assert.deepEqual(loaded.failed_with_reason_packages, {});
    assert.equal(JSON.parse((await cli("call", "HELLO__GREET")).stdout), "hello, happy true");
    const after = (await cli("methods")).stdout.split("\n");
    assert.ok(after.includes("ECONOMY__BALANCE") && after.includes("HELLO__GREET"), after.join("\n"));
    assert.doesNotMatch(bot.stderr(), /Unknown module format/);
    // The installed package finds its own dist/console (one level deeper than in a checkout).
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.doesNotMatch(bot.stderr(), /web console not served/);
  });

  t.diagnostic(`package test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
