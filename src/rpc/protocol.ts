import { ErrorMessage } from "../protocol/errors.ts";
import { ErrorCode, RpcError } from "./errors.ts";
import { encodeJson } from "./json.ts";
import type { RawIds } from "./raw-id.ts";

/** A JSON-RPC id as it will be written back: already-encoded JSON text. */
export type EncodedId = string;

/** A request object that passed validation. */
export interface ValidRequest {
  readonly method: string;
  readonly params: unknown;
  /** null for a notification (no `id` member): never answered. */
  readonly id: EncodedId | null;
}

/**
 * Validates one decoded request object (JSON-RPC 2.0 §4). On failure returns an RpcError and
 * the id to answer with (the request's own id when it is a valid one, else `null`).
 * `rawIds`/`index` give the raw text for ids a double cannot hold exactly.
 */
export function validateRequest(
  message: unknown,
  rawIds: RawIds,
  index: number,
): ValidRequest | { error: RpcError; id: EncodedId } {
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return { error: RpcError.invalidRequest({ reason: "a request must be an object" }), id: "null" };
  }
  const request = message as Record<string, unknown>;
  let id: EncodedId | null = null;
  if ("id" in request) {
    id = encodeId(request.id, rawIds, index);
    if (id === null) return { error: RpcError.invalidRequest({ reason: "id must be a string, a number or null" }), id: "null" };
  }
  if (request.jsonrpc !== "2.0") {
    return { error: RpcError.invalidRequest({ reason: 'jsonrpc must be exactly "2.0"' }), id: id ?? "null" };
  }
  if (typeof request.method !== "string") {
    return { error: RpcError.invalidRequest({ reason: "method must be a string" }), id: id ?? "null" };
  }
  return { method: request.method, params: request.params, id };
}

/** Encodes a valid id, or returns null when the value is not a legal id. */
function encodeId(id: unknown, rawIds: RawIds, index: number): EncodedId | null {
  switch (typeof id) {
    case "string":
      return JSON.stringify(id);
    case "number":
      if (Number.isSafeInteger(id)) return String(id);
      if (!Number.isFinite(id)) return null;
      return rawIds.at(index) ?? JSON.stringify(id);
    case "bigint":
      return id.toString(); // an integer id beyond 2^53, read exactly
    case "object":
      return id === null ? "null" : null;
    default:
      return null;
  }
}

/** A success reply frame. `result` must already be encoded. */
export function encodeResult(id: EncodedId, resultJson: string): string {
  return `{"jsonrpc":"2.0","id":${id},"result":${resultJson}}`;
}

/** An error reply frame: the one place an RpcError becomes wire text. */
export function encodeError(id: EncodedId, error: RpcError): string {
  let data = "";
  if (error.data !== undefined) {
    try {
      data = `,"data":${encodeJson(error.data)}`;
    } catch {
      data = ""; // data is a courtesy; an unencodable one is dropped rather than losing the error
    }
  }
  return `{"jsonrpc":"2.0","id":${id},"error":{"code":${error.code},"message":${JSON.stringify(error.message)}${data}}}`;
}

/** A notification frame (a topic push). */
export function encodeNotification(method: string, paramsJson: string): string {
  return `{"jsonrpc":"2.0","method":${JSON.stringify(method)},"params":${paramsJson}}`;
}

/** The reply to text that is not JSON. */
export const PARSE_ERROR_FRAME = encodeError("null", new RpcError(ErrorCode.ParseError, ErrorMessage.ParseError));
