/**
 * The one error catalog: one base class, one code scheme (`ERR_*` strings), one brand, one
 * factory. Every error Cogwheel throws on purpose is a {@link CogwheelError}; its code says how
 * it crosses a boundary — the JSON-RPC code it becomes on the wire (`rpc`) and whether its
 * message may be shown to a chat user (`user`). The dispatcher and the message handler read
 * those two facts; nothing else translates errors by hand.
 *
 * Import-free, like the rest of src/protocol: the server and the bot share it (the client may).
 *
 * @module
 */

// `Symbol.for`: a package may run with its own copy of this module (another loader), and its
// errors must still be recognised, so `instanceof` is not enough.
const BRAND = Symbol.for("cogwheel.error");

/** How an error code crosses a boundary. Absent: `-32603` on the wire, a generic line in chat. */
export interface ErrorCrossing {
  /**
   * The JSON-RPC error code this error becomes on the wire: a standard code (the wire message is
   * then the standard one, e.g. `Invalid params`, with this error's message as `data.reason`),
   * -32000…-32099, or a code outside the reserved range (message sent as is). Absent: a bare
   * `-32603 Internal error`, the message never leaked.
   */
  readonly rpc?: number;
  /** The message reads well for the person who typed a command, and is shown to them as is. */
  readonly user?: boolean;
}

/** Each code of an error family and how it crosses boundaries; the family's codes in one place. */
export type ErrorCodes<C extends string = string> = { readonly [K in C]: ErrorCrossing };

/** What one error instance may carry besides its code and message. */
export interface CogwheelErrorOptions {
  /** The underlying error. */
  readonly cause?: unknown;
  /** Details for the wire: sent as the JSON-RPC error's `data` when the code has an `rpc` code. */
  readonly data?: unknown;
}

/**
 * The base of every catalog error. A family (BotError, ConfigError…) subclasses it and lists
 * its codes in a static `codes` table; {@link createError} makes a one-code class. Recognise
 * one with {@link isCogwheelError}, which works across module copies.
 */
export class CogwheelError<C extends string = string> extends Error {
  /** The codes this class throws and how each crosses boundaries; subclasses override. */
  static readonly codes: ErrorCodes = {};

  /** Stable machine-readable code, `ERR_*`. */
  readonly code: C;
  /** Details for the wire; the property exists only when given. */
  declare readonly data?: unknown;
  /** The JSON-RPC code this error becomes on the wire; `undefined` → `-32603` (see {@link joinCatalog}). */
  declare readonly rpc: number | undefined;
  /** Whether the message may be shown to a chat user as is (see {@link joinCatalog}). */
  declare readonly user: boolean;

  /**
   * @param code - stable code, one of the class's `codes`
   * @param message - one line, in the words of its audience (see {@link ErrorCrossing.user})
   * @param options - the `cause`, and `data` for the wire
   */
  constructor(code: C, message: string, options: CogwheelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CogwheelError";
    this.code = code;
    if (options.data !== undefined) Object.defineProperty(this, "data", { value: options.data, enumerable: true });
  }
}

/**
 * Brings an error class into the catalog without changing its base: its instances get the
 * brand ({@link isCogwheelError} is true) and read `rpc` and `user` from the class's static
 * `codes` table (none: `-32603` and the generic line). CogwheelError joins this way; so does a
 * class that must keep another base (ConfigTypeError stays a TypeError) or predates the
 * catalog. Its instances must have a string `code` (`ERR_*` for new codes).
 */
export function joinCatalog(errorClass: abstract new (...args: never[]) => Error & { readonly code: string }): void {
  // On the prototype, not per instance: logs and deep-equals of errors stay as they were.
  Object.defineProperties(errorClass.prototype, {
    [BRAND]: { value: true },
    rpc: { get: function (this: CodedError) { return crossing(this).rpc; }, configurable: true },
    user: { get: function (this: CodedError) { return crossing(this).user === true; }, configurable: true },
  });
}

interface CodedError {
  readonly constructor: { readonly codes?: ErrorCodes };
  readonly code: string;
}

function crossing(error: CodedError): ErrorCrossing {
  const codes = error.constructor.codes;
  return codes !== undefined && Object.hasOwn(codes, error.code) ? codes[error.code]! : {};
}

joinCatalog(CogwheelError);

/** A class made by {@link createError}: instances carry its one code. */
export interface CogwheelErrorClass<C extends string> {
  new (message?: string, options?: CogwheelErrorOptions): CogwheelError<C>;
  readonly codes: ErrorCodes<C>;
}

/** {@link createError}'s options: how the code crosses boundaries, and the errors' `name`. */
export interface CreateErrorOptions extends ErrorCrossing {
  /** The instances' `name` (default `"CogwheelError"`). Declared, never derived from the class. */
  readonly name?: string;
}

/**
 * Makes an error class for one code (fastify's `createError`). For example
 * `const TooPoor = createError("ERR_TOO_POOR", "not enough money", { rpc: -32010, user: true })`,
 * then `throw new TooPoor()` or `throw new TooPoor("you only have 3 coins")`.
 *
 * @param code - stable code, `ERR_` then upper-case words
 * @param defaultMessage - the message when none is given (default: the code)
 * @param options - `rpc` and `user` (see {@link ErrorCrossing}) and the instances' `name`
 * @throws TypeError for a code outside the scheme; RangeError for an `rpc` code JSON-RPC reserves
 */
export function createError<C extends string>(
  code: C,
  defaultMessage: string = code,
  options: CreateErrorOptions = {},
): CogwheelErrorClass<C> {
  if (!/^ERR_[A-Z0-9_]+$/.test(code)) throw new TypeError(`createError: code ${JSON.stringify(code)} must look like ERR_SOME_THING`);
  if (options.rpc !== undefined && !isWireCode(options.rpc)) {
    throw new RangeError(`createError: rpc code ${options.rpc} is reserved by JSON-RPC 2.0; use -32000…-32099, a positive code, or a standard code`);
  }
  const name = options.name ?? "CogwheelError";
  const how: ErrorCrossing = { rpc: options.rpc, user: options.user };
  return class extends CogwheelError<C> {
    static override readonly codes = { [code]: how } as ErrorCodes<C>;
    constructor(message: string = defaultMessage, errorOptions?: CogwheelErrorOptions) {
      super(code, message, errorOptions);
      this.name = name;
    }
  };
}

/** True for a catalog error from any copy of this module; with `code`, for that code only. */
export function isCogwheelError(error: unknown, code?: string): error is CogwheelError {
  if (typeof error !== "object" || error === null || (error as { [BRAND]?: unknown })[BRAND] !== true) return false;
  return code === undefined || (error as CogwheelError).code === code;
}

// JSON-RPC 2.0 reserves -32768…-32000 except the five standard codes and -32099…-32000 (kept
// here, not imported, so this file stays a leaf; rpc/errors.ts checks RpcError the same way).
function isWireCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code === -32700 || (code >= -32603 && code <= -32600)) return true;
  return code >= -32099 || code < -32768;
}
