/**
 * Validation of namespace names and scope ids.
 *
 * @module
 */
import { ConfigTypeError } from "./errors.ts";
import { storable } from "./json.ts";

const NAMESPACE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/**
 * Checks that a namespace name is identifier-like (`[A-Za-z_][A-Za-z0-9_]*`, at most
 * 100 characters), which also makes it a safe file name.
 *
 * @param name - the candidate name
 * @throws ConfigTypeError with code `ERR_CONFIG_INVALID_NAME`
 */
export function assertNamespaceName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !NAMESPACE_NAME.test(name)) {
    throw new ConfigTypeError(
      "ERR_CONFIG_INVALID_NAME",
      `Invalid config namespace name ${describe(name)}: expected an identifier ` +
        "([A-Za-z_][A-Za-z0-9_]*, at most 100 characters), such as a cog name",
    );
  }
}

/**
 * Checks that a guild, channel or user id is a non-empty string (Discord ids are
 * snowflake strings) that every store can hold (no U+0000, no unpaired surrogate).
 *
 * @param id - the candidate id
 * @param what - which id it is, for the message (e.g. `"guildId"`)
 * @throws ConfigTypeError with code `ERR_CONFIG_INVALID_ID`
 */
export function assertId(id: unknown, what: string): asserts id is string {
  if (typeof id !== "string" || id.length === 0) {
    throw new ConfigTypeError("ERR_CONFIG_INVALID_ID", `Invalid ${what} ${describe(id)}: expected a non-empty string`);
  }
  if (!storable(id)) {
    // Refused by every store, as for values: PostgreSQL's text cannot hold them.
    throw new ConfigTypeError("ERR_CONFIG_INVALID_ID", `Invalid ${what} ${describe(id)}: U+0000 and unpaired surrogates cannot be stored`);
  }
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : `(${typeof value})`;
}
