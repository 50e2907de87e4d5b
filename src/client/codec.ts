// The client's wire codec: requests and batches out, replies and pushes in. Browser-safe.
import { ErrorCode } from "../protocol/errors.ts";
import { parseJson, stringifyJson } from "../protocol/json.ts";
import { RpcCallError } from "./errors.ts";

/** A reply as it came off the wire; nothing in it is trusted yet. */
export interface WireReply {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

/** One request to encode; no `id` makes it a notification. */
export interface WireRequest {
  id?: number;
  method: string;
  params?: unknown;
}

/** What one incoming frame holds. */
export type Incoming =
  /** Replies to calls: one, or the members of a batch reply (each still to be checked). */
  | { kind: "replies"; replies: unknown[] }
  /** A notification from the server: a topic push, or a protocol notice such as UNSUBSCRIBED. */
  | { kind: "push"; method: string; params: unknown }
  /** JSON, but neither of the above: ignored, as JSON-RPC asks of a client. */
  | { kind: "other" }
  /** Not JSON text at all. */
  | { kind: "invalid" };

function toObject(request: WireRequest): Record<string, unknown> {
  if (typeof request.method !== "string") throw new TypeError("method must be a string");
  // Key order as JSON-RPC examples write it; `id` and `params` only when present.
  const object: Record<string, unknown> = { jsonrpc: "2.0" };
  if (request.id !== undefined) object.id = request.id;
  object.method = request.method;
  if (request.params !== undefined) object.params = request.params;
  return object;
}

/**
 * Encodes one request. Throws a TypeError for a method that is not a string, and the encoder's
 * TypeError for params that are not JSON (a function, a cycle): the caller rejects with it.
 */
export function encodeRequest(request: WireRequest): string {
  return stringifyJson(toObject(request));
}

/** Encodes a batch as one frame (throws as {@link encodeRequest}). */
export function encodeBatch(requests: readonly WireRequest[]): string {
  return stringifyJson(requests.map(toObject));
}

/** The text of a frame: browsers and `ws` may hand over text, an ArrayBuffer or a view. */
function textOf(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data as ArrayBuffer);
  return undefined;
}

/** Sorts an incoming frame into replies, a push, or something to ignore. */
export function decodeFrame(data: unknown): Incoming {
  const text = textOf(data);
  if (text === undefined) return { kind: "invalid" };
  let message: unknown;
  try {
    message = parseJson(text); // integers beyond 2^53 arrive as bigints, exactly
  } catch {
    return { kind: "invalid" };
  }
  if (Array.isArray(message)) return { kind: "replies", replies: message };
  if (message === null || typeof message !== "object") return { kind: "other" };
  const m = message as WireReply & { method?: unknown; params?: unknown };
  if ("id" in m && ("result" in m || "error" in m)) return { kind: "replies", replies: [m] };
  if (typeof m.method === "string" && !("id" in m)) return { kind: "push", method: m.method, params: m.params };
  return { kind: "other" };
}

/** The RpcCallError for an error reply: code, message and data exactly as the server sent them. */
export function callErrorOf(error: WireReply["error"], method: string): RpcCallError {
  const code = typeof error?.code === "number" ? error.code : ErrorCode.InternalError;
  const message = typeof error?.message === "string" ? error.message : "Invalid error reply";
  return new RpcCallError(code, message, { method, data: error?.data, hasData: error !== undefined && error !== null && "data" in error });
}
