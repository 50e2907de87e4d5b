// The built web console (dist/console, made by `npm run build:console`, which `npm test` runs
// first): every file the page loads exists, the first page load stays under its gzip budget,
// nothing inline for the CSP to block, and nothing a browser cannot load (Node built-ins, bare
// package names). Reads the build; never writes it.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../dist/console");
const INDEX = join(ROOT, "index.html");
/** The first page load's budget: index.html, its stylesheet and every module the page imports, each gzip-compressed. */
const BUDGET_BYTES = 100 * 1024;

function built(): void {
  assert.ok(existsSync(INDEX), `${INDEX} is missing: run \`npm run build:console\` (npm test runs it first)`);
}

/** Every file under `dir`, as paths relative to ROOT. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [relative(ROOT, path).split(sep).join("/")];
  });
}

/** The value of every `src` and `href` attribute in an HTML text. */
function htmlReferences(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]!);
}

/** Static and dynamic import specifiers of a module, as the TypeScript scanner reads them. */
function moduleImports(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** A reference the page loads from its own folder (not `data:`, not an anchor). */
function isLoadedFile(reference: string): boolean {
  return reference !== "" && !reference.startsWith("data:") && !reference.startsWith("#");
}

/** A file under ROOT that `reference` (relative to `from`, itself relative to ROOT) names; fails if it points outside. */
function resolveAsset(from: string, reference: string): string {
  assert.doesNotMatch(reference, /^[a-z][a-z0-9+.-]*:|^\/\//i, `${from} loads ${reference} from another origin`);
  const base = reference.startsWith("/") ? ROOT : join(ROOT, dirname(from));
  const path = join(base, reference.split(/[?#]/)[0]!);
  const rel = relative(ROOT, path).split(sep).join("/");
  assert.ok(!rel.startsWith("../") && rel !== "..", `${from} refers to ${reference}, outside dist/console`);
  return rel;
}

/**
 * The files the first page load fetches: index.html, what it references, and every module
 * main.js imports, transitively. Each must exist; an import must be a relative path (a browser
 * resolves no package names, and no Node built-ins exist there).
 */
function firstLoad(): string[] {
  const seen = new Set<string>(["index.html"]);
  const queue: string[] = [];
  for (const reference of htmlReferences(readFileSync(INDEX, "utf8")).filter(isLoadedFile)) {
    const file = resolveAsset("index.html", reference);
    assert.ok(existsSync(join(ROOT, file)), `index.html refers to ${reference}, which the build lacks`);
    if (!seen.has(file)) queue.push(file);
    seen.add(file);
  }
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (!file.endsWith(".js")) continue;
    for (const specifier of moduleImports(readFileSync(join(ROOT, file), "utf8"))) {
      const bare = specifier.replace(/^node:/, "");
      assert.ok(!specifier.startsWith("node:") && !builtinModules.includes(bare), `${file} imports the Node built-in ${specifier}`);
      assert.match(specifier, /^\.{1,2}\//, `${file} imports ${specifier}: a browser resolves only relative paths here`);
      const target = resolveAsset(file, specifier);
      assert.ok(existsSync(join(ROOT, target)), `${file} imports ${specifier}, which the build lacks (${target})`);
      if (!seen.has(target)) queue.push(target);
      seen.add(target);
    }
  }
  return [...seen].sort();
}

test("index.html loads its stylesheet and main.js as a module, and every file it and main.js (transitively) import is in the build", () => {
  built();
  const html = readFileSync(INDEX, "utf8");
  assert.match(html, /<link rel="stylesheet" href="\.\/console\.css">/);
  assert.match(html, /<script type="module" src="\.\/console\/main\.js"><\/script>/);
  const files = firstLoad();
  for (const expected of ["index.html", "console.css", "console/main.js", "client/index.js", "client/client.js", "protocol/json-parse.js"]) {
    assert.ok(files.includes(expected), `the first load includes ${expected}: ${files.join(", ")}`);
  }
});

test(`the first page load is under ${BUDGET_BYTES / 1024} KiB gzip-compressed (each file compressed, summed)`, (t) => {
  built();
  const files = firstLoad();
  let raw = 0;
  let gzipped = 0;
  for (const file of files) {
    const bytes = readFileSync(join(ROOT, file));
    raw += bytes.length;
    gzipped += gzipSync(bytes).length;
  }
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  t.diagnostic(`first page load: ${files.length} files, ${kib(raw)} raw, ${kib(gzipped)} gzip (budget ${kib(BUDGET_BYTES)})`);
  assert.ok(gzipped < BUDGET_BYTES, `the first page load is ${kib(gzipped)} gzip, over the ${kib(BUDGET_BYTES)} budget`);
});

test("no HTML file has an inline script, an on* handler or a style attribute, and no module uses eval or new Function (the CSP would block them)", () => {
  built();
  const files = listFiles(ROOT);
  const html = files.filter((f) => f.endsWith(".html"));
  assert.ok(html.includes("index.html"));
  for (const file of html) {
    const text = readFileSync(join(ROOT, file), "utf8");
    for (const script of text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
      assert.match(script[1]!, /\ssrc\s*=/i, `${file}: a <script> without src: ${script[0].slice(0, 80)}`);
      assert.equal(script[2]!.trim(), "", `${file}: a <script src> with an inline body`);
    }
    assert.doesNotMatch(text, /<[^>]*\son[a-z]+\s*=/i, `${file}: an on* event handler attribute`);
    assert.doesNotMatch(text, /<[^>]*\sstyle\s*=/i, `${file}: a style attribute`);
    assert.doesNotMatch(text, /<style\b/i, `${file}: an inline <style> element`);
    assert.doesNotMatch(text, /\b(?:src|href)\s*=\s*["']\s*javascript:/i, `${file}: a javascript: URL`);
  }
  for (const file of files.filter((f) => f.endsWith(".js"))) {
    const text = readFileSync(join(ROOT, file), "utf8");
    assert.doesNotMatch(text, /\beval\s*\(|\bnew\s+Function\s*\(/, `${file}: eval or new Function`);
  }
});

test("the build holds only what a browser loads: HTML, CSS and JavaScript modules (no sources, maps or declarations)", () => {
  built();
  for (const file of listFiles(ROOT)) assert.match(file, /\.(?:html|css|js)$/, `unexpected file in the build: ${file}`);
});
