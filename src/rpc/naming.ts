/**
 * Red's naming rule for cog methods, computed once at registration:
 * `<COG>__<METHOD>`, the method name stripped of leading/trailing `_`, camelCase split into
 * words, upper-cased. `("Economy", "getVariables")` → `ECONOMY__GET_VARIABLES`.
 */
export function cogMethodName(cogName: string, methodName: string): string {
  return `${cogName.toUpperCase()}__${wordsToUpperSnake(methodName)}`;
}

/** `getVariables` → `GET_VARIABLES`, `_private_` → `PRIVATE`, `HTTPServer` → `HTTP_SERVER`. */
export function wordsToUpperSnake(name: string): string {
  return name
    .replace(/^_+|_+$/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toUpperCase();
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.]{0,127}$/;

/** Method and topic names: identifier-like, dots allowed, at most 128 characters. */
export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
}

/** The key used for case-insensitive look-up. */
export function nameKey(name: string): string {
  return name.toUpperCase();
}
