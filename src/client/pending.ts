// Calls in flight: each unsettled call, notification or batch, matched to its reply by id, with
// its timeout. Ops not yet written wait here too (the send queue) until the socket opens.
import { BATCH_TOO_LARGE_REASON } from "../protocol/errors.ts";
import { callErrorOf, type WireReply } from "./codec.ts";
import { RpcTimeoutError } from "./errors.ts";

/** One unsettled operation: a call, a notification or a batch. */
export interface Op {
  readonly frame: string;
  /** Ids that still await a reply (empty for notifications). */
  readonly ids: readonly number[];
  /** Batch members, to recognise the server's "batch too large" answer. */
  readonly batchSize: number;
  /** Whether the frame has been written to a socket. */
  sent: boolean;
  /** Called once the frame is written (a notification settles here). */
  onSent(): void;
  /** Called with each reply whose id is one of `ids`. */
  onReply(reply: WireReply): void;
  /** Settles the op with `error` and forgets it. */
  fail(error: Error): void;
}

/** What {@link PendingCalls.create} needs to know about an op. */
export interface OpSpec {
  frame: string;
  ids: readonly number[];
  batchSize: number;
  /** Timeout in ms; `undefined` = the client's default, 0 = none. */
  timeout: number | undefined;
  /** Named in the timeout error (`"<batch>"` for a batch). */
  method: string;
  reject(error: Error): void;
}

const noop = (): void => {};

/** Checks a duration option: a finite number of milliseconds, at least 0. */
export function checkMs(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number of milliseconds >= 0`);
  return value;
}

/** The table of unsettled ops. Ids are unique per client, never reused. */
export class PendingCalls {
  readonly #defaultTimeout: number;
  #nextId = 1;
  readonly #ops = new Set<Op>();
  readonly #byId = new Map<number, Op>();
  readonly #timers = new Map<Op, ReturnType<typeof setTimeout> | undefined>();

  /** @param defaultTimeout a call's timeout when it names none, in ms (0 = none) */
  constructor(defaultTimeout: number) {
    this.#defaultTimeout = defaultTimeout;
  }

  /** The next request id. */
  nextId(): number {
    return this.#nextId++;
  }

  /** Unsettled ops, sent or waiting for the connection. */
  get size(): number {
    return this.#ops.size;
  }

  /**
   * Makes an op whose timeout starts now, before it is queued: a call waiting for the
   * connection is bounded by its timeout too. Its `onSent`/`onReply` are the caller's to set.
   */
  create(spec: OpSpec): Op {
    const ms = spec.timeout === undefined ? this.#defaultTimeout : checkMs("timeout", spec.timeout);
    const op: Op = {
      frame: spec.frame,
      ids: spec.ids,
      batchSize: spec.batchSize,
      sent: false,
      onSent: noop,
      onReply: noop,
      fail: (error) => {
        this.finish(op);
        spec.reject(error);
      },
    };
    this.#timers.set(op, ms > 0 ? setTimeout(() => op.fail(new RpcTimeoutError(spec.method, ms)), ms) : undefined);
    return op;
  }

  /** Starts awaiting `op`'s replies. */
  add(op: Op): void {
    this.#ops.add(op);
    for (const id of op.ids) this.#byId.set(id, op);
  }

  /** Forgets an op: its ids, its timer. A late reply to it is then ignored. */
  finish(op: Op): void {
    this.#ops.delete(op);
    for (const id of op.ids) if (this.#byId.get(id) === op) this.#byId.delete(id);
    clearTimeout(this.#timers.get(op));
    this.#timers.delete(op);
  }

  /** Whether `op` is still unsettled. */
  has(op: Op): boolean {
    return this.#ops.has(op);
  }

  /** A snapshot of the unsettled ops, in the order they were made; safe to settle while iterating. */
  list(): Op[] {
    return [...this.#ops];
  }

  /** Fails every op `which` selects (default: all) with `error`. */
  failAll(error: Error, which: (op: Op) => boolean = () => true): void {
    for (const op of this.list()) if (which(op)) op.fail(error);
  }

  /**
   * Hands a reply to the op awaiting its id. A reply to a forgotten id (a timed-out call) is
   * dropped. An error with id null answers a whole batch the server refused ("batch too large"):
   * the sent batches above the limit fail with it. Returns the error when it matched nothing,
   * for the client to report.
   */
  deliver(value: unknown): Error | undefined {
    if (value === null || typeof value !== "object") return undefined;
    const reply = value as WireReply;
    if (typeof reply.id === "number") {
      this.#byId.get(reply.id)?.onReply(reply);
      return undefined;
    }
    if (reply.id !== null || reply.error === undefined) return undefined;
    const data = reply.error.data as { reason?: unknown; limit?: unknown } | undefined;
    const limit = data?.reason === BATCH_TOO_LARGE_REASON && typeof data.limit === "number" ? data.limit : undefined;
    const refused = limit === undefined ? [] : this.list().filter((op) => op.sent && op.batchSize > limit && op.ids.length > 0);
    for (const op of refused) op.fail(callErrorOf(reply.error, "<batch>"));
    return refused.length === 0 ? callErrorOf(reply.error, "<unknown>") : undefined;
  }
}
