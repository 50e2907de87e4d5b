import { BATCH_TOO_LARGE_REASON } from "../protocol/errors.ts";
import { parseJson } from "../protocol/json.ts";
import type { CallRate } from "./call-rate.ts";
import type { Connection } from "./connection.ts";
import { isRpcError, RpcError } from "./errors.ts";
import { encodeJson, exceedsDepth } from "./json.ts";
import type { RpcLogger } from "./logger.ts";
import { bindParams } from "./params.ts";
import { encodeError, encodeResult, PARSE_ERROR_FRAME, validateRequest, type EncodedId } from "./protocol.ts";
import { RawIds } from "./raw-id.ts";
import type { MethodEntry, MethodRegistry } from "./registry.ts";
import { toWireError } from "./wire-error.ts";

/** One frame being handled; built-in handlers receive it first (see `registerBuiltin`). */
export interface CallContext {
  readonly connection: Connection;
  /** Frames to send right after this call's reply (or its batch's reply) has gone out. */
  after: Buffer[] | null;
  /** The frame's raw ids, scanned only if an id needs its source text. */
  readonly rawIds: RawIds;
}

/** An encoded reply, none (notification), or one to come. */
type Reply = string | null | Promise<string | null>;

export interface DispatcherLimits {
  readonly maxBatchSize: number;
  readonly maxDepth: number;
}

const INTERNAL_ERROR = RpcError.internal();

/**
 * Turns incoming text into replies: decode, validate, look up, bind, invoke, encode. Every
 * failure is confined to its own request. A handler's RpcError, or catalog error with an `rpc`
 * code, is its reply (see wire-error.ts); any other exception is logged with the method's name
 * and answered with a bare -32603, never with its message or stack.
 */
export class Dispatcher {
  readonly #methods: MethodRegistry;
  readonly #limits: DispatcherLimits;
  readonly #logger: RpcLogger;
  /** Methods whose result already failed its schema once (see #checkResult). */
  readonly #warned = new WeakSet<MethodEntry>();
  /** Counts requests answered (notifications and error replies included; parse errors not). */
  readonly #rate: CallRate;

  constructor(methods: MethodRegistry, limits: DispatcherLimits, logger: RpcLogger, rate: CallRate) {
    this.#methods = methods;
    this.#limits = limits;
    this.#logger = logger;
    this.#rate = rate;
  }

  /** Handles one text frame from `connection`. Never throws. */
  handle(connection: Connection, text: string): void {
    let message: unknown;
    try {
      message = parseJson(text); // integers beyond 2^53 arrive as bigints, exactly
    } catch {
      connection.send(PARSE_ERROR_FRAME);
      return;
    }
    if (Array.isArray(message)) {
      this.#batch(connection, message, text);
      return;
    }
    const context: CallContext = { connection, after: null, rawIds: new RawIds(text) };
    const reply = this.#call(context, message, -1);
    if (reply === null || typeof reply === "string") {
      finish(context, reply);
      this.#rate.add(1);
      return;
    }
    connection.begin();
    void reply.then((value) => {
      finish(context, value);
      this.#rate.add(1);
      connection.end();
    });
  }

  #batch(connection: Connection, items: unknown[], text: string): void {
    if (items.length === 0) {
      connection.send(encodeError("null", RpcError.invalidRequest({ reason: "empty batch" })));
      return;
    }
    if (items.length > this.#limits.maxBatchSize) {
      connection.send(
        encodeError("null", RpcError.invalidRequest({ reason: BATCH_TOO_LARGE_REASON, limit: this.#limits.maxBatchSize })),
      );
      return;
    }
    const context: CallContext = { connection, after: null, rawIds: new RawIds(text) };
    const replies: Array<string | null> = new Array<string | null>(items.length).fill(null);
    let pending: Array<Promise<void>> | null = null;
    for (let i = 0; i < items.length; i++) {
      const reply = this.#call(context, items[i], i);
      if (reply === null || typeof reply === "string") replies[i] = reply;
      else (pending ??= []).push(reply.then((value) => void (replies[i] = value)));
    }
    const send = (): void => {
      const parts = replies.filter((r): r is string => r !== null);
      finish(context, parts.length === 0 ? null : `[${parts.join(",")}]`);
      this.#rate.add(items.length);
    };
    if (pending === null) {
      send();
      return;
    }
    const count = pending.length;
    for (let i = 0; i < count; i++) connection.begin();
    void Promise.all(pending).then(() => {
      send();
      for (let i = 0; i < count; i++) connection.end();
    });
  }

  /** One request object → its reply. The returned promise never rejects. */
  #call(context: CallContext, message: unknown, index: number): Reply {
    const request = validateRequest(message, context.rawIds, index);
    if ("error" in request) return encodeError(request.id, request.error);
    const { id } = request;
    const entry = this.#methods.get(request.method);
    if (entry === undefined) return id === null ? null : encodeError(id, RpcError.methodNotFound());

    let args: unknown[];
    try {
      const params = request.params;
      if (typeof params === "object" && params !== null && exceedsDepth(params, this.#limits.maxDepth)) {
        throw RpcError.invalidRequest({ reason: "params nest too deep", limit: this.#limits.maxDepth });
      }
      args = bindParams(entry.params, params);
      // Typed methods only; an undeclared method pays this one null check.
      const validate = entry.params.validate;
      if (validate !== null) validate(args);
    } catch (error) {
      return id === null ? null : encodeError(id, isRpcError(error) ? error : INTERNAL_ERROR);
    }

    let result: unknown;
    try {
      result = entry.contextual ? entry.handler(context, ...args) : entry.handler(...args);
    } catch (error) {
      return this.#failure(id, entry, error);
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => this.#success(id, entry, value),
        (error: unknown) => this.#failure(id, entry, error),
      );
    }
    return this.#success(id, entry, result);
  }

  #success(id: EncodedId | null, entry: MethodEntry, value: unknown): string | null {
    if (id === null) return null;
    if (entry.checkResult !== null) this.#checkResult(entry, value);
    let json: string;
    try {
      json = encodeJson(value);
    } catch (error) {
      this.#logger.error({ method: entry.name, err: error }, "RPC method returned a value that is not JSON");
      return encodeError(id, INTERNAL_ERROR);
    }
    return encodeResult(id, json);
  }

  /**
   * A result that fails its declared schema is the method's bug, not the client's: it is sent
   * anyway (the client asked and the value is JSON), and logged once per registration so a
   * busy method cannot flood the log.
   */
  #checkResult(entry: MethodEntry, value: unknown): void {
    if (this.#warned.has(entry)) return;
    const errors = entry.checkResult!(value);
    if (errors === null) return;
    this.#warned.add(entry);
    this.#logger.warn({ method: entry.name, errors }, "RPC method returned a result that does not match its declared schema");
  }

  /** A handler threw: its wire error (see toWireError), or a logged bare -32603. */
  #failure(id: EncodedId | null, entry: MethodEntry, error: unknown): string | null {
    const wire = toWireError(error);
    if (wire !== null) {
      this.#logger.debug({ method: entry.name, code: wire.code }, "RPC method answered with an error");
      return id === null ? null : encodeError(id, wire);
    }
    this.#logger.error({ method: entry.name, err: error }, "RPC method threw");
    return id === null ? null : encodeError(id, INTERNAL_ERROR);
  }
}

function finish(context: CallContext, reply: string | null): void {
  if (reply !== null) context.connection.send(reply);
  if (context.after !== null) for (const frame of context.after) context.connection.send(frame);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}
