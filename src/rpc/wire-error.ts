import { isCogwheelError } from "../protocol/catalog.ts";
import { standardErrorMessage } from "../protocol/errors.ts";
import { isRpcError, RpcError } from "./errors.ts";

/**
 * The one place where something a handler threw becomes a wire error:
 * - an {@link RpcError} is sent as is;
 * - a catalog error whose code declares an `rpc` code becomes that error. A standard code keeps
 *   JSON-RPC's exact message (`-32602 Invalid params`) with the error's `data`, or else
 *   `{reason: message}`; any other code carries the error's message as is, and its `data`;
 * - anything else has no wire form: `null`, for the caller to log and answer with a bare
 *   `-32603` (no message or stack leaked).
 */
export function toWireError(error: unknown): RpcError | null {
  if (isRpcError(error)) return error;
  if (!isCogwheelError(error) || error.rpc === undefined) return null;
  const standard = standardErrorMessage(error.rpc);
  try {
    return standard === undefined
      ? new RpcError(error.rpc, error.message, error.data)
      : new RpcError(error.rpc, standard, error.data ?? { reason: error.message });
  } catch {
    // A family's table may name a code JSON-RPC reserves (createError refuses those up front):
    // a bug of that family, treated like any other unexpected error.
    return null;
  }
}
