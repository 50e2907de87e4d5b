// Text the console shows or copies: JSON with exact integers, time stamps, the CLI line.
import { stringifyJson } from "../protocol/json.ts";

/** Pretty JSON; bigints (integers beyond 2^53) as their exact digits. */
export function prettyJson(value: unknown): string {
  try {
    return stringifyJson(value, 2);
  } catch {
    return String(value);
  }
}

/** One-line JSON, bigints as digits. */
export function compactJson(value: unknown): string {
  try {
    return stringifyJson(value);
  } catch {
    return String(value);
  }
}

/** `HH:MM:SS.mmm` in local time. */
export function timeStamp(date: Date = new Date()): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Quotes a word for a POSIX shell: single quotes, with `'` written as `'\''`. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The `cogwheel rpc call` line that makes the same call (params: one JSON array or object, or none). */
export function cliLine(method: string, params: unknown): string {
  const words = ["cogwheel", "rpc", "call", shellQuote(method)];
  if (params !== undefined) words.push(`'${compactJson(params).replace(/'/g, `'\\''`)}'`);
  return words.join(" ");
}

/** `3d 4h 5m 6s`, leaving out leading zero units. */
export function duration(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const parts: Array<[number, string]> = [
    [Math.floor(total / 86400), "d"],
    [Math.floor((total % 86400) / 3600), "h"],
    [Math.floor((total % 3600) / 60), "m"],
    [total % 60, "s"],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts.slice(first === -1 ? 3 : first).map(([n, unit]) => `${n}${unit}`).join(" ");
}

/** An error's text for the page: `message`, or what String() makes of it. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
