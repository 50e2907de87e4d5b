import { upperAscii } from "../protocol/names.ts";
/**
 * Red's naming rule for cog methods, computed once at registration:
 * `<COG>__<METHOD>`, the method name stripped of leading/trailing `_`, camelCase split into
 * words, upper-cased. `("Economy", "getVariables")` → `ECONOMY__GET_VARIABLES`.
 */
export function cogMethodName(cogName: string, methodName: string): string {
  return `${upperAscii(cogName)}__${wordsToUpperSnake(methodName)}`;
}

/** `getVariables` → `GET_VARIABLES`, `_private_` → `PRIVATE`, `HTTPServer` → `HTTP_SERVER`. */
export function wordsToUpperSnake(name: string): string {
  return upperAscii(
    name
      .replace(/^_+|_+$/g, "")
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2"),
  );
}

// A non-ASCII letter stays as it is under upperAscii, so the name it is in fails isValidName
// rather than turning into an ASCII one (`Straße` is not `STRASSE`).

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.]{0,127}$/;

/** Method and topic names: identifier-like, dots allowed, at most 128 characters. */
export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
}

/** Any character outside ASCII. */
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The key used for case-insensitive look-up: ASCII letters folded to upper case, nothing else.
 * `toUpperCase` alone folds Unicode too (`ſ` → `S`, `ı` → `I`, `ß` → `SS`), which would let
 * `get_methodſ` call `GET_METHODS`. Registered names are ASCII, so a name with any other
 * character matches none: its key is `undefined`.
 */
export function nameKey(name: string): string | undefined {
  // On ASCII-only text, toUpperCase changes a–z and nothing else.
  return NON_ASCII.test(name) ? undefined : name.toUpperCase();
}
