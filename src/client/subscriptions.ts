// Topic subscriptions: one entry per topic with its handlers, SUBSCRIBE/UNSUBSCRIBE at the right
// moments, pushes to the handlers, re-subscription after a reconnect. Browser-safe.
import { upperAscii } from "../protocol/names.ts";
import type { Disposable } from "./disposable.ts";

/** What a push handler receives: the published value, and the topic's canonical (upper-case) name. */
export type PushHandler = (data: unknown, topic: string) => void;

/**
 * A subscription handle. `ready` resolves `true` once the server confirmed the topic, `false` if
 * the server does not know it (or the handle was disposed first); it rejects if the subscription
 * could not be sent (connection failure, client closed).
 */
export interface RpcSubscription extends Disposable {
  readonly topic: string;
  readonly ready: Promise<boolean>;
}

interface TopicEntry {
  /** The name as the first subscriber spelled it: sent as is, the server folds it. */
  readonly name: string;
  readonly handlers: Set<{ fn: PushHandler }>;
  readonly ready: Promise<boolean>;
  settleReady(value: boolean | Error): void;
}

/** What the subscription table needs from the client. */
export interface SubscriptionHooks {
  /** Sends a call on the current connection (SUBSCRIBE, UNSUBSCRIBE). */
  call(method: string, params: unknown): Promise<unknown>;
  /** A new topic was added: send SUBSCRIBE now if open, or start connecting. */
  added(): void;
  /** Whether the connection is open, so that SUBSCRIBE/UNSUBSCRIBE can go out now. */
  isOpen(): boolean;
  /** Whether a SUBSCRIBE that failed with `error` will be sent again (a drop, with reconnect on). */
  willRetry(error: Error): boolean;
  /** Reports a handler's exception. */
  report(error: Error): void;
}

const noop = (): void => {};

function newEntry(name: string): TopicEntry {
  let settle!: (value: boolean | Error) => void;
  let settled = false;
  const ready = new Promise<boolean>((resolve, reject) => {
    settle = (value) => {
      if (settled) return;
      settled = true;
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
  });
  ready.catch(noop); // a rejection is the caller's to observe, never an unhandled one
  return { name, handlers: new Set(), ready, settleReady: settle };
}

/** The client's topics, keyed by canonical (ASCII upper-case) name. */
export class Subscriptions {
  readonly #topics = new Map<string, TopicEntry>();
  readonly #hooks: SubscriptionHooks;

  constructor(hooks: SubscriptionHooks) {
    this.#hooks = hooks;
  }

  /** The topics subscribed to (canonical upper-case names). */
  get names(): string[] {
    return [...this.#topics.keys()];
  }

  /**
   * Adds `handler` to `topic`. The first handler of a topic sends SUBSCRIBE (now, or when the
   * connection opens); disposing the last one sends UNSUBSCRIBE.
   */
  add(topic: string, handler: PushHandler): RpcSubscription {
    const key = upperAscii(topic);
    let entry = this.#topics.get(key);
    if (entry === undefined) {
      entry = newEntry(topic);
      this.#topics.set(key, entry);
      if (this.#hooks.isOpen()) this.#subscribe([entry]);
      else this.#hooks.added();
    }
    const own = entry;
    const registration = { fn: handler };
    own.handlers.add(registration);
    let disposed = false;
    return {
      topic: key,
      ready: own.ready,
      dispose: () => {
        if (disposed) return;
        disposed = true;
        own.handlers.delete(registration);
        if (own.handlers.size > 0 || this.#topics.get(key) !== own) return;
        this.#topics.delete(key);
        own.settleReady(false);
        if (this.#hooks.isOpen()) this.#hooks.call("UNSUBSCRIBE", [own.name]).catch(noop);
      },
    };
  }

  /** Sends SUBSCRIBE for every topic: a new connection knows none of them. */
  resubscribe(): void {
    if (this.#topics.size > 0) this.#subscribe([...this.#topics.values()]);
  }

  /**
   * Every topic's subscription failed (the connection could not be made and will not be
   * retried): each `ready` rejects and the topics are forgotten.
   */
  failAll(error: Error): void {
    for (const entry of [...this.#topics.values()]) this.#fail(entry, error);
  }

  /** The client closed: pending `ready`s reject with `error`. */
  close(error: Error): void {
    for (const entry of this.#topics.values()) entry.settleReady(error);
  }

  /** Runs the handlers of the topic `method` names; false when no such topic is subscribed. */
  dispatch(method: string, params: unknown): boolean {
    const key = upperAscii(method);
    const entry = this.#topics.get(key);
    if (entry === undefined) return false;
    for (const { fn } of [...entry.handlers]) {
      try {
        fn(params, key);
      } catch (error) {
        this.#hooks.report(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return true;
  }

  #subscribe(entries: TopicEntry[]): void {
    this.#hooks.call("SUBSCRIBE", entries.map((e) => e.name)).then(
      (result) => {
        const confirmed = new Set(Array.isArray(result) ? result.map((t) => upperAscii(String(t))) : []);
        for (const entry of entries) entry.settleReady(confirmed.has(upperAscii(entry.name)));
      },
      (error: Error) => {
        // Dropped before the answer: a reconnect subscribes again and settles it then.
        if (this.#hooks.willRetry(error)) return;
        for (const entry of entries) this.#fail(entry, error);
      },
    );
  }

  /**
   * A subscription that could not be made: its `ready` rejects, and the topic is forgotten so
   * that a later `subscribe()` of it asks the server again instead of reusing the failure.
   */
  #fail(entry: TopicEntry, error: Error): void {
    entry.settleReady(error);
    const key = upperAscii(entry.name);
    if (this.#topics.get(key) === entry) this.#topics.delete(key);
  }
}
