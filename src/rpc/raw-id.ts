/**
 * Finds the source text of a request's `id` member. Only needed for numeric ids that a
 * JavaScript number cannot hold exactly (12345678901234567890, 1.10): JSON-RPC says the id
 * is echoed as sent, so we copy its digits instead of re-printing a rounded double.
 * `index` selects the element of a top-level batch array, or -1 for a single request.
 */
export function findRawId(text: string, index: number): string | undefined {
  return index < 0 ? idOfObject(text, ws(text, 0)).id : idsOfBatch(text)[index];
}

/**
 * The raw ids of one frame, scanned at most once: a batch of many odd ids costs one pass
 * over the frame, not one pass per element.
 */
export class RawIds {
  readonly #text: string;
  #batch: Array<string | undefined> | null = null;

  constructor(text: string) {
    this.#text = text;
  }

  at(index: number): string | undefined {
    if (index < 0) return idOfObject(this.#text, ws(this.#text, 0)).id;
    return (this.#batch ??= idsOfBatch(this.#text))[index];
  }
}

/** The raw id of every element of a top-level array, in one pass. */
function idsOfBatch(text: string): Array<string | undefined> {
  const ids: Array<string | undefined> = [];
  let i = ws(text, 0);
  if (text[i] !== "[") return ids;
  i = ws(text, i + 1);
  while (i < text.length && text[i] !== "]") {
    if (text[i] === "{") {
      const { id, end } = idOfObject(text, i);
      ids.push(id);
      i = end;
    } else {
      ids.push(undefined);
      i = skipValue(text, i);
    }
    i = ws(text, i);
    if (text[i] !== ",") break;
    i = ws(text, i + 1);
  }
  return ids;
}

/** The raw id of the object starting at `start`, and where the object ends. */
function idOfObject(text: string, start: number): { id: string | undefined; end: number } {
  let i = start;
  if (text[i] !== "{") return { id: undefined, end: skipValue(text, i) };
  i = ws(text, i + 1);
  let found: string | undefined;
  while (i < text.length && text[i] === '"') {
    const keyEnd = skipString(text, i);
    const key = decodeKey(text.slice(i, keyEnd));
    i = ws(text, keyEnd);
    if (text[i] !== ":") return { id: found, end: i };
    i = ws(text, i + 1);
    const valueStart = i;
    i = skipValue(text, i);
    // JSON.parse keeps the last duplicate key, so do we.
    if (key === "id") found = text.slice(valueStart, i);
    i = ws(text, i);
    if (text[i] !== ",") break;
    i = ws(text, i + 1);
  }
  return { id: found, end: text[i] === "}" ? i + 1 : i };
}

/** A key as JSON.parse sees it: `"\u0069d"` is `id` too. */
function decodeKey(raw: string): string {
  if (!raw.includes("\\")) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return "";
  }
}

function ws(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

function skipString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return i;
}

function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    while (i < text.length) {
      const d = text[i];
      if (d === '"') {
        i = skipString(text, i);
        continue;
      }
      if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  while (i < text.length && !",}] \t\r\n".includes(text[i]!)) i++;
  return i;
}
