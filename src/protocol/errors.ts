/**
 * JSON-RPC error codes and their exact messages, shared by the server (which sends them) and the
 * client (which reads them). Import-free.
 */

/** The five error codes of the JSON-RPC 2.0 specification. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

/** One of the five standard codes. */
export type StandardErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The exact message of each standard code, as the specification spells it (note `Invalid Request`). */
export const ErrorMessage = {
  ParseError: "Parse error",
  InvalidRequest: "Invalid Request",
  MethodNotFound: "Method not found",
  InvalidParams: "Invalid params",
  InternalError: "Internal error",
} as const satisfies { readonly [K in keyof typeof ErrorCode]: string };

const BY_CODE: ReadonlyMap<number, string> = new Map(
  (Object.keys(ErrorCode) as Array<keyof typeof ErrorCode>).map((name) => [ErrorCode[name], ErrorMessage[name]]),
);

/** The message of a standard code; `undefined` for any other code. */
export function standardErrorMessage(code: number): string | undefined {
  return BY_CODE.get(code);
}

/**
 * `error.data.reason` of the one `-32600` (id null) that answers a batch over the server's size
 * limit, with `error.data.limit` the limit: the client fails the batches it sent that are larger.
 */
export const BATCH_TOO_LARGE_REASON = "batch too large";
