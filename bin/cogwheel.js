#!/usr/bin/env node
// The `cogwheel` command. Installed from npm it runs the compiled framework (dist/, the only
// code the package ships); in a checkout it runs the TypeScript sources, with no build step.
// Either way tsx is registered first, so packages (cogs) written in TypeScript resolve the same
// way (`./x.js` finds `./x.ts`, extensionless imports work); the framework's own loader hooks
// compile them with esbuild (src/bot/loader-hooks.mjs).
import { existsSync } from "node:fs";
import { register } from "tsx/esm/api";

register();
const source = new URL("../src/cli/main.ts", import.meta.url);
const compiled = new URL("../dist/src/cli/main.js", import.meta.url);
const { main } = await import((existsSync(source) ? source : compiled).href);
await main(process.argv);
process.exit(process.exitCode ?? 0);
