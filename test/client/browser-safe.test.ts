// cogwheel/client must load in a browser: nothing reachable from its index imports Node or a package.
// It may reach src/protocol, the import-free leaf it shares with the server.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const INDEX = fileURLToPath(new URL("../../src/client/index.ts", import.meta.url));

test("the browser path (src/client/index.ts and what it imports) imports only relative modules, never node: or ws", { timeout: 10_000 }, () => {
  const seen = new Set<string>();
  const specifiers: string[] = [];
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']/g)) {
      const specifier = (match[1] ?? match[2])!;
      specifiers.push(`${relative(dirname(INDEX), file)} -> ${specifier}`);
      if (specifier.startsWith("./") || specifier.startsWith("../")) visit(join(dirname(file), specifier));
    }
  };
  visit(INDEX);
  const bad = specifiers.filter((s) => !/ -> \.\.?\//.test(s) || / -> .*\/node\.ts$/.test(s) || / -> \.\.\/(?!client\/|protocol\/)/.test(s) || (/^\.\.\/protocol\//.test(s) && !/ -> \.\//.test(s)));
  assert.deepEqual(bad, [], "non-relative, Node-only or out-of-folder imports on the browser path");
  assert.ok(seen.size >= 4, `walked ${[...seen].map((f) => relative(dirname(INDEX), f))}`);
  assert.ok(!seen.has(join(dirname(INDEX), "node.ts")));
});
