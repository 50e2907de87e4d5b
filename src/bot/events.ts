import type { Disposable } from "../rpc/index.ts";
import type { ChatMessage } from "../adapters/types.ts";

/** The events a cog can listen to, with their payloads. */
export interface BotEvents {
  /** Every message the bot sees (commands included), before command handling. */
  message: ChatMessage;
  /** The adapter is connected and messages can flow. */
  ready: { readonly name: string };
  /** The packages loaded changed. */
  packagesChanged: { readonly loaded: readonly string[] };
  /** The bot's name, prefixes or connection changed. */
  statusChanged: void;
  /**
   * A dashboard forwarded a webhook (Red-Dashboard's `DASHBOARDRPC_WEBHOOKS__WEBHOOK_RECEIVE`).
   * `payload` is the JSON the web app received, as it sent it.
   */
  webhookReceived: { readonly source: string; readonly payload: unknown };
}

export type BotEventName = keyof BotEvents;

/** The events a package may emit itself (the rest are the bot's own). */
export type PackageEventName = "webhookReceived";
type Listener<E extends BotEventName> = (payload: BotEvents[E]) => void | Promise<void>;

/**
 * A small typed event bus. A listener's failure (thrown or rejected) is reported to
 * `onError` and never reaches the emitter or other listeners.
 */
export class EventBus {
  readonly #listeners = new Map<BotEventName, Set<Listener<BotEventName>>>();
  readonly #onError: (event: BotEventName, error: unknown) => void;

  constructor(onError: (event: BotEventName, error: unknown) => void) {
    this.#onError = onError;
  }

  on<E extends BotEventName>(event: E, listener: Listener<E>): Disposable {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    const entry = listener as Listener<BotEventName>;
    set.add(entry);
    return { dispose: () => void set.delete(entry) };
  }

  emit<E extends BotEventName>(event: E, payload: BotEvents[E]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        const result = listener(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.#onError(event, error));
      } catch (error) {
        this.#onError(event, error);
      }
    }
  }
}
