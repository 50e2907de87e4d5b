/**
 * Checks loaded values against the types of a namespace's declared defaults. The store keeps
 * whatever the file holds; a hand edit (`"balance": "lots"`) would otherwise reach code typed
 * `number` and fail far from its cause. Keys without a default, and defaults of `null`, are
 * not checked: there is no declared type to hold them to.
 *
 * @module
 */
import type { ListedBucket } from "./bucket-driver.ts";
import { ConfigError } from "./errors.ts";
import type { JsonObject, JsonValue } from "./json.ts";
import type { ScopeRef } from "./state.ts";

type Kind = "global" | "guild" | "channel" | "user" | "member";

/**
 * @param listed - every stored bucket of a namespace
 * @param defaults - its declared defaults, per scope
 * @param where - where the namespace is kept (`Config file <path>`), named in the error
 * @throws ConfigError `ERR_CONFIG_WRONG_TYPE` naming where, the scope and the key of the
 *   first value whose JSON type differs from its default's
 */
export function checkStoredTypes(
  listed: readonly ListedBucket[],
  defaults: { readonly [K in Kind]: JsonObject },
  where: { readonly text: string; readonly path?: string },
): void {
  for (const { ref, data } of listed) checkBucket(data, defaults[ref.kind], where, scopeLabel(ref));
}

function scopeLabel(ref: ScopeRef): string {
  if (ref.kind === "global") return "global";
  if (ref.kind === "member") return `member ${JSON.stringify(ref.guildId)}/${JSON.stringify(ref.userId)}`;
  return `${ref.kind} ${JSON.stringify(ref.id)}`;
}

function checkBucket(bucket: JsonObject, defaults: JsonObject, where: { readonly text: string; readonly path?: string }, scope: string): void {
  for (const [key, value] of Object.entries(bucket)) {
    if (!Object.hasOwn(defaults, key)) continue;
    const expected = typeOf(defaults[key]!);
    if (expected === "null" || typeOf(value) === expected) continue;
    throw new ConfigError(
      "ERR_CONFIG_WRONG_TYPE",
      `${where.text}: ${scope} key ${JSON.stringify(key)} is ${JSON.stringify(value)}, not ${expected === "array" || expected === "object" ? "an" : "a"} ${expected}; ` +
        "fix or remove it by hand, it will not be overwritten",
      { path: where.path },
    );
  }
}

/** The JSON type of a value: `null`, `array`, `object`, `string`, `number` or `boolean`. */
function typeOf(value: JsonValue): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}
