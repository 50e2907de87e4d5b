/**
 * Splitting long texts into messages Discord accepts (at most 2000 characters each).
 */

/** Discord's limit on a message's `content`. */
export const MAX_MESSAGE_LENGTH = 2000;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Splits `text` into chunks of at most `limit` UTF-16 code units, preferring to cut after a
 * newline, then after a space, and never inside a surrogate pair. Joining the chunks gives back
 * `text` exactly. An empty text gives no chunks.
 */
export function splitMessage(text: string, limit = MAX_MESSAGE_LENGTH): string[] {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError("splitMessage: limit must be an integer >= 2");
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const half = Math.floor(limit / 2);
    let cut = window.lastIndexOf("\n") + 1;
    if (cut <= half) cut = window.lastIndexOf(" ") + 1;
    if (cut <= half) {
      cut = limit;
      if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
    }
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks;
}
