import type { BotView, RpcLogger } from "./types.ts";

/** What every method answers until the adapter is connected (Red's `rpc_check`). */
export const DISCONNECTED = Object.freeze({ disconnected: true });

/** A JSON object answer; never empty (the web app reads `{}` as "not connected"). */
export type Answer = Record<string, unknown>;

/**
 * Wraps a dashboard method so that it never fails the web app: until the adapter is connected
 * it answers `{"disconnected": true}`; an unexpected error is logged and answered with
 * `{status: 1, error}`, never as an RPC error (which AAA3A's web app logs as "Something went
 * wrong" and then treats as not connected); an empty answer becomes `{status: 0}`.
 */
export function guarded<A extends unknown[]>(
  bot: BotView,
  logger: RpcLogger,
  method: string,
  handler: (...args: A) => Promise<Answer>,
): (...args: A) => Promise<Answer> {
  return async (...args: A): Promise<Answer> => {
    if (!bot.adapter.status().connected) return { ...DISCONNECTED };
    try {
      const answer = await handler(...args);
      return Object.keys(answer).length > 0 ? answer : { status: 0 };
    } catch (error) {
      logger.error({ method, err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, "dashboard method failed");
      return { status: 1, error: messageOf(error) };
    }
  };
}

/** An error's one-line message. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] || "unexpected error";
}

/**
 * An id as the web app sends it (a JSON int, a bigint beyond 2^53) → its digits; a string id
 * (digits, or another platform's id such as the console's) as is; null for anything else (a
 * float, a negative number, an unsafe double that may have been rounded).
 */
export function idOf(value: unknown): string | null {
  if (typeof value === "bigint") return value >= 0n ? value.toString() : null;
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  if (typeof value === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(value)) return value;
  return null;
}

/**
 * An id for the web app, which compares ids as Python ints: digits become an exact integer (a
 * bigint beyond 2^53, written by the RPC codec as bare digits); another id (the console's) stays
 * a string, which matches no Discord user.
 */
export function idForWire(id: string): number | bigint | string {
  if (!isSnowflake(id)) return id;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : BigInt(id);
}

/** A Discord id: 1 to 20 digits. */
export function isSnowflake(id: string): boolean {
  return /^\d{1,20}$/.test(id);
}

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
