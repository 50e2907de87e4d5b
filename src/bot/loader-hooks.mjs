// Module resolution hooks for packages (cogs). Plain JavaScript on purpose: Node runs hooks
// in a separate loader thread where the TypeScript transform is not available.
//
// 1. `import … from "cogwheel"` (and "cogwheel/rpc") from a package anywhere on disk resolves
//    to the running framework's own files, so the package gets the same module instances
//    (same classes) as the bot that loads it.
// 2. Fresh code on every load: a package's entry is imported with `?cogwheel-gen=N`, and every
//    file it imports outside node_modules and outside the framework inherits that tag, so a
//    reload re-evaluates the package's whole file tree instead of reusing cached modules.
// 3. Package files are ES modules, whatever package.json (if any) sits above them.

const GEN = "cogwheel-gen";
let aliases = new Map();
let frameworkRoot = "";

export function initialize(data) {
  aliases = new Map(Object.entries(data.aliases));
  frameworkRoot = data.frameworkRoot;
}

function generationOf(url) {
  return url !== undefined && url.includes(GEN) ? new URL(url).searchParams.get(GEN) : null;
}

function isPackageFile(url) {
  return url.startsWith("file:") && !url.includes("/node_modules/") && !url.startsWith(frameworkRoot);
}

export async function resolve(specifier, context, nextResolve) {
  const alias = aliases.get(specifier);
  // Resolved by the chain (tsx included) so the framework's .ts files get their format.
  if (alias !== undefined) return nextResolve(alias, context);

  const own = specifier.startsWith("file:") ? generationOf(specifier) : null;
  const inherited = generationOf(context.parentURL);
  const generation = own ?? inherited;
  if (generation === null) return nextResolve(specifier, context);

  // Resolve against clean URLs (no query) so other loaders see ordinary files.
  const clean = (u) => u.split("?")[0];
  const result = await nextResolve(own !== null ? clean(specifier) : specifier, {
    ...context,
    parentURL: context.parentURL === undefined ? undefined : clean(context.parentURL),
  });
  if (!isPackageFile(result.url)) return result;
  const url = new URL(clean(result.url));
  // CommonJS files live in require's cache, which a URL tag cannot refresh: documented.
  if (/\.c[jt]s$/.test(url.pathname)) return result;
  url.searchParams.set(GEN, generation);
  if (url.pathname.endsWith(".json")) return { url: url.href, format: "json", shortCircuit: true };
  // tsx, whose resolver ran before us, transforms "module-typescript" as an ES module.
  const format = /\.(m?ts|tsx)$/.test(url.pathname) ? "module-typescript" : "module";
  return { url: url.href, format, shortCircuit: true };
}
