/**
 * The case rule of method and topic names, shared by server and client: ASCII letters fold to
 * upper case and nothing else does. `toUpperCase` alone folds Unicode too (`ſ` → `S`,
 * `ı` → `I`), which would make `CORE__STATUſ` a second name for `CORE__STATUS`.
 */
export function upperAscii(text: string): string {
  return text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}
