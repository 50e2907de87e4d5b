#!/usr/bin/env node
// The `cogwheel` command. Installed from npm it runs the compiled framework (dist/, the only
// code the package ships); in a checkout it runs the TypeScript sources through tsx (a
// development dependency), with no build step. Packages (cogs) written in TypeScript load the
// same way in both: the framework's own loader hooks compile them (src/bot/loader-hooks.mjs).
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
const compiled = new URL("../dist/src/cli/main.js", import.meta.url);
const fromSource = existsSync(source);
if (fromSource) (await import("tsx/esm/api")).register();
const { main } = await import((fromSource ? source : compiled).href);
await main(process.argv);
process.exit(process.exitCode ?? 0);
