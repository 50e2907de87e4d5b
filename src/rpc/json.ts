/**
 * Strict JSON encoding: JSON.stringify silently drops functions and symbols, which would
 * turn a handler bug into a wrong answer. Here they throw, like BigInt and cycles already do.
 * Top-level `undefined` encodes as `null` (a handler that returns nothing).
 */
export function encodeJson(value: unknown): string {
  if (value === undefined) return "null";
  if (typeof value !== "object" || value === null) {
    const out = JSON.stringify(value);
    if (out === undefined) throw new TypeError(`a ${typeof value} cannot be encoded as JSON`);
    return out;
  }
  return JSON.stringify(value, strictReplacer) as string;
}

function strictReplacer(this: unknown, key: string, value: unknown): unknown {
  const type = typeof value;
  if (type === "function" || type === "symbol") {
    throw new TypeError(`a ${type} at ${key === "" ? "the top level" : JSON.stringify(key)} cannot be encoded as JSON`);
  }
  return value;
}

/** Depth of nested arrays/objects, stopping as soon as it exceeds `max` (so never deep recursion). */
export function exceedsDepth(value: unknown, max: number): boolean {
  return depthOver(value, max, 1);
}

function depthOver(value: unknown, max: number, depth: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (depth > max) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item === "object" && item !== null && depthOver(item, max, depth + 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === "object" && item !== null && depthOver(item, max, depth + 1)) return true;
  }
  return false;
}
