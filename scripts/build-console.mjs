// Builds the web console into dist/console: compiles src/console/*.ts and what they import
// (tsconfig.console.json; type errors fail the build), then copies index.html and console.css
// to its root. Plain JavaScript so that it runs before anything is compiled, with no dependency
// beyond the TypeScript compiler. `npm run build:console`; part of build, prestart and test.
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "console");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

rmSync(out, { recursive: true, force: true }); // no stale modules from renamed sources
try {
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.console.json")], { cwd: root, stdio: "inherit" });
} catch {
  console.error("build:console: the console's TypeScript did not compile (errors above)");
  process.exit(1);
}
for (const file of ["index.html", "console.css"]) copyFileSync(join(root, "src", "console", file), join(out, file));
