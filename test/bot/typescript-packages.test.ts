// Packages written in TypeScript load with no build step, the same way on every Node line:
// enums (which Node's own type stripping rejects), a package folder under node_modules/ (which
// Node's type stripping refuses), `./x.js` imports of `.ts` files, type-only imports without
// `type`, and a `"type": "commonjs"` package.json above the package files.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import type { Bot } from "../../src/bot/bot.ts";
import { createBot } from "../../src/app/create-bot.ts";
import { COGS, fakeAdapter, say } from "../support/bot.ts";
import { bundledPackages } from "../support/packages.ts";
import { connect, recordingLogger } from "../support/rpc.ts";
import { tempDir as temp, writePackage as pkg } from "../support/temp.ts";

async function bot(t: TestContext, cogPaths: string[]): Promise<Bot> {
  const b = await createBot({ dataDir: temp(t), adapter: fakeAdapter(), logger: recordingLogger(), bundledCogPath: COGS, cogPaths, rpc: { port: 0 } });
  t.after(() => b.stop());
  await b.start({ listenRpc: true });
  return b;
}

const colours = (green: number): string => `export enum Colour { Red = 1, Green = ${green} }
export const enum Size { Small = "s" }
`;

const entry = (name: string): string => `import { Bot, CogLoadError } from "cogwheel";
import { Colour, Size } from "./colours.js";
import { shout } from "dep";
class ${name} { readonly name = "${name}"; }
export async function setup(bot: Bot): Promise<void> {
  if (!(new CogLoadError("x") instanceof Error)) throw new Error("not the framework's CogLoadError");
  const cog = new ${name}();
  await bot.addCog(cog);
  bot.registerRpcHandler(cog, () => [Colour.Green, Colour[Colour.Red], Size.Small, shout("hi")], { name: "value" });
}
`;

/** `<root>/node_modules/dep`: a plain ES module dependency of the package. */
function dependency(root: string): void {
  pkg(join(root, "node_modules"), "dep", {
    "package.json": JSON.stringify({ name: "dep", type: "module", exports: "./index.js" }),
    "index.js": "export const shout = (s) => s.toUpperCase();\n",
  });
}

test("a TypeScript package with enums loads, and a reload runs its edited enum", async (t) => {
  const cogs = temp(t);
  writeFileSync(join(cogs, "package.json"), JSON.stringify({ type: "commonjs" }));
  dependency(cogs);
  pkg(cogs, "enums", { "index.ts": entry("Enums"), "colours.ts": colours(2) });
  const b = await bot(t, [cogs]);
  const client = await connect(t, b.rpc);
  assert.deepEqual((await client.call("CORE__LOAD", [["enums"]])).result.loaded_packages, ["enums"]);
  assert.deepEqual((await client.call("ENUMS__VALUE")).result, [2, "Red", "s", "HI"]);
  writeFileSync(join(cogs, "enums", "colours.ts"), colours(3));
  const reloaded = await client.call("CORE__RELOAD", [["enums"]]);
  assert.deepEqual(reloaded.result?.loaded_packages, ["enums"], JSON.stringify(reloaded));
  assert.deepEqual((await client.call("ENUMS__VALUE")).result, [3, "Red", "s", "HI"]);
});

test("a TypeScript package in a folder under node_modules/ loads and reloads the same way", async (t) => {
  const cogs = join(temp(t), "node_modules", "@someone", "cogs");
  mkdirSync(cogs, { recursive: true });
  dependency(join(cogs, "nm"));
  pkg(cogs, "nm", { "index.ts": entry("Nm"), "colours.ts": colours(2) });
  const b = await bot(t, [cogs]);
  const client = await connect(t, b.rpc);
  assert.deepEqual((await client.call("CORE__LOAD", [["nm"]])).result.loaded_packages, ["nm"]);
  assert.deepEqual((await client.call("NM__VALUE")).result, [2, "Red", "s", "HI"]);
  writeFileSync(join(cogs, "nm", "colours.ts"), colours(5));
  const reloaded = await client.call("CORE__RELOAD", [["nm"]]);
  assert.deepEqual(reloaded.result?.loaded_packages, ["nm"], JSON.stringify(reloaded));
  assert.deepEqual((await client.call("NM__VALUE")).result, [5, "Red", "s", "HI"]);
});

test("a plain JavaScript package under a commonjs package.json is an ES module and its CogLoadError has its reason", async (t) => {
  const cogs = temp(t);
  writeFileSync(join(cogs, "package.json"), JSON.stringify({ type: "commonjs" }));
  pkg(cogs, "refuses", {
    "index.js": `import { CogLoadError } from "cogwheel";
export function setup() { throw new CogLoadError("needs a Discord connection"); }
`,
  });
  const b = await bot(t, [cogs]);
  assert.deepEqual((await b.packages.load(["refuses"])).failed_with_reason_packages, { refuses: "needs a Discord connection" });
  assert.deepEqual(await say(b, "!load"), [`Loaded: none.\nFailed: refuses (needs a Discord connection).\nAvailable: ${[...bundledPackages(), "refuses"].sort().join(", ")}.`]);
});
