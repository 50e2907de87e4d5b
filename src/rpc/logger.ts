/**
 * The logging surface the RPC server needs. pino's `Logger` satisfies it; so does a small
 * recorder in tests. `rpc/` takes a logger instead of creating one, so it stays standalone.
 */
export interface RpcLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

const noop = (): void => {};

/** A logger that drops everything; the default when none is given. */
export const silentLogger: RpcLogger = { error: noop, warn: noop, info: noop, debug: noop };
