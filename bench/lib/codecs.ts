/**
 * The JSON codecs Cogwheel's big-integer handling is compared with, each used the way its
 * documentation shows. Shared by the echo server (servers/ws-json-echo.ts) and the codec
 * micro-benchmark (codec.ts).
 *
 * - json: `JSON.parse` / `JSON.stringify` — fast, but rounds integers above 2^53 to doubles.
 * - lossless-json: `parse(text, null, parseNumber)` with a number parser that returns a bigint
 *   for an integer literal a double cannot hold (its `isInteger` / `isSafeNumber` helpers, as its
 *   README's "BigInt" and "Validate safe numbers" sections show) and a number otherwise;
 *   `stringify(value)` writes bigints as bare digits (its built-in bigint support).
 * - json-bigint: `JSONbig({ useNativeBigInt: true })`'s parse / stringify. (It makes a bigint of
 *   every number literal longer than 15 characters, so a 16-digit safe integer comes back as a
 *   bigint too; the digits written back are the same.)
 */
import JSONbig from "json-bigint";
import { isInteger, isSafeNumber, parse as losslessParse, stringify as losslessStringify } from "lossless-json";

export type CodecKey = "json" | "lossless-json" | "json-bigint";

export interface Codec {
  key: string;
  /** True when integers above 2^53 survive parse + stringify digit for digit. */
  exact: boolean;
  parse(text: string): unknown;
  stringify(value: unknown): string;
}

/** lossless-json's number parser: bigint for an integer a double cannot hold exactly, else a number. */
function losslessNumber(value: string): number | bigint {
  return isInteger(value) && !isSafeNumber(value) ? BigInt(value) : parseFloat(value);
}

const jsonBigint = JSONbig({ useNativeBigInt: true });

export const CODECS: Record<CodecKey, Codec> = {
  json: {
    key: "json",
    exact: false,
    parse: (text) => JSON.parse(text) as unknown,
    stringify: (value) => JSON.stringify(value),
  },
  "lossless-json": {
    key: "lossless-json",
    exact: true,
    parse: (text) => losslessParse(text, null, losslessNumber),
    stringify: (value) => losslessStringify(value) as string,
  },
  "json-bigint": {
    key: "json-bigint",
    exact: true,
    parse: (text) => jsonBigint.parse(text) as unknown,
    stringify: (value) => jsonBigint.stringify(value),
  },
};

export function isCodecKey(key: string): key is CodecKey {
  return Object.hasOwn(CODECS, key);
}
