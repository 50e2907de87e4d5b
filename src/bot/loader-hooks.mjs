// Module resolution and loading hooks for packages (cogs). Plain JavaScript on purpose: the
// hooks may run in Node's separate loader thread (module.register, Node 20), where the
// TypeScript transform of the host is not available.
//
// 1. `import … from "cogwheel"` (and "cogwheel/rpc") from a package anywhere on disk resolves
//    to the running framework's own files, so the package gets the same module instances
//    (same classes) as the bot that loads it.
// 2. Fresh code on every load: a package's entry is imported with `?cogwheel-gen=N`, and every
//    file it imports by a relative or absolute path (not a dependency from node_modules, not
//    the framework) inherits that tag, so a reload re-evaluates the package's whole file tree
//    instead of reusing cached modules.
// 3. Package files are ES modules, whatever package.json (if any) sits above them, and this
//    file loads them itself: JavaScript as is, TypeScript (.ts/.mts/.tsx) compiled by sucrase
//    (pure JavaScript: no install script, unlike esbuild), with the same options on every Node
//    line. Neither Node's own type stripping (which rejects enums and refuses files under
//    node_modules) nor whichever hooks tsx may have installed (module.register on 20,
//    module.registerHooks on newer lines, where it would treat a .js package file as CommonJS)
//    decides how a package loads.
// 4. TypeScript's import conventions work without tsx: `./x.js` finds `./x.ts` when only the
//    TypeScript file exists, and extensionless imports (`./x`, `./dir`) find x.ts, x.js or an
//    index file, so a package loads the same from the CLI, from an embedding program, and from
//    the checkout.
//
// The functions work as both kinds of hooks: asynchronous (module.register, where next* return
// promises) and synchronous (module.registerHooks, where they return values).

import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const GEN = "cogwheel-gen";
let aliases = new Map();
let frameworkRoot = "";

export function initialize(data) {
  aliases = new Map(Object.entries(data.aliases));
  frameworkRoot = data.frameworkRoot;
}

let sucrase;
function transformTypeScript(source, file) {
  sucrase ??= createRequire(import.meta.url)("sucrase");
  // Types and type-only imports removed, enums compiled; everything else is left as written
  // (every supported Node line runs it), so line numbers in stack traces stay those of the file.
  return sucrase.transform(source, {
    transforms: file.endsWith(".tsx") ? ["typescript", "jsx"] : ["typescript"],
    filePath: file,
    disableESTransforms: true,
  }).code;
}

const CANDIDATES = {
  ".js": [".ts", ".tsx"],
  ".mjs": [".mts"],
  ".jsx": [".tsx"],
  "": [".ts", ".tsx", ".mts", ".js", ".mjs", "/index.ts", "/index.tsx", "/index.js", "/index.mjs"],
};

/** `./x.js` → `./x.ts` when only the TypeScript file exists; `./x` → the first file that does. */
function typescriptPath(specifier, parentURL) {
  if (!/^\.\.?\//.test(specifier) || parentURL === undefined) return specifier;
  const target = new URL(specifier, parentURL);
  const path = fileURLToPath(target);
  if (isFile(path)) return specifier;
  const ext = /\.(m?js|jsx)$/.exec(path)?.[0] ?? (/\.[^/]*$/.test(path.slice(path.lastIndexOf("/"))) ? null : "");
  if (ext === null) return specifier;
  const stem = path.slice(0, path.length - ext.length);
  for (const candidate of CANDIDATES[ext]) if (isFile(stem + candidate)) return pathToFileURL(stem + candidate).href;
  return specifier;
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const then = (value, f) => (value !== null && typeof value?.then === "function" ? value.then(f) : f(value));
const clean = (u) => u.split("?")[0];
const nodeModulesDepth = (u) => u.split("/node_modules/").length - 1;

function generationOf(url) {
  return url !== undefined && url.includes(GEN) ? new URL(url).searchParams.get(GEN) : null;
}

function isPath(specifier) {
  return /^(\.\.?(\/|$)|\/|file:)/.test(specifier);
}

export function resolve(specifier, context, nextResolve) {
  const alias = aliases.get(specifier);
  // Resolved by the chain (tsx included) so the framework's .ts files get their format.
  if (alias !== undefined) return nextResolve(alias, context);

  const own = specifier.startsWith("file:") ? generationOf(specifier) : null;
  const inherited = generationOf(context.parentURL);
  const generation = own ?? inherited;
  // Bare specifiers from package files are dependencies: the chain loads them as usual.
  if (generation === null || (own === null && !isPath(specifier))) return nextResolve(specifier, context);

  // Resolve against clean URLs (no query) so other loaders see ordinary files.
  const parentURL = context.parentURL === undefined ? undefined : clean(context.parentURL);
  const target = own !== null ? clean(specifier) : typescriptPath(specifier, parentURL);
  const resolved = nextResolve(target, { ...context, parentURL });
  return then(resolved, (result) => {
    if (!result.url.startsWith("file:") || result.url.startsWith(frameworkRoot)) return result;
    // A relative path into a node_modules folder below the package: a dependency.
    if (own === null && nodeModulesDepth(result.url) > nodeModulesDepth(parentURL)) return result;
    const url = new URL(clean(result.url));
    // CommonJS files live in require's cache, which a URL tag cannot refresh: documented.
    if (/\.c[jt]s$/.test(url.pathname)) return result;
    url.searchParams.set(GEN, generation);
    const format = url.pathname.endsWith(".json") ? "json" : "module";
    return { url: url.href, format, shortCircuit: true };
  });
}

export function load(url, context, nextLoad) {
  if (generationOf(url) === null || !url.startsWith("file:")) return nextLoad(url, context);
  const file = fileURLToPath(clean(url));
  if (/\.(node|wasm)$/.test(file) || /\.c[jt]s$/.test(file)) return nextLoad(url, context);
  let source = readFileSync(file, "utf8");
  // Read here too: a loader of the chain may answer JSON from require's cache.
  if (file.endsWith(".json")) return { format: "json", source, shortCircuit: true };
  if (/\.(m?ts|tsx)$/.test(file)) source = transformTypeScript(source, file);
  return { format: "module", source, shortCircuit: true };
}
