/**
 * Checks loaded values against the types of a namespace's declared defaults. The store keeps
 * whatever the file holds; a hand edit (`"balance": "lots"`) would otherwise reach code typed
 * `number` and fail far from its cause. Keys without a default, and defaults of `null`, are
 * not checked: there is no declared type to hold them to.
 *
 * @module
 */
import type { Bucket, NamespaceData } from "./document.ts";
import { ConfigError } from "./errors.ts";
import type { JsonObject, JsonValue } from "./json.ts";

type Kind = "global" | "guild" | "channel" | "user" | "member";

/**
 * @param data - a namespace's loaded data
 * @param defaults - its declared defaults, per scope
 * @param where - the file (or namespace) named in the error
 * @throws ConfigError `ERR_CONFIG_WRONG_TYPE` naming the file, the scope and the key of the
 *   first value whose JSON type differs from its default's
 */
export function checkStoredTypes(data: NamespaceData, defaults: { readonly [K in Kind]: JsonObject }, where: string): void {
  checkBucket(data.global, defaults.global, where, "global");
  for (const kind of ["guild", "channel", "user"] as const) {
    for (const [id, bucket] of data[kind]) checkBucket(bucket, defaults[kind], where, `${kind} ${JSON.stringify(id)}`);
  }
  for (const [guildId, members] of data.member) {
    for (const [userId, bucket] of members) checkBucket(bucket, defaults.member, where, `member ${JSON.stringify(guildId)}/${JSON.stringify(userId)}`);
  }
}

function checkBucket(bucket: Bucket, defaults: JsonObject, where: string, scope: string): void {
  for (const [key, value] of bucket) {
    if (!Object.hasOwn(defaults, key)) continue;
    const expected = typeOf(defaults[key]!);
    if (expected === "null" || typeOf(value) === expected) continue;
    throw new ConfigError(
      "ERR_CONFIG_WRONG_TYPE",
      `Config file ${where}: ${scope} key ${JSON.stringify(key)} is ${JSON.stringify(value)}, not ${expected === "array" || expected === "object" ? "an" : "a"} ${expected}; ` +
        "fix or remove it by hand, it will not be overwritten",
      { path: where },
    );
  }
}

/** The JSON type of a value: `null`, `array`, `object`, `string`, `number` or `boolean`. */
function typeOf(value: JsonValue): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}
