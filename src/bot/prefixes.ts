import { BotError } from "./errors.ts";

/**
 * Checks prefixes and orders them longest first, so `!!` is tried before `!`.
 * Throws BotError `ERR_PREFIXES_INVALID` for an empty list, an empty prefix or one with white space.
 */
export function normalizePrefixes(prefixes: readonly string[]): string[] {
  if (!Array.isArray(prefixes) || prefixes.length === 0 || !prefixes.every((p) => typeof p === "string" && p !== "" && !/\s/.test(p))) {
    throw new BotError("ERR_PREFIXES_INVALID", "Those prefixes won't do: prefixes must be a non-empty list of strings without spaces.");
  }
  return [...new Set(prefixes)].sort((a, b) => b.length - a.length);
}

/**
 * A guild's own prefixes: checked as {@link normalizePrefixes}, except that the empty list is
 * allowed (it means "the bot's global prefixes").
 */
export function normalizeGuildPrefixes(prefixes: readonly string[]): string[] {
  return Array.isArray(prefixes) && prefixes.length === 0 ? [] : normalizePrefixes(prefixes);
}
