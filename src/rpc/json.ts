import { stringifyJson } from "../protocol/json.ts";

/**
 * Strict, lossless JSON encoding of results, topic payloads and error data: functions, symbols
 * and cycles throw (the caller answers -32603), a `bigint` is written as bare digits, top-level
 * `undefined` is `null`.
 */
export function encodeJson(value: unknown): string {
  return stringifyJson(value);
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
