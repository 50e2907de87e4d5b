/**
 * Errors every adapter may throw from the platform look-ups and actions (the dashboard surface),
 * whatever the platform: a package matches one code for "the bot is not in that guild" on the
 * console and on Discord alike. Platform failures proper (Discord refused, timed out, not
 * connected) stay the platform's own errors (DiscordAdapterError).
 */
import { CogwheelError, type CogwheelErrorOptions } from "../protocol/catalog.ts";

// The bot's "platform refused" wire code (src/bot/errors.ts PLATFORM_REFUSED), repeated here so
// that adapters do not depend on the bot; test/adapters/console.test.ts checks they agree.
const PLATFORM_REFUSED = -32001;

/** Every code of {@link AdapterError}, and how each crosses boundaries. */
const ADAPTER_CODES = {
  /** An action on a guild the bot is not in (the console is in none). */
  ERR_ADAPTER_NOT_IN_GUILD: { rpc: PLATFORM_REFUSED, user: true },
  /** An action the platform has no notion of (an avatar on the console). */
  ERR_ADAPTER_UNSUPPORTED: { rpc: PLATFORM_REFUSED, user: true },
} as const;

/** Stable codes of {@link AdapterError}. */
export type AdapterErrorCode = keyof typeof ADAPTER_CODES;

/** A platform-independent refusal by an adapter; its message is one line for the user. */
export class AdapterError extends CogwheelError<AdapterErrorCode> {
  static override readonly codes = ADAPTER_CODES;
  constructor(code: AdapterErrorCode, message: string, options?: CogwheelErrorOptions) {
    super(code, message, options);
    this.name = "AdapterError";
  }
}
