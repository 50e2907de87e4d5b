#!/usr/bin/env node
// The `cogwheel` command. Cogwheel runs from its TypeScript sources through tsx, so there is
// no build step between a checkout and a running bot, and packages can be TypeScript too.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
await main(process.argv);
process.exit(process.exitCode ?? 0);
